"""Property tests of the PATCH engine (drf_scim.patch) against a small model of RFC 7644.

Random sequences of valid operations on random User documents give the document that a
deliberately simple, independent model of §3.5.2.1-3 computes: single-valued strings and
``active``, and ``emails`` with ``value``, ``type`` and ``primary``. Random garbage bodies
raise SCIM errors and nothing else, and never touch the input document.
"""

from __future__ import annotations

import contextlib
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim.constants import PATCH_OP_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, USER
from drf_scim.errors import InvalidValueError, NoTargetError, SCIMError
from drf_scim.normalization import normalize_patch_request
from drf_scim.patch import apply_patch, parse_patch_request
from drf_scim.validation import ResourceSchemas, validate_document

USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STRINGS = ["displayName", "nickName", "title", "userType"]


# -- the model ------------------------------------------------------------------------------


def fold(text):
    return text.casefold()


def one_primary(items):
    """RFC 7643 §2.4: in one list of new values, the first primary wins."""
    seen = False
    result = []
    for item in items:
        item = dict(item)
        if item.get("primary") is True:
            if seen:
                item["primary"] = False
            seen = True
        result.append(item)
    return result


def settle(emails, touched):
    """A value made primary by the operation makes the others not primary."""
    winner = next((e for e in touched if e.get("primary") is True), None)
    if winner is not None:
        for email in emails:
            if email is not winner and email.get("primary") is True:
                email["primary"] = False


def same(old, new):
    if "value" not in old or fold(old["value"]) != fold(new["value"]):
        return False
    return "type" not in new or "type" not in old or fold(old["type"]) == fold(new["type"])


def model_add_emails(doc, items):
    if not items:
        return
    emails = doc.setdefault("emails", [])
    touched = []
    for item in one_primary(items):
        found = next((e for e in emails if same(e, item)), None)
        if found is None:
            emails.append(item)
            touched.append(item)
        else:
            found.update(item)
            touched.append(found)
    settle(emails, touched)


def model_filtered(doc, op, kind, sub, value):
    """``emails[type eq kind].sub`` with add or replace."""
    emails = doc.get("emails", [])
    if not emails:
        op = "add"  # §3.5.2.3: no value at all, so replace is an add
    matched = [e for e in emails if "type" in e and fold(e["type"]) == fold(kind)]
    if not matched:
        if op == "replace":
            raise NoTargetError
        new = {"type": kind, sub: value}
        doc["emails"] = [*emails, new]
        settle(doc["emails"], [new])
        return
    for email in matched:
        email[sub] = value
    settle(emails, matched)


def model(doc, operation):
    """Apply one operation, as (op, kind, details), to the model document in place."""
    op, kind, details = operation
    if kind == "simple":
        name, value = details
        if op == "remove":
            doc.pop(name, None)
        else:
            doc[name] = value
    elif kind == "pathless":
        for name, value in details.items():
            doc[name] = value
    elif kind == "emails":
        if op == "add":
            model_add_emails(doc, details)
        else:
            doc.pop("emails", None)
            if details:
                doc["emails"] = one_primary(details)
    elif kind == "remove-type":
        kept = [e for e in doc.get("emails", []) if fold(e.get("type", "\0")) != fold(details)]
        doc.pop("emails", None)
        if kept:
            doc["emails"] = kept
    else:  # "filtered"
        model_filtered(doc, op, *details)


# -- strategies -----------------------------------------------------------------------------

words = st.sampled_from(["a", "B", "c d", "Ωmega", "x@example.com"])
types = st.sampled_from(["work", "Work", "home", "other"])
addresses = st.sampled_from(["a@x.org", "A@x.org", "b@x.org", "c@x.org"])


@st.composite
def emails(draw):
    email = {"value": draw(addresses)}
    if draw(st.booleans()):
        email["type"] = draw(types)
    primary = draw(st.sampled_from([None, True, False]))
    if primary is not None:
        email["primary"] = primary
    return email


@st.composite
def documents(draw):
    doc = {"schemas": [USER.id], "id": "u1", "userName": "bjensen", "meta": {"version": "v1"}}
    for name in STRINGS:
        if draw(st.booleans()):
            doc[name] = draw(words)
    if draw(st.booleans()):
        doc["active"] = draw(st.booleans())
    items = draw(st.lists(emails(), max_size=4))
    if items:
        doc["emails"] = one_primary(items)
    return doc


def spelled(name, draw):
    """Attribute names are case-insensitive (RFC 7643 §2.1)."""
    return draw(st.sampled_from([name, name.upper(), name.lower()]))


@st.composite
def operations(draw):
    """One valid operation: (its PatchOp JSON, its model form)."""
    choice = draw(st.integers(0, 6))
    if choice == 0:
        name = draw(st.sampled_from([*STRINGS, "active"]))
        value = draw(st.booleans()) if name == "active" else draw(words)
        op = draw(st.sampled_from(["add", "replace", "remove"]))
        path = spelled(name, draw)
        if op == "remove":
            return {"op": op, "path": path}, (op, "simple", (name, None))
        return {"op": op, "path": path, "value": value}, (op, "simple", (name, value))
    if choice == 1:
        names = draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3, unique=True))
        value = {name: draw(words) for name in names}
        op = draw(st.sampled_from(["add", "replace"]))
        return {"op": op, "value": value}, (op, "pathless", value)
    if choice in (2, 3):
        op = "add" if choice == 2 else "replace"
        items = draw(st.lists(emails(), max_size=3))
        if op == "add" and draw(st.booleans()):  # path-less form of §3.5.2.1's example
            return {"op": op, "value": {"emails": items}}, (op, "emails", items)
        return {"op": op, "path": "emails", "value": items}, (op, "emails", items)
    kind = draw(types)
    if choice == 4:
        return (
            {"op": "remove", "path": f'emails[type eq "{kind}"]'},
            ("remove", "remove-type", kind),
        )
    op = draw(st.sampled_from(["add", "replace"]))
    if choice == 5:
        value = draw(addresses)
        path = f'emails[type eq "{kind}"].value'
        return {"op": op, "path": path, "value": value}, (op, "filtered", (kind, "value", value))
    path = f'emails[type eq "{kind}"].primary'
    return {"op": op, "path": path, "value": True}, (op, "filtered", (kind, "primary", True))


@SETTINGS
@given(documents(), st.lists(operations(), min_size=1, max_size=6))
def test_engine_agrees_with_the_model(document, drawn):
    original = copy.deepcopy(document)
    expected = copy.deepcopy(document)
    try:
        for _, operation in drawn:
            model(expected, operation)
    except NoTargetError:
        expected = NoTargetError
    message = {"schemas": [PATCH_OP_SCHEMA], "Operations": [json for json, _ in drawn]}
    if expected is NoTargetError:
        with pytest.raises(NoTargetError):
            apply_patch(document, parse_patch_request(message, USERS), USERS)
    else:
        assert apply_patch(document, parse_patch_request(message, USERS), USERS) == expected
    assert document == original


# -- garbage in, SCIM errors out ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
paths = st.sampled_from(
    [
        "userName",
        "name.givenName",
        "emails",
        'emails[type eq "work"]',
        'emails[type eq "work"].value',
        "emails[value co 1]",
        'emails[primary eq "x"]',
        "groups",
        "meta.version",
        "id",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "x509Certificates",
        "addresses[not (type pr)].postalCode",
        "emails[",
        "",
    ]
) | st.text(max_size=20)
op_names = st.sampled_from(["add", "remove", "replace", "Add", "Replace", "REMOVE"])
garbage_operations = st.fixed_dictionaries(
    {"op": st.one_of(op_names, op_names, op_names, json_values)},
    optional={"path": st.one_of(paths, paths, json_values), "value": json_values},
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"Operations": st.lists(garbage_operations, max_size=4) | json_values},
        optional={"schemas": st.just([PATCH_OP_SCHEMA]) | json_values},
    ),
)


@SETTINGS
@given(documents(), bodies, st.booleans())
def test_garbage_raises_scim_errors_only(document, message, strict):
    original = copy.deepcopy(document)
    try:
        result = apply_patch(
            document, parse_patch_request(message, USERS, strict=strict), USERS, strict=strict
        )
        validate_document(result, USERS, strict=strict)
    except SCIMError:
        pass
    assert document == original


@SETTINGS
@given(documents(), st.lists(garbage_operations, min_size=1, max_size=4))
def test_garbage_operations_on_random_documents(document, raw):
    original = copy.deepcopy(document)
    message = {"schemas": [PATCH_OP_SCHEMA], "Operations": raw}
    with contextlib.suppress(SCIMError):
        apply_patch(document, parse_patch_request(message, USERS), USERS)
    assert document == original


rfc_or_garbage_bodies = st.fixed_dictionaries(
    {
        "schemas": st.just([PATCH_OP_SCHEMA]),
        "Operations": st.lists(
            st.one_of(operations().map(lambda drawn: drawn[0]), garbage_operations),
            min_size=1,
            max_size=4,
        ),
    }
)


@SETTINGS
@given(documents(), st.one_of(bodies, rfc_or_garbage_bodies))
def test_dialects_leave_rfc_requests_alone(document, message):
    """RFC 7644 §3.5.2: what the strict reading accepts, the IdP dialect layer
    (drf_scim.normalization) reads the same way."""
    try:
        operations = parse_patch_request(message, USERS, strict=True)
        expected = apply_patch(document, operations, USERS, strict=True)
    except SCIMError:
        return
    assert apply_patch(document, parse_patch_request(message, USERS), USERS) == expected


@SETTINGS
@given(st.one_of(bodies, rfc_or_garbage_bodies))
def test_normalisation_pass_properties(message):
    """The IdP dialect layer on any body (RFC 7644 §3.5.2): the input untouched, only
    ``invalidValue`` raised (a ``remove`` value list that selects nothing), and nothing
    left to read after one pass."""
    original = copy.deepcopy(message)
    try:
        result = normalize_patch_request(message, USERS)
    except InvalidValueError:
        return
    finally:
        assert message == original
    assert normalize_patch_request(result, USERS) == result
