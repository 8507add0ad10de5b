"""import_townships <county code> <file> [--apply] [--code-field X]: the bureau's township file of one
county (boundaries.services.township_import). A dry run unless --apply; the report either way."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.services import township_import as service


class Command(BaseCommand):
    help = (
        "Import one county's township polygons from the bureau's file (a zipped shapefile, a .shp with its "
        "parts, or a GeoPackage): checked to tile the county; written with --apply (one changeset) together "
        "with the township-level lines between neighbours."
    )

    def add_arguments(self, parser):
        parser.add_argument("county", help="the county's 6-digit code, e.g. 231083")
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="write (else a dry run: the report only)")
        parser.add_argument("--reason", default="", help="why: in the history (required with --apply)")
        parser.add_argument("--code-field", help="the attribute holding the 9-digit code (else CODE, XZQDM, code)")
        parser.add_argument("--name-field", help="the attribute holding the name (else NAME, XZQMC, name)")
        parser.add_argument("--encoding", help="the .dbf's encoding when it has no .cpg (GBK, UTF-8)")
        parser.add_argument("--tolerance", type=float, default=service.TOLERANCE_M, help="sliver width, metres")
        parser.add_argument("--effective", type=dt.date.fromisoformat, help="the day the change takes effect")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        county = AdminUnit.objects.current().filter(code=options["county"], tier=Tier.COUNTY).first()
        if county is None:
            raise CommandError(f"no current county-level unit has the code {options['county']}")
        if options["apply"] and not options["reason"].strip():
            raise CommandError("--apply needs --reason: it is recorded with the change")
        try:
            report = service.import_townships(
                county,
                options["file"],
                reason=options["reason"],
                dry_run=not options["apply"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                encoding=options["encoding"],
                tolerance_m=options["tolerance"],
                effective=options["effective"],
            )
        except service.ImportRefused as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(report)
        if not report.ok:
            raise CommandError("findings block the import; nothing was written")

    def _print(self, report) -> None:
        state = "written" if report.applied else "dry run, nothing written"
        self.stdout.write(
            f"{report.county.code} {report.county.name}: {report.file} ({report.kind}, {report.crs}); {state}"
        )
        for township in report.townships:
            self.stdout.write(f"  {township['code']} {township['name']}: {township['area_km2']} km²")
        for line in report.lines:
            self.stdout.write(f"  line {line['code']} {line['name']}: {line['length_m']} m, {line['change']}")
        for finding in report.findings:
            where = f" at {finding.where[0]}, {finding.where[1]}" if finding.where else ""
            row = f" (row {finding.row})" if finding.row else ""
            flag = "BLOCKS" if finding.blocking else "note"
            self.stdout.write(f"  {flag} {finding.kind}{row}: {finding.message}{where}")
        self.stdout.write("  " + ", ".join(f"{k} {v}" for k, v in report.figures.items()))
