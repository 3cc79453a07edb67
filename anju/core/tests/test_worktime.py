"""The working-day calendar: 2026 notice, 调休, windows, deadlines and their explanations."""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.core.models import CalendarDay, CalendarYear, WorkSchedule
from anju.core.worktime import (
    CalendarError,
    Schedule,
    WorkCalendar,
    calendar,
    explain,
    package_arrangements,
    parse_windows,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


def package_calendar(schedules=()) -> WorkCalendar:
    """The same calendar as the seeded database, built without it (for fast properties)."""
    holidays, makeup = {}, {}
    for h, m in package_arrangements().values():
        holidays.update(h)
        makeup.update(m)
    return WorkCalendar(holidays, makeup, frozenset(range(2004, 2027)), tuple(schedules))


CAL = package_calendar()

# -- the 2026 notice (国务院办公厅, 2025-11-04) -------------------------------------------------

HOLIDAYS_2026 = [
    (date(2026, 1, 1), date(2026, 1, 3)),
    (date(2026, 2, 15), date(2026, 2, 23)),
    (date(2026, 4, 4), date(2026, 4, 6)),
    (date(2026, 5, 1), date(2026, 5, 5)),
    (date(2026, 6, 19), date(2026, 6, 21)),
    (date(2026, 9, 25), date(2026, 9, 27)),
    (date(2026, 10, 1), date(2026, 10, 7)),
]
MAKEUP_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


def test_the_seeded_2026_matches_the_state_council_notice(db):
    year = CalendarYear.objects.get(year=2026)
    assert year.published
    assert "2026年部分节假日安排" in year.source_doc
    holidays = set(
        CalendarDay.objects.filter(date__year=2026, kind="holiday").values_list("date", flat=True)
    )
    assert holidays == {d for first, last in HOLIDAYS_2026 for d in days(first, last)}
    makeup = CalendarDay.objects.filter(date__year=2026, kind="makeup_workday")
    assert sorted(makeup.values_list("date", flat=True)) == MAKEUP_2026
    assert makeup.get(date=date(2026, 2, 14)).name == "春节"
    cal = calendar()
    assert all(cal.is_workday(d) for d in MAKEUP_2026)
    assert not any(cal.is_workday(d) for first, last in HOLIDAYS_2026 for d in days(first, last))


def test_every_day_2004_to_2026_agrees_with_the_package(db):
    cal = calendar()
    for day in days(date(2004, 1, 1), date(2026, 12, 31)):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day


def test_seeding_again_adds_nothing(db):
    before = CalendarDay.objects.count()
    out = io.StringIO()
    call_command("calendar_seed", stdout=out)
    assert "0 year(s) added" in out.getvalue()
    assert CalendarDay.objects.count() == before
    assert WorkSchedule.objects.count() == 1


# -- the vectors of complaints.md §2.6 -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (at(2026, 2, 13, 10), 3, date(2026, 2, 25)),  # Fri, across the Spring Festival
        (at(2025, 12, 31, 10), 1, date(2026, 1, 4)),  # the make-up Sunday
        (at(2026, 9, 18, 10), 3, date(2026, 9, 22)),
        (at(2026, 9, 30, 10), 3, date(2026, 10, 10)),  # National Day, make-up Saturday
        (at(2026, 4, 30, 10), 2, date(2026, 5, 7)),  # Labour Day
        (at(2026, 2, 13, 23, 59), 1, date(2026, 2, 14)),
        (at(2026, 5, 8, 9), 1, date(2026, 5, 9)),  # make-up Saturday 05-09
        (at(2026, 6, 18, 9), 1, date(2026, 6, 22)),  # Dragon Boat, Fri–Sun
    ],
)
def test_working_days_from_the_next_day_due_at_close_of_business(db, start, n, due):
    result = calendar().add_working_days(start, n)
    assert result.at == datetime.combine(due, time(17, 30), TZ)
    assert not result.provisional


def test_working_days_counting_the_start_day_and_keeping_the_time():
    result = CAL.add_working_days(at(2026, 2, 13, 10, 15), 2, from_next_day=False, end_of_day=False)
    assert result.at == at(2026, 2, 14, 10, 15)
    with pytest.raises(CalendarError):
        CAL.add_working_days(at(2026, 2, 13), 0)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(2026, 2, 13, 17, 0), 240, at(2026, 2, 14, 14, 0)),  # the §2.6 vector
        (at(2026, 2, 13, 17, 0), 30, at(2026, 2, 13, 17, 30)),  # ends exactly at close
        (at(2026, 2, 13, 17, 0), 31, at(2026, 2, 14, 9, 1)),
        (at(2026, 3, 2, 7, 0), 60, at(2026, 3, 2, 10, 0)),  # before opening
        (at(2026, 3, 2, 12, 30), 30, at(2026, 3, 2, 14, 0)),  # in the lunch break
        (at(2026, 3, 2, 11, 30), 60, at(2026, 3, 2, 14, 0)),  # across the lunch break
        (at(2026, 3, 2, 18, 0), 1, at(2026, 3, 3, 9, 1)),  # after closing
        (at(2026, 2, 14, 12, 0), 420, at(2026, 2, 24, 12, 0)),  # Spring Festival in between
        (at(2026, 3, 2, 10, 0), 0, at(2026, 3, 2, 10, 0)),
    ],
)
def test_working_minutes(start, minutes, due):
    assert CAL.add_working_minutes(start, minutes).at == due


def test_working_time_between_with_pauses():
    a, b = at(2026, 2, 13, 9), at(2026, 2, 24, 12)
    # Fri 13th 7 h, Sat 14th (make-up) 7 h, Tue 24th 3 h.
    assert CAL.working_minutes_between(a, b) == 17 * 60
    pauses = [(at(2026, 2, 13, 16), at(2026, 2, 14, 10)), (at(2026, 2, 14, 9, 30), None)]
    # Paused from Fri 16:00 to the end: only Fri 09:00–16:00 minus lunch (6 h) remains.
    assert CAL.working_minutes_between(a, b, pauses) == 330  # 09:00–12:00, 13:30–16:00
    assert CAL.working_minutes_between(b, a) == 0


def test_unpublished_years_are_provisional_and_fall_back_to_monday_to_friday(db):
    cal = calendar()
    assert not cal.is_published(2027)
    result = cal.add_working_days(at(2026, 12, 30, 10), 3)
    assert result.at == at(2027, 1, 4, 17, 30)
    assert result.provisional
    assert not cal.add_working_days(at(2026, 12, 1, 10), 3).provisional
    # Once the 2027 arrangement is entered and published, the same deadline moves.
    CalendarYear.objects.create(year=2027, published=True, source_doc="通知")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    again = calendar().add_working_days(at(2026, 12, 30, 10), 3)
    assert again.at == at(2027, 1, 5, 17, 30)
    assert not again.provisional


def test_calendar_changes_reach_the_snapshot(db):
    day = date(2026, 3, 2)
    assert calendar().is_workday(day)
    row = CalendarDay.objects.create(date=day, kind="holiday", name="测试")
    assert not calendar().is_workday(day)
    row.delete()
    assert calendar().is_workday(day)


def test_schedules_by_date_and_make_up_weekday(db):
    summer = {str(d): [["08:30", "12:00"], ["14:30", "18:00"]] for d in range(1, 6)}
    summer["6"] = [["09:00", "11:00"]]
    WorkSchedule.objects.create(
        name="夏令时", valid_from=date(2026, 5, 1), valid_to=date(2026, 9, 30), windows=summer,
        makeup_weekday=6,
    )  # fmt: skip
    cal = calendar()
    assert cal.windows(date(2026, 6, 1))[0][0] == at(2026, 6, 1, 8, 30)
    assert cal.windows(date(2026, 10, 12))[0][0] == at(2026, 10, 12, 9, 0)
    # The make-up Saturday 05-09 works like a Saturday of the summer schedule: 09:00–11:00.
    assert cal.windows(date(2026, 5, 9)) == [(at(2026, 5, 9, 9), at(2026, 5, 9, 11))]
    assert cal.windows(date(2026, 5, 16)) == []  # an ordinary Saturday is not a workday


def test_windows_are_validated():
    assert parse_windows({"1": [["09:00", "12:00"]]}) == {1: ((time(9), time(12)),)}
    for bad in (
        {"8": [["09:00", "12:00"]]},
        {"1": [["12:00", "09:00"]]},
        {"1": [["09:00", "12:00"], ["11:00", "13:00"]]},
        {"1": [["9h", "12:00"]]},
        {"x": []},
    ):
        with pytest.raises(CalendarError):
            parse_windows(bad)


def test_naive_datetimes_are_refused():
    with pytest.raises(CalendarError):
        CAL.add_working_minutes(datetime(2026, 3, 2, 9), 10)  # noqa: DTZ001 - naive on purpose


def test_the_explanation_names_every_day():
    with translation.override("zh-hans"):
        lines = explain(CAL.add_working_days(at(2026, 2, 13, 10), 3).trace())
    assert len(lines) == 4
    assert "2026-02-14" in lines[0]
    assert "春节" in lines[0]
    assert "2026-02-15" in lines[1]
    assert "2026-02-23" in lines[1]
    assert "9" in lines[1]
    with translation.override("en"):
        minutes = explain(CAL.add_working_minutes(at(2026, 2, 13, 17), 240).trace())
    assert minutes[0].endswith("17:00–17:30 counts 30 minutes")
    assert "13:30–14:00 counts 30 minutes" in minutes[-1]


# -- properties ----------------------------------------------------------------------------

# Naive bounds (hypothesis's rule), made aware in Asia/Shanghai.
FIRST, LAST = at(2004, 1, 1).replace(tzinfo=None), at(2026, 6, 30).replace(tzinfo=None)
instants = st.datetimes(min_value=FIRST, max_value=LAST).map(lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=150, deadline=None)
@given(instants, st.integers(min_value=1, max_value=20_000))
def test_adding_then_measuring_gives_back_the_minutes(start, minutes):
    due = CAL.add_working_minutes(start, minutes).at
    assert CAL.working_time_between(start, due) == timedelta(minutes=minutes)
    # The deadline falls inside (or at the end of) a working window of a working day.
    assert any(s < due <= e for s, e in CAL.windows(due.date()))


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=5000), st.integers(min_value=1, max_value=500))
def test_more_minutes_never_end_earlier(start, m, extra):
    assert CAL.add_working_minutes(start, m).at < CAL.add_working_minutes(start, m + extra).at


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=60))
def test_working_days_count_exactly_n_workdays(start, n):
    due = CAL.add_working_days(start, n)
    assert CAL.is_workday(due.at.date())
    assert due.at == CAL.windows(due.at.date())[-1][1]
    counted = [
        d for d in days(start.date() + timedelta(days=1), due.at.date()) if CAL.is_workday(d)
    ]
    assert len(counted) == n
    assert CAL.add_working_days(start, n + 1).at > due.at


@settings(max_examples=100, deadline=None)
@given(
    instants,
    st.integers(min_value=0, max_value=30 * 24 * 60),
    st.lists(st.tuples(st.integers(0, 40 * 24 * 60), st.integers(1, 5 * 24 * 60)), max_size=4),
)
def test_pauses_only_ever_remove_working_time(start, span, pauses):
    end = start + timedelta(minutes=span)
    intervals = [
        (start + timedelta(minutes=p), start + timedelta(minutes=p + d)) for p, d in pauses
    ]
    plain = CAL.working_time_between(start, end)
    paused = CAL.working_time_between(start, end, intervals)
    assert timedelta(0) <= paused <= plain
    # Removing every pause's own working time: never more than the pauses could hold.
    held = sum((CAL.working_time_between(max(p, start), min(q, end)) for p, q in intervals
                if p < end and q > start), timedelta(0))  # fmt: skip
    assert plain - paused <= held


def test_a_schedule_without_windows_on_some_day_is_skipped():
    cal = package_calendar(
        [Schedule(date(2000, 1, 1), None, {1: ((time(9), time(10)),)}, makeup_weekday=1)]
    )
    # Only Mondays work, one hour each.
    assert cal.add_working_minutes(at(2026, 3, 2, 9), 90).at == at(2026, 3, 9, 9, 30)
    assert cal.add_working_days(at(2026, 3, 2, 9), 1).at == at(2026, 3, 9, 10)
