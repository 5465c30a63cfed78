"""SCIM errors: one class per ``scimType`` of RFC 7644 §3.12, Table 9 (and RFC 9865 §2.1).

Raise them from views, serializers or signal receivers; the SCIM exception handler turns
them into an Error body with the matching HTTP status.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException

from . import errors

__all__ = [
    "ExpiredCursor",
    "InvalidCursor",
    "InvalidFilter",
    "InvalidPath",
    "InvalidSyntax",
    "InvalidValue",
    "InvalidVersion",
    "Mutability",
    "NoTarget",
    "NotImplementedByProvider",
    "PayloadTooLarge",
    "PreconditionFailed",
    "ResourceNotFound",
    "SCIMAPIException",
    "Sensitive",
    "TooMany",
    "Uniqueness",
]


class SCIMAPIException(APIException):
    """Base class for SCIM errors; ``scim_type`` is the RFC 7644 Table 9 keyword, if any."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_detail = "The request is not valid."
    default_code = "invalid"
    scim_type: str | None = None


class InvalidFilter(SCIMAPIException, errors.InvalidFilterError):
    """The filter syntax is invalid or its attribute and comparison are unsupported (§3.4.2.2)."""

    default_detail = "The specified filter syntax was invalid."
    scim_type = "invalidFilter"


class TooMany(SCIMAPIException):
    """The filter yields more results than the server is willing to process (§3.4.2.4)."""

    default_detail = "The specified filter yields too many results."
    scim_type = "tooMany"


class Uniqueness(SCIMAPIException):
    """A value would break a uniqueness constraint, e.g. a duplicate ``userName`` (§3.3)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "One or more attribute values are already in use or are reserved."
    scim_type = "uniqueness"


class Mutability(SCIMAPIException, errors.MutabilityError):
    """The request would change a read-only or immutable attribute (RFC 7643 §2.2)."""

    default_detail = "The attempted modification is not compatible with the attribute's mutability."
    scim_type = "mutability"


class InvalidSyntax(SCIMAPIException, errors.InvalidSyntaxError):
    """The request body could not be parsed or violates the message schema (§3.12)."""

    default_detail = "The request body message structure was invalid."
    scim_type = "invalidSyntax"


class InvalidPath(SCIMAPIException, errors.InvalidPathError):
    """The PATCH ``path`` is invalid or names no attribute (§3.5.2)."""

    default_detail = "The path attribute was invalid or malformed."
    scim_type = "invalidPath"


class NoTarget(SCIMAPIException, errors.NoTargetError):
    """The PATCH ``path`` matched nothing (§3.5.2)."""

    default_detail = "The specified path did not yield an attribute or value to operate on."
    scim_type = "noTarget"


class InvalidValue(SCIMAPIException, errors.InvalidValueError):
    """A required value is missing or a value is not compatible with its type (§3.12)."""

    default_detail = "A required value was missing, or the value specified was not compatible."
    scim_type = "invalidValue"


class InvalidCursor(SCIMAPIException):
    """The ``cursor`` is not one the server issued for this query (RFC 9865 §2.1)."""

    default_detail = "The cursor is invalid; send an empty cursor to request the first page."
    scim_type = "invalidCursor"


class ExpiredCursor(SCIMAPIException):
    """The ``cursor`` is older than ``cursorTimeout`` (RFC 9865 §2.1)."""

    default_detail = "The cursor has expired; start again with an empty cursor."
    scim_type = "expiredCursor"


class InvalidVersion(SCIMAPIException):
    """The request asked for a SCIM protocol version that is not supported (§3.13)."""

    default_detail = "The specified SCIM protocol version is not supported."
    scim_type = "invalidVers"


class Sensitive(SCIMAPIException):
    """The request sent confidential data in the URI, e.g. a filter on a password (§7.5.2)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "The request cannot be completed because of sensitive information in the URI."
    scim_type = "sensitive"


class ResourceNotFound(SCIMAPIException):
    """The resource does not exist (§3.12)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Resource not found."
    default_code = "not_found"


class PreconditionFailed(SCIMAPIException):
    """The resource's version does not match ``If-Match`` (§3.14)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since the version given in If-Match."
    default_code = "precondition_failed"


class PayloadTooLarge(SCIMAPIException):
    """The request body exceeds ``MAX_PAYLOAD_SIZE`` (§3.12)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class NotImplementedByProvider(SCIMAPIException):
    """The service provider does not support the operation (§3.12: 501)."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = "The service provider does not support the requested operation."
    default_code = "not_implemented"
