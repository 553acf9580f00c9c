from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "minsheng.calls"
    verbose_name = _("热线话务")

    def ready(self) -> None:
        from minsheng.core import versioned

        from .models import PhoneSystem, Seat

        # A phone system and its seats are kept per process (services.authenticate_phone_system,
        # services.seat_for): saving either reloads them everywhere from the next request.
        versioned.watch(PhoneSystem, Seat)
