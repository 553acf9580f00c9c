"""An agent's record book (Excel and PDF), the 喜报 to an in-service member's organisation, the
yearly ranking of stations and the awards."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.core import clock
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.notifications.models import OutboxMessage
from minsheng.stations import selectors, services
from minsheng.stations.models import Award, ServiceNotice

from .test_ways import take

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=BEIJING)


def on_spot(world, station, when, **extra):
    actor = "agent" if station.unit.code == "st1" else "admin"
    with clock.frozen_at(when):
        d = take(world, station, actor=actor, **extra)
        return services.handle_on_spot(world.user(actor), d.pk, d.version, result="当场办结")


def test_the_record_book_holds_every_case_of_the_agent_in_the_year(world, stations, client):
    on_spot(world, stations["family"], at(2025, 12, 30))
    first = on_spot(world, stations["family"], at(2026, 1, 5), title="代缴电费")
    with clock.frozen_at(at(2026, 3, 1)):
        d = take(world, stations["family"], title="代购药品")
        services.undertake_case(world.user("agent"), d.pk, d.version, way="timed", note="明天送到",
                                promised_at=at(2026, 3, 2))
    book = selectors.record_book(stations["agent"], 2026)
    assert [c.demand.title for c in book] == ["代缴电费", "代购药品"]
    assert [c.get_way_display() for c in book] == ["立接立办", "限时代办"]

    client.force_login(world.user("staff1"))
    url = f"/work/stations/agents/{stations['agent'].pk}/2026/"
    page = client.get(url)
    assert page.status_code == 200 and first.number in page.content.decode()
    xlsx = client.get(url + "?format=xlsx")
    rows = list(load_workbook(BytesIO(b"".join(xlsx.streaming_content))).active.values)
    assert rows[0][1] == "诉求编号" and [r[1] for r in rows[1:]] == [first.number, book[1].demand.number]
    assert rows[1][5] == "139****1111"  # the resident's phone stays masked in the export
    pdf = client.get(url + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_another_streets_staff_cannot_open_the_record_book(world, stations, client):
    client.force_login(world.user("staff2"))
    assert client.get(f"/work/stations/agents/{stations['agent'].pk}/2026/").status_code == 404


def test_an_in_service_members_year_is_reported_to_their_organisation(world, stations, client):
    agent = stations["agent"]
    on_spot(world, stations["family"], at(2026, 4, 1))
    with pytest.raises(ValidationFailed):  # not an in-service member
        services.send_service_notice(world.user("staff1"), agent, 2026)
    agent.kind, agent.home_organisation = "in_service", "抚顺市税务局机关党委"
    agent.save()
    with pytest.raises(ValidationFailed):  # no address to send it to
        services.send_service_notice(world.user("staff1"), agent, 2026)
    agent.home_organisation_email = "dangwei@example.org"
    agent.save()
    with pytest.raises(PermissionDenied):
        services.send_service_notice(world.user("agent"), agent, 2026)
    with pytest.raises(ValidationFailed):  # nothing to report in 2025
        services.send_service_notice(world.user("staff1"), agent, 2025)
    notice = services.send_service_notice(world.user("staff1"), agent, 2026)
    assert notice.cases == 1 and notice.sent_to == "抚顺市税务局机关党委"
    message = OutboxMessage.objects.get(source="stations.notice")
    assert message.channel == "email" and message.address == "dangwei@example.org"
    assert "刘建国" in message.subject and "1件" in message.subject
    client.force_login(world.user("staff1"))
    printed = client.get(f"/work/stations/agents/{agent.pk}/2026/notice/")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert ServiceNotice.objects.count() == 1


def test_the_yearly_ranking_weighs_cases_timeliness_satisfaction_and_disputes(world, stations):
    family, community = stations["family"], stations["community"]
    for day in (1, 2, 3):
        on_spot(world, family, at(2026, 5, day))
    mediated = on_spot(world, community, at(2026, 5, 4), service_item="dispute_mediation")
    with clock.frozen_at(at(2026, 5, 5)):
        late = take(world, community, actor="admin")
        late = services.undertake_case(world.user("admin"), late.pk, late.version, way="timed", note="一天内办好",
                                       promised_at=at(2026, 5, 6))
    with clock.frozen_at(at(2026, 5, 8)):
        engine.resolve_demand(world.user("admin"), late.pk, late.version, result="办好了")
    with clock.frozen_at(at(2026, 5, 9)):
        engine.revisit_demand(world.user("operator"), mediated.pk, mediated.version, satisfaction="dissatisfied",
                              solved="unsolved")
    on_spot(world, family, at(2025, 5, 1))  # another year: not counted

    rows = {r.station: r for r in selectors.yearly_ranking(2026)}
    f, c = rows[family], rows[community]
    assert (f.cases, f.resolved, f.timely, f.disputes) == (3, 3, 3, 0)
    assert (c.cases, c.resolved, c.timely, c.disputes, c.rated, c.satisfied) == (2, 2, 1, 1, 1, 0)
    assert f.score == pytest.approx(40 + 25 + 0 + 0)
    assert c.score == pytest.approx(40 * 2 / 3 + 25 * 0.5 + 0 + 10)
    assert f.rank == 1 and c.rank == 2 and rows[stations["street"]].rank == 3


def test_the_top_stations_get_awards_with_funds_recorded(world, stations):
    on_spot(world, stations["family"], at(2026, 6, 1))
    on_spot(world, stations["family"], at(2026, 6, 2))
    on_spot(world, stations["community"], at(2026, 6, 3))
    with pytest.raises(PermissionDenied):
        services.select_awards(world.user("agent"), 2026, count=1, funds_each="5000")
    with pytest.raises(ValidationFailed):
        services.select_awards(world.user("leader"), 2026, count=1, funds_each="-1")
    awards = services.select_awards(world.user("leader"), 2026, count=5, funds_each="5000")
    # Only stations with cases are ranked for an award.
    assert [(a.station, a.rank, a.funds) for a in awards] == [
        (stations["family"], 1, Decimal("5000.00")), (stations["community"], 2, Decimal("5000.00"))]
    services.select_awards(world.user("leader"), 2026, count=1, funds_each="8000")
    assert list(Award.objects.values_list("station", "funds")) == [(stations["family"].pk, Decimal("8000.00"))]


def test_the_ranking_page_awards_and_shows_the_funds(world, stations, client):
    taken_at = clock.now() - timedelta(minutes=5)
    on_spot(world, stations["family"], taken_at)
    client.force_login(world.user("leader"))
    year = timezone.localdate(taken_at).year  # the case's year, local time (just after New Year, the last one)
    response = client.post("/work/stations/ranking/", {"year": year, "count": 1, "funds_each": "3000"})
    assert response.status_code == 302
    page = client.get(f"/work/stations/ranking/?year={year}").content.decode()
    assert "3000.00元" in page and stations["family"].name in page


def test_the_ranking_and_the_record_books_default_to_the_local_year(world, stations, client):
    # 00:30 on 1 January 2027 in Beijing, as the clock gives it (timezone.now(): UTC, still 2026).
    new_years_first_hour = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    with clock.frozen_at(new_years_first_hour):
        client.force_login(world.user("leader"))
        ranking = client.get("/work/stations/ranking/").content.decode()
        client.force_login(world.user("dispatcher1"))
        agents = client.get("/work/stations/agents/").content.decode()
    assert "（2027年）" in ranking and 'name="year" value="2027"' in ranking
    assert f"/work/stations/agents/{stations['agent'].pk}/2027/" in agents
