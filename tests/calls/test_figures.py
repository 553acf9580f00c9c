"""Seat figures: offered, answered, abandoned, 接通率 within 15 and 30 s, average handling time."""

import random
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.calls.models import CallRecord, PhoneSystem, Seat
from minsheng.calls.selectors import Figures, day_bounds, seat_report

DAY = timezone.localdate().replace(day=1) - timedelta(days=3)


def _at(hour: int, minute: int = 0):
    start, _end = day_bounds(DAY)
    return start + timedelta(hours=hour, minutes=minute)


def _call(system, n, *, seat=None, offered, wait=None, talk=None, ended=True, outcome=""):
    answered = offered + timedelta(seconds=wait) if wait is not None else None
    end = (answered or offered) + timedelta(seconds=talk or 5) if ended else None
    return CallRecord.objects.create(phone_system=system, call_id=f"c{n}", seat=seat,
                                     extension=seat.extension if seat else "", offered_at=offered,
                                     answered_at=answered, ended_at=end, duration=talk, outcome=outcome)


def test_hand_built_day(pbx):
    seat1, seat2 = Seat.objects.get(extension="8001"), Seat.objects.get(extension="8002")
    _call(pbx, 1, seat=seat1, offered=_at(9), wait=10, talk=100)        # within 15
    _call(pbx, 2, seat=seat1, offered=_at(9, 30), wait=15, talk=200)    # within 15 (the bound counts)
    _call(pbx, 3, seat=seat2, offered=_at(10), wait=25, talk=60)        # within 30 only
    _call(pbx, 4, seat=seat2, offered=_at(10, 5), wait=31, talk=40)     # answered, late
    _call(pbx, 5, offered=_at(10, 10))                                  # abandoned in the queue
    _call(pbx, 6, seat=seat1, offered=_at(11), ended=False)             # still ringing
    _call(pbx, 7, seat=seat1, offered=_at(9) - timedelta(days=1), wait=1, talk=1)  # another day
    report = seat_report(*day_bounds(DAY))
    t = report.total
    assert (t.offered, t.answered, t.abandoned, t.within_15, t.within_30) == (6, 4, 1, 2, 3)
    assert (t.answer_rate, t.rate_15, t.rate_30, t.abandon_rate) == (66.7, 33.3, 50.0, 16.7)
    assert t.average_handling == 100.0  # (100 + 200 + 60 + 40) / 4
    by_seat = {f.label.split()[0]: f for f in report.seats}
    assert by_seat["8001"].offered == 3 and by_seat["8001"].rate_15 == 66.7
    assert by_seat["8002"].offered == 2 and by_seat["8002"].average_handling == 50.0
    assert {h.label: h.offered for h in report.hours} == {"09:00": 2, "10:00": 3, "11:00": 1}


def test_no_calls_gives_no_rate_rather_than_a_division_by_zero():
    f = Figures()
    assert (f.answer_rate, f.rate_15, f.rate_30, f.average_handling) == (None, None, None, None)


def test_random_days_keep_every_rate_within_0_and_100_and_the_counts_consistent(pbx):
    rng = random.Random()
    seats = list(Seat.objects.all())
    expected = Figures()
    for n in range(rng.randint(20, 60)):
        wait = rng.choice([None, rng.uniform(0, 90)])
        ended = wait is not None or rng.random() < 0.8
        call = _call(pbx, n, seat=rng.choice([*seats, None]), offered=_at(rng.randint(0, 23), rng.randint(0, 59)),
                     wait=wait, talk=rng.randint(1, 900) if wait is not None else None, ended=ended)
        expected.add(call)
    t = seat_report(*day_bounds(DAY)).total
    assert (t.offered, t.answered, t.abandoned, t.within_15, t.within_30) == (
        expected.offered, expected.answered, expected.abandoned, expected.within_15, expected.within_30)
    assert t.within_15 <= t.within_30 <= t.answered <= t.offered and t.answered + t.abandoned <= t.offered
    for rate in (t.answer_rate, t.rate_15, t.rate_30, t.abandon_rate):
        assert rate is None or 0 <= rate <= 100
    report = seat_report(*day_bounds(DAY))
    assert sum(f.offered for f in report.seats) == sum(h.offered for h in report.hours) == t.offered
    assert sum(n for _label, n in report.outcomes) == t.offered


def test_the_page_is_the_leaders(world, pbx):
    _call(pbx, 1, seat=Seat.objects.get(extension="8001"), offered=_at(9), wait=10, talk=100)
    leader = Client()
    leader.force_login(world.users["leader"])
    page = leader.get("/work/calls/", {"start": DAY.isoformat()})
    assert page.status_code == 200 and "100.0%" in page.content.decode()
    assert "/work/calls/" in leader.get("/work/dashboard/").content.decode()  # in the navigation
    assert leader.get("/work/calls/", {"start": DAY.isoformat(), "end": "2000-01-01"}).status_code == 400
    bad = leader.get("/work/calls/", {"start": "2026-13-01"})
    assert bad.status_code == 400 and "日期格式不正确" in bad.content.decode()
    operator = Client()
    operator.force_login(world.users["operator"])
    assert operator.get("/work/calls/").status_code == 404
    assert PhoneSystem.objects.count() == 1


def test_the_monthly_report_carries_the_seat_figures_for_the_district(world, pbx):
    _call(pbx, 1, seat=Seat.objects.get(extension="8001"), offered=_at(9), wait=20, talk=100)
    leader = Client()
    leader.force_login(world.users["leader"])
    page = leader.get("/work/assessment/report/", {"month": f"{DAY:%Y-%m}"}).content.decode()
    assert 'id="report-seats"' in page and "8001" in page
    other_month = leader.get("/work/assessment/report/", {"month": "2025-01"}).content.decode()
    assert 'id="report-seats"' not in other_month


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2026-13-01"])
def test_a_day_off_the_calendar_is_a_clear_400(world, client, start):
    client.force_login(world.users["leader"])
    response = client.get("/work/calls/", {"start": start})
    assert response.status_code == 400 and "日期格式不正确" in response.content.decode()
