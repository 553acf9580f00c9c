from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "minsheng.ops"
    verbose_name = _("运行维护")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import metrics, statistics

        metrics.connect()
        post_migrate.connect(statistics.refresh_after_migrate, dispatch_uid="minsheng.ops.statistics")
