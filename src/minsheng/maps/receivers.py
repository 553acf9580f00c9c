"""New public reports reach the area's subscribers: a demand registered one by one (the forms,
the hotline) or in a batch of live registrations (the API's group commit).  A bulk import of
history (``demands_imported``) notifies nobody: those demands are not new to anyone."""

from django.dispatch import receiver

from minsheng.demands.signals import demand_transitioned, demands_registered

from .subscriptions import notify_subscribers


@receiver(demand_transitioned, dispatch_uid="maps.notify_area_subscribers")
def _registered(sender, demand, event, **kwargs) -> None:
    if event.action == "register":
        notify_subscribers([demand])


@receiver(demands_registered, dispatch_uid="maps.notify_area_subscribers_batch")
def _registered_batch(sender, demands, events, **kwargs) -> None:
    notify_subscribers(list(demands))
