from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "minsheng.supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from . import notices  # noqa: F401  (connects the demand_transitioned receiver)
