from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "minsheng.integrations"
    verbose_name = _("系统对接")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from minsheng.core import versioned
        from minsheng.organisation.models import Membership, Region, Unit

        from .models import ApiKey

        # An API key is kept per process with its account, that account's grants (memberships,
        # their units and regions) and its region (services.authenticate_api_key): any change
        # to those reloads it.
        versioned.watch(ApiKey, get_user_model(), Membership, Unit, Region)
