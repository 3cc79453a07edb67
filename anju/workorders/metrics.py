"""The figures a district is judged on (complaints.md §3): 三率 and the guard metrics.

`compute(orders, start, end, group=...)` takes the orders a user may see and a period
[start, end) and returns one `Figures` per group (street, estate, company or department, or
the whole scope), each with its counts and rates. Cohorts follow §3: clocks by dispatch
date, visits by answer date, on-time and overdue by due date, reworks by close date,
intake guards by creation date. Rates are None when their denominator is 0.

Every figure is an aggregate over indexed instants, a handful of queries per call,
whatever the number of orders. The same cohorts, grouped by day, make the daily rollups
(anju.workorders.rollups) that a past month is summed from.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from anju.workorders.machine import State
from anju.workorders.models import Assignment, Event, Kind, Visit, WorkOrder

OUT_OF_SCOPE = (State.REJECTED, State.MERGED, State.WITHDRAWN, State.ANSWERED)


@dataclass(frozen=True)
class Weights:
    """All configurable (§3): how much 基本满意 counts, the composite's weights, and the
    smallest sample that is ranked."""

    basic: Decimal = Decimal("0.8")
    response: Decimal = Decimal("0.1")
    solve: Decimal = Decimal("0.45")
    satisfy: Decimal = Decimal("0.45")
    min_sample: int = 5


@dataclass
class Figures:
    key: str | int | None
    label: str = ""
    created: int = 0
    complaints: int = 0
    complaints_last_year: int = 0
    rejected: int = 0
    merged: int = 0
    dispatched: int = 0
    signed_on_time: int = 0
    sign_counted: int = 0
    contacted_on_time: int = 0
    contact_counted: int = 0
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    returns: int = 0
    closed: int = 0
    reworked: int = 0
    visits_solved: int = 0
    visits_with_answer: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    households: int = 0
    rank: int | None = None
    rates: dict = field(default_factory=dict)

    def finish(self, w: Weights) -> "Figures":
        ratings = self.satisfied + self.basic + self.unsatisfied
        r = {
            "sign": _rate(self.signed_on_time, self.sign_counted),
            "response": _rate(self.contacted_on_time, self.contact_counted),
            "solve": _rate(self.visits_solved, self.visits_with_answer),
            "satisfaction": _rate(self.satisfied + w.basic * self.basic, ratings),
            "on_time": _rate(self.on_time, self.due),
            "overdue": _rate(self.overdue, self.due),
            "return": _rate(self.returns, self.dispatched),
            "rework": _rate(self.reworked, self.closed),
            "rejected": _rate(self.rejected, self.created),
            "merged": _rate(self.merged, self.created),
            "per_10k_households": (
                _round(Decimal(self.complaints) * 10000 / self.households)
                if self.households
                else None
            ),
            "yoy": (
                _round(
                    Decimal(self.complaints - self.complaints_last_year) / self.complaints_last_year
                )
                if self.complaints_last_year
                else None
            ),
        }
        parts = (r["response"], r["solve"], r["satisfaction"])
        r["score"] = (
            _round(w.response * parts[0] + w.solve * parts[1] + w.satisfy * parts[2])
            if None not in parts
            else None
        )
        self.rates = r
        return self

    @property
    def sample(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied


def _rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return _round(Decimal(numerator) / Decimal(denominator))


def _round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# The dimensions a cohort row is keyed by, and how each grouping reads them (a street is
# the first nine digits of the community code).
DIMENSIONS = ("region", "estate", "company", "department")
GROUPS = {
    "all": None,
    "street": "region",
    "estate": "estate",
    "company": "company",
    "department": "department",
}
# The dimensions as read from an order, from its lead assignment, and from a row of another
# table joined to the order's active lead (return requests, visits).
ORDER_KEYS = {
    "region": "region_code",
    "estate": "estate_id",
    "company": "lead__company_id",
    "department": "lead__department_id",
}
LEAD_KEYS = {
    "region": "order__region_code",
    "estate": "order__estate_id",
    "company": "company_id",
    "department": "department_id",
}
RELATED_KEYS = {
    "region": "order__region_code",
    "estate": "order__estate_id",
    "company": "vlead__company_id",
    "department": "vlead__department_id",
}


@dataclass
class Cohort:
    """One cohort's rows in a period, the instant that dates each row (its day in the
    rollups), its dimensions and the counts it adds up."""

    rows: QuerySet
    instant: str
    keys: dict
    counts: dict
    # Sign and contact clocks still running at `now`: their counts change when they run out.
    pending: dict = field(default_factory=dict)


def cohorts(orders: QuerySet | None, start: datetime, end: datetime, now: datetime):
    """The cohorts of [start, end) among orders (None: every order), as of now."""
    scoped = _orders(WorkOrder.objects.all() if orders is None else orders)

    def of_orders(qs: QuerySet) -> QuerySet:
        return qs if orders is None else qs.filter(order__in=orders.values("pk"))

    leads = of_orders(
        Assignment.objects.filter(role=Assignment.Role.LEAD, active=True).exclude(
            order__state__in=OUT_OF_SCOPE
        )
    )
    yield Cohort(
        scoped.filter(created_at__gte=start, created_at__lt=end),
        "created_at",
        ORDER_KEYS,
        # One row per order: an order has at most one active lead (a unique constraint).
        {
            "created": Count("pk"),
            "complaints": Count("pk", filter=Q(kind=Kind.COMPLAINT) & ~Q(state=State.MERGED)),
            "rejected": Count("pk", filter=Q(state=State.REJECTED)),
            "merged": Count("pk", filter=Q(state=State.MERGED)),
        },
    )
    yield Cohort(
        scoped.filter(closed_at__gte=start, closed_at__lt=end, state=State.CLOSED),
        "closed_at",
        ORDER_KEYS,
        {"closed": Count("pk"), "reworked": Count("pk", filter=Q(reworks__gt=0))},
    )
    yield Cohort(
        leads.filter(order__dispatched_at__gte=start, order__dispatched_at__lt=end),
        "order__dispatched_at",
        LEAD_KEYS,
        {
            "dispatched": Count("pk"),
            "signed_on_time": Count("pk", filter=Q(signed_at__lte=F("sign_due"))),
            "sign_counted": Count("pk", filter=Q(signed_at__isnull=False) | Q(sign_due__lte=now)),
            "contacted_on_time": Count(
                "pk", filter=Q(order__anonymous=False, contacted_at__lte=F("contact_due"))
            ),
            "contact_counted": Count(
                "pk",
                filter=Q(order__anonymous=False)
                & (Q(contacted_at__isnull=False) | Q(contact_due__lte=now)),
            ),
        },
        {
            "sign_pending": Max("sign_due", filter=Q(signed_at__isnull=True, sign_due__gt=now)),
            "contact_pending": Max(
                "contact_due",
                filter=Q(order__anonymous=False, contacted_at__isnull=True, contact_due__gt=now),
            ),
        },
    )
    # Return requests of the orders dispatched in the period, by the order's active lead.
    yield Cohort(
        of_orders(
            Event.objects.filter(
                action="request_return",
                order__dispatched_at__gte=start,
                order__dispatched_at__lt=end,
            )
        ).annotate(vlead=_lead("order__assignments")),
        "order__dispatched_at",
        RELATED_KEYS,
        {"returns": Count("pk")},
    )
    yield Cohort(
        leads.filter(feedback_due__gte=start, feedback_due__lt=min(end, now)),
        "feedback_due",
        LEAD_KEYS,
        {
            "due": Count("pk"),
            "on_time": Count("pk", filter=Q(feedback_at__lte=F("feedback_due"))),
            "overdue": Count(
                "pk", filter=Q(feedback_at__gt=F("feedback_due")) | Q(feedback_at__isnull=True)
            ),
        },
    )
    yield Cohort(
        of_orders(Visit.objects.filter(answered_at__gte=start, answered_at__lt=end)).annotate(
            vlead=_lead("order__assignments")
        ),
        "answered_at",
        RELATED_KEYS,
        {
            "visits_solved": Count("pk", filter=Q(solved=True)),
            "visits_with_answer": Count("pk", filter=Q(solved__isnull=False)),
            "satisfied": Count("pk", filter=Q(satisfaction=Visit.Satisfaction.SATISFIED)),
            "basic": Count("pk", filter=Q(satisfaction=Visit.Satisfaction.BASIC)),
            "unsatisfied": Count("pk", filter=Q(satisfaction=Visit.Satisfaction.UNSATISFIED)),
        },
    )


def last_year(orders: QuerySet, start: datetime, end: datetime) -> Cohort:
    """The complaints of the same period a year before (the created cohort's complaints)."""
    rows = _orders(orders).filter(
        created_at__gte=year_before(start),
        created_at__lt=year_before(end),
        kind=Kind.COMPLAINT,
    )
    return Cohort(
        rows.exclude(state=State.MERGED),
        "created_at",
        ORDER_KEYS,
        {"complaints_last_year": Count("pk")},
    )


def _lead(path: str) -> FilteredRelation:
    return FilteredRelation(path, condition=Q(**{f"{path}__role": "lead", f"{path}__active": True}))


def _orders(qs: QuerySet) -> QuerySet:
    return qs.annotate(lead=_lead("assignments"))


def group_key(keys: dict, group: str):
    """The expression a cohort's rows are grouped by for a grouping (None: one group)."""
    dimension = GROUPS[group]
    if dimension is None:
        return None
    if group == "street":
        return Substr(keys[dimension], 1, 9)
    return F(keys[dimension])


def grouped(qs: QuerySet, key, **aggregates) -> dict:
    if key is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.values(group=key).annotate(**aggregates).order_by()
    return {row.pop("group"): row for row in rows}


def add_counts(counts: dict, rows: dict) -> None:
    """Add grouped rows ({key: {count: value}}) into counts."""
    for key, values in rows.items():
        target = counts.setdefault(key, {})
        for name, value in values.items():
            target[name] = target.get(name, 0) + int(value or 0)


def _live(orders: QuerySet, start: datetime, end: datetime, now: datetime, group: str) -> dict:
    counts: dict = {}
    for cohort in [*cohorts(orders, start, end, now), last_year(orders, start, end)]:
        add_counts(counts, grouped(cohort.rows, group_key(cohort.keys, group), **cohort.counts))
    return counts


def compute(
    orders: QuerySet,
    start: datetime,
    end: datetime,
    *,
    group: str = "all",
    weights: Weights | None = None,
    now: datetime | None = None,
    regions: list[str] | None = None,
) -> list[Figures]:
    """The figures of [start, end) for orders, one per group.

    regions: when the caller knows that `orders` are exactly the orders under these
    region-code prefixes ("" for all; see access.region_prefixes), a period of whole past
    days whose daily rollups are complete is summed from them; otherwise (today, a day not
    rolled up yet or changed since, another scope) the counts are live. Both give the same
    figures.
    """
    from anju.workorders import rollups

    w = weights or Weights()
    now = now or timezone.now()
    counts = None
    if regions is not None:
        counts = rollups.summed(regions, start, end, group=group, now=now)
    if counts is None:
        counts = _live(orders, start, end, now, group)
    figures = {key: Figures(key, **values) for key, values in counts.items()}
    _households(figures, group, orders)
    result = [f.finish(w) for f in figures.values()]
    _label(result, group)
    rank(result, w)
    return sorted(result, key=lambda f: (f.rank is None, f.rank or 0, str(f.label)))


def rank(figures: list[Figures], w: Weights) -> None:
    """Rank within the peer group by composite score; too small samples are listed, not
    ranked (§3: n ≥ min_sample)."""
    ranked = [f for f in figures if f.rates.get("score") is not None and f.sample >= w.min_sample]
    ranked.sort(key=lambda f: f.rates["score"], reverse=True)
    previous, position = None, 0
    for index, f in enumerate(ranked, start=1):
        if f.rates["score"] != previous:
            position, previous = index, f.rates["score"]
        f.rank = position


def _households(figures: dict, group: str, orders: QuerySet) -> None:
    from anju.estates.models import Estate

    if group not in ("all", "street", "estate"):
        return
    # Per estate, does one of the orders name it (an index probe each, not a pass over all).
    estates = Estate.objects.filter(Exists(orders.filter(estate_id=OuterRef("pk"))))
    if group == "estate":
        for pk, total in estates.values_list("pk", "total_households"):
            if pk in figures:
                figures[pk].households = total or 0
        return
    if group == "street":
        rows = estates.values(street=Substr("region_code", 1, 9)).annotate(
            n=Sum("total_households")
        )
        for row in rows:
            if row["street"] in figures:
                figures[row["street"]].households = row["n"] or 0
        return
    if None in figures:
        figures[None].households = estates.aggregate(n=Sum("total_households"))["n"] or 0


def _label(figures: list[Figures], group: str) -> None:
    from anju.companies.models import PropertyCompany
    from anju.estates.models import Estate
    from anju.regions.models import Department, Region

    keys = [f.key for f in figures if f.key is not None]
    if group == "street":
        names = dict(
            Region.objects.filter(code__in=[f"{k}000" for k in keys]).values_list("code", "name")
        )
        labels = {k: names.get(f"{k}000", k) for k in keys}
    elif group == "estate":
        labels = dict(Estate.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group == "company":
        labels = dict(PropertyCompany.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group == "department":
        labels = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        labels = {}
    for f in figures:
        f.label = labels.get(f.key, "" if f.key is None else str(f.key))


def year_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


def channel_counts(orders: QuerySet, start: datetime, end: datetime) -> dict[str, int]:
    """Orders per channel created in [start, end) (as S2's yearly summary counts them)."""
    rows = (
        orders.filter(created_at__gte=start, created_at__lt=end)
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["channel"]: row["n"] for row in rows}


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end
