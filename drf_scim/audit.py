"""The audit log: every SCIM write recorded as a :class:`~drf_scim.models.SCIMEvent`.

Fed by the signals of :mod:`drf_scim.signals`; switched off with ``AUDIT_LOG: False``.
Values of the attributes named in ``AUDIT_SCRUB_ATTRIBUTES`` (``password`` by default)
are never stored.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError, UnsupportedMediaType

from .exceptions import PayloadTooLarge
from .models import SCIMEvent, SCIMToken
from .settings import scim_settings

__all__ = ["SCRUBBED", "record_event", "scrub"]

SCRUBBED = "[scrubbed]"


def scrub(data: Any, names: frozenset[str] | None = None) -> Any:
    """A copy of ``data`` with the values of secret attributes replaced, at any depth.

    NUL characters are replaced too: PostgreSQL cannot store them in JSON, and a request
    rejected for containing one must still be recorded.
    """
    if names is None:
        names = frozenset(name.lower() for name in scim_settings.AUDIT_SCRUB_ATTRIBUTES)
    if isinstance(data, dict) and _names_secret(data, names):
        # A PATCH operation whose path is a secret: {"op": ..., "path": "password", ...}
        return {
            key: SCRUBBED if key.lower() == "value" else scrub(value, names)
            for key, value in data.items()
        }
    if isinstance(data, dict):
        return {
            scrub(key, names): SCRUBBED
            if isinstance(key, str) and key.lower().rpartition(":")[2] in names
            else scrub(value, names)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [scrub(item, names) for item in data]
    if isinstance(data, str):
        return data.replace("\x00", "\ufffd")
    return data


def _names_secret(operation: dict[Any, Any], names: frozenset[str]) -> bool:
    path = next((v for k, v in operation.items() if str(k).lower() == "path"), None)
    if not isinstance(path, str):
        return False
    attribute = path.lower().split("[", 1)[0].rpartition(":")[2].split(".", 1)[0]
    return attribute in names


def record_event(
    *,
    request: Any,
    operation: str,
    resource_type: str,
    resource_id: str = "",
    status: int,
    detail: str = "",
    **kwargs: Any,
) -> None:
    """Store one event; connected to ``post_operation`` and ``operation_failed``."""
    if not scim_settings.AUDIT_LOG:
        return
    token = request.auth if isinstance(request.auth, SCIMToken) else None
    payload = None
    if request.method in ("POST", "PUT", "PATCH"):
        try:
            payload = request.data
        except (ParseError, UnsupportedMediaType, PayloadTooLarge):
            payload = None  # the body could not be read: that is why the request failed
    SCIMEvent.objects.create(
        operation=operation,
        resource_type=resource_type,
        resource_id=resource_id or "",
        status=status,
        token=token,
        payload=scrub(payload) if isinstance(payload, dict) else None,
        detail=detail,
    )
