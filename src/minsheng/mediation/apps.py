from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "minsheng.mediation"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from minsheng.demands.services import register_actions
        from minsheng.demands.workflow import Kind, add_next_steps

        from . import actions, services

        register_actions(*services.ACTIONS)
        add_next_steps(Kind.MEDIATION, actions.NEXT_STEPS, pick=actions.next_step_of)
