from django.core.management.base import BaseCommand, CommandError

from boundaries.lines import sync_boundary_lines
from boundaries.services import topology


class Command(BaseCommand):
    help = (
        "Build the boundaries' topology (edges and nodes) from the county polygons as they stand, then "
        "report the validator's findings. Refused once an edge has been edited: the edges are the truth then."
    )

    def handle(self, *args, **options):
        try:
            edges = topology.build()
        except topology.TopologyRefused as exc:
            raise CommandError(str(exc)) from None
        changed = sync_boundary_lines()
        findings = topology.validate_all()
        self.stdout.write(f"{edges} edges; {changed} lines changed; {len(findings)} findings")
        for finding in findings:
            self.stdout.write(f"  {finding.kind}: {finding.message} at {finding.lon}, {finding.lat}")
