"""simulate_calls plays a day against the endpoint: every event taken, a replay changes nothing."""

import io
import random
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from minsheng.calls.models import CallRecord
from minsheng.calls.selectors import day_bounds, seat_report
from minsheng.calls.simulator import events_of, plan_day

DAY = date(2026, 11, 3)


def test_a_planned_day_is_consistent():
    rng = random.Random()
    planned = plan_day(DAY, 200, ["8001", "8002"], ["13900001111"], rng)
    assert len(planned) == 200 and len({c.call_id for c in planned}) == 200
    for call in planned:
        assert call.offered.date() == DAY or call.offered.hour < 24
        if call.answered:
            assert call.offered < call.answered < call.ended and call.extension in {"8001", "8002"}
        else:
            assert call.extension == "" and call.ended > call.offered
    times = [at for at, _body in events_of(planned)]
    assert times == sorted(times) and len(times) == 200 * 2 + sum(1 for c in planned if c.answered)


@pytest.mark.django_db
def test_the_command_plays_a_day_and_a_replay_is_idempotent(world):
    out = io.StringIO()
    call_command("simulate_calls", "--date", DAY.isoformat(), "--calls", "40", "--seats", "8001,8002", stdout=out)
    assert "200=" in out.getvalue() and "400=" not in out.getvalue()
    assert CallRecord.objects.count() == 40
    first = seat_report(*day_bounds(DAY)).total
    assert first.offered == 40 and first.answered + first.abandoned == 40
    call_command("simulate_calls", "--date", DAY.isoformat(), "--calls", "40", "--seats", "8001,8002", stdout=out)
    again = seat_report(*day_bounds(DAY)).total
    assert CallRecord.objects.count() == 40 and (again.answered, again.abandoned) == (first.answered, first.abandoned)


def test_the_command_refuses_bad_arguments():
    with pytest.raises(CommandError):
        call_command("simulate_calls", "--date", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("simulate_calls", "--url", "http://127.0.0.1:1/api/cti/events")
