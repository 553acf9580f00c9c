from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildConfig(AppConfig):
    name = "minsheng.cobuild"
    verbose_name = _("共驻共建")
