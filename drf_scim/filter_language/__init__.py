"""SCIM filter and PATCH path language: RFC 7644 §3.4.2.2 and §3.5.2, free of Django.

>>> from drf_scim.filter_language import parse_filter, parse_path
>>> str(parse_filter('userName Eq "bjensen" AND not(title pr)'))
'userName eq "bjensen" and not (title pr)'
>>> parse_path('emails[type eq "work"].value').sub_attribute
'value'

The trees are immutable; the compiler to Django ``Q`` objects and the PATCH engine
walk them.  Every malformed input raises :class:`FilterSyntaxError`.
"""

from __future__ import annotations

from .errors import FilterSyntaxError
from .nodes import (
    COMPARISON_OPERATORS,
    And,
    AttributePath,
    Comparison,
    ComparisonOperator,
    CompValue,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    render_value,
)
from .parser import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_LENGTH,
    DEFAULT_SCHEMA_URNS,
    parse_attribute_path,
    parse_filter,
    parse_path,
)
from .visitor import FilterVisitor, Leaf, leaves

__all__ = [
    "COMPARISON_OPERATORS",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_SCHEMA_URNS",
    "And",
    "AttributePath",
    "CompValue",
    "Comparison",
    "ComparisonOperator",
    "Filter",
    "FilterSyntaxError",
    "FilterVisitor",
    "Leaf",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "ValuePath",
    "leaves",
    "parse_attribute_path",
    "parse_filter",
    "parse_path",
    "render_value",
]
