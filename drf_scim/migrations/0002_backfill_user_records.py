"""Give every existing user a SCIM record (and so a SCIM id)."""

from __future__ import annotations

from django.conf import settings
from django.db import migrations


def backfill(apps, schema_editor):
    from drf_scim.records import backfill_user_records

    backfill_user_records(
        apps.get_model(settings.AUTH_USER_MODEL),
        apps.get_model("drf_scim", "UserRecord"),
        apps.get_model("drf_scim", "UserValue"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("drf_scim", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
