from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "minsheng.notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from minsheng.demands.signals import demand_transitioned, demands_registered

        from . import resident_updates

        demand_transitioned.connect(resident_updates.on_transition, dispatch_uid="notifications.resident_updates")
        demands_registered.connect(resident_updates.on_registered, dispatch_uid="notifications.resident_updates")
