"""PATCH paths resolved against a resource's schemas, and value filters run in memory.

:func:`resolve_path` turns a parsed ``path`` (RFC 7644 §3.5.2, Figure 7) into the attribute
definitions it names, or raises ``invalidPath``. :func:`value_matches` decides whether one
value of a multi-valued attribute satisfies a value filter such as ``type eq "work"``, with
the comparison rules of RFC 7644 §3.4.2.2 that the database filters use: strings compared
through :func:`drf_scim.indexing.comparable` (case-folded unless ``caseExact``), dateTimes
as instants, ``ne`` true where the attribute is absent, ``eq null`` meaning "no value".

Nothing here imports DRF or touches the database: the PATCH engine
(:mod:`drf_scim.patch`) works on plain documents.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from .characteristics import AttributeType
from .definitions import Attribute, Schema
from .exceptions import InvalidPath
from .filter_language import And, Comparison, Filter, Not, Or, PatchPath, Present
from .indexing import comparable
from .validation import ResourceSchemas

__all__ = [
    "ResolvedPath",
    "equality_conditions",
    "is_present",
    "resolve_path",
    "value_matches",
]

_STRINGS = (AttributeType.STRING, AttributeType.REFERENCE, AttributeType.BINARY)
_NUMBERS = (AttributeType.INTEGER, AttributeType.DECIMAL)
_ORDERING = ("gt", "ge", "lt", "le")
_TEXT_ONLY = ("co", "sw", "ew")


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

    Raises :class:`~drf_scim.exceptions.InvalidPath` for an unknown schema URN, attribute
    or sub-attribute, a sub-attribute of a non-complex attribute, a value filter on a
    single-valued attribute, or a value filter that names unknown sub-attributes or
    compares them in a way their type does not allow. Unless ``strict``, an unqualified
    name that is not a core attribute may name the attribute of one extension (the
    database filters read it the same way).
    """
    if path.attribute is None:
        extension = schemas.extension(path.schema or "")
        if extension is None:
            raise InvalidPath(f"{path.schema!r} is not a schema extension of this resource.")
        return ResolvedPath(extension, None)
    extension, attribute = _find(path, schemas, strict)
    sub = None
    if path.sub_attribute is not None:
        if not attribute.is_complex:
            raise InvalidPath(f"{attribute.name} is not complex: it has no sub-attributes.")
        sub = attribute.get(path.sub_attribute)
        if sub is None:
            raise InvalidPath(f"Unknown sub-attribute {attribute.name}.{path.sub_attribute}.")
    if path.value_filter is not None:
        if not attribute.multi_valued:
            raise InvalidPath(
                f"{attribute.name} is single-valued: '[...]' selects values of a "
                "multi-valued attribute."
            )
        _check_filter(path.value_filter, attribute)
    return ResolvedPath(extension, attribute, path.value_filter, sub)


def _find(
    path: PatchPath, schemas: ResourceSchemas, strict: bool
) -> tuple[Schema | None, Attribute]:
    name = path.attribute or ""
    if path.schema is None:
        attribute = schemas.top_level(name)
        if attribute is not None:
            return None, attribute
        if not strict:
            found = [(ext, ext.get(name)) for ext in schemas.extensions]
            candidates = [(ext, attr) for ext, attr in found if attr is not None]
            if len(candidates) == 1:
                return candidates[0]
        raise InvalidPath(f"Unknown attribute {name!r}.")
    if path.schema.lower() == schemas.core.id.lower():
        attribute = schemas.top_level(name)
        if attribute is None:
            raise InvalidPath(f"Unknown attribute {path.schema}:{name}.")
        return None, attribute
    extension = schemas.extension(path.schema)
    if extension is None:
        raise InvalidPath(f"Unknown schema {path.schema!r}.")
    attribute = extension.get(name)
    if attribute is None:
        raise InvalidPath(f"Unknown attribute {extension.id}:{name}.")
    return extension, attribute


def _definition(attribute: Attribute, name: str) -> Attribute | None:
    """The sub-attribute a name inside ``[...]`` refers to.

    For a multi-valued attribute of simple values, ``value`` is the value itself.
    """
    if attribute.is_complex:
        return attribute.get(name)
    return attribute if name.lower() == "value" else None


def _check_filter(node: Filter, attribute: Attribute) -> None:
    """Refuse what cannot be evaluated: unknown names and comparisons the type forbids."""
    if isinstance(node, (And, Or)):
        for operand in node.operands:
            _check_filter(operand, attribute)
        return
    if isinstance(node, Not):
        _check_filter(node.operand, attribute)
        return
    if not isinstance(node, (Comparison, Present)):  # a ValuePath: the parser forbids it
        raise InvalidPath("Value filters cannot be nested.")
    name = node.attribute.attribute
    definition = _definition(attribute, name)
    if definition is None or node.attribute.sub_attribute is not None:
        raise InvalidPath(f"Unknown attribute {attribute.name}.{node.attribute} in filter.")
    if isinstance(node, Comparison):
        _check_comparison(definition, node, f"{attribute.name}.{definition.name}")


def _check_comparison(definition: Attribute, node: Comparison, name: str) -> None:
    operator, literal, kind = node.operator, node.value, definition.type
    if literal is None:
        if operator not in ("eq", "ne"):
            raise InvalidPath(f"{name}: null can only be compared with eq or ne.")
        return
    if kind is AttributeType.BOOLEAN:
        if operator not in ("eq", "ne") or not isinstance(literal, bool):
            raise InvalidPath(f"{name} is a boolean: use eq or ne with true or false.")
        return
    if kind in _NUMBERS:
        if isinstance(literal, bool) or not isinstance(literal, (int, Decimal)):
            raise InvalidPath(f"{name} is a number: compare it with a number.")
        if operator in _TEXT_ONLY:
            raise InvalidPath(f"{name} is a number: {operator} does not apply.")
        return
    _check_text(definition, operator, literal, name)


def _check_text(definition: Attribute, operator: str, literal: Any, name: str) -> None:
    kind = definition.type
    if isinstance(literal, bool):
        raise InvalidPath(f"{name} is a {kind.value}: compare it with a string.")
    if kind is AttributeType.DATETIME:
        if operator in _TEXT_ONLY:
            raise InvalidPath(f"{name} is a dateTime: {operator} does not apply.")
        if comparable(definition, str(literal)) is None:
            raise InvalidPath(f"{name} is a dateTime: {literal!r} is not one.")


def is_present(value: Any) -> bool:
    """RFC 7643 §2.5: null, ``""``, ``[]`` and ``{}`` all mean "unassigned"."""
    return value is not None and value != "" and value != [] and value != {}


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


def value_matches(node: Filter, element: Any, attribute: Attribute) -> bool:
    """Whether one value of the multi-valued ``attribute`` satisfies ``node``.

    ``node`` must have passed :func:`resolve_path` (its names are known and its
    comparisons allowed); anything else simply does not match.
    """
    if isinstance(node, And):
        return all(value_matches(operand, element, attribute) for operand in node.operands)
    if isinstance(node, Or):
        return any(value_matches(operand, element, attribute) for operand in node.operands)
    if isinstance(node, Not):
        return not value_matches(node.operand, element, attribute)
    if not isinstance(node, (Comparison, Present)):
        return False
    definition = _definition(attribute, node.attribute.attribute)
    if definition is None:
        return False
    actual = _sub_value(element, attribute, definition)
    if isinstance(node, Present):
        return is_present(actual)
    if node.operator == "ne":
        return not _compare(definition, actual, "eq", node.value)
    return _compare(definition, actual, node.operator, node.value)


def _compare(definition: Attribute, actual: Any, op: str, literal: Any) -> bool:
    if literal is None:  # "eq null": the attribute has no value
        return not is_present(actual)
    if not is_present(actual):
        return False
    kind = definition.type
    if kind is AttributeType.BOOLEAN:
        return isinstance(actual, bool) and actual is literal
    if kind in _NUMBERS:
        return _is_number(actual) and _is_number(literal) and _order(op, actual, literal)
    left = comparable(definition, actual)
    right = comparable(definition, literal if isinstance(literal, str) else str(literal))
    if not isinstance(left, str) or not isinstance(right, str):
        return False
    if op == "co":
        return right in left
    if op == "sw":
        return left.startswith(right)
    if op == "ew":
        return left.endswith(right)
    return _order(op, left, right)


_ORDER: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _order(name: str, left: Any, right: Any) -> bool:
    function = _ORDER.get(name)
    return function is not None and bool(function(left, right))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


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
