"""Bearer-token authentication for identity providers (RFC 7644 §2, RFC 6750).

Create a token with ``python manage.py create_scim_token NAME`` and paste it into the
identity provider as its "secret token"; ``manage.py scim_tokens`` lists, revokes and
rotates them (docs/api-guide/authentication.md). A revoked or expired token is a 401.

Any DRF authentication class can replace this one through the ``AUTHENTICATION_CLASSES``
setting; give it a ``scim_authentication_scheme`` dict to have it advertised in
/ServiceProviderConfig.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .models import SCIMToken
from .settings import scim_settings

__all__ = ["SCIMClient", "SCIMTokenAuthentication"]


class SCIMClient:
    """``request.user`` for a request authenticated by a token: the identity provider."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, token: SCIMToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"SCIM client {self.token.name}"


class SCIMTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a :class:`~drf_scim.models.SCIMToken`."""

    keyword = "Bearer"
    scim_authentication_scheme: ClassVar[dict[str, Any]] = {
        "type": "oauthbearertoken",
        "name": "OAuth Bearer Token",
        "description": "Authentication with a bearer token issued by the service provider.",
        "specUri": "https://www.rfc-editor.org/info/rfc6750",
        "primary": True,
    }

    def authenticate(self, request: Request) -> tuple[SCIMClient, SCIMToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Invalid token.") from exc
        # ``key_digest`` is unique: no ORDER BY (which ``first()`` adds) to compile.
        tokens = SCIMToken.objects.filter(key_digest=SCIMToken.digest(key), revoked__isnull=True)
        token = next(iter(tokens[:1]), None)
        if token is None:
            raise AuthenticationFailed("Invalid or revoked token.")
        # Checked here rather than in the query: the one indexed lookup stays the same,
        # and the identity provider's administrator learns why the token stopped working.
        if token.expires is not None and token.expires <= timezone.now():
            raise AuthenticationFailed("Expired token.")
        self.touch(token)
        return SCIMClient(token), token

    def touch(self, token: SCIMToken) -> None:
        """Record the token's use, at most once per ``TOKEN_LAST_USED_RESOLUTION`` seconds."""
        now = timezone.now()
        resolution = datetime.timedelta(seconds=scim_settings.TOKEN_LAST_USED_RESOLUTION)
        if token.last_used is None or now - token.last_used >= resolution:
            SCIMToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="SCIM"'
