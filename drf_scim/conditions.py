"""The database side of SCIM comparisons: ``Q`` conditions that compare like Python does.

:mod:`drf_scim.comparisons` says which comparisons an attribute type allows and how its
values compare; these functions build the conditions that compare that way in SQL, on
SQLite, PostgreSQL and MariaDB alike: text by code point (:class:`Binary`) on the
comparable forms of :mod:`drf_scim.indexing`, numbers as floats, dateTimes as
fixed-width UTC text. :class:`~drf_scim.filters.FilterCompiler` combines them; a
subclass overriding ``compile_comparison()`` may use them too.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, FloatField, Q, TextField, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Lower, Right, StrIndex
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from .characteristics import STRING_TYPES, AttributeType
from .comparisons import COMPARISONS, Comparing, check_comparison
from .definitions import Attribute
from .exceptions import InvalidFilter
from .indexing import KEY_LENGTH, comparable, parse_instant

__all__ = [
    "ALL",
    "NONE",
    "ORDERING",
    "Binary",
    "column_condition",
    "expression_condition",
    "json_text",
    "literal_text",
    "present_condition",
    "search_condition",
    "text_condition",
    "value_key_condition",
]

#: The lookups of the ordering operators.
ORDERING = {
    "gt": GreaterThan,
    "ge": GreaterThanOrEqual,
    "lt": LessThan,
    "le": LessThanOrEqual,
}
#: Conditions true and false for every row; ``Q()`` would vanish under negation.
ALL = Q(pk__isnull=False)
NONE = Q(pk__in=[])


class Binary(models.Func):
    """Its text argument, compared and ordered by code point on every database.

    PostgreSQL would otherwise use the database's locale, MariaDB a collation that ignores
    case and accents; SQLite already compares bytes.
    """

    arity = 1
    output_field = TextField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        template = {
            "postgresql": '(%(expressions)s) COLLATE "C"',
            "mysql": "CONVERT(%(expressions)s USING utf8mb4) COLLATE utf8mb4_bin",
        }.get(connection.vendor, "%(expressions)s")
        return super().as_sql(compiler, connection, template=template, **extra_context)


def json_text(path: str) -> KeyTextTransform:
    """The text at ``[relation__]search__key[__key]``: a key of a ``search`` document.

    Django's ``KT()`` takes the first ``__`` part as the field, which stops it from crossing
    a relation such as ``scim_record__search__title``.
    """
    parts = path.split("__")
    index = parts.index("search") + 1 if "search" in parts else 1
    expression: Any = F("__".join(parts[:index]))
    keys = parts[index:]
    for key in keys[:-1]:
        expression = KeyTransform(key, expression)
    return KeyTextTransform(keys[-1], expression)


def literal_text(definition: Attribute, literal: Any, name: str) -> str:
    """A literal compared with a text attribute, as text; ``true``/``false``/``null`` refused."""
    if isinstance(literal, bool) or literal is None:
        raise InvalidFilter(f"{name} is a {definition.type.value}: compare it with a string.")
    return literal if isinstance(literal, str) else str(literal)


def text_condition(expression: Any, operator: str, form: str) -> Any:
    """A code-point comparison of a text expression with an already comparable literal."""
    target = Binary(expression)
    literal = Value(form, output_field=TextField())
    if operator == "eq":
        return Exact(target, literal)
    if operator in ORDERING:
        return ORDERING[operator](target, literal)
    if operator == "co":
        return GreaterThan(StrIndex(target, literal), 0)
    if operator == "sw":
        return Exact(StrIndex(target, literal), 1)
    return Exact(Right(target, len(form)), literal)  # ew


def present_condition(path: str, definition: Attribute) -> Q:
    """A value at ``path``: not null, and for text and dateTimes not empty."""
    present = Q(**{f"{path}__isnull": False})
    if definition.type in (*STRING_TYPES, AttributeType.DATETIME):
        present &= ~Q(Exact(json_text(path), Value("", output_field=TextField())))
    return present


def search_condition(path: str, definition: Attribute, operator: str, literal: Any, name: str) -> Q:
    """Compare the search document's value at ``path`` (RFC 7644 §3.4.2.2).

    ``operator`` is not ``ne``: callers negate ``eq`` for it, so that ``ne`` also holds
    where the attribute is absent. The comparison is checked against
    :data:`drf_scim.comparisons.COMPARISONS` first.
    """
    check_comparison(definition, operator, literal, name, InvalidFilter)
    if literal is None:
        return ~present_condition(path, definition)
    present = Q(**{f"{path}__isnull": False})
    comparing = COMPARISONS[definition.type].comparing
    if comparing is Comparing.BOOLEAN:
        return Q(**{path: literal})
    if comparing is Comparing.NUMBER:
        lookup = Exact if operator == "eq" else ORDERING[operator]
        return present & Q(lookup(Cast(json_text(path), FloatField()), float(literal)))
    form = comparable(definition, literal_text(definition, literal, name))
    if operator in ("co", "sw", "ew") and form == "":
        return present_condition(path, definition)
    return present & Q(text_condition(json_text(path), operator, form))


def value_key_condition(attribute: Attribute, operator: str, literal: Any, name: str) -> Q:
    """Compare a value row's indexed ``value_key``: multi-valued attributes of strings."""
    if attribute.type not in STRING_TYPES:
        raise InvalidFilter(f"{name} cannot be compared with {operator}.")
    form = comparable(attribute, literal_text(attribute, literal, name))
    if operator == "eq":
        return Q(value_key=form[:KEY_LENGTH])  # byte-exact column: its index serves
    return Q(value_key__isnull=False) & Q(
        text_condition(F("value_key"), operator, form[:KEY_LENGTH])
    )


def expression_condition(
    expression: Any, definition: Attribute, operator: str, literal: Any, name: str
) -> Q:
    """Compare a ``filter_map`` expression: the database's own types and ``LOWER()``."""
    present = Q(IsNull(expression, False))
    if operator == "pr":
        if definition.type in STRING_TYPES:
            present &= ~Q(Exact(expression, Value("", output_field=TextField())))
        return present
    if literal is None:
        return ~expression_condition(expression, definition, "pr", None, name)
    if definition.type in STRING_TYPES:
        text = literal_text(definition, literal, name)
        if not definition.case_exact:
            return present & Q(text_condition(Lower(expression), operator, text.lower()))
        return present & Q(text_condition(expression, operator, text))
    if definition.type is AttributeType.DATETIME:
        literal = parse_instant(literal)
        if literal is None:
            raise InvalidFilter(f"{name} is a dateTime: compare it with one.")
    lookup = Exact if operator == "eq" else ORDERING.get(operator)
    if lookup is None:
        raise InvalidFilter(f"{name}: {operator} does not apply to a {definition.type.value}.")
    return present & Q(lookup(expression, literal))


def column_condition(path: str, attribute: Attribute, operator: str, literal: Any, name: str) -> Q:
    """Compare a text column (``externalId``) the way the search document compares."""
    present = Q(**{f"{path}__isnull": False}) & ~Q(**{path: ""})
    if operator == "pr":
        return present
    if literal is None and operator == "eq":
        return ~present
    form = comparable(attribute, literal_text(attribute, literal, name))
    if operator in ("co", "sw", "ew") and form == "":
        return present
    if operator == "eq":
        # The bare column, so that its index serves: ExactCharField is already
        # byte-exact on MariaDB, and equality is exact in PostgreSQL's collations.
        return present & Q(**{path: form})
    return present & Q(text_condition(F(path), operator, form))
