"""``filter_map``: one declaration in a serializer subclass makes filters and sortBy use a
column, a related field or an annotation (RFC 7644 §3.4.2.2, §3.4.2.3)."""

from __future__ import annotations

from urllib.parse import quote

from django.db.models.functions import Concat, Upper
from django.test import override_settings

from drf_scim.serializers import SCIMUserSerializer

USERS = "/scim/v2/Users"


class DeclaredExpressionsSerializer(SCIMUserSerializer):
    filter_map = {
        "nickName": Upper("first_name"),  # a computed value: what the SCIM value is built from
        "displayName": Concat("first_name", "last_name"),
        "title": "username",  # a lookup path
    }


SETTINGS = {"USER_SERIALIZER": f"{__name__}.DeclaredExpressionsSerializer"}


def names(client, query):
    response = client.get(f"{USERS}?{query}")
    assert response.status_code == 200, response.content
    return [r["userName"] for r in response.json()["Resources"]]


@override_settings(DRF_SCIM=SETTINGS)
def test_filters_and_sorting_follow_the_declared_expressions(client):
    for user_name, first, last in (("ann", "Ann", "Lee"), ("bob", "Bob", "Ash"), ("cy", "", "")):
        body = {"userName": user_name, "name": {"givenName": first, "familyName": last}}
        assert client.post(USERS, body).status_code == 201
    assert names(client, "filter=" + quote('nickName eq "ann"')) == ["ann"]
    assert names(client, "filter=" + quote('displayName co "BASH"')) == ["bob"]
    assert names(client, "filter=" + quote("displayName pr")) == ["ann", "bob"]
    assert names(client, "filter=" + quote('title sw "b"')) == ["bob"]
    assert names(client, "sortBy=displayName&sortOrder=descending") == ["bob", "ann", "cy"]
