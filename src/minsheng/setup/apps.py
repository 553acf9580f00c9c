from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    """Day-one set-up of a territory: imports from an office's files and the go-live checklist.
    It has no tables of its own: what it loads lives in organisation, grids and catalogue."""

    name = "minsheng.setup"
    label = "setup"
    verbose_name = _("开通配置")
