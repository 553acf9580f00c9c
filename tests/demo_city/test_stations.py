"""The demo city has stations of all three tiers with agents and a year of cases in the four ways."""

import io

from django.core.management import call_command

from minsheng.stations.models import Agent, Station, StationCase

from .conftest import DEMANDS


def test_the_demo_has_stations_of_every_tier_with_agents_and_cases(demo):
    assert set(Station.objects.values_list("tier", flat=True)) == {"street_centre", "community", "family"}
    lacking = [(s.unit.name, s.agents.exists(), s.service_items.exists(), bool(s.hours))
               for s in Station.objects.all() if not (s.agents.exists() and s.service_items.exists() and s.hours)]
    assert not lacking, lacking  # (name, has agents, has service items, has hours)
    assert set(Agent.objects.values_list("kind", flat=True)) == {"party_member", "retiree", "veteran", "in_service"}
    assert Agent.objects.filter(user__username="agent").exists()
    cases = StationCase.objects.all()
    # 5% of the demands, and the two cases the agent's skills team takes (stations.demo_recruitment).
    assert cases.count() == DEMANDS * 5 // 100 + 2
    assert set(cases.values_list("way", flat=True)) >= {"on_spot", "timed", "guided", "joint"}
    days = sorted(cases.values_list("taken_at", flat=True))
    assert (days[-1] - days[0]).days > 300
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("mismatches=0")
