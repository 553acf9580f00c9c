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


def _expected(calls) -> dict:
    """The figures of ``calls`` counted one call at a time in Python, as docs/calls.md defines them
    (the report counts them in the database)."""
    f = dict.fromkeys(("offered", "answered", "abandoned", "within_15", "within_30", "handled"), 0)
    f["handling_seconds"] = 0.0
    for call in calls:
        f["offered"] += 1
        wait = call.wait_seconds
        if wait is not None:
            f["answered"] += 1
            f["within_15"] += wait <= 15
            f["within_30"] += wait <= 30
            talk = call.handling_seconds
            if talk is not None:
                f["handled"] += 1
                f["handling_seconds"] += talk
        elif call.ended_at is not None:
            f["abandoned"] += 1
    return f


def _figures(f: Figures) -> dict:
    return {"offered": f.offered, "answered": f.answered, "abandoned": f.abandoned, "within_15": f.within_15,
            "within_30": f.within_30, "handled": f.handled, "handling_seconds": pytest.approx(f.handling_seconds)}


def test_random_days_keep_every_rate_within_0_and_100_and_the_counts_consistent(pbx):
    rng = random.Random()
    seats = list(Seat.objects.all())
    calls = []
    for n in range(rng.randint(20, 60)):
        wait = rng.choice([None, rng.uniform(0, 90), rng.choice([15, 30, 15.5])])  # the bounds too
        ended = wait is not None or rng.random() < 0.8
        seat = rng.choice([*seats, None])
        call = _call(pbx, n, seat=seat, offered=_at(rng.randint(0, 23), rng.randint(0, 59)),
                     wait=wait, talk=rng.randint(1, 900) if wait is not None else None, ended=ended,
                     outcome=rng.choice(["", "", "consultation", "demand"]))
        if wait is not None and rng.random() < 0.4:
            # The phone system gave no duration: talk time from answer to hang-up, or none while
            # still talking, and nought for a hang-up stamped before the answer.
            call.duration = None
            call.ended_at = rng.choice([None, call.answered_at + timedelta(seconds=rng.uniform(1, 600)),
                                        call.answered_at - timedelta(seconds=3)])
            call.save(update_fields=["duration", "ended_at"])
        calls.append(call)
    report = seat_report(*day_bounds(DAY))
    t = report.total
    assert _figures(t) == _expected(calls)
    assert t.within_15 <= t.within_30 <= t.answered <= t.offered and t.answered + t.abandoned <= t.offered
    for rate in (t.answer_rate, t.rate_15, t.rate_30, t.abandon_rate):
        assert rate is None or 0 <= rate <= 100
    by_seat = {f.label.split()[0] if f.label.split() else "": f for f in report.seats}
    for seat in seats:
        on_seat = [c for c in calls if c.seat_id == seat.pk]
        assert (_figures(by_seat[seat.extension]) if on_seat else _expected([])) == _expected(on_seat)
    hours = {h.label: h for h in report.hours}
    for hour in range(24):
        in_hour = [c for c in calls if timezone.localtime(c.offered_at).hour == hour]
        assert (_figures(hours[f"{hour:02d}:00"]) if in_hour else _expected([])) == _expected(in_hour)
    assert sum(f.offered for f in report.seats) == sum(h.offered for h in report.hours) == t.offered
    assert sum(n for _label, n in report.outcomes) == t.offered
    ringing = sum(1 for c in calls if not c.outcome and c.answered_at is None and c.ended_at is None)
    assert dict(report.outcomes).get("振铃中", 0) == ringing


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
