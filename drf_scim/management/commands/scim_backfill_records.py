"""``manage.py scim_backfill_records [--reindex]``: records for resources that lack one.

Users and groups inserted without ``post_save`` (``bulk_create``, raw SQL, fixtures loaded
with ``raw=True``) have no SCIM ``id`` and are invisible to identity providers until this
runs. ``--reindex`` also re-derives every record's search document and keys, after
changes made with ``QuerySet.update()``, which filters would otherwise not see.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import IntegrityError, transaction

from drf_scim.records import backfill_records
from drf_scim.settings import scim_settings


class Command(BaseCommand):
    help = "Create the missing SCIM records of users and groups; --reindex refreshes all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Also re-derive the search document of every existing record.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for setting, label in (("USER_SERIALIZER", "user"), ("GROUP_SERIALIZER", "group")):
            serializer = getattr(scim_settings, setting)
            record_model = serializer.record_model
            storage = serializer.get_storage()
            value_model = storage.value_model
            created = backfill_records(
                serializer, serializer.get_model(), record_model, value_model
            )
            self.stdout.write(f"Created {created} SCIM {label} records.")
            if options["reindex"]:
                count = 0
                for resource in storage.get_queryset().iterator(chunk_size=500):
                    try:
                        with transaction.atomic():
                            storage.reindex(resource)
                    except IntegrityError:  # a unique key another resource holds
                        storage.reindex(resource, keys=False)
                    count += 1
                self.stdout.write(f"Reindexed {count} SCIM {label} records.")
