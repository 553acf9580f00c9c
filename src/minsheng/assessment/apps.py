from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "minsheng.assessment"
    verbose_name = _("考核与看板")

    def ready(self) -> None:
        from minsheng.core import versioned

        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .models import Rule

        versioned.watch(Rule)  # rules.rule_for keeps the versions per process
