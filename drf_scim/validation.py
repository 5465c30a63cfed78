"""Validation of request documents against the schema definitions (RFC 7643 §2, §3).

:func:`validate_document` turns a request body into a clean SCIM document: attribute
names in their canonical case (RFC 7643 §2.1), extension attributes nested under their
schema URN, values checked against their type, read-only attributes and ``null`` values
dropped (RFC 7644 §3.3, §3.5.1), required attributes enforced. Unless ``strict``, the
dialects of real clients are first read by :func:`drf_scim.normalization.normalize_document`
(or :func:`~drf_scim.normalization.normalize_value` for one value); the checks in this
module are strict and hold no dialect.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, cast

from . import normalization
from .characteristics import STRING_TYPES, AttributeType, Mutability
from .comparisons import is_present
from .definitions import Attribute, ResourceSchemas, Schema
from .errors import InvalidSyntaxError, InvalidValueError, MutabilityError
from .indexing import parse_instant

__all__ = [
    "ResourceSchemas",
    "check_immutable",
    "check_value_count",
    "count_values",
    "validate_document",
    "validate_value",
]


def _fail(path: str, message: str) -> InvalidValueError:
    return InvalidValueError(f"{path}: {message}")


def _check_string(value: str, path: str) -> str:
    if "\x00" in value:
        raise _fail(path, "must not contain NUL characters.")
    return value


def _text(kind: AttributeType, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {type(value).__name__}.")
    _check_string(value, path)
    if kind is AttributeType.DATETIME:
        if parse_instant(value) is None:
            raise _fail(path, "expected an xsd:dateTime such as 2010-01-23T04:56:22Z.")
    elif kind is AttributeType.BINARY:
        try:
            base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _fail(path, "expected base64-encoded binary data.") from exc
    return value


def _scalar(attribute: Attribute, value: Any, path: str) -> Any:
    kind = attribute.type
    if kind in STRING_TYPES or kind is AttributeType.DATETIME:
        text = _text(kind, value, path)
        if attribute.required and text and not text.strip():
            # "" is unassigned (RFC 7643 §2.5), left to the required checks; blanks are
            # no value either, for an attribute that must have one (§2.2).
            raise _fail(path, "is required and must not be blank.")
        return text
    if kind is AttributeType.BOOLEAN:
        if not isinstance(value, bool):
            raise _fail(path, "expected a boolean.")
        return value
    if kind is AttributeType.INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(path, "expected an integer.")
        return value
    if kind is AttributeType.DECIMAL:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _fail(path, "expected a number.")
        return value
    raise _fail(path, f"unsupported type {kind.value}.")  # pragma: no cover - all types above


def _complex(attribute: Attribute, value: Any, path: str) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        raise _fail(path, "expected a JSON object.")
    result: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub = attribute.get(key)
        if sub is None:
            raise InvalidSyntaxError(f"{path}: unknown sub-attribute {key!r}.")
        if sub.mutability is Mutability.READ_ONLY or sub_value is None:
            continue
        cleaned = _check_value(sub, sub_value, f"{path}.{sub.name}")
        if cleaned is not None:
            result[sub.name] = cleaned
    for sub in attribute.sub_attributes:
        if (
            sub.required
            and sub.mutability is not Mutability.READ_ONLY
            and not is_present(result.get(sub.name))
        ):
            raise _fail(f"{path}.{sub.name}", "is required.")
    return result or None


def _single(attribute: Attribute, value: Any, path: str) -> Any:
    if attribute.is_complex:
        return _complex(attribute, value, path)
    return _scalar(attribute, value, path)


def validate_value(attribute: Attribute, value: Any, path: str, strict: bool) -> Any:
    """Check one value of ``attribute`` and return it clean (``path`` names it in errors).

    Unless ``strict``, the value dialects are read first
    (:func:`drf_scim.normalization.normalize_value`); the check itself is strict: the
    type of RFC 7643 §2.3, known sub-attributes in their canonical case (RFC 7643 §2.1),
    read-only sub-attributes and ``null`` dropped, ``primary`` true once at most (§2.4),
    no empty or blank string for a required attribute or sub-attribute (§2.2, §2.5).
    """
    if not strict:
        value = normalization.normalize_value(attribute, value)
    return _check_value(attribute, value, path)


def _check_value(attribute: Attribute, value: Any, path: str) -> Any:
    if not attribute.multi_valued:
        if isinstance(value, list):
            raise _fail(path, "expected a single value, got a list.")
        return _single(attribute, value, path)
    if not isinstance(value, list):
        raise _fail(path, "expected a list of values.")
    items = []
    for index, item in enumerate(value):
        if item is None:
            continue
        cleaned = _single(attribute, item, f"{path}[{index}]")
        if cleaned is not None:
            items.append(cleaned)
    primaries = [item for item in items if isinstance(item, dict) and item.get("primary") is True]
    if len(primaries) > 1:
        raise _fail(path, "more than one value has primary set to true.")
    return items or None


def _attributes(
    schema: Schema | None,
    schemas: ResourceSchemas,
    data: dict[str, Any],
    prefix: str,
    errors: list[str],
) -> dict[str, Any]:
    """The clean attributes of ``data``; the ``invalidValue`` of each goes to ``errors``."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        attribute = schema.get(key) if schema else schemas.top_level(key)
        if attribute is None:
            if schema is None and key.lower() == "schemas":
                continue
            extension = schemas.extension(key) if schema is None else None
            if extension is None:
                raise InvalidSyntaxError(f"Unknown attribute {prefix}{key!r}.")
            if value is None:
                continue
            if not isinstance(value, dict):
                errors.append(str(_fail(extension.id, "expected a JSON object.")))
                continue
            result[extension.id] = _attributes(
                extension, schemas, value, f"{extension.id}:", errors
            )
            continue
        if attribute.mutability is Mutability.READ_ONLY or value is None:
            continue
        try:
            cleaned = _check_value(attribute, value, f"{prefix}{attribute.name}")
        except InvalidValueError as exc:
            errors.append(str(exc))
            continue
        if cleaned is not None:
            result[attribute.name] = cleaned
    return result


def _check_required(document: dict[str, Any], schemas: ResourceSchemas) -> None:
    for required in schemas.required_extensions:
        if not document.get(required):
            raise _fail(required, "this schema extension is required.")
    for urn, attribute in schemas.walk():
        if not attribute.required or attribute.mutability is Mutability.READ_ONLY:
            continue
        container = document if urn is None else document.get(urn)
        if container is None:
            continue  # an optional extension the client did not send
        if not is_present(container.get(attribute.name)):  # "" is unassigned (§2.5)
            name = attribute.name if urn is None else f"{urn}:{attribute.name}"
            raise _fail(name, "is required.")


def validate_document(
    data: dict[str, Any], schemas: ResourceSchemas, *, strict: bool = False
) -> dict[str, Any]:
    """Return the clean document for a POST or PUT body, or raise a SCIM error.

    Unless ``strict``, the body is first read from the IdP dialects by
    :func:`drf_scim.normalization.normalize_document`; it is then checked strictly:
    ``schemas`` is a list of strings (``invalidValue`` otherwise) that lists the core
    schema, every attribute is known (RFC 7643 §3) and its value fits it, required
    attributes and extensions are there (RFC 7643 §2.2): a required string that is empty
    or blank is missing (RFC 7643 §2.5), ``invalidValue``.
    Read-only attributes are dropped (RFC 7644 §3.5.1).
    """
    if not strict:
        data = normalization.normalize_document(data, schemas)
    declared = data.get("schemas")
    if declared is not None and (
        not isinstance(declared, list) or not all(isinstance(urn, str) for urn in declared)
    ):
        raise _fail("schemas", "expected a list of schema URNs (RFC 7643 §3).")
    if not isinstance(declared, list) or schemas.core.id not in declared:
        raise InvalidSyntaxError(f"'schemas' must list {schemas.core.id}.")
    errors: list[str] = []
    document = _attributes(None, schemas, data, "", errors)
    if errors:  # every attribute that is wrong, in one answer
        raise InvalidValueError(" ".join(errors))
    for urn in [key for key, value in document.items() if key.startswith("urn:") and not value]:
        del document[urn]
    _check_required(document, schemas)
    return document


def too_many_values(total: int, limit: int) -> InvalidValueError:
    """The error of a resource given more than ``limit`` values in its multi-valued attributes."""
    return InvalidValueError(
        f"The resource would hold {total} values in its multi-valued attributes, more than "
        f"the {limit} this service provider keeps."
    )


def count_values(data: Any, schemas: ResourceSchemas, exempt: frozenset[str] = frozenset()) -> int:
    """How many values the multi-valued attributes of ``data`` hold.

    ``data`` is a document as sent (names in any case) or as validated; the attributes
    named in ``exempt`` (lower case: relations such as Group ``members``) are left out.
    Only list lengths are read, so an oversized body costs nothing to count.
    """
    if not isinstance(data, dict):
        return 0
    total = 0
    for key, value in data.items():
        name = str(key)
        extension = schemas.extension(name) if name.lower().startswith("urn:") else None
        if extension is not None:
            if isinstance(value, dict):
                total += sum(
                    len(sub_value)
                    for sub_key, sub_value in value.items()
                    if isinstance(sub_value, list) and _multi_valued(extension.get(str(sub_key)))
                )
            continue
        attribute = schemas.top_level(name)
        if (
            isinstance(value, list)
            and _multi_valued(attribute)
            and cast(Attribute, attribute).name.lower() not in exempt
        ):
            total += len(value)
    return total


def _multi_valued(attribute: Attribute | None) -> bool:
    return attribute is not None and attribute.multi_valued


def check_value_count(
    data: Any,
    schemas: ResourceSchemas,
    limit: int | None,
    exempt: frozenset[str] = frozenset(),
    stored: int = 0,
) -> None:
    """Refuse ``data`` if its multi-valued attributes hold more than ``limit`` values.

    ``stored`` is the count of the resource as stored: a resource stored with more values
    than today's limit may be changed as long as it does not grow.
    """
    if limit is None:
        return
    total = count_values(data, schemas, exempt)
    if total > max(limit, stored):
        raise too_many_values(total, limit)


def check_immutable(current: dict[str, Any], new: dict[str, Any], schemas: ResourceSchemas) -> None:
    """RFC 7644 §3.5.1: a PUT may not change an immutable attribute that has a value."""
    for urn, attribute in schemas.walk():
        old_container = current if urn is None else current.get(urn) or {}
        new_container = new if urn is None else new.get(urn) or {}
        name = attribute.name
        if (
            attribute.mutability is Mutability.IMMUTABLE
            and name in old_container
            and new_container.get(name) != old_container[name]
        ):
            raise MutabilityError(f"{name} is immutable.")
