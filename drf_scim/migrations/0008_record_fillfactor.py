"""PostgreSQL: leave a fifth of each record page free, so that updates stay on the page.

Every write bumps its record's ``version`` (RFC 7644 §3.14), and a membership change bumps
the version of every user it adds or removes. With full pages (PostgreSQL's default) each
such update writes the row to another page and a new entry into every index of the table;
with free space on the page it is a heap-only tuple (HOT) update, which touches no index:
about three times cheaper (docs/deployment.md). Pages written before this migration keep
no free space until the table is rewritten (``VACUUM FULL``). Other databases: nothing.
"""

from django.db import migrations

FILLFACTOR = 80
MODELS = ("UserRecord", "GroupRecord")


def _alter(apps, schema_editor, change):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in MODELS:
        table = schema_editor.quote_name(apps.get_model("drf_scim", name)._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {change}")


def set_fillfactor(apps, schema_editor):
    _alter(apps, schema_editor, f"SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    _alter(apps, schema_editor, "RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("drf_scim", "0007_event_resource_id_index")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
