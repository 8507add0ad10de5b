from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = "Tiles and print maps"

    def ready(self):
        from tiles.vector.hooks import subscribe_to_records

        subscribe_to_records()  # cached tiles dropped, generalised geometry rebuilt as records change
        from core import openapi

        openapi.register("tiles.openapi.PART")  # tiles and map jobs in /api/v1/openapi.json
