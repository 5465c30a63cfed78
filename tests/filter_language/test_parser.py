"""Table tests of the SCIM filter and PATCH path parser (RFC 7644 §3.4.2.2, §3.5.2).

Pure Python: no Django fixture, run with ``pytest -p no:django``.
"""

from __future__ import annotations

import ast
import dataclasses
import pickle
import time
from decimal import Decimal
from pathlib import Path

import pytest

from drf_scim.filter_language import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_LENGTH,
    And,
    AttributePath,
    Comparison,
    Filter,
    FilterSyntaxError,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_attribute_path,
    parse_filter,
    parse_path,
    render_value,
)

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MEMBER_ID = "2819c223-7f76-453a-919d-413861904646"


def attr(name: str, sub: str | None = None, schema: str | None = None) -> AttributePath:
    return AttributePath(name, sub, schema)


def cmp(path: str, operator: str, value: object, schema: str | None = None) -> Comparison:
    name, _, sub = path.partition(".")
    return Comparison(attr(name, sub or None, schema), operator, value)  # type: ignore[arg-type]


def pr(path: str) -> Present:
    name, _, sub = path.partition(".")
    return Present(attr(name, sub or None))


# --- RFC 7644 §3.4.2.2, Figure 2: the example filters, in order -----------------------------

RFC_FILTERS = [
    ('userName eq "bjensen"', cmp("userName", "eq", "bjensen")),
    ('name.familyName co "O\'Malley"', cmp("name.familyName", "co", "O'Malley")),
    ('userName sw "J"', cmp("userName", "sw", "J")),
    (
        'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
        cmp("userName", "sw", "J", schema=CORE_USER),
    ),
    ("title pr", pr("title")),
    (
        'meta.lastModified gt "2011-05-13T04:42:34Z"',
        cmp("meta.lastModified", "gt", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified ge "2011-05-13T04:42:34Z"',
        cmp("meta.lastModified", "ge", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified lt "2011-05-13T04:42:34Z"',
        cmp("meta.lastModified", "lt", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified le "2011-05-13T04:42:34Z"',
        cmp("meta.lastModified", "le", "2011-05-13T04:42:34Z"),
    ),
    ('title pr and userType eq "Employee"', And((pr("title"), cmp("userType", "eq", "Employee")))),
    ('title pr or userType eq "Intern"', Or((pr("title"), cmp("userType", "eq", "Intern")))),
    (
        'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
        cmp("schemas", "eq", ENTERPRISE),
    ),
    (
        'userType eq "Employee" and (emails co "example.com" or\n  emails.value co "example.org")',
        And(
            (
                cmp("userType", "eq", "Employee"),
                Or((cmp("emails", "co", "example.com"), cmp("emails.value", "co", "example.org"))),
            )
        ),
    ),
    (
        'userType ne "Employee" and not (emails co "example.com" or\n'
        '  emails.value co "example.org")',
        And(
            (
                cmp("userType", "ne", "Employee"),
                Not(
                    Or(
                        (
                            cmp("emails", "co", "example.com"),
                            cmp("emails.value", "co", "example.org"),
                        )
                    )
                ),
            )
        ),
    ),
    (
        'userType eq "Employee" and (emails.type eq "work")',
        And((cmp("userType", "eq", "Employee"), cmp("emails.type", "eq", "work"))),
    ),
    (
        'userType eq "Employee" and emails[type eq "work" and\n  value co "@example.com"]',
        And(
            (
                cmp("userType", "eq", "Employee"),
                ValuePath(
                    attr("emails"),
                    And((cmp("type", "eq", "work"), cmp("value", "co", "@example.com"))),
                ),
            )
        ),
    ),
    (
        'emails[type eq "work" and value co "@example.com"] or\n'
        '  ims[type eq "xmpp" and value co "@foo.com"]',
        Or(
            (
                ValuePath(
                    attr("emails"),
                    And((cmp("type", "eq", "work"), cmp("value", "co", "@example.com"))),
                ),
                ValuePath(
                    attr("ims"),
                    And((cmp("type", "eq", "xmpp"), cmp("value", "co", "@foo.com"))),
                ),
            )
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    RFC_FILTERS,
    ids=[f"rfc7644-3.4.2.2-figure2-{n}" for n in range(1, len(RFC_FILTERS) + 1)],
)
def test_rfc7644_filter_examples(text: str, expected: Filter) -> None:
    tree = parse_filter(text)
    assert tree == expected
    assert parse_filter(str(tree)) == tree
    # The RFC wraps long examples; on one line they parse the same.
    assert parse_filter(" ".join(text.split())) == expected


@pytest.mark.parametrize(
    "text",
    ['userName Eq "john"', 'Username eq "john"'],
    ids=["rfc7644-3.4.2.2-case-insensitive-operator", "rfc7644-3.4.2.2-case-insensitive-name"],
)
def test_rfc7644_case_insensitive_examples(text: str) -> None:
    tree = parse_filter(text)
    assert isinstance(tree, Comparison)
    assert tree.operator == "eq"
    assert tree.attribute.attribute.lower() == "username"
    assert tree.attribute.attribute == text.split()[0]  # kept as written
    assert tree.value == "john"


def test_canonical_text_of_rfc_examples() -> None:
    assert str(parse_filter(RFC_FILTERS[13][0])) == (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")'
    )
    assert str(parse_filter(RFC_FILTERS[16][0])) == (
        'emails[type eq "work" and value co "@example.com"] or '
        'ims[type eq "xmpp" and value co "@foo.com"]'
    )


# --- RFC 7644 §3.5.2: PATCH paths ------------------------------------------------------------

WORK = cmp("type", "eq", "work")
MEMBER = cmp("value", "eq", MEMBER_ID)

RFC_PATHS = [
    ("rfc7644-3.5.2-figure8-members", "members", PatchPath("members")),
    ("rfc7644-3.5.2-figure8-sub-attribute", "name.familyName", PatchPath("name", "familyName")),
    (
        "rfc7644-3.5.2-figure8-value-filter",
        'addresses[type eq "work"]',
        PatchPath("addresses", value_filter=WORK),
    ),
    (
        "rfc7644-3.5.2-figure8-member",
        f'members[value eq "{MEMBER_ID}"]',
        PatchPath("members", value_filter=MEMBER),
    ),
    (
        "rfc7644-3.5.2-figure8-member-sub-attribute",
        f'members[value eq "{MEMBER_ID}"].displayName',
        PatchPath("members", "displayName", value_filter=MEMBER),
    ),
    ("rfc7644-3.5.2.1-add-members", "members", PatchPath("members")),
    (
        "rfc7644-3.5.2.2-remove-one-member",
        f'members[value eq "{MEMBER_ID}"]',
        PatchPath("members", value_filter=MEMBER),
    ),
    (
        "rfc7644-3.5.2.2-remove-filtered-emails",
        'emails[type eq "work" and value ew "example.com"]',
        PatchPath("emails", value_filter=And((WORK, cmp("value", "ew", "example.com")))),
    ),
    (
        "rfc7644-3.5.2.3-replace-work-address",
        'addresses[type eq "work"]',
        PatchPath("addresses", value_filter=WORK),
    ),
    (
        "rfc7644-3.5.2.3-replace-street",
        'addresses[type eq "work"].streetAddress',
        PatchPath("addresses", "streetAddress", value_filter=WORK),
    ),
    (
        "work-email-value",
        'emails[type eq "work"].value',
        PatchPath("emails", "value", value_filter=WORK),
    ),
    (
        "rfc7644-3.10-qualified-sub-attribute",
        "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
        PatchPath("name", "givenName", CORE_USER),
    ),
    ("enterprise-manager", f"{ENTERPRISE}:manager", PatchPath("manager", schema=ENTERPRISE)),
    (
        "enterprise-manager-value",
        f"{ENTERPRISE}:manager.value",
        PatchPath("manager", "value", ENTERPRISE),
    ),
    (
        "enterprise-employee-number",
        f"{ENTERPRISE}:employeeNumber",
        PatchPath("employeeNumber", schema=ENTERPRISE),
    ),
    ("bare-extension-urn", ENTERPRISE, PatchPath(None, schema=ENTERPRISE)),
    (
        "qualified-value-path",
        f'{CORE_USER}:emails[type eq "work"].value',
        PatchPath("emails", "value", CORE_USER, WORK),
    ),
    ("dollar-ref", "members.$ref", PatchPath("members", "$ref")),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in RFC_PATHS], ids=[case[0] for case in RFC_PATHS]
)
def test_patch_paths(text: str, expected: PatchPath) -> None:
    path = parse_path(text)
    assert path == expected
    assert str(path) == text
    assert parse_path(str(path)) == path


def test_patch_path_properties() -> None:
    path = parse_path('emails[type eq "work"].value')
    assert path.attribute_path == attr("emails", "value")
    assert path.value_path == ValuePath(attr("emails"), WORK)
    assert parse_path("name.familyName").value_path is None
    bare = parse_path(ENTERPRISE)
    assert bare.attribute_path is None
    assert bare.value_path is None
    assert str(bare) == ENTERPRISE


def test_bare_schema_urns_are_case_insensitive_and_configurable() -> None:
    assert parse_path(ENTERPRISE.upper()) == PatchPath(None, schema=ENTERPRISE.upper())
    # Unknown to the parser: the last segment is read as an attribute of a shorter URN.
    custom = "urn:example:params:scim:schemas:extension:acme:2.0:User"
    assert parse_path(custom) == PatchPath("User", schema=custom.rpartition(":")[0])
    assert parse_path(custom, schema_urns=[custom]) == PatchPath(None, schema=custom)
    assert parse_path(ENTERPRISE, schema_urns=()) == PatchPath(
        "User", schema=ENTERPRISE.rpartition(":")[0]
    )
    # A known URN followed by more is an attribute path as usual.
    assert parse_path(f"{ENTERPRISE}:manager") == PatchPath("manager", schema=ENTERPRISE)


# --- Precedence, keywords, case --------------------------------------------------------------

A, B, C, D = pr("a"), pr("b"), pr("c"), pr("d")

PRECEDENCE = [
    ("a pr or b pr and c pr", Or((A, And((B, C))))),
    ("a pr and b pr or c pr", Or((And((A, B)), C))),
    ("a pr and b pr or c pr and d pr", Or((And((A, B)), And((C, D))))),
    ("(a pr or b pr) and c pr", And((Or((A, B)), C))),
    ("a pr and (b pr or c pr)", And((A, Or((B, C))))),
    ("a pr or b pr or c pr", Or((A, B, C))),
    ("a pr and b pr and c pr", And((A, B, C))),
    ("(a pr and b pr) and c pr", And((A, B, C))),
    ("a pr or (b pr or c pr)", Or((A, B, C))),
    ("((a pr))", A),
    ("not (a pr) and b pr", And((Not(A), B))),
    ("not (a pr and b pr) or c pr", Or((Not(And((A, B))), C))),
    ("not (not (a pr))", Not(Not(A))),
    ("not(a pr)", Not(A)),
    ("a pr and not (b pr or c pr)", And((A, Not(Or((B, C)))))),
    (
        'emails[type eq "work" or (type eq "home" and value ew "@example.com")]',
        ValuePath(
            attr("emails"),
            Or((WORK, And((cmp("type", "eq", "home"), cmp("value", "ew", "@example.com"))))),
        ),
    ),
    ('emails[not (type eq "work")]', ValuePath(attr("emails"), Not(WORK))),
]


@pytest.mark.parametrize(("text", "expected"), PRECEDENCE, ids=[case[0] for case in PRECEDENCE])
def test_precedence(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName EQ "x"', cmp("userName", "eq", "x")),
        ('USERNAME Sw "x"', cmp("USERNAME", "sw", "x")),
        ("a PR AND b Pr Or NOT (c pR)", Or((And((A, B)), Not(C)))),
        ("a pr aNd b pr", And((A, B))),
        ("Not (a pr)", Not(A)),
        ("x eq TRUE", cmp("x", "eq", True)),
        ("x eq False", cmp("x", "eq", False)),
        ("x eq NULL", cmp("x", "eq", None)),
    ],
)
def test_keywords_are_case_insensitive(text: str, expected: Filter) -> None:
    tree = parse_filter(text)
    assert tree == expected
    assert str(tree) == str(expected)


@pytest.mark.parametrize("operator", ["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"])
def test_every_comparison_operator(operator: str) -> None:
    assert parse_filter(f'x {operator.upper()} "v"') == cmp("x", operator, "v")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not pr", pr("not")),
        ('and eq "x"', cmp("and", "eq", "x")),
        ("pr pr", pr("pr")),
        ("eq eq 1", cmp("eq", "eq", 1)),
        ("or pr or and pr", Or((pr("or"), pr("and")))),
        ("true eq true", cmp("true", "eq", True)),
        ("neverExpires eq true", cmp("neverExpires", "eq", True)),
        ("order pr", pr("order")),
        ("notes pr and prefix pr", And((pr("notes"), pr("prefix")))),
    ],
)
def test_keywords_are_words_only_in_their_place(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "x"',
        'userName  eq   "x"',
        'userName\teq\t"x"',
        '  userName eq "x"  ',
        'userName\r\neq\n"x"',
        'userName eq"x"',
    ],
)
def test_whitespace_is_liberal(text: str) -> None:
    assert parse_filter(text) == cmp("userName", "eq", "x")


def test_no_whitespace_next_to_brackets_and_parentheses() -> None:
    assert parse_filter('emails[type eq "work"]') == parse_filter('emails[ type eq "work" ]')
    assert parse_filter("(a pr)and(b pr)") == And((A, B))
    assert parse_filter('a eq "x"or b pr') == Or((cmp("a", "eq", "x"), B))


# --- Values ----------------------------------------------------------------------------------

STRINGS = [
    (r'"plain"', "plain"),
    (r'""', ""),
    (r'"say \"hi\""', 'say "hi"'),
    (r'"back\\slash"', "back\\slash"),
    (r'"a\/b"', "a/b"),
    (r'"\b\f\n\r\t"', "\b\f\n\r\t"),
    (r'"\u00c9clair"', "Éclair"),
    (r'"\u00C9clair"', "Éclair"),
    (r'"\ud83d\ude00"', "\U0001f600"),
    ('"Ünïcödé 😀 ☃"', "Ünïcödé 😀 ☃"),
    (r'"\u0000"', "\x00"),
    ('"O\'Malley"', "O'Malley"),
    ('"a ] ) [ ( and or not pr"', "a ] ) [ ( and or not pr"),
]


@pytest.mark.parametrize(("literal", "expected"), STRINGS, ids=[s[0] for s in STRINGS])
def test_strings_follow_json(literal: str, expected: str) -> None:
    tree = parse_filter(f"x eq {literal}")
    assert isinstance(tree, Comparison)
    assert tree.value == expected
    assert type(tree.value) is str
    assert parse_filter(str(tree)) == tree


NUMBERS = [
    ("0", 0),
    ("42", 42),
    ("-7", -7),
    ("-0", 0),
    ("12345678901234567890123", 12345678901234567890123),
    ("1.5", Decimal("1.5")),
    ("-0.25", Decimal("-0.25")),
    ("1e3", Decimal("1E+3")),
    ("1E3", Decimal("1E+3")),
    ("2.5e+10", Decimal("2.5e10")),
    ("1e-2", Decimal("0.01")),
    ("1.0", Decimal("1.0")),
    ("1e0", Decimal("1")),
    ("0.1", Decimal("0.1")),
]


@pytest.mark.parametrize(("literal", "expected"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_numbers_keep_int_and_decimal_apart(literal: str, expected: int | Decimal) -> None:
    tree = parse_filter(f"x gt {literal}")
    assert isinstance(tree, Comparison)
    assert type(tree.value) is type(expected)
    assert tree.value == expected
    again = parse_filter(str(tree))
    assert again == tree
    assert type(again.value) is type(expected)  # type: ignore[union-attr]


def test_datetime_values_stay_strings() -> None:
    tree = parse_filter('meta.lastModified gt "2011-05-13T04:42:34Z"')
    assert isinstance(tree, Comparison)
    assert tree.value == "2011-05-13T04:42:34Z"


def test_literal_types_are_distinct() -> None:
    one, true, decimal_one = (parse_filter(f"x eq {v}") for v in ("1", "true", "1.0"))
    assert one != true
    assert one != decimal_one
    assert true != decimal_one
    assert len({one, true, decimal_one}) == 3
    assert parse_filter("x eq 1.0") == parse_filter("x eq 1.00")


# --- Attribute paths -------------------------------------------------------------------------

ATTRIBUTE_PATHS = [
    ("userName", attr("userName")),
    ("name.familyName", attr("name", "familyName")),
    ("emails.value", attr("emails", "value")),
    ("x-custom_attr9", attr("x-custom_attr9")),
    ("members.$ref", attr("members", "$ref")),
    ("$ref", attr("$ref")),
    (f"{CORE_USER}:userName", attr("userName", schema=CORE_USER)),
    (f"{ENTERPRISE}:employeeNumber", attr("employeeNumber", schema=ENTERPRISE)),
    (f"{ENTERPRISE}:manager.value", attr("manager", "value", ENTERPRISE)),
    ("urn:x:y:attr", attr("attr", schema="urn:x:y")),
]


@pytest.mark.parametrize(("text", "expected"), ATTRIBUTE_PATHS, ids=[a[0] for a in ATTRIBUTE_PATHS])
def test_attribute_paths(text: str, expected: AttributePath) -> None:
    assert parse_filter(f"{text} pr") == Present(expected)
    assert parse_attribute_path(text) == expected
    assert parse_attribute_path(f"  {text} ") == expected
    assert str(expected) == text


def test_value_path_inner_paths_are_relative() -> None:
    tree = parse_filter(f'{ENTERPRISE}:manager[value eq "x"]')
    assert tree == ValuePath(attr("manager", schema=ENTERPRISE), cmp("value", "eq", "x"))
    tree = parse_filter('members[$ref eq "https://example.com/v2/Users/1"]')
    assert tree == ValuePath(attr("members"), cmp("$ref", "eq", "https://example.com/v2/Users/1"))


# --- Errors ----------------------------------------------------------------------------------

MALFORMED = [
    # (input, position, start of the message)
    ("", 0, "Filter is empty"),
    ("   ", 0, "Filter is empty"),
    ('userName foo "x"', 9, "Expected a comparison operator"),
    ('userNameeq"x"', 10, "Expected a comparison operator"),
    ("userName", 8, "Expected a comparison operator"),
    ('userName = "x"', 9, "Unexpected character '='"),
    ('userName == "x"', 9, "Unexpected character '='"),
    ("userName eq", 11, "Expected a value after 'eq'"),
    ("userName eq )", 12, "Expected a value after 'eq'"),
    ("userName eq bjensen", 12, "Expected a value after 'eq'"),
    ("userName eq 'bjensen'", 12, "Strings must be enclosed in double quotes"),
    ('userName eq "x" foo', 16, "Expected 'and', 'or' or the end of the filter"),
    ('userName eq "x" "y"', 16, "Expected 'and', 'or' or the end of the filter"),
    ('userName eq "x" and', 19, "Expected an attribute path, '(' or 'not ('"),
    ('userName eq "x" or or b pr', 22, "Expected a comparison operator"),
    ('and userName eq "x"', 4, "Expected a comparison operator"),
    ('"bjensen" eq userName', 0, "Expected an attribute path before the value"),
    ("42 eq x", 0, "Expected an attribute path before the value"),
    ('title pr "x"', 9, "The 'pr' operator takes no value"),
    ("title pr true", 9, "The 'pr' operator takes no value"),
    ("title pr 1", 9, "The 'pr' operator takes no value"),
    ("(title pr", 0, "Unclosed '('"),
    ("((title pr)", 0, "Unclosed '('"),
    ("not (title pr", 4, "Unclosed '('"),
    ("title pr)", 8, "Unmatched ')'"),
    ("(title pr))", 10, "Unmatched ')'"),
    ("()", 1, "Expected an attribute path, '(' or 'not ('"),
    ("(", 1, "Expected an attribute path, '(' or 'not ('"),
    (")", 0, "Expected an attribute path, '(' or 'not ('"),
    ("not title pr", 4, "Expected '(' after 'not'"),
    ('not "x"', 4, "Expected '(' after 'not'"),
    ('emails[type eq "work"', 6, "Unclosed '['"),
    ('emails[type eq "work"]]', 22, "Unmatched ']'"),
    ('emails[type eq "work")', 21, "Expected 'and', 'or' or ']'"),
    ("(emails pr]", 10, "Expected 'and', 'or' or ')'"),
    ("emails[]", 7, "Expected a sub-attribute name of 'emails', '(' or 'not ('"),
    ('[type eq "work"]', 0, "Expected an attribute path, '(' or 'not ('"),
    ('emails[type[value eq "x"] eq "y"]', 11, "Value filters cannot be nested"),
    ('emails[(type[value eq "x"])]', 12, "Value filters cannot be nested"),
    ('emails[type eq "work"].value eq "x"', 22, "A sub-attribute after ']'"),
    ('emails[emails.type eq "work"]', 7, "Expected the name of a sub-attribute of 'emails'"),
    (f'emails[{CORE_USER}:type eq "work"]', 7, "Expected the name of a sub-attribute"),
    ('name.familyName[value eq "x"]', 15, "'[' must follow a multi-valued attribute"),
    ("a.b.c pr", 0, "Invalid attribute path 'a.b.c'"),
    ("name. pr", 0, "Invalid attribute name 'name.'"),
    ("a-b.-c pr", 0, "Invalid attribute name 'a-b.-c'"),
    ("$foo pr", 0, "Invalid attribute name '$foo'"),
    ("foo:bar pr", 0, "Invalid schema URN 'foo'"),
    ("urn: pr", 0, "Invalid schema URN 'urn'"),
    (f"{CORE_USER}: pr", 43, "Expected an attribute name after the schema URN"),
    (f"{CORE_USER}:9lives pr", 43, "Invalid attribute name '9lives'"),
    ('x eq "a\\qb"', 7, "Invalid escape sequence '\\q' in string"),
    ('x eq "a\\u00g1"', 7, "Invalid \\u escape in string"),
    ('x eq "a\\', 5, "Unterminated string"),
    ('x eq "abc', 5, "Unterminated string"),
    ('x eq "a\nb"', 7, "Control character U+000A must be escaped"),
    ('x eq "\\ud83d"', 5, "Invalid string: it holds an unpaired UTF-16 surrogate"),
    ('x eq "\\ude00\\ud83d"', 5, "Invalid string: it holds an unpaired UTF-16 surrogate"),
    ("x eq 01", 5, "Invalid number '01'"),
    ("x eq 1.", 5, "Invalid number '1.'"),
    ("x eq .5", 5, "Expected a value after 'eq'"),
    ("x eq 1e", 5, "Invalid number '1e'"),
    ("x eq +1", 5, "Invalid number '+1'"),
    ("x eq -", 5, "Invalid number '-'"),
    ("x eq 12abc", 5, "Invalid number '12abc'"),
    ("x eq 0x1F", 5, "Invalid number '0x1F'"),
    ("x eq NaN", 5, "Expected a value after 'eq'"),
    ("x eq 1" + "0" * 5000, 5, "Number 1000000"),
    ("x eq 1e99999999999999999999", 5, "Number 1e9999"),
    ("x eq truex", 5, "Expected a value after 'eq'"),
    ("a pr && b pr", 5, "Unexpected character '&'"),
    ("a pr || b pr", 5, "Unexpected character '|'"),
    ("a\u00a0pr", 1, "Unexpected character U+00A0"),
    ("a pr \x00", 5, "Unexpected character U+0000"),
    ("a pr #", 5, "Unexpected character '#'"),
    ("userName eq \u201cx\u201d", 12, "Unexpected character '\u201c'"),
]


@pytest.mark.parametrize(
    ("text", "position", "message"), MALFORMED, ids=[m[0][:40] for m in MALFORMED]
)
def test_malformed_filters(text: str, position: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text)
    error = caught.value
    assert error.message.startswith(message)
    assert error.position == position
    assert error.text == text
    assert str(error).startswith(f"{error.message} at position {position}: '")


MALFORMED_PATHS = [
    ("", 0, "Path is empty"),
    ("  ", 0, "Path is empty"),
    ('"members"', 0, "Expected an attribute path"),
    ("members value", 8, "Expected '[' or the end of the path"),
    ("members pr", 8, "Expected '[' or the end of the path"),
    ("emails[", 7, "Expected a sub-attribute name of 'emails'"),
    ('emails[type eq "work"', 6, "Unclosed '['"),
    ('emails[type eq "work"]]', 22, "Expected '.' and a sub-attribute, or the end of the path"),
    ('emails[type eq "work"] value', 23, "Expected '.' and a sub-attribute"),
    ('emails[type eq "work"].', 23, "Expected a sub-attribute name right after '.'"),
    ('emails[type eq "work"]. value', 24, "Expected a sub-attribute name right after '.'"),
    ('emails[type eq "work"] .value', 23, "Expected '.' right after ']'"),
    ('emails[type eq "work"].value.x', 23, "Expected a sub-attribute name right after '.'"),
    ('emails[type eq "work"].value[', 28, "Expected the end of the path"),
    ('emails[type eq "work"].9', 23, "Expected a sub-attribute name right after '.'"),
    ('name.familyName[type eq "work"]', 15, "'[' must follow a multi-valued attribute"),
    ('emails[type[value eq "x"] eq "y"]', 11, "Value filters cannot be nested"),
    ("members..value", 0, "Invalid attribute path 'members..value'"),
    ("(members)", 0, "Expected an attribute path"),
]


@pytest.mark.parametrize(
    ("text", "position", "message"), MALFORMED_PATHS, ids=[m[0] or "empty" for m in MALFORMED_PATHS]
)
def test_malformed_paths(text: str, position: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_path(text)
    assert caught.value.message.startswith(message)
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("", 0, "Expected an attribute path"),
        ("a b", 2, "Expected the end of the attribute path"),
        ("a.b.c", 0, "Invalid attribute path"),
        ('"a"', 0, "Expected an attribute path"),
        ("a!", 1, "Unexpected character '!'"),
    ],
)
def test_malformed_attribute_paths(text: str, position: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_attribute_path(text)
    assert caught.value.message.startswith(message)
    assert caught.value.position == position


def test_error_contract() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter('userName foo "x"')
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error) == "Expected a comparison operator at position 9: 'userName foo \"x\"'"
    assert error.message == "Expected a comparison operator"
    assert error.position == 9
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.message, copy.position, copy.text) == (error.message, 9, error.text)


def test_error_excerpt_of_long_input() -> None:
    text = "a" * 500 + " eq"
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text)
    error = caught.value
    assert error.position == 503
    assert len(error.excerpt) < 100
    assert error.excerpt.startswith("...")
    assert error.excerpt.endswith(" eq")
    assert str(error).endswith(f"'{error.excerpt}'")


def test_the_earliest_error_is_reported() -> None:
    # The lexer cannot read the end, but the parser fails first.
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter('userName foo "x\\q"')
    assert caught.value.position == 9


def test_non_strings_are_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_filter(b'userName eq "x"')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_path(None)  # type: ignore[arg-type]


# --- Limits ----------------------------------------------------------------------------------


def test_max_length() -> None:
    text = 'userName eq "x"'
    assert parse_filter(text.ljust(DEFAULT_MAX_LENGTH)) == cmp("userName", "eq", "x")
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text.ljust(DEFAULT_MAX_LENGTH + 1))
    assert caught.value.position == DEFAULT_MAX_LENGTH
    assert caught.value.message == "Filter is longer than the maximum of 10000 characters"
    with pytest.raises(FilterSyntaxError, match="maximum of 10 characters"):
        parse_filter(text, max_length=10)
    with pytest.raises(FilterSyntaxError, match="Path is longer"):
        parse_path("members", max_length=3)
    assert parse_filter("x" * 20_000 + " pr", max_length=30_000) == pr("x" * 20_000)


def test_huge_input_is_rejected_fast() -> None:
    text = "(" * 100_000
    start = time.perf_counter()
    for _ in range(100):
        with pytest.raises(FilterSyntaxError):
            parse_filter(text)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("(", ")"), ("not (", ")"), ("(not (", "))")],
)
def test_max_depth(opening: str, closing: str) -> None:
    def nested(depth: int) -> str:
        return opening * depth + "a pr" + closing * depth

    levels = opening.count("(")
    assert parse_filter(nested(DEFAULT_MAX_DEPTH // levels))
    with pytest.raises(FilterSyntaxError, match="Too deeply nested") as caught:
        parse_filter(nested(DEFAULT_MAX_DEPTH // levels + 1))
    assert caught.value.text[caught.value.position] == "("
    assert caught.value.text[: caught.value.position].count("(") == DEFAULT_MAX_DEPTH
    with pytest.raises(FilterSyntaxError, match="limit is 3 levels"):
        parse_filter(nested(4 // levels + 1), max_depth=3)


def test_brackets_count_towards_depth() -> None:
    assert parse_filter("((emails[(type pr)]))", max_depth=4)
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("((emails[(type pr)]))", max_depth=3)
    assert caught.value.position == 9
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("((emails[(type pr)]))", max_depth=2)
    assert caught.value.position == 8
    with pytest.raises(FilterSyntaxError):
        parse_path('emails[type eq "work"]', max_depth=0)
    assert parse_path('emails[(type eq "work")]', max_depth=2)
    with pytest.raises(FilterSyntaxError):
        parse_path('emails[(type eq "work")]', max_depth=1)


@pytest.mark.parametrize("depth", [500, 2000])
def test_deep_nesting_never_recurses(depth: int) -> None:
    for opening, closing in [("(", ")"), ("not (", ")")]:
        text = opening * depth + "a pr" + closing * depth
        tree = parse_filter(text, max_length=100_000, max_depth=10_000)
        if opening == "(":
            assert tree == A
        else:
            assert str(tree) == text  # rendering is iterative too
        with pytest.raises(FilterSyntaxError, match="Too deeply nested"):
            parse_filter(text, max_length=100_000)
        with pytest.raises(FilterSyntaxError, match="Unclosed"):
            parse_filter(opening * depth + "a pr", max_length=100_000, max_depth=10_000)
    text = "emails[" + "(" * depth + "type pr" + ")" * depth + "]"
    assert parse_path(text, max_length=100_000, max_depth=10_000) == PatchPath(
        "emails", value_filter=pr("type")
    )


def test_long_flat_filters() -> None:
    text = " or ".join(f'a{i} eq "{i}"' for i in range(600))
    tree = parse_filter(text)
    assert isinstance(tree, Or)
    assert len(tree.operands) == 600
    assert str(tree) == text


# --- Nodes -----------------------------------------------------------------------------------


def test_nodes_are_immutable_and_hashable() -> None:
    tree = parse_filter('emails[type eq "work"] and not (a pr or b pr)')
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.operands = ()  # type: ignore[misc, union-attr]
    assert hash(tree) == hash(parse_filter(str(tree)))
    assert not hasattr(tree, "__dict__")
    assert parse_filter('emails[type eq "work"]') is parse_filter('emails[type eq "work"]')


def test_logical_nodes_flatten_and_need_two_operands() -> None:
    assert And((And((A, B)), And((C, D)))) == And((A, B, C, D))
    assert Or((A, Or((B, C)))).operands == (A, B, C)
    assert And((Or((A, B)), C)).operands == (Or((A, B)), C)
    with pytest.raises(ValueError, match="at least two"):
        And((A,))
    with pytest.raises(ValueError, match="at least two"):
        Or(())


def test_node_validation() -> None:
    with pytest.raises(ValueError, match="Unknown comparison operator"):
        Comparison(attr("a"), "EQ", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bare schema URN"):
        PatchPath(None)
    with pytest.raises(ValueError, match="bare schema URN"):
        PatchPath(None, "value", ENTERPRISE)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-3, "-3"),
        (Decimal("1"), "1.0"),
        (Decimal("-0"), "-0.0"),
        (Decimal("1.50"), "1.50"),
        (Decimal("1E+3"), "1E+3"),
        ('a"b\\c\n', '"a\\"b\\\\c\\n"'),
        ("Éclair 😀", '"Éclair 😀"'),
    ],
)
def test_render_value(value: object, text: str) -> None:
    assert render_value(value) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), 1.5, object()])
def test_render_value_refuses_what_json_cannot_say(value: object) -> None:
    with pytest.raises(ValueError, match="is not a SCIM filter value"):
        render_value(value)  # type: ignore[arg-type]


def test_str_parenthesises_only_where_needed() -> None:
    assert str(And((Or((A, B)), Or((C, D))))) == "(a pr or b pr) and (c pr or d pr)"
    assert str(Or((And((A, B)), And((C, D))))) == "a pr and b pr or c pr and d pr"
    assert str(Not(And((A, B)))) == "not (a pr and b pr)"
    assert str(ValuePath(attr("emails"), Or((WORK, pr("value"))))) == (
        'emails[type eq "work" or value pr]'
    )


# --- Packaging -------------------------------------------------------------------------------


def test_the_package_does_not_import_django() -> None:
    package = Path(__file__).parents[2] / "drf_scim" / "filter_language"
    modules = sorted(package.glob("*.py"))
    assert modules
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(), str(module))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root in {
                    "__future__",
                    "collections",
                    "dataclasses",
                    "decimal",
                    "functools",
                    "json",
                    "re",
                    "typing",
                }, f"{module.name} imports {name}"
