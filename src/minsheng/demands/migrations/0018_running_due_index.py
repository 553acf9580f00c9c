"""The overdue lists read the demands being handled in deadline order (selectors.overdue_q; #30)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0006_dispatch_to_estate_property'),
        ('demands', '0017_pending_request_index'),
        ('organisation', '0004_region_estate_and_entrance_levels'),
        ('people', '0005_access_log_partitioned_by_month'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='demand',
            index=models.Index(condition=models.Q(('state__in', ['dispatched', 'in_progress'])), fields=['handle_due'], name='demand_running_due'),
        ),
    ]
