"""Keep every resource's record in step with writes made outside SCIM.

Users and groups created by the admin, a sign-up form or ``createsuperuser`` get their
record (and so a SCIM ``id``) at once; a change outside SCIM re-derives the search
document and the case-folded unique key, and bumps ``meta.version``. SCIM's own writes
mark the instance with ``_scim_write`` and are skipped here: the serializer saves the
record itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .settings import scim_settings

__all__ = ["backfill_records", "backfill_user_records", "receiver_for", "user_saved"]


def receiver_for(serializer: str | type[Any]) -> Callable[..., None]:
    """A ``post_save`` receiver keeping the records of a resource model in step.

    ``serializer`` is the resource serializer class, or the name of the setting holding
    it (``"USER_SERIALIZER"``). For a resource type of your own::

        post_save.connect(receiver_for(DeviceSerializer), sender=Device)
    """

    def saved(
        sender: type[models.Model],
        instance: Any,
        created: bool,
        raw: bool = False,
        update_fields: frozenset[str] | None = None,
        using: str | None = None,
        **kwargs: Any,
    ) -> None:
        if raw or getattr(instance, "_scim_write", False):
            return
        resource = getattr(scim_settings, serializer) if isinstance(serializer, str) else serializer
        storage = resource.get_storage()
        records = resource.record_model._default_manager.using(using)
        link = storage.record_link
        if created:
            records.create(**{link: instance})
        else:
            mapped = {
                mapping.field.name
                for mapping in resource.get_mappings()
                if mapping.field is not None and not mapping.relation
            }
            computed = any(m.computed or m.relation for m in resource.get_mappings())
            if (
                update_fields is not None
                and not computed
                and not mapped.intersection(update_fields)
            ):
                return  # e.g. last_login on every login: nothing SCIM shows has changed
            record = records.filter(**{link: instance}).first()
            if record is None:
                return
            record.version += 1
            record.last_modified = timezone.now()
            setattr(instance, resource.record_name, record)
        try:
            with transaction.atomic(using=using):
                storage.reindex(instance)
        except IntegrityError:
            # Another resource's unique key differs only in case: keep this one reachable
            # by SCIM, without the case-insensitive key the other one holds.
            storage.reindex(instance, keys=False)

    label = serializer if isinstance(serializer, str) else serializer.__name__
    saved.__name__ = saved.__qualname__ = f"saved_{label.lower()}"
    return saved


user_saved = receiver_for("USER_SERIALIZER")
group_saved = receiver_for("GROUP_SERIALIZER")


def membership_changed(
    sender: type[models.Model],
    instance: Any,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    """``m2m_changed`` receiver for user/group membership changed outside SCIM.

    A group's ``members`` and its users' ``groups`` changed: both get a new
    ``meta.version``. (SCIM's own membership writes bump them themselves.)
    """
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        pk_set = set(
            sender._default_manager.filter(
                **{_side(sender, type(instance)): instance.pk}
            ).values_list(f"{_side(sender, model)}_id", flat=True)
        )
    now = timezone.now()
    for resource_model, pks in ((type(instance), {instance.pk}), (model, pk_set or set())):
        serializer = _serializer_for(resource_model)
        if serializer is None or not pks:
            continue
        serializer.record_model._default_manager.filter(
            **{f"{serializer.get_storage().record_link}__in": pks}
        ).update(version=F("version") + 1, last_modified=now)


def _side(through: type[models.Model], model: type[models.Model]) -> str:
    return next(
        f.name for f in through._meta.get_fields() if f.is_relation and f.related_model is model
    )


def _serializer_for(model: type[models.Model]) -> Any:
    for setting in ("USER_SERIALIZER", "GROUP_SERIALIZER"):
        serializer = getattr(scim_settings, setting)
        if serializer.get_model() is model:
            return serializer
    return None


def backfill_records(
    serializer_class: Any,
    resource_model: type[models.Model],
    record_model: type[models.Model],
    value_model: type[models.Model],
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give every resource without a record one, with its search document and value rows.

    Works with the historical models of a migration as with the real ones. Resources are
    read and records written ``batch_size`` at a time, so memory stays bounded whatever
    the number of resources; ``progress`` is called with each batch's number of records
    once it is written. Returns the number of records created.
    """
    serializer = serializer_class
    storage = serializer.get_storage()
    link = f"{storage.record_link}_id"
    missing = resource_model._default_manager.filter(
        **{f"{serializer.record_name}__isnull": True}
    ).order_by("pk")
    records: list[Any] = []
    values: list[Any] = []
    created = 0
    for resource in missing.iterator(chunk_size=batch_size):
        document = storage.column_document(resource)
        record = record_model(**{link: resource.pk}, search=storage.build_search(document))
        if serializer.unique_key_field:
            key = serializer.unique_key(document.get(serializer.unique_key_attribute))
            setattr(record, serializer.unique_key_field, key)
        records.append(record)
        values.extend(
            value_model(record_id=record.pk, **row) for row in storage.index_rows(document)
        )
        if len(records) >= batch_size:
            created += _flush(serializer, record_model, value_model, records, values, progress)
    return created + _flush(serializer, record_model, value_model, records, values, progress)


def backfill_user_records(
    user_model: type[models.Model],
    record_model: type[models.Model],
    value_model: type[models.Model],
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """:func:`backfill_records` for users; used by migration 0002."""
    return backfill_records(
        scim_settings.USER_SERIALIZER, user_model, record_model, value_model, batch_size, progress
    )


def _flush(
    serializer: Any,
    record_model: Any,
    value_model: Any,
    records: list[Any],
    values: list[Any],
    progress: Callable[[int], None] | None,
) -> int:
    _release_taken_keys(serializer, record_model, records)
    count = len(records)
    record_model._default_manager.bulk_create(records)
    value_model._default_manager.bulk_create(values)
    records.clear()
    values.clear()
    if progress is not None and count:
        progress(count)
    return count


def _release_taken_keys(serializer: Any, record_model: Any, records: list[Any]) -> None:
    """Empty the unique key of the ``records`` (one batch) whose key is already held.

    Held by a record in the table (earlier batches included) or by an earlier record of
    the batch: the first resource keeps the key; the others stay reachable by SCIM
    without it, as :func:`receiver_for` leaves them. One query a batch, so that no set of
    every key is kept in memory.
    """
    key_field = serializer.unique_key_field
    if not key_field:
        return
    keys = {getattr(record, key_field) for record in records} - {None}
    taken = set(
        record_model._default_manager.filter(**{f"{key_field}__in": keys}).values_list(
            key_field, flat=True
        )
    )
    for record in records:
        key = getattr(record, key_field)
        if key in taken:
            setattr(record, key_field, None)
        taken.add(key)
