"""Deadline classes give each clock its due instant at dispatch."""

from datetime import datetime
from zoneinfo import ZoneInfo

from anju.core.tests.test_worktime import package_calendar
from anju.workorders.deadlines import DEFAULT_CLASSES, Limit, Unit

TZ = ZoneInfo("Asia/Shanghai")
CAL = package_calendar()


def test_urgent_runs_around_the_clock_even_on_a_holiday():
    start = datetime(2026, 2, 17, 22, 0, tzinfo=TZ)  # Spring Festival, at night
    dues = DEFAULT_CLASSES["urgent"].dues(start, CAL)
    assert dues["sign"].at == datetime(2026, 2, 17, 22, 15, tzinfo=TZ)
    assert dues["feedback"].at == datetime(2026, 2, 18, 0, 0, tzinfo=TZ)


def test_general_uses_working_time_for_sign_and_contact():
    start = datetime(2026, 2, 13, 17, 0, tzinfo=TZ)  # Friday before the Spring Festival
    dues = DEFAULT_CLASSES["general"].dues(start, CAL)
    assert dues["sign"].at == datetime(2026, 2, 14, 14, 0, tzinfo=TZ)  # make-up Saturday
    assert dues["contact"].at == datetime(2026, 2, 14, 17, 30, tzinfo=TZ)
    assert dues["feedback"].at == datetime(2026, 2, 20, 17, 0, tzinfo=TZ)  # 7 calendar days


def test_directive_counts_working_days():
    start = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    due = DEFAULT_CLASSES["directive"].dues(start, CAL)["feedback"]
    # 10-08 Thu, 10-09 Fri, 10-10 make-up Sat, 10-12 Mon, 10-13 Tue.
    assert due.at == datetime(2026, 10, 13, 17, 30, tzinfo=TZ)
    assert not due.provisional


def test_a_due_in_an_unpublished_year_is_provisional():
    start = datetime(2026, 12, 28, 10, 0, tzinfo=TZ)
    assert Limit(7, Unit.NATURAL_DAYS).due(start, CAL).provisional
    assert Limit(4, Unit.WORKING_DAYS).due(start, CAL).provisional  # 2027-01-01
    assert not Limit(3, Unit.WORKING_DAYS).due(start, CAL).provisional  # 2026-12-31
