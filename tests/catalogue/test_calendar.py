"""Working days and deadlines on the official 2026 calendar (chinese-calendar), with local
overrides, and Monday–Friday for a year the package does not know."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from minsheng.catalogue.calendar import add_workdays, handling_deadlines, is_workday
from minsheng.catalogue.models import CalendarOverride, TimeLimitPolicy

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def official_workdays_after(start: date, n: int) -> date:
    """A reference count straight from chinese-calendar: the n-th official working day after ``start``."""
    day = start
    while n:
        day += timedelta(1)
        n -= chinese_calendar.is_workday(day)
    return day


@pytest.fixture(scope="module")
def national_day():
    """The 2026 National Day period as the package knows it: holidays and weekend make-up days."""
    holidays = [d for d in days(date(2026, 10, 1), date(2026, 10, 8)) if not chinese_calendar.is_workday(d)]
    makeup = [d for d in days(date(2026, 9, 13), date(2026, 10, 18))
              if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    return holidays, makeup


@pytest.fixture(scope="module")
def spring_festival():
    holidays = [d for d in days(date(2026, 2, 1), date(2026, 2, 28))
                if d.weekday() < 5 and not chinese_calendar.is_workday(d)]
    makeup = [d for d in days(date(2026, 2, 1), date(2026, 3, 8))
              if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    return holidays, makeup


# --- which days are working days ------------------------------------------------------

def test_national_day_2026_known_facts():
    assert not is_workday(date(2026, 10, 1))  # Thursday, National Day
    assert not is_workday(date(2026, 10, 5))  # Monday inside the holiday
    assert is_workday(date(2026, 10, 10))  # Saturday, make-up working day
    assert is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_national_day_2026_follows_the_official_calendar(national_day):
    holidays, makeup = national_day
    assert date(2026, 10, 1) in holidays
    assert len(holidays) >= 5
    assert makeup, "the National Day holiday always comes with weekend make-up days"
    for day in holidays:
        assert not is_workday(day), day
    for day in makeup:
        assert is_workday(day), day
    for day in days(date(2026, 9, 13), date(2026, 10, 18)):
        assert is_workday(day) == chinese_calendar.is_workday(day), day


def test_spring_festival_2026_follows_the_official_calendar(spring_festival):
    holidays, makeup = spring_festival
    assert date(2026, 2, 17) in holidays  # 春节 (Tuesday)
    assert len(holidays) >= 5
    assert makeup
    for day in holidays:
        assert not is_workday(day), day
    for day in makeup:
        assert is_workday(day), day


# --- add_workdays ---------------------------------------------------------------------

def test_one_workday_before_national_day_lands_after_it_at_the_same_clock_time():
    due = add_workdays(at(2026, 9, 30, 15, 30), 1)
    assert due == at(2026, 10, 8, 15, 30)
    assert due.utcoffset() == timedelta(hours=8)


def test_add_workdays_matches_the_official_calendar_across_national_day(national_day):
    _, makeup = national_day
    start = at(2026, 9, 30, 9, 15)
    for n in range(1, 16):
        due = add_workdays(start, n)
        assert due == datetime.combine(official_workdays_after(start.date(), n), start.timetz()), n
    # A make-up Saturday after the holiday counts as a working day.
    later = [d for d in makeup if d > date(2026, 10, 7)]
    assert later
    assert add_workdays(at(2026, 9, 30, 9, 15), 3).date() == later[0] == date(2026, 10, 10)


def test_a_make_up_saturday_counts():
    assert add_workdays(at(2026, 10, 9, 17, 0), 1) == at(2026, 10, 10, 17, 0)


def test_started_on_a_holiday_counts_from_the_next_working_day():
    assert add_workdays(at(2026, 10, 3, 11, 0), 1) == at(2026, 10, 8, 11, 0)


def test_friday_afternoon_plus_one_workday_is_monday_afternoon():
    assert add_workdays(at(2026, 3, 13, 15, 0), 1) == at(2026, 3, 16, 15, 0)


def test_spring_festival_is_skipped_and_its_make_up_saturdays_counted():
    # Friday 13 Feb → make-up Saturday 14 Feb; then the festival until 23 Feb.
    assert add_workdays(at(2026, 2, 13, 17, 0), 1) == at(2026, 2, 14, 17, 0)
    assert add_workdays(at(2026, 2, 14, 9, 0), 1) == at(2026, 2, 24, 9, 0)
    # 15 working days from 13 Feb: 14, 24–28 (28th a make-up Saturday), 2–6 and 9–12 March.
    assert add_workdays(at(2026, 2, 13, 10, 0), 15) == at(2026, 3, 12, 10, 0)


def test_local_clock_time_is_kept_for_a_start_given_in_utc():
    # Friday 9 Oct 17:00 UTC is Saturday 10 Oct 01:00 in Beijing, a make-up working day.
    due = add_workdays(datetime(2026, 10, 9, 17, 0, tzinfo=UTC), 1)
    assert due == at(2026, 10, 12, 1, 0)


def test_zero_workdays_is_the_start_itself_and_negative_is_refused():
    assert add_workdays(at(2026, 10, 2, 8, 0), 0) == at(2026, 10, 2, 8, 0)
    with pytest.raises(ValueError):
        add_workdays(at(2026, 10, 2, 8, 0), -1)


# --- handling deadlines for each default policy -----------------------------------------

def policy(code) -> TimeLimitPolicy:
    return TimeLimitPolicy.objects.get(code=code)


def test_danger_is_two_clock_hours_even_into_a_holiday():
    contact, handle = handling_deadlines(policy("danger"), at(2026, 9, 30, 23, 0))
    assert handle == at(2026, 10, 1, 1, 0)
    assert contact == handle


def test_utilities_is_24_clock_hours_across_a_holiday():
    contact, handle = handling_deadlines(policy("utilities"), at(2026, 9, 30, 18, 0))
    assert handle == at(2026, 10, 1, 18, 0)
    assert contact == at(2026, 10, 1, 18, 0)


def test_general_is_seven_workdays_with_contact_within_24_hours():
    contact, handle = handling_deadlines(policy("general"), at(2026, 9, 30, 15, 30))
    # 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October.
    assert handle == at(2026, 10, 15, 15, 30)
    assert contact == at(2026, 10, 1, 15, 30)


def test_complex_is_fifteen_workdays():
    contact, handle = handling_deadlines(policy("complex"), at(2026, 9, 30, 15, 30))
    assert handle == at(2026, 10, 27, 15, 30)
    assert handle.date() == official_workdays_after(date(2026, 9, 30), 15)
    assert contact == at(2026, 10, 1, 15, 30)


def test_contact_due_never_falls_after_handling_due():
    quick = TimeLimitPolicy.objects.create(code="quick", name="快速", handle_amount=4, handle_unit="hours",
                                           contact_hours=24)
    contact, handle = handling_deadlines(quick, at(2026, 3, 10, 9, 0))
    assert handle == at(2026, 3, 10, 13, 0)
    assert contact == handle

    one_day = TimeLimitPolicy.objects.create(code="one-day", name="一日", handle_amount=1, handle_unit="workdays",
                                             contact_hours=72)
    contact, handle = handling_deadlines(one_day, at(2026, 3, 10, 9, 0))
    assert handle == at(2026, 3, 11, 9, 0)
    assert contact == handle


def test_contact_due_is_in_clock_hours_even_when_handling_is_in_workdays():
    # Dispatched Friday evening under the general policy: contact by Saturday evening.
    contact, handle = handling_deadlines(policy("general"), at(2026, 3, 13, 18, 0))
    assert contact == at(2026, 3, 14, 18, 0)
    assert handle == at(2026, 3, 24, 18, 0)


# --- local overrides ------------------------------------------------------------------

def test_a_local_holiday_on_a_weekday_is_skipped():
    assert add_workdays(at(2026, 3, 3, 9, 0), 1) == at(2026, 3, 4, 9, 0)
    CalendarOverride.objects.create(date=date(2026, 3, 4), is_workday=False, note="区运动会")
    assert not is_workday(date(2026, 3, 4))
    assert add_workdays(at(2026, 3, 3, 9, 0), 1) == at(2026, 3, 5, 9, 0)


def test_a_local_working_saturday_counts():
    assert add_workdays(at(2026, 3, 6, 9, 0), 1) == at(2026, 3, 9, 9, 0)
    CalendarOverride.objects.create(date=date(2026, 3, 7), is_workday=True, note="集中办公日")
    assert is_workday(date(2026, 3, 7))
    assert add_workdays(at(2026, 3, 6, 9, 0), 1) == at(2026, 3, 7, 9, 0)


def test_an_override_changes_the_handling_deadline():
    before = handling_deadlines(policy("general"), at(2026, 3, 2, 10, 0))[1]
    assert before == at(2026, 3, 11, 10, 0)
    CalendarOverride.objects.create(date=date(2026, 3, 5), is_workday=False)
    assert handling_deadlines(policy("general"), at(2026, 3, 2, 10, 0))[1] == at(2026, 3, 12, 10, 0)


def test_an_override_can_make_an_official_holiday_a_working_day():
    CalendarOverride.objects.create(date=date(2026, 10, 2), is_workday=True, note="应急值守")
    assert add_workdays(at(2026, 9, 30, 9, 0), 1) == at(2026, 10, 2, 9, 0)


# --- a year the package does not know -------------------------------------------------

def test_unknown_year_falls_back_to_monday_to_friday():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 1, 6))
    week = days(date(2031, 1, 6), date(2031, 1, 12))  # Monday to Sunday
    assert [is_workday(d) for d in week] == [True] * 5 + [False] * 2
    assert add_workdays(at(2031, 1, 10, 16, 0), 1) == at(2031, 1, 13, 16, 0)  # Friday → Monday
    assert add_workdays(at(2031, 1, 6, 16, 0), 10) == at(2031, 1, 20, 16, 0)


def test_unknown_year_honours_overrides_entered_by_an_administrator():
    assert add_workdays(at(2030, 12, 31, 9, 0), 1) == at(2031, 1, 1, 9, 0)
    CalendarOverride.objects.create(date=date(2031, 1, 1), is_workday=False, note="元旦")
    assert add_workdays(at(2030, 12, 31, 9, 0), 1) == at(2031, 1, 2, 9, 0)
