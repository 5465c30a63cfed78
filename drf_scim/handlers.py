"""The SCIM exception handler: every error becomes an RFC 7644 §3.12 Error body.

It is installed on the SCIM views through ``get_exception_handler()``, so the host
project's ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` stays as it is.

An exception it does not know is a bug: the client still gets a SCIM Error, a ``500``
whose detail says nothing of the exception (RFC 7644 §3.12 defines no other body), and
the host's error reporting sees the exception as Django would have shown it: Django's
``got_request_exception`` signal is sent (Sentry and the test client listen to it) and
it is logged on the ``django.request`` logger with its traceback (``mail_admins`` and
the like). With ``DEBUG_PROPAGATE_EXCEPTIONS`` it propagates instead, as in Django.
"""

from __future__ import annotations

import logging
from collections.abc import ItemsView
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404
from django.views.debug import SafeExceptionReporterFilter
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

__all__ = [
    "UNEXPECTED_DETAIL",
    "SCIMExceptionReporterFilter",
    "error_response",
    "report_exception",
    "scim_exception_handler",
]

logger = logging.getLogger("django.request")

#: The detail of the 500 answered for an unexpected exception: nothing of the exception
#: itself reaches the client (its message may hold anything, secrets included).
UNEXPECTED_DETAIL = "The service provider could not complete the request."


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


class SCIMExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter for error reports, showing no frame's local variables.

    The frames of a SCIM request hold its body, passwords included (RFC 7643 §4.1.1: never
    returned), in variables no ``@sensitive_variables`` could list. ``request.META`` is
    cleansed as Django does (``Authorization``, the bearer token, is hidden).
    """

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        return {}.items()


def report_exception(exc: Exception, context: dict[str, Any], response: Response) -> None:
    """Tell the host's error reporting about ``exc``, as Django does for a view's exception.

    Sends ``got_request_exception`` and logs the exception, with its traceback, on the
    ``django.request`` logger; ``response`` is marked logged, so that Django does not log
    it a second time without the traceback. Unless the request has a filter of its own,
    reports (``mail_admins``, the debug page) use :class:`SCIMExceptionReporterFilter`.
    """
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    if django_request is not None and not hasattr(django_request, "exception_reporter_filter"):
        django_request.exception_reporter_filter = SCIMExceptionReporterFilter()
    got_request_exception.send(sender=None, request=django_request)
    logger.error(
        "Internal Server Error: %s",
        str(getattr(django_request, "path", "")).encode("unicode_escape").decode("ascii"),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": django_request},
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log


def scim_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Return a SCIM Error response for ``exc``.

    An exception that is no SCIM, DRF or Django HTTP error answers a ``500`` and is
    reported (:func:`report_exception`) unless ``context["report"]`` is false: a write
    asks the handler what the client will be answered, to audit it, without reporting
    the exception twice. Returns ``None`` (the exception propagates) only with Django's
    ``DEBUG_PROPAGATE_EXCEPTIONS``.
    """
    converted = _to_scim(exc)
    if not isinstance(converted, exceptions.APIException):
        if settings.DEBUG_PROPAGATE_EXCEPTIONS:
            return None
        set_rollback()
        response = error_response(500, UNEXPECTED_DETAIL)
        if context.get("report", True):
            report_exception(exc, context, response)
        return response
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
