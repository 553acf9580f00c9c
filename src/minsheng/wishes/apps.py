from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "minsheng.wishes"
    verbose_name = _("微心愿")

    def ready(self) -> None:
        from minsheng.demands.signals import demand_transitioned, demands_registered
        from minsheng.party.quotas import register_practical_thing_source

        from . import receivers, selectors, services

        services.register()
        register_practical_thing_source("wishes", selectors.practical_things_from_wishes)
        demand_transitioned.connect(receivers.on_transition, dispatch_uid="wishes.on_transition")
        demands_registered.connect(receivers.on_registered, dispatch_uid="wishes.on_registered")
        from .forms import register_action_forms

        register_action_forms()
