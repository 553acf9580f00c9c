from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "minsheng.stations"
    verbose_name = _("代办站")

    def ready(self) -> None:
        from minsheng.web.forms import ACTION_FORMS

        from .forms import STATION_ACTION_FORMS
        from .services import register_station_actions

        register_station_actions()
        from .teamwork import register_team_actions

        register_team_actions()
        ACTION_FORMS.update(STATION_ACTION_FORMS)
