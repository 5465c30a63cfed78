"""``attributes`` and ``excludedAttributes`` (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.2).

The resource is the RFC 7643 §8.2 full User with the §8.3 Enterprise User extension.
``id`` is returned always, ``password`` never; names are case-insensitive, may be
sub-attributes, URN-qualified or a whole extension URN; unknown names are ignored.
"""

from __future__ import annotations

import pytest
from django.db import connection

from drf_scim.models import UserValue

USERS = "/scim/v2/Users"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

ENTERPRISE_DATA = {
    "employeeNumber": "701984",
    "costCenter": "4130",
    "organization": "Universal Studios",
    "division": "Theme Park",
    "department": "Tour Operations",
    "manager": {"value": "26118915", "$ref": "../Users/26118915"},
}


@pytest.fixture
def full_user(sample):
    """RFC 7643 §8.2 full User with the §8.3 Enterprise User extension."""
    body = sample("rfc7643-8.2-user-full.json")
    body["schemas"].append(ENTERPRISE)
    body[ENTERPRISE] = dict(ENTERPRISE_DATA)
    return body


@pytest.fixture
def bjensen(client, full_user):
    """The full user as created; returns the full representation the server serves."""
    response = client.post(USERS, full_user)
    assert response.status_code == 201, response.content
    document = response.json()
    assert document[ENTERPRISE] == ENTERPRISE_DATA
    assert document["schemas"] == [CORE, ENTERPRISE]
    return document


def get(client, document, **params):
    response = client.get(f"{USERS}/{document['id']}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_rfc7644_3_4_2_5_attributes_user_name(client, bjensen):
    """Only the named attribute, plus ``id`` (returned always) and ``schemas``."""
    assert get(client, bjensen, attributes="userName") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "userName": "bjensen@example.com",
    }


def test_rfc7644_3_4_2_5_attributes_sub_attributes(client, bjensen):
    assert get(client, bjensen, attributes="name.givenName,emails.value") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "name": {"givenName": "Barbara"},
        "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}],
    }


def test_rfc7644_3_4_2_5_attributes_whole_complex_attribute(client, bjensen):
    assert get(client, bjensen, attributes="name,addresses") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "name": bjensen["name"],
        "addresses": bjensen["addresses"],
    }


def test_rfc7644_3_4_2_5_attributes_are_case_insensitive(client, bjensen):
    """RFC 7643 §2.1: attribute names are case-insensitive; responses use canonical names."""
    assert get(client, bjensen, attributes="USERNAME,Name.GIVENNAME") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara"},
    }


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(f"{CORE}:userName", id="core-urn"),
        pytest.param(f"{CORE.upper()}:USERNAME", id="core-urn-odd-case"),
        pytest.param(f"userName,{CORE}:userName", id="twice"),
        pytest.param(" userName , bogus", id="spaces-and-unknown"),
    ],
)
def test_rfc7644_3_4_2_5_attributes_urn_qualified_core(client, bjensen, names):
    assert get(client, bjensen, attributes=names) == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "userName": "bjensen@example.com",
    }


def test_rfc7644_3_4_2_5_attributes_qualified_sub_attribute(client, bjensen):
    assert get(client, bjensen, attributes=f"{CORE}:name.familyName") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "name": {"familyName": "Jensen"},
    }


def test_rfc7644_3_4_2_5_attributes_enterprise_attribute(client, bjensen):
    assert get(client, bjensen, attributes=f"{ENTERPRISE}:employeeNumber") == {
        "schemas": [CORE, ENTERPRISE],
        "id": bjensen["id"],
        ENTERPRISE: {"employeeNumber": "701984"},
    }


def test_rfc7644_3_4_2_5_attributes_enterprise_sub_attribute(client, bjensen):
    assert get(client, bjensen, attributes=f"userName,{ENTERPRISE}:manager.value") == {
        "schemas": [CORE, ENTERPRISE],
        "id": bjensen["id"],
        "userName": "bjensen@example.com",
        ENTERPRISE: {"manager": {"value": "26118915"}},
    }


def test_rfc7644_3_4_2_5_attributes_whole_extension(client, bjensen):
    assert get(client, bjensen, attributes=ENTERPRISE) == {
        "schemas": [CORE, ENTERPRISE],
        "id": bjensen["id"],
        ENTERPRISE: ENTERPRISE_DATA,
    }


def test_rfc7644_3_4_2_5_attributes_meta_sub_attribute(client, bjensen):
    assert get(client, bjensen, attributes="meta.created,externalId") == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "externalId": "701984",
        "meta": {"created": bjensen["meta"]["created"]},
    }


def test_rfc7644_3_4_2_5_excluded_attributes(client, bjensen):
    expected = {k: v for k, v in bjensen.items() if k not in ("emails", "meta")}

    assert get(client, bjensen, excludedAttributes="emails,meta") == expected


def test_rfc7644_3_4_2_5_excluded_sub_attributes(client, bjensen):
    document = get(client, bjensen, excludedAttributes="name.givenName,emails.type")

    assert document["name"] == {k: v for k, v in bjensen["name"].items() if k != "givenName"}
    assert document["emails"] == [
        {"value": "bjensen@example.com", "primary": True},
        {"value": "babs@jensen.org"},
    ]
    assert document["userName"] == "bjensen@example.com"
    assert document["phoneNumbers"] == bjensen["phoneNumbers"]


def test_rfc7643_2_2_excluded_attributes_cannot_remove_id(client, bjensen):
    """``id`` is returned "always": excludedAttributes=id has no effect."""
    assert get(client, bjensen, excludedAttributes="id") == bjensen
    assert get(client, bjensen, excludedAttributes="ID,meta")["id"] == bjensen["id"]


def test_rfc7644_3_4_2_5_excluded_extension_drops_its_schema(client, bjensen):
    """``schemas`` lists only the extensions the trimmed resource still carries."""
    document = get(client, bjensen, excludedAttributes=ENTERPRISE)

    assert ENTERPRISE not in document
    assert document["schemas"] == [CORE]
    assert document == {**{k: v for k, v in bjensen.items() if k != ENTERPRISE}, "schemas": [CORE]}


def test_rfc7644_3_4_2_5_excluding_every_extension_attribute_drops_its_schema(client, bjensen):
    names = ",".join(f"{ENTERPRISE}:{name}" for name in ENTERPRISE_DATA)
    document = get(client, bjensen, excludedAttributes=names)

    assert ENTERPRISE not in document
    assert document["schemas"] == [CORE]


def test_rfc7644_3_4_2_5_excluding_one_extension_attribute_keeps_the_rest(client, bjensen):
    document = get(client, bjensen, excludedAttributes=f"{ENTERPRISE}:manager")

    assert document["schemas"] == [CORE, ENTERPRISE]
    assert document[ENTERPRISE] == {k: v for k, v in ENTERPRISE_DATA.items() if k != "manager"}


def test_rfc7644_3_4_2_5_both_parameters_attributes_wins(client, bjensen):
    document = get(client, bjensen, attributes="userName,title", excludedAttributes="userName")

    assert document == {
        "schemas": [CORE],
        "id": bjensen["id"],
        "userName": "bjensen@example.com",
        "title": "Tour Guide",
    }


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"excludedAttributes": "bogus"}, id="excluded-unknown"),
        pytest.param({"excludedAttributes": "name.bogus,emails.bogus"}, id="excluded-unknown-sub"),
        pytest.param(
            {"excludedAttributes": "urn:ietf:params:scim:schemas:extension:acme:2.0:User"},
            id="excluded-unknown-extension",
        ),
        pytest.param({"attributes": ""}, id="attributes-empty"),
        pytest.param({"excludedAttributes": ""}, id="excluded-empty"),
    ],
)
def test_rfc7644_3_4_2_5_unknown_names_are_ignored(client, bjensen, params):
    assert get(client, bjensen, **params) == bjensen


def test_rfc7644_3_4_2_5_attributes_unknown_names_only(client, bjensen):
    """Every name unknown: only what is returned always remains."""
    document = get(client, bjensen, attributes="bogus,emails.bogus,urn:x:y:z")

    assert document == {"schemas": [CORE], "id": bjensen["id"]}


@pytest.mark.parametrize("names", ["password", "PASSWORD,userName", f"{CORE}:password"])
def test_rfc7643_2_2_password_is_never_returned(client, bjensen, names):
    document = get(client, bjensen, attributes=names)

    assert "password" not in document
    assert set(document) <= {"schemas", "id", "userName"}


def test_rfc7643_2_2_password_is_never_returned_on_list_or_write(client, full_user):
    response = client.post(f"{USERS}?attributes=password", full_user)
    assert response.status_code == 201, response.content
    assert "password" not in response.json()

    listing = client.get(USERS, {"attributes": "password,userName"}).json()
    assert all("password" not in resource for resource in listing["Resources"])


def test_rfc7644_3_4_2_5_projection_on_list(client, bjensen):
    client.post(USERS, {"userName": "other", "title": "Intern"})

    body = client.get(USERS, {"attributes": "userName,title", "sortBy": "userName"}).json()

    assert body["totalResults"] == 2
    assert body["Resources"] == [
        {
            "schemas": [CORE],
            "id": bjensen["id"],
            "userName": "bjensen@example.com",
            "title": "Tour Guide",
        },
        {
            "schemas": [CORE],
            "id": body["Resources"][1]["id"],
            "userName": "other",
            "title": "Intern",
        },
    ]


def test_rfc7644_3_4_2_5_projection_on_list_excluded(client, bjensen):
    client.post(USERS, {"userName": "other", ENTERPRISE: {"department": "R&D"}})

    body = client.get(USERS, {"excludedAttributes": f"meta,emails,{ENTERPRISE}"}).json()

    for resource in body["Resources"]:
        assert resource["schemas"] == [CORE]
        assert not {"meta", "emails", ENTERPRISE} & set(resource)
        assert resource["id"]


def test_rfc7644_3_9_projection_on_post(client, full_user):
    """RFC 7644 §3.9: attributes on a POST shape the resource in the response."""
    response = client.post(f"{USERS}?attributes=userName", full_user)

    assert response.status_code == 201, response.content
    document = response.json()
    assert document == {"schemas": [CORE], "id": document["id"], "userName": "bjensen@example.com"}
    assert response["Location"].endswith(f"/Users/{document['id']}")
    # The projection shapes the response only: the resource is stored whole.
    assert client.get(f"{USERS}/{document['id']}").json()[ENTERPRISE] == ENTERPRISE_DATA


def test_rfc7644_3_9_excluded_attributes_on_post(client, full_user):
    response = client.post(f"{USERS}?excludedAttributes=meta,{ENTERPRISE}", full_user)

    assert response.status_code == 201, response.content
    document = response.json()
    assert "meta" not in document
    assert ENTERPRISE not in document
    assert document["schemas"] == [CORE]
    assert response["Location"].endswith(f"/Users/{document['id']}")


def test_rfc7644_3_9_meta_sub_attribute_on_post(client, full_user):
    """A projection keeping part of ``meta`` still gets a 201 with its Location."""
    response = client.post(f"{USERS}?attributes=userName,meta.created", full_user)

    assert response.status_code == 201, response.content
    document = response.json()
    assert set(document) == {"schemas", "id", "userName", "meta"}
    assert set(document["meta"]) == {"created"}
    assert response["Location"].endswith(f"/Users/{document['id']}")


def test_rfc7644_3_9_projection_on_put(client, bjensen, full_user):
    full_user["title"] = "Chief Guide"
    response = client.put(
        f"{USERS}/{bjensen['id']}?attributes=title,{ENTERPRISE}:department", full_user
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "schemas": [CORE, ENTERPRISE],
        "id": bjensen["id"],
        "title": "Chief Guide",
        ENTERPRISE: {"department": "Tour Operations"},
    }


def test_rfc7644_3_9_excluded_attributes_on_put(client, bjensen, full_user):
    response = client.put(f"{USERS}/{bjensen['id']}?excludedAttributes=meta,emails", full_user)

    assert response.status_code == 200, response.content
    document = response.json()
    assert "meta" not in document
    assert "emails" not in document
    assert document["userName"] == "bjensen@example.com"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param("active", {"active": False}, id="active"),
        pytest.param("active,userName", {"active": False, "userName": "off"}, id="with-other"),
        pytest.param("emails.primary", {"emails": [{"primary": False}]}, id="false-sub-attribute"),
    ],
)
def test_rfc7644_3_4_2_5_false_is_a_value(client, db, names, expected):
    """``active: false`` and ``primary: false`` survive projection."""
    body = {
        "userName": "off",
        "active": False,
        "emails": [{"value": "off@example.com", "primary": False}],
    }
    created = client.post(USERS, body).json()

    document = get(client, created, attributes=names)

    assert document == {"schemas": [CORE], "id": created["id"], **expected}


def test_rfc7644_3_4_2_5_absent_attribute_is_left_out(client, db):
    created = client.post(USERS, {"userName": "bare"}).json()

    assert get(client, created, attributes="emails,title,name.givenName") == {
        "schemas": [CORE],
        "id": created["id"],
    }


# -- a projection without multi-valued attributes does not load the values table ----------

VALUES_TABLE = UserValue._meta.db_table
EVERY_MULTI_VALUED = (
    "emails,phoneNumbers,ims,photos,addresses,groups,entitlements,roles,x509Certificates"
)


def make_users(client, count):
    for index in range(count):
        body = {
            "userName": f"user{index}",
            "title": "Engineer",
            "emails": [{"value": f"user{index}@example.com", "type": "work"}],
            "phoneNumbers": [{"value": f"555-000-{index:04d}"}],
        }
        assert client.post(USERS, body).status_code == 201


def reads_values(captured):
    return any(VALUES_TABLE in query["sql"] for query in captured.captured_queries)


def test_rfc7644_3_4_2_5_list_projection_skips_the_values_query(
    client, db, django_assert_num_queries
):
    make_users(client, 3)
    client.get(USERS)  # the first request records the token's last use
    # Without projection, 2 queries: the token and the page (record joined, each user's
    # value rows and groups read in the same query). The page holds every user, so
    # nothing is counted.
    with django_assert_num_queries(2) as captured:
        assert client.get(USERS).status_code == 200
    assert reads_values(captured)
    # Only singular attributes asked for: neither values nor groups, 2 queries.
    with django_assert_num_queries(2) as captured:
        body = client.get(USERS, {"attributes": "userName,title"}).json()
    assert not reads_values(captured)
    assert [r["title"] for r in body["Resources"]] == ["Engineer"] * 3
    # Every multi-valued attribute excluded: the same 2 queries.
    with django_assert_num_queries(2) as captured:
        body = client.get(USERS, {"excludedAttributes": EVERY_MULTI_VALUED}).json()
    assert not reads_values(captured)
    assert all(r["title"] == "Engineer" for r in body["Resources"])
    # A multi-valued attribute asked for: the values again (in the page's query, 2
    # queries), not the groups.
    with django_assert_num_queries(2) as captured:
        body = client.get(USERS, {"attributes": "emails.value"}).json()
    assert reads_values(captured)
    assert body["Resources"][0]["emails"] == [{"value": "user0@example.com"}]
    # A later page (startIndex=2, one user: no nearer the end than the start, so read
    # forward, past an OFFSET): the count, and no value rows read for the rows the
    # OFFSET skips: it is in a subquery reading primary keys alone, the values in the
    # page's query outside it, with the groups (3 queries), or, on MariaDB, the values
    # and the groups in a query each (5).
    sliced = connection.features.allow_sliced_subqueries_with_in
    with django_assert_num_queries(3 if sliced else 5) as captured:
        body = client.get(USERS, {"startIndex": 2, "count": 1}).json()
    page = next(q["sql"] for q in captured.captured_queries if "OFFSET" in q["sql"])
    skipping = page[page.index(" IN (SELECT") :] if sliced else page
    assert VALUES_TABLE not in skipping
    assert reads_values(captured)
    assert body["Resources"][0]["emails"] == [{"value": "user1@example.com", "type": "work"}]
    # A full first page: the count, which reads no value rows.
    with django_assert_num_queries(3) as captured:
        assert client.get(USERS, {"count": 2}).json()["totalResults"] == 3
    count = next(q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"])
    assert VALUES_TABLE not in count


def test_rfc7644_3_4_2_5_get_projection_skips_the_values_query(
    client, db, django_assert_num_queries
):
    make_users(client, 1)
    resource = client.get(USERS).json()["Resources"][0]
    # Without projection, 2 queries: the token and the resource (record joined, its value
    # rows and its groups read in the same query).
    with django_assert_num_queries(2) as captured:
        assert client.get(f"{USERS}/{resource['id']}").status_code == 200
    assert reads_values(captured)
    # attributes=userName: the token and the resource only.
    with django_assert_num_queries(2) as captured:
        document = client.get(f"{USERS}/{resource['id']}", {"attributes": "userName"}).json()
    assert not reads_values(captured)
    assert document == {"schemas": [CORE], "id": resource["id"], "userName": "user0"}
