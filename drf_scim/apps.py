from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DRFSCIMConfig(AppConfig):
    name = "drf_scim"
    verbose_name = _("SCIM")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from . import audit, checks, records, signals
        from .models import GROUP_MODEL

        checks.register()
        # drf-spectacular is a dependency of drf-scim, always installed: its extensions are
        # registered whether or not "drf_spectacular" is in INSTALLED_APPS, so a schema
        # view of drf-spectacular documents the SCIM endpoints in any project.
        from .contrib import drf_spectacular  # noqa: F401 - registers the extensions

        post_save.connect(
            records.user_saved, sender=get_user_model(), dispatch_uid="drf_scim.records.user_saved"
        )
        post_save.connect(
            records.group_saved,
            sender=apps.get_model(GROUP_MODEL),
            dispatch_uid="drf_scim.records.group_saved",
        )
        from django.db.models.signals import m2m_changed

        from .relations import find_many_to_many

        membership = find_many_to_many(get_user_model(), apps.get_model(GROUP_MODEL))
        if membership is not None:
            m2m_changed.connect(
                records.membership_changed,
                sender=membership.remote_field.through,
                dispatch_uid="drf_scim.records.membership_changed",
            )
        signals.post_operation.connect(audit.record_event, dispatch_uid="drf_scim.audit.post")
        signals.operation_failed.connect(audit.record_event, dispatch_uid="drf_scim.audit.failed")
