"""The PATCH engine (drf_scim.patch, drf_scim.paths) on plain documents: RFC 7644 §3.5.2.

Tests are named by RFC section; the RFC's own examples are reproduced with the bodies it
prints (UUIDs shortened with "..." in the RFC are written out). IdP dialects follow, each
with the vendor page it copies its body from. No HTTP and no database.
"""

from __future__ import annotations

import copy

import pytest

from drf_scim.characteristics import AttributeType, Mutability
from drf_scim.constants import ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, GROUP, USER, Attribute, Schema
from drf_scim.errors import (
    InvalidPathError,
    InvalidSyntaxError,
    InvalidValueError,
    MutabilityError,
    NoTargetError,
    SCIMError,
)
from drf_scim.filter_language import DEFAULT_MAX_LENGTH, parse_path
from drf_scim.patch import PatchOperation, apply_patch, parse_patch_request
from drf_scim.paths import resolve_path, value_matches
from drf_scim.validation import ResourceSchemas, validate_document
from tests.conftest import load_sample

USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
GROUPS = ResourceSchemas(GROUP)
ENTERPRISE = ENTERPRISE_USER_SCHEMA

BABS = "2819c223-7f76-453a-919d-413861904646"
JAMES = "08e1d05d-121c-4561-8b96-473d93df9210"


def body(*operations, **extra):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations), **extra}


def patch(document, message, schemas=USERS, *, strict=False):
    """Parse and apply a PatchOp body, the way the view will."""
    operations = parse_patch_request(message, schemas, strict=strict)
    return apply_patch(document, operations, schemas, strict=strict)


@pytest.fixture
def user():
    """RFC 7643 §8.2, the full User, as the serializer would return it."""
    document = load_sample("rfc7643-8.2-user-full.json")
    document.pop("password")  # returned "never"
    return document


@pytest.fixture
def group():
    return {
        "schemas": [GROUP_SCHEMA],
        "id": "acbf3ae7-8463-4692-b4fd-9b4da3f908ce",
        "displayName": "Tour Guides",
        "members": [
            {"value": BABS, "$ref": f"https://example.com/v2/Users/{BABS}", "display": "Babs"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"},
        ],
        "meta": {"resourceType": "Group", "version": 'W/"3694e05e9dff592"'},
    }


def member_ids(document):
    return [member["value"] for member in document.get("members", [])]


# -- RFC 7644 §3.5.2: the PatchOp message and rules common to all operations ----------------


def test_rfc7644_3_5_2_figure_8_example_paths():
    """Figure 8's paths resolve, except one that names no sub-attribute of Group members."""
    urns = [GROUP_SCHEMA]
    for text, attribute, sub in [
        ("members", "members", None),
        ('members[value eq "2819c223-7f76-453a-919d-413861904646"]', "members", None),
    ]:
        target = resolve_path(parse_path(text, schema_urns=urns), GROUPS)
        assert (target.attribute.name, target.sub_attribute) == (attribute, sub)
    target = resolve_path(parse_path("name.familyName"), USERS)
    assert (target.attribute.name, target.sub_attribute.name) == ("name", "familyName")
    target = resolve_path(parse_path('addresses[type eq "work"]'), USERS)
    assert target.attribute.name == "addresses"
    assert str(target.value_filter) == 'type eq "work"'
    # The RFC's last example, members[...].displayName: RFC 7643 §4.2 gives members
    # value, $ref, type and display, so this is an unknown sub-attribute here.
    with pytest.raises(InvalidPathError, match="displayName"):
        resolve_path(
            parse_path('members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName'),
            GROUPS,
        )


def test_rfc7644_3_5_2_operations_apply_in_order(user):
    """ "Each operation ... is applied to the target resource; the resulting resource
    becomes the target of the next operation." """
    email = {"value": "new@example.com", "type": "other"}
    removed_last = patch(
        user,
        body(
            {"op": "add", "path": "emails", "value": [email]},
            {"op": "remove", "path": 'emails[value eq "new@example.com"]'},
        ),
    )
    assert email not in removed_last["emails"]
    added_last = patch(
        user,
        body(
            {"op": "remove", "path": 'emails[value eq "new@example.com"]'},
            {"op": "add", "path": "emails", "value": [email]},
        ),
    )
    assert email in added_last["emails"]


def test_rfc7644_3_5_2_atomic_failing_third_operation_changes_nothing(user):
    """ "A PATCH request ... SHALL be treated as atomic": the input is never modified."""
    original = copy.deepcopy(user)
    operations = parse_patch_request(
        body(
            {"op": "replace", "path": "displayName", "value": "Barbara"},
            {"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]},
            {"op": "replace", "path": 'emails[type eq "fax"].value', "value": "y@example.com"},
        ),
        USERS,
    )
    with pytest.raises(NoTargetError):
        apply_patch(user, operations, USERS)
    assert user == original


def test_rfc7644_3_5_2_input_is_never_modified(user):
    original = copy.deepcopy(user)
    result = patch(user, body({"op": "replace", "path": "name.givenName", "value": "Babs"}))
    assert result["name"]["givenName"] == "Babs"
    assert user == original


def test_rfc7644_3_5_2_primary_resets_the_other_values_rfc7643_2_4(user):
    """ "a PATCH operation that sets a value's "primary" sub-attribute to "true" SHALL
    cause the server to automatically set "primary" to "false" for any other values"."""
    result = patch(
        user, body({"op": "replace", "path": 'emails[type eq "home"].primary', "value": True})
    )
    assert [e.get("primary") for e in result["emails"]] == [False, True]
    result = patch(
        user,
        body({"op": "add", "path": "emails", "value": [{"value": "n@x.org", "primary": True}]}),
    )
    assert [e.get("primary") for e in result["emails"]] == [False, None, True]


@pytest.mark.parametrize(
    "message",
    [
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "value": {}}]},
        {"SCHEMAS": [PATCH_OP_SCHEMA], "operations": [{"OP": "replace", "VALUE": {}}]},
    ],
)
def test_rfc7644_3_5_2_member_names_are_case_insensitive_rfc7643_2_1(message):
    assert parse_patch_request(message, USERS, strict=True) == [PatchOperation("replace", None, {})]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ([], "must be a JSON object"),
        ({"schemas": [PATCH_OP_SCHEMA]}, "non-empty array"),
        (body(), "non-empty array"),
        ({"Operations": {"op": "add"}}, "non-empty array"),
        (body("add"), r"Operations\[0\] must be a JSON object"),
        (body({"path": "title", "value": "x"}), "must be 'add', 'remove' or 'replace'"),
        (body({"op": "move", "path": "title"}), "not 'move'"),
        (body({"op": 1, "path": "title"}), "not 1"),
    ],
)
def test_rfc7644_3_5_2_malformed_message_is_invalid_syntax(message, error):
    with pytest.raises(InvalidSyntaxError, match=error):
        parse_patch_request(message, USERS)


def test_rfc7644_3_5_2_missing_schemas_accepted_unless_strict():
    message = {"Operations": [{"op": "replace", "path": "title", "value": "x"}]}
    assert len(parse_patch_request(message, USERS)) == 1
    with pytest.raises(InvalidSyntaxError, match="'schemas' must list"):
        parse_patch_request(message, USERS, strict=True)
    with pytest.raises(InvalidSyntaxError, match="'schemas' must list"):
        parse_patch_request({**message, "schemas": [USER_SCHEMA]}, USERS, strict=True)


def test_rfc7644_3_5_2_strict_refuses_unknown_operation_members():
    message = body({"op": "add", "path": "title", "value": "x", "comment": "hi"})
    assert len(parse_patch_request(message, USERS)) == 1
    with pytest.raises(InvalidSyntaxError, match="unknown member"):
        parse_patch_request(message, USERS, strict=True)


@pytest.mark.parametrize("op", ["add", "replace"])
def test_rfc7644_3_5_2_add_and_replace_need_a_value(op):
    """ "The operation MUST contain a "value" member" (§3.5.2.1); Table 9: invalidValue."""
    with pytest.raises(InvalidValueError, match="needs a 'value'"):
        parse_patch_request(body({"op": op, "path": "title"}), USERS)


@pytest.mark.parametrize(
    "path",
    [
        "id",
        "meta",
        "meta.version",
        "meta.lastModified",
        "groups",
        'groups[value eq "e9e30dba-f08f-4109-8486-d5c6a331660a"]',
        f"{ENTERPRISE}:manager.displayName",
    ],
)
@pytest.mark.parametrize("op", ["add", "replace", "remove"])
def test_rfc7644_3_5_2_read_only_target_is_mutability(user, path, op):
    """ "a client MUST NOT modify an attribute that has mutability "readOnly""."""
    operation = {"op": op, "path": path}
    if op != "remove":
        operation["value"] = "x"
    with pytest.raises(MutabilityError, match="readOnly"):
        patch(user, body(operation))


def test_rfc7644_3_5_1_read_only_keys_in_a_path_less_value_are_ignored(user):
    """Entra ID and Okta send ``id`` inside a path-less replace; RFC 7644 §3.5.1 ignores it."""
    result = patch(
        user,
        body(
            {
                "op": "replace",
                "value": {"id": "other", "meta": {"version": "x"}, "groups": [], "title": "CEO"},
            }
        ),
    )
    assert result["id"] == user["id"]
    assert result["meta"] == user["meta"]
    assert result["groups"] == user["groups"]
    assert result["title"] == "CEO"


IMMUTABLE = Schema(
    "urn:example:params:scim:schemas:Badge",
    "Badge",
    "",
    (
        Attribute("badge", mutability=Mutability.IMMUTABLE),
        Attribute("name", required=True),
        Attribute(
            "card",
            AttributeType.COMPLEX,
            sub_attributes=(
                Attribute("serial", mutability=Mutability.IMMUTABLE),
                Attribute("label"),
            ),
        ),
        Attribute("tags", multi_valued=True),
        Attribute("level", AttributeType.INTEGER),
        Attribute("seen", AttributeType.DATETIME),
    ),
)
BADGES = ResourceSchemas(IMMUTABLE)


def test_rfc7644_3_5_2_immutable_may_be_added_when_unset():
    """ "a client MAY "add" a value to an "immutable" attribute if the attribute had no
    previous value"."""
    result = patch({"name": "n"}, body({"op": "add", "path": "badge", "value": "B-1"}), BADGES)
    assert result["badge"] == "B-1"
    result = patch({"name": "n"}, body({"op": "replace", "value": {"badge": "B-1"}}), BADGES)
    assert result["badge"] == "B-1"


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "badge", "value": "B-2"},
        {"op": "add", "path": "badge", "value": "B-2"},
        {"op": "replace", "value": {"badge": "B-2"}},
        {"op": "remove", "path": "badge"},
        {"op": "replace", "path": "card.serial", "value": "S-2"},
        {"op": "remove", "path": "card.serial"},
        {"op": "replace", "path": "card", "value": {"serial": "S-2"}},
    ],
)
def test_rfc7644_3_5_2_immutable_with_a_value_is_mutability(operation):
    document = {"name": "n", "badge": "B-1", "card": {"serial": "S-1", "label": "x"}}
    with pytest.raises(MutabilityError, match="immutable"):
        patch(document, body(operation), BADGES)


def test_rfc7644_3_5_2_immutable_unchanged_is_fine():
    document = {"name": "n", "badge": "B-1", "card": {"serial": "S-1"}}
    result = patch(
        document,
        body(
            {"op": "replace", "path": "badge", "value": "B-1"},
            {"op": "replace", "path": "card", "value": {"label": "front door"}},
        ),
        BADGES,
    )
    assert result == {"name": "n", "badge": "B-1", "card": {"serial": "S-1", "label": "front door"}}


def test_rfc7644_3_5_2_immutable_sub_attribute_of_a_member(group):
    """Group ``members.value`` is immutable (RFC 7643 §8.7.1): a member is removed and
    another added, not re-pointed."""
    with pytest.raises(MutabilityError, match=r"members\.value is immutable"):
        patch(
            group,
            body({"op": "replace", "path": f'members[value eq "{BABS}"].value', "value": JAMES}),
            GROUPS,
        )
    with pytest.raises(MutabilityError, match="immutable"):
        patch(
            group,
            body(
                {"op": "replace", "path": f'members[value eq "{BABS}"]', "value": {"value": JAMES}}
            ),
            GROUPS,
        )


@pytest.mark.parametrize(
    "path",
    [
        "USERNAME",
        f"{USER_SCHEMA}:userName",
        f"{USER_SCHEMA.upper()}:USERNAME",
    ],
)
def test_rfc7643_2_1_paths_are_case_insensitive_and_may_be_qualified(user, path):
    result = patch(user, body({"op": "replace", "path": path, "value": "babs"}))
    assert result["userName"] == "babs"
    assert "USERNAME" not in result


def test_rfc7643_2_1_sub_attributes_and_filters_are_case_insensitive(user):
    result = patch(
        user,
        body(
            {"op": "replace", "path": "Name.GivenName", "value": "Barb"},
            {"op": "replace", "path": 'EMAILS[TYPE eq "WORK"].VALUE', "value": "b@example.com"},
            {"op": "add", "path": f"{ENTERPRISE.lower()}:Department", "value": "Tours"},
        ),
    )
    assert result["name"]["givenName"] == "Barb"
    assert result["emails"][0] == {"value": "b@example.com", "type": "work", "primary": True}
    assert result[ENTERPRISE] == {"department": "Tours"}


def test_rfc7644_3_5_2_extension_attributes_by_urn(user):
    """A qualified extension path; the extension URN joins ``schemas`` (RFC 7643 §3)."""
    result = patch(
        user,
        body(
            {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "701984"},
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": "26118915"}},
        ),
    )
    assert result[ENTERPRISE] == {"employeeNumber": "701984", "manager": {"value": "26118915"}}
    assert result["schemas"] == [USER_SCHEMA, ENTERPRISE]


def test_rfc7644_3_5_2_whole_extension_path(user):
    """A path that is only the extension URN targets the extension object."""
    added = patch(
        user,
        body({"op": "add", "path": ENTERPRISE, "value": {"costCenter": "4130", "division": "T"}}),
    )
    assert added[ENTERPRISE] == {"costCenter": "4130", "division": "T"}
    replaced = patch(added, body({"op": "replace", "path": ENTERPRISE, "value": {"division": "U"}}))
    assert replaced[ENTERPRISE] == {"costCenter": "4130", "division": "U"}
    removed = patch(replaced, body({"op": "remove", "path": ENTERPRISE}))
    assert ENTERPRISE not in removed
    assert removed["schemas"] == [USER_SCHEMA]


def test_rfc7644_3_5_2_extension_object_in_a_path_less_value(user):
    result = patch(
        user, body({"op": "add", "value": {ENTERPRISE: {"department": "Tours", "nope": 1}}})
    )
    assert result[ENTERPRISE] == {"department": "Tours"}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nickname2", "Unknown attribute 'nickname2'"),
        ("name.nickname", "Unknown sub-attribute name.nickname"),
        ("userName.value", "userName is not complex"),
        ("urn:example:schemas:Other:title", "Unknown schema"),
        (f"{ENTERPRISE}:title", "Unknown attribute"),
        ("urn:example:schemas:Other", "Unknown schema"),
        ('name[givenName eq "x"]', "single-valued"),
        ('emails[kind eq "work"]', "Unknown attribute emails.kind"),
        ('emails[primary co "t"]', "boolean"),
        ("emails[value gt true]", "compare it with a string"),
        ("emails[value gt null]", "null can only"),
        ('emails[type eq "work"', "Unclosed"),
        ("emails..value", "Invalid attribute"),
        ("", "Path is empty"),
    ],
)
def test_rfc7644_3_5_2_bad_paths_are_invalid_path(user, path, message):
    """Table 9: "The "path" attribute was invalid or malformed"."""
    with pytest.raises(InvalidPathError, match=message):
        patch(user, body({"op": "replace", "path": path, "value": "x"}), strict=True)


def test_rfc7644_3_5_2_sub_attribute_of_multi_valued_needs_a_filter(user):
    with pytest.raises(InvalidPathError, match=r"select values of emails with a filter"):
        patch(user, body({"op": "replace", "path": "emails.value", "value": "x@example.com"}))


def test_rfc7644_3_5_2_path_must_be_a_string(user):
    with pytest.raises(InvalidPathError, match="must be a string"):
        patch(user, body({"op": "replace", "path": ["title"], "value": "x"}))


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"op": "replace", "path": "active", "value": "maybe"}, "active: expected a boolean"),
        ({"op": "replace", "path": "displayName", "value": {"a": 1}}, "expected a string"),
        ({"op": "replace", "path": "displayName", "value": ["a", "b"]}, "got a list"),
        ({"op": "add", "path": "emails", "value": [True]}, "expected a JSON object"),
        ({"op": "add", "path": "name", "value": "Barbara"}, "name: expected a JSON object"),
        ({"op": "replace", "path": 'emails[type eq "work"]', "value": [1]}, "JSON object"),
        ({"op": "replace", "value": "Barbara"}, "must be a JSON object"),
        ({"op": "add", "path": "x509Certificates", "value": [{"value": "*"}]}, "base64"),
    ],
)
def test_rfc7644_3_5_2_bad_values_are_invalid_value(user, operation, message):
    """Table 9: "the value specified was not compatible with the operation or attribute type"."""
    with pytest.raises(InvalidValueError, match=message):
        patch(user, body(operation))


def test_result_passes_validation(user, group):
    """The engine's output is what the caller validates and saves."""
    result = patch(
        user,
        body(
            {"op": "replace", "path": "name.givenName", "value": "Barb"},
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": "26118915"},
        ),
    )
    clean = validate_document(result, USERS)
    assert clean["name"]["givenName"] == "Barb"
    assert clean[ENTERPRISE] == {"manager": {"value": "26118915"}}
    clean = validate_document(
        patch(group, body({"op": "remove", "path": "members"}), GROUPS), GROUPS
    )
    assert clean == {"displayName": "Tour Guides"}


# -- RFC 7644 §3.5.2.1: add ---------------------------------------------------------------


def test_rfc7644_3_5_2_1_add_a_member_to_a_group(group):
    """§3.5.2.1, first example: "how to add a member to a group"."""
    message = body(
        {
            "op": "add",
            "path": "members",
            "value": [
                {
                    "display": "James Smith",
                    "$ref": f"https://example.com/v2/Users/{JAMES}",
                    "value": JAMES,
                }
            ],
        }
    )
    result = patch(group, message, GROUPS)
    assert member_ids(result) == [*member_ids(group), JAMES]
    # "display" is readOnly (RFC 7643 §4.2): the service provider fills it in.
    assert result["members"][-1] == {
        "value": JAMES,
        "$ref": f"https://example.com/v2/Users/{JAMES}",
    }
    # "If the user was already a member of this group, no changes should be made".
    assert patch(result, message, GROUPS) == result


def test_rfc7644_3_5_2_1_add_attributes_without_a_path(user):
    """§3.5.2.1, second example, with the closing brace of errata 8096 restored.

    "an additional value is added to the multi-valued attribute "emails". The second
    attribute, "nickname", is added ... If the resource already had an existing
    "nickname", the value is replaced".
    """
    message = body(
        {
            "op": "add",
            "value": {
                "emails": [{"value": "babs@jensen.org", "type": "home"}],
                "nickname": "Babs",
            },
        }
    )
    del user["nickName"]
    result = patch(user, message)
    assert result["nickName"] == "Babs"
    # babs@jensen.org/home is already there: not duplicated.
    assert result["emails"] == user["emails"]
    message["Operations"][0]["value"]["emails"][0]["value"] = "babs@example.org"
    message["Operations"][0]["value"]["nickname"] = "Barbie"
    result = patch(user, message)
    assert result["nickName"] == "Barbie"
    assert result["emails"][-1] == {"value": "babs@example.org", "type": "home"}
    assert len(result["emails"]) == 3


def test_rfc7644_3_5_2_1_add_single_valued_replaces(user):
    """ "If the target location specifies a single-valued attribute, the existing value
    is replaced." """
    result = patch(user, body({"op": "add", "path": "title", "value": "Chief Guide"}))
    assert result["title"] == "Chief Guide"


def test_rfc7644_3_5_2_1_add_complex_merges_sub_attributes(user):
    """ "If the target location specifies a complex attribute, a set of sub-attributes SHALL
    be specified in the "value" parameter." The others stay."""
    result = patch(user, body({"op": "add", "path": "name", "value": {"givenName": "Barb"}}))
    assert result["name"] == {**user["name"], "givenName": "Barb"}


def test_rfc7644_3_5_2_1_add_sub_attribute_creates_the_parent(user):
    del user["name"]
    result = patch(user, body({"op": "add", "path": "name.givenName", "value": "Barbara"}))
    assert result["name"] == {"givenName": "Barbara"}


def test_rfc7644_3_5_2_1_add_existing_value_matches_ignoring_case(user):
    """The same e-mail in another case is the same value (``value`` is not caseExact);
    sub-attributes sent with it are merged."""
    result = patch(
        user,
        body(
            {
                "op": "add",
                "path": "emails",
                "value": {"value": "BABS@jensen.org", "type": "home", "display": "Babs"},
            }
        ),
    )
    assert len(result["emails"]) == 2
    assert result["emails"][1] == {"value": "BABS@jensen.org", "type": "home", "display": "Babs"}


def test_rfc7644_3_5_2_1_add_value_filter_updates_matching_values(user):
    result = patch(
        user,
        body({"op": "add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "555-1"}),
    )
    assert result["phoneNumbers"][1] == {"value": "555-1", "type": "mobile"}


def test_rfc7644_3_5_2_1_add_value_filter_without_match_creates_the_value(user):
    """Nothing matches: a new value carries the filter's ``eq`` conditions."""
    result = patch(
        user,
        body(
            {"op": "add", "path": 'phoneNumbers[type eq "fax"].value', "value": "555-2"},
            {
                "op": "add",
                "path": 'ims[type eq "xmpp" and primary eq true]',
                "value": {"value": "babs@jabber.example"},
            },
        ),
    )
    assert result["phoneNumbers"][-1] == {"type": "fax", "value": "555-2"}
    assert result["ims"][-1] == {"type": "xmpp", "primary": True, "value": "babs@jabber.example"}
    assert result["ims"][0] == {"value": "someaimhandle", "type": "aim"}


@pytest.mark.parametrize(
    "path",
    [
        'phoneNumbers[type co "fax"].value',
        'phoneNumbers[type eq "fax" or type eq "pager"].value',
        'phoneNumbers[not (type eq "work")].value',
        'phoneNumbers[type eq "fax" and type eq "pager"].value',
    ],
)
def test_rfc7644_3_5_2_1_add_value_filter_that_cannot_describe_a_value_is_no_target(user, path):
    user["phoneNumbers"] = [{"value": "1", "type": "work"}]
    with pytest.raises(NoTargetError, match="only 'eq' conditions"):
        patch(user, body({"op": "add", "path": path, "value": "555-2"}))


def test_rfc7644_3_5_2_1_add_null_changes_nothing(user):
    assert patch(user, body({"op": "add", "path": "title", "value": None})) == user


# -- RFC 7644 §3.5.2.2: remove ------------------------------------------------------------


def test_rfc7644_3_5_2_2_remove_a_single_member(group):
    """§3.5.2.2: "Remove a single member from a group"."""
    message = body({"op": "remove", "path": f'members[value eq "{BABS}"]'})
    result = patch(group, message, GROUPS)
    assert member_ids(result) == ["902c246b-6245-4190-8e05-00816be7344a"]
    # "If the user was not a member of this group, no changes should be made".
    assert patch(result, message, GROUPS) == result


def test_rfc7644_3_5_2_2_remove_all_members(group):
    """§3.5.2.2: "Remove all members of a group"; the attribute becomes unassigned."""
    result = patch(group, body({"op": "remove", "path": "members"}), GROUPS)
    assert "members" not in result


def test_rfc7644_3_5_2_2_remove_values_matching_a_complex_filter(user):
    """§3.5.2.2: "Removal of a value from a complex multi-valued attribute"."""
    user["emails"].append({"value": "babs@example.com", "type": "work"})
    message = body({"op": "remove", "path": 'emails[type eq "work" and value ew "example.com"]'})
    result = patch(user, message)
    assert result["emails"] == [{"value": "babs@jensen.org", "type": "home"}]


def test_rfc7644_3_5_2_2_remove_and_add_a_member(group):
    """§3.5.2.2: "Example request to remove and add a member"."""
    message = body(
        {"op": "remove", "path": f'members[value eq "{BABS}"]'},
        {
            "op": "add",
            "path": "members",
            "value": [
                {
                    "display": "James Smith",
                    "$ref": f"https://example.com/v2/Users/{JAMES}",
                    "value": JAMES,
                }
            ],
        },
    )
    result = patch(group, message, GROUPS)
    assert member_ids(result) == ["902c246b-6245-4190-8e05-00816be7344a", JAMES]


def test_rfc7644_3_5_2_2_replace_all_members_with_remove_and_add(group):
    """§3.5.2.2: "replace all of the members of a group with a different members list"."""
    message = body(
        {"op": "remove", "path": "members"},
        {
            "op": "add",
            "path": "members",
            "value": [
                {
                    "display": "Babs Jensen",
                    "$ref": f"https://example.com/v2/Users/{BABS}",
                    "value": BABS,
                },
                {
                    "display": "James Smith",
                    "$ref": f"https://example.com/v2/Users/{JAMES}",
                    "value": JAMES,
                },
            ],
        },
    )
    result = patch(group, message, GROUPS)
    assert member_ids(result) == [BABS, JAMES]


def test_rfc7644_3_5_2_2_remove_without_path_is_no_target(user):
    """ "If "path" is unspecified, the operation fails with ... "noTarget""."""
    with pytest.raises(NoTargetError, match="needs a 'path'"):
        parse_patch_request(body({"op": "remove"}), USERS)
    with pytest.raises(NoTargetError):
        apply_patch(user, [PatchOperation("remove")], USERS)


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "userName"},
        {"op": "replace", "path": "userName", "value": None},
        {"op": "replace", "path": "userName", "value": ""},
        {"op": "replace", "value": {"userName": None}},
    ],
)
def test_rfc7644_3_5_2_2_removing_a_required_attribute_is_mutability(user, operation):
    """ "If an attribute is removed or becomes unassigned and is defined as a required
    attribute ... "mutability""."""
    with pytest.raises(MutabilityError, match="userName is required"):
        patch(user, body(operation))


def test_rfc7644_3_5_2_2_removing_a_required_extension_is_mutability(user):
    schemas = ResourceSchemas(USER, (ENTERPRISE_USER,), frozenset({ENTERPRISE}))
    user[ENTERPRISE] = {"department": "Tours"}
    with pytest.raises(MutabilityError, match="required extension"):
        patch(user, body({"op": "remove", "path": ENTERPRISE}), schemas)
    with pytest.raises(MutabilityError, match="required extension"):
        patch(user, body({"op": "remove", "path": f"{ENTERPRISE}:department"}), schemas)


def test_rfc7644_3_5_2_2_remove_single_valued_and_sub_attributes(user):
    result = patch(
        user,
        body(
            {"op": "remove", "path": "title"},
            {"op": "remove", "path": "name.middleName"},
            {"op": "remove", "path": 'addresses[type eq "home"].formatted'},
        ),
    )
    assert "title" not in result
    assert "middleName" not in result["name"]
    assert "formatted" not in result["addresses"][1]
    assert "formatted" in result["addresses"][0]


def test_rfc7644_3_5_2_2_last_sub_attribute_leaves_the_attribute_unassigned(user):
    user["name"] = {"givenName": "Barbara"}
    result = patch(user, body({"op": "remove", "path": "name.givenName"}))
    assert "name" not in result


def test_rfc7644_3_5_2_2_removing_what_is_not_there_changes_nothing(user):
    result = patch(
        user,
        body(
            {"op": "remove", "path": "nickName"},
            {"op": "remove", "path": "nickName"},
            {"op": "remove", "path": 'emails[type eq "other"]'},
            {"op": "remove", "path": f"{ENTERPRISE}:manager"},
            {"op": "remove", "path": "entitlements"},
        ),
    )
    assert result == {k: v for k, v in user.items() if k != "nickName"}


def test_rfc7644_3_5_2_2_remove_extension_attribute_drops_the_empty_extension(user):
    user[ENTERPRISE] = {"manager": {"value": "26118915", "displayName": "John Smith"}}
    user["schemas"] = [USER_SCHEMA, ENTERPRISE]
    result = patch(user, body({"op": "remove", "path": f"{ENTERPRISE}:manager"}))
    assert ENTERPRISE not in result
    assert result["schemas"] == [USER_SCHEMA]


# -- RFC 7644 §3.5.2.3: replace -----------------------------------------------------------


def test_rfc7644_3_5_2_3_replace_all_members(group):
    """§3.5.2.3: "replace all of the members of a group ... in a single replace operation"."""
    message = body(
        {
            "op": "replace",
            "path": "members",
            "value": [
                {
                    "display": "Babs Jensen",
                    "$ref": f"https://example.com/v2/Users/{BABS}",
                    "value": BABS,
                },
                {
                    "display": "James Smith",
                    "$ref": f"https://example.com/v2/Users/{JAMES}",
                    "value": JAMES,
                },
            ],
        }
    )
    result = patch(group, message, GROUPS)
    assert member_ids(result) == [BABS, JAMES]


def test_rfc7644_3_5_2_3_replace_the_work_address(user):
    """§3.5.2.3: "change a User's entire "work" address, using a "valuePath" filter. ...
    by setting "primary" to "true", the service provider will reset "primary" to "false"
    for any other existing values"."""
    user["addresses"][0]["primary"] = False
    user["addresses"][1]["primary"] = True
    address = {
        "type": "work",
        "streetAddress": "911 Universal City Plaza",
        "locality": "Hollywood",
        "region": "CA",
        "postalCode": "91608",
        "country": "US",
        "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
        "primary": True,
    }
    result = patch(
        user, body({"op": "replace", "path": 'addresses[type eq "work"]', "value": address})
    )
    assert result["addresses"][0] == address
    assert result["addresses"][1]["primary"] is False


def test_rfc7644_3_5_2_3_replace_a_sub_attribute_of_selected_values(user):
    """§3.5.2.3: "change a specific sub-attribute "streetAddress" ... selected by a
    "valuePath" filter"."""
    message = body(
        {
            "op": "replace",
            "path": 'addresses[type eq "work"].streetAddress',
            "value": "1010 Broadway Ave",
        }
    )
    result = patch(user, message)
    assert result["addresses"][0] == {**user["addresses"][0], "streetAddress": "1010 Broadway Ave"}
    assert result["addresses"][1] == user["addresses"][1]


def test_rfc7644_3_5_2_3_replace_attributes_without_a_path(user):
    """§3.5.2.3: "replace all values of one or more specific attributes ... other attributes
    are unaffected" (closing brace restored, as for errata 8096)."""
    message = body(
        {
            "op": "replace",
            "value": {
                "emails": [
                    {"value": "bjensen@example.com", "type": "work", "primary": True},
                    {"value": "babs@jensen.org", "type": "home"},
                ],
                "nickname": "Babs",
            },
        }
    )
    user["emails"].append({"value": "old@example.com", "type": "other"})
    user["nickName"] = "Barbie"
    result = patch(user, message)
    assert result["emails"] == message["Operations"][0]["value"]["emails"]
    assert result["nickName"] == "Babs"
    assert {k: v for k, v in result.items() if k not in ("emails", "nickName")} == {
        k: v for k, v in user.items() if k not in ("emails", "nickName")
    }


def test_rfc7644_3_5_2_3_filter_matching_nothing_is_no_target(user):
    """ "no record match was made, the service provider SHALL indicate failure by
    returning ... "noTarget""."""
    with pytest.raises(NoTargetError, match="matched no value"):
        patch(user, body({"op": "replace", "path": 'emails[type eq "other"].value', "value": "x"}))


def test_rfc7644_3_5_2_3_replace_of_an_unassigned_attribute_is_an_add(user):
    """ "If the target location path specifies an attribute that does not exist, the
    service provider SHALL treat the operation as an "add"". With no e-mail at all, a
    filtered replace adds one too."""
    del user["title"], user["emails"]
    result = patch(
        user,
        body(
            {"op": "replace", "path": "title", "value": "Guide"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@example.com"},
        ),
    )
    assert result["title"] == "Guide"
    assert result["emails"] == [{"type": "work", "value": "w@example.com"}]


def test_rfc7644_3_5_2_3_replace_complex_leaves_unspecified_sub_attributes(user):
    """ "Sub-attributes that are not specified in the "value" parameter are left
    unchanged"; an explicit null unassigns one (RFC 7643 §2.5)."""
    result = patch(
        user,
        body({"op": "replace", "path": "name", "value": {"givenName": "Barb", "middleName": None}}),
    )
    expected = {**user["name"], "givenName": "Barb"}
    del expected["middleName"]
    assert result["name"] == expected


def test_rfc7644_3_5_2_3_replace_with_null_or_empty_list_unassigns(user):
    """RFC 7643 §2.5: null and [] are "unassigned"."""
    result = patch(
        user,
        body(
            {"op": "replace", "path": "nickName", "value": None},
            {"op": "replace", "path": "ims", "value": []},
            {"op": "replace", "path": 'phoneNumbers[type eq "mobile"]', "value": None},
        ),
    )
    assert "nickName" not in result
    assert "ims" not in result
    assert result["phoneNumbers"] == [{"value": "555-555-5555", "type": "work"}]


# -- RFC 7644 Table 9: every scimType a PATCH can produce, with its trigger -----------------


@pytest.mark.parametrize(
    ("operation", "error", "scim_type"),
    [
        ({"op": "copy", "path": "title"}, InvalidSyntaxError, "invalidSyntax"),
        ({"op": "replace", "path": "title[", "value": "x"}, InvalidPathError, "invalidPath"),
        ({"op": "replace", "path": "tittle", "value": "x"}, InvalidPathError, "invalidPath"),
        ({"op": "remove"}, NoTargetError, "noTarget"),
        (
            {"op": "replace", "path": 'emails[type eq "x"].value', "value": "v"},
            NoTargetError,
            "noTarget",
        ),
        ({"op": "replace", "path": "id", "value": "x"}, MutabilityError, "mutability"),
        ({"op": "remove", "path": "userName"}, MutabilityError, "mutability"),
        ({"op": "replace", "path": "active", "value": 3}, InvalidValueError, "invalidValue"),
        ({"op": "add", "path": "title"}, InvalidValueError, "invalidValue"),
    ],
)
def test_rfc7644_3_12_table_9_scim_types(user, operation, error, scim_type):
    with pytest.raises(error) as caught:
        patch(user, body(operation))
    assert caught.value.scim_type == scim_type
    assert caught.value.status_code == 400


# -- Value filters evaluated in memory (RFC 7644 §3.4.2.2) --------------------------------

EMAIL = {"value": "Babs@Example.com", "type": "work", "primary": True}
EMAILS = USER.get("emails")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('value eq "babs@example.com"', True),  # emails.value is not caseExact
        ('value ne "babs@example.com"', False),
        ('display ne "x"', True),  # absent: "ne" holds
        ('display eq "x"', False),
        ("display eq null", True),
        ("value eq null", False),
        ('value co "@EXAMPLE"', True),
        ('value sw "babs@"', True),
        ('value ew ".COM"', True),
        ('value ew ".org"', False),
        ('value gt "a"', True),
        ('value lt "a"', False),
        ('value ge "babs@example.com"', True),
        ('value le "babs@example.com"', True),
        ("primary eq true", True),
        ("primary eq false", False),
        ("primary pr", True),
        ("display pr", False),
        ('type eq "work" and primary eq true', True),
        ('type eq "home" or primary eq true', True),
        ('not (type eq "work")', False),
        ('not (type eq "home") and (value co "x" or value co "b")', True),
    ],
)
def test_value_filter_operators(text, expected):
    target = resolve_path(parse_path(f"emails[{text}]"), USERS)
    assert value_matches(target.value_filter, EMAIL, EMAILS) is expected


CASE_EXACT = Schema(
    "urn:example:params:scim:schemas:Keys",
    "Keys",
    "",
    (
        Attribute(
            "keys",
            AttributeType.COMPLEX,
            multi_valued=True,
            sub_attributes=(
                Attribute("value", case_exact=True),
                Attribute("count", AttributeType.INTEGER),
                Attribute("weight", AttributeType.DECIMAL),
                Attribute("since", AttributeType.DATETIME),
            ),
        ),
        Attribute("tags", multi_valued=True),
    ),
)
KEYS = ResourceSchemas(CASE_EXACT)
KEY = {"value": "AbC", "count": 3, "weight": 1.5, "since": "2010-01-23T04:56:22Z"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('value eq "AbC"', True),
        ('value eq "abc"', False),  # caseExact
        ('value co "B"', False),
        ('value co "b"', True),
        ("count gt 2", True),
        ("count ge 3", True),
        ("count lt 3", False),
        ("weight le 1.5", True),
        ("weight gt 1", True),
        ('since eq "2010-01-23T05:56:22+01:00"', True),  # the same instant
        ('since gt "2010-01-23T04:56:21Z"', True),
        ('since lt "2009-12-31T23:59:59Z"', False),
    ],
)
def test_value_filter_case_exact_numbers_and_date_times(text, expected):
    target = resolve_path(parse_path(f"keys[{text}]"), KEYS)
    assert value_matches(target.value_filter, KEY, CASE_EXACT.get("keys")) is expected


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ('keys[count co "1"]', "number"),
        ('keys[count eq "3"]', "compare it with a number"),
        ('keys[since co "2010"]', "dateTime"),
        ('keys[since gt "yesterday"]', "is not one"),
    ],
)
def test_value_filter_type_errors_are_invalid_path(path, message):
    with pytest.raises(InvalidPathError, match=message):
        resolve_path(parse_path(path), KEYS)


def test_multi_valued_simple_values():
    """A multi-valued attribute of strings: ``value`` in a filter is the value itself."""
    document = {"tags": ["red", "Green"]}
    result = patch(
        document,
        body(
            {"op": "add", "path": "tags", "value": ["GREEN", "blue"]},
            {"op": "remove", "path": 'tags[value eq "red"]'},
            {"op": "replace", "path": 'tags[value sw "b"]', "value": "navy"},
        ),
        KEYS,
    )
    assert result == {"tags": ["Green", "navy"]}
    result = patch(result, body({"op": "remove", "path": "tags", "value": ["navy"]}), KEYS)
    assert result == {"tags": ["Green"]}


# -- IdP dialects -------------------------------------------------------------------------


def test_entra_id_disable_user_without_feature_flag(user):
    """Microsoft Entra ID, "Known issues and resolutions with SCIM 2.0 protocol compliance",
    "Requests made to disable users", without feature flag: capitalised ``Replace`` and the
    string ``"False"``.
    https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    assert patch(user, message)["active"] is False


def test_entra_id_add_single_value_string_attribute_without_feature_flag(user):
    """Same page, "Requests made to add a single-value string attribute"."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "nickName", "value": "Babs"}],
    }
    del user["nickName"]
    assert patch(user, message)["nickName"] == "Babs"


def test_entra_id_replace_multiple_attributes_without_feature_flag(user):
    """Same page, "Requests to replace multiple attributes", without feature flag."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Pvlo"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "TestBcwqnm@test.microsoft.com",
            },
            {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
            {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
            {"op": "Replace", "path": "externalId", "value": "Eqpj"},
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                "value": "Eqpj",
            },
        ],
    }
    result = patch(user, message)
    assert result["displayName"] == "Pvlo"
    assert result["emails"][0]["value"] == "TestBcwqnm@test.microsoft.com"
    assert (result["name"]["givenName"], result["name"]["familyName"]) == ("Gtfd", "Pkqf")
    assert result["externalId"] == "Eqpj"
    assert result[ENTERPRISE] == {"employeeNumber": "Eqpj"}


def test_entra_id_replace_multiple_attributes_with_feature_flag(user):
    """Same page, with the ``aadOptscim062020`` flag: a path-less ``replace`` whose keys are
    dotted and URN-qualified paths."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "replace",
                "path": 'emails[type eq "work"].value',
                "value": "TestMhvaes@test.microsoft.com",
            },
            {
                "op": "replace",
                "value": {
                    "displayName": "Bjfe",
                    "name.givenName": "Kkom",
                    "name.familyName": "Unua",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": (
                        "Aklq"
                    ),
                },
            },
        ],
    }
    result = patch(user, message)
    assert result["emails"][0]["value"] == "TestMhvaes@test.microsoft.com"
    assert result["displayName"] == "Bjfe"
    assert result["name"] == {**user["name"], "givenName": "Kkom", "familyName": "Unua"}
    assert result[ENTERPRISE] == {"employeeNumber": "Aklq"}
    assert ENTERPRISE in result["schemas"]


def test_entra_id_path_less_keys_that_are_not_paths_are_dropped(user):
    """A key that is neither an attribute nor a path is ignored, as in a POST."""
    message = body({"op": "replace", "value": {"nickName": "B", "name.nope": "x", "bad key": 1}})
    assert parse_patch_request(message, USERS) == [
        PatchOperation("replace", None, {"nickName": "B"})
    ]


def test_entra_id_remove_group_member_without_feature_flag(group):
    """Same page, "Requests made to remove a group member", without feature flag: ``Remove``
    on ``members`` with the ids in ``value``. Read as ``members[value eq "..."]``; the
    other members stay."""
    group["members"].append({"value": "u1091"})
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}],
    }
    result = patch(group, message, GROUPS)
    assert member_ids(result) == member_ids(group)[:2]


def test_entra_id_remove_many_group_members_at_once(group):
    """Entra ID's member removal without the flag lists every member in one ``value``;
    two thousand ids make a filter longer than a client's path may be (``DEFAULT_MAX_LENGTH``).
    The normalisation layer writes one ``remove`` of them all, its path already parsed, so
    that the relation deletes them in one statement (RFC 7644 §3.5.2.2)."""
    ids = [f"{index:08d}-0000-4000-8000-000000000000" for index in range(2000)]
    group["members"].extend({"value": value} for value in ids)
    message = body({"op": "Remove", "path": "members", "value": [{"value": v} for v in ids]})
    operations = parse_patch_request(message, GROUPS)
    assert len(str(operations[0].path)) > DEFAULT_MAX_LENGTH
    assert [op.op for op in operations] == ["remove"]
    assert len(operations[0].path.value_filter.operands) == 2000
    assert member_ids(apply_patch(group, operations, GROUPS)) == member_ids(group)[:2]


def test_entra_id_remove_group_member_with_feature_flag(group):
    """Same page, with the flag: the RFC's ``members[value eq "..."]``."""
    group["members"].append({"value": "7f4bc1a3-285e-48ae-8202-5accb43efb0e"})
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "remove", "path": 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]'}
        ],
    }
    assert member_ids(patch(group, message, GROUPS)) == member_ids(group)[:2]


def test_entra_id_update_group_add_and_remove_members(group):
    """Entra's SCIM tutorial, "Update Group [Add Members]" and "[Remove Members]", with
    ``"$ref": null``.
    https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    add = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "Add",
                "path": "members",
                "value": [{"$ref": None, "value": "f648f8d5ea4e4cd38e9c"}],
            }
        ],
    }
    added = patch(group, add, GROUPS)
    assert added["members"][-1] == {"value": "f648f8d5ea4e4cd38e9c"}
    remove = copy.deepcopy(add)
    remove["Operations"][0]["op"] = "Remove"
    assert patch(added, remove, GROUPS) == group


def test_entra_id_update_user_multi_valued_properties(user):
    """Entra's SCIM tutorial, "Update User [Multi-valued properties]"."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@microsoft.com",
            },
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        ],
    }
    result = patch(user, message)
    assert result["emails"][0] == {
        "value": "updatedEmail@microsoft.com",
        "type": "work",
        "primary": True,
    }
    assert result["name"]["familyName"] == "updatedFamilyName"


def test_entra_id_add_work_email_when_there_is_none(user):
    """Microsoft Q&A 1684621, "Entra ID patch sending Add instead of Replace": Entra sends
    ``Add`` on ``emails[type eq "work"].value``; with no work e-mail one is created.
    https://learn.microsoft.com/answers/questions/1684621/entra-id-patch-sending-add-instead-of-replace
    """
    user["emails"] = [{"value": "babs@jensen.org", "type": "home"}]
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "title", "value": "tester"},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "joe@example.com"},
        ],
    }
    result = patch(user, message)
    assert result["emails"][1] == {"type": "work", "value": "joe@example.com"}
    again = patch(result, message)
    assert again == result


def test_entra_id_manager_set_and_removed(user):
    """Entra's SCIM tutorial shows ``"manager": "123456"`` (a bare id); it is read as
    ``{"value": "123456"}``, also in a PATCH, and ``remove`` without value clears it."""
    path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
    result = patch(user, body({"op": "Replace", "path": path, "value": "123456"}))
    assert result[ENTERPRISE] == {"manager": {"value": "123456"}}
    result = patch(result, body({"op": "Add", "path": path, "value": {"value": "654321"}}))
    assert result[ENTERPRISE] == {"manager": {"value": "654321"}}
    result = patch(result, body({"op": "Remove", "path": path}))
    assert ENTERPRISE not in result


def test_entra_id_id_inside_path_less_replace_is_ignored(group):
    """Okta's "Update a specific Group name" (and Entra) send the resource ``id`` in a
    path-less replace; it is readOnly and ignored, not an error."""
    message = body({"op": "Replace", "value": {"id": "not-the-id", "displayName": "Guides"}})
    result = patch(group, message, GROUPS)
    assert (result["id"], result["displayName"]) == (group["id"], "Guides")


def test_okta_deactivate_user(user):
    """Okta, "SCIM 2.0 Protocol Reference", Update a specific User (PATCH): deactivation.
    https://developer.okta.com/docs/reference/scim/scim-20/
    """
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    assert patch(user, message)["active"] is False


def test_okta_update_group_name(group):
    """Okta, same page, "Update a specific Group name"."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "replace",
                "value": {
                    "id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
                    "displayName": "Test SCIMv2",
                },
            }
        ],
    }
    result = patch(group, message, GROUPS)
    assert result["displayName"] == "Test SCIMv2"
    assert result["id"] == group["id"]


def test_okta_update_group_membership(group):
    """Okta, same page, "Update specific Group membership": remove by filter, then add."""
    group["members"].append({"value": "89bb1940-b905-4575-9e7f-6f887cfb368e"})
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "remove", "path": 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]'},
            {
                "op": "add",
                "path": "members",
                "value": [
                    {
                        "value": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
                        "display": "test.user@okta.local",
                    }
                ],
            },
        ],
    }
    result = patch(group, message, GROUPS)
    assert member_ids(result) == [*member_ids(group)[:2], "23a35c27-23d3-4c03-b4c5-6443c09e7173"]


def test_okta_replace_group_members_with_the_full_list(group):
    """Okta, same page: "a full push of the membership ... using the replace operation"."""
    message = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "replace",
                "path": "members",
                "value": [
                    {
                        "value": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
                        "display": "test.user@okta.local",
                    },
                    {
                        "value": "89bb1940-b905-4575-9e7f-6f887cfb368e",
                        "display": "test.user@okta.local",
                    },
                ],
            }
        ],
    }
    result = patch(group, message, GROUPS)
    assert result["members"] == [
        {"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173"},
        {"value": "89bb1940-b905-4575-9e7f-6f887cfb368e"},
    ]


def test_jumpcloud_group_member_removal_and_numeric_strings(group, user):
    """JumpCloud's own guide ("Identity Management using a Custom SCIM Integration")
    publishes no request bodies. An integrator's notes (Unimoni, "SSO setup: JumpCloud")
    report that it removes members as Entra does, ``value=[{value: uid}]`` without a filter;
    drf_scim.normalization reads its numbers sent for strings (``employeeNumber``).
    https://app.uni-moni.com/en/kb/sso-setup-jumpcloud
    """
    message = body({"op": "remove", "path": "members", "value": [{"value": BABS}]})
    assert member_ids(patch(group, message, GROUPS)) == member_ids(group)[1:]
    message = body({"op": "replace", "path": f"{ENTERPRISE}:employeeNumber", "value": 1234})
    assert patch(user, message)[ENTERPRISE] == {"employeeNumber": "1234"}


def test_unqualified_extension_attribute_unless_strict(user):
    """``department`` alone names the enterprise extension's attribute, as in filters."""
    result = patch(user, body({"op": "add", "path": "department", "value": "Tours"}))
    assert result[ENTERPRISE] == {"department": "Tours"}
    with pytest.raises(InvalidPathError, match="Unknown attribute 'department'"):
        patch(user, body({"op": "add", "path": "department", "value": "Tours"}), strict=True)


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        ({"op": "Replace", "path": "title", "value": "x"}, InvalidSyntaxError),
        ({"op": "replace", "path": "active", "value": "False"}, InvalidValueError),
        ({"op": "replace", "value": {"name.givenName": "x"}}, InvalidSyntaxError),
        ({"op": "replace", "value": {f"{ENTERPRISE}:department": "x"}}, InvalidSyntaxError),
        (
            {"op": "remove", "path": "emails", "value": [{"value": "babs@jensen.org"}]},
            InvalidSyntaxError,
        ),
        ({"op": "replace", "path": "", "value": {"title": "x"}}, InvalidPathError),
        ({"op": "add", "path": f"{ENTERPRISE}:manager", "value": "26118915"}, InvalidValueError),
        ({"op": "add", "path": "department", "value": "Tours"}, InvalidPathError),
        (
            {"op": "replace", "path": "emails", "value": {"value": "x@example.com"}},
            InvalidValueError,
        ),
    ],
)
def test_strict_turns_the_dialects_off(user, operation, error):
    with pytest.raises(error):
        patch(user, body(operation), strict=True)
    patch(user, body(operation))  # accepted when not strict


def test_remove_value_list_edge_cases(group, user):
    # An empty list removes nothing; a value that cannot be a filter is invalidValue.
    assert patch(group, body({"op": "remove", "path": "members", "value": []}), GROUPS) == group
    with pytest.raises(InvalidValueError, match="must list values"):
        patch(group, body({"op": "remove", "path": "members", "value": [{"value": [1]}]}), GROUPS)
    # Several values, matched by value alone; a single-valued target ignores the value.
    two = patch(
        group,
        body(
            {
                "op": "remove",
                "path": "members",
                "value": [{"value": BABS, "display": "ignored"}, {"value": "nobody"}],
            }
        ),
        GROUPS,
    )
    assert member_ids(two) == member_ids(group)[1:]
    no_title = patch(user, body({"op": "remove", "path": "title", "value": "Tour Guide"}))
    assert "title" not in no_title
    # Without a "value" sub-attribute the given sub-attributes are matched.
    fewer = patch(
        user,
        body({"op": "remove", "path": "addresses", "value": [{"type": "home", "region": "CA"}]}),
    )
    assert [a["type"] for a in fewer["addresses"]] == ["work"]


def test_scim_errors_only(user):
    """Every failure is a SCIM error the handler can render."""
    for message in [None, "x", body({"op": "add", "path": "emails[", "value": 1})]:
        with pytest.raises(SCIMError):
            patch(user, message)


# -- corners --------------------------------------------------------------------------------


def test_bare_core_urn_is_not_a_path(user):
    """Only extension URNs name an object of the resource; the core schema is the resource."""
    with pytest.raises(InvalidPathError, match="not a schema extension"):
        patch(user, body({"op": "replace", "path": USER_SCHEMA, "value": {"title": "x"}}))
    with pytest.raises(InvalidPathError, match="Unknown attribute"):
        patch(user, body({"op": "replace", "path": f"{USER_SCHEMA}:nope", "value": "x"}))


def test_add_with_filter_merges_into_matched_values(user):
    result = patch(
        user, body({"op": "add", "path": 'emails[type eq "work"]', "value": {"display": "Work"}})
    )
    assert result["emails"][0] == {**user["emails"][0], "display": "Work"}


def test_add_with_filter_and_a_bare_value_keeps_the_conditions(user):
    """``ims[type eq "xmpp"]`` with a bare string: the string is the ``value``."""
    result = patch(user, body({"op": "add", "path": 'ims[type eq "xmpp"]', "value": "b@j.example"}))
    assert result["ims"][-1] == {"type": "xmpp", "value": "b@j.example"}
    result = patch(
        {"keys": [{"value": "a"}]},
        body({"op": "add", "path": "keys[weight eq 2.5].value", "value": "b"}),
        KEYS,
    )
    assert result["keys"][-1] == {"weight": 2.5, "value": "b"}


def test_add_with_filter_that_leaves_nothing_writable_is_invalid_value(group):
    with pytest.raises(InvalidValueError, match="no value to add"):
        patch(
            group, body({"op": "add", "path": 'members[display eq "Nobody"]', "value": {}}), GROUPS
        )


def test_add_simple_value_through_a_filter():
    result = patch(
        {"tags": ["red"]},
        body({"op": "add", "path": 'tags[value eq "blue"]', "value": "blue"}),
        KEYS,
    )
    assert result == {"tags": ["red", "blue"]}


def test_whole_extension_corners(user):
    user[ENTERPRISE] = {"department": "Tours"}
    user["schemas"] = [USER_SCHEMA, ENTERPRISE]
    assert ENTERPRISE not in patch(user, body({"op": "replace", "path": ENTERPRISE, "value": None}))
    assert patch(user, body({"op": "add", "path": ENTERPRISE, "value": None})) == user
    with pytest.raises(InvalidValueError, match="expected a JSON object"):
        patch(user, body({"op": "add", "path": ENTERPRISE, "value": "Tours"}))
    with pytest.raises(InvalidSyntaxError, match="Unknown attribute"):
        patch(user, body({"op": "add", "path": ENTERPRISE, "value": {"nope": 1}}), strict=True)
    del user[ENTERPRISE]
    # Only read-only sub-attributes: nothing to store, no empty extension left behind.
    result = patch(
        user, body({"op": "add", "value": {ENTERPRISE: {"manager": {"displayName": "x"}}}})
    )
    assert ENTERPRISE not in result


def test_strict_unknown_attribute_in_a_path_less_value(user):
    with pytest.raises(InvalidSyntaxError, match="Unknown attribute 'nope'"):
        patch(user, body({"op": "add", "value": {"nope": 1, "schemas": []}}), strict=True)
    assert patch(user, body({"op": "add", "value": {"nope": 1}})) == user


def test_non_canonical_keys_in_the_document_are_replaced(user):
    user["nickname"] = user.pop("nickName")
    user["enterprise"] = 1  # not ours: left alone
    user[ENTERPRISE.upper()] = {}
    result = patch(user, body({"op": "replace", "path": "nickName", "value": "B"}))
    assert result["nickName"] == "B"
    assert "nickname" not in result
    assert ENTERPRISE.upper() not in result
    assert result["enterprise"] == 1


def test_add_null_sub_attribute_changes_nothing(user):
    assert patch(user, body({"op": "add", "path": "name.givenName", "value": None})) == user


def test_add_values_without_a_value_sub_attribute_compare_whole(user):
    result = patch(
        user,
        body(
            {"op": "add", "path": "emails", "value": [{"type": "other", "display": "x"}]},
            {"op": "add", "path": "emails", "value": [{"type": "other", "display": "x"}]},
        ),
    )
    assert result["emails"][-1] == {"type": "other", "display": "x"}
    assert len(result["emails"]) == 3


def test_remove_value_list_by_sub_attributes_and_numbers():
    document = {"keys": [{"value": "a", "weight": 1.5}, {"value": "b", "weight": 2}]}
    result = patch(
        document, body({"op": "remove", "path": "keys", "value": [{"weight": 1.5}]}), KEYS
    )
    assert result == {"keys": [{"value": "b", "weight": 2}]}
    result = patch(
        {"tags": ["x", "y"]},
        body({"op": "remove", "path": "tags", "value": [{"value": "X"}]}),
        KEYS,
    )
    assert result == {"tags": ["y"]}
    for value in ([{"nope": 1}], [["x"]], [{"value": None}]):
        with pytest.raises(InvalidValueError, match="must list values"):
            patch(document, body({"op": "remove", "path": "keys", "value": value}), KEYS)


def test_value_matches_tolerates_odd_stored_values():
    keys = CASE_EXACT.get("keys")
    for text, element in [
        ("count eq 3", {"count": "3"}),
        ('since gt "2000-01-01T00:00:00Z"', {"since": "not a date"}),
        ('value eq "a"', "a"),
    ]:
        target = resolve_path(parse_path(f"keys[{text}]"), KEYS)
        assert value_matches(target.value_filter, element, keys) is False
    target = resolve_path(parse_path("keys[count co 1]".replace("co 1", "gt 1")), KEYS)
    assert value_matches(target.value_filter, {"count": 2}, keys) is True


def test_number_operators_that_do_not_apply_are_invalid_path():
    with pytest.raises(InvalidPathError, match="co does not apply"):
        resolve_path(parse_path("keys[count co 1]"), KEYS)
