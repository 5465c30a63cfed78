"""``manage.py create_scim_token NAME [--tenant app_label.Model:pk]``: issue a bearer token."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from drf_scim.models import SCIMToken


class Command(BaseCommand):
    help = "Create a SCIM bearer token; the token is printed once, alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the token is for, e.g. 'Okta production'.")
        parser.add_argument(
            "--tenant",
            help="Scope the token to one tenant, as app_label.Model:pk (e.g. "
            "accounts.Organization:42): it then sees only that tenant's resources.",
        )

    def get_tenant(self, value: str) -> Any:
        label, _, pk = value.partition(":")
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise CommandError(f"--tenant: no model {label!r}.") from exc
        try:
            return model._default_manager.get(pk=pk)
        except (model.DoesNotExist, ValueError) as exc:
            raise CommandError(f"--tenant: no {label} with pk {pk!r}.") from exc

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self.get_tenant(options["tenant"]) if options.get("tenant") else None
        token, key = SCIMToken.generate(options["name"], tenant=tenant)
        scope = f" for {tenant}" if tenant is not None else ""
        self.stderr.write(
            f"Created SCIM token {token.name!r} ({token.prefix}…){scope}. "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(key)
