"""The abstract syntax tree of SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2).

Every node is a frozen, slotted dataclass: trees are immutable, hashable, comparable with
``==`` and safe to share between threads and requests (the parser caches them).

``str(node)`` prints canonical filter text that parses back to an equal tree: operators
and keywords in lower case, one space between tokens, strings as JSON, parentheses only
where precedence needs them.  Rendering uses an explicit stack, so it works on trees of
any depth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, TypeAlias, get_args

__all__ = [
    "COMPARISON_OPERATORS",
    "And",
    "AttributePath",
    "CompValue",
    "Comparison",
    "ComparisonOperator",
    "Filter",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "ValuePath",
    "render_value",
]

#: The attribute operators of RFC 7644 §3.4.2.2, Table 3, other than ``pr``.
ComparisonOperator: TypeAlias = Literal["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"]
COMPARISON_OPERATORS: Final[frozenset[str]] = frozenset(get_args(ComparisonOperator))

#: A ``compValue`` (§3.4.2.2): the JSON literals ``false``, ``null``, ``true``, a number or a
#: string.  A number without fraction or exponent is an ``int``, any other is a ``Decimal``.
CompValue: TypeAlias = str | bool | int | Decimal | None


@dataclass(frozen=True, slots=True)
class AttributePath:
    """An ``attrPath``: ``[URI ":"] ATTRNAME *1subAttr`` (§3.4.2.2, §3.10).

    ``schema`` is the schema URN the path was qualified with, without the final colon, or
    ``None``.  Names are kept as written; resolve them case-insensitively (RFC 7643 §2.1).
    Inside the brackets of a value path (``emails[type eq "work"]``) the path is relative:
    ``type`` is a sub-attribute of ``emails``, held here as ``attribute="type"``.

    ``position`` is the 0-based offset of the path in the parsed text, ``None`` for a
    node built by hand; it takes no part in equality, so that equal text means equal trees.
    """

    attribute: str
    sub_attribute: str | None = None
    schema: str | None = None
    position: int | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        text = self.attribute
        if self.sub_attribute is not None:
            text = f"{text}.{self.sub_attribute}"
        if self.schema is not None:
            text = f"{self.schema}:{text}"
        return text


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """``attrPath SP compareOp SP compValue`` (§3.4.2.2), e.g. ``userName eq "bjensen"``.

    Equality also compares the type of ``value``, so ``eq true``, ``eq 1`` and ``eq 1.0``
    are three different filters even though ``True == 1 == Decimal("1.0")`` in Python.
    """

    attribute: AttributePath
    operator: ComparisonOperator
    value: CompValue
    #: Where the comparison starts in the parsed text (its attribute path); not compared.
    position: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.operator not in COMPARISON_OPERATORS:
            raise ValueError(f"Unknown comparison operator {self.operator!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Comparison):
            return NotImplemented
        return (
            self.attribute == other.attribute
            and self.operator == other.operator
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((self.attribute, self.operator, type(self.value), self.value))

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class Present:
    """``attrPath SP "pr"`` (§3.4.2.2): the attribute has a non-empty value."""

    attribute: AttributePath
    #: Where the node starts in the parsed text; not compared.
    position: int | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class And:
    """Logical ``and`` of two or more ``operands`` (§3.4.2.2, Table 4).

    ``a and b and c`` is one flat node with three operands, never nested pairs: an
    ``And`` given another ``And`` as an operand absorbs that operand's own operands, so
    ``(a and b) and c`` and ``a and (b and c)`` build equal trees.
    """

    operands: tuple[Filter, ...]

    def __post_init__(self) -> None:
        _flatten(self, And)

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class Or:
    """Logical ``or`` of two or more ``operands`` (§3.4.2.2, Table 4); flat like ``And``."""

    operands: tuple[Filter, ...]

    def __post_init__(self) -> None:
        _flatten(self, Or)

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class Not:
    """``"not" "(" FILTER ")"`` (§3.4.2.2): matches when ``operand`` does not."""

    operand: Filter

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class ValuePath:
    """``attrPath "[" valFilter "]"`` (§3.4.2.2), e.g. ``emails[type eq "work"]``.

    Matches when one single value of the multi-valued ``attribute`` satisfies the whole of
    ``value_filter``, whose attribute paths name sub-attributes of ``attribute``.
    ``attribute`` never has a sub-attribute and ``value_filter`` never holds another
    ``ValuePath``: RFC 7643 §2.3.8 leaves nothing multi-valued below a sub-attribute,
    and errata 4690 and 7322 of RFC 7644 forbid nested value paths.
    """

    attribute: AttributePath
    value_filter: Filter
    #: Where the node starts in the parsed text; not compared.
    position: int | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return _render(self)


#: Any node of a filter expression.
Filter: TypeAlias = Comparison | Present | And | Or | Not | ValuePath


@dataclass(frozen=True, slots=True)
class PatchPath:
    """The ``path`` of a PATCH operation: ``attrPath / valuePath [subAttr]`` (§3.5.2).

    The target is ``attribute`` (of ``schema`` when qualified), narrowed to the values
    that match ``value_filter`` when there is one, then to their ``sub_attribute``:

    ==============================================  =========  =================  =============
    path                                            attribute  value_filter       sub_attribute
    ==============================================  =========  =================  =============
    ``members``                                     members    None               None
    ``name.familyName``                             name       None               familyName
    ``emails[type eq "work"]``                      emails     type eq "work"     None
    ``emails[type eq "work"].value``                emails     type eq "work"     value
    ==============================================  =========  =================  =============

    A path that is only a schema URN, such as
    ``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User``, targets the whole
    extension: ``attribute`` is ``None`` and ``schema`` holds the URN.
    """

    attribute: str | None
    sub_attribute: str | None = None
    schema: str | None = None
    value_filter: Filter | None = None

    def __post_init__(self) -> None:
        if self.attribute is None and (
            self.schema is None or self.sub_attribute is not None or self.value_filter is not None
        ):
            raise ValueError("A PatchPath without an attribute is a bare schema URN")

    @property
    def attribute_path(self) -> AttributePath | None:
        """The attribute the path ends at, filter aside: ``emails.value`` for the last row."""
        if self.attribute is None:
            return None
        return AttributePath(self.attribute, self.sub_attribute, self.schema)

    @property
    def value_path(self) -> ValuePath | None:
        """The value selection as a filter node, e.g. ``emails[type eq "work"]``, if any."""
        if self.attribute is None or self.value_filter is None:
            return None
        return ValuePath(AttributePath(self.attribute, None, self.schema), self.value_filter)

    def __str__(self) -> str:
        if self.attribute is None:
            return self.schema or ""
        text = str(AttributePath(self.attribute, None, self.schema))
        if self.value_filter is not None:
            text = f"{text}[{_render(self.value_filter)}]"
        if self.sub_attribute is not None:
            text = f"{text}.{self.sub_attribute}"
        return text


def render_value(value: CompValue) -> str:
    """Render a ``compValue`` as the JSON literal that parses back to it (RFC 8259)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        text = str(value)
        # Keep it a decimal when parsed back: "1" would come back as the int 1.
        return text if "." in text or "E" in text else f"{text}.0"
    raise ValueError(f"{value!r} is not a SCIM filter value")


def _flatten(node: And | Or, kind: type[And] | type[Or]) -> None:
    operands: list[Filter] = []
    for operand in node.operands:
        if type(operand) is kind:
            operands.extend(operand.operands)
        else:
            operands.append(operand)
    if len(operands) < 2:
        raise ValueError(f"{kind.__name__} needs at least two operands")
    object.__setattr__(node, "operands", tuple(operands))


def _render(root: Filter) -> str:
    """Print a filter tree as canonical text, iteratively (no recursion limit applies)."""
    parts: list[str] = []
    stack: list[Filter | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, Comparison):
            parts.append(f"{item.attribute} {item.operator} {render_value(item.value)}")
        elif isinstance(item, Present):
            parts.append(f"{item.attribute} pr")
        elif isinstance(item, Not):
            stack += (")", item.operand, "not (")
        elif isinstance(item, ValuePath):
            stack += ("]", item.value_filter, f"{item.attribute}[")
        else:
            # "and" binds tighter than "or", so only an "or" inside an "and" needs parentheses.
            separator = " and " if isinstance(item, And) else " or "
            pieces: list[Filter | str] = []
            for operand in item.operands:
                if pieces:
                    pieces.append(separator)
                if isinstance(item, And) and isinstance(operand, (And, Or)):
                    pieces += ("(", operand, ")")
                else:
                    pieces.append(operand)
            stack.extend(reversed(pieces))
    return "".join(parts)
