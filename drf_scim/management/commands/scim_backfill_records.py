"""``manage.py scim_backfill_records``: give SCIM records to users that lack one.

Users inserted without ``post_save`` (``bulk_create``, raw SQL, fixtures loaded with
``raw=True``) have no SCIM ``id`` and are invisible to identity providers until this runs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from drf_scim.models import UserRecord
from drf_scim.records import backfill_user_records
from drf_scim.settings import scim_settings


class Command(BaseCommand):
    help = "Create the missing SCIM records of users created without signals."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        before = UserRecord.objects.count()
        mapping = scim_settings.USER_SERIALIZER.get_mapping("userName")
        backfill_user_records(user_model, UserRecord, mapping.field.attname if mapping else None)
        self.stdout.write(f"Created {UserRecord.objects.count() - before} SCIM user records.")
