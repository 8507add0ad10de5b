from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gazetteer.services.place_io import import_places
from gazetteer.services.place_io.coordinates import CRS_EXAMPLES


class Command(BaseCommand):
    help = (
        "Import place records from a CSV, GeoJSON, shapefile (.shp with its parts, or a .zip) or GeoPackage. "
        "A dry run unless --commit: every row is checked and the report printed, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="the file, or a shapefile's parts")
        parser.add_argument("--user", required=True, help="username of the officer the changes are made by")
        parser.add_argument("--reason", default="", help="why (required with --commit)")
        parser.add_argument("--format", help="csv, geojson, shp or gpkg (default: from the file name)")
        parser.add_argument("--crs", help=f"CRS of a file that declares none, {CRS_EXAMPLES}")
        parser.add_argument("--datum", help="GCJ-02 for coordinates from Amap or Tencent")
        parser.add_argument("--encoding", help="text encoding of a CSV or a .dbf without .cpg, e.g. GBK")
        parser.add_argument("--category", help="category code of every new record, e.g. 07200")
        parser.add_argument("--layer", help="GeoPackage layer (default: the first)")
        parser.add_argument("--name-field", help="column holding the standard name")
        parser.add_argument("--commit", action="store_true", help="write the records (default: dry run)")

    def handle(self, *args, files, user, commit, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user!r}")
        report = import_places(
            files[0] if len(files) == 1 else files,
            user=account,
            reason=options["reason"],
            dry_run=not commit,
            format=options["format"],
            crs=options["crs"],
            datum=options["datum"],
            encoding=options["encoding"],
            category=options["category"],
            layer=options["layer"],
            name_field=options["name_field"],
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("refused: nothing was written")
