"""Comparable forms of attribute values: what filters and sorting compare in the database.

RFC 7644 §3.4.2.2 compares strings ignoring case unless the attribute is ``caseExact``,
and dateTimes as instants. Databases disagree on both (SQLite's ``lower()`` folds ASCII
only; MariaDB's default collations also ignore accents), so drf-scim stores, beside each
resource, a *search document*: the same attributes with every value in a comparable form,
written in Python on save. Filters compare against it with the literal put through the
same function, which makes the answers identical on SQLite, PostgreSQL and MariaDB.

* strings (and references, binary) that are not ``caseExact`` are ``str.casefold()``-ed;
* dateTimes become fixed-width UTC text, ``2010-01-23T04:56:22.000000Z``, so that text
  order is time order;
* booleans and numbers stay as they are.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from .characteristics import STRING_TYPES, AttributeType, Mutability, Returned
from .definitions import Attribute

__all__ = [
    "KEY_LENGTH",
    "comparable",
    "index_key",
    "is_searchable",
    "parse_instant",
    "search_document",
]

# xsd:dateTime (RFC 7643 §2.3.5): a date, "T", a time, an optional zone. Years have four
# digits (Python's datetime has no others); fractions beyond microseconds are dropped.
_XSD_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?\Z",
    re.ASCII,
)

#: Length of the indexed prefix of a value (``value_key``): MariaDB indexes at most 3072
#: bytes, and 191 utf8mb4 characters fit any row format.
KEY_LENGTH = 191


def comparable(attribute: Attribute, value: Any) -> Any:
    """The form of ``value`` that the database compares, for ``attribute``."""
    if value is None:
        return None
    kind = attribute.type
    if kind is AttributeType.DATETIME:
        return _instant(value)
    if kind in STRING_TYPES:
        text = str(value)
        return text if attribute.case_exact else text.casefold()
    return value


def parse_instant(value: Any) -> datetime.datetime | None:
    """An aware datetime from an xsd:dateTime string (UTC when it has no offset), or None."""
    moment = value if isinstance(value, datetime.datetime) else None
    if moment is None and isinstance(value, str):
        moment = _parse_xsd_datetime(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    try:
        return moment.astimezone(datetime.timezone.utc)
    except OverflowError:  # year 1 or 9999 moved past the calendar by its offset
        return None


def _parse_xsd_datetime(text: str) -> datetime.datetime | None:
    """An xsd:dateTime string as a datetime (naive when it has no zone), or ``None``.

    Works the same on every Python version: ``datetime.fromisoformat`` takes other forms
    (a space for ``T``, a bare date, ``+0100``) from Python 3.11 on.
    """
    match = _XSD_DATETIME.match(text)
    if match is None:
        return None
    *fields, fraction, zone = match.groups()
    microsecond = int((fraction or "")[:6].ljust(6, "0"))
    try:
        zone_info = None
        if zone == "Z":
            zone_info = datetime.timezone.utc
        elif zone is not None:
            minutes = int(zone[1:3]) * 60 + int(zone[4:6])
            offset = datetime.timedelta(minutes=-minutes if zone[0] == "-" else minutes)
            zone_info = datetime.timezone(offset)  # ValueError from 24 hours on
        year, month, day, hour, minute, second = (int(field) for field in fields)
        return datetime.datetime(
            year, month, day, hour, minute, second, microsecond, tzinfo=zone_info
        )
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


def _instant(value: Any) -> str | None:
    moment = parse_instant(value)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def index_key(attribute: Attribute, value: Any) -> str | None:
    """The indexed prefix of a value's comparable form (``UserValue.value_key``)."""
    form = comparable(attribute, value)
    if form is None or isinstance(form, bool):
        return None if form is None else str(form).lower()
    return str(form)[:KEY_LENGTH]


def is_searchable(attribute: Attribute) -> bool:
    """Secrets (``password``: writeOnly, returned never) are never copied, let alone searched."""
    return attribute.mutability is not Mutability.WRITE_ONLY and (
        attribute.returned is not Returned.NEVER
    )


def search_document(attribute: Attribute | None, data: Any, children: Any = None) -> Any:
    """The comparable form of a whole (complex) value, following the schema.

    ``children`` is the list of attribute definitions for a top-level document (a schema's
    attributes); otherwise ``attribute``'s sub-attributes are used.
    """
    if isinstance(data, dict):
        definitions = (
            children
            if children is not None
            else (attribute.sub_attributes if attribute is not None else ())
        )
        by_name = {d.name: d for d in definitions}
        result = {}
        for key, value in data.items():
            definition = by_name.get(key)
            if definition is None or not is_searchable(definition):
                continue
            if definition.multi_valued and children is not None:
                continue  # top-level multi-valued attributes live in the values table
            result[key] = search_document(definition, value)
        return result
    if attribute is None:
        return None
    return comparable(attribute, data)
