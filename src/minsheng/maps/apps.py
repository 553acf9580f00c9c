from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "minsheng.maps"
    verbose_name = _("地图与公开诉求")

    def ready(self) -> None:
        # The settings check, and the receivers that notify area subscribers of new public reports.
        from . import checks, receivers  # noqa: F401
