from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "minsheng.supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from minsheng.demands.services import SERVICE_FOR_ACTION

        from . import notices  # noqa: F401  (connects the demand_transitioned receiver)
        from .revisits import attempt_revisit
        from .services import order_supervision, reply_supervision, report_in, summon_units

        # The transitions of workflow.TRANSITIONS this app implements join the one table of
        # services, so the staff pages and the workflow tests reach them like every other.
        SERVICE_FOR_ACTION.update({
            "order_supervision": order_supervision, "reply_supervision": reply_supervision,
            "summon": summon_units, "report_in": report_in, "revisit_attempt": attempt_revisit,
        })
