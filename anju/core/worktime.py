"""Working time: Chinese public holidays, 调休 make-up workdays and daily working windows.

A `WorkCalendar` is an immutable snapshot of the calendar tables (a few dozen exceptions a
year); all arithmetic is pure Python on it, exact to the second, in Asia/Shanghai wall time.
`calendar()` returns the snapshot for the database, rebuilt only when a calendar row changes.

Rules (complaints.md §2.6):
- a day is a workday if it is a make-up workday, or a Monday–Friday that is not a holiday;
- a make-up workday works the windows of the schedule's `makeup_weekday` (Monday by default);
- a year without a published arrangement falls back to Monday–Friday plus whatever
  exceptions were entered for it; any result that relies on such a year is `provisional`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

DEFAULT_WINDOWS: dict[int, tuple[tuple[time, time], ...]] = {
    weekday: ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30))) for weekday in range(1, 6)
}
# A deadline search gives up after this many days without finding enough working time.
HORIZON_DAYS = 3 * 366

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    valid_from: date
    valid_to: date | None
    windows: Mapping[int, tuple[tuple[time, time], ...]]
    makeup_weekday: int = 1

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


DEFAULT_SCHEDULE = Schedule(date(1900, 1, 1), None, DEFAULT_WINDOWS, 1)


@dataclass(frozen=True)
class Step:
    """One line of a deadline's explanation."""

    day: date
    kind: str  # workday | makeup | holiday | weekend
    name: str = ""
    start: time | None = None
    end: time | None = None
    minutes: int = 0
    count: int = 0  # for working days: which working day this is
    provisional: bool = False

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "start": self.start.strftime("%H:%M") if self.start else "",
            "end": self.end.strftime("%H:%M") if self.end else "",
            "minutes": self.minutes,
            "count": self.count,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool
    steps: tuple[Step, ...] = field(default=(), compare=False)

    def trace(self) -> list[dict]:
        return [s.as_dict() for s in self.steps]


def _day_label(day: date) -> str:
    return f"{day:%Y-%m-%d} {WEEKDAYS_ABBR[day.weekday()]}"


def explain(steps: Iterable[dict]) -> list[str]:
    """Render a stored trace as sentences in the current language; a run of days off with
    the same reason (a whole Spring Festival) is one sentence."""
    lines: list[str] = []
    off: list[dict] = []

    def flush():
        if not off:
            return
        first, last = date.fromisoformat(off[0]["day"]), date.fromisoformat(off[-1]["day"])
        reason = off[0]["name"] or (_("weekend") if off[0]["kind"] == "weekend" else _("holiday"))
        if first == last:
            text = _("%(day)s: day off (%(reason)s)") % {"day": _day_label(first), "reason": reason}
        else:
            text = _("%(first)s to %(last)s: %(n)s days off (%(reason)s)") % {
                "first": _day_label(first),
                "last": _day_label(last),
                "n": len(off),
                "reason": reason,
            }
        lines.append(text + _provisional_note(off[-1]))
        off.clear()

    for s in steps:
        if s["kind"] in ("holiday", "weekend"):
            if off and (off[-1]["kind"], off[-1]["name"]) != (s["kind"], s["name"]):
                flush()
            off.append(s)
            continue
        flush()
        day = _day_label(date.fromisoformat(s["day"]))
        if s["kind"] == "makeup":
            what = _("make-up workday (%(name)s)") % {"name": s["name"]}
        else:
            what = _("working day")
        if s["count"]:
            text = _("%(day)s: %(what)s, working day no. %(n)s") % {
                "day": day,
                "what": what,
                "n": s["count"],
            }
        else:
            text = _("%(day)s: %(what)s, %(start)s–%(end)s counts %(minutes)s minutes") % {
                "day": day,
                "what": what,
                "start": s["start"],
                "end": s["end"],
                "minutes": s["minutes"],
            }
        lines.append(text + _provisional_note(s))
    flush()
    return lines


def _provisional_note(step: dict) -> str:
    if not step["provisional"]:
        return ""
    return " " + _("(this year's holiday arrangement is not published yet)")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: Mapping[date, str]
    makeup_days: Mapping[date, str]
    published_years: frozenset[int]
    schedules: tuple[Schedule, ...] = ()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    # -- days --------------------------------------------------------------------------

    def is_published(self, year: int) -> bool:
        return year in self.published_years

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def schedule(self, day: date) -> Schedule:
        # Schedules are sorted newest first: the latest one that started covers the day.
        for s in self.schedules:
            if s.covers(day):
                return s
        return DEFAULT_SCHEDULE

    def windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working windows of a day as aware datetimes (none on a day off)."""
        if not self.is_workday(day):
            return []
        schedule = self.schedule(day)
        weekday = schedule.makeup_weekday if day in self.makeup_days else day.isoweekday()
        return [
            (datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz))
            for start, end in schedule.windows.get(weekday, ())
        ]

    def _day_kind(self, day: date) -> tuple[str, str]:
        if day in self.makeup_days:
            return "makeup", self.makeup_days[day]
        if day in self.holidays:
            return "holiday", self.holidays[day]
        return ("workday", "") if day.weekday() < 5 else ("weekend", "")

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise CalendarError("naive datetime")
        return moment.astimezone(self.tz)

    # -- arithmetic --------------------------------------------------------------------

    def add_working_minutes(self, start: datetime, minutes: int) -> Due:
        """The instant `minutes` of working time after start (start itself if 0)."""
        if minutes < 0:
            raise CalendarError("minutes must not be negative")
        moment = self._local(start)
        remaining = timedelta(minutes=minutes)
        steps: list[Step] = []
        provisional = False
        if not remaining:
            return Due(moment, not self.is_published(moment.year), ())
        day = moment.date()
        for _i in range(HORIZON_DAYS):
            unpublished = not self.is_published(day.year)
            kind, name = self._day_kind(day)
            for window_start, window_end in self.windows(day):
                if window_end <= moment:
                    continue
                begin = max(window_start, moment)
                available = window_end - begin
                used = min(available, remaining)
                provisional |= unpublished
                steps.append(
                    Step(
                        day,
                        kind,
                        name,
                        begin.timetz().replace(tzinfo=None),
                        (begin + used).timetz().replace(tzinfo=None),
                        int(used.total_seconds() // 60),
                        provisional=unpublished,
                    )
                )
                remaining -= used
                if not remaining:
                    return Due(begin + used, provisional, tuple(steps))
            day += timedelta(days=1)
        raise CalendarError("no working time within the horizon")

    def add_working_days(
        self, start: datetime, days: int, *, from_next_day: bool = True, end_of_day: bool = True
    ) -> Due:
        """The end of the days-th working day after start (counting from the next day by
        default, as 12345 rules do), or the same time of day on it with end_of_day=False."""
        if days < 1:
            raise CalendarError("days must be at least 1")
        moment = self._local(start)
        day = moment.date() + timedelta(days=1 if from_next_day else 0)
        steps: list[Step] = []
        provisional = False
        counted = 0
        for _i in range(HORIZON_DAYS):
            unpublished = not self.is_published(day.year)
            kind, name = self._day_kind(day)
            if self.is_workday(day) and self.windows(day):
                counted += 1
                provisional |= unpublished
                steps.append(Step(day, kind, name, count=counted, provisional=unpublished))
                if counted == days:
                    if end_of_day:
                        at = self.windows(day)[-1][1]
                    else:
                        at = datetime.combine(day, moment.timetz().replace(tzinfo=None), self.tz)
                    return Due(at, provisional, tuple(steps))
            else:
                provisional |= unpublished
                steps.append(Step(day, kind, name, provisional=unpublished))
            day += timedelta(days=1)
        raise CalendarError("no working day within the horizon")

    def working_time_between(
        self, a: datetime, b: datetime, pauses: Iterable[tuple[datetime, datetime | None]] = ()
    ) -> timedelta:
        """Working time in [a, b), leaving out pause intervals (an open pause runs to b)."""
        a, b = self._local(a), self._local(b)
        if b <= a:
            return timedelta(0)
        gaps = _merge([(self._local(p), self._local(q) if q else b) for p, q in pauses])
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            for window_start, window_end in self.windows(day):
                begin, end = max(window_start, a), min(window_end, b)
                if begin >= end:
                    continue
                total += end - begin
                for gap_start, gap_end in gaps:
                    overlap = min(end, gap_end) - max(begin, gap_start)
                    if overlap > timedelta(0):
                        total -= overlap
            day += timedelta(days=1)
        return total

    def working_minutes_between(self, a, b, pauses=()) -> int:
        return int(self.working_time_between(a, b, pauses).total_seconds() // 60)


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# -- the database's calendar ---------------------------------------------------------------

VERSION_KEY = "anju:worktime:version"
_snapshot: tuple[str, WorkCalendar] | None = None


def parse_windows(raw: Mapping) -> dict[int, tuple[tuple[time, time], ...]]:
    """Read the JSON windows of a WorkSchedule; raise CalendarError when malformed."""
    result: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, spans in (raw or {}).items():
        try:
            weekday = int(key)
            windows = tuple(
                (time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans
            )
        except (TypeError, ValueError) as error:
            raise CalendarError(str(error)) from error
        if not 1 <= weekday <= 7:
            raise CalendarError(f"weekday {weekday}")
        previous_end = None
        for start, end in windows:
            if end <= start or (previous_end is not None and start < previous_end):
                raise CalendarError(f"windows of weekday {weekday}")
            previous_end = end
        result[weekday] = windows
    return result


def calendar() -> WorkCalendar:
    """The calendar in the database, rebuilt only after a calendar row changed."""
    global _snapshot
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    if _snapshot is not None and _snapshot[0] == version:
        return _snapshot[1]
    built = build_calendar()
    _snapshot = (version, built)
    return built


def calendar_changed(**_kwargs) -> None:
    """Signal receiver: calendar rows changed, so every process rebuilds its snapshot."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def build_calendar() -> WorkCalendar:
    from anju.core.models import CalendarDay, CalendarYear, WorkSchedule

    holidays, makeup = {}, {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (makeup if kind == CalendarDay.Kind.MAKEUP_WORKDAY else holidays)[day] = name
    published = frozenset(
        CalendarYear.objects.filter(published=True).values_list("year", flat=True)
    )
    schedules = tuple(
        Schedule(s.valid_from, s.valid_to, parse_windows(s.windows), s.makeup_weekday)
        for s in WorkSchedule.objects.order_by("-valid_from", "-id")
    )
    return WorkCalendar(holidays, makeup, published, schedules)


# -- seeding -------------------------------------------------------------------------------


def package_arrangements() -> dict[int, tuple[dict[date, str], dict[date, str]]]:
    """Holidays and make-up workdays per year from the chinese-calendar package."""
    from chinese_calendar import constants

    years: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
    for day, holiday in constants.holidays.items():
        years.setdefault(day.year, ({}, {}))[0][day] = _holiday_name(holiday)
    for day, holiday in constants.workdays.items():
        years.setdefault(day.year, ({}, {}))[1][day] = _holiday_name(holiday)
    return years


def _holiday_name(holiday) -> str:
    english = getattr(holiday, "value", str(holiday))
    return HOLIDAY_NAMES.get(english, english)


def seed_calendar(year_model, day_model, schedule_model) -> int:
    """Add every year the package knows and the database does not (models may be the
    historical ones of a migration). Returns the number of years added."""
    import chinese_calendar

    version = getattr(chinese_calendar, "__version__", "")
    known = set(year_model.objects.values_list("year", flat=True))
    added = 0
    for year, (holidays, makeup) in sorted(package_arrangements().items()):
        if year in known:
            continue
        source = NOTICE_2026 if year == 2026 else f"chinese-calendar {version}".strip()
        year_model.objects.create(year=year, published=True, source_doc=source)
        rows = [
            day_model(date=d, kind="holiday", name=name, source_doc=source)
            for d, name in holidays.items()
        ] + [
            day_model(date=d, kind="makeup_workday", name=name, source_doc=source)
            for d, name in makeup.items()
        ]
        day_model.objects.bulk_create(rows)
        added += 1
    if not schedule_model.objects.exists():
        schedule_model.objects.create(
            name="标准工作时间（09:00–12:00，13:30–17:30）",
            valid_from=date(2000, 1, 1),
            windows={
                str(d): [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in spans]
                for d, spans in DEFAULT_WINDOWS.items()
            },
            makeup_weekday=1,
        )
    return added
