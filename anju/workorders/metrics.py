"""The figures a district is judged on (complaints.md §3): 三率 and the guard metrics.

`compute(orders, start, end, group=...)` takes the orders a user may see and a period
[start, end) and returns one `Figures` per group (street, estate, company or department, or
the whole scope), each with its counts and rates. Cohorts follow §3: clocks by dispatch
date, visits by answer date, on-time and overdue by due date, reworks by close date,
intake guards by creation date. Rates are None when their denominator is 0.

Every figure is an aggregate over indexed instants, a handful of queries per call,
whatever the number of orders.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from anju.workorders.machine import State
from anju.workorders.models import Assignment, Event, Kind, Visit

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


# How each grouping reads from an order, an assignment and a visit.
GROUPS = {
    "all": (None, None, None),
    "street": ("street", "o_street", "o_street"),
    "estate": ("estate_id", "order__estate_id", "order__estate_id"),
    "company": ("lead__company_id", "company_id", "vlead__company_id"),
    "department": ("lead__department_id", "department_id", "vlead__department_id"),
}


def _orders(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        street=Substr("region_code", 1, 9),
        lead=FilteredRelation(
            "assignments", condition=Q(assignments__role="lead", assignments__active=True)
        ),
    )


def _grouped(qs: QuerySet, key: str | None, **aggregates) -> dict:
    if key is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.values(group=F(key)).annotate(**aggregates).order_by()
    return {row.pop("group"): row for row in rows}


def compute(
    orders: QuerySet,
    start: datetime,
    end: datetime,
    *,
    group: str = "all",
    weights: Weights | None = None,
    now: datetime | None = None,
) -> list[Figures]:
    w = weights or Weights()
    now = now or timezone.now()
    order_key, assignment_key, visit_key = GROUPS[group]
    scoped = _orders(orders)
    ids = orders.values("pk")
    figures: dict = {}

    def add(rows: dict):
        for key, values in rows.items():
            f = figures.setdefault(key, Figures(key))
            for name, value in values.items():
                setattr(f, name, getattr(f, name) + (value or 0))

    in_period = Q(created_at__gte=start, created_at__lt=end)
    add(
        _grouped(
            scoped.filter(in_period),
            order_key,
            # One row per order: an order has at most one active lead (a unique constraint).
            created=Count("pk"),
            complaints=Count("pk", filter=Q(kind=Kind.COMPLAINT) & ~Q(state=State.MERGED)),
            rejected=Count("pk", filter=Q(state=State.REJECTED)),
            merged=Count("pk", filter=Q(state=State.MERGED)),
        )
    )
    last_year = Q(created_at__gte=_year_before(start), created_at__lt=_year_before(end))
    add(
        _grouped(
            scoped.filter(last_year, kind=Kind.COMPLAINT).exclude(state=State.MERGED),
            order_key,
            complaints_last_year=Count("pk"),
        )
    )
    add(
        _grouped(
            scoped.filter(closed_at__gte=start, closed_at__lt=end, state=State.CLOSED),
            order_key,
            closed=Count("pk"),
            reworked=Count("pk", filter=Q(reworks__gt=0)),
        )
    )
    leads = Assignment.objects.filter(
        order__in=ids, role=Assignment.Role.LEAD, active=True
    ).exclude(order__state__in=OUT_OF_SCOPE)
    leads = leads.annotate(o_street=Substr("order__region_code", 1, 9))
    dispatched = Q(order__dispatched_at__gte=start, order__dispatched_at__lt=end)
    add(
        _grouped(
            leads.filter(dispatched),
            assignment_key,
            dispatched=Count("pk"),
            signed_on_time=Count("pk", filter=Q(signed_at__lte=F("sign_due"))),
            sign_counted=Count("pk", filter=Q(signed_at__isnull=False) | Q(sign_due__lte=now)),
            contacted_on_time=Count(
                "pk", filter=Q(order__anonymous=False, contacted_at__lte=F("contact_due"))
            ),
            contact_counted=Count(
                "pk",
                filter=Q(order__anonymous=False)
                & (Q(contacted_at__isnull=False) | Q(contact_due__lte=now)),
            ),
        )
    )
    # Return requests of the orders dispatched in the period, by the unit that asked.
    returns = Event.objects.filter(
        order__in=ids,
        action="request_return",
        order__dispatched_at__gte=start,
        order__dispatched_at__lt=end,
    ).annotate(
        o_street=Substr("order__region_code", 1, 9),
        vlead=FilteredRelation(
            "order__assignments",
            condition=Q(order__assignments__role="lead", order__assignments__active=True),
        ),
    )
    add(_grouped(returns, visit_key, returns=Count("pk")))
    due_in_period = Q(feedback_due__gte=start, feedback_due__lt=min(end, now))
    add(
        _grouped(
            leads.filter(due_in_period),
            assignment_key,
            due=Count("pk"),
            on_time=Count("pk", filter=Q(feedback_at__lte=F("feedback_due"))),
            overdue=Count(
                "pk", filter=Q(feedback_at__gt=F("feedback_due")) | Q(feedback_at__isnull=True)
            ),
        )
    )
    visits = Visit.objects.filter(
        order__in=ids, answered_at__gte=start, answered_at__lt=end
    ).annotate(
        o_street=Substr("order__region_code", 1, 9),
        vlead=FilteredRelation(
            "order__assignments",
            condition=Q(order__assignments__role="lead", order__assignments__active=True),
        ),
    )
    add(
        _grouped(
            visits,
            visit_key,
            visits_solved=Count("pk", filter=Q(solved=True)),
            visits_with_answer=Count("pk", filter=Q(solved__isnull=False)),
            satisfied=Count("pk", filter=Q(satisfaction=Visit.Satisfaction.SATISFIED)),
            basic=Count("pk", filter=Q(satisfaction=Visit.Satisfaction.BASIC)),
            unsatisfied=Count("pk", filter=Q(satisfaction=Visit.Satisfaction.UNSATISFIED)),
        )
    )
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
    estates = Estate.objects.filter(pk__in=orders.exclude(estate=None).values("estate_id"))
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


def _year_before(moment: datetime) -> datetime:
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
