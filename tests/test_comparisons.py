"""drf_scim.comparisons: operators x attribute types, RFC 7644 §3.4.2.2 Table 3."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drf_scim.characteristics import AttributeType
from drf_scim.comparisons import COMPARISONS, check_comparison, is_present, matches
from drf_scim.definitions import Attribute
from drf_scim.errors import InvalidFilterError, InvalidPathError

OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")
LITERALS = {
    AttributeType.STRING: "x",
    AttributeType.REFERENCE: "https://example.com/x",
    AttributeType.BINARY: "AAEC",
    AttributeType.DATETIME: "2011-05-13T04:42:34Z",
    AttributeType.INTEGER: 3,
    AttributeType.DECIMAL: Decimal("1.5"),
    AttributeType.BOOLEAN: True,
}
ALLOWED = {
    AttributeType.STRING: set(OPERATORS),
    AttributeType.REFERENCE: set(OPERATORS),
    AttributeType.BINARY: set(OPERATORS),
    AttributeType.DATETIME: {"eq", "ne", "gt", "ge", "lt", "le"},
    AttributeType.INTEGER: {"eq", "ne", "gt", "ge", "lt", "le"},
    AttributeType.DECIMAL: {"eq", "ne", "gt", "ge", "lt", "le"},
    AttributeType.BOOLEAN: {"eq", "ne"},
}


@pytest.mark.parametrize("kind", list(LITERALS))
@pytest.mark.parametrize("op", OPERATORS)
def test_rfc7644_3_4_2_2_table_3_operators_by_type(kind, op):
    definition = Attribute("a", type=kind)
    if op in ALLOWED[kind]:
        check_comparison(definition, op, LITERALS[kind], "a")
    else:
        with pytest.raises(InvalidFilterError, match=r"^a( is a |: )"):
            check_comparison(definition, op, LITERALS[kind], "a")
    assert (op in COMPARISONS[kind].operators) is (op in ALLOWED[kind])


@pytest.mark.parametrize(
    ("kind", "op", "literal", "message"),
    [
        (AttributeType.STRING, "gt", None, "a: null can only be compared with eq or ne."),
        (AttributeType.STRING, "eq", True, "a is a string: compare it with a string."),
        (AttributeType.BOOLEAN, "eq", "true", "a is a boolean: use eq or ne with true or false."),
        (AttributeType.INTEGER, "eq", "3", "a is a number: compare it with a number."),
        (AttributeType.INTEGER, "eq", True, "a is a number: compare it with a number."),
        (AttributeType.DECIMAL, "co", 1, "a is a number: co does not apply."),
        (AttributeType.DATETIME, "sw", "2011", "a is a dateTime: sw does not apply."),
        (AttributeType.DATETIME, "gt", "yesterday", "a is a dateTime: 'yesterday' is not one."),
        (AttributeType.COMPLEX, "eq", "x", "a is complex: name a sub-attribute."),
    ],
)
def test_rfc7644_3_4_2_2_refusals_say_why(kind, op, literal, message):
    with pytest.raises(InvalidFilterError) as caught:
        check_comparison(Attribute("a", type=kind), op, literal, "a")
    assert str(caught.value) == message


def test_rfc7644_3_12_the_caller_picks_the_error():
    with pytest.raises(InvalidPathError):
        check_comparison(
            Attribute("a", type=AttributeType.BOOLEAN), "gt", True, "a", InvalidPathError
        )


def test_null_compares_with_eq_and_ne_on_every_type():
    for kind in LITERALS:
        check_comparison(Attribute("a", type=kind), "eq", None, "a")
        check_comparison(Attribute("a", type=kind), "ne", None, "a")


TEXT = Attribute("a")
EXACT = Attribute("a", case_exact=True)
WHEN = Attribute("a", type=AttributeType.DATETIME)
COUNT = Attribute("a", type=AttributeType.INTEGER)
FLAG = Attribute("a", type=AttributeType.BOOLEAN)
URL = Attribute("a", type=AttributeType.REFERENCE)
BLOB = Attribute("a", type=AttributeType.BINARY)


@pytest.mark.parametrize(
    ("definition", "actual", "op", "literal", "expected"),
    [
        (TEXT, "Babs", "eq", "BABS", True),  # caseExact false: folded
        (EXACT, "Babs", "eq", "BABS", False),
        (TEXT, "Straße", "eq", "STRASSE", True),  # casefold, not lower
        (TEXT, "bjensen", "co", "JENS", True),
        (TEXT, "bjensen", "sw", "bj", True),
        (TEXT, "bjensen", "ew", "sen", True),
        (TEXT, "b", "gt", "A", True),
        (TEXT, "x", "ne", "y", True),
        (TEXT, None, "ne", "y", True),  # ne holds where the attribute is absent
        (TEXT, None, "eq", None, True),  # eq null: no value
        (TEXT, "", "eq", None, True),
        (TEXT, "x", "eq", None, False),
        (TEXT, None, "gt", "a", False),
        (WHEN, "2010-01-23T05:56:22+01:00", "eq", "2010-01-23T04:56:22Z", True),
        (WHEN, "2010-01-23T04:56:22Z", "lt", "2010-01-23T04:56:22.5Z", True),
        (WHEN, "not a date", "gt", "2000-01-01T00:00:00Z", False),
        (COUNT, 3, "ge", 3, True),
        (COUNT, 3, "lt", Decimal("2.5"), False),
        (COUNT, "3", "eq", 3, False),  # a string where a number belongs
        (FLAG, True, "eq", True, True),
        (FLAG, 1, "eq", True, False),
        (FLAG, False, "ne", True, True),
        # RFC 7643 §2.3.6, §2.3.7: binary and reference values are case exact.
        (BLOB, "QUJD", "eq", "qujd", False),
        (BLOB, "QUJD", "eq", "QUJD", True),
        (BLOB, "QUJD", "co", "uj", False),
        (URL, "https://Example.com/Babs", "eq", "https://example.com/babs", False),
        (URL, "https://Example.com/Babs", "sw", "https://Example.com/", True),
    ],
)
def test_rfc7644_3_4_2_2_in_memory_comparisons(definition, actual, op, literal, expected):
    assert matches(definition, actual, op, literal) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ([], False), ({}, False), (0, True), (False, True), ("x", True)],
)
def test_rfc7643_2_5_unassigned_values(value, expected):
    assert is_present(value) is expected
