"""The /Users endpoints end to end: RFC 7644 §3.3 (create), §3.4.1 (retrieve),
§3.5.1 (replace), §3.6 (delete), on the RFC 7643 §4.1 User."""

from __future__ import annotations

import copy
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.models import UserRecord, UserValue

from .conftest import assert_error

USERS = "/scim/v2/Users"


def user_body(user_name="bjensen", **extra):
    body = {"schemas": [USER_SCHEMA], "userName": user_name}
    body.update(extra)
    return body


def create(client, user_name="bjensen", **extra):
    response = client.post(USERS, user_body(user_name, **extra))
    assert response.status_code == 201, response.content
    return response.json()


def db_state():
    """Everything a SCIM write may touch, to check that a failed request changed nothing."""
    return (
        sorted(User.objects.values_list("username", "email", "first_name", "is_active")),
        sorted(UserRecord.objects.values_list("external_id", "version", "user_name_key")),
        sorted(UserValue.objects.values_list("attribute", "value")),
    )


# -- create: RFC 7644 §3.3 ------------------------------------------------------------------


def test_create_returns_201_location_and_the_resource_rfc7644_3_3(client):
    response = client.post(USERS, user_body("bjensen", externalId="ext-1"))
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == body["meta"]["location"]
    assert body["meta"]["location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    assert body["schemas"] == [USER_SCHEMA]
    assert body["userName"] == "bjensen"
    assert body["externalId"] == "ext-1"
    assert body["meta"]["resourceType"] == "User"
    assert body["meta"]["version"] == 'W/"1"'
    assert body["meta"]["created"].endswith("Z")
    assert body["meta"]["lastModified"].endswith("Z")
    assert uuid.UUID(body["id"])
    assert User.objects.get(username="bjensen").scim_record.external_id == "ext-1"


def test_create_maps_columns_of_the_django_user(client):
    create(
        client,
        "bjensen",
        name={"givenName": "Barbara", "familyName": "Jensen"},
        emails=[{"value": "bjensen@example.com", "type": "work", "primary": True}],
        active=False,
    )
    user = User.objects.get(username="bjensen")
    assert (user.first_name, user.last_name) == ("Barbara", "Jensen")
    assert user.email == "bjensen@example.com"
    assert user.is_active is False


def test_primary_email_goes_to_the_column_whatever_its_position_rfc7643_2_4(client):
    create(
        client,
        emails=[
            {"value": "home@example.com", "type": "home"},
            {"value": "work@example.com", "type": "work", "primary": True},
        ],
    )
    assert User.objects.get().email == "work@example.com"


def test_id_is_server_assigned_and_read_only_attributes_are_ignored_rfc7643_3_1(client):
    body = create(
        client,
        id="client-chosen",
        meta={"resourceType": "Nope", "created": "2001-01-01T00:00:00Z"},
        groups=[{"value": "g1", "display": "Admins"}],
    )
    assert body["id"] != "client-chosen"
    assert body["meta"]["resourceType"] == "User"
    assert not body["meta"]["created"].startswith("2001")
    assert "groups" not in body


def test_missing_username_is_400_invalid_value_rfc7643_4_1_1(client):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "displayName": "No Name"})
    body = assert_error(response, 400, "invalidValue")
    assert "userName" in body["detail"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"active": "yes"}, "active"),
        ({"name": "Barbara Jensen"}, "name"),
        ({"emails": [{"value": "a@example.com", "primary": "maybe"}]}, "emails[0].primary"),
        ({"meta": None, "userName": ["a", "b"]}, "userName"),
        ({"x509Certificates": [{"value": "not base64!"}]}, "x509Certificates[0].value"),
        ({"userName": "nul\u0000byte"}, "userName"),
        ({"userName": "x" * 151}, "userName"),
        ({"externalId": "x" * 256}, "externalId"),
    ],
    ids=[
        "boolean",
        "complex",
        "sub-boolean",
        "list-for-singular",
        "binary",
        "nul",
        "too-long",
        "externalId-too-long",
    ],
)
def test_wrong_types_are_400_invalid_value_and_change_nothing_rfc7644_3_12(client, extra, where):
    create(client, "existing")
    before = db_state()
    body = user_body("bjensen")
    body.update(extra)
    response = client.post(USERS, body)
    detail = assert_error(response, 400, "invalidValue")["detail"]
    assert detail.startswith(where)
    assert db_state() == before


def test_duplicate_username_is_409_uniqueness_ignoring_case_rfc7643_4_1_1(client):
    create(client, "BJensen")
    before = db_state()
    response = client.post(USERS, user_body("bjensen"))
    assert_error(response, 409, "uniqueness")
    assert db_state() == before


def test_duplicate_username_with_non_ascii_case_folding_is_409(client):
    create(client, "ÉCLAIR")
    assert_error(client.post(USERS, user_body("éclair")), 409, "uniqueness")


def test_username_keeps_the_case_the_client_sent(client):
    """Okta checks that userName comes back exactly as it sent it."""
    body = create(client, "Barbara.Jensen@Example.com")
    assert body["userName"] == "Barbara.Jensen@Example.com"
    got = client.get(f"{USERS}/{body['id']}").json()
    assert got["userName"] == "Barbara.Jensen@Example.com"


def test_password_is_hashed_never_returned_rfc7643_4_1_1(client):
    body = create(client, password="t1meMa$heen")
    assert "password" not in body
    user = User.objects.get()
    assert user.check_password("t1meMa$heen")
    assert "t1meMa$heen" not in user.password
    assert "password" not in client.get(f"{USERS}/{body['id']}").json()
    assert "t1meMa$heen" not in str(UserRecord.objects.values().get())


def test_user_without_password_cannot_log_in(client):
    create(client)
    assert not User.objects.get().has_usable_password()


@pytest.mark.parametrize(
    "field", ["is_staff", "is_superuser", "isStaff", "user_permissions", "groups", "last_login"]
)
def test_privileged_fields_can_never_be_set(client, field):
    from drf_scim.serializers import PROTECTED_USER_FIELDS, SCIMUserSerializer

    body = create(client, **{field: True})
    user = User.objects.get()
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.user_permissions.exists()
    assert not user.groups.exists()
    assert field not in body

    # Unknown attributes are dropped anyway, so the half above holds whatever
    # PROTECTED_USER_FIELDS says. Here a serializer maps a SCIM attribute onto the protected
    # column itself, as a project could without running `manage.py check` (drf_scim.E011):
    # a POST or a PATCH must be refused or leave the column as it was.
    column = {"isStaff": "is_staff"}.get(field, field)
    if column not in ("is_staff", "is_superuser", "last_login"):
        return  # many-to-many relations: no singular attribute can be mapped onto them
    assert column in PROTECTED_USER_FIELDS
    employee_number = f"{ENTERPRISE_USER_SCHEMA}:employeeNumber"
    attribute, sent, privileged = {
        "is_staff": ("active", True, {"is_staff": True}),
        "is_superuser": ("active", True, {"is_superuser": True}),
        "last_login": (employee_number, "2020-01-01T00:00:00Z", {"last_login__isnull": False}),
    }[column]

    class PrivilegedSerializer(SCIMUserSerializer):
        attribute_map = {**SCIMUserSerializer.get_attribute_map(), attribute: column}

    value = {ENTERPRISE_USER_SCHEMA: {"employeeNumber": sent}}
    if attribute == "active":
        value = {"active": sent}
    patch = {"Operations": [{"op": "replace", "path": attribute, "value": sent}]}
    with override_settings(DRF_SCIM={"USER_SERIALIZER": PrivilegedSerializer}):
        created = client.post(USERS, user_body("mallory", **value))
        patched = client.patch(f"{USERS}/{body['id']}", patch)
    assert created.status_code < 500, created.content
    assert patched.status_code < 500, patched.content
    assert not User.objects.filter(**privileged).exists()


# -- liberal in what we accept ----------------------------------------------------------


def test_attribute_names_are_case_insensitive_rfc7643_2_1(client):
    """Entra ID's validator sends ``UserName`` and ``Active``."""
    response = client.post(
        USERS,
        {
            "schemas": [USER_SCHEMA],
            "UserName": "bjensen",
            "Active": True,
            "NAME": {"GIVENNAME": "Barbara"},
            "Emails": [{"VALUE": "b@example.com", "Type": "work", "Primary": True}],
            ENTERPRISE_USER_SCHEMA.upper(): {"EmployeeNumber": "42"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["userName"] == "bjensen"
    assert body["name"] == {"givenName": "Barbara"}
    assert body["emails"] == [{"value": "b@example.com", "type": "work", "primary": True}]
    assert body[ENTERPRISE_USER_SCHEMA] == {"employeeNumber": "42"}


def test_explicit_null_means_no_value_rfc7643_2_5(client):
    body = create(
        client,
        displayName=None,
        name={"givenName": None, "familyName": "J"},
        emails=None,
        externalId=None,
    )
    assert "displayName" not in body
    assert body["name"] == {"familyName": "J"}
    assert "emails" not in body
    assert "externalId" not in body


def test_extra_schema_urns_and_null_refs_do_not_fail(client):
    body = create(
        client,
        schemas=[USER_SCHEMA, ENTERPRISE_USER_SCHEMA, "urn:example:unknown:2.0:Thing"],
        **{ENTERPRISE_USER_SCHEMA: {"manager": {"value": "m-1", "$ref": None}}},
    )
    assert body[ENTERPRISE_USER_SCHEMA] == {"manager": {"value": "m-1"}}


def test_missing_schemas_is_accepted(client):
    response = client.post(USERS, {"userName": "bjensen"})
    assert response.status_code == 201


def test_entra_dialect_string_booleans_and_qualified_extension_keys(client):
    """Entra ID sends ``"True"``/``"False"`` and URN-qualified extension attribute keys."""
    body = create(
        client,
        active="False",
        emails=[{"value": "b@example.com", "primary": "True"}],
        **{
            f"{ENTERPRISE_USER_SCHEMA}:department": "R&D",
            f"{ENTERPRISE_USER_SCHEMA}:manager": "mgr-1",
        },
    )
    assert body["active"] is False
    assert body["emails"][0]["primary"] is True
    assert body[ENTERPRISE_USER_SCHEMA] == {"department": "R&D", "manager": {"value": "mgr-1"}}


def test_numbers_for_string_attributes_are_accepted(client):
    body = create(client, **{ENTERPRISE_USER_SCHEMA: {"employeeNumber": 701984}})
    assert body[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "701984"


def test_single_value_for_multi_valued_attribute_is_accepted(client):
    body = create(client, emails={"value": "b@example.com", "type": "work"})
    assert body["emails"] == [{"value": "b@example.com", "type": "work"}]


def test_two_primary_values_keep_the_first_rfc7643_2_4(client):
    body = create(
        client, phoneNumbers=[{"value": "1", "primary": True}, {"value": "2", "primary": True}]
    )
    assert [p.get("primary") for p in body["phoneNumbers"]] == [True, False]


def test_strict_mode_rejects_dialects(client):
    with override_settings(DRF_SCIM={"STRICT": True}):
        assert_error(client.post(USERS, user_body(active="True")), 400, "invalidValue")
        assert_error(client.post(USERS, {"userName": "x"}), 400, "invalidSyntax")
        assert_error(client.post(USERS, user_body(unknownThing=1)), 400, "invalidSyntax")
    assert not User.objects.exists()


# -- retrieve: RFC 7644 §3.4.1 ---------------------------------------------------------------


def test_get_returns_what_post_stored_rfc7644_3_4_1(client):
    created = create(
        client,
        displayName="Babs",
        nickName="B",
        title="Guide",
        roles=[{"value": "admin"}],
        locale="en-US",
    )
    got = client.get(f"{USERS}/{created['id']}")
    assert got.status_code == 200
    assert got.json() == created


def test_full_user_example_round_trips_rfc7643_8_2(client, sample):
    """Every attribute of the RFC's full User survives POST then GET (password aside)."""
    original = sample("rfc7643-8.2-user-full.json")
    original[ENTERPRISE_USER_SCHEMA] = {
        "employeeNumber": "701984",
        "costCenter": "4130",
        "organization": "Universal Studios",
        "division": "Theme Park",
        "department": "Tour Operations",
        "manager": {
            "value": "26118915-6090-4610-87e4-49d8ca9f808d",
            "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
        },
    }
    original["schemas"].append(ENTERPRISE_USER_SCHEMA)
    response = client.post(USERS, original)
    assert response.status_code == 201, response.content
    got = client.get(f"{USERS}/{response.json()['id']}").json()

    expected = copy.deepcopy(original)
    for server_side in ("id", "meta", "password", "groups"):
        expected.pop(server_side)
    actual = {k: v for k, v in got.items() if k not in ("id", "meta")}
    assert actual == expected


def test_unknown_id_is_404_rfc7644_3_12(client):
    assert_error(client.get(f"{USERS}/{uuid.uuid4()}"), 404)
    assert_error(client.get(f"{USERS}/not-a-uuid"), 404)
    assert_error(client.put(f"{USERS}/not-a-uuid", user_body()), 404)
    assert_error(client.delete(f"{USERS}/{uuid.uuid4()}"), 404)


def test_users_created_outside_scim_are_visible(client):
    user = User.objects.create_user("preexisting", "pre@example.com", first_name="Pre")
    listing = client.get(USERS).json()
    assert listing["totalResults"] == 1
    resource = listing["Resources"][0]
    assert resource["id"] == str(user.scim_record.id)
    assert resource["userName"] == "preexisting"
    assert resource["name"] == {"givenName": "Pre"}
    assert resource["emails"] == [{"value": "pre@example.com", "primary": True}]
    assert resource["meta"]["created"] == user.date_joined.isoformat().replace("+00:00", "Z")


def test_column_changed_outside_scim_wins_over_stored_value(client):
    created = create(client, emails=[{"value": "old@example.com", "type": "work", "primary": True}])
    user = User.objects.get()
    user.email = "new@example.com"
    user.save()
    got = client.get(f"{USERS}/{created['id']}").json()
    assert got["emails"] == [{"value": "new@example.com", "type": "work", "primary": True}]
    assert got["meta"]["version"] == 'W/"2"'


# -- replace: RFC 7644 §3.5.1 ----------------------------------------------------------------


def test_put_replaces_everything_rfc7644_3_5_1(client):
    created = create(
        client,
        displayName="Babs",
        title="Guide",
        externalId="e1",
        name={"givenName": "Barbara", "familyName": "Jensen"},
        emails=[{"value": "b@example.com", "primary": True}],
        **{ENTERPRISE_USER_SCHEMA: {"department": "Tours"}},
    )
    url = f"{USERS}/{created['id']}"
    response = client.put(url, user_body("bjensen", nickName="B"))
    assert response.status_code == 200
    body = response.json()
    assert body["nickName"] == "B"
    for cleared in ("displayName", "title", "externalId", "name", "emails", ENTERPRISE_USER_SCHEMA):
        assert cleared not in body
    assert body["schemas"] == [USER_SCHEMA]
    assert body["meta"]["version"] == 'W/"2"'
    assert body["meta"]["created"] == created["meta"]["created"]
    assert client.get(url).json() == body
    user = User.objects.get()
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not UserValue.objects.exists()


def test_put_ignores_read_only_attributes_rfc7644_3_5_1(client):
    """Okta's PUT carries ``groups: []``, ``id`` and ``meta``: they are ignored."""
    created = create(client)
    url = f"{USERS}/{created['id']}"
    body = user_body("bjensen", id="other", groups=[], meta={"version": "x"}, password="s3cret")
    response = client.put(url, body)
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert User.objects.get().check_password("s3cret")


def test_put_without_password_keeps_it(client):
    created = create(client, password="s3cret")
    client.put(f"{USERS}/{created['id']}", user_body("bjensen"))
    assert User.objects.get().check_password("s3cret")


def test_deactivate_and_reactivate_with_active_rfc7643_4_1_1(client):
    """Okta never deletes, it deactivates: the user stays visible to GET and list."""
    created = create(client)
    url = f"{USERS}/{created['id']}"
    assert client.put(url, user_body(active=False)).json()["active"] is False
    assert User.objects.get().is_active is False
    assert client.get(url).json()["active"] is False
    assert [r["id"] for r in client.get(USERS).json()["Resources"]] == [created["id"]]
    assert client.put(url, user_body(active=True)).json()["active"] is True
    assert User.objects.get().is_active is True


def test_put_to_another_users_name_is_409_and_changes_nothing(client):
    create(client, "alice")
    bob = create(client, "bob", displayName="Bob")
    before = db_state()
    assert_error(client.put(f"{USERS}/{bob['id']}", user_body("ALICE")), 409, "uniqueness")
    assert db_state() == before


def test_put_can_change_the_case_of_its_own_username(client):
    created = create(client, "bjensen")
    response = client.put(f"{USERS}/{created['id']}", user_body("BJensen"))
    assert response.status_code == 200
    assert response.json()["userName"] == "BJensen"


def test_invalid_put_changes_nothing(client):
    created = create(client, displayName="Babs")
    before = db_state()
    response = client.put(f"{USERS}/{created['id']}", {"schemas": [USER_SCHEMA]})
    assert_error(response, 400, "invalidValue")
    assert db_state() == before


def test_patch_deactivates_like_okta_rfc7644_3_5_2(client):
    """Okta deactivates with a path-less replace of active (developer.okta.com SCIM guide)."""
    created = create(client, title="Guide")
    response = client.patch(
        f"{USERS}/{created['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["title"] == "Guide"
    assert response.json()["meta"]["version"] == 'W/"2"'
    assert not User.objects.get().is_active


# -- delete: RFC 7644 §3.6 -------------------------------------------------------------------


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_delete_is_204_then_404_rfc7644_3_6(client):
    created = create(client, emails=[{"value": "b@example.com"}])
    url = f"{USERS}/{created['id']}"
    response = client.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    assert not User.objects.exists()
    assert not UserRecord.objects.exists()
    assert not UserValue.objects.exists()
    assert_error(client.get(url), 404)
    assert_error(client.delete(url), 404)


@override_settings(DRF_SCIM={"DELETE_MODE": "deactivate"})
def test_delete_mode_deactivate_keeps_the_row_but_is_404_rfc7644_3_6(client):
    created = create(client)
    url = f"{USERS}/{created['id']}"
    assert client.delete(url).status_code == 204
    user = User.objects.get()
    assert user.is_active is False
    assert user.scim_record.deleted is not None
    assert_error(client.get(url), 404)
    assert_error(client.put(url, user_body()), 404)
    assert client.get(USERS).json()["totalResults"] == 0


def test_list_returns_deactivated_users_rfc7644_3_4_2(client):
    create(client, "a")
    create(client, "b", active=False)
    names = [r["userName"] for r in client.get(USERS).json()["Resources"]]
    assert names == ["a", "b"]


# -- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries, size):
    for i in range(size):
        create(
            client,
            f"user{i}",
            emails=[{"value": f"u{i}@example.com"}],
            phoneNumbers=[{"value": str(i)}],
        )
    client.get(USERS)  # the token's last_used is written once, on first use
    with django_assert_max_num_queries(5):  # token, count, page, values, groups
        response = client.get(f"{USERS}?count={size}")
    assert len(response.json()["Resources"]) == size


def test_get_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    created = create(client, emails=[{"value": f"{i}@example.com"} for i in range(20)])
    with django_assert_max_num_queries(4):  # token, user+record, values, groups
        client.get(f"{USERS}/{created['id']}")


@override_settings(DRF_SCIM={"DELETE_MODE": "deactivate"})
def test_creating_a_deleted_username_again_brings_the_row_back_with_a_new_id(client):
    first = create(client, "bjensen", displayName="Old", password="old-pass")
    user_pk = User.objects.get().pk
    client.delete(f"{USERS}/{first['id']}")
    again = create(client, "BJensen", title="New")
    assert again["id"] != first["id"]
    assert again["userName"] == "BJensen"
    assert again["active"] is True
    assert "displayName" not in again
    assert again["title"] == "New"
    user = User.objects.get()
    assert user.pk == user_pk
    assert user.is_active
    assert not user.has_usable_password()
    assert_error(client.get(f"{USERS}/{first['id']}"), 404)


def test_entra_manager_as_a_one_element_list_is_accepted(client):
    """Entra ID's SCIM sample code sends manager as [{"$ref": ..., "value": id}]
    (MicrosoftDocs/entra-docs, SCIM provisioning tutorial)."""
    created = create(client)
    response = client.patch(
        f"{USERS}/{created['id']}",
        {
            "Operations": [
                {
                    "op": "Add",
                    "path": "manager",
                    "value": [{"$ref": None, "value": "2819c223-7f76-453a-919d-413861904646"}],
                }
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE_USER_SCHEMA]["manager"] == {
        "value": "2819c223-7f76-453a-919d-413861904646"
    }
    with override_settings(DRF_SCIM={"STRICT": True}):
        strict = client.put(
            f"{USERS}/{created['id']}",
            user_body(
                schemas=[USER_SCHEMA], **{ENTERPRISE_USER_SCHEMA: {"manager": [{"value": "x"}]}}
            ),
        )
    assert strict.status_code == 400
