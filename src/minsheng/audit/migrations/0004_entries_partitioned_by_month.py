"""On PostgreSQL, the audit log becomes a table partitioned by month of ``at`` (docs/operations.md,
Partitions); every entry is kept, the trigger refusing UPDATE holds on every partition.  SQLite
keeps its plain table."""

from django.db import migrations

from minsheng.ops.partitions import TABLES, partition_table, unpartition_table

ENTRIES = next(spec for spec in TABLES if spec.table == "audit_auditentry")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_entry_object_and_changes")]

    operations = [
        migrations.RunPython(lambda apps, editor: partition_table(editor, ENTRIES),
                             lambda apps, editor: unpartition_table(editor, ENTRIES)),
    ]
