"""``add`` to a multi-valued attribute finds "the value already there" in constant time.

RFC 7644 §3.5.2.1: "If the target location already contains the value specified, no
changes SHOULD be made to the resource". Which values are "the same" is documented in
docs/architecture/patch.md: the same ``value`` and, when both have one, the same
``type``, compared as a filter's ``eq`` compares them (RFC 7644 §3.4.2.2); whole values
otherwise. Comparing each new value with every stored one made a PATCH adding 2,000
e-mails (45 KB) take longer than a worker's timeout; the engine now files values under
their :func:`drf_scim.comparisons.equality_key`.

The same index selects the values of a filter with ``value eq`` (RFC 7644 §3.5.2), so
that N ``remove`` or ``replace`` operations naming one value each are linear too.

These tests check that the index gives the answers of the value-by-value comparison
(``patch._same`` and ``paths.value_matches``, kept as the reference), that operations of
one request do what they do one request at a time, and that the work grows linearly:
they count calls, never time.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim import comparisons, patch
from drf_scim.characteristics import AttributeType
from drf_scim.comparisons import equality_key, matches
from drf_scim.constants import PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, USER, Attribute
from drf_scim.errors import SCIMError
from drf_scim.patch import apply_patch, parse_patch_request
from drf_scim.validation import ResourceSchemas

USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def patched(document, message, *, strict=False):
    return apply_patch(document, parse_patch_request(message, USERS, strict=strict), USERS)


# -- equality keys agree with eq (RFC 7644 §3.4.2.2) ------------------------------------------

DEFINITIONS = [
    Attribute("s"),
    Attribute("exact", case_exact=True),
    Attribute("r", AttributeType.REFERENCE),
    Attribute("d", AttributeType.DATETIME),
    Attribute("b", AttributeType.BOOLEAN),
    Attribute("i", AttributeType.INTEGER),
    Attribute("f", AttributeType.DECIMAL),
]
TEXTS = st.sampled_from(
    ["a", "A", "ß", "SS", "ss", "", " ", "Straße", "STRASSE", "é", "É", "1", "1.0", "true"]
) | st.text(max_size=4)
INSTANTS = st.sampled_from(
    [
        "2010-01-23T04:56:22Z",
        "2010-01-23T05:56:22+01:00",
        "2010-01-23T04:56:22.000Z",
        "2010-01-23T04:56:22",
        "2010-01-23",
        "not a date",
    ]
)
STORED = st.one_of(
    st.none(),
    TEXTS,
    INSTANTS,
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 1.5, -0.0, float("nan"), float("inf")]),
    st.just([]),
    st.just({}),
    st.just(["a"]),
)
LITERALS = st.one_of(
    TEXTS,
    INSTANTS,
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 1.5, float("nan")]),
)


def literal_fits(definition, literal):
    """A literal of the JSON type validation gives the attribute."""
    kind = comparisons.COMPARISONS[definition.type].comparing
    if kind in (comparisons.Comparing.TEXT, comparisons.Comparing.INSTANT):
        return isinstance(literal, str)
    if kind is comparisons.Comparing.BOOLEAN:
        return isinstance(literal, bool)
    return isinstance(literal, (int, float)) and not isinstance(literal, bool)


@SETTINGS
@given(st.sampled_from(DEFINITIONS), STORED, LITERALS)
def test_rfc7644_3_4_2_2_equality_key_agrees_with_eq(definition, actual, literal):
    """Two keys are equal (and not None) exactly when ``actual eq literal`` holds."""
    if not literal_fits(definition, literal):
        return
    left, right = equality_key(definition, actual), equality_key(definition, literal)
    same = left is not None and left == right
    assert same == matches(definition, actual, "eq", literal)


def test_rfc7644_3_4_2_2_equality_key_folds_case_unless_case_exact():
    assert equality_key(Attribute("s"), "BJensen@Example.com") == "bjensen@example.com"
    assert equality_key(Attribute("s", case_exact=True), "BJensen") == "BJensen"
    assert equality_key(Attribute("s"), "") is None  # RFC 7643 §2.5: unassigned
    assert equality_key(Attribute("i", AttributeType.INTEGER), Decimal("NaN")) is None


# -- the index gives the answers of the value-by-value comparison -----------------------------

EMAIL_VALUES = st.sampled_from(["a@x", "A@X", "b@x", "c@x", ""])
TYPES = st.sampled_from(["work", "Work", "home", ""]) | st.none()
STORED_EMAIL = st.one_of(
    st.fixed_dictionaries(
        {"value": EMAIL_VALUES},
        optional={"type": TYPES, "primary": st.booleans(), "display": st.sampled_from(["d", "D"])},
    ),
    st.fixed_dictionaries({}, optional={"type": TYPES, "primary": st.booleans()}),
    st.sampled_from(["a@x", 5, None]),  # garbage a stored document might hold
)
NEW_EMAIL = st.one_of(
    st.fixed_dictionaries(
        {"value": EMAIL_VALUES.filter(bool)},
        optional={
            "type": TYPES.filter(bool),
            "primary": st.booleans(),
            "display": st.sampled_from(["d", "D"]),
        },
    ),
    st.fixed_dictionaries({"type": TYPES.filter(bool)}, optional={"primary": st.booleans()}),
)
EMAILS = USER.get("emails")
ADDRESSES = USER.get("addresses")
NEW_ADDRESS = st.one_of(
    st.fixed_dictionaries(
        {"locality": st.sampled_from(["Hollywood", "hollywood"])},
        optional={"type": st.sampled_from(["work", "home"]), "primary": st.booleans()},
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["work", "home"])}, optional={"primary": st.booleans()}
    ),
)


def reference_merge(attribute, values, new, label):
    """The value-by-value merge: each new value compared with every stored one."""
    touched = []
    for item in new:
        index = next((i for i, old in enumerate(values) if patch._same(attribute, old, item)), None)
        if index is None:
            values.append(item)
            touched.append(item)
        elif isinstance(item, dict) and isinstance(values[index], dict):
            before = dict(values[index])
            values[index].update(item)
            patch._guard_element(attribute, before, values[index], label)
            touched.append(values[index])
    winner = next((v for v in touched if isinstance(v, dict) and v.get("primary") is True), None)
    for value in values:  # RFC 7643 §2.4
        if (
            winner is not None
            and value is not winner
            and isinstance(value, dict)
            and value.get("primary") is True
        ):
            value["primary"] = False
    return values


@SETTINGS
@given(
    st.lists(STORED_EMAIL, max_size=8),
    st.lists(st.lists(NEW_EMAIL, min_size=1, max_size=4), min_size=1, max_size=4),
)
def test_rfc7644_3_5_2_1_index_finds_what_a_scan_finds_emails(stored, batches):
    """Several ``add``s on one index: the values a scan would leave, in the same order."""
    expected = copy.deepcopy(stored)
    index = patch._ValueIndex(EMAILS, copy.deepcopy(stored))
    for batch in batches:
        reference_merge(EMAILS, expected, copy.deepcopy(batch), "emails")
        index.settle_primary(index.merge(copy.deepcopy(batch), "emails"))
    assert index.values == expected


@SETTINGS
@given(
    st.lists(NEW_ADDRESS | st.just("garbage"), max_size=6),
    st.lists(st.lists(NEW_ADDRESS, min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_rfc7644_3_5_2_1_index_finds_what_a_scan_finds_whole_values(stored, batches):
    """``addresses`` has no ``value``: a value is the same only when wholly equal."""
    expected = copy.deepcopy(stored)
    index = patch._ValueIndex(ADDRESSES, copy.deepcopy(stored))
    for batch in batches:
        reference_merge(ADDRESSES, expected, copy.deepcopy(batch), "addresses")
        index.settle_primary(index.merge(copy.deepcopy(batch), "addresses"))
    assert index.values == expected


def test_rfc7644_3_5_2_1_add_an_existing_value_changes_nothing_case_folded():
    """``A@X`` is ``a@x`` (``emails.value`` is not caseExact): updated, not appended."""
    document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": [{"value": "a@x"}]}
    message = body(
        {"op": "add", "path": "emails", "value": [{"value": "A@X", "type": "work"}]},
        {"op": "add", "path": "emails", "value": [{"value": "a@X", "type": "home"}]},
        {"op": "add", "path": "emails", "value": [{"value": "A@x", "type": "Work"}]},
    )
    assert patched(document, message)["emails"] == [
        {"value": "A@x", "type": "Work"},
        {"value": "a@X", "type": "home"},
    ]


def test_rfc7644_3_5_2_1_index_follows_other_operations_on_the_attribute():
    """A ``remove`` or ``replace`` between two ``add``s: the next ``add`` sees its result."""
    document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": [{"value": "a@x"}]}
    message = body(
        {"op": "add", "path": "emails", "value": [{"value": "b@x", "type": "work"}]},
        {"op": "remove", "path": 'emails[value eq "a@x"]'},
        {"op": "add", "path": "emails", "value": [{"value": "a@x"}]},
        {"op": "replace", "path": 'emails[value eq "b@x"].type', "value": "home"},
        {"op": "add", "path": "emails", "value": [{"value": "b@x", "type": "work"}]},
        {"op": "add", "path": "emails", "value": [{"value": "a@x", "primary": True}]},
    )
    assert patched(document, message)["emails"] == [
        {"value": "b@x", "type": "home"},
        {"value": "a@x", "primary": True},
        {"value": "b@x", "type": "work"},
    ]


# -- linear work: counted, not timed -------------------------------------------------------


class Counter:
    def __init__(self, function):
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


@pytest.fixture
def comparisons_made(monkeypatch):
    """Counts the comparable forms of text values computed (RFC 7644 §3.4.2.2).

    Comparing two values and filing one under its key both compute them: the count is
    the engine's comparison work, whichever way it compares.
    """
    counter = Counter(comparisons.comparable)
    monkeypatch.setattr(comparisons, "comparable", counter)
    return lambda: counter.calls


def emails(count, start=0):
    return [{"value": f"user{i}@example.com", "type": "work"} for i in range(start, start + count)]


def one_operation(count):
    return body({"op": "add", "path": "emails", "value": emails(count)})


def one_value_per_operation(count):
    return body(*({"op": "Add", "path": "emails", "value": emails(1, i)} for i in range(count)))


@pytest.mark.parametrize("message", [one_operation, one_value_per_operation])
def test_rfc7644_3_5_2_1_adding_n_values_makes_linearly_many_comparisons(comparisons_made, message):
    """Twice the values, twice the comparisons (a scan per value made it four times).

    The stored document already holds 300 e-mails, some of which are sent again.
    """
    document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": emails(300, 5000)}
    work = {}
    for count in (400, 800):
        before = comparisons_made()
        result = patched(document, message(count))
        work[count] = comparisons_made() - before
        assert len(result["emails"]) == 300 + count
    assert work[800] <= 2.2 * work[400]
    assert work[400] <= 20 * (300 + 400)  # a few keys per value, not one per pair


# -- value filters through the index (RFC 7644 §3.5.2) ----------------------------------------

FILTERS = [
    'value eq "A@X"',
    'value eq "a@x" and type eq "work"',
    'type eq "Work" and value eq "b@x"',
    'type eq "work"',
    'value co "@"',
    'not (value eq "a@x")',
    'value eq "a@x" or value eq "b@x"',
    'value eq "a@x" or (value eq "B@x" and type eq "work") or value eq "c@x"',
    'value eq "a@x" or type eq "home"',
    'value eq "" or value eq "a@x"',
    "value pr",
]


def value_filter(text):
    from drf_scim.filter_language import parse_path

    return parse_path(f"emails[{text}]").value_filter


@SETTINGS
@given(st.lists(STORED_EMAIL, max_size=10), st.sampled_from(FILTERS))
def test_rfc7644_3_5_2_index_selects_what_a_scan_selects(stored, text):
    """``matching`` looks in one bucket for ``value eq``, and must find what a scan does."""
    node = value_filter(text)
    index = patch._ValueIndex(EMAILS, copy.deepcopy(stored))
    scan = [i for i, v in enumerate(stored) if patch.value_matches(node, v, EMAILS)]
    assert index.matching(node) == scan


OPERATIONS = st.sampled_from(
    [
        {"op": "add", "path": "emails", "value": [{"value": "a@x", "type": "work"}]},
        {"op": "add", "path": "emails", "value": [{"value": "B@X", "primary": True}]},
        {"op": "add", "path": "emails", "value": [{"value": "c@x"}, {"value": "A@x"}]},
        {"op": "remove", "path": 'emails[value eq "a@x"]'},
        {"op": "remove", "path": 'emails[value eq "b@x" and type eq "home"]'},
        {"op": "remove", "path": 'emails[value eq "c@x"].type'},
        {"op": "replace", "path": 'emails[value eq "b@x"].type', "value": "home"},
        {"op": "replace", "path": 'emails[value eq "a@x"]', "value": {"value": "d@x"}},
        {"op": "add", "path": 'emails[value eq "d@x"].primary', "value": True},
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "w@x"},
        {"op": "replace", "value": {"emails": [{"value": "a@x"}, {"value": "b@x"}]}},
        {"op": "remove", "path": "emails"},
        {"op": "remove", "path": "emails", "value": [{"value": "a@x"}, {"value": "B@x"}]},
    ]
)


def outcome(document, operations):
    try:
        return patched(document, body(*operations))
    except SCIMError as exc:  # e.g. noTarget: a replace whose filter matches nothing
        return type(exc)


@SETTINGS
@given(
    st.lists(STORED_EMAIL.filter(lambda e: isinstance(e, dict)), max_size=6),
    st.lists(OPERATIONS, min_size=1, max_size=8),
)
def test_rfc7644_3_5_2_operations_of_one_request_see_each_other(stored, operations):
    """The index kept from one operation to the next changes nothing: N operations in
    one request do what they do sent one request at a time ("each operation ... applied
    in sequence", §3.5.2)."""
    document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": stored}
    expected = document
    for operation in operations:
        expected = outcome(expected, [operation])
        if isinstance(expected, type):
            break
    assert outcome(document, operations) == expected


@pytest.mark.parametrize(
    ("operation", "left"),
    [
        (lambda i: {"op": "remove", "path": f'emails[value eq "user{i}@example.com"]'}, 0),
        (
            lambda i: {
                "op": "replace",
                "path": f'emails[value eq "USER{i}@example.com"].type',
                "value": "home",
            },
            1,
        ),
    ],
    ids=["remove", "replace"],
)
def test_rfc7644_3_5_2_n_filtered_operations_make_linearly_many_comparisons(
    comparisons_made, operation, left
):
    """N operations selecting one value each by ``value eq`` on N values: twice N, twice
    the comparisons (evaluating each filter on every value made it four times)."""
    work = {}
    for count in (400, 800):
        document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": emails(count)}
        message = body(*(operation(i) for i in range(count)))
        before = comparisons_made()
        result = patched(document, message)
        work[count] = comparisons_made() - before
        assert len(result.get("emails", [])) == left * count
    assert work[800] <= 2.2 * work[400]


def test_rfc7644_3_5_2_2_entra_remove_of_listed_values_is_linear(comparisons_made):
    """Entra ID's ``remove`` with a list of values, read as ``value eq ... or ...``
    (drf_scim.normalization): each value is looked up, not compared with every value."""
    work = {}
    for count in (400, 800):
        document = {"schemas": [USER_SCHEMA], "userName": "b", "emails": emails(count)}
        listed = [{"value": e["value"]} for e in emails(count)]
        message = body({"op": "Remove", "path": "emails", "value": listed})
        before = comparisons_made()
        assert "emails" not in patched(document, message)
        work[count] = comparisons_made() - before
    assert work[800] <= 2.2 * work[400]
