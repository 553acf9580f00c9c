"""The demo city: complete, idempotent, and consistent with its event log."""

import io

from django.contrib.auth import authenticate
from django.core.management import call_command

from minsheng.demands.models import Demand
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role

from .conftest import DEMANDS


def test_demo_city_is_complete_and_idempotent(demo):
    counts = {kind: Region.objects.filter(kind=kind).count() for kind in ("district", "street", "community", "grid")}
    assert counts["district"] == 1 and counts["street"] >= 4 and counts["community"] >= 12 and counts["grid"] >= 60
    assert Unit.objects.filter(kind="department").count() >= 8
    assert Unit.objects.filter(kind="station").exists()
    for role in Role.values:
        assert Membership.objects.filter(role=role, user__username__in=[
            "admin", "operator", "dispatcher", "handler", "community", "grid", "agent", "volunteer", "leader",
            "auditor", "resident"]).exists(), role
    assert "operator" in demo.output and "minsheng2026" in demo.output
    assert authenticate(username="dispatcher", password="minsheng2026") is not None
    # The history's demands, and besides them the one the hotline demo registers from a call at the
    # printed operator's seat.
    history = Demand.objects.filter(kind="demand", parent__isnull=True)
    assert DEMANDS <= history.count() <= DEMANDS + 1
    assert len(set(history.values_list("title", flat=True))) > DEMANDS * 0.85
    seeded = history.count()

    again = demo.seed_again()
    total = Demand.objects.count()
    assert history.count() == seeded and "0 added" in again and "already seeded" in again
    assert Region.objects.filter(kind="grid").count() == counts["grid"]

    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert out.getvalue().splitlines()[-1] == f"mismatches=0 demands={total}"


def test_demo_history_spans_the_year_and_the_workflow(demo):
    states = set(Demand.objects.values_list("state", flat=True))
    assert {"closed", "in_progress", "invalid", "registered"} <= states
    channels = set(Demand.objects.values_list("channel", flat=True))
    assert {"hotline", "wechat", "station", "patrol"} <= channels
    moments = Demand.objects.order_by("registered_at").values_list("registered_at", flat=True)
    assert (moments.last() - moments.first()).days > 300
