"""A schema extension of the project's own (RFC 7643 §3.3): declared once, it is validated,
stored, returned, filtered, sorted, patched and discovered."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from drf_scim.characteristics import AttributeType
from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, Attribute, Schema
from drf_scim.serializers import SCIMUserSerializer, default_user_attribute_map

ACME = Schema(
    id="urn:example:params:scim:schemas:extension:acme:2.0:User",
    name="AcmeUser",
    description="Acme's own user attributes",
    attributes=(
        Attribute("badgeNumber", required=True, case_exact=True),
        Attribute("clearance", AttributeType.INTEGER),
        Attribute("projects", multi_valued=True),
        Attribute("hired", AttributeType.DATETIME),
    ),
)


class AcmeUserSerializer(SCIMUserSerializer):
    extensions = (ENTERPRISE_USER, ACME)
    required_extensions = frozenset({ACME.id})
    attribute_map = {
        **default_user_attribute_map(User),
        f"{ACME.id}:badgeNumber": "last_name",
    }


pytestmark = pytest.mark.usefixtures("acme")
USERS = "/scim/v2/Users"


@pytest.fixture
def acme():
    with override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.AcmeUserSerializer"}):
        yield


def create(client, name, **acme):
    response = client.post(
        USERS, {"schemas": [USER_SCHEMA, ACME.id], "userName": name, ACME.id: acme}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_discovery_lists_the_extension_rfc7643_6_and_7(client):
    user_type = client.get("/scim/v2/ResourceTypes/User").json()
    assert user_type["schemaExtensions"] == [
        {"schema": ENTERPRISE_USER_SCHEMA, "required": False},
        {"schema": ACME.id, "required": True},
    ]
    schema = client.get(f"/scim/v2/Schemas/{ACME.id}").json()
    assert [a["name"] for a in schema["attributes"]] == [
        "badgeNumber",
        "clearance",
        "projects",
        "hired",
    ]


def test_required_extension_is_enforced_rfc7643_6(client):
    response = client.post(USERS, {"userName": "nobadge"})
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert ACME.id in response.json()["detail"]
    response = client.post(USERS, {"userName": "nobadge", ACME.id: {"clearance": 1}})
    assert response.status_code == 400
    assert "badgeNumber" in response.json()["detail"]
    assert not User.objects.exists()


def test_round_trip_and_mapping(client):
    created = create(
        client,
        "ann",
        badgeNumber="B-7",
        clearance="3",
        projects=["x", "y"],
        hired="2020-01-02T03:04:05+02:00",
    )
    assert created["schemas"] == [USER_SCHEMA, ACME.id]
    assert created[ACME.id] == {
        "badgeNumber": "B-7",
        "clearance": 3,
        "projects": ["x", "y"],
        "hired": "2020-01-02T03:04:05+02:00",
    }
    assert User.objects.get().last_name == "B-7"
    assert client.get(created["meta"]["location"]).json() == created


def test_filter_sort_patch_rfc7644_3_4_2_and_3_5_2(client):
    create(
        client, "ann", badgeNumber="B-7", clearance=3, projects=["x"], hired="2020-01-01T00:00:00Z"
    )
    create(
        client, "bob", badgeNumber="b-8", clearance=10, projects=["y"], hired="2021-06-01T00:00:00Z"
    )

    def names(query):
        return [r["userName"] for r in client.get(f"{USERS}?{query}").json()["Resources"]]

    assert names("filter=" + quote(f"{ACME.id}:clearance gt 5")) == ["bob"]
    assert names("filter=" + quote(f'{ACME.id}:badgeNumber eq "b-7"')) == []  # caseExact
    assert names("filter=" + quote(f'{ACME.id}:projects eq "X"')) == ["ann"]
    assert names("filter=" + quote(f'{ACME.id}:hired lt "2020-06-01T00:00:00+01:00"')) == ["ann"]
    assert names(f"sortBy={ACME.id}:clearance&sortOrder=descending") == ["bob", "ann"]
    bob = client.get(f"{USERS}?filter=" + quote('userName eq "bob"')).json()["Resources"][0]
    patched = client.patch(
        bob["meta"]["location"],
        {
            "Operations": [
                {"op": "add", "path": f"{ACME.id}:projects", "value": ["z"]},
                {"op": "replace", "path": f"{ACME.id}:clearance", "value": 11},
            ]
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()[ACME.id]["projects"] == ["y", "z"]
    assert names("filter=" + quote(f"{ACME.id}:clearance ge 11")) == ["bob"]
    removed = client.patch(
        bob["meta"]["location"],
        {"Operations": [{"op": "remove", "path": f"{ACME.id}:badgeNumber"}]},
    )
    assert removed.status_code == 400
    assert removed.json()["scimType"] == "mutability"


def test_value_rows_read_with_the_user_are_the_stored_rows(client):
    """A resource's value rows come with it in one JSON aggregate: they must be the rows
    stored, whatever their text looks like ("123" stays a string, RFC 7643 §2.3.1), or a
    write would see changes where there are none."""
    from drf_scim.storage import _STORED_FIELDS

    created = create(client, "cy", badgeNumber="B-9", projects=["123", "true", "null"])
    storage = AcmeUserSerializer.get_storage()
    instance = storage.get_queryset().get(username="cy")
    record = storage.get_record(instance)

    read = storage.stored_rows(record, instance)

    stored = storage.value_model._default_manager.filter(record=record)
    assert read == list(stored.order_by("attribute", "position").values_list(*_STORED_FIELDS))
    assert [row[-2] for row in read] == ["123", "true", "null"]  # the search column
    assert created[ACME.id]["projects"] == ["123", "true", "null"]
