"""manage.py romanize NAME [NAME ...]: one standard romanization per line, in the order given."""

from django.core.management.base import BaseCommand, CommandError

from gazetteer.romanization import romanize


class Command(BaseCommand):
    help = "Print the standard romanization of each place name, one a line (toneless, or --tones)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="+", metavar="NAME", help="a place name in Chinese characters")
        parser.add_argument("--tones", action="store_true", help="print the tone-marked form")

    def handle(self, *args, names, tones=False, **options):
        for name in names:
            try:
                result = romanize(name)
            except ValueError as exc:
                raise CommandError(f"{name!r}: {exc}") from exc
            self.stdout.write(result.romanization_tones if tones else result.romanization)
