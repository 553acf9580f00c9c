from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "minsheng.grids"
    verbose_name = _("网格管理")

    def ready(self) -> None:
        from minsheng.core import versioned

        from .models import DoorPlate, Estate, Road

        versioned.watch(Estate, Road, DoorPlate)  # routing.addresses keeps their names per process
