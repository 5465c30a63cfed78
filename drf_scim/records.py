"""Keep every user's record in step with writes made outside SCIM.

Users created by the admin, a sign-up form or ``createsuperuser`` get their record (and so
a SCIM ``id``) at once; a change of username outside SCIM updates the case-folded key
that makes ``userName`` unique ignoring case, and bumps ``meta.version``. SCIM's own
writes mark the instance with ``_scim_write`` and are skipped here: the serializer saves
the record itself.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .models import UserRecord
from .settings import scim_settings

__all__ = ["backfill_user_records", "user_saved"]


def _user_name_key(instance: models.Model) -> tuple[str | None, str | None]:
    serializer = scim_settings.USER_SERIALIZER
    mapping = serializer.get_mapping("userName")
    if mapping is None:
        return None, None
    return mapping.field.attname, serializer.user_name_key(getattr(instance, mapping.field.attname))


def user_saved(
    sender: type[models.Model],
    instance: Any,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    """``post_save`` receiver for the user model."""
    if raw or getattr(instance, "_scim_write", False):
        return
    field, key = _user_name_key(instance)
    if created:
        try:
            with transaction.atomic(using=using):
                UserRecord.objects.using(using).create(user=instance, user_name_key=key)
        except IntegrityError:
            # Another user's userName differs only in case: keep this user reachable by
            # SCIM, without the case-insensitive key the other one holds.
            UserRecord.objects.using(using).create(user=instance, user_name_key=None)
        return
    if update_fields is not None and field not in update_fields:
        return  # e.g. last_login on every login: nothing SCIM shows by its key changed
    changes: dict[str, Any] = {"version": F("version") + 1, "last_modified": timezone.now()}
    try:
        with transaction.atomic(using=using):
            UserRecord.objects.using(using).filter(user=instance).update(
                user_name_key=key, **changes
            )
    except IntegrityError:
        UserRecord.objects.using(using).filter(user=instance).update(user_name_key=None, **changes)


def backfill_user_records(
    user_model: type[models.Model],
    record_model: type[models.Model],
    username_field: str | None,
    batch_size: int = 1000,
) -> None:
    """Give every user without a record one; used by the initial data migration."""
    seen = set(
        record_model._default_manager.exclude(user_name_key=None).values_list(
            "user_name_key", flat=True
        )
    )
    missing = user_model._default_manager.filter(scim_record__isnull=True).order_by("pk")
    batch = []
    for user in missing.iterator(chunk_size=batch_size):
        key = None
        if username_field:
            key = scim_settings.USER_SERIALIZER.user_name_key(getattr(user, username_field))
            if key in seen:
                key = None
            seen.add(key)
        batch.append(record_model(user_id=user.pk, user_name_key=key))
        if len(batch) >= batch_size:
            record_model._default_manager.bulk_create(batch)
            batch = []
    record_model._default_manager.bulk_create(batch)
