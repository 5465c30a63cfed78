from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("custom_user", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="emailuser",
            name="manager",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reports",
                to="custom_user.emailuser",
            ),
        ),
    ]
