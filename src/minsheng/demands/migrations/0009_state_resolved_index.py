"""The revisit queues read resolved demands within the revisit window (selectors.queue_for)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("demands", "0008_demand_solved"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="demand",
            index=models.Index(condition=models.Q(("resolved_at__isnull", False)), fields=["state", "resolved_at"],
                               name="demand_state_resolved"),
        ),
    ]
