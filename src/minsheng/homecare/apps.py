from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomecareConfig(AppConfig):
    name = "minsheng.homecare"
    verbose_name = _("居家养老")

    def ready(self) -> None:
        from minsheng.demands.services import register_actions
        from minsheng.demands.workflow import Kind, add_next_steps

        from . import records, tasks

        register_actions(*tasks.ACTIONS, *records.ACTIONS)
        add_next_steps(Kind.CARE_TASK, tasks.NEXT_STEPS)
