"""Settings for drf-scim, read from the ``DRF_SCIM`` dict in the Django settings.

For example::

    DRF_SCIM = {
        "USER_SERIALIZER": "myapp.scim.MyUserSerializer",
        "MAX_COUNT": 500,
    }

Every key has a default. Values naming a class are import strings, imported lazily and
cached; the cache is dropped when Django's ``setting_changed`` fires, so
``override_settings(DRF_SCIM=...)`` works in tests. Settings are never read at import time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

__all__ = ["DEFAULTS", "IMPORT_STRINGS", "SCIMSettings", "scim_settings"]

DEFAULTS: dict[str, Any] = {
    # Viewsets that ``SCIMRouter()`` registers when it is given none.
    "RESOURCE_VIEWSETS": ["drf_scim.viewsets.UserViewSet", "drf_scim.viewsets.GroupViewSet"],
    # The serializer that maps SCIM User attributes to your user model.
    "USER_SERIALIZER": "drf_scim.serializers.SCIMUserSerializer",
    # The serializer that maps SCIM Group attributes to DRF_SCIM_GROUP_MODEL (auth.Group).
    "GROUP_SERIALIZER": "drf_scim.serializers.SCIMGroupSerializer",
    # DRF authentication classes for every SCIM view. Each class may carry a
    # ``scim_authentication_scheme`` dict, advertised in /ServiceProviderConfig.
    "AUTHENTICATION_CLASSES": ["drf_scim.authentication.SCIMTokenAuthentication"],
    # DRF permission classes for every SCIM view.
    "PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Page size when the client sends no ``count`` (RFC 7644 §3.4.2.4).
    "DEFAULT_COUNT": 100,
    # Largest page served; advertised as ``filter.maxResults``.
    "MAX_COUNT": 1000,
    # How a list is paginated when the request names no method (neither ``startIndex`` nor
    # ``cursor``): "index" (RFC 7644 §3.4.2.4) or "cursor" (RFC 9865). Advertised as
    # ``pagination.defaultPaginationMethod``.
    "DEFAULT_PAGINATION_METHOD": "index",
    # Seconds a cursor stays valid after it is issued (RFC 9865 ``cursorTimeout``); older
    # cursors get 400 expiredCursor. None: cursors never expire.
    "CURSOR_TIMEOUT": 3600,
    # Largest request body accepted, in bytes; larger bodies get 413. /Bulk has its own.
    "MAX_PAYLOAD_SIZE": 1_048_576,
    # Most values a multi-valued attribute of a resource may hold (emails, roles...), and
    # so the most one request may give it; more get 400 invalidValue. Relations (Group
    # ``members`` of a ``groups`` many-to-many) are not limited; members kept as data are
    # values like others. None: no limit.
    "MAX_MULTI_VALUES": 1000,
    # Most operations in one PATCH request (RFC 7644 §3.5.2); more get 413 tooMany.
    "PATCH_MAX_OPERATIONS": 1000,
    # Most operations in one /Bulk request (RFC 7644 §3.7.4); advertised as
    # ``bulk.maxOperations``, more get 413 tooMany.
    "BULK_MAX_OPERATIONS": 1000,
    # Largest /Bulk request body, in bytes; advertised as ``bulk.maxPayloadSize``,
    # larger gets 413 tooMany.
    "BULK_MAX_PAYLOAD_SIZE": 1_048_576,
    # What DELETE does: "deactivate" (the safe default) sets ``active`` false and hides
    # the resource from SCIM, keeping the row and what the host links to it (RFC 7644
    # §3.6: 404 afterwards); "delete" removes the row, cascading to rows that reference it.
    "DELETE_MODE": "deactivate",
    # Whether SCIM may see and change superusers and staff (``is_superuser``/``is_staff``).
    # False: they are out of scope, 404 by id and absent from lists, filters and members.
    "PRIVILEGED_USERS_IN_SCOPE": False,
    # Whether SCIM may see and change groups that carry Django permissions, and so grant
    # those permissions by adding members. False: such groups are out of scope.
    "PERMISSION_GROUPS_IN_SCOPE": False,
    # What a successful PATCH answers: "resource" (200 with the resource) or "no-content"
    # (204), both allowed by RFC 7644 §3.5.2; one for all resource types, or a dict by
    # resource type ("resource" for those left out). A group's answer would list every
    # member; a request with ``attributes``/``excludedAttributes`` always gets 200.
    "PATCH_RESPONSE": {"User": "resource", "Group": "no-content"},
    # Record every write in the SCIMEvent table (listed in the Django admin).
    "AUDIT_LOG": True,
    # Attribute names whose values are replaced by "[scrubbed]" in audit payloads.
    "AUDIT_SCRUB_ATTRIBUTES": ["password"],
    # Link advertised as ``documentationUri`` in /ServiceProviderConfig.
    "DOCUMENTATION_URI": None,
    # Reject the IdP dialects the normalisation layer otherwise accepts (see
    # drf_scim.normalization): capitalised attribute names, "True"/"False" strings...
    "STRICT": False,
    # Longest filter accepted, in characters (RFC 7644 §3.4.2.2); longer gets invalidFilter.
    "FILTER_MAX_LENGTH": 10_000,
    # Deepest nesting of parentheses, not() and [] in a filter.
    "FILTER_MAX_DEPTH": 50,
    # Seconds between writes of a token's ``last_used`` time.
    "TOKEN_LAST_USED_RESOLUTION": 60,
}

IMPORT_STRINGS = frozenset(
    {
        "RESOURCE_VIEWSETS",
        "USER_SERIALIZER",
        "GROUP_SERIALIZER",
        "AUTHENTICATION_CLASSES",
        "PERMISSION_CLASSES",
    }
)


def _import(value: Any, key: str) -> Any:
    try:
        if isinstance(value, str):
            return import_string(value)
        if isinstance(value, (list, tuple)):
            return [import_string(item) if isinstance(item, str) else item for item in value]
    except ImportError as exc:
        msg = f"Could not import {value!r} for DRF_SCIM[{key!r}]: {exc}"
        raise ImportError(msg) from exc
    return value


class SCIMSettings:
    """Attribute access to the ``DRF_SCIM`` settings, with defaults and imports."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    @property
    def user_settings(self) -> dict[str, Any]:
        """The project's ``DRF_SCIM`` dict, as written (``{}`` when unset)."""
        return getattr(settings, "DRF_SCIM", None) or {}

    def __getattr__(self, key: str) -> Any:
        if key not in DEFAULTS:
            msg = f"Invalid drf-scim setting: {key!r}"
            raise AttributeError(msg)
        if key not in self._cache:
            value = self.user_settings.get(key, DEFAULTS[key])
            if key in IMPORT_STRINGS:
                value = _import(value, key)
            self._cache[key] = value
        return self._cache[key]

    def reload(self) -> None:
        """Drop the cached values; done on ``setting_changed`` for ``DRF_SCIM``."""
        self._cache.clear()


scim_settings = SCIMSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "DRF_SCIM":
        scim_settings.reload()


setting_changed.connect(_reload)
