from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "minsheng.maps"
    verbose_name = _("底图")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings check)
