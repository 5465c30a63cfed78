"""The RFC's own examples (RFC 7643 §8.1-§8.6) through the API.

Each resource example is POSTed, then read back: what comes back is the example less what
the server assigns or never returns (``id``, ``meta``, read-only and write-only
attributes, RFC 7643 §2.2, §3.1). The discovery examples (§8.5, §8.6) are compared with
what ``/ServiceProviderConfig`` and ``/ResourceTypes`` serve. The fixtures hold the RFC's
JSON with its verified errata applied (5990, 5991: ``country`` is ``"US"``).
"""

from __future__ import annotations

import copy

import pytest

from drf_scim.constants import ENTERPRISE_USER_SCHEMA

ROOT = "/scim/v2"
USERS = f"{ROOT}/Users"
GROUPS = f"{ROOT}/Groups"


def without(document, *names):
    """``document`` less the attributes the server assigns or never returns."""
    document = copy.deepcopy(document)
    for name in names:
        head, _, sub = name.partition(".")
        holder = document
        if sub:
            holder = document.get(head, {})
            head = sub
        holder.pop(head, None)
    return document


def round_trip(client, endpoint, body):
    response = client.post(endpoint, body)
    assert response.status_code == 201, response.content
    created = response.json()
    got = client.get(f"{endpoint}/{created['id']}")
    assert got.status_code == 200, got.content
    assert got.json() == created  # the POST's answer is the resource as stored
    return created


@pytest.mark.parametrize("name", ["rfc7643-8.1-user-minimal.json", "rfc7643-8.2-user-full.json"])
def test_rfc7643_8_1_and_8_2_users_round_trip(client, sample, name):
    """§8.1 and §8.2: every attribute survives, but ``id``/``meta`` (server-assigned),
    ``password`` (writeOnly, returned never) and ``groups`` (readOnly: membership is set
    on the Group, RFC 7643 §4.1.2). ``active`` is returned as the server holds it."""
    example = sample(name)
    created = round_trip(client, USERS, example)

    expected = without(example, "id", "meta", "password", "groups")
    expected.setdefault("active", True)  # is_active: a user the IdP creates is active
    assert without(created, "id", "meta") == expected
    assert created["meta"]["resourceType"] == "User"


def test_rfc7643_8_3_enterprise_user_round_trips(client, sample):
    """§8.3: the Enterprise User extension survives, less ``manager.displayName``
    (readOnly: the server fills it from the manager it knows, RFC 7643 §4.3)."""
    example = sample("rfc7643-8.3-user-enterprise.json")
    created = round_trip(client, USERS, example)

    expected = without(example, "id", "meta", "password", "groups")
    expected[ENTERPRISE_USER_SCHEMA]["manager"].pop("displayName")
    assert without(created, "id", "meta") == expected
    assert created["schemas"] == example["schemas"]


def test_rfc7643_8_4_group_round_trips(client, sample):
    """§8.4: the Group and its members. The members of the example are created first and
    the example's ids replaced by theirs (the RFC's are the server's own, §3.1); ``$ref``,
    ``display`` and ``type`` of each member are then the server's (readOnly or derived)."""
    example = sample("rfc7643-8.4-group.json")
    ids = {}
    for member in example["members"]:
        user = client.post(USERS, {"userName": member["display"].split()[0].lower()})
        assert user.status_code == 201, user.content
        ids[member["value"]] = user.json()["id"]
        member["value"] = ids[member["value"]]
        member.pop("$ref")

    created = round_trip(client, GROUPS, example)

    assert created["displayName"] == example["displayName"]
    assert sorted(m["value"] for m in created["members"]) == sorted(ids.values())
    for member in created["members"]:
        assert member["$ref"].endswith(f"/Users/{member['value']}")
        assert member["type"] == "User"
    assert created["meta"]["resourceType"] == "Group"


#: Attributes a later RFC adds to the ServiceProviderConfig (RFC 9865: cursor paging).
LATER_SPC_ATTRIBUTES = {"pagination"}


def test_rfc7643_8_5_service_provider_config_has_the_example_shape(client, sample):
    """§8.5: the same attributes, each of the example's JSON type. The values are this
    server's: what it supports, its limits, its one authentication scheme."""
    example = sample("rfc7643-8.5-service-provider-config.json")
    served = client.get(f"{ROOT}/ServiceProviderConfig").json()

    optional = {"documentationUri"}  # only when the DOCUMENTATION_URI setting is set
    assert set(served) - LATER_SPC_ATTRIBUTES == set(example) - optional
    for name, value in served.items():
        if name in example and isinstance(value, dict):
            assert set(value) <= set(example[name]), name
            for key, item in value.items():
                assert type(item) is type(example[name][key]), (name, key)
    scheme = served["authenticationSchemes"][0]
    assert set(scheme) <= set(example["authenticationSchemes"][0])
    assert {"type", "name", "description"} <= set(scheme)
    assert scheme["type"] == example["authenticationSchemes"][0]["type"]  # oauthbearertoken


def test_rfc7643_8_6_resource_types_are_the_example(client, sample):
    """§8.6, but for the Enterprise extension's ``required``: the example makes it
    required; drf-scim accepts Users without it, and says so (RFC 7643 §6)."""
    example = sample("rfc7643-8.6-resource-types.json")
    example[0]["schemaExtensions"][0]["required"] = False
    served = client.get(f"{ROOT}/ResourceTypes").json()["Resources"]

    for ours, theirs in zip(served, example, strict=True):
        assert without(ours, "meta") == without(theirs, "meta")
        assert ours["meta"]["resourceType"] == theirs["meta"]["resourceType"]
        assert ours["meta"]["location"].endswith(
            theirs["meta"]["location"].removeprefix("https://example.com/v2")
        )
