"""System checks: configuration mistakes reported by ``manage.py check``."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from drf_scim.checks import check_settings, check_user_serializer
from drf_scim.serializers import SCIMUserSerializer

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class StaffMappingSerializer(SCIMUserSerializer):
    """Maps a SCIM attribute to is_staff: SCIM must never write privileges."""

    attribute_map = {"userName": "username", f"{ENTERPRISE}:employeeNumber": "is_staff"}


class SuperuserActiveSerializer(SCIMUserSerializer):
    attribute_map = {"userName": "username", "active": "is_superuser"}


class PasswordMappingSerializer(SCIMUserSerializer):
    attribute_map = {"userName": "username", "nickName": "password"}


class NoUserNameSerializer(SCIMUserSerializer):
    attribute_map = {"name.givenName": "first_name", "name.familyName": "last_name"}


class UnknownAttributeSerializer(SCIMUserSerializer):
    attribute_map = {"userName": "username", "shoeSize": "first_name"}


class UnknownFieldSerializer(SCIMUserSerializer):
    attribute_map = {"userName": "no_such_column"}


class GoodSerializer(SCIMUserSerializer):
    attribute_map = {**SCIMUserSerializer.get_attribute_map(), "displayName": "first_name"}


def ids(messages):
    return [message.id for message in messages]


def serializer_setting(name):
    return override_settings(DRF_SCIM={"USER_SERIALIZER": f"tests.test_checks.{name}"})


# -- settings: E001, E002, E003 ---------------------------------------------------------------


def test_default_configuration_passes():
    assert check_settings() == []
    assert check_user_serializer() == []


def test_checks_are_registered_under_the_drf_scim_tag():
    assert checks.run_checks(tags=["drf_scim"]) == []
    assert checks.registry.registry.tag_exists("drf_scim")


def test_manage_py_check_passes():
    call_command("check", "--tag", "drf_scim")


@pytest.mark.parametrize("key", ["MAX_RESULT", "max_count", "USER_SERIALISER"])
def test_e001_unknown_setting(key):
    with override_settings(DRF_SCIM={key: 1}):
        messages = check_settings()

    assert ids(messages) == ["drf_scim.E001"]
    assert key in messages[0].msg
    assert messages[0].level == checks.ERROR


@pytest.mark.parametrize("value", ["remove", "Delete", "", None, "soft"])
def test_e002_bad_delete_mode(value):
    with override_settings(DRF_SCIM={"DELETE_MODE": value}):
        assert ids(check_settings()) == ["drf_scim.E002"]


@pytest.mark.parametrize("value", ["delete", "deactivate"])
def test_e002_good_delete_modes(value):
    with override_settings(DRF_SCIM={"DELETE_MODE": value}):
        assert check_settings() == []


@pytest.mark.parametrize(
    "key",
    [
        "DEFAULT_COUNT",
        "MAX_COUNT",
        "MAX_PAYLOAD_SIZE",
        "PATCH_MAX_OPERATIONS",
        "BULK_MAX_OPERATIONS",
        "BULK_MAX_PAYLOAD_SIZE",
    ],
)
@pytest.mark.parametrize("value", [0, -1, "100", 1.5, None])
def test_e003_positive_integers(key, value):
    with override_settings(DRF_SCIM={key: value}):
        messages = check_settings()

    assert ids(messages) == ["drf_scim.E003"]
    assert key in messages[0].msg


@pytest.mark.parametrize("value", [0, -1, "100", 1.5])
def test_e003_max_multi_values_is_a_positive_integer_or_none(value):
    with override_settings(DRF_SCIM={"MAX_MULTI_VALUES": value}):
        messages = check_settings()

    assert ids(messages) == ["drf_scim.E003"]
    assert "MAX_MULTI_VALUES" in messages[0].msg


@pytest.mark.parametrize("value", [1, 50_000, None])
def test_e003_max_multi_values_accepts_a_limit_or_none(value):
    with override_settings(DRF_SCIM={"MAX_MULTI_VALUES": value}):
        assert check_settings() == []


@pytest.mark.parametrize("key", ["PRIVILEGED_USERS_IN_SCOPE", "PERMISSION_GROUPS_IN_SCOPE"])
@pytest.mark.parametrize("value", ["no", 1, None])
def test_e005_scope_settings_are_booleans(key, value):
    with override_settings(DRF_SCIM={key: value}):
        messages = check_settings()

    assert ids(messages) == ["drf_scim.E005"]
    assert key in messages[0].msg


@pytest.mark.parametrize("key", ["PRIVILEGED_USERS_IN_SCOPE", "PERMISSION_GROUPS_IN_SCOPE"])
def test_e005_booleans_pass(key):
    with override_settings(DRF_SCIM={key: True}):
        assert check_settings() == []


def test_several_errors_are_all_reported():
    with override_settings(DRF_SCIM={"NOPE": 1, "DELETE_MODE": "x", "MAX_COUNT": 0}):
        assert sorted(ids(check_settings())) == [
            "drf_scim.E001",
            "drf_scim.E002",
            "drf_scim.E003",
        ]


def test_manage_py_check_fails_on_errors():
    with override_settings(DRF_SCIM={"MAX_COUNT": 0}), pytest.raises(SystemCheckError) as excinfo:
        call_command("check", "--tag", "drf_scim")

    assert "drf_scim.E003" in str(excinfo.value)


# -- the user serializer: E010, E011, E012 ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("StaffMappingSerializer", "is_staff"),
        ("SuperuserActiveSerializer", "is_superuser"),
        ("PasswordMappingSerializer", "password"),
    ],
)
def test_e011_mapping_to_a_protected_field(name, field):
    with serializer_setting(name):
        messages = check_user_serializer()

    assert ids(messages) == ["drf_scim.E011"]
    assert name in messages[0].msg
    assert field in messages[0].msg


def test_e012_no_user_name_mapping():
    with serializer_setting("NoUserNameSerializer"):
        messages = check_user_serializer()

    assert ids(messages) == ["drf_scim.E012"]
    assert "userName" in messages[0].msg


@pytest.mark.parametrize(
    ("name", "text"),
    [("UnknownAttributeSerializer", "shoeSize"), ("UnknownFieldSerializer", "no_such_column")],
)
def test_e010_invalid_attribute_map(name, text):
    with serializer_setting(name):
        messages = check_user_serializer()

    assert ids(messages) == ["drf_scim.E010"]
    assert text in messages[0].msg


def test_e010_serializer_that_cannot_be_imported():
    with override_settings(DRF_SCIM={"USER_SERIALIZER": "tests.test_checks.Missing"}):
        messages = check_user_serializer()

    assert ids(messages) == ["drf_scim.E010"]
    assert "USER_SERIALIZER" in messages[0].msg


def test_a_valid_custom_serializer_passes():
    with serializer_setting("GoodSerializer"):
        assert check_user_serializer() == []


def test_manage_py_check_reports_protected_mapping():
    with serializer_setting("StaffMappingSerializer"), pytest.raises(SystemCheckError) as excinfo:
        call_command("check", "--tag", "drf_scim")

    assert "drf_scim.E011" in str(excinfo.value)
