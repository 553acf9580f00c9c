"""The queues' runs find the vulnerable residents' demands of each state (selectors.queue_runs; #26)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0006_dispatch_to_estate_property'),
        ('demands', '0018_running_due_index'),
        ('organisation', '0004_region_estate_and_entrance_levels'),
        ('people', '0005_access_log_partitioned_by_month'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='demand',
            index=models.Index(condition=models.Q(('vulnerable', True)), fields=['state', 'resolved_at'], name='demand_vulnerable_state'),
        ),
    ]
