from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "minsheng.demands"
    verbose_name = _("诉求工单")

    def ready(self) -> None:
        from minsheng.catalogue.models import Category, DemandType, ServiceAttribute, TimeLimitPolicy
        from minsheng.core import versioned
        from minsheng.organisation.models import Region

        # The rows registration looks up by code are kept per process (services._lookup,
        # catalogue.attributes.attributes_of) and must be reloaded when one changes.
        versioned.watch(DemandType, Category, TimeLimitPolicy, Region, ServiceAttribute)
