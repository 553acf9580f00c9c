"""On PostgreSQL, the log of views of personal data (PersonalDataAccess) becomes a table
partitioned by month of ``at`` (docs/operations.md, Partitions); every row is kept.  SQLite keeps
its plain table."""

from django.db import migrations

from minsheng.ops.partitions import TABLES, partition_table, unpartition_table

ACCESSES = next(spec for spec in TABLES if spec.table == "people_personaldataaccess")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_resident_household")]

    operations = [
        migrations.RunPython(lambda apps, editor: partition_table(editor, ACCESSES),
                             lambda apps, editor: unpartition_table(editor, ACCESSES)),
    ]
