"""``attribute_map`` mistakes refused by ``manage.py check``, every one at once (issue 10).

A SCIM attribute holds a value (RFC 7643 §2.3): it can live in a column, not in a
relation, a foreign key's raw ``_id`` column or, for a complex attribute (§2.3.8), in
one column. Such mappings used to pass ``check`` and fail every request with a 500.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from drf_scim.checks import check_group_serializer, check_user_serializer
from drf_scim.mapping import compile_mappings, mapping_errors
from drf_scim.serializers import SCIMGroupSerializer, SCIMUserSerializer

from .devices.models import Device
from .devices.scim import DeviceSerializer

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMAS = SCIMUserSerializer.get_schemas()


def errors_of(model, attribute_map, schemas=USER_SCHEMAS):
    errors = mapping_errors("MySerializer", model, schemas, attribute_map)
    return [(error.id, error.message) for error in errors]


@pytest.mark.parametrize(
    ("column", "what"),
    [
        ("logentry", "relation to many LogEntry rows"),  # a reverse foreign key
        ("scim_record", "relation to UserRecord"),  # a reverse one-to-one
        ("groups", "relation to many Group rows"),  # a many-to-many
    ],
)
def test_e013_a_relation_is_no_column(column, what):
    ((check_id, message),) = errors_of(User, {"userName": "username", "nickName": column})
    assert check_id == "drf_scim.E013"
    assert f"'nickName' is mapped to '{column}'" in message
    assert what in message
    assert "unmapped" in message


def test_e013_a_foreign_key_and_its_id_column_are_no_columns():
    devices = DeviceSerializer.get_schemas()
    foreign_key = errors_of(Device, {"displayName": "owner"}, devices)
    assert [i for i, _ in foreign_key] == ["drf_scim.E013"]
    assert "'owner__<field>'" in foreign_key[0][1]

    raw = errors_of(Device, {"displayName": "owner_id"}, devices)
    assert [i for i, _ in raw] == ["drf_scim.E013"]
    assert "raw column of the foreign key 'owner'" in raw[0][1]


@pytest.mark.parametrize("path", ["name", f"{ENTERPRISE}:manager"])
def test_e014_a_complex_attribute_is_not_one_column_rfc7643_2_3_8(path):
    ((check_id, message),) = errors_of(User, {"userName": "username", path: "first_name"})
    assert check_id == "drf_scim.E014"
    assert "complex attribute" in message
    assert f"'{path}.value'" in message or f"'{path}.givenName'" in message


def test_e015_a_column_is_not_reached_through_a_relation_to_many():
    ((check_id, message),) = errors_of(User, {"userName": "username", "title": "groups__name"})
    assert check_id == "drf_scim.E015"
    assert "'groups'" in message


def test_every_mistake_is_reported_at_once():
    attribute_map = {
        "userName": "username",
        "shoeSize": "first_name",
        "nickName": "logentry",
        "name": "last_name",
        "title": "groups__name",
        "displayName": "no_such_field",
    }
    found = [check_id for check_id, _ in errors_of(User, attribute_map)]
    assert found == [
        "drf_scim.E010",
        "drf_scim.E013",
        "drf_scim.E014",
        "drf_scim.E015",
        "drf_scim.E010",
    ]
    with pytest.raises(ValueError, match="shoeSize") as excinfo:
        compile_mappings("MySerializer", User, USER_SCHEMAS, attribute_map)
    assert str(excinfo.value).count("\n") == 4  # one line per mistake


class BadUserSerializer(SCIMUserSerializer):
    attribute_map = {
        "userName": "username",
        "nickName": "logentry",
        f"{ENTERPRISE}:manager": "first_name",
    }


class BadGroupSerializer(SCIMGroupSerializer):
    attribute_map = {"displayName": "permissions"}


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.BadUserSerializer"})
def test_check_reports_every_mistake_of_the_user_serializer():
    assert [m.id for m in check_user_serializer()] == ["drf_scim.E013", "drf_scim.E014"]


@override_settings(DRF_SCIM={"GROUP_SERIALIZER": f"{__name__}.BadGroupSerializer"})
def test_check_reports_the_group_serializer_too():
    (message,) = check_group_serializer()
    assert message.id == "drf_scim.E013"
    assert "BadGroupSerializer" in message.msg


def test_the_default_serializers_pass():
    assert check_user_serializer() == []
    assert check_group_serializer() == []
