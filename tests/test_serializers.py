"""Resource serializers: the attribute map and document shaping (RFC 7643 §3, §4.1)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.serializers import SCIMUserSerializer, default_user_attribute_map


def test_default_map_for_django_user():
    assert default_user_attribute_map(User) == {
        "userName": "username",
        "name.givenName": "first_name",
        "name.familyName": "last_name",
        "emails": "email",
        "active": "is_active",
        "meta.created": "date_joined",
    }


def test_mappings_resolve_case_insensitively():
    assert SCIMUserSerializer.get_mapping("USERNAME").field.name == "username"
    assert SCIMUserSerializer.get_mapping("name.GivenName").field.name == "first_name"
    assert SCIMUserSerializer.get_mapping("nickName") is None


@pytest.mark.parametrize(
    ("attribute_map", "message"),
    [
        ({"userName": "nope"}, "has no field 'nope'"),
        ({"userNom": "username"}, "unknown SCIM attribute 'userNom'"),
        ({"name.middle": "username"}, "unknown SCIM attribute 'name.middle'"),
        ({"urn:example:Other:thing": "username"}, "is not an extension"),
    ],
)
def test_bad_attribute_maps_are_reported(attribute_map, message):
    serializer = type("Bad", (SCIMUserSerializer,), {"attribute_map": attribute_map})
    with pytest.raises(ValueError, match=message):
        serializer.get_mappings()


def test_document_order_schemas_id_external_id_core_extensions_meta(db):
    user = User.objects.create_user("bjensen", email="b@example.com")
    record = user.scim_record
    record.external_id = "e"
    record.attributes = {ENTERPRISE_USER_SCHEMA: {"department": "x"}, "title": "t"}
    record.save()
    user = SCIMUserSerializer.get_storage().get_queryset().get()
    document = SCIMUserSerializer(user).data
    assert list(document) == [
        "schemas",
        "id",
        "externalId",
        "userName",
        "title",
        "active",
        "emails",
        ENTERPRISE_USER_SCHEMA,
        "meta",
    ]
    assert document["schemas"] == [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
    assert document["meta"]["location"] == f"/Users/{record.id}"  # no request: relative
