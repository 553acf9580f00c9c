from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MealsConfig(AppConfig):
    name = "minsheng.meals"
    verbose_name = _("助餐")

    def ready(self) -> None:
        from minsheng.demands.services import register_actions
        from minsheng.demands.workflow import Kind, add_next_steps

        from . import deliveries

        register_actions(*deliveries.ACTIONS)
        add_next_steps(Kind.MEAL_DELIVERY, deliveries.NEXT_STEPS)
