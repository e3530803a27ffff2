"""`manage.py issue_api_token <username> --name NAME [--days N]`: issue a bearer token for an integration's
login and print the secret once (only its hash is stored). It expires after N days (default and most 90)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lendpilot.org.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for a user and print its secret (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. core-banking feed")
        parser.add_argument("--days", type=int, default=None, help="days until it expires (default and most: 90)")

    def handle(self, *args, username, name, days=None, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        try:
            token, secret = api_token_issue(actor=None, user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.prefix}… ({token.name}) issued for {username}, expires "
                          f"{token.expires_at:%Y-%m-%d}; the secret is shown once:")
        self.stdout.write(secret)
