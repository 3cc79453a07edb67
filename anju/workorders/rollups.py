"""Daily rollups of the metric counts, so that a past month is a sum of at most 31 small rows
per place and unit instead of seven passes over its orders.

MetricDaily holds, per local day and per (community code, estate, lead company, lead
department), every count `metrics.compute` adds up, each in its own cohort (orders created
that day, closed that day, dispatched that day, leads due that day, visits answered that
day), computed by the very cohort queries of the live figures, grouped by day. MetricDay says
whether a day's rows may stand in for the live counts:

- computed: the sweep computes each day once it is over, `manage.py metrics_rollup`
  backfills the past;
- not stale: every service that changes an order marks, in the same transaction, the days
  that count it before and after the change (created, dispatched, closed, its leads' due
  days, its visits' answer days); the sweep recomputes stale days;
- settled: no sign or contact clock of the day's dispatches was still running when it was
  computed (those counts move when such a clock runs out); the sweep recomputes the day
  after the last one ran out.

A day before the first day of a full backfill that has no row has no orders. `compute` sums
the rollups only when every day of the period and of the same period a year before is
usable, and otherwise counts live; either way the figures are the same.

Concurrency: the sweep locks a day's MetricDay row before it reads the day's orders, and a
service marks the row (an upsert, days in ascending order) in the transaction of its
change. A change committed before the sweep takes the lock is read by the sweep; a later
one waits for the sweep to commit and marks the day stale again.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F, Min, PositiveIntegerField, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from anju.workorders import metrics
from anju.workorders.models import Assignment, MetricDaily, MetricDay, Visit, WorkOrder

COUNTS = [f.name for f in MetricDaily._meta.fields if isinstance(f, PositiveIntegerField)]
# Without a backfill the sweep computes the last RECENT_DAYS days.
RECENT_DAYS = 40
CHUNK_DAYS = 31
# The dimensions as stored in a rollup row.
ROW_KEYS = {
    "region": "region_code",
    "estate": "estate_id",
    "company": "company_id",
    "department": "department_id",
}


def _tz():
    return timezone.get_default_timezone()


def day_of(moment: datetime) -> date:
    return timezone.localtime(moment, _tz()).date()


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_tz())


# -- marking ----------------------------------------------------------------------------------


def order_days(order: WorkOrder) -> set[date]:
    """The days whose rollups count the order: its creation, dispatch and close, its lead
    assignments' due days and its visits' answer days."""
    dues = (
        Assignment.objects.filter(
            order=order, role=Assignment.Role.LEAD, feedback_due__isnull=False
        )
        .order_by()
        .values_list("feedback_due")
    )
    answers = (
        Visit.objects.filter(order=order, answered_at__isnull=False)
        .order_by()
        .values_list("answered_at")
    )
    instants = [order.created_at, order.dispatched_at, order.closed_at]
    instants += [at for (at,) in dues.union(answers, all=True)]
    return {day_of(at) for at in instants if at is not None}


def mark_stale(days: Iterable[date]) -> None:
    """Mark the days' rollups stale; call it in the transaction that changes their orders.
    Days after today have no rollups yet."""
    today = timezone.localdate(timezone=_tz())
    rows = [MetricDay(day=day, stale=True) for day in sorted(set(days)) if day <= today]
    if rows:
        MetricDay.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["day"], update_fields=["stale"]
        )


def touch(order: WorkOrder, before: Iterable[date] = ()) -> None:
    """Mark stale the days that counted the order before a change (before) and after it."""
    mark_stale(set(before) | order_days(order))


# -- computing --------------------------------------------------------------------------------


def _needs(row: MetricDay, now: datetime) -> bool:
    return (
        row.computed_at is None
        or row.stale
        or (row.settles_at is not None and row.settles_at <= now)
    )


def refresh(now: datetime | None = None, *, since: date | None = None, every: bool = False) -> int:
    """Compute the days up to yesterday whose rollups are missing, stale or unsettled: from
    `since` when given (with every, all of them again), else from the first backfilled day,
    else over the last RECENT_DAYS days; stale and unsettled days whenever they are.
    Returns the number of days computed."""
    now = now or timezone.now()
    yesterday = timezone.localdate(now, _tz()) - timedelta(days=1)
    known = {row.day: row for row in MetricDay.objects.filter(day__lte=yesterday)}
    epoch = min((day for day, row in known.items() if row.first), default=None)
    day = since or epoch or yesterday - timedelta(days=RECENT_DAYS - 1)
    days = {d for d, row in known.items() if _needs(row, now)}
    while day <= yesterday:
        row = known.get(day)
        if every or row is None or _needs(row, now):
            days.add(day)
        day += timedelta(days=1)
    for first, last in _runs(sorted(days)):
        _compute(first, last, now)
    return len(days)


def _runs(days: list[date]):
    """Contiguous runs of days, at most CHUNK_DAYS long."""
    run: list[date] = []
    for day in days:
        if run and (day - run[-1] != timedelta(days=1) or len(run) == CHUNK_DAYS):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def _compute(first: date, last: date, now: datetime) -> None:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    with transaction.atomic():
        MetricDay.objects.bulk_create([MetricDay(day=day) for day in days], ignore_conflicts=True)
        chunk = MetricDay.objects.filter(day__gte=first, day__lte=last)
        list(chunk.select_for_update().order_by("day").values_list("pk"))
        rows, settles = _count(first, last, now)
        MetricDaily.objects.filter(day__gte=first, day__lte=last).delete()
        MetricDaily.objects.bulk_create(rows, batch_size=2000)
        chunk.update(computed_at=now, stale=False, settles_at=None)
        for day, at in settles.items():
            chunk.filter(day=day).update(settles_at=at)


def _count(first: date, last: date, now: datetime):
    """The rollup rows of the days first..last as of now, and per day the last sign or
    contact clock still running then."""
    start, end = midnight(first), midnight(last + timedelta(days=1))
    rows: dict[tuple, dict] = {}
    settles: dict[date, datetime] = {}
    for cohort in metrics.cohorts(None, start, end, now):
        keys = {f"k_{d}": F(cohort.keys[d]) for d in metrics.DIMENSIONS}
        values = (
            cohort.rows.values(k_day=TruncDate(cohort.instant, tzinfo=_tz()), **keys)
            .annotate(**cohort.counts, **cohort.pending)
            .order_by()
        )
        for value in values:
            key = (value.pop("k_day"), *(value.pop(f"k_{d}") for d in metrics.DIMENSIONS))
            for name in cohort.pending:
                at = value.pop(name)
                if at is not None and (key[0] not in settles or at > settles[key[0]]):
                    settles[key[0]] = at
            metrics.add_counts(rows, {key: value})
    names = ("day", "region_code", "estate_id", "company_id", "department_id")
    daily = [MetricDaily(**dict(zip(names, key, strict=True)), **c) for key, c in rows.items()]
    return daily, settles


def earliest_day() -> date:
    """The first day any order counts on (today when there are none)."""
    firsts = [
        WorkOrder.objects.aggregate(
            a=Min("created_at"), b=Min("dispatched_at"), c=Min("closed_at")
        ).values(),
        [
            Assignment.objects.filter(role=Assignment.Role.LEAD).aggregate(a=Min("feedback_due"))[
                "a"
            ]
        ],
        [Visit.objects.aggregate(a=Min("answered_at"))["a"]],
    ]
    instants = [at for group in firsts for at in group if at is not None]
    return min((day_of(at) for at in instants), default=timezone.localdate(timezone=_tz()))


def backfill(now: datetime | None = None, *, every: bool = False) -> int:
    """Compute every day from the first one an order counts on to yesterday, and record
    that day as the first: from then on a day before it without a row has no orders."""
    now = now or timezone.now()
    first = earliest_day()
    done = refresh(now, since=first, every=every)
    MetricDay.objects.update_or_create(day=first, defaults={"first": True})
    return done


# -- reading ----------------------------------------------------------------------------------


def _day_range(start: datetime, end: datetime) -> tuple[date, date] | None:
    a, b = timezone.localtime(start, _tz()), timezone.localtime(end, _tz())
    if a.time() != time(0) or b.time() != time(0) or a >= b:
        return None
    return a.date(), b.date()


def _usable(ranges: list[tuple[date, date]], now: datetime) -> bool:
    condition = Q(first=True)
    for a, b in ranges:
        condition |= Q(day__gte=a, day__lt=b)
    rows = {row.day: row for row in MetricDay.objects.filter(condition)}
    epoch = min((row.day for row in rows.values() if row.first), default=None)
    for a, b in ranges:
        day = a
        while day < b:
            row = rows.get(day)
            if row is None:
                if epoch is None or day >= epoch:
                    return False
            elif (
                row.stale
                or row.computed_at is None
                or row.computed_at > now
                or row.settles_at is not None
            ):
                return False
            day += timedelta(days=1)
    return True


def summed(
    regions: list[str], start: datetime, end: datetime, *, group: str, now: datetime
) -> dict | None:
    """The counts of [start, end) (and of the same period a year before) for the orders
    under the region prefixes, summed from the rollups; None when they cannot stand in for
    the live counts."""
    period = _day_range(start, end)
    before = _day_range(metrics.year_before(start), metrics.year_before(end))
    if not regions or period is None or before is None or end > now:
        return None
    if not _usable([period, before], now):
        return None
    rows = MetricDaily.objects.all()
    if "" not in regions:
        where = Q()
        for prefix in regions:
            where |= Q(region_code__codeprefix=prefix)
        rows = rows.filter(where)
    key = metrics.group_key(ROW_KEYS, group)
    counts: dict = {}
    this = rows.filter(day__gte=period[0], day__lt=period[1])
    metrics.add_counts(counts, metrics.grouped(this, key, **{n: Sum(n) for n in COUNTS}))
    last = rows.filter(day__gte=before[0], day__lt=before[1])
    if key is not None:  # as live: only the groups with complaints a year before
        last = last.filter(complaints__gt=0)
    metrics.add_counts(counts, metrics.grouped(last, key, complaints_last_year=Sum("complaints")))
    return counts
