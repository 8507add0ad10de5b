from django.core.management.base import BaseCommand

from gazetteer.search import index


class Command(BaseCommand):
    help = "Rewrite the place-name search index from the records (it is derived data)."

    def handle(self, *args, **options):
        self.stdout.write(f"{index.rebuild()} searchable names indexed")
