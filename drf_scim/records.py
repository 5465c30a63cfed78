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
from django.utils import timezone

from .models import UserRecord
from .settings import scim_settings

__all__ = ["backfill_user_records", "user_saved"]


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
    serializer = scim_settings.USER_SERIALIZER()
    if created:
        UserRecord.objects.using(using).create(user=instance)
    else:
        mapped = {mapping.field.name for mapping in serializer.get_mappings()}
        if update_fields is not None and not mapped.intersection(update_fields):
            return  # e.g. last_login on every login: nothing SCIM shows has changed
        record = UserRecord.objects.using(using).filter(user=instance).first()
        if record is None:
            return
        record.version += 1
        record.last_modified = timezone.now()
        instance.scim_record = record
    try:
        with transaction.atomic(using=using):
            serializer.reindex(instance)
    except IntegrityError:
        # Another user's userName differs only in case: keep this user reachable by
        # SCIM, without the case-insensitive key the other one holds.
        serializer.reindex(instance, keys=False)


def backfill_user_records(
    user_model: type[models.Model],
    record_model: type[models.Model],
    value_model: type[models.Model],
    batch_size: int = 500,
) -> int:
    """Give every user without a record one, with its search document and value rows.

    Works with the historical models of a migration as with the real ones. Returns the
    number of records created.
    """
    serializer = scim_settings.USER_SERIALIZER()
    taken = set(
        record_model._default_manager.exclude(user_name_key=None).values_list(
            "user_name_key", flat=True
        )
    )
    missing = user_model._default_manager.filter(scim_record__isnull=True).order_by("pk")
    records: list[Any] = []
    values: list[Any] = []
    created = 0
    for user in missing.iterator(chunk_size=batch_size):
        document = serializer.column_document(user)
        key = serializer.user_name_key(document.get("userName"))
        if key in taken:
            key = None
        taken.add(key)
        record = record_model(
            user_id=user.pk, user_name_key=key, search=serializer.build_search(document)
        )
        records.append(record)
        values.extend(
            value_model(record_id=record.pk, **row) for row in serializer.index_rows(document)
        )
        if len(records) >= batch_size:
            created += _flush(record_model, value_model, records, values)
    return created + _flush(record_model, value_model, records, values)


def _flush(record_model: Any, value_model: Any, records: list[Any], values: list[Any]) -> int:
    count = len(records)
    record_model._default_manager.bulk_create(records)
    value_model._default_manager.bulk_create(values)
    records.clear()
    values.clear()
    return count
