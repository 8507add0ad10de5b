from django.apps import AppConfig
from django.db.backends.signals import connection_created

# Pinyin typos are found by trigram similarity; below this a "match" is mostly noise.
TRIGRAM_SIMILARITY_THRESHOLD = 0.45


def _set_trigram_threshold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET pg_trgm.similarity_threshold = %s", [TRIGRAM_SIMILARITY_THRESHOLD])


class GazetteerConfig(AppConfig):
    name = "gazetteer"
    verbose_name = "地名 Place names"

    def ready(self):
        connection_created.connect(_set_trigram_threshold, dispatch_uid="gazetteer-trigram-threshold")
        from core.events import subscribe
        from gazetteer.api import changeset_kinds
        from gazetteer.search.index import place_event, shows_unit, unit_event

        subscribe("place", place_event)  # the search index follows every recorded change
        subscribe("unit", unit_event, when=shows_unit)  # and the units its entries name
        changeset_kinds.register_kinds()  # places in POST /api/v1/changesets
        from core.jobs import Daily, register_periodic

        # The worker makes the decisions due today the current names, once a day (core.jobs; no cron).
        register_periodic(
            "apply_due_decisions", "gazetteer.management.commands.apply_due_decisions.scheduled", Daily("00:05")
        )
        from core import inbox, reports

        reports.register("gazetteer.reports.place_summary")  # its lines after load_base_data
        inbox.register("gazetteer.inbox.naming_steps", "gazetteer.inbox.notice_comments")  # the staff's inbox
        from boundaries.services.landmarks import register_landmarks
        from gazetteer.landmarks import gazetteer_landmarks

        register_landmarks(gazetteer_landmarks)  # standard places and waters named in the lines' courses
        from gazetteer.search.boundaries import boundary_changed

        subscribe("line", boundary_changed)  # the search finds lines and markers (gazetteer.search.boundaries):
        subscribe("marker", boundary_changed)  # a change to one makes the kept answers stale
        from gazetteer.services import signs

        # A renamed road or renumbered house flags the signs that now show the wrong text (services.signs).
        subscribe("place", signs.place_changed, when=signs.names_a_sign)
        subscribe("house-number", signs.house_number_changed, when=signs.names_a_sign)
        inbox.register("gazetteer.inbox_signs.open_orders")  # sign production orders awaiting progress
        from gazetteer.search.addresses import house_number_changed

        # Addresses in the search (gazetteer.search.addresses) are read from the register: a changed number
        # makes the kept answers stale; a renamed road is the "place" subscription's (search.index).
        subscribe("house-number", house_number_changed)
        inbox.register("gazetteer.inbox_requests.numbering_requests")  # numbering requests awaiting a step
        from gazetteer.services import house_numbers

        subscribe("place", house_numbers.road_follows_place, when=house_numbers.place_is_a_road)  # its road record
        inbox.register("gazetteer.inbox_addresses.renumberings")  # renumberings awaiting an approver
