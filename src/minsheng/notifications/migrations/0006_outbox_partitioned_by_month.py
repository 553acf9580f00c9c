"""On PostgreSQL, the outbox becomes a table partitioned by month of ``created_at``
(docs/operations.md, Partitions); every message is kept.  SQLite keeps its plain table.

- The table's primary key becomes (id, created_at) and the unique ``delivery_id``
  (delivery_id, created_at): a partitioned table's unique keys must hold its partition column.
  A delivery id is a fresh UUID4 per message, and the in-app inbox keeps its own unique one.
- The notices' link to their text message (``NoticeRecipient.sms``) loses its database
  constraint, which could only reference the whole key; Django still sets it to NULL on delete.
- The index on (status, next_attempt_at), which held every delivered message, gives way to
  partial indexes on the pending and the dead messages: the claim's scan, the oldest pending
  message (the first month the claim reads), the dead letters' count.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from minsheng.ops.partitions import TABLES, partition_table, unpartition_table

OUTBOX = next(spec for spec in TABLES if spec.table == "notifications_outboxmessage")


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0005_sms_template_codes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='outboxmessage',
            name='notificatio_status_6d08f9_idx',
        ),
        migrations.AlterField(
            model_name='noticerecipient',
            name='sms',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notifications.outboxmessage', verbose_name='短信'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='outbox_due'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['created_at'], name='outbox_pending_since'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'dead')), fields=['created_at'], name='outbox_dead'),
        ),
        migrations.RunPython(lambda apps, editor: partition_table(editor, OUTBOX),
                             lambda apps, editor: unpartition_table(editor, OUTBOX)),
    ]
