"""Reads for integrations, scoped like everything else and narrowed to the key."""

from django.db.models import QuerySet

from minsheng.demands.models import Demand
from minsheng.demands.selectors import demands_visible_to

from .models import ApiKey


def demands_for_caller(user, key: ApiKey | None) -> QuerySet[Demand]:
    """What a caller may read: the user's scope, and with a key, only inside the key's region."""
    demands = demands_visible_to(user)
    if key is not None:
        demands = demands.filter(region__path__startswith=key.region.path)
    return demands
