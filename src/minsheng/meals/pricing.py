"""Prices as dated policy: the row of a canteen and tier valid on a day is the one with the latest
``valid_from`` not after it.  A meal is priced once, when recorded, by the row valid on its day,
and carries its price and split, so a later policy never rewrites a meal already taken."""

from datetime import date

from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailed

from .models import Canteen, PricePolicy


def policy_on(canteen: Canteen, tier: str, day: date) -> PricePolicy:
    policy = (PricePolicy.objects.filter(canteen=canteen, tier=tier, valid_from__lte=day)
              .order_by("-valid_from").first())
    if policy is None:
        raise ValidationFailed(_("%(canteen)s 在 %(day)s 没有“%(tier)s”的价格政策，请先在后台设置。") % {
            "canteen": canteen.name, "day": day, "tier": dict(PricePolicy._meta.get_field("tier").choices)[tier]})
    return policy


def policies_in_force(canteen: Canteen, day: date) -> list[PricePolicy]:
    """Each tier's policy valid on ``day`` (for the counter and the canteen's page)."""
    rows = PricePolicy.objects.filter(canteen=canteen, valid_from__lte=day).order_by("tier", "-valid_from")
    seen, result = set(), []
    for row in rows:
        if row.tier not in seen:
            seen.add(row.tier)
            result.append(row)
    return result
