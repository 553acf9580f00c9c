from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "minsheng.projects"
    verbose_name = _("书记项目与实事清单")

    def ready(self) -> None:
        from minsheng.core import versioned
        from minsheng.party.quotas import register_practical_thing_source

        from .models import StatusColour
        from .selectors import practical_things_done

        versioned.watch(StatusColour)  # status.colours keeps the administrator's choice per process

        # Items of the yearly list ticked off count towards each organisation's quota.
        register_practical_thing_source("practical_list", practical_things_done)
