"""The IdP dialect layer (drf_scim.normalization), each rule with the client that needs it."""

from __future__ import annotations

import copy

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from drf_scim import normalization as n
from drf_scim.constants import PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, GROUP, USER, ResourceSchemas
from drf_scim.errors import InvalidValueError, SCIMError
from drf_scim.patch import apply_patch, parse_patch_request
from drf_scim.validation import validate_document
from tests.conftest import load_sample

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
GROUPS = ResourceSchemas(GROUP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("True", True), ("false", False), (" TRUE ", True), (True, True), ("yes", "yes"), (1, 1)],
)
def test_coerce_boolean_entra_strings(value, expected):
    assert n.coerce_boolean(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, "42"), (42.0, "42"), (4.5, 4.5), (True, True), ("x", "x"), (None, None)],
)
def test_coerce_string_numbers(value, expected):
    assert n.coerce_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("-7", -7), (3.0, 3), ("4.5", "4.5"), ("1" * 40, "1" * 40), ("x", "x")],
)
def test_coerce_integer(value, expected):
    assert n.coerce_integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("4.5", 4.5), ("1e3", 1000.0), ("NaN", "NaN"), ("x", "x"), (2, 2)]
)
def test_coerce_decimal(value, expected):
    assert n.coerce_decimal(value) == expected


def test_as_list_and_as_complex():
    assert n.as_list({"value": "a"}) == [{"value": "a"}]
    assert n.as_list(["a"]) == ["a"]
    assert n.as_complex("26118915", has_value_sub_attribute=True) == {"value": "26118915"}
    assert n.as_complex("x", has_value_sub_attribute=False) == "x"
    assert n.as_complex(True, has_value_sub_attribute=True) is True


def test_nest_qualified_keys_entra_extension_attributes():
    data = {
        "userName": "x",
        f"{ENTERPRISE}:department": "R&D",
        ENTERPRISE.upper(): {"costCenter": "1"},
        f"{ENTERPRISE.lower()}:manager": "m",
    }
    assert n.nest_qualified_keys(data, [ENTERPRISE]) == {
        "userName": "x",
        ENTERPRISE: {"department": "R&D", "costCenter": "1", "manager": "m"},
    }


def test_nest_qualified_keys_leaves_plain_documents_alone():
    data = {"userName": "x", ENTERPRISE: {"department": "R&D"}}
    assert n.nest_qualified_keys(data, [ENTERPRISE]) is data


def test_as_single_unwraps_one_element_lists_entra_manager():
    assert n.as_single([{"value": "m"}]) == {"value": "m"}
    assert n.as_single(["a", "b"]) == ["a", "b"]
    assert n.as_single("a") == "a"
    assert n.as_single([["a"]]) == [["a"]]  # read twice, it would become "a"


# -- documents (RFC 7643 §2): normalize_document, then strict validation -------------------


def normalized_document(data, schemas=USERS):
    """The layer's output, which strict validation must accept."""
    original = copy.deepcopy(data)
    result = n.normalize_document(data, schemas)
    assert data == original  # the input is left alone
    assert n.normalize_document(result, schemas) == result  # nothing left to read
    assert validate_document(result, schemas, strict=True) == validate_document(data, schemas)
    return result


def test_rfc7643_8_2_full_user_is_left_as_sent():
    user = load_sample("rfc7643-8.2-user-full.json")
    assert normalized_document(user) == user


def test_rfc7643_2_3_entra_id_user_values():
    """Entra ID: ``"True"`` for booleans, numbers for strings, a bare id for ``manager``,
    extension attributes as URN-qualified keys (see the module docstring)."""
    data = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": 1234,
        "active": "True",
        "emails": {"value": "a@example.com", "primary": "true"},
        f"{ENTERPRISE}:employeeNumber": 701984,
        f"{ENTERPRISE}:manager": "26118915",
    }
    assert normalized_document(data) == {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": "1234",
        "active": True,
        "emails": [{"value": "a@example.com", "primary": True}],
        ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "26118915"}},
    }


def test_rfc7643_2_4_lenient_readings():
    """Without ``STRICT``: no ``schemas``, unknown attributes and sub-attributes dropped,
    the first of two primary values kept, a one-element list for a single value."""
    data = {
        "userName": "b",
        "nope": 1,
        "name": [{"givenName": "B", "nick": "x"}],
        "emails": [
            {"value": "a@example.com", "primary": True},
            None,
            {"value": "b@example.com", "primary": True},
        ],
        ENTERPRISE: {"department": "R&D", "nope": 1},
        "id": ["read-only", "left alone"],
    }
    assert normalized_document(data) == {
        "schemas": [USER_SCHEMA],
        "userName": "b",
        "name": {"givenName": "B"},
        "emails": [
            {"value": "a@example.com", "primary": True},
            None,  # kept: positions in error messages are those of the request
            {"value": "b@example.com", "primary": False},
        ],
        ENTERPRISE: {"department": "R&D"},
        "id": ["read-only", "left alone"],
    }


def test_rfc7643_2_3_what_cannot_be_read_is_passed_on():
    """Strict validation then refuses it, naming the attribute (RFC 7644 §3.12)."""
    data = {"userName": "b", "active": "maybe", "emails": [{"value": ["x", "y"]}], ENTERPRISE: 5}
    assert n.normalize_document(data, USERS) == {"schemas": [USER_SCHEMA], **data}
    assert n.normalize_document([1], USERS) == [1]
    with pytest.raises(InvalidValueError, match="active: expected a boolean"):
        validate_document(data, USERS)


# -- PATCH requests (RFC 7644 §3.5.2) -------------------------------------------------------


def patch_op(*operations, **extra):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations), **extra}


def applied(document, message, schemas, *, strict):
    try:
        operations = parse_patch_request(message, schemas, strict=strict)
        return apply_patch(document, operations, schemas, strict=strict)
    except SCIMError as exc:
        return type(exc)


def normalized(message, schemas=USERS):
    """The layer's output, which must be an RFC request: the strict parser accepts it, and
    read strictly it does to a resource what the request as sent does."""
    original = copy.deepcopy(message)
    result = n.normalize_patch_request(message, schemas)
    assert message == original  # the input is left alone
    assert n.normalize_patch_request(result, schemas) == result  # nothing left to read
    parse_patch_request(result, schemas, strict=True)
    if schemas is USERS:
        document = load_sample("rfc7643-8.2-user-full.json")
    else:
        document = {"displayName": "G", "members": [{"value": "u1"}, {"value": "u3"}]}
    expected = applied(document, message, schemas, strict=False)
    assert applied(document, result, schemas, strict=True) == expected
    return result


def test_rfc7644_3_5_2_request_is_left_as_sent():
    message = patch_op(
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "x@example.com"},
        {"op": "remove", "path": "nickName"},
        {"op": "replace", "value": {"title": "CEO", ENTERPRISE: {"department": "R&D"}}},
    )
    assert normalized(message) == message


def test_rfc7644_3_5_2_entra_id_capitalised_op_names():
    """Entra's SCIM tutorial: it "emits the values of op as Add, Replace, and Remove"."""
    message = patch_op(
        {"op": "Replace", "path": "title", "value": "x"},
        {"op": " ADD ", "path": "nickName", "value": "B"},
        {"op": "Remove", "path": "title"},
    )
    assert [o["op"] for o in normalized(message)["Operations"]] == ["replace", "add", "remove"]


def test_rfc7644_3_5_2_3_entra_id_path_keys_in_a_path_less_value():
    """Entra ID with ``aadOptscim062020`` ("Requests to replace multiple attributes")."""
    message = patch_op(
        {
            "op": "Replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                f"{ENTERPRISE}:employeeNumber": "Aklq",
                'emails[type eq "work"].value': "w@example.com",
                "name.nope": "dropped",
                "bad key": "dropped",
            },
        }
    )
    assert normalized(message)["Operations"] == [
        {"op": "replace", "value": {"displayName": "Bjfe"}},
        {"op": "replace", "path": "name.givenName", "value": "Kkom"},
        {"op": "replace", "path": f"{ENTERPRISE}:employeeNumber", "value": "Aklq"},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@example.com"},
    ]
    only_paths = patch_op({"op": "add", "value": {"name.givenName": "K"}})
    assert normalized(only_paths)["Operations"] == [
        {"op": "add", "path": "name.givenName", "value": "K"}
    ]


def test_rfc7644_3_5_2_2_entra_id_remove_with_listed_values():
    """Entra ID without the flag ("Requests made to remove a group member") and JumpCloud:
    ``remove`` on ``members`` with ``value``, read as the RFC's value filter."""
    message = patch_op(
        {"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]},
        {"op": "remove", "path": "members", "value": {"value": "u3", "display": "ignored"}},
        {"op": "remove", "path": "displayName", "value": "ignored"},
        {"op": "remove", "path": "members", "value": []},
    )
    assert normalized(message, GROUPS)["Operations"] == [
        {"op": "remove", "path": 'members[value eq "u1" or value eq "u2"]'},
        {"op": "remove", "path": 'members[value eq "u3"]'},
        {"op": "remove", "path": "displayName"},
        {"op": "add", "value": {}},  # nothing listed: the RFC's no-op
    ]
    with pytest.raises(InvalidValueError, match=r"Operations\[0\]: the 'value' of remove"):
        n.normalize_patch_request(
            patch_op({"op": "remove", "path": "members", "value": [{"value": [1]}]}), GROUPS
        )


def test_rfc7644_3_5_2_values_are_read_as_their_target_attribute():
    """Entra ID's "Requests made to disable users" (``"False"``), its bare ``manager`` id
    and numbers for strings (JumpCloud): each value is read for the attribute its path
    names, and unknown attributes of a value are dropped, as in a POST."""
    message = patch_op(
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": "26118915"},
        {"op": "replace", "path": f"{ENTERPRISE}:employeeNumber", "value": 1234},
        {"op": "add", "path": 'emails[type eq "work"]', "value": {"primary": "True", "x": 1}},
        {"op": "add", "path": 'emails[type eq "work"].primary', "value": "true"},
        {"op": "add", "path": ENTERPRISE, "value": {"costCenter": 4, "nope": 1}},
        {"op": "replace", "value": {"active": "True", "nope": 1, "name.givenName": 5}},
    )
    assert normalized(message)["Operations"] == [
        {"op": "replace", "path": "active", "value": False},
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": "26118915"}},
        {"op": "replace", "path": f"{ENTERPRISE}:employeeNumber", "value": "1234"},
        {"op": "add", "path": 'emails[type eq "work"]', "value": {"primary": True}},
        {"op": "add", "path": 'emails[type eq "work"].primary', "value": True},
        {"op": "add", "path": ENTERPRISE, "value": {"costCenter": "4"}},
        {"op": "replace", "value": {"active": True}},
        {"op": "replace", "path": "name.givenName", "value": "5"},
    ]


def test_rfc7644_3_5_2_unqualified_extension_attribute_is_qualified():
    """``department`` names the enterprise attribute, as the filters read it (§3.4.2.2)."""
    message = patch_op(
        {"op": "add", "path": "department", "value": "Tours"},
        {"op": "add", "path": "manager.value", "value": "m1"},
    )
    assert [o["path"] for o in normalized(message)["Operations"]] == [
        f"{ENTERPRISE}:department",
        f"{ENTERPRISE}:manager.value",
    ]


def test_rfc7644_3_5_2_lenient_envelope():
    """A missing ``schemas``, unknown members and ``"path": ""`` are read, not refused."""
    message = {
        "OPERATIONS": [
            {"OP": "replace", "path": "", "value": {"title": "x"}, "comment": "hi"},
        ],
        "id": "dropped",
    }
    assert normalized(message) == patch_op({"op": "replace", "value": {"title": "x"}})
    assert normalized({**message, "schemas": ["other"]})["schemas"] == [PATCH_OP_SCHEMA]


@pytest.mark.parametrize(
    "message",
    [
        None,
        [],
        "x",
        {"schemas": [PATCH_OP_SCHEMA], "Operations": "x"},
        patch_op("x", {"op": "move", "path": "title"}),
        patch_op({"op": "add", "path": "emails[", "value": 1}),
        patch_op({"op": "add", "path": "nope", "value": 1}),
        patch_op({"op": "add", "path": 5, "value": 1}),
        patch_op({"op": "remove", "value": [{"value": "x"}]}),
        patch_op({"op": "add", "path": "title"}),
    ],
)
def test_rfc7644_3_5_2_what_cannot_be_read_is_passed_on(message):
    """The strict parser then refuses it with the error RFC 7644 Table 9 asks for."""
    result = n.normalize_patch_request(message, USERS)
    if isinstance(message, dict):
        assert result["Operations"] == message["Operations"]
    else:
        assert result is message


# -- properties -----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["True", "false", "42", "4.5", "x", "2010-01-23T04:56:22Z", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["value", "type", "primary", "display", "givenName", "nope"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
names = st.sampled_from(
    [
        "schemas",
        "userName",
        "USERNAME",
        "active",
        "name",
        "emails",
        "x509Certificates",
        "nickName",
        "id",
        "nope",
        ENTERPRISE,
        f"{ENTERPRISE}:employeeNumber",
        f"{ENTERPRISE}:manager",
    ]
)
documents = st.tuples(
    st.fixed_dictionaries(
        {
            "schemas": st.sampled_from([[USER_SCHEMA], [USER_SCHEMA, ENTERPRISE], None, 1]),
            "userName": st.sampled_from(["bjensen", "bjensen", "bjensen", 5]) | values,
        }
    ),
    st.dictionaries(names, values, max_size=3)
    | st.fixed_dictionaries(
        {},
        optional={
            "active": st.booleans() | st.just("False"),
            "nickName": st.sampled_from(["Babs", 5]),
            "emails": st.lists(
                st.fixed_dictionaries(
                    {"value": st.sampled_from(["a@example.com", 7])},
                    optional={"primary": st.booleans() | st.just("True"), "type": st.just("work")},
                ),
                max_size=3,
            )
            | st.just({"value": "b@example.com"}),
            ENTERPRISE: st.fixed_dictionaries(
                {}, optional={"employeeNumber": st.sampled_from(["1", 2]), "nope": st.just(1)}
            ),
            f"{ENTERPRISE}:manager": st.just("26118915") | st.just({"value": "26118915"}),
        },
    ),
).map(lambda pair: {**pair[0], **pair[1]})


@settings(max_examples=300, deadline=None, database=None)
@given(documents)
def test_rfc7643_2_normalize_document_properties(data):
    """On any body: no error, the input untouched, nothing left to read after one pass,
    and a body strict validation accepts is validated the same way without ``STRICT``."""
    original = copy.deepcopy(data)
    result = n.normalize_document(data, USERS)
    assert data == original
    assert n.normalize_document(result, USERS) == result
    try:
        strict = validate_document(data, USERS, strict=True)
    except SCIMError:
        event("refused when strict")
        return
    event("accepted when strict")
    assert validate_document(data, USERS) == strict


# -- what is not a dialect (issue 10): passed on as sent, for validation to refuse ---------


def test_rfc7643_2_3_a_list_for_a_single_simple_value_is_not_read():
    """Entra's one-element list is for a complex value (``manager``); ``["x"]`` for
    ``userName`` is passed on and refused."""
    assert n.normalize_value(USER.get("userName"), ["x"]) == ["x"]
    assert n.normalize_value(USER.get("name"), [{"givenName": "B"}]) == {"givenName": "B"}
    with pytest.raises(InvalidValueError, match="userName: expected a single value"):
        validate_document({"userName": ["x"]}, USERS)


def test_rfc7643_2_3_a_bare_string_for_a_multi_valued_complex_attribute_is_not_read():
    """``manager`` may be a bare id (Entra ID); a value of ``emails`` may not."""
    emails = USER.get("emails")
    assert n.normalize_value(emails, "a@b") == "a@b"
    assert n.normalize_value(emails, [1, "a@b"]) == [1, "a@b"]
    assert n.normalize_value(emails, {"value": "a@b"}) == [{"value": "a@b"}]  # a dialect
    with pytest.raises(InvalidValueError, match="emails: expected a list"):
        validate_document({"userName": "x", "emails": "a@b"}, USERS)


def test_rfc7643_3_schemas_that_is_not_a_list_is_passed_on():
    """A missing ``schemas`` is supplied; one that is not an array of strings is refused."""
    assert n.normalize_document({"userName": "x"}, USERS)["schemas"] == [USER_SCHEMA]
    assert n.normalize_document({"schemas": "x", "userName": "x"}, USERS)["schemas"] == "x"
    for declared in ("x", [USER_SCHEMA, 1]):
        with pytest.raises(InvalidValueError, match="schemas"):
            validate_document({"schemas": declared, "userName": "x"}, USERS)


def nest_by_scanning(data, extension_ids):
    """The reference: the extension's key searched for among the keys already moved."""
    prefixes = {urn.lower() + ":": urn for urn in extension_ids}
    if not any(key.lower().startswith(tuple(prefixes)) for key in data):
        return data
    result = {}
    for key, value in data.items():
        for prefix, urn in prefixes.items():
            if key.lower().startswith(prefix):
                target = next((k for k in result if k.lower() == urn.lower()), urn)
                nested = result.setdefault(target, {})
                if isinstance(nested, dict):
                    nested[key[len(prefix) :]] = value
                break
        else:
            if isinstance(value, dict) and key.lower() in {u.lower() for u in prefixes.values()}:
                target = next((k for k in result if k.lower() == key.lower()), key)
                existing = result.setdefault(target, {})
                if isinstance(existing, dict):
                    existing.update(value)
                    continue
            result[key] = value
    return result


NEST_KEYS = st.sampled_from(
    [
        "userName",
        ENTERPRISE,
        ENTERPRISE.upper(),
        f"{ENTERPRISE}:department",
        f"{ENTERPRISE.lower()}:department",
        f"{ENTERPRISE}:costCenter",
        "urn:example:other",
        "urn:example:other:x",
    ]
)
NEST_VALUES = st.one_of(
    st.just("v"), st.just(1), st.just({"department": "d"}), st.just({"division": "e"})
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(NEST_KEYS, NEST_VALUES, max_size=8))
def test_rfc7643_3_3_entra_qualified_keys_nested_in_one_pass(data):
    """Keys are nested as a search among the keys already moved would nest them."""
    urns = [ENTERPRISE, "urn:example:other"]
    assert n.nest_qualified_keys(copy.deepcopy(data), urns) == nest_by_scanning(
        copy.deepcopy(data), urns
    )


def test_rfc7643_3_3_many_qualified_keys_cost_linear_work():
    """Each key is compared with the extensions, never with every key moved before it (a
    1 MB body of them took seconds). Counted: ``lower()`` calls on the body's keys."""
    calls = 0

    class Key(str):
        def lower(self):
            nonlocal calls
            calls += 1
            return super().lower()

    work = {}
    for count in (500, 1000):
        data = {Key(f"junk{i}"): 1 for i in range(count)}
        data.update({Key(f"{ENTERPRISE}:d{i}"): i for i in range(count)})
        calls = 0
        nested = n.nest_qualified_keys(data, [ENTERPRISE])
        work[count] = calls
        assert len(nested[ENTERPRISE]) == count
    assert work[1000] <= 2.2 * work[500]
