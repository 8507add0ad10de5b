from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import AccountError, create_officer


class Command(BaseCommand):
    help = "Create (or update) an account with a role and its counties; optionally print an API token once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", default=Role.OFFICER, choices=Role.values)
        parser.add_argument("--county", action="append", default=[], help="county-level unit code; repeatable")
        parser.add_argument("--password", help="password for logging in to pages (omit for API-only accounts)")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--token", action="store_true", help="issue an API token and print it")

    def handle(self, *args, username, role, county, password, name, token, **options):
        try:
            user, key = create_officer(
                username, role=role, counties=county, password=password, full_name=name, with_token=token
            )
        except AccountError as exc:  # an unknown or not county-level code too (accounts.services.county_by_code)
            raise CommandError(str(exc)) from exc
        counties = ", ".join(a.county.name for a in user.county_assignments.select_related("county")) or "—"
        self.stdout.write(f"{user.username}: {Role(role).label}; counties: {counties}")
        if key:
            self.stdout.write(f"API token (shown once): {key}")
