"""Attribute characteristics of RFC 7643 §2.2 and §2.3, as enums.

The values are the exact strings the RFC puts on the wire in ``/Schemas``.
"""

from __future__ import annotations

import enum

__all__ = ["AttributeType", "Mutability", "Returned", "Uniqueness"]


class AttributeType(str, enum.Enum):
    """Data types, RFC 7643 §2.3."""

    STRING = "string"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATETIME = "dateTime"
    BINARY = "binary"
    REFERENCE = "reference"
    COMPLEX = "complex"


class Mutability(str, enum.Enum):
    """When an attribute may be written, RFC 7643 §2.2 "mutability"."""

    READ_ONLY = "readOnly"
    READ_WRITE = "readWrite"
    IMMUTABLE = "immutable"
    WRITE_ONLY = "writeOnly"


class Returned(str, enum.Enum):
    """When an attribute is returned, RFC 7643 §2.2 "returned"."""

    ALWAYS = "always"
    NEVER = "never"
    DEFAULT = "default"
    REQUEST = "request"


class Uniqueness(str, enum.Enum):
    """How unique a value is, RFC 7643 §2.2 "uniqueness"."""

    NONE = "none"
    SERVER = "server"
    GLOBAL = "global"
