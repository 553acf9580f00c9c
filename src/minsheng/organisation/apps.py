from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "minsheng.organisation"
    verbose_name = _("组织与网格")
