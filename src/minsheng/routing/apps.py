from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "minsheng.routing"
    verbose_name = _("智能分派")

    def ready(self) -> None:
        from minsheng.core import versioned

        from . import handlers  # noqa: F401  (connects the signal receivers)
        from .models import RouterModel

        versioned.watch(RouterModel)  # registry.active() keeps the active entry per process
