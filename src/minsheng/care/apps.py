from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "minsheng.care"
    verbose_name = _("困难群体关爱")
