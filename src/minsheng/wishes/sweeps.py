"""The periodic job (settings.MINSHENG_PERIODIC_JOBS): claims not fulfilled by their promised date
are flagged once, and the claimer and the community's staff are told; staff may then release the
wish back to the wall."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.workflow import State
from minsheng.notifications.services import notify_users, staff_users_of_units
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import may_see

from .models import WishClaim


def overdue_claims(now: datetime):
    """Live claims past their promised date, not yet flagged (on the partial index wish_claim_watch)."""
    return WishClaim.objects.filter(released_at__isnull=True, fulfilled_at__isnull=True, overdue_at__isnull=True,
                                    promised_by__lt=timezone.localdate(now), demand__state=State.IN_PROGRESS)


def flag_overdue_claims(now: datetime | None = None) -> int:
    """Flag each overdue claim once; returns how many were flagged."""
    now = now or clock.now()
    flagged = 0
    for claim in overdue_claims(now).select_related("demand__region", "user"):
        with transaction.atomic():
            # Only one sweep flags a claim: the update is conditional on it being unflagged.
            if not WishClaim.objects.filter(pk=claim.pk, overdue_at__isnull=True).update(overdue_at=now):
                continue
            demand = claim.demand
            units = Unit.objects.filter(kind="community_committee",
                                        region__in=demand.region.ancestors()).values_list("pk", flat=True)
            params = {"number": demand.number, "date": claim.promised_by.isoformat(), "name": claim.claimer_name}
            # The staff who may open the wish's page get a link to it; the claimer, who works from
            # their own claims, a link there.
            staff = [user for user in staff_users_of_units(units) if may_see(user, demand)]
            notify_users(staff, source=f"wish-overdue:{claim.pk}", link=reverse("web:demand", args=[demand.pk]),
                         message="wish.claim_overdue", params=params)
            if claim.user_id and claim.user not in staff:
                notify_users([claim.user], source=f"wish-overdue:{claim.pk}", link=reverse("wishes:mine"),
                             message="wish.claim_overdue", params=params)
            flagged += 1
    return flagged
