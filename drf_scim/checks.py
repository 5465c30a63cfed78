"""System checks: configuration mistakes are reported by ``manage.py check``, not at runtime."""

from __future__ import annotations

from typing import Any

from django.core import checks

from .mapping import mapping_errors
from .settings import DEFAULTS, scim_settings

__all__ = ["check_group_serializer", "check_settings", "check_user_serializer", "register"]


def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """Every key and value of ``DRF_SCIM``: unknown keys and values out of range."""
    errors: list[checks.CheckMessage] = []
    for key in scim_settings.user_settings:
        if key not in DEFAULTS:
            errors.append(checks.Error(f"Unknown DRF_SCIM setting {key!r}.", id="drf_scim.E001"))
    if scim_settings.user_settings.get("DELETE_MODE", "delete") not in ("delete", "deactivate"):
        errors.append(
            checks.Error(
                "DRF_SCIM['DELETE_MODE'] must be 'delete' or 'deactivate'.", id="drf_scim.E002"
            )
        )
    patch_response = scim_settings.user_settings.get("PATCH_RESPONSE", "resource")
    answers = patch_response.values() if isinstance(patch_response, dict) else [patch_response]
    if not all(answer in ("resource", "no-content") for answer in answers) or (
        isinstance(patch_response, dict) and not all(isinstance(k, str) for k in patch_response)
    ):
        errors.append(
            checks.Error(
                "DRF_SCIM['PATCH_RESPONSE'] must be 'resource' or 'no-content', or a dict "
                "of them by resource type name.",
                id="drf_scim.E004",
            )
        )
    for key in ("PRIVILEGED_USERS_IN_SCOPE", "PERMISSION_GROUPS_IN_SCOPE"):
        if not isinstance(scim_settings.user_settings.get(key, False), bool):
            # A truthy string ("no") must not widen what a token may touch.
            errors.append(
                checks.Error(f"DRF_SCIM[{key!r}] must be True or False.", id="drf_scim.E005")
            )
    errors.extend(_pagination_errors())
    for key in (
        "DEFAULT_COUNT",
        "MAX_COUNT",
        "MAX_PAYLOAD_SIZE",
        "PATCH_MAX_OPERATIONS",
        "BULK_MAX_OPERATIONS",
        "BULK_MAX_PAYLOAD_SIZE",
    ):
        value = scim_settings.user_settings.get(key, DEFAULTS[key])
        if not isinstance(value, int) or value < 1:
            errors.append(
                checks.Error(f"DRF_SCIM[{key!r}] must be a positive integer.", id="drf_scim.E003")
            )
    limit = scim_settings.user_settings.get("MAX_MULTI_VALUES", DEFAULTS["MAX_MULTI_VALUES"])
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        errors.append(
            checks.Error(
                "DRF_SCIM['MAX_MULTI_VALUES'] must be a positive integer or None.",
                id="drf_scim.E003",
            )
        )
    return errors


def _pagination_errors() -> list[checks.CheckMessage]:
    """``DEFAULT_PAGINATION_METHOD`` and ``CURSOR_TIMEOUT`` (RFC 9865)."""
    errors: list[checks.CheckMessage] = []
    if scim_settings.user_settings.get("DEFAULT_PAGINATION_METHOD", "index") not in (
        "index",
        "cursor",
    ):
        errors.append(
            checks.Error(
                "DRF_SCIM['DEFAULT_PAGINATION_METHOD'] must be 'index' or 'cursor'.",
                id="drf_scim.E006",
            )
        )
    timeout = scim_settings.user_settings.get("CURSOR_TIMEOUT", DEFAULTS["CURSOR_TIMEOUT"])
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1
    ):
        errors.append(
            checks.Error(
                "DRF_SCIM['CURSOR_TIMEOUT'] must be a positive integer or None.",
                id="drf_scim.E007",
            )
        )
    return errors


def _mapping_messages(setting: str) -> tuple[Any, list[checks.CheckMessage]]:
    """The serializer named by ``setting`` and every mistake of its ``attribute_map``."""
    try:
        serializer = getattr(scim_settings, setting)
        attribute_map = serializer.get_attribute_map()
        model = serializer.get_model()
        schemas = serializer.get_schemas()
    except (ImportError, LookupError, ValueError) as exc:
        return None, [checks.Error(str(exc), id="drf_scim.E010")]
    errors = mapping_errors(serializer.__name__, model, schemas, attribute_map)
    return serializer, [checks.Error(error.message, id=error.id) for error in errors]


def check_user_serializer(**kwargs: Any) -> list[checks.CheckMessage]:
    """The ``USER_SERIALIZER``'s mapping: every mistake at once, and no privilege mapped."""
    from .serializers import PROTECTED_USER_FIELDS

    serializer, errors = _mapping_messages("USER_SERIALIZER")
    if serializer is None or errors:
        return errors
    for mapping in serializer.get_mappings():
        if (
            mapping.field is not None
            and not mapping.relation
            and (mapping.field.name in PROTECTED_USER_FIELDS)
        ):
            errors.append(
                checks.Error(
                    f"{serializer.__name__} maps {mapping.scim_path!r} to the protected field "
                    f"{mapping.field.name!r}; SCIM must never write privileges.",
                    id="drf_scim.E011",
                )
            )
    if serializer.get_mapping("userName") is None:
        errors.append(
            checks.Error(
                f"{serializer.__name__} does not map userName to a model field.", id="drf_scim.E012"
            )
        )
    return errors


def check_group_serializer(**kwargs: Any) -> list[checks.CheckMessage]:
    """The ``GROUP_SERIALIZER``'s mapping: every mistake at once."""
    return _mapping_messages("GROUP_SERIALIZER")[1]


def register() -> None:
    """Register the checks, tagged ``drf_scim``; ``DRFSCIMConfig.ready()`` calls it."""
    checks.register(check_settings, "drf_scim")
    checks.register(check_user_serializer, "drf_scim")
    checks.register(check_group_serializer, "drf_scim")
