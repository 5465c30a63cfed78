"""``manage.py scim_tokens list|revoke|rotate``: the SCIM bearer tokens, from the shell.

``create_scim_token`` issues tokens; this command lists them (never their secret or its
digest), revokes them and rotates them. A token is named by its id or by its prefix (the
first characters of the key, shown by ``list`` and in the admin), or by the whole key.
See docs/api-guide/authentication.md.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from drf_scim.models import SCIMToken

__all__ = ["find_token", "parse_duration", "parse_expires"]

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: str, option: str) -> datetime.timedelta:
    """A duration such as ``30m``, ``12h``, ``90d`` or ``2w``."""
    match = _DURATION.match(value.strip().lower())
    if match is None:
        raise CommandError(
            f"{option}: {value!r} is not a duration; write a number and a unit, m (minutes), "
            "h (hours), d (days) or w (weeks), e.g. 90d."
        )
    try:
        return datetime.timedelta(**{_UNITS[match[2]]: int(match[1])})
    except OverflowError as exc:
        raise CommandError(f"{option}: {value!r} is too long.") from exc


def parse_expires(value: str, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """``--expires``: ``never``, a duration from now (``90d``) or an ISO 8601 date or time.

    A date means its midnight, a time without an offset the current time zone's; the
    result must lie in the future.
    """
    now = now or timezone.now()
    text = value.strip()
    if text.lower() == "never":
        return None
    if _DURATION.match(text.lower()):
        try:
            moment: datetime.datetime | None = now + parse_duration(text, "--expires")
        except OverflowError as exc:
            raise CommandError(f"--expires: {value!r} is too long.") from exc
        day = None
    else:
        try:
            moment = parse_datetime(text)
            day = None if moment is not None else parse_date(text)
        except ValueError as exc:  # well formed but impossible, e.g. 2027-02-30
            raise CommandError(f"--expires: {value!r} is not a valid date: {exc}.") from exc
    if day is not None:
        moment = datetime.datetime.combine(day, datetime.time())
    if moment is None:
        raise CommandError(
            f"--expires: {value!r} is neither 'never', a duration (e.g. 90d, 12h) nor an "
            "ISO 8601 date or time (e.g. 2027-03-31 or 2027-03-31T18:00+01:00)."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment <= now:
        raise CommandError(f"--expires: {value!r} is in the past.")
    return moment


def _describe(token: SCIMToken) -> str:
    return f"{token.name!r} ({token.prefix}…, id {token.pk})"


def find_token(value: str) -> SCIMToken:
    """The one token named by ``value``: its id, its prefix (or the start of it) or its key.

    Raises ``CommandError`` if no token, or more than one, matches.
    """
    text = value.strip().rstrip("…")  # as ``__str__`` and the admin show a prefix
    if text.isdigit():
        try:
            return SCIMToken.objects.select_related("tenant_type").get(pk=int(text))
        except SCIMToken.DoesNotExist as exc:
            raise CommandError(f"No SCIM token with id {text}.") from exc
    tokens = SCIMToken.objects.select_related("tenant_type")
    if len(text) > SCIMToken.prefix_length:
        # Longer than a prefix: the whole key, as pasted from the identity provider.
        matches = list(tokens.filter(key_digest=SCIMToken.digest(text)))
    elif text:
        # ``startswith`` ignores case on SQLite and MariaDB; a prefix is case-sensitive.
        matches = [t for t in tokens.filter(prefix__startswith=text) if t.prefix.startswith(text)]
    else:
        matches = []
    if not matches:
        raise CommandError(f"No SCIM token has the id, prefix or key {text!r}.")
    if len(matches) > 1:
        names = ", ".join(_describe(token) for token in sorted(matches, key=lambda t: t.pk))
        raise CommandError(
            f"{text!r} is ambiguous: it is the prefix of {len(matches)} tokens ({names}). "
            "Give the token's id or more of its prefix."
        )
    return matches[0]


def _iso(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat()


def _short(moment: datetime.datetime | None, empty: str) -> str:
    if moment is None:
        return empty
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


class Command(BaseCommand):
    help = (
        "List, revoke or rotate SCIM bearer tokens (create them with create_scim_token). "
        "Name a token by its id, its prefix or its key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{list,revoke,rotate}")
        actions.required = True

        listing = actions.add_parser(
            "list", help="The tokens: never their secret, only its first characters."
        )
        listing.add_argument("--json", action="store_true", help="A JSON array, for scripts.")
        listing.add_argument(
            "--state",
            choices=[state.value for state in SCIMToken.State],
            help="Only the tokens in this state.",
        )

        revoke = actions.add_parser("revoke", help="Revoke tokens: they stop working at once.")
        revoke.add_argument("tokens", nargs="+", metavar="TOKEN", help="An id or a prefix.")

        rotate = actions.add_parser(
            "rotate",
            help="Replace a token by a new one with the same name, tenant, user and "
            "lifetime; print the new key once and revoke the old token.",
        )
        rotate.add_argument("token", metavar="TOKEN", help="An id or a prefix.")
        rotate.add_argument(
            "--grace",
            help="Keep the old token working for this long (e.g. 24h, 7d) while the "
            "identity provider is given the new one; it then expires.",
        )
        rotate.add_argument(
            "--expires",
            help="When the new token expires ('never', a duration such as 90d, or an ISO "
            "8601 date or time); by default, after as long as the old token's lifetime.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self.list_tokens(json_output=options["json"], state=options["state"])
        elif action == "revoke":
            self.revoke_tokens(options["tokens"])
        else:
            self.rotate_token(options["token"], grace=options["grace"], expires=options["expires"])

    # -- list ------------------------------------------------------------------------------

    def list_tokens(self, json_output: bool, state: str | None) -> None:
        now = timezone.now()
        tokens = [
            token
            for token in SCIMToken.objects.select_related("tenant_type", "user").order_by("pk")
            if state is None or token.get_state(now) == state
        ]
        if json_output:
            self.stdout.write(json.dumps([self.as_json(token, now) for token in tokens], indent=2))
            return
        if not tokens:
            self.stderr.write("No SCIM tokens." if state is None else f"No {state} SCIM tokens.")
            return
        header = ["ID", "NAME", "PREFIX", "TENANT", "USER", "CREATED", "LAST USED", "EXPIRES"]
        rows = [[*header, "STATE"]]
        rows.extend(self.as_row(token, now) for token in tokens)
        self.stdout.write(_table(rows))

    def as_json(self, token: SCIMToken, now: datetime.datetime) -> dict[str, Any]:
        """One token for ``list --json``: everything but the key and its digest."""
        return {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "tenant": token.tenant_label or None,
            "user": token.user.get_username() if token.user is not None else None,
            "created": _iso(token.created),
            "last_used": _iso(token.last_used),
            "expires": _iso(token.expires),
            "revoked": _iso(token.revoked),
            "state": token.get_state(now).value,
        }

    def as_row(self, token: SCIMToken, now: datetime.datetime) -> list[str]:
        return [
            str(token.pk),
            token.name,
            token.prefix,
            token.tenant_label or "-",
            token.user.get_username() if token.user is not None else "-",
            _short(token.created, "-"),
            _short(token.last_used, "never"),
            _short(token.expires, "never"),
            token.get_state(now).value,
        ]

    # -- revoke ----------------------------------------------------------------------------

    def revoke_tokens(self, values: Iterable[str]) -> None:
        # Every name is resolved before anything is revoked: a typo revokes nothing.
        tokens = [find_token(value) for value in values]
        for token in tokens:
            if token.revoked is not None:
                raise CommandError(
                    f"{_describe(token)} was already revoked on {_short(token.revoked, '')}."
                )
        with transaction.atomic():
            for token in tokens:
                token.revoke()
        for token in tokens:
            self.stdout.write(f"Revoked {_describe(token)}.")

    # -- rotate ----------------------------------------------------------------------------

    def rotate_token(self, value: str, grace: str | None, expires: str | None) -> None:
        now = timezone.now()
        grace_period = parse_duration(grace, "--grace") if grace is not None else None
        try:
            grace_ends = now + grace_period if grace_period else None
        except OverflowError as exc:
            raise CommandError(f"--grace: {grace!r} is too long.") from exc
        new_expires = parse_expires(expires, now) if expires is not None else None
        old = find_token(value)
        if old.revoked is not None:
            raise CommandError(
                f"{_describe(old)} was revoked on {_short(old.revoked, '')}; "
                "issue a new token with create_scim_token."
            )
        if expires is None and old.expires is not None:
            # The same lifetime as the old token: a 90-day token is replaced by a 90-day one.
            new_expires = now + (old.expires - old.created)
        with transaction.atomic():
            new = SCIMToken(
                name=old.name,
                tenant_type=old.tenant_type,
                tenant_id=old.tenant_id,
                user_id=old.user_id,
                expires=new_expires,
            )
            key = new.set_key()
            new.save()
            if grace_ends is not None:
                if old.expires is None or old.expires > grace_ends:
                    old.expires = grace_ends
                    old.save(update_fields=["expires"])
                fate = f"keeps working until {_short(old.expires, '')}, then expires"
            else:
                old.revoke()
                fate = "is revoked"
        lifetime = f", expires {_short(new.expires, '')}" if new.expires else ""
        self.stderr.write(
            f"Created {_describe(new)}{lifetime}; the old token {_describe(old)} {fate}. "
            "Store the new token now: it cannot be shown again."
        )
        self.stdout.write(key)
