"""The ``DRF_SCIM`` settings: defaults, imports, and reloading under override_settings."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from drf_scim import settings as settings_module
from drf_scim.authentication import SCIMTokenAuthentication
from drf_scim.serializers import SCIMGroupSerializer, SCIMUserSerializer
from drf_scim.settings import DEFAULTS, IMPORT_STRINGS, SCIMSettings, scim_settings
from drf_scim.viewsets import GroupViewSet, UserViewSet

EXPECTED_DEFAULTS = {
    "RESOURCE_VIEWSETS": [UserViewSet, GroupViewSet],
    "USER_SERIALIZER": SCIMUserSerializer,
    "GROUP_SERIALIZER": SCIMGroupSerializer,
    "AUTHENTICATION_CLASSES": [SCIMTokenAuthentication],
    "PERMISSION_CLASSES": [IsAuthenticated],
    "DEFAULT_COUNT": 100,
    "MAX_COUNT": 1000,
    "DEFAULT_PAGINATION_METHOD": "index",
    "CURSOR_TIMEOUT": 3600,
    "MAX_PAYLOAD_SIZE": 1_048_576,
    "MAX_MULTI_VALUES": 1000,
    "PATCH_MAX_OPERATIONS": 1000,
    "BULK_MAX_OPERATIONS": 1000,
    "BULK_MAX_PAYLOAD_SIZE": 1_048_576,
    "DELETE_MODE": "deactivate",
    "PRIVILEGED_USERS_IN_SCOPE": False,
    "PERMISSION_GROUPS_IN_SCOPE": False,
    "PATCH_RESPONSE": {"User": "resource", "Group": "no-content"},
    "AUDIT_LOG": True,
    "AUDIT_SCRUB_ATTRIBUTES": ["password"],
    "DOCUMENTATION_URI": None,
    "STRICT": False,
    "FILTER_MAX_LENGTH": 10_000,
    "FILTER_MAX_DEPTH": 50,
    "TOKEN_LAST_USED_RESOLUTION": 60,
}


def test_every_default_is_tested():
    assert set(DEFAULTS) == set(EXPECTED_DEFAULTS)


@pytest.mark.parametrize(("key", "expected"), list(EXPECTED_DEFAULTS.items()))
def test_defaults(key, expected):
    assert getattr(scim_settings, key) == expected


def test_import_strings_are_the_class_settings():
    assert set(IMPORT_STRINGS) == {
        "RESOURCE_VIEWSETS",
        "USER_SERIALIZER",
        "GROUP_SERIALIZER",
        "AUTHENTICATION_CLASSES",
        "PERMISSION_CLASSES",
    }


def test_every_default_has_a_comment():
    """DEFAULTS has a comment above every key (house style, like drf-spectacular)."""
    import inspect

    source = inspect.getsource(settings_module)
    lines = source[source.index("DEFAULTS: dict") :].splitlines()
    for key in DEFAULTS:
        (index,) = [i for i, line in enumerate(lines) if line.strip().startswith(f'"{key}":')]
        assert lines[index - 1].strip().startswith("#"), key


def test_no_setting_is_read_at_import_time():
    fresh = SCIMSettings()

    assert fresh._cache == {}


def test_empty_or_missing_drf_scim_uses_defaults():
    with override_settings(DRF_SCIM=None):
        assert scim_settings.MAX_COUNT == 1000
    with override_settings(DRF_SCIM={}):
        assert scim_settings.MAX_COUNT == 1000


def test_override_settings_reloads():
    assert scim_settings.MAX_COUNT == 1000

    with override_settings(DRF_SCIM={"MAX_COUNT": 5, "DELETE_MODE": "delete"}):
        assert scim_settings.MAX_COUNT == 5
        assert scim_settings.DELETE_MODE == "delete"
        assert scim_settings.DEFAULT_COUNT == 100

    assert scim_settings.MAX_COUNT == 1000
    assert scim_settings.DELETE_MODE == "deactivate"


def test_nested_override_settings_reload():
    with override_settings(DRF_SCIM={"MAX_COUNT": 5}):
        with override_settings(DRF_SCIM={"MAX_COUNT": 7}):
            assert scim_settings.MAX_COUNT == 7
        assert scim_settings.MAX_COUNT == 5


def test_other_settings_changes_keep_the_cache():
    value = scim_settings.AUTHENTICATION_CLASSES

    with override_settings(TIME_ZONE="Europe/Paris"):
        assert scim_settings.AUTHENTICATION_CLASSES is value


def test_import_strings_are_imported_and_cached():
    with override_settings(
        DRF_SCIM={
            "AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
            "PERMISSION_CLASSES": [AllowAny],
        }
    ):
        first = scim_settings.AUTHENTICATION_CLASSES
        assert first == [BasicAuthentication]
        assert scim_settings.AUTHENTICATION_CLASSES is first
        permission_classes = scim_settings.PERMISSION_CLASSES
        assert permission_classes == [AllowAny]


def test_import_string_setting_accepts_a_class():
    with override_settings(DRF_SCIM={"USER_SERIALIZER": SCIMUserSerializer}):
        assert scim_settings.USER_SERIALIZER is SCIMUserSerializer


@pytest.mark.parametrize("key", ["MAX_RESULTS", "max_count", "user_serializer", "nope"])
def test_unknown_key_is_attribute_error(key):
    with pytest.raises(AttributeError, match=key):
        getattr(scim_settings, key)


def test_hasattr_is_false_for_unknown_keys():
    assert not hasattr(scim_settings, "MAX_RESULTS")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("USER_SERIALIZER", "myapp.scim.MissingSerializer"),
        ("USER_SERIALIZER", "drf_scim.serializers.NoSuchSerializer"),
        ("USER_SERIALIZER", "not_a_dotted_path"),
        ("AUTHENTICATION_CLASSES", ["drf_scim.authentication.Nope"]),
        ("PERMISSION_CLASSES", ["rest_framework.permissions.AllowAny", "nope.Nope"]),
        ("RESOURCE_VIEWSETS", ["drf_scim.viewsets.DeviceViewSet"]),
    ],
)
def test_bad_import_string_is_import_error_naming_the_key(key, value):
    with override_settings(DRF_SCIM={key: value}), pytest.raises(ImportError) as excinfo:
        getattr(scim_settings, key)

    message = str(excinfo.value)
    assert key in message
    assert "DRF_SCIM" in message
    bad = value if isinstance(value, str) else value[-1]
    assert bad in message


def test_reload_drops_the_cache():
    settings_object = SCIMSettings()
    assert settings_object.MAX_COUNT == 1000
    assert "MAX_COUNT" in settings_object._cache

    settings_object.reload()

    assert settings_object._cache == {}


def test_every_setting_is_documented_with_its_default():
    """docs/settings.md has a section per key of DEFAULTS, stating the default."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "settings.md").read_text()
    sections = text.split("\n### ")
    for key, default in DEFAULTS.items():
        (section,) = [s for s in sections if s.startswith(f"`{key}`")]
        shown = repr(default).replace("'", '"') if not isinstance(default, int) else None
        if isinstance(default, bool) or default is None:
            shown = {True: "True", False: "False", None: "None"}[default]
        elif isinstance(default, int):
            shown = f"{default:_}" if default >= 10_000 else str(default)
        assert f"Default: `{shown}`" in section, (key, shown)
