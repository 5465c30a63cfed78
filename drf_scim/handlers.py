"""The SCIM exception handler: every error becomes an RFC 7644 §3.12 Error body.

It is installed on the SCIM views through ``get_exception_handler()``, so the host
project's ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` stays as it is. Exceptions it does not
know are left to propagate, so the host's error reporting still sees real bugs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .constants import ERROR_SCHEMA
from .errors import SCIMError
from .exceptions import (
    InvalidFilter,
    InvalidPath,
    InvalidSyntax,
    InvalidValue,
    Mutability,
    NoTarget,
    ResourceNotFound,
    SCIMAPIException,
)

__all__ = ["error_response", "scim_exception_handler"]


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """Turn DRF's nested ``ValidationError.detail`` into "path: message" lines."""
    if isinstance(detail, dict):
        lines: list[str] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else f"{prefix}{key}"
            lines.extend(_flatten(value, f"{name}." if name else ""))
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    label = prefix.rstrip(".")
    return [f"{label}: {detail}" if label else str(detail)]


#: The DRF exception for each error of the pure core (:mod:`drf_scim.errors`).
_FROM_CORE: dict[str | None, type[SCIMAPIException]] = {
    cls.scim_type: cls
    for cls in (InvalidFilter, InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget)
}


def _to_scim(exc: Exception) -> Exception:
    if isinstance(exc, SCIMAPIException):
        return exc
    if isinstance(exc, SCIMError):
        return _FROM_CORE.get(exc.scim_type, SCIMAPIException)(exc.detail)
    if isinstance(exc, Http404):
        return ResourceNotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return InvalidValue("; ".join(_flatten(exc.detail)))
    if isinstance(exc, exceptions.ParseError):
        return InvalidSyntax(exc.detail)
    if isinstance(exc, exceptions.NotFound):
        return ResourceNotFound(exc.detail)
    return exc


def error_response(
    status_code: int,
    detail: str,
    scim_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build an RFC 7644 §3.12 Error response; ``status`` is a string, as the RFC shows."""
    data: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status_code)}
    if scim_type:
        data["scimType"] = scim_type
    data["detail"] = detail
    return Response(data, status=status_code, headers=headers)


def scim_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Return a SCIM Error response for ``exc``, or ``None`` to let it propagate."""
    converted = _to_scim(exc)
    if not isinstance(converted, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    auth_header = getattr(converted, "auth_header", None) or getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(converted, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    detail = converted.detail
    text = "; ".join(_flatten(detail)) if isinstance(detail, (dict, list)) else str(detail)
    return error_response(
        converted.status_code, text, getattr(converted, "scim_type", None), headers or None
    )
