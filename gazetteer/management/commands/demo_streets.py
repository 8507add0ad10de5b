import time

from django.core.management.base import BaseCommand, CommandError

from gazetteer.services import demo_signs, demo_streets


class Command(BaseCommand):
    help = (
        "Lay synthetic demonstration streets (示例数据: standing synthetic, never standard, never in open data) "
        "over the core of the four urban districts, number their entrances with the numbering engine and put up "
        "their name signs and house plates (synthetic too). "
        "Deterministic; a district that has its demonstration streets already is left alone (a second run adds "
        "nothing). --retire ends them all (retired, not deleted); a run after that lays them again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--district", action="append", choices=demo_streets.DISTRICTS, help="only this district (repeatable)"
        )
        parser.add_argument("--small", action="store_true", help="a small network (about 500 m around each seat)")
        parser.add_argument("--retire", action="store_true", help="retire every current demonstration street")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["retire"]:
            if options["district"] or options["small"]:
                raise CommandError("--retire retires every demonstration street: give it alone")
            streets, numbers = demo_streets.retire_demo_streets()
            signs = demo_signs.remove_demo_signs()
            self.stdout.write(
                f"{streets} synthetic streets and {numbers} house numbers retired, {signs} signs taken down "
                f"in {time.monotonic() - started:.1f} s"
            )
            return
        layout = demo_streets.SMALL if options["small"] else demo_streets.Layout()
        result = demo_streets.lay_demo_streets(tuple(options["district"] or demo_streets.DISTRICTS), layout)
        skipped = f" ({', '.join(result.skipped)} had theirs already)" if result.skipped else ""
        signs = demo_signs.place_demo_signs()
        self.stdout.write(
            f"{result.streets} synthetic streets, {result.house_numbers} synthetic house numbers and {signs} "
            f"synthetic signs in {len(result.districts)} districts{skipped} in {time.monotonic() - started:.1f} s"
        )
