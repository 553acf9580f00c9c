from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "minsheng.mediation"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from minsheng.demands.services import register_actions

        from . import services

        register_actions(*services.ACTIONS)
