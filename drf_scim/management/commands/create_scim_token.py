"""``manage.py create_scim_token NAME``: issue a bearer token for an identity provider."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from drf_scim.models import SCIMToken


class Command(BaseCommand):
    help = "Create a SCIM bearer token; the token is printed once, alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the token is for, e.g. 'Okta production'.")

    def handle(self, *args: Any, **options: Any) -> None:
        token, key = SCIMToken.generate(options["name"])
        self.stderr.write(
            f"Created SCIM token {token.name!r} ({token.prefix}…). "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(key)
