"""The errors of drf-scim's pure core: one class per RFC 7644 §3.12 ``scimType`` it raises.

The filter language, PATCH paths, the PATCH engine and document validation work on plain
data and import neither Django nor DRF; they raise these. The DRF layer turns each into
the :mod:`drf_scim.exceptions` class of the same ``scimType`` (a subclass of it), so a view
or a signal receiver may raise either, and ``except InvalidValueError`` catches both.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "InvalidFilterError",
    "InvalidPathError",
    "InvalidSyntaxError",
    "InvalidValueError",
    "MutabilityError",
    "NoTargetError",
    "SCIMError",
]


class SCIMError(Exception):
    """A request the RFC says to refuse; ``scim_type`` is its RFC 7644 Table 9 keyword."""

    scim_type: str | None = None
    #: Every error here is a 400 (RFC 7644 §3.12, Table 9).
    status_code: int = 400
    #: What the client is told; ``Any`` so that DRF's exception classes can subclass these.
    detail: Any

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return str(self.detail or "")


class InvalidFilterError(SCIMError):
    """The filter is malformed or compares in a way the attribute does not allow (§3.4.2.2)."""

    scim_type = "invalidFilter"


class InvalidPathError(SCIMError):
    """The PATCH ``path`` is malformed or names no attribute (§3.5.2)."""

    scim_type = "invalidPath"


class InvalidSyntaxError(SCIMError):
    """The request body does not follow the message schema (§3.12)."""

    scim_type = "invalidSyntax"


class InvalidValueError(SCIMError):
    """A required value is missing or a value does not fit its attribute (§3.12)."""

    scim_type = "invalidValue"


class MutabilityError(SCIMError):
    """The request would change a readOnly or immutable attribute (RFC 7643 §2.2)."""

    scim_type = "mutability"


class NoTargetError(SCIMError):
    """The PATCH ``path`` matched nothing it could operate on (§3.5.2)."""

    scim_type = "noTarget"
