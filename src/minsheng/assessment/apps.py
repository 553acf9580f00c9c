from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "minsheng.assessment"
    verbose_name = _("考核与看板")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
