"""Attribute characteristics of RFC 7643 §2.2 and §2.3, as enums.

The values are the exact strings the RFC puts on the wire in ``/Schemas``.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "CASE_EXACT_TYPES",
    "NUMBER_TYPES",
    "STRING_TYPES",
    "AttributeType",
    "Mutability",
    "Returned",
    "Uniqueness",
]


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


#: The types whose values are text: filtered with every operator, compared case-folded
#: unless ``caseExact`` (RFC 7644 §3.4.2.2). ``binary`` is base64 text (RFC 7643 §2.3.6).
STRING_TYPES: Final = frozenset(
    {AttributeType.STRING, AttributeType.REFERENCE, AttributeType.BINARY}
)
#: The text types that are always ``caseExact``: "A binary value is case exact" and "A
#: reference is case exact" (RFC 7643 §2.3.6, §2.3.7; erratum 6000). Their definitions
#: say ``caseExact: true`` whatever they were declared with, and filters compare them
#: exactly.
CASE_EXACT_TYPES: Final = frozenset({AttributeType.REFERENCE, AttributeType.BINARY})
#: The types compared as numbers (RFC 7643 §2.3.3, §2.3.4).
NUMBER_TYPES: Final = frozenset({AttributeType.INTEGER, AttributeType.DECIMAL})


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
