"""The inbox's messages get their kind (the outbox source's first part), filled for those already delivered."""

from django.db import migrations, models


def fill_kinds(apps, schema_editor) -> None:
    inbox = apps.get_model("notifications", "InAppNotification")
    outbox = apps.get_model("notifications", "OutboxMessage")
    sources = dict(outbox.objects.filter(channel="in_app").values_list("delivery_id", "source").iterator())
    batch = []
    for message in inbox.objects.only("pk", "delivery_id").iterator(chunk_size=2000):
        source = sources.get(message.delivery_id, "")
        if source:
            message.kind = source.split(":", 1)[0][:40]
            batch.append(message)
        if len(batch) >= 2000:
            inbox.objects.bulk_update(batch, ["kind"])
            batch = []
    inbox.objects.bulk_update(batch, ["kind"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inappnotification",
            name="kind",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="类型"),
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),
    ]
