"""``POST /Bulk`` (RFC 7644 §3.7, drf_scim/bulk.py): every operation through the write
path of its resource viewset, ``bulkId`` references, ``failOnErrors``, the limits."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import AsyncClient, override_settings
from django.urls import include, path
from hypothesis import given, settings
from hypothesis import strategies as st

from drf_scim.bulk import execution_order, parse_bulk_request
from drf_scim.constants import (
    BULK_REQUEST_SCHEMA,
    BULK_RESPONSE_SCHEMA,
    ENTERPRISE_USER_SCHEMA,
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    PATCH_OP_SCHEMA,
    USER_SCHEMA,
)
from drf_scim.exceptions import InvalidSyntax, InvalidValue
from drf_scim.models import GroupRecord, SCIMEvent, SCIMToken
from drf_scim.routers import SCIMRouter
from drf_scim.serializers import SCIMUserSerializer, default_user_attribute_map
from drf_scim.signals import operation_failed, post_operation, pre_operation

from .conftest import SCIMClient
from .test_handlers import assert_scim_error

ROOT = "/scim/v2"
BULK = f"{ROOT}/Bulk"
USERS = f"{ROOT}/Users"
GROUPS = f"{ROOT}/Groups"
SPC = f"{ROOT}/ServiceProviderConfig"
MISSING_ID = "00000000-0000-0000-0000-000000000000"


def bulk(*operations, **members):
    return {"schemas": [BULK_REQUEST_SCHEMA], **members, "Operations": list(operations)}


def post_user(bulk_id, user_name, **attributes):
    data = {"schemas": [USER_SCHEMA], "userName": user_name, **attributes}
    return {"method": "POST", "path": "/Users", "bulkId": bulk_id, "data": data}


def post_group(bulk_id, name, *member_ids):
    data = {"schemas": [GROUP_SCHEMA], "displayName": name}
    if member_ids:
        data["members"] = [{"type": "User", "value": value} for value in member_ids]
    return {"method": "POST", "path": "/Groups", "bulkId": bulk_id, "data": data}


def patch(path, *operations, **members):
    data = {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}
    return {"method": "PATCH", "path": path, "data": data, **members}


def send(client, body):
    """POST a BulkRequest; the BulkResponse's operations (RFC 7644 §3.7.3)."""
    response = client.post(BULK, body)
    assert response.status_code == 200, response.content
    document = response.json()
    assert document["schemas"] == [BULK_RESPONSE_SCHEMA]
    assert set(document) == {"schemas", "Operations"}
    return document["Operations"]


def create_user(client, user_name, **attributes):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": user_name, **attributes})
    assert response.status_code == 201, response.content
    return response.json()


def assert_error(result, status, scim_type=None):
    """A failed operation: its status, and the SCIM error as ``response`` (§3.7.3)."""
    assert result["status"] == str(status), result
    body = result["response"]
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    assert "version" not in result
    return body


def user_names():
    return sorted(get_user_model().objects.values_list("username", flat=True))


@contextmanager
def receiving(signal, receiver):
    signal.connect(receiver, dispatch_uid="test_bulk")
    try:
        yield
    finally:
        signal.disconnect(dispatch_uid="test_bulk")


# -- §3.7.2: bulkId -------------------------------------------------------------------------


def test_rfc7644_3_7_2_a_new_user_added_to_a_new_group_by_bulk_id(client, sample):
    """The RFC's example: the Group's member ``bulkId:qwerty`` is the User created first."""
    results = send(client, sample("rfc7644-3.7.2-bulk-request.json"))

    user_result, group_result = results
    assert user_result["method"] == group_result["method"] == "POST"
    assert (user_result["bulkId"], group_result["bulkId"]) == ("qwerty", "ytrewq")
    assert user_result["status"] == group_result["status"] == "201"
    assert user_result["location"].startswith(f"http://testserver{USERS}/")
    assert group_result["location"].startswith(f"http://testserver{GROUPS}/")
    user = client.get(user_result["location"])
    group = client.get(group_result["location"]).json()
    # The user's version at its creation; joining the group made a new one (its groups).
    assert user_result["version"] == 'W/"1"' != user["ETag"]
    assert [member["value"] for member in group["members"]] == [user.json()["id"]]
    assert group_result["version"] == group["meta"]["version"]
    assert "response" not in user_result


def test_rfc7644_3_7_2_a_reference_to_a_later_operation_waits_for_it(client):
    """ "in any order": the Group naming ``bulkId:alice`` is created after Alice, though
    sent first; the answer keeps the request's order."""
    results = send(
        client,
        bulk(post_group("guides", "Tour Guides", "bulkId:alice"), post_user("alice", "alice")),
    )

    assert [result["bulkId"] for result in results] == ["guides", "alice"]
    assert [result["status"] for result in results] == ["201", "201"]
    group = client.get(results[0]["location"]).json()
    assert group["members"][0]["value"] == results[1]["location"].rsplit("/", 1)[1]


def test_rfc7644_3_7_2_bulk_id_in_a_path_and_in_a_patch_filter(client):
    """A ``bulkId`` names the new resource in ``path`` and inside a PATCH path's filter."""
    results = send(
        client,
        bulk(
            post_user("ann", "ann"),
            post_user("bob", "bob"),
            post_group("team", "Team", "bulkId:ann", "bulkId:bob"),
            patch("/Users/bulkId:ann", {"op": "replace", "path": "displayName", "value": "Ann"}),
            patch(
                "/Groups/bulkId:team", {"op": "remove", "path": 'members[value eq "bulkId:bob"]'}
            ),
        ),
    )

    # The group's PATCH answers 204, as sent alone (PATCH_RESPONSE, RFC 7644 §3.5.2).
    assert [result["status"] for result in results] == ["201", "201", "201", "200", "204"]
    ann_id = results[0]["location"].rsplit("/", 1)[1]
    assert results[3]["location"] == results[0]["location"]
    assert client.get(results[3]["location"]).json()["displayName"] == "Ann"
    group = client.get(results[4]["location"]).json()
    assert [member["value"] for member in group["members"]] == [ann_id]


def test_rfc7644_3_7_2_bulk_id_in_an_extension_attribute(client):
    """The Enterprise ``manager`` (RFC 7643 §4.3) may name a User of the same request."""
    manager = {ENTERPRISE_USER_SCHEMA: {"manager": {"value": "bulkId:boss"}}}
    results = send(
        client,
        bulk(
            post_user("ann", "ann", schemas=[USER_SCHEMA, ENTERPRISE_USER_SCHEMA], **manager),
            post_user("boss", "boss"),
        ),
    )

    assert [result["status"] for result in results] == ["201", "201"]
    ann = client.get(results[0]["location"]).json()
    boss_id = results[1]["location"].rsplit("/", 1)[1]
    assert ann[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == boss_id


def test_rfc7644_3_7_2_an_unknown_bulk_id_is_an_error_of_its_operation(client):
    results = send(client, bulk(post_group("g", "G", "bulkId:nobody"), post_user("a", "a")))

    assert_error(results[0], 400, "invalidValue")
    assert results[1]["status"] == "201"
    assert not Group.objects.filter(name="G").exists()


def test_rfc7644_3_7_2_a_reference_to_a_failed_operation_is_409(client):
    create_user(client, "taken")
    results = send(client, bulk(post_user("u", "taken"), post_group("g", "G", "bulkId:u")))

    assert_error(results[0], 409, "uniqueness")
    assert_error(results[1], 409)
    assert not Group.objects.filter(name="G").exists()


def test_rfc7644_3_7_a_post_requires_a_unique_bulk_id(client):
    """``bulkId`` is REQUIRED with POST and unique within a request (§3.7)."""
    no_bulk_id = post_user("x", "first")
    del no_bulk_id["bulkId"]
    results = send(client, bulk(no_bulk_id, post_user("b", "second"), post_user("b", "third")))

    assert_error(results[0], 400, "invalidSyntax")
    assert results[1]["status"] == "201"
    assert_error(results[2], 400, "invalidValue")
    assert user_names() == ["second"]


# -- §3.7.1: circular references --------------------------------------------------------------


def test_rfc7644_3_7_1_circular_groups_are_tried_then_409(client, sample):
    """The RFC's example: each group names the other. drf-scim tries (§3.7.1: "MUST try
    to resolve"): Group A is created without its member, then Group B, naming A, is
    refused because a group is no member here (RFC 7643 §4.2 leaves nesting to the
    provider); so A's reference cannot be resolved and its entry is 409 ("MAY stop after
    a failed attempt"), with the location of A, which stays created without it."""
    results = send(client, sample("rfc7644-3.7.1-circular-request.json"))

    assert [result["bulkId"] for result in results] == ["qwerty", "ytrewq"]
    body = assert_error(results[0], 409)
    assert "circular" in body["detail"]
    assert results[0]["location"].endswith(f"/Groups/{GroupRecord.objects.get().id}")
    assert_error(results[1], 400, "invalidValue")
    assert "location" not in results[1]
    assert list(Group.objects.values_list("name", flat=True)) == ["Group A"]
    assert not Group.objects.get().user_set.exists()


def test_rfc7644_3_7_1_circular_references_are_resolved(client):
    """Two users who manage each other, a user who waits on the cycle, one who does not,
    one who manages themself: the first of each cycle is created without its manager,
    then PATCHed once the manager exists (§3.7.1: "MUST try to resolve")."""

    def managed_by(bulk_id, user_name, manager):
        return post_user(
            bulk_id,
            user_name,
            schemas=[USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            **{ENTERPRISE_USER_SCHEMA: {"manager": {"value": f"bulkId:{manager}"}}},
        )

    results = send(
        client,
        bulk(
            managed_by("a", "a", "b"),
            managed_by("b", "b", "a"),
            managed_by("c", "c", "a"),
            post_user("d", "d"),
            managed_by("e", "e", "e"),
        ),
    )

    assert [result["status"] for result in results] == ["201"] * 5
    users = {r["bulkId"]: client.get(r["location"]).json() for r in results}
    by_id = {user["id"]: user["userName"] for user in users.values()}
    managers = {
        user["userName"]: by_id.get(
            user.get(ENTERPRISE_USER_SCHEMA, {}).get("manager", {}).get("value")
        )
        for user in users.values()
    }
    assert managers == {"a": "b", "b": "a", "c": "a", "d": None, "e": "e"}
    version = client.get(results[0]["location"]).headers["ETag"]
    assert results[0]["version"] == version  # the version after the PATCH that linked it


def test_rfc7644_3_7_1_a_link_that_fails_is_the_entry_and_the_resource_stays(client):
    """When the PATCH that adds a cycle's reference fails (here the resource was deleted
    in between), the first resource's entry is that error, with its location
    (§3.7.1: "MAY stop after a failed attempt")."""

    def managed_by(bulk_id, manager):
        return post_user(
            bulk_id,
            bulk_id,
            schemas=[USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            **{ENTERPRISE_USER_SCHEMA: {"manager": {"value": f"bulkId:{manager}"}}},
        )

    delete_a = {"method": "DELETE", "path": "/Users/bulkId:a"}
    results = send(client, bulk(managed_by("a", "b"), managed_by("b", "a"), delete_a))

    assert_error(results[0], 404)
    assert results[0]["location"] == results[2]["location"]
    assert [results[1]["status"], results[2]["status"]] == ["201", "204"]
    assert client.get(results[0]["location"]).status_code == 404


# -- §3.7.3: responses --------------------------------------------------------------------


def test_rfc7644_3_7_3_each_method_answers_location_version_and_status(client):
    """The RFC's §3.7 example request: POST, PUT (with version), PATCH (with version),
    DELETE (with version); the answer's entries as its §3.7.3 example shows them."""
    bob = create_user(client, "bob")
    dave = create_user(client, "dave", nickName="Babs")
    eve = create_user(client, "eve")
    operations = [
        post_user("qwerty", "Alice"),
        {
            "method": "PUT",
            "path": f"/Users/{bob['id']}",
            "version": bob["meta"]["version"],
            "data": {"schemas": [USER_SCHEMA], "id": bob["id"], "userName": "Bob"},
        },
        patch(
            f"/Users/{dave['id']}",
            {"op": "remove", "path": "nickName"},
            {"op": "replace", "path": "userName", "value": "Dave"},
            version=dave["meta"]["version"],
        ),
        {"method": "DELETE", "path": f"/Users/{eve['id']}", "version": eve["meta"]["version"]},
    ]
    results = send(client, bulk(*operations, failOnErrors=1))

    post, put, patched, delete = results
    assert set(post) == {"method", "bulkId", "location", "version", "status"}
    assert (post["method"], post["status"]) == ("POST", "201")
    assert set(put) == set(patched) == {"method", "location", "version", "status"}
    assert (put["method"], put["status"]) == ("PUT", "200")
    assert put["location"] == bob["meta"]["location"]
    assert put["version"] == client.get(f"{USERS}/{bob['id']}")["ETag"] != bob["meta"]["version"]
    assert (patched["method"], patched["status"]) == ("PATCH", "200")
    dave_now = client.get(f"{USERS}/{dave['id']}").json()
    assert (dave_now["userName"], "nickName" in dave_now) == ("Dave", False)
    assert patched["version"] == dave_now["meta"]["version"]
    assert delete == {"method": "DELETE", "location": eve["meta"]["location"], "status": "204"}
    assert client.get(f"{USERS}/{eve['id']}").status_code == 404


def test_rfc7644_3_7_3_a_successful_operation_builds_no_representation(client, monkeypatch):
    """§3.7.3: for normal completion "the server MAY elect to omit the response body", and
    the BulkResponse does; so a POST, PUT or PATCH in a Bulk never builds the resource's
    representation (about a tenth of an operation's time). Its entry still has the
    ``location`` and ``version`` the written resource has."""
    bob = create_user(client, "bob")
    built = []
    original = SCIMUserSerializer.to_representation
    monkeypatch.setattr(
        SCIMUserSerializer,
        "to_representation",
        lambda self, instance: built.append(instance) or original(self, instance),
    )
    results = send(
        client,
        bulk(
            post_user("a", "alice"),
            {
                "method": "PUT",
                "path": f"/Users/{bob['id']}",
                "data": {"schemas": [USER_SCHEMA], "userName": "bob", "nickName": "Bobby"},
            },
            patch(
                f"/Users/{bob['id']}",
                {"op": "replace", "path": "title", "value": "Engineer"},
            ),
        ),
    )

    assert [result["status"] for result in results] == ["201", "200", "200"]
    assert built == []
    alice = client.get(results[0]["location"])
    assert alice.json()["userName"] == "alice"
    assert results[0]["version"] == alice["ETag"]
    bob_now = client.get(f"{USERS}/{bob['id']}").json()
    assert (bob_now["nickName"], bob_now["title"]) == ("Bobby", "Engineer")
    assert results[2]["version"] == bob_now["meta"]["version"] != results[1]["version"]
    assert len(built) == 2  # the GETs above do build it


def test_rfc7644_3_7_3_a_stale_version_is_412_and_writes_nothing(client):
    """The operation's ``version`` is its ``If-Match`` (RFC 7644 §3.7, §3.14)."""
    ann = create_user(client, "ann")
    client.patch(
        f"{USERS}/{ann['id']}",
        {"Operations": [{"op": "replace", "path": "displayName", "value": "new"}]},
    )
    stale = ann["meta"]["version"]
    results = send(
        client,
        bulk(
            {"method": "DELETE", "path": f"/Users/{ann['id']}", "version": stale},
            patch(
                f"/Users/{ann['id']}",
                {"op": "replace", "path": "title", "value": "x"},
                version=stale,
            ),
        ),
    )

    for result in results:
        assert_error(result, 412)
        assert result["location"] == ann["meta"]["location"]
    now = client.get(f"{USERS}/{ann['id']}").json()
    assert (now["displayName"], "title" in now) == ("new", False)


def test_rfc7644_3_7_3_errors_of_each_kind_per_operation(client):
    """400, 404 and 409 are answered per operation, and the others still run."""
    create_user(client, "taken")
    results = send(
        client,
        bulk(
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"name": {}}},
            {"method": "DELETE", "path": f"/Users/{MISSING_ID}"},
            post_user("b", "TAKEN"),
            post_user("c", "fine"),
        ),
    )

    assert_error(results[0], 400, "invalidValue")
    assert_error(results[1], 404)
    assert results[1]["location"] == f"http://testserver{USERS}/{MISSING_ID}"
    assert_error(results[2], 409, "uniqueness")
    assert results[3]["status"] == "201"
    assert user_names() == ["fine", "taken"]


@pytest.mark.parametrize(
    ("operation", "status", "scim_type"),
    [
        ({"method": "GET", "path": "/Users"}, 400, "invalidSyntax"),
        ({"method": "HEAD", "path": "/Users"}, 400, "invalidSyntax"),
        ({"method": "POST", "path": "/Nothing", "bulkId": "x", "data": {}}, 404, None),
        ({"method": "POST", "path": "/Users/.search", "bulkId": "x", "data": {}}, 404, None),
        (
            {"method": "POST", "path": "/ServiceProviderConfig", "bulkId": "x", "data": {}},
            404,
            None,
        ),
        ({"method": "POST", "path": "/Bulk", "bulkId": "x", "data": {}}, 404, None),
        ({"method": "POST", "path": "/.search", "bulkId": "x", "data": {}}, 404, None),
        ({"method": "PUT", "path": "/Users", "data": {"userName": "x"}}, 405, None),
        ({"method": "POST", "path": f"/Users/{MISSING_ID}", "bulkId": "x", "data": {}}, 405, None),
        ({"method": "PUT", "path": f"/Users/{MISSING_ID}"}, 400, "invalidSyntax"),
    ],
)
def test_rfc7644_3_7_unknown_method_or_path_is_an_error_of_its_operation(
    client, operation, status, scim_type
):
    """An operation whose method or path names no write of a resource fails alone."""
    results = send(client, bulk(operation, post_user("ok", "ok")))

    assert_error(results[0], status, scim_type)
    assert results[1]["status"] == "201"
    assert user_names() == ["ok"]


def test_rfc7644_3_7_methods_are_read_in_any_case(client):
    results = send(client, bulk({**post_user("a", "a"), "method": "post"}))

    assert (results[0]["method"], results[0]["status"]) == ("POST", "201")


# -- §3.7.3: failOnErrors -------------------------------------------------------------------


@pytest.mark.parametrize(("fail_on_errors", "processed"), [(1, 2), (2, 4), (3, 5), (None, 5)])
def test_rfc7644_3_7_3_fail_on_errors_stops_after_that_many_errors(
    client, fail_on_errors, processed
):
    """Processing stops at the N-th error; later operations are neither run nor answered."""
    create_user(client, "taken")
    operations = [
        post_user("a", "a"),
        post_user("b", "taken"),
        post_user("c", "c"),
        post_user("d", "taken"),
        post_user("e", "e"),
    ]
    members = {} if fail_on_errors is None else {"failOnErrors": fail_on_errors}
    results = send(client, bulk(*operations, **members))

    assert [result["bulkId"] for result in results] == list("abcde")[:processed]
    expected = {"a", "c", "e"} & set("abcde"[:processed])
    assert user_names() == sorted({"taken", *expected})


# -- a failure leaves nothing behind ------------------------------------------------------


def test_rfc7644_3_7_a_failed_operation_writes_nothing_and_earlier_ones_stay(client):
    """Each operation is one transaction: the group whose member is refused is not
    created, the user before it stays."""
    results = send(
        client,
        bulk(post_user("a", "ann"), post_group("g", "Team", "bulkId:a", MISSING_ID)),
    )

    assert results[0]["status"] == "201"
    assert_error(results[1], 400, "invalidValue")
    assert user_names() == ["ann"]
    assert not Group.objects.filter(name="Team").exists()


def test_rfc7644_3_7_a_bug_in_one_operation_is_its_500_not_the_requests(client):
    """An unexpected exception fails its operation with a SCIM 500, rolled back; the
    Bulk request is still answered, and the host's error reporting sees the exception."""

    def explode(sender, data, **kwargs):
        if data and data.get("userName") == "boom":
            raise RuntimeError("bug")

    client.raise_request_exception = False
    with receiving(pre_operation, explode):
        results = send(client, bulk(post_user("a", "boom"), post_user("b", "fine")))

    body = assert_error(results[0], 500)
    assert "bug" not in body["detail"]
    assert results[1]["status"] == "201"
    assert user_names() == ["fine"]


# -- malformed requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [BULK_REQUEST_SCHEMA]},
        {"Operations": {"method": "POST"}},
        {"Operations": [["POST", "/Users"]]},
        {"Operations": [{"method": "POST"}]},
        {"Operations": [{"path": "/Users"}]},
        {"Operations": [{"method": 1, "path": "/Users"}]},
        {"Operations": [{"method": "POST", "path": "/Users", "bulkId": 7, "data": {}}]},
        {"Operations": [{"method": "DELETE", "path": "/Users/x", "version": 3}]},
        {"Operations": [{"method": "POST", "path": "/Users", "bulkId": "a", "data": "x"}]},
        {"Operations": [post_user("a", "a")], "failOnErrors": 0},
        {"Operations": [post_user("a", "a")], "failOnErrors": "1"},
        {"Operations": [post_user("a", "a")], "failOnErrors": True},
        {"Operations": [post_user("a", "a")], "failOnErrors": 1.5},
    ],
)
def test_rfc7644_3_7_a_malformed_bulk_request_is_400_invalid_syntax(client, body):
    """A BulkRequest that breaks the message's structure is refused whole (§3.12)."""
    response = client.post(BULK, body)

    assert_scim_error(response, 400, "invalidSyntax")
    assert user_names() == []
    assert not SCIMEvent.objects.exists()


@pytest.mark.parametrize("body", ['{"Operations": [', "[]", '"Operations"'])
def test_rfc7644_3_7_a_body_that_is_no_json_object_is_400_invalid_syntax(client, body):
    assert_scim_error(client.post(BULK, body), 400, "invalidSyntax")


def test_rfc7644_3_7_member_names_ignore_case(client):
    """RFC 7643 §2.1: attribute names, the message's members too, are case-insensitive."""
    operation = {"METHOD": "POST", "Path": "/Users", "BULKID": "a", "Data": {"userName": "a"}}
    response = client.post(BULK, {"operations": [operation], "FAILONERRORS": 1})

    assert response.status_code == 200
    assert response.json()["Operations"][0]["status"] == "201"


@override_settings(DRF_SCIM={"STRICT": True})
def test_rfc7644_3_7_strict_requires_the_bulk_request_schema(client):
    response = client.post(BULK, {"Operations": [post_user("a", "a")]})

    assert_scim_error(response, 400, "invalidSyntax")
    assert client.post(BULK, bulk(post_user("a", "a"))).status_code == 200


# -- §3.7.4: limits --------------------------------------------------------------------------


@override_settings(DRF_SCIM={"BULK_MAX_OPERATIONS": 2})
def test_rfc7644_3_7_4_more_operations_than_max_operations_is_413_too_many(client):
    advertised = client.get(SPC).json()["bulk"]["maxOperations"]
    assert advertised == 2

    response = client.post(BULK, bulk(*(post_user(str(i), f"u{i}") for i in range(3))))

    body = assert_scim_error(response, 413, "tooMany")
    assert "maxOperations (2)" in body["detail"]
    assert user_names() == []
    assert client.post(BULK, bulk(post_user("a", "a"), post_user("b", "b"))).status_code == 200


@override_settings(DRF_SCIM={"BULK_MAX_PAYLOAD_SIZE": 300})
def test_rfc7644_3_7_4_a_body_over_max_payload_size_is_413_too_many(client):
    advertised = client.get(SPC).json()["bulk"]["maxPayloadSize"]
    assert advertised == 300
    body = bulk(post_user("a", "a", displayName="x" * 200))
    assert len(json.dumps(body)) > advertised

    response = client.post(BULK, body)

    detail = assert_scim_error(response, 413, "tooMany")["detail"]
    assert "maxPayloadSize (300 bytes)" in detail
    assert user_names() == []
    assert client.post(BULK, bulk(post_user("a", "a"))).status_code == 200


@override_settings(DRF_SCIM={"BULK_MAX_PAYLOAD_SIZE": 4096, "MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_7_4_the_bulk_limit_is_its_own(client):
    """A Bulk body may exceed MAX_PAYLOAD_SIZE; each operation's ``data`` may not, as
    the same request sent alone may not."""
    results = send(client, bulk(post_user("a", "a"), post_user("b", "b", displayName="x" * 150)))

    assert results[0]["status"] == "201"
    assert_error(results[1], 413)
    assert user_names() == ["a"]


def test_rfc7643_5_service_provider_config_advertises_bulk(client):
    assert client.get(SPC).json()["bulk"] == {
        "supported": True,
        "maxOperations": 1000,
        "maxPayloadSize": 1_048_576,
    }


# -- authentication, scope, tenants ---------------------------------------------------------


def test_rfc7644_3_7_bulk_requires_authentication(db, anonymous_client):
    """RFC 7644 §2: nothing is served, nor written, without a token."""
    response = anonymous_client.post(BULK, bulk(post_user("a", "a")))

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'
    assert user_names() == []


def test_rfc7644_3_7_a_revoked_token_writes_nothing(client, token):
    SCIMToken.objects.filter(pk=token.pk).update(revoked="2020-01-01T00:00:00Z")

    assert_scim_error(client.post(BULK, bulk(post_user("a", "a"))), 401)
    assert user_names() == []


def test_rfc7644_3_7_bulk_answers_only_post(client):
    assert_scim_error(client.get(BULK), 405)
    assert client.post(f"{BULK}/", bulk(post_user("a", "a"))).status_code == 200


def test_rfc7644_3_7_privileged_users_and_permission_groups_stay_out_of_scope(client):
    """Bulk has the scope of the single requests: an admin and a group carrying
    permissions are 404, and a new group cannot be given permissions."""
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    admins = Group.objects.create(name="Admins")
    admins.permissions.add(Permission.objects.get(codename="change_user"))
    admin_id = admin.scim_record.id
    admins_id = admins.scim_record.id
    results = send(
        client,
        bulk(
            {"method": "DELETE", "path": f"/Users/{admin_id}"},
            patch(f"/Users/{admin_id}", {"op": "replace", "path": "active", "value": False}),
            post_user("m", "mallory"),
            patch(
                f"/Groups/{admins_id}",
                {"op": "add", "path": "members", "value": [{"value": "bulkId:m"}]},
            ),
            {
                "method": "POST",
                "path": "/Groups",
                "bulkId": "g",
                "data": {"displayName": "Ops", "permissions": ["auth.change_user"]},
            },
        ),
    )

    assert [result["status"] for result in results] == ["404", "404", "201", "404", "201"]
    admin.refresh_from_db()
    assert admin.is_active
    assert not admins.user_set.exists()
    assert not Group.objects.get(name="Ops").permissions.exists()


class TenantUserSerializer(SCIMUserSerializer):
    attribute_map = default_user_attribute_map(get_user_model())
    tenant_field = "organization"


@pytest.mark.custom_user_model
@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.TenantUserSerializer"})
def test_rfc7644_3_7_a_tenants_bulk_touches_only_its_own_resources(db):
    """The operations act for the Bulk request's token, tenant included (docs/tenants.md)."""
    from tests.custom_user.models import Organization

    acme, globex = (
        Organization.objects.create(name="Acme"),
        Organization.objects.create(name="Globex"),
    )

    def client_for(tenant):
        _token, key = SCIMToken.generate(f"IdP of {tenant}", tenant=tenant)
        client = SCIMClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    theirs = client_for(globex).post(USERS, {"userName": "bob@globex.test"}).json()
    results = send(
        client_for(acme),
        bulk(
            post_user("a", "ann@acme.test"),
            {"method": "DELETE", "path": f"/Users/{theirs['id']}"},
            patch(f"/Users/{theirs['id']}", {"op": "replace", "path": "active", "value": False}),
        ),
    )

    assert [result["status"] for result in results] == ["201", "404", "404"]
    user_model = get_user_model()
    assert user_model.objects.get(email="ann@acme.test").organization == acme
    assert user_model.objects.get(email="bob@globex.test").is_active


# -- one write path: audit, signals, custom types, queries -----------------------------------


def test_rfc7644_3_7_each_operation_is_audited_as_its_single_request(client, token):
    """One SCIMEvent per operation, with its token, status and scrubbed ``data`` (bulkId
    references resolved); the failed operation's after its rollback."""
    results = send(
        client,
        bulk(
            post_user("a", "ann", password="s3cret"),
            post_group("g", "Team", "bulkId:a"),
            {"method": "DELETE", "path": f"/Users/{MISSING_ID}"},
        ),
    )

    events = list(SCIMEvent.objects.order_by("timestamp", "pk"))
    assert [(e.operation, e.resource_type, e.status) for e in events] == [
        ("create", "User", 201),
        ("create", "Group", 201),
        ("delete", "User", 404),
    ]
    assert all(event.token_id == token.pk for event in events)
    ann_id = results[0]["location"].rsplit("/", 1)[1]
    assert events[0].resource_id == ann_id
    assert events[0].payload["password"] == "[scrubbed]"
    assert events[1].payload["members"] == [{"type": "User", "value": ann_id}]
    assert events[2].resource_id == MISSING_ID


def test_rfc7644_3_7_each_operation_sends_the_signals_of_its_single_request(client):
    seen = []

    def receiver(signal, sender, request, operation, resource_type, **kwargs):
        name = {pre_operation: "pre", post_operation: "post", operation_failed: "failed"}[signal]
        seen.append((name, operation, resource_type, request.method, kwargs.get("status")))

    with (
        receiving(pre_operation, receiver),
        receiving(post_operation, receiver),
        receiving(operation_failed, receiver),
    ):
        send(
            client,
            bulk(
                post_user("a", "ann"),
                patch("/Users/bulkId:a", {"op": "replace", "path": "title", "value": "x"}),
                post_user("b", "ann"),
            ),
        )

    assert seen == [
        ("pre", "create", "User", "POST", None),
        ("post", "create", "User", "POST", 201),
        ("pre", "patch", "User", "PATCH", None),
        ("post", "patch", "User", "PATCH", 200),
        ("pre", "create", "User", "POST", None),
        ("failed", "create", "User", "POST", 409),
    ]


def test_rfc7644_3_7_a_receiver_refusing_an_operation_refuses_it_alone(client):
    """A ``pre_operation`` receiver that raises a SCIM error fails that operation only."""

    def refuse(sender, data, **kwargs):
        if data and data.get("userName") == "mallory":
            raise InvalidValue("Not her.")

    with receiving(pre_operation, refuse):
        results = send(client, bulk(post_user("m", "mallory"), post_user("a", "ann")))

    assert assert_error(results[0], 400, "invalidValue")["detail"] == "Not her."
    assert user_names() == ["ann"]


@pytest.mark.urls("tests.urls_devices")
def test_rfc7644_3_7_a_custom_resource_type_is_written_through_bulk(client):
    """Any registered resource type, here tests/devices' Device."""
    device = {"displayName": "Laptop", "serialNumber": "SN-1"}
    results = send(
        client,
        bulk(
            {"method": "POST", "path": "/Devices", "bulkId": "d", "data": device},
            patch("/Devices/bulkId:d", {"op": "replace", "path": "displayName", "value": "Mac"}),
            patch("/Devices/bulkId:d", {"op": "replace", "path": "serialNumber", "value": "SN-2"}),
            {"method": "POST", "path": "/Devices", "bulkId": "e", "data": device},
        ),
    )

    assert [result["status"] for result in results] == ["201", "200", "400", "409"]
    assert results[0]["location"].startswith("http://testserver/scim/v2/Devices/")
    assert client.get(results[0]["location"]).json()["displayName"] == "Mac"


def _users_with_emails(count, emails, prefix="user"):
    return bulk(
        *(
            post_user(
                f"u{index}",
                f"{prefix}{index}",
                emails=[
                    {"value": f"u{index}.{n}@example.com", "type": "work"} for n in range(emails)
                ],
            )
            for index in range(count)
        )
    )


@pytest.mark.parametrize("emails", [1, 20])
def test_rfc7644_3_7_queries_grow_with_operations_not_their_size(
    client, django_assert_num_queries, emails
):
    """One token lookup for the request and one look for the deleted users holding any
    of its userNames (RFC 7644 §3.6, "deactivate" mode), then the same queries per
    operation, whatever its size: 3 users with 1 or with 20 e-mails each cost the same.
    Per operation: the savepoint and its release, the user, its record, its values in
    one insert, the audit event; the new user's groups are not read, as its single POST
    would not read them (RFC 7644 §3.3: nothing of the request put it in a group), nor
    its values (the rows just written). No token lookup per operation."""
    client.post(BULK, _users_with_emails(1, 1, "warm-up"))  # the token's last_used is written
    with django_assert_num_queries(2 + 3 * 6):
        response = client.post(BULK, _users_with_emails(3, emails))
    assert [op["status"] for op in response.json()["Operations"]] == ["201"] * 3


def _deleted(client, user_name):
    """A user deleted in "deactivate" mode (the default): its row kept, its pk."""
    created = create_user(client, user_name)
    assert client.delete(f"{USERS}/{created['id']}").status_code == 204
    return get_user_model().objects.get(username=user_name).pk


def test_rfc7644_3_6_a_bulk_create_brings_back_the_deleted_user_holding_its_name(client):
    """The creates of a Bulk request ask at once which of their userNames deleted users
    hold: one that does is brought back (its row, a new id), whatever the case of the
    name or of the attribute's name (RFC 7643 §2.1); the others are created."""
    pks = {name: _deleted(client, name) for name in ("ann", "bob")}
    results = send(
        client,
        bulk(
            post_user("a", "ANN"),
            post_user("n", "new"),
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"UserName": "bob"}},
        ),
    )

    assert [result["status"] for result in results] == ["201"] * 3, results
    users = get_user_model().objects
    assert users.get(username="ANN").pk == pks["ann"]
    assert users.get(username="bob").pk == pks["bob"]
    assert users.get(username="new").pk not in pks.values()
    assert users.get(username="bob").is_active


def test_rfc7644_3_6_a_bulk_delete_then_create_of_the_name_brings_the_row_back(client):
    """After a DELETE of the request, the next create asks again which names deleted
    users hold: in "deactivate" mode the user just deleted holds its userName, and a
    later create of that name brings its row back (RFC 7644 §3.6) rather than failing
    with a 409."""
    ann = create_user(client, "ann")
    ann_pk = get_user_model().objects.get(username="ann").pk
    results = send(
        client,
        bulk(
            post_user("o", "other"),  # the request's userNames are asked here
            {"method": "DELETE", "path": f"/Users/{ann['id']}"},
            post_user("a", "ann"),
        ),
    )

    assert [result["status"] for result in results] == ["201", "204", "201"]
    assert get_user_model().objects.get(username="ann").pk == ann_pk
    assert results[2]["location"] != f"http://testserver{USERS}/{ann['id']}"


def test_rfc7644_3_7_a_name_no_database_stores_fails_its_operation_alone(client):
    """A userName with a NUL character is its operation's 400, asked of no database
    (PostgreSQL refuses NUL in text); the other creates of the request are made."""
    results = send(client, bulk(post_user("x", "a\u0000b"), post_user("a", "ann")))

    assert_error(results[0], 400, "invalidValue")
    assert results[1]["status"] == "201"
    assert user_names() == ["ann"]


def test_rfc7644_3_7_optional_members_that_are_null_count_as_left_out(client):
    operation = {**post_user("a", "a"), "version": None}
    delete = {"method": "DELETE", "path": f"/Users/{MISSING_ID}", "data": None}
    results = send(client, {"Operations": [operation, delete], "failOnErrors": None})

    assert results[0]["status"] == "201"
    assert_error(results[1], 404)


class NoBulkRouter(SCIMRouter):
    bulk_view = None


urlpatterns = [path("scim/v2/", include(NoBulkRouter().urls))]


@pytest.mark.urls(__name__)
def test_rfc7643_5_a_router_without_bulk_advertises_none(client):
    """``SCIMRouter.bulk_view = None``: no /Bulk, and /ServiceProviderConfig says so."""
    assert client.get(SPC).json()["bulk"] == {
        "supported": False,
        "maxOperations": 0,
        "maxPayloadSize": 0,
    }
    assert_scim_error(client.post(BULK, bulk(post_user("a", "a"))), 404)
    assert user_names() == []


def tenant_middleware(get_response):
    """A host's middleware that marks the request, as django-tenants sets request.tenant."""

    def middleware(request):
        request.tenant = "acme"
        return get_response(request)

    return middleware


def test_rfc7644_3_7_operations_carry_what_middleware_set_but_not_the_bulk_headers(
    client, settings
):
    """A host's ``get_tenant()`` may read what its middleware set on the request: the
    sub-request carries it. The Bulk request's own ``If-Match`` is not the operations'
    (their ``version`` is)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.tenant_middleware"]
    seen = []

    def receiver(sender, request, **kwargs):
        seen.append((request._request.tenant, request.headers.get("If-Match")))

    ann = create_user(client, "ann")
    with receiving(pre_operation, receiver):
        response = client.post(
            BULK,
            bulk(
                post_user("a", "bob"),
                {"method": "DELETE", "path": f"/Users/{ann['id']}", "version": 'W/"1"'},
            ),
            HTTP_IF_MATCH='W/"0"',
        )

    assert [op["status"] for op in response.json()["Operations"]] == ["201", "204"]
    assert seen == [("acme", None), ("acme", 'W/"1"')]


@pytest.mark.parametrize(
    "path",
    ["/Users/日本", "/Users/abc\x00def", f"/Users/{'x' * 500}", "/Users/%41", "/Users/x/y", ""],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_rfc7644_3_12_any_operation_path_is_a_scim_answer_never_a_500(client, path, method):
    """Whatever ``path`` holds, its operation is answered with a SCIM error."""
    operation = {"method": method, "path": path, "data": {"userName": "x"}}
    if method == "PATCH":
        operation["data"] = {"Operations": [{"op": "remove", "path": "title"}]}
    results = send(client, bulk(operation))

    assert_error(results[0], 404)
    assert user_names() == []


# -- the pure parts: parse_bulk_request() and the execution order -------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_rfc7644_3_7_any_body_parses_or_is_invalid_syntax(body):
    """A BulkRequest is read, or refused with ``invalidSyntax``; nothing else is raised."""
    for candidate in (body, {"Operations": body}, {"Operations": [body]}):
        try:
            operations, _ = parse_bulk_request(candidate)
        except InvalidSyntax:
            continue
        members = {str(key).lower(): value for key, value in candidate.items()}
        assert len(operations) == len(members["operations"])
        assert all(isinstance(op.method, str) and isinstance(op.path, str) for op in operations)


@st.composite
def operation_graphs(draw):
    """Operations of which some POST a bulkId, each referencing random bulkIds."""
    count = draw(st.integers(min_value=1, max_value=8))
    operations = []
    for index in range(count):
        method = draw(st.sampled_from(["POST", "POST", "PATCH", "DELETE"]))
        references = draw(st.lists(st.integers(min_value=0, max_value=count), max_size=3))
        data = {"members": [{"value": f"bulkId:b{ref}"} for ref in references]}
        operations.append(
            {"method": method, "path": "/Groups", "bulkId": f"b{index}", "data": data}
        )
    return operations


@settings(max_examples=300, deadline=None)
@given(operation_graphs())
def test_rfc7644_3_7_2_operations_run_after_what_they_reference(raw):
    """Every operation runs once, after the POSTs it references, in request order
    otherwise; only the first POST of a cycle runs before some of them (§3.7.1)."""
    operations, _ = parse_bulk_request({"Operations": raw})
    defined = {op.bulk_id: op for op in operations if op.action == "create"}
    order, breaking = execution_order(operations, defined)

    assert sorted(op.index for op in order) == list(range(len(operations)))
    position = {op.index: at for at, op in enumerate(order)}
    for op in order:
        for name in op.references:
            if name in defined and op not in breaking:
                assert position[defined[name].index] < position[op.index]
    for op in breaking:  # the first of a cycle, whose rest waits on it
        assert op.action == "create"
        later = [defined[n] for n in op.references if n in defined]
        assert any(position[other.index] >= position[op.index] for other in later)
    if not any(op.references & set(defined) for op in operations):
        assert [op.index for op in order] == list(range(len(operations)))
        assert not breaking


@pytest.mark.django_db(transaction=True)
def test_rfc7644_3_7_bulk_under_asgi():
    """Under ASGI too each operation becomes a sub-request of the same host and root, and
    a bulkId reference resolves (the operations' requests are built, not received)."""
    _token, key = SCIMToken.generate("ASGI IdP")
    body = bulk(post_group("g", "Team", "bulkId:a"), post_user("a", "ann"))
    response = async_to_sync(AsyncClient().post)(
        BULK,
        json.dumps(body),
        content_type="application/scim+json",
        headers={"Authorization": f"Bearer {key}"},
    )

    results = response.json()["Operations"]
    assert [result["status"] for result in results] == ["201", "201"]
    assert results[0]["location"].startswith(f"http://testserver{GROUPS}/")
    team = Group.objects.get(name="Team")
    assert [user.username for user in team.user_set.all()] == ["ann"]
