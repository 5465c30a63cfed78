"""Filters real clients send (RFC 7644 §3.4.2.2) beyond the attributes of the schemas.

* ``schemas`` (RFC 7643 §3): ``schemas eq "<extension URN>"`` finds the resources that
  carry the extension, exactly those whose ``schemas`` lists it; every operator applies.
* ``id``, a caseExact string (RFC 7643 §3.1): every string operator applies, not only
  ``eq``.
* Microsoft Entra ID's ``emails[type eq "work"].value eq "x@y"``, a PATCH path (§3.5.2)
  used as a filter: read as ``emails[type eq "work" and value eq "x@y"]`` by the dialect
  layer (drf_scim.normalization.normalize_filter), refused under ``STRICT``.

The expected answers are computed from what the server returns (the ``schemas`` of each
resource, the ids it assigned), so they hold on SQLite, PostgreSQL and MariaDB alike.
"""

from __future__ import annotations

import operator

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from drf_scim.constants import PATCH_OP_SCHEMA

from .test_filters import (
    ALL,
    CORE,
    ENTERPRISE,
    PEOPLE,
    USERS,
    assert_invalid_filter,
    database_state,
    matched,
)

GROUPS = "/scim/v2/Groups"


@pytest.fixture
def people(client):
    """tests/test_filters.py's users (one made outside SCIM); their SCIM ids by userName."""
    ids = {}
    for body in PEOPLE:
        response = client.post(USERS, body)
        assert response.status_code == 201, response.content
        ids[body["userName"]] = response.json()["id"]
    legacy = get_user_model().objects.create_user("legacy", email="legacy@example.com")
    ids["legacy"] = str(legacy.scim_record.id)
    return ids


def carrying(client, urn):
    """The userNames whose representation lists ``urn`` in ``schemas``."""
    body = client.get(USERS, {"count": 100}).json()
    return {r["userName"] for r in body["Resources"] if urn in r["schemas"]}


# -- schemas ------------------------------------------------------------------------------


def test_rfc7643_3_schemas_eq_an_extension_finds_the_resources_carrying_it(client, people):
    """``schemas eq "<enterprise URN>"``: exactly the users whose ``schemas`` list it."""
    expected = carrying(client, ENTERPRISE)
    assert expected == {"bjensen", "ÉCLAIR", "josé", "mallory"}
    assert matched(client, f'schemas eq "{ENTERPRISE}"') == expected
    assert matched(client, f'schemas ne "{ENTERPRISE}"') == ALL - expected
    assert matched(client, f'not (schemas eq "{ENTERPRISE}")') == ALL - expected


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        pytest.param(f'schemas eq "{CORE}"', "all", id="eq-core"),
        pytest.param(f'schemas eq "{CORE.upper()}"', "all", id="eq-core-any-case"),
        pytest.param(f'SCHEMAS EQ "{ENTERPRISE.lower()}"', "enterprise", id="eq-any-case"),
        pytest.param("schemas pr", "all", id="pr"),
        pytest.param("not (schemas pr)", "none", id="not-pr"),
        pytest.param('schemas co "enterprise"', "enterprise", id="co"),
        pytest.param('schemas sw "urn:ietf:params:scim:schemas:core:"', "all", id="sw-core"),
        pytest.param('schemas ew ":User"', "all", id="ew-both"),
        pytest.param('schemas eq "urn:example:unknown"', "none", id="eq-unknown"),
        pytest.param('schemas co "acme"', "none", id="co-nothing"),
        pytest.param(f'schemas eq "{ENTERPRISE}" and userName sw "j"', {"josé"}, id="combined-and"),
    ],
)
def test_rfc7644_3_4_2_2_schemas_takes_every_operator(client, people, filter_, expected):
    enterprise = carrying(client, ENTERPRISE)
    if isinstance(expected, str):
        expected = {"all": ALL, "none": set(), "enterprise": enterprise}[expected]
    assert matched(client, filter_) == expected


def test_rfc7643_3_a_resource_stops_carrying_an_extension_with_its_last_value(client, people):
    """Once its last enterprise attribute is removed, ``schemas`` no longer lists the
    extension, and the filter no longer finds the user (RFC 7644 §3.5.2.2)."""
    response = client.patch(
        f"{USERS}/{people['ÉCLAIR']}",
        {
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "remove", "path": f"{ENTERPRISE}:department"}],
        },
    )
    assert response.status_code == 200, response.content
    assert ENTERPRISE not in response.json()["schemas"]
    assert "ÉCLAIR" not in matched(client, f'schemas eq "{ENTERPRISE}"')
    assert matched(client, f'schemas eq "{ENTERPRISE}"') == carrying(client, ENTERPRISE)


@pytest.mark.parametrize(
    "filter_",
    [
        pytest.param("schemas eq 5", id="number"),
        pytest.param("schemas eq true", id="boolean"),
        pytest.param('schemas.value eq "x"', id="sub-attribute"),
        pytest.param('schemas[value eq "x"]', id="value-filter"),
    ],
)
def test_rfc7644_3_4_2_2_schemas_compared_with_a_non_string_is_invalid(client, people, filter_):
    before = database_state()
    assert_invalid_filter(client.get(USERS, {"filter": filter_}))
    assert database_state() == before


def test_rfc7643_3_schemas_of_groups(client, db):
    """Groups carry their core schema, and no User extension."""
    client.post(GROUPS, {"displayName": "Tour Guides"})
    found = client.get(
        GROUPS, {"filter": 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"'}
    )
    assert found.json()["totalResults"] == 1
    none = client.get(GROUPS, {"filter": f'schemas eq "{ENTERPRISE}"'})
    assert none.json()["totalResults"] == 0


# -- id: a caseExact string ---------------------------------------------------------------

TEXT_OPERATORS = {
    "sw": str.startswith,
    "ew": str.endswith,
    "co": lambda left, right: right in left,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


@pytest.mark.parametrize("op", sorted(TEXT_OPERATORS))
@pytest.mark.parametrize(
    "literal",
    [
        pytest.param(lambda ids: ids["josé"][:5], id="five-digits"),
        pytest.param(lambda ids: ids["josé"][:13], id="across-a-hyphen"),
        pytest.param(lambda ids: ids["josé"][-6:], id="last-digits"),
        pytest.param(lambda ids: ids["josé"][9:18], id="middle-with-hyphens"),
        pytest.param(lambda ids: ids["josé"], id="whole-id"),
        pytest.param(lambda ids: "8", id="one-digit"),
        pytest.param(lambda ids: ids["josé"][:8] + ids["josé"][9:13], id="hyphen-left-out"),
    ],
)
def test_rfc7643_3_1_id_takes_every_string_operator(client, people, op, literal):
    """``id sw "2819c"`` and the like: compared as the exact string the server returns."""
    text = literal(people)
    expected = {name for name, value in people.items() if TEXT_OPERATORS[op](value, text)}
    assert matched(client, f'id {op} "{text}"') == expected


def test_rfc7643_3_1_id_is_case_exact_for_every_operator(client, people):
    prefix = people["josé"][:8]
    if prefix.upper() == prefix:  # only digits: no case to change
        prefix = people["ada"][:8]
    assert prefix.upper() != prefix or prefix.lower() != prefix
    assert matched(client, f'id sw "{prefix.upper()}"') == set()
    assert matched(client, 'id co ""') == ALL
    assert matched(client, f'id ne "{people["josé"]}" and id sw "{people["josé"][:36]}"') == set()


@pytest.mark.parametrize("filter_", ["id eq 5", "id sw 5", "id gt true", "id co null"], ids=str)
def test_rfc7643_3_1_id_compared_with_a_non_string_is_invalid(client, people, filter_):
    assert_invalid_filter(client.get(USERS, {"filter": filter_}))


# -- Entra ID: a sub-attribute after a value filter ----------------------------------------


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        pytest.param(
            'emails[type eq "work"].value eq "bjensen@example.com"', {"bjensen"}, id="entra-id"
        ),
        # bjensen's home address is no work address: both conditions hold for one value.
        pytest.param('emails[type eq "work"].value eq "babs@jensen.org"', set(), id="same-value"),
        pytest.param(
            'emails[type eq "work" or type eq "home"].value ew "@example.org"',
            {"josé"},
            id="or-inside",
        ),
        pytest.param('phoneNumbers[type eq "mobile"].value pr', {"bjensen", "josé"}, id="pr"),
        pytest.param(
            'userName eq "ada" or emails[type eq "work"].value co "evil"',
            {"ada", "mallory"},
            id="in-an-or",
        ),
    ],
)
def test_entra_id_sub_attribute_after_a_value_filter_is_read_rfc7644_3_4_2_2(
    client, people, filter_, expected
):
    """Entra ID's query as the project's issue reports it, read as the value filter
    ``emails[type eq "work" and value eq "..."]`` (docs/idp/entra-id.md)."""
    assert matched(client, filter_) == expected


def test_entra_id_sub_attribute_after_a_value_filter_in_a_search_rfc7644_3_4_3(client, people):
    body = client.post(
        f"{USERS}/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'emails[type eq "work"].value eq "bjensen@example.com"',
        },
    ).json()
    assert [r["userName"] for r in body["Resources"]] == ["bjensen"]


@override_settings(DRF_SCIM={"STRICT": True})
def test_strict_refuses_a_sub_attribute_after_a_value_filter_rfc7644_3_4_2_2(client, people):
    """Outside the filter grammar: under STRICT, 400 invalidFilter, and nothing changes."""
    before = database_state()
    response = client.get(
        USERS, {"filter": 'emails[type eq "work"].value eq "bjensen@example.com"'}
    )
    assert_invalid_filter(response)
    assert database_state() == before
    assert matched(client, 'emails[type eq "work" and value eq "bjensen@example.com"]') == {
        "bjensen"
    }
