from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "minsheng.aid"
    verbose_name = _("慰问帮扶")
