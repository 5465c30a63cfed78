"""The one place where identity providers' dialects become RFC 7643 shapes.

RFC 7644 is strict; real clients are not. Every accommodation drf-scim makes for a client
lives here, with the client that needs it, and is skipped when the ``STRICT`` setting is
true. The RFC's own leniencies (attribute names are case-insensitive, RFC 7643 §2.1;
read-only attributes in a request are ignored, RFC 7644 §3.5.1) are not dialects: they are
applied in :mod:`drf_scim.validation` whatever ``STRICT`` says.

Accepted dialects:

* Booleans as strings: ``"True"``, ``"false"`` (Microsoft Entra ID).
* Numbers for string attributes, e.g. ``"employeeNumber": 1234`` (Entra ID, JumpCloud),
  and numeric strings for integer or decimal attributes.
* A single value where a multi-valued attribute is expected, e.g. ``"emails": {...}``.
* A bare string for a complex attribute with a ``value`` sub-attribute, e.g. ``"manager":
  "26118915"`` (Entra ID), read as ``{"value": "26118915"}``.
* Extension attributes as URN-qualified top-level keys, e.g.
  ``"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"``
  (Entra ID), read as if nested under the extension's URN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "as_complex",
    "as_list",
    "coerce_boolean",
    "coerce_decimal",
    "coerce_integer",
    "coerce_string",
    "nest_qualified_keys",
]


def coerce_boolean(value: Any) -> Any:
    """``"True"``/``"False"`` in any case become booleans (Entra ID)."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def coerce_string(value: Any) -> Any:
    """Numbers become their decimal text (Entra ID, JumpCloud)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def coerce_integer(value: Any) -> Any:
    """Numeric strings such as ``"42"`` become integers."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,30}", text):
            return int(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def coerce_decimal(value: Any) -> Any:
    """Numeric strings such as ``"4.5"`` become numbers."""
    if isinstance(value, str) and len(value) <= 60:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        if number.is_finite():
            return float(number)
    return value


def as_list(value: Any) -> Any:
    """A single value where a list is expected becomes a one-element list."""
    return value if isinstance(value, list) else [value]


def as_complex(value: Any, has_value_sub_attribute: bool) -> Any:
    """A bare string for a complex attribute becomes ``{"value": ...}`` (Entra ID ``manager``)."""
    if has_value_sub_attribute and isinstance(value, (str, int)) and not isinstance(value, bool):
        return {"value": value}
    return value


def nest_qualified_keys(data: dict[str, Any], extension_ids: Iterable[str]) -> dict[str, Any]:
    """Move ``"<extension URN>:<attribute>"`` keys under the extension's own key (Entra ID)."""
    prefixes = {urn.lower() + ":": urn for urn in extension_ids}
    if not any(key.lower().startswith(tuple(prefixes)) for key in data):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        for prefix, urn in prefixes.items():
            if key.lower().startswith(prefix):
                target = next((k for k in result if k.lower() == urn.lower()), urn)
                nested = result.setdefault(target, {})
                if isinstance(nested, dict):
                    nested[key[len(prefix) :]] = value
                break
        else:
            if isinstance(value, dict) and key.lower() in {u.lower() for u in prefixes.values()}:
                target = next((k for k in result if k.lower() == key.lower()), key)
                existing = result.setdefault(target, {})
                if isinstance(existing, dict):
                    existing.update(value)
                    continue
            result[key] = value
    return result
