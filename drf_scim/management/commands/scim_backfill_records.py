"""``manage.py scim_backfill_records``: give SCIM records to users that lack one.

Users inserted without ``post_save`` (``bulk_create``, raw SQL, fixtures loaded with
``raw=True``) have no SCIM ``id`` and are invisible to identity providers until this runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from drf_scim.models import UserRecord, UserValue
from drf_scim.records import backfill_user_records


class Command(BaseCommand):
    help = "Create the missing SCIM records of users created without signals."

    def handle(self, *args: Any, **options: Any) -> None:
        created = backfill_user_records(get_user_model(), UserRecord, UserValue)
        self.stdout.write(f"Created {created} SCIM user records.")
