"""The SCIM protocol on a custom user model (``tests.custom_user.EmailUser``): e-mail as
``USERNAME_FIELD``, a UUID primary key, no first/last name columns, no ``is_staff`` nor
``is_superuser``, and no ``groups`` many-to-many (so Group members are kept as data).

The default settings' suite covers each feature in depth on ``auth.User``; this module
runs the core of RFC 7644 once more on a model unlike it, through the API only: create,
read, replace and delete (§3.3-§3.6), PATCH (§3.5.2), filters, sorting, paging and
``/.search`` (§3.4), Groups and their members (RFC 7643 §4.2) and ETags (§3.14).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from drf_scim.constants import GROUP_SCHEMA, PATCH_OP_SCHEMA, SEARCH_REQUEST_SCHEMA, USER_SCHEMA
from tests.conftest import assert_error
from tests.test_rfc7643_samples import without

pytestmark = pytest.mark.custom_user_model

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


def create_user(client, user_name, **attributes):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": user_name, **attributes})
    assert response.status_code == 201, response.content
    return response.json()


def patch(client, url, *operations):
    return client.patch(url, {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)})


def user_names(client, query):
    response = client.get(f"{USERS}?{query}")
    assert response.status_code == 200, response.content
    return [resource["userName"] for resource in response.json()["Resources"]]


def test_rfc7643_8_2_the_full_user_round_trips_rfc7644_3_3(client, sample):
    """Every attribute of the RFC's full User survives: ``userName`` in the e-mail column,
    ``active`` in ``is_active``, the rest (``name`` included: no name columns) as data."""
    example = sample("rfc7643-8.2-user-full.json")
    response = client.post(USERS, example)
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == created["meta"]["location"]
    assert client.get(f"{USERS}/{created['id']}").json() == created

    expected = without(example, "id", "meta", "password", "groups")
    assert without(created, "id", "meta") == expected
    user = get_user_model().objects.get()
    assert (user.email, user.is_active) == ("bjensen@example.com", True)
    assert user.check_password(example["password"])


def test_rfc7644_3_5_1_put_replaces_and_clears_what_it_omits(client):
    user = create_user(
        client,
        "ann@example.com",
        name={"givenName": "Ann"},
        title="Engineer",
        phoneNumbers=[{"value": "555-0100", "type": "work"}],
    )
    url = f"{USERS}/{user['id']}"
    response = client.put(url, {"schemas": [USER_SCHEMA], "userName": "ann@example.org"})
    assert response.status_code == 200, response.content
    replaced = response.json()
    assert replaced["userName"] == "ann@example.org"
    assert not {"name", "title", "phoneNumbers"} & set(replaced)
    assert get_user_model().objects.get().email == "ann@example.org"


def test_rfc7644_3_5_2_patch_paths_filters_and_idp_dialects(client, sample):
    """add, replace and remove, with value filters and sub-attributes, and Entra ID's
    capitalised ``op`` with ``"False"``: the mapped columns and the data change together."""
    created = client.post(USERS, sample("rfc7643-8.2-user-full.json")).json()
    url = f"{USERS}/{created['id']}"
    response = patch(
        client,
        url,
        {"op": "replace", "path": "userName", "value": "barbara@example.com"},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "barbara@example.com"},
        {"op": "remove", "path": 'addresses[type eq "home"]'},
        {"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0199", "type": "fax"}]},
        {"op": "replace", "path": "name.givenName", "value": "Barb"},
        {"op": "Replace", "path": "active", "value": "False"},
    )
    assert response.status_code == 200, response.content
    patched = response.json()
    assert patched["userName"] == "barbara@example.com"
    assert patched["emails"][0] == {"value": "barbara@example.com", "type": "work", "primary": True}
    assert [a["type"] for a in patched["addresses"]] == ["work"]
    assert [p["type"] for p in patched["phoneNumbers"]] == ["work", "mobile", "fax"]
    assert patched["name"]["givenName"] == "Barb"
    assert patched["active"] is False
    assert patched["meta"]["version"] == 'W/"2"'
    user = get_user_model().objects.get()
    assert (user.email, user.is_active) == ("barbara@example.com", False)
    assert client.get(url).json() == patched


def test_rfc7644_3_4_2_filters_sorting_and_paging(client):
    """Filters on the mapped column (``userName``), on data (``name``, ``emails``,
    ``title``) and on ``active``; ``sortBy``; ``startIndex``/``count``; ``/.search``."""
    create_user(client, "Ada@Example.com", name={"familyName": "Lovelace"}, title="Countess")
    create_user(
        client,
        "grace@example.org",
        name={"familyName": "Hopper"},
        emails=[{"value": "grace@navy.example", "type": "work"}],
    )
    create_user(client, "alan@example.com", name={"familyName": "Turing"}, active=False)

    def matching(expression):
        return user_names(client, "filter=" + quote(expression))

    assert matching('userName eq "ada@example.COM"') == ["Ada@Example.com"]
    assert matching('userName sw "a" and active eq true') == ["Ada@Example.com"]
    assert matching('name.familyName co "OPP"') == ["grace@example.org"]
    assert matching('emails[type eq "work" and value ew "navy.example"]') == ["grace@example.org"]
    assert sorted(matching("title pr or active eq false")) == [
        "Ada@Example.com",
        "alan@example.com",
    ]
    assert matching('not (userName ew ".com")') == ["grace@example.org"]
    assert user_names(client, "sortBy=userName&sortOrder=descending") == [
        "grace@example.org",
        "alan@example.com",
        "Ada@Example.com",
    ]
    page = client.get(f"{USERS}?sortBy=name.familyName&startIndex=2&count=1").json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["userName"] for r in page["Resources"]] == ["Ada@Example.com"]

    search = client.post(
        f"{USERS}/.search",
        {
            "schemas": [SEARCH_REQUEST_SCHEMA],
            "filter": 'userName ew ".com"',
            "sortBy": "userName",
            "attributes": ["userName"],
        },
    )
    assert search.status_code == 200, search.content
    assert [set(r) for r in search.json()["Resources"]] == [{"schemas", "id", "userName"}] * 2
    assert_error(client.get(f"{USERS}?filter=" + quote('shoeSize eq "9"')), 400, "invalidFilter")


def test_rfc7643_4_2_group_members_without_a_groups_relation(client):
    """No ``groups`` many-to-many on the model: members are kept as data, still checked
    against the users SCIM can see, patched by value filter, and filterable."""
    ann = create_user(client, "ann@example.com")
    bob = create_user(client, "bob@example.com")
    response = client.post(
        GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": [{"value": ann["id"]}]}
    )
    assert response.status_code == 201, response.content
    group = response.json()
    url = f"{GROUPS}/{group['id']}"
    assert [m["value"] for m in group["members"]] == [ann["id"]]
    assert Group.objects.get().name == "Ops"

    added = patch(client, url, {"op": "add", "path": "members", "value": [{"value": bob["id"]}]})
    assert added.status_code == 204, added.content
    removed = patch(client, url, {"op": "remove", "path": f'members[value eq "{ann["id"]}"]'})
    assert removed.status_code == 204, removed.content
    assert [m["value"] for m in client.get(url).json()["members"]] == [bob["id"]]
    found = client.get(f"{GROUPS}?filter=" + quote(f'members.value eq "{bob["id"]}"')).json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]]
    assert "groups" not in client.get(f"{USERS}/{bob['id']}").json()

    unknown = patch(client, url, {"op": "add", "path": "members", "value": [{"value": "x"}]})
    assert_error(unknown, 400, "invalidValue")


def test_members_kept_as_data_count_toward_max_multi_values(client, settings):
    """docs/settings.md: members kept as data are values of the group, and count toward
    ``MAX_MULTI_VALUES`` (members of a ``groups`` many-to-many do not,
    tests/test_limits.py). Over it: 400 invalidValue and nothing changes (RFC 7644 §3.12)."""
    settings.DRF_SCIM = {"MAX_MULTI_VALUES": 2}
    ann, bob, cy = (create_user(client, f"{n}@example.com") for n in ("ann", "bob", "cy"))
    response = client.post(
        GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": [{"value": ann["id"]}]}
    )
    assert response.status_code == 201, response.content
    url = f"{GROUPS}/{response.json()['id']}"
    more = [{"value": bob["id"]}, {"value": cy["id"]}]
    assert_error(
        patch(client, url, {"op": "add", "path": "members", "value": more}), 400, "invalidValue"
    )
    assert [m["value"] for m in client.get(url).json()["members"]] == [ann["id"]]
    added = patch(client, url, {"op": "add", "path": "members", "value": more[:1]})
    assert added.status_code == 204, added.content
    assert len(client.get(url).json()["members"]) == 2


def test_rfc7644_3_6_delete_deactivates_hides_and_is_undone_by_a_new_post(client):
    """The default ``"deactivate"`` mode on this model: the row stays, inactive; the
    resource is 404 and gone from lists and filters; the same ``userName`` POSTed again
    brings the row back under a new ``id``."""
    ann = create_user(client, "ann@example.com")
    url = f"{USERS}/{ann['id']}"

    assert client.delete(url).status_code == 204
    assert_error(client.get(url), 404)
    assert user_names(client, "") == []
    assert user_names(client, "filter=" + quote('userName eq "ann@example.com"')) == []
    user = get_user_model().objects.get()
    assert user.is_active is False

    again = create_user(client, "ANN@example.com")
    assert again["id"] != ann["id"]
    assert get_user_model().objects.get().pk == user.pk


def test_rfc7644_3_14_etags_on_a_custom_user_model(client):
    user = create_user(client, "ann@example.com")
    url = f"{USERS}/{user['id']}"
    etag = client.get(url)["ETag"]
    assert etag == user["meta"]["version"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    body = {"userName": "ann@example.org"}
    assert client.put(url, body, HTTP_IF_MATCH=etag).status_code == 200
    assert_error(client.put(url, body, HTTP_IF_MATCH=etag), 412)


@pytest.mark.parametrize("mode", ["deactivate", "delete"])
def test_rfc7644_3_6_a_deleted_user_leaves_the_groups_that_keep_members_as_data(
    client, settings, mode
):
    """No ``groups`` many-to-many: members are data. A deleted user is gone from every
    answer (RFC 7644 §3.6), group members included, in both delete modes; the group gets a
    new version (§3.14) and takes members as before."""
    settings.DRF_SCIM = {**getattr(settings, "DRF_SCIM", {}), "DELETE_MODE": mode}
    ann = create_user(client, "ann@example.com")
    bob = create_user(client, "bob@example.com")
    members = [{"value": ann["id"].upper()}, {"value": bob["id"]}]
    response = client.post(
        GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": members}
    )
    assert response.status_code == 201, response.content
    group = response.json()
    url = f"{GROUPS}/{group['id']}"
    assert [m["value"] for m in group["members"]] == [ann["id"], bob["id"]]  # its own id

    assert client.delete(f"{USERS}/{ann['id']}").status_code == 204

    after = client.get(url).json()
    assert [m["value"] for m in after["members"]] == [bob["id"]]
    assert after["meta"]["version"] != group["meta"]["version"]
    found = client.get(f"{GROUPS}?filter=" + quote(f'members.value eq "{ann["id"]}"')).json()
    assert found["totalResults"] == 0
    carl = create_user(client, "carl@example.com")
    added = patch(client, url, {"op": "add", "path": "members", "value": [{"value": carl["id"]}]})
    assert added.status_code == 204, added.content
    assert [m["value"] for m in client.get(url).json()["members"]] == [bob["id"], carl["id"]]
