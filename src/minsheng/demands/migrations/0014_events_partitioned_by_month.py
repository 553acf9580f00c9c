"""On PostgreSQL, the event log becomes a table partitioned by month of ``created_at``
(docs/operations.md, Partitions); every existing event is kept.  SQLite keeps its plain table.

The table's primary key becomes (id, created_at) and the unique (demand, seq) constraint
(demand, seq, created_at): a partitioned table's unique keys must hold its partition column.
Two events of one demand with the same number are still impossible: every transition locks the
demand's row (SELECT … FOR UPDATE) and checks its version before writing the next number.
The append-only trigger is recreated on the partitioned table, so it holds on every partition.
"""

from django.db import migrations

from minsheng.ops.partitions import TABLES, partition_table, unpartition_table

EVENTS = next(spec for spec in TABLES if spec.table == "demands_demandevent")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("demands", "0013_publish_consent")]

    operations = [
        migrations.RunPython(lambda apps, editor: partition_table(editor, EVENTS),
                             lambda apps, editor: unpartition_table(editor, EVENTS)),
    ]
