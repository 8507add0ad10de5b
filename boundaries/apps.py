from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    name = "boundaries"
    verbose_name = "行政区划 Administrative divisions"

    def ready(self):
        from boundaries import changeset_kinds
        from boundaries.lines import lines_follow_units

        lines_follow_units()  # the boundary lines follow the county polygons
        changeset_kinds.register_kinds()  # units in POST /api/v1/changesets
        from core import inbox, reports

        reports.register("boundaries.reports.unit_summary")  # its lines after load_base_data
        inbox.register("boundaries.inbox.boundary_proposals")  # proposals awaiting a party's approval
        inbox.register("boundaries.inbox.marker_events_awaiting")  # marker events awaiting a party's approval
        inbox.register("boundaries.inbox_inspections.inspection_work")  # inspection tasks, reports to sign
