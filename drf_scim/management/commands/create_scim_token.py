"""``manage.py create_scim_token NAME [--tenant MODEL:PK] [--user NAME] [--expires WHEN]``.

``scim_tokens`` lists, revokes and rotates the tokens.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from drf_scim.models import SCIMToken
from drf_scim.settings import scim_settings

from .scim_tokens import parse_expires


class Command(BaseCommand):
    help = "Create a SCIM bearer token; the token is printed once, alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the token is for, e.g. 'Okta production'.")
        parser.add_argument(
            "--tenant",
            help="Scope the token to one tenant, as app_label.Model:pk (e.g. "
            "accounts.Organization:42): it then sees only that tenant's resources.",
        )
        parser.add_argument(
            "--user",
            help="Bind the token to the user with this username: /Me then stands for "
            "that user (RFC 7644 §3.11). Without it, /Me answers 501.",
        )
        parser.add_argument(
            "--expires",
            help="When the token stops working: a duration from now (e.g. 90d, 12h, 2w) or "
            "an ISO 8601 date or time (e.g. 2027-03-31). Without it, it never expires.",
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

    def get_user(self, username: str) -> Any:
        """The user named ``username`` (the user model's ``USERNAME_FIELD``)."""
        model = get_user_model()
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist as exc:
            raise CommandError(f"--user: no user {username!r}.") from exc
        scope = scim_settings.USER_SERIALIZER.get_scope()
        if not model._default_manager.filter(scope, pk=user.pk).exists():
            self.stderr.write(
                f"Warning: {username!r} is outside SCIM's scope (a superuser or staff "
                "member, see docs/security.md): /Me will answer 404 for this token."
            )
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        expires = parse_expires(options["expires"]) if options.get("expires") else None
        tenant = self.get_tenant(options["tenant"]) if options.get("tenant") else None
        user = self.get_user(options["user"]) if options.get("user") else None
        token, key = SCIMToken.generate(options["name"], tenant=tenant, user=user, expires=expires)
        scope = f" for {tenant}" if tenant is not None else ""
        if user is not None:
            scope += f", bound to user {options['user']!r}"
        if expires is not None:
            scope += f", expiring {timezone.localtime(expires):%Y-%m-%d %H:%M %Z}"
        self.stderr.write(
            f"Created SCIM token {token.name!r} ({token.prefix}…){scope}. "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(key)
