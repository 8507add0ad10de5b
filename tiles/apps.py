from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = "Tiles and print maps"

    def ready(self):
        from tiles.vector.hooks import subscribe_to_records

        subscribe_to_records()  # cached tiles dropped, generalised geometry rebuilt as records change
        from core.jobs import Daily, register_periodic

        # The worker removes old print-map files once a day (core.jobs; no cron).
        register_periodic("prune_map_files", "tiles.management.commands.prune_map_files.scheduled", Daily("03:30"))
