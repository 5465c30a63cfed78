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
* A single value where a multi-valued attribute is expected, e.g. ``"emails": {...}``,
  and a one-element list where a single value is expected, e.g. ``"manager":
  [{"value": "26118915"}]`` (Entra ID's sample code).
* A bare string for a complex attribute with a ``value`` sub-attribute, e.g. ``"manager":
  "26118915"`` (Entra ID), read as ``{"value": "26118915"}``.
* Extension attributes as URN-qualified top-level keys, e.g.
  ``"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"``
  (Entra ID), read as if nested under the extension's URN.

PATCH (RFC 7644 §3.5.2; applied by :mod:`drf_scim.patch`):

* Capitalised operation names, ``"Replace"``, ``"Add"``, ``"Remove"`` (Entra ID).
* Path-less values with dotted or URN-qualified keys, ``{"name.givenName": "x"}``
  (Entra ID), read as operations on those paths.
* ``remove`` of a multi-valued attribute with a ``value`` listing the values to remove,
  ``{"op": "remove", "path": "members", "value": [{"value": "<id>"}]}`` (Entra ID,
  JumpCloud), read as ``members[value eq "<id>"]``.

docs/architecture/patch.md lists each with its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .definitions import Attribute
from .filter_language import And, AttributePath, Comparison, Filter, Or

__all__ = [
    "as_complex",
    "as_list",
    "as_single",
    "coerce_boolean",
    "coerce_decimal",
    "coerce_integer",
    "coerce_string",
    "nest_qualified_keys",
    "patch_op_name",
    "path_keys",
    "values_filter",
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


def as_single(value: Any) -> Any:
    """A one-element list where a single value is expected becomes that value.

    Entra ID's sample code sets ``manager`` as ``[{"$ref": ..., "value": "<id>"}]``.
    """
    return value[0] if isinstance(value, list) and len(value) == 1 else value


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


def patch_op_name(value: Any) -> Any:
    """``"Replace"``, ``"Add"``, ``"Remove"`` become lower case (Microsoft Entra ID).

    Entra's SCIM tutorial: "Microsoft Entra ID emits the values of op as Add, Replace,
    and Remove"; RFC 7644 §3.5.2 spells them in lower case.
    """
    return value.strip().lower() if isinstance(value, str) else value


def path_keys(
    value: dict[str, Any], is_attribute: Callable[[str], bool]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a path-less PATCH value into attribute keys and keys that may be paths.

    Entra ID (with its ``aadOptscim062020`` flag) sends ``{"op": "replace", "value":
    {"name.givenName": "x", "urn:...:enterprise:2.0:User:employeeNumber": "y"}}``; RFC 7644
    §3.5.2.3 only puts attribute names (and extension URNs, RFC 7643 §3.3) there.
    ``is_attribute`` says which keys are attribute names or extension URNs; ``schemas``
    stays with them.
    """
    plain: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key)
        if is_attribute(name) or name.lower() == "schemas":
            plain[name] = item
        else:
            paths[name] = item
    return plain, paths


def values_filter(values: list[Any], attribute: Attribute) -> Filter | None:
    """A value filter matching each of ``values``: ``value eq "a" or value eq "b"``.

    Entra ID's default group-member removal is ``{"op": "Remove", "path": "members",
    "value": [{"value": "<id>"}]}`` (JumpCloud's too, by integrators' accounts). RFC 7644
    §3.5.2.2 defines no ``value`` for remove, and the path alone would empty the group;
    the filter turns it into the RFC's ``members[value eq "<id>"]``.

    A value is matched by its ``value`` sub-attribute when it has one, else by all the
    known sub-attributes given. Returns ``None`` when a value cannot be a filter.
    """
    terms: list[Filter] = []
    for item in values:
        term = _value_condition(item, attribute)
        if term is None:
            return None
        terms.append(term)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def _filter_literal(value: Any) -> tuple[bool, Any]:
    if isinstance(value, (str, bool, int)):
        return True, value
    if isinstance(value, float):
        return True, Decimal(repr(value))
    return False, None


def _value_condition(item: Any, attribute: Attribute) -> Filter | None:
    if isinstance(item, dict) and not attribute.is_complex:
        item = next((v for k, v in item.items() if str(k).lower() == "value"), None)
    if not isinstance(item, dict):
        ok, literal = _filter_literal(item)
        return Comparison(AttributePath("value"), "eq", literal) if ok else None
    given = {str(k).lower(): v for k, v in item.items() if v is not None}
    if "value" in given and attribute.get("value") is not None:
        given = {"value": given["value"]}
    terms: list[Filter] = []
    for name, raw in given.items():
        sub = attribute.get(name)
        ok, literal = _filter_literal(raw)
        if sub is None:
            continue
        if not ok:
            return None
        terms.append(Comparison(AttributePath(sub.name), "eq", literal))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(tuple(terms))
