from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "minsheng.catalogue"
    verbose_name = _("分类与时限")
