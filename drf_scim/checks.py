"""System checks: configuration mistakes are reported by ``manage.py check``, not at runtime."""

from __future__ import annotations

from typing import Any

from django.core import checks

from .settings import DEFAULTS, scim_settings

__all__ = ["check_settings", "check_user_serializer", "register"]


def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:
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
    if scim_settings.user_settings.get("PATCH_RESPONSE", "resource") not in (
        "resource",
        "no-content",
    ):
        errors.append(
            checks.Error(
                "DRF_SCIM['PATCH_RESPONSE'] must be 'resource' or 'no-content'.",
                id="drf_scim.E004",
            )
        )
    for key in ("DEFAULT_COUNT", "MAX_COUNT", "MAX_PAYLOAD_SIZE"):
        value = scim_settings.user_settings.get(key, DEFAULTS[key])
        if not isinstance(value, int) or value < 1:
            errors.append(
                checks.Error(f"DRF_SCIM[{key!r}] must be a positive integer.", id="drf_scim.E003")
            )
    return errors


def check_user_serializer(**kwargs: Any) -> list[checks.CheckMessage]:
    from .serializers import PROTECTED_USER_FIELDS

    try:
        serializer = scim_settings.USER_SERIALIZER
        mappings = serializer.get_mappings()
    except (ImportError, ValueError) as exc:
        return [checks.Error(str(exc), id="drf_scim.E010")]
    errors: list[checks.CheckMessage] = []
    for mapping in mappings:
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


def register() -> None:
    checks.register(check_settings, "drf_scim")
    checks.register(check_user_serializer, "drf_scim")
