from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "minsheng.demands"
    verbose_name = _("诉求工单")
