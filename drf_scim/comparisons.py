"""Which comparisons each attribute type allows, and how values compare (RFC 7644 §3.4.2.2).

One table, :data:`COMPARISONS`, in the spirit of django-filter's
``FILTER_FOR_DBFIELD_DEFAULTS``: for each attribute type (RFC 7643 §2.3), the operators
of Table 3 it allows and the way it compares. :func:`check_comparison` refuses what the
table does not allow, in the same words for the database filters (``invalidFilter``)
and for PATCH value filters (``invalidPath``); :func:`matches` compares in memory the way
the database compares the search document (:mod:`drf_scim.indexing`):

* text (``string``, ``reference``, ``binary``): by code point, after ``casefold()``
  unless the attribute is ``caseExact``; ``co``, ``sw`` and ``ew`` test substrings;
* ``dateTime``: as instants (fixed-width UTC text, which orders as time does);
* ``integer`` and ``decimal``: as numbers; ``boolean``: ``eq`` and ``ne`` only;
* ``eq null`` means "has no value" and ``ne`` is "not ``eq``", so it holds where the
  attribute is absent. ``pr`` applies to every type.

Nothing here imports Django or DRF.
"""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, cast

from .characteristics import AttributeType
from .definitions import Attribute
from .errors import InvalidFilterError, SCIMError
from .indexing import comparable

__all__ = [
    "COMPARISONS",
    "EQUALITY",
    "ORDERING",
    "SUBSTRING",
    "Comparing",
    "Rule",
    "check_comparison",
    "equality_key",
    "is_present",
    "matches",
]

#: ``eq`` and ``ne``.
EQUALITY: Final = frozenset({"eq", "ne"})
#: ``gt``, ``ge``, ``lt`` and ``le``.
ORDERING: Final = frozenset({"gt", "ge", "lt", "le"})
#: ``co``, ``sw`` and ``ew``: text only.
SUBSTRING: Final = frozenset({"co", "sw", "ew"})


class Comparing(enum.Enum):
    """How values of a type are compared."""

    TEXT = "text"
    INSTANT = "instant"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NOTHING = "nothing"  # complex: only its sub-attributes compare


@dataclass(frozen=True)
class Rule:
    """What a type allows: how it compares and with which operators (``pr`` always)."""

    comparing: Comparing
    operators: frozenset[str]


_TEXT = Rule(Comparing.TEXT, EQUALITY | ORDERING | SUBSTRING)
_NUMBER = Rule(Comparing.NUMBER, EQUALITY | ORDERING)

#: Attribute type -> rule (RFC 7644 §3.4.2.2, Table 3).
COMPARISONS: Final[Mapping[AttributeType, Rule]] = {
    AttributeType.STRING: _TEXT,
    AttributeType.REFERENCE: _TEXT,
    AttributeType.BINARY: _TEXT,
    AttributeType.DATETIME: Rule(Comparing.INSTANT, EQUALITY | ORDERING),
    AttributeType.INTEGER: _NUMBER,
    AttributeType.DECIMAL: _NUMBER,
    AttributeType.BOOLEAN: Rule(Comparing.BOOLEAN, EQUALITY),
    AttributeType.COMPLEX: Rule(Comparing.NOTHING, frozenset()),
}


def check_comparison(
    definition: Attribute,
    op: str,
    literal: Any,
    name: str,
    error: type[SCIMError] = InvalidFilterError,
) -> None:
    """Raise ``error`` unless ``name op literal`` is a comparison ``definition`` allows.

    ``name`` is the attribute as the message shows it. Callers pick ``error``: the
    filters' ``invalidFilter``, PATCH paths' ``invalidPath`` (RFC 7644 §3.12).
    """
    rule = COMPARISONS[definition.type]
    if literal is None and rule.comparing is not Comparing.NOTHING:
        problem = None if op in EQUALITY else ": null can only be compared with eq or ne."
    else:
        problem = _PROBLEMS[rule.comparing](definition, rule, op, literal)
    if problem is not None:
        raise error(f"{name}{problem}")


def _boolean(definition: Attribute, rule: Rule, op: str, literal: Any) -> str | None:
    if op not in rule.operators or not isinstance(literal, bool):
        return " is a boolean: use eq or ne with true or false."
    return None


def _number(definition: Attribute, rule: Rule, op: str, literal: Any) -> str | None:
    if isinstance(literal, bool) or not isinstance(literal, (int, Decimal)):
        return " is a number: compare it with a number."
    if op not in rule.operators:
        return f" is a number: {op} does not apply."
    return None


def _text(definition: Attribute, rule: Rule, op: str, literal: Any) -> str | None:
    if isinstance(literal, bool):
        return f" is a {definition.type.value}: compare it with a string."
    if rule.comparing is not Comparing.INSTANT:
        return None
    if op not in rule.operators:
        return f" is a dateTime: {op} does not apply."
    if comparable(definition, str(literal)) is None:
        return f" is a dateTime: {literal!r} is not one."
    return None


def _complex(definition: Attribute, rule: Rule, op: str, literal: Any) -> str | None:
    return " is complex: name a sub-attribute."


_PROBLEMS: Final[dict[Comparing, Callable[[Attribute, Rule, str, Any], str | None]]] = {
    Comparing.TEXT: _text,
    Comparing.INSTANT: _text,
    Comparing.NUMBER: _number,
    Comparing.BOOLEAN: _boolean,
    Comparing.NOTHING: _complex,
}


def is_present(value: Any) -> bool:
    """RFC 7643 §2.5: null, ``""``, ``[]`` and ``{}`` all mean "unassigned"."""
    return value is not None and value != "" and value != [] and value != {}


def matches(definition: Attribute, actual: Any, op: str, literal: Any) -> bool:
    """Whether the stored ``actual`` value satisfies ``actual op literal``, in memory.

    The comparison must have passed :func:`check_comparison`; values of the wrong type
    (a string where a number belongs) simply do not match.
    """
    if op == "ne":
        return not matches(definition, actual, "eq", literal)
    if literal is None:  # "eq null": the attribute has no value
        return not is_present(actual)
    if not is_present(actual):
        return False
    comparing = COMPARISONS[definition.type].comparing
    if comparing is Comparing.BOOLEAN:
        return isinstance(actual, bool) and actual is literal
    if comparing is Comparing.NUMBER:
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


def equality_key(definition: Attribute, value: Any) -> Hashable | None:
    """The form under which ``value`` is equal to others for ``eq``, or ``None``.

    For a stored value ``actual`` and a literal of the attribute's JSON type (a string
    for text and dateTime, a boolean, a number), ``matches(definition, actual, "eq",
    literal)`` holds exactly when both keys are equal and not ``None`` (RFC 7644
    §3.4.2.2). ``None`` means the value equals nothing: it is unassigned (RFC 7643
    §2.5), of a type that cannot compare, or not a number (``NaN``). Keys let the PATCH
    engine find "the value already there" (RFC 7644 §3.5.2.1) by hashing instead of
    comparing each new value with every stored one.
    """
    if not is_present(value):
        return None
    comparing = COMPARISONS[definition.type].comparing
    if comparing is Comparing.BOOLEAN:
        return value if isinstance(value, bool) else None
    if comparing is Comparing.NUMBER:
        if not _is_number(value) or _is_nan(value):
            return None
        return cast(Hashable, value)
    if comparing is Comparing.NOTHING:
        return None
    form = comparable(definition, value)
    return form if isinstance(form, str) else None


def _is_nan(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float) and math.isnan(value)


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
