"""PATCH paths resolved against a resource's schemas, and value filters run in memory.

:func:`resolve_path` turns a parsed ``path`` (RFC 7644 §3.5.2, Figure 7) into the attribute
definitions it names, or raises ``invalidPath``. :func:`value_matches` decides whether one
value of a multi-valued attribute satisfies a value filter such as ``type eq "work"``, with
the comparison rules of RFC 7644 §3.4.2.2 that the database filters use: strings compared
through :func:`drf_scim.indexing.comparable` (case-folded unless ``caseExact``), dateTimes
as instants, ``ne`` true where the attribute is absent, ``eq null`` meaning "no value".

Attributes are found by :func:`drf_scim.resolver.resolve` and compared by
:mod:`drf_scim.comparisons`, as the database filters do. Nothing here touches the
database: the PATCH engine (:mod:`drf_scim.patch`) works on plain documents, and nothing
here imports Django or DRF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .comparisons import check_comparison, is_present, matches
from .definitions import Attribute, Schema
from .errors import InvalidPathError
from .filter_language import (
    And,
    Comparison,
    Filter,
    FilterVisitor,
    Leaf,
    PatchPath,
    Present,
    leaves,
)
from .resolver import UnknownAttribute, find_extension, resolve

if TYPE_CHECKING:  # only in annotations
    from .definitions import ResourceSchemas

__all__ = [
    "ResolvedPath",
    "equality_conditions",
    "is_present",
    "resolve_path",
    "value_matches",
]


@dataclass(frozen=True)
class ResolvedPath:
    """The definitions a PATCH path names (RFC 7644 §3.5.2).

    ``extension`` is the schema extension holding the attribute (``None`` for core and
    common attributes). ``attribute`` is ``None`` when the path is a bare extension URN,
    which targets the whole extension object. ``value_filter`` narrows a multi-valued
    attribute to some of its values, ``sub_attribute`` narrows further to one
    sub-attribute of the attribute or of the selected values.
    """

    extension: Schema | None
    attribute: Attribute | None
    value_filter: Filter | None = None
    sub_attribute: Attribute | None = None

    @property
    def label(self) -> str:
        """The path in canonical case, for error messages."""
        if self.attribute is None:
            return self.extension.id if self.extension is not None else ""
        text = self.attribute.name
        if self.value_filter is not None:
            text = f"{text}[{self.value_filter}]"
        if self.sub_attribute is not None:
            text = f"{text}.{self.sub_attribute.name}"
        return f"{self.extension.id}:{text}" if self.extension is not None else text


def resolve_path(
    path: PatchPath, schemas: ResourceSchemas, *, strict: bool = False
) -> ResolvedPath:
    """Resolve ``path`` against ``schemas``, ignoring case (RFC 7643 §2.1).

    Raises :class:`~drf_scim.errors.InvalidPathError` for an unknown schema URN, attribute
    or sub-attribute, a sub-attribute of a non-complex attribute, a value filter on a
    single-valued attribute, or a value filter that names unknown sub-attributes or
    compares them in a way their type does not allow. Unless ``strict``, an unqualified
    name that is not a core attribute may name the attribute of one extension (the
    database filters read it the same way).
    """
    try:
        if path.attribute is None:  # a bare extension URN
            return ResolvedPath(find_extension(schemas, path.schema or ""), None)
        ref = resolve(schemas, path.schema, path.attribute, path.sub_attribute, strict=strict)
    except UnknownAttribute as exc:
        raise InvalidPathError(_unknown(exc)) from exc
    attribute = ref.attribute
    if path.value_filter is not None:
        if not attribute.multi_valued:
            raise InvalidPathError(
                f"{attribute.name} is single-valued: '[...]' selects values of a "
                "multi-valued attribute."
            )
        _check_filter(path.value_filter, attribute)
    return ResolvedPath(ref.extension, attribute, path.value_filter, ref.sub_attribute)


def _unknown(exc: UnknownAttribute) -> str:
    """The ``invalidPath`` detail for a path naming something the resource lacks."""
    if exc.missing == "sub-attribute" and exc.attribute is not None:
        if not exc.attribute.is_complex:
            return f"{exc.attribute.name} is not complex: it has no sub-attributes."
        return f"Unknown sub-attribute {exc.attribute.name}.{exc.sub}."
    if exc.missing == "schema" and exc.name is None:
        return f"{exc.urn!r} is not a schema extension of this resource."
    if exc.missing == "schema":
        return f"Unknown schema {exc.urn!r}."
    if exc.urn is None:
        return f"Unknown attribute {exc.name!r}."
    urn = exc.extension.id if exc.extension is not None else exc.urn
    return f"Unknown attribute {urn}:{exc.name}."


def _definition(attribute: Attribute, name: str) -> Attribute | None:
    """The sub-attribute a name inside ``[...]`` refers to.

    For a multi-valued attribute of simple values, ``value`` is the value itself.
    """
    if attribute.is_complex:
        return attribute.get(name)
    return attribute if name.lower() == "value" else None


def _check_filter(node: Filter, attribute: Attribute) -> None:
    """Refuse what cannot be evaluated: unknown names and comparisons the type forbids."""
    for leaf in leaves(node):
        if not isinstance(leaf, (Comparison, Present)):  # a ValuePath: the parser forbids it
            raise InvalidPathError("Value filters cannot be nested.")
        name = leaf.attribute.attribute
        definition = _definition(attribute, name)
        if definition is None or leaf.attribute.sub_attribute is not None:
            raise InvalidPathError(
                f"Unknown attribute {attribute.name}.{leaf.attribute} in filter."
            )
        if isinstance(leaf, Comparison):
            check_comparison(
                definition,
                leaf.operator,
                leaf.value,
                f"{attribute.name}.{definition.name}",
                InvalidPathError,
            )


def _sub_value(element: Any, attribute: Attribute, definition: Attribute) -> Any:
    if not attribute.is_complex:
        return element
    if not isinstance(element, dict):
        return None
    if definition.name in element:
        return element[definition.name]
    lowered = definition.name.lower()
    return next(
        (v for k, v in element.items() if isinstance(k, str) and k.lower() == lowered), None
    )


class _Matches(FilterVisitor[bool]):
    """Whether one value of a multi-valued attribute satisfies a value filter."""

    def __init__(self, element: Any, attribute: Attribute) -> None:
        self.element = element
        self.attribute = attribute

    def leaf(self, node: Leaf) -> bool:
        if not isinstance(node, (Comparison, Present)):
            return False
        definition = _definition(self.attribute, node.attribute.attribute)
        if definition is None:
            return False
        actual = _sub_value(self.element, self.attribute, definition)
        if isinstance(node, Present):
            return is_present(actual)
        return matches(definition, actual, node.operator, node.value)

    def all_of(self, results: Iterable[bool]) -> bool:
        return all(results)

    def any_of(self, results: Iterable[bool]) -> bool:
        return any(results)

    def negate(self, result: bool) -> bool:
        return not result


def value_matches(node: Filter, element: Any, attribute: Attribute) -> bool:
    """Whether one value of the multi-valued ``attribute`` satisfies ``node``.

    ``node`` must have passed :func:`resolve_path` (its names are known and its
    comparisons allowed); anything else simply does not match.
    """
    return _Matches(element, attribute).visit(node)


def equality_conditions(node: Filter, attribute: Attribute) -> dict[str, Any] | None:
    """The sub-attribute values a filter of ``eq`` conditions pins down, else ``None``.

    ``type eq "work"`` gives ``{"type": "work"}`` and ``type eq "work" and primary eq
    true`` gives both; any other operator, ``or``, ``not``, ``eq null`` or two different
    values for one name give ``None``. The PATCH engine builds a new value from them when
    an ``add`` finds no value to change.
    """
    operands = node.operands if isinstance(node, And) else (node,)
    conditions: dict[str, Any] = {}
    for operand in operands:
        if not isinstance(operand, Comparison) or operand.operator != "eq":
            return None
        literal: Any = operand.value
        definition = _definition(attribute, operand.attribute.attribute)
        if literal is None or definition is None:
            return None
        if isinstance(literal, Decimal):
            literal = float(literal)
        name = definition.name if attribute.is_complex else "value"
        if name in conditions and conditions[name] != literal:
            return None
        conditions[name] = literal
    return conditions
