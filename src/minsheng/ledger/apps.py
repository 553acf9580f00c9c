from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "minsheng.ledger"
    verbose_name = _("时长与积分")
