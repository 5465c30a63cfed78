"""``manage.py scim_backfill_records [--reindex]``: records for resources that lack one.

Users and groups inserted without ``post_save`` (``bulk_create``, raw SQL, fixtures loaded
with ``raw=True``) have no SCIM ``id`` and are invisible to identity providers until this
runs. ``--reindex`` also re-derives every record's search document and keys, after
changes made with ``QuerySet.update()``, which filters would otherwise not see.

Both read and write in batches, so memory stays bounded on 100,000 users. On a terminal
each phase shows its progress, rate and ETA on one line (:mod:`drf_scim.progress`);
elsewhere (CI, logs) only one summary line a phase is written. ``--progress`` and
``--no-progress`` force either.
"""

from __future__ import annotations

from argparse import BooleanOptionalAction
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import IntegrityError, transaction

from drf_scim.progress import Progress, is_terminal
from drf_scim.records import backfill_records
from drf_scim.settings import scim_settings


class Command(BaseCommand):
    help = "Create the missing SCIM records of users and groups; --reindex refreshes all."

    #: Resources read (and records written) per query.
    batch_size = 500

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Also re-derive the search document of every existing record.",
        )
        parser.add_argument(
            "--progress",
            action=BooleanOptionalAction,
            default=None,
            help="Show progress and ETA (default: only when stdout is a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        show = is_terminal(self.stdout) if options["progress"] is None else options["progress"]
        for setting, label in (("USER_SERIALIZER", "user"), ("GROUP_SERIALIZER", "group")):
            serializer = getattr(scim_settings, setting)
            record_model = serializer.record_model
            storage = serializer.get_storage()
            resource_model = serializer.get_model()
            total = None
            if show:  # one COUNT, only for the ETA
                total = resource_model._default_manager.filter(
                    **{f"{serializer.record_name}__isnull": True}
                ).count()
            progress = Progress(self.stdout, f"Backfilling {label} records", total, enabled=show)
            created = backfill_records(
                serializer,
                resource_model,
                record_model,
                storage.value_model,
                batch_size=self.batch_size,
                progress=progress.advance,
            )
            progress.finish(f"Created {created} SCIM {label} records.")
            if options["reindex"]:
                self.reindex(storage, label, show)

    def reindex(self, storage: Any, label: str, show: bool) -> None:
        """Re-derive the search document and keys of every live resource of ``storage``."""
        resources = storage.get_queryset()
        total = resources.count() if show else None
        progress = Progress(self.stdout, f"Reindexing {label} records", total, enabled=show)
        count = 0
        for batch in self.batches(resources):
            # One commit a batch; a savepoint a resource, so that a clash undoes its own.
            with transaction.atomic():
                for resource in batch:
                    try:
                        with transaction.atomic():
                            storage.reindex(resource)
                    except IntegrityError:  # a unique key another resource holds
                        storage.reindex(resource, keys=False)
                    count += 1
                    progress.advance()
        progress.finish(f"Reindexed {count} SCIM {label} records.")

    def batches(self, resources: Any) -> Iterator[list[Any]]:
        """``resources`` by primary key, ``batch_size`` at a time, each batch read whole.

        One short query a batch (``pk > last``) rather than a cursor held open while the
        rows it reads are rewritten: SQLite gives no isolation between the two, and
        server-side cursors do not survive transaction-pooling connection poolers.
        """
        resources = resources.order_by("pk")
        last = None
        while True:
            page = resources if last is None else resources.filter(pk__gt=last)
            batch = list(page[: self.batch_size])
            if not batch:
                return
            yield batch
            last = batch[-1].pk
