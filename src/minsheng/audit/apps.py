from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "minsheng.audit"
    verbose_name = _("安全审计")

    def ready(self) -> None:
        from . import signals

        signals.connect()
