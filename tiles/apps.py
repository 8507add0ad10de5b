from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = "Tiles and print maps"

    def ready(self):
        from tiles.vector.hooks import subscribe_to_records

        subscribe_to_records()  # cached tiles dropped, generalised geometry rebuilt as records change
