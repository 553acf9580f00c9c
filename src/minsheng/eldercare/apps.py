from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    name = "minsheng.eldercare"
    verbose_name = _("养老服务场所")
