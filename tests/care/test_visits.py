"""Care visits by risk: the schedule per level across months, due and overdue lists, the overdue flag,
a visit that finds a problem opening a demand, and the contact card."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from minsheng.care import schedule, selectors, services
from minsheng.care.models import CarePerson
from minsheng.core import clock
from minsheng.core.errors import OutOfScope, ValidationFailed
from minsheng.notifications.models import OutboxMessage
from minsheng.people.models import Resident

pytestmark = pytest.mark.django_db


def moment(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, hour))


def register(world, risk="high", phone="13900001111", actor="gridworker", day=(2026, 1, 31)):
    with clock.frozen_at(moment(*day)):
        return services.register_person(
            world.user(actor), Resident.objects.get(phone=phone), category="elderly_alone", risk=risk,
            plan="每周上门一次，协助购药；联系子女每月回家。", services="每周上门探望\n代购药品\n紧急情况24小时响应",
            responsible=world.users["gridworker"], responsible_name="刘网格", responsible_phone="13800000001")


def test_the_schedule_for_each_risk_level_across_months():
    start = date(2026, 1, 31)
    until = date(2026, 12, 31)
    high = schedule.schedule(start, "high", until)
    assert high[:3] == [date(2026, 2, 7), date(2026, 2, 14), date(2026, 2, 21)]
    assert len(high) == 47 and high[-1] == date(2026, 12, 26)
    medium = schedule.schedule(start, "medium", until)
    # 31 January + one month is the last day of February; then month by month
    assert medium[:3] == [date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28)] and len(medium) == 11
    assert schedule.schedule(start, "low", until) == [date(2026, 4, 30), date(2026, 7, 30), date(2026, 10, 30)]


def test_the_intervals_are_configurable(settings):
    settings.MINSHENG_CARE_VISIT_INTERVALS = {"high": "3d", "medium": "2w", "low": "6m"}
    assert schedule.schedule(date(2026, 1, 1), "high", date(2026, 1, 10)) == [
        date(2026, 1, 4), date(2026, 1, 7), date(2026, 1, 10)]
    assert schedule.next_due(date(2026, 1, 1), "medium") == date(2026, 1, 15)
    assert schedule.schedule(date(2026, 1, 1), "low", date(2027, 1, 1)) == [date(2026, 7, 1), date(2027, 1, 1)]
    settings.MINSHENG_CARE_VISIT_INTERVALS = {"high": "often", "medium": "1m", "low": "3m"}
    with pytest.raises(ValueError):
        schedule.next_due(date(2026, 1, 1), "high")


def test_visits_move_the_due_date_by_risk_level(world):
    person = register(world, risk="medium")
    assert person.next_visit_due == date(2026, 2, 28)
    with clock.frozen_at(moment(2026, 3, 5)):
        services.record_visit(world.user("gridworker"), person.pk, found="精神不错，药品充足。")
        person.refresh_from_db()
        assert person.next_visit_due == date(2026, 4, 5)
        services.record_visit(world.user("gridworker"), person.pk, found="摔了一跤，已无大碍。", risk="high")
        person.refresh_from_db()
        assert (person.risk, person.next_visit_due) == ("high", date(2026, 3, 12))
        services.change_risk(world.user("staff1"), person.pk, "low")
        person.refresh_from_db()
        assert person.next_visit_due == date(2026, 6, 5)
        with pytest.raises(ValidationFailed):
            services.record_visit(world.user("gridworker"), person.pk, found="")
        with pytest.raises(ValidationFailed):
            services.record_visit(world.user("gridworker"), person.pk, found="未来", visited_on=date(2026, 3, 6))
        with pytest.raises(OutOfScope):
            services.record_visit(world.user("staff2"), person.pk, found="别的社区")


def test_due_and_overdue_visits_show_and_overdue_ones_are_flagged_once(world):
    high = register(world, risk="high")  # due 7 Feb
    low = register(world, risk="low", phone="13812341234")  # due 30 April
    today = date(2026, 2, 9)
    assert [p.pk for p in selectors.due_visits(world.user("gridworker"), today)] == [high.pk]
    assert [p.pk for p in selectors.overdue_visits(world.user("staff1"), today)] == [high.pk]
    assert not selectors.overdue_visits(world.user("staff2"), today).exists()
    board = selectors.care_dashboard(world.user("staff1"), today)
    assert [(g.grid.code, g.people, g.high, g.overdue) for g in board] == [("g1", 2, 1, 1)]
    with clock.frozen_at(moment(2026, 2, 9)):
        assert services.flag_overdue_visits() == 1
        assert services.flag_overdue_visits() == 0  # once per missed due date
    notices = OutboxMessage.objects.filter(source="care_overdue", channel="in_app")
    assert sorted(m.recipient.username for m in notices) == ["gridworker", "staff1"]
    assert "2026-02-07" in notices[0].subject
    with clock.frozen_at(moment(2026, 2, 10)):
        services.record_visit(world.user("gridworker"), high.pk, found="一切正常")
    with clock.frozen_at(moment(2026, 2, 20)):
        assert services.flag_overdue_visits() == 1  # the next due date (17 Feb) was missed too
    assert low.pk not in {p.pk for p in selectors.overdue_visits(world.user("staff1"), date(2026, 2, 20))}


def test_a_visit_that_finds_a_problem_opens_a_demand(world):
    person = register(world)
    with clock.frozen_at(moment(2026, 2, 5)):
        visit = services.record_visit(world.user("gridworker"), person.pk, found="家中水管漏水，老人无力处理。",
                                      problem_title="独居老人家中水管漏水", problem="厨房水管接口漏水，需要维修。")
    demand = visit.demand
    assert demand is not None and demand.channel == "patrol" and demand.state == "registered"
    assert demand.reporter == person.resident and demand.region == world.regions["g1"]
    assert demand.vulnerable  # 李秀英 is tagged elderly living alone
    assert demand.title == "独居老人家中水管漏水"
    with clock.frozen_at(moment(2026, 2, 12)):
        plain = services.record_visit(world.user("gridworker"), person.pk, found="已修好。")
    assert plain.demand is None


def test_the_pages_show_overdue_visits_record_a_visit_and_print_the_card(world, client):
    person = register(world)
    client.force_login(world.user("staff1"))
    with clock.frozen_at(moment(2026, 2, 9)):
        page = client.get("/work/care/").content.decode()
    assert "逾期未走访" in page and "李秀英" in page and "2026-02-07" in page
    client.force_login(world.user("gridworker"))
    response = client.post(f"/work/care/{person.pk}/visit/", {
        "found": "身体不适", "problem": "需要送医复查", "problem_title": "需陪同就医"}, follow=True)
    assert "已转为诉求" in response.content.decode()
    assert person.visits.get().demand.title == "需陪同就医"
    response = client.post(f"/work/care/{person.pk}/visit/", {"found": ""})
    assert response.status_code == 400
    card = client.get(f"/work/care/{person.pk}/card.pdf")
    assert card.status_code == 200 and card.content.startswith(b"%PDF")
    client.force_login(world.user("staff2"))
    assert client.get(f"/work/care/{person.pk}/").status_code == 404


def test_registering_a_person_in_difficulty(world, client):
    client.force_login(world.user("staff1"))
    response = client.post("/work/care/new/", {
        "phone": "13812341234", "category": "disabled", "risk": "medium", "plan": "每月上门，协助申请补贴。",
        "services": "每月探望", "responsible_phone": "13800000002"}, follow=True)
    assert "已登记" in response.content.decode()
    person = CarePerson.objects.get(resident__phone="13812341234")
    assert person.responsible == world.users["staff1"] and person.region == world.regions["g1"]
    again = client.post("/work/care/new/", {
        "phone": "13812341234", "category": "disabled", "risk": "medium", "plan": "x",
        "responsible_phone": "13800000002"})
    assert "已在困难群体名册中" in again.content.decode()


def test_the_register_is_read_by_carers_and_leaders_not_by_every_role_in_the_area(world):
    Resident.objects.get_or_create(phone="13900001111", defaults={"name": "孙大爷", "region": world.regions["g1"]})
    person = register(world)
    assert person in selectors.people_for(world.user("staff1"))
    assert person in selectors.people_for(world.user("leader"))
    # A station agent and the hotline hold the same territory, but have no need for plans and risks.
    assert person not in selectors.people_for(world.user("agent"))
    assert person not in selectors.people_for(world.user("operator"))
