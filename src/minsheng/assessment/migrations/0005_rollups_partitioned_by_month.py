"""On PostgreSQL, the rollups and their ledger (Entry) become tables partitioned by month of
``day`` (docs/operations.md, Partitions): a dashboard's date range then reads the months it covers.
Every row is kept; the rollups' unique key already holds the day.  SQLite keeps plain tables."""

from django.db import migrations

from minsheng.ops.partitions import TABLES, partition_table, unpartition_table

ROLLUPS = [spec for spec in TABLES if spec.table in ("assessment_rollup", "assessment_entry")]


def forwards(apps, schema_editor):
    for spec in ROLLUPS:
        partition_table(schema_editor, spec)


def backwards(apps, schema_editor):
    for spec in ROLLUPS:
        unpartition_table(schema_editor, spec)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0004_direct_answer_counters")]

    operations = [migrations.RunPython(forwards, backwards)]
