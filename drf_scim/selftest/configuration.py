"""What in the project's configuration explains a failed step: the ``attribute_map``.

For each attribute a request sends, the resource serializer's mappings
(:meth:`~drf_scim.serializers.SCIMResourceSerializer.get_mappings`) say where the value
goes. A value longer than its column's ``max_length`` is refused (``invalidValue``); a
column in ``protected_fields`` or a computed attribute drops the value. Attributes without
a mapping live in drf-scim's own tables and are neither truncated nor dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from drf_scim.characteristics import Mutability
from drf_scim.definitions import COMMON_ATTRIBUTES, ENTERPRISE_USER, GROUP, USER, Attribute
from drf_scim.mapping import MappedAttribute

from .flow import Flow

__all__ = ["Check", "configuration_checks", "describe_mapping", "hints_for", "sent_values"]

_FILTER = re.compile(r"\[[^\]]*\]")


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """``(attribute path, value)`` of each value a SCIM document holds."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            if key.lower().startswith("urn:") and isinstance(item, dict):
                yield from _flatten(item, key + ":")
            elif prefix and not prefix.endswith(":"):
                yield from _flatten(item, f"{prefix}.{key}")
            else:
                yield from _flatten(item, f"{prefix}{key}")
    elif isinstance(value, list):
        for item in value:
            # A multi-valued attribute's value: ``emails`` stands for its ``value``.
            inner = item.get("value") if isinstance(item, dict) else item
            if not isinstance(inner, (dict, list)):
                yield prefix, inner
    else:
        yield prefix, value


def sent_values(body: Any) -> Iterator[tuple[str, Any]]:
    """``(attribute path, value)`` of each value a POST, PUT or PATCH body sends.

    PATCH paths lose their value filter and a trailing ``.value``:
    ``emails[type eq "work"].value`` stands for ``emails``.
    """
    if not isinstance(body, dict):
        return
    operations = body.get("Operations")
    if not isinstance(operations, list):
        yield from _flatten(body, "")
        return
    for operation in operations:
        if not isinstance(operation, dict):
            continue
        path = operation.get("path")
        if isinstance(path, str) and path:
            path = _FILTER.sub("", path).removesuffix(".value")
            yield from _flatten(operation.get("value"), path)
        else:
            yield from _flatten(operation.get("value"), "")


def _field_name(mapping: MappedAttribute) -> str:
    if mapping.field is None:
        return "a computed value"
    return "`" + "__".join((*mapping.relation, mapping.field.name)) + "`"


def describe_mapping(mapping: MappedAttribute) -> str:
    """``name.givenName`` is mapped to ``first_name`` (max 150)."""
    max_length = getattr(mapping.field, "max_length", None)
    limit = f" (max {max_length})" if max_length else ""
    return f"`{mapping.scim_path}` is mapped to {_field_name(mapping)}{limit}"


def _find(mappings: tuple[MappedAttribute, ...], path: str) -> MappedAttribute | None:
    wanted = path.lower()
    for mapping in mappings:
        if mapping.scim_path.lower() == wanted:
            return mapping
    return None


def hints_for(
    serializer: Any, body: Any, idp: str, failed_pointers: tuple[str, ...] = ()
) -> list[str]:
    """What in ``serializer``'s mapping explains a failed step.

    ``failed_pointers`` are the JSON Pointers of the response whose value was not the
    expected one (``/name/givenName``).
    """
    mappings: tuple[MappedAttribute, ...] = serializer.get_mappings()
    protected: frozenset[str] = getattr(serializer, "protected_fields", frozenset())
    hints: list[str] = []
    for path, value in sent_values(body):
        mapping = _find(mappings, path)
        if mapping is None:
            continue
        max_length = getattr(mapping.field, "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            hints.append(f"{describe_mapping(mapping)}; {idp} sent {len(value)} characters.")
        if mapping.field is not None and mapping.field.name in protected:
            hints.append(
                f"{describe_mapping(mapping)}, one of {serializer.__name__}.protected_fields: "
                f"SCIM never writes it, so the value {idp} sends is dropped."
            )
    for pointer in failed_pointers:
        parts = [part for part in pointer.strip("/").split("/") if not part.isdigit()]
        path = ".".join(parts)
        if parts and parts[0].lower().startswith("urn:"):
            path = parts[0] + ":" + ".".join(parts[1:])
        mapping = _find(mappings, path)
        if mapping is not None and mapping.read_only:
            hints.append(f"{describe_mapping(mapping)}, which SCIM cannot write.")
        elif mapping is not None and not any(describe_mapping(mapping) in h for h in hints):
            hints.append(f"{describe_mapping(mapping)} in {serializer.__name__}.attribute_map.")
    return list(dict.fromkeys(hints))


@dataclass
class Check:
    """A configuration check of a flow: an IdP's documented limit, or a value it drops."""

    name: str
    passed: bool
    message: str
    source: str


def _dropped(serializer: Any, mapping: MappedAttribute) -> str | None:
    protected: frozenset[str] = getattr(serializer, "protected_fields", frozenset())
    if mapping.field is not None and mapping.field.name in protected:
        return f"one of {serializer.__name__}.protected_fields: SCIM never writes it"
    if mapping.read_only:
        return "which SCIM cannot write"
    return None


def configuration_checks(flow: Flow, serializer_for: Callable[[str], Any]) -> list[Check]:
    """Check ``flow``'s documented limits and sent attributes against the mapping.

    ``serializer_for("/Users/{{user.id}}")`` is the serializer of the view serving a
    step's path (``None`` if there is none). A column shorter than the longest value the
    IdP documents fails; so does an attribute the flow sends to a column SCIM never writes
    (``protected_fields``, computed values): the IdP's value would be dropped.
    """
    checks: list[Check] = []
    users = serializer_for("/Users")
    for limit in flow.limits:
        mapping = _find(users.get_mappings(), limit.attribute) if users is not None else None
        column = getattr(mapping.field, "max_length", None) if mapping is not None else None
        sends = f"{flow.name} sends up to {limit.max_length} characters ({limit.source_attribute})"
        if mapping is None:
            passed, message = True, f"`{limit.attribute}` is kept in drf-scim's tables; {sends}."
        else:
            passed = column is None or column >= limit.max_length
            message = f"{describe_mapping(mapping)}; {sends}."
        checks.append(
            Check(
                f"{limit.attribute} holds {limit.max_length} characters",
                passed,
                message,
                flow.source_url(limit),
            )
        )
    checks.extend(_uniqueness_checks(flow, users))
    checks.extend(_mutability_checks(flow, serializer_for))
    seen: set[tuple[Any, str]] = set()
    for step, serializer, path in _writes(flow, serializer_for):
        mapping = _find(serializer.get_mappings(), path)
        if mapping is None or (serializer, mapping.scim_path) in seen:
            continue
        seen.add((serializer, mapping.scim_path))
        reason = _dropped(serializer, mapping)
        if reason is not None:
            checks.append(
                Check(
                    f"{mapping.scim_path} is stored",
                    False,
                    f"{describe_mapping(mapping)}, {reason}: the value {flow.name} sends "
                    f'("{step.name}") is dropped.',
                    flow.source_url(step),
                )
            )
    return checks


def _uniqueness_checks(flow: Flow, users: Any) -> list[Check]:
    """An IdP that finds its users by ``userName eq`` needs ``userName`` to name one user."""
    lookup = next(
        (
            step
            for step in flow.steps
            if "username eq" in step.query.get("filter", "").lower()
            or "username eq" in step.path.lower()
        ),
        None,
    )
    if lookup is None or users is None:
        return []
    key = getattr(users, "unique_key_attribute", None)
    passed = isinstance(key, str) and key.lower() == "username"
    detail = (
        "`userName` is unique (RFC 7643 §4.1.1: uniqueness server)"
        if passed
        else f"{users.__name__}.unique_key_attribute is {key!r}, not 'userName': two users "
        "could share a userName"
    )
    return [
        Check(
            "userName names one user",
            passed,
            f'{detail}; {flow.name} looks users up by `userName eq` ("{lookup.name}") and '
            "expects at most one.",
            flow.source_url(lookup),
        )
    ]


#: The RFC's own schemas: an attribute the project made stricter than these is a conflict.
_RFC_SCHEMAS = {schema.id: schema for schema in (USER, GROUP, ENTERPRISE_USER)}


def _attribute(schemas: Any, path: str) -> tuple[Attribute | None, str | None]:
    """The attribute a sent path names in ``schemas`` (a ResourceSchemas), and its schema."""
    if path.lower().startswith("urn:"):
        urn, _, name = path.rpartition(":")
        extension = schemas.extension(urn)
        schema_id = extension.id if extension is not None else None
        parts = name.split(".")
        attribute = extension.get(parts[0]) if extension is not None else None
    else:
        parts = path.split(".")
        schema_id = schemas.core.id
        attribute = schemas.top_level(parts[0])
    if attribute is not None and len(parts) > 1 and attribute.is_complex:
        attribute = attribute.get(parts[1])
    return attribute, schema_id


def _rfc_mutability(schema_id: str | None, path: str) -> Mutability | None:
    schema = _RFC_SCHEMAS.get(schema_id or "")
    if schema is None:
        return None
    name = path.rpartition(":")[2] if path.lower().startswith("urn:") else path
    parts = name.split(".")
    common = None if path.lower().startswith("urn:") else COMMON_ATTRIBUTES.get(parts[0])
    attribute = common or schema.get(parts[0])
    if attribute is not None and len(parts) > 1 and attribute.is_complex:
        attribute = attribute.get(parts[1])
    return attribute.mutability if attribute is not None else None


def _mutability_checks(flow: Flow, serializer_for: Callable[[str], Any]) -> list[Check]:
    """Attributes the flow writes that the project's schemas make readOnly or immutable.

    An attribute the RFC lets a client write (RFC 7643 §2.2) but the project declares
    ``readOnly`` drops what the IdP sends; one it declares ``immutable`` refuses the IdP's
    later change (``400 mutability``, RFC 7644 §3.5.2). Attributes the RFC itself makes
    readOnly (``id``, ``meta``, ``groups``) are sent by some IdPs and ignored, as they
    should be: they are not conflicts.
    """
    checks: list[Check] = []
    seen: set[tuple[Any, str]] = set()
    for step, serializer, path in _writes(flow, serializer_for):
        attribute, schema_id = _attribute(serializer.get_schemas(), path)
        if attribute is None or (serializer, path.lower()) in seen:
            continue
        rfc = _rfc_mutability(schema_id, path)
        if rfc is Mutability.READ_ONLY:
            continue
        conflict = None
        if attribute.mutability is Mutability.READ_ONLY:
            conflict = "readOnly: the value it sends is dropped"
        elif attribute.mutability is Mutability.IMMUTABLE and step.method != "POST":
            conflict = "immutable: its change is refused (400 mutability)"
        if conflict is None:
            continue
        seen.add((serializer, path.lower()))
        checks.append(
            Check(
                f"{path} is writable",
                False,
                f'`{path}` is {conflict}; {flow.name} writes it ("{step.name}", {step.method}).',
                flow.source_url(step),
            )
        )
    return checks


def _writes(flow: Flow, serializer_for: Callable[[str], Any]) -> Iterator[tuple[Any, Any, str]]:
    """``(step, serializer, attribute path)`` of each value the flow's writes send."""
    for step in flow.steps:
        serializer = serializer_for(step.path)
        if serializer is None or step.method not in {"POST", "PUT", "PATCH"}:
            continue
        for path, _ in sent_values(step.body):
            yield step, serializer, path
