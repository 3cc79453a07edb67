"""三率 and the guard metrics on a hand-built month, checked figure by figure."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from anju.workorders.machine import State
from anju.workorders.metrics import Weights, channel_counts, compute, month_bounds
from anju.workorders.models import Assignment, Category, Visit, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=TZ)


def t(month, day, hour=10, year=2026):
    return datetime(year, month, day, hour, 0, tzinfo=TZ)


def order(world, n, estate, *, kind="complaint", state=State.CLOSED, created=None, channel="phone",
          anonymous=False, company=None, dispatched=None, signed=None, contacted=None,
          feedback=None, closed=None, reworks=0, visit=None):  # fmt: skip
    o = WorkOrder.objects.create(
        number=f"T{n:04d}",
        channel=channel,
        kind=kind,
        category=Category.objects.get(code="service.cleaning"),
        estate=estate,
        region_code=estate.region_code,
        title="t",
        content="c",
        anonymous=anonymous,
        deadline_class="general",
        state=state,
        dispatched_at=dispatched,
        closed_at=closed,
        reworks=reworks,
    )
    WorkOrder.objects.filter(pk=o.pk).update(created_at=created or dispatched or t(3, 1))
    if dispatched:
        Assignment.objects.create(
            order=o,
            role="lead",
            unit_kind="company",
            company=company,
            sign_due=dispatched.replace(hour=15),
            contact_due=dispatched.replace(day=dispatched.day + 1, hour=17),
            feedback_due=dispatched.replace(day=dispatched.day + 7),
            signed_at=signed,
            contacted_at=contacted,
            feedback_at=feedback,
        )
    if visit:
        solved, satisfaction, answered = visit
        Visit.objects.create(order=o, token=f"tok{n}", solved=solved, satisfaction=satisfaction,
                             answered_at=answered)  # fmt: skip
    return o


@pytest.fixture
def month(world):
    a, b = world.estate_a, world.estate_b
    a.total_households, b.total_households = 200, 100
    a.save()
    b.save()
    x, y = world.company_x, world.company_y
    # Street A
    order(world, 1, a, company=x, dispatched=t(3, 2), signed=t(3, 2, 11), contacted=t(3, 2, 16),
          feedback=t(3, 6), closed=t(3, 10), visit=(True, "satisfied", t(3, 10)))  # fmt: skip
    order(world, 2, a, company=x, dispatched=t(3, 3), signed=t(3, 3, 16), contacted=t(3, 5),
          feedback=t(3, 12), closed=t(3, 20), reworks=1, channel="hotline",
          visit=(False, "unsatisfied", t(3, 20)))  # fmt: skip
    order(world, 3, a, state=State.MERGED, created=t(3, 4))
    order(world, 4, a, kind="report", state=State.REJECTED, created=t(3, 4))
    order(world, 5, a, company=x, state=State.IN_PROGRESS, anonymous=True, dispatched=t(3, 5),
          signed=t(3, 5, 11))  # fmt: skip
    # Street B
    order(world, 6, b, company=y, dispatched=t(3, 2), signed=t(3, 2, 11), contacted=t(3, 2, 12),
          feedback=t(3, 4), closed=t(3, 6), visit=(True, "basic", t(3, 6)))  # fmt: skip
    # March 2025: two complaints in street A
    order(world, 7, a, created=t(3, 9, year=2025))
    order(world, 8, a, created=t(3, 10, year=2025))
    return month_bounds(2026, 3)


def by_key(figures):
    return {f.key: f for f in figures}


def test_street_figures(world, month):
    start, end = month
    figures = by_key(compute(WorkOrder.objects.all(), start, end, group="street", now=NOW))
    a = figures[world.street_a.code[:9]]
    b = figures[world.street_b.code[:9]]
    assert a.label == world.street_a.name
    assert (a.created, a.complaints, a.rejected, a.merged) == (5, 3, 1, 1)
    assert (a.dispatched, a.signed_on_time, a.sign_counted) == (3, 2, 3)
    assert (a.contacted_on_time, a.contact_counted) == (1, 2)  # the anonymous one not counted
    assert (a.due, a.on_time, a.overdue) == (3, 1, 2)
    assert (a.closed, a.reworked) == (2, 1)
    D = Decimal  # noqa: N806 - short for the many figures below
    assert a.rates["sign"] == D("0.6667")
    assert a.rates["response"] == D("0.5000")
    assert a.rates["solve"] == D("0.5000")
    assert a.rates["satisfaction"] == D("0.5000")
    assert a.rates["score"] == D("0.5000")
    assert a.rates["on_time"] == D("0.3333")
    assert a.rates["overdue"] == D("0.6667")
    assert a.rates["rework"] == D("0.5000")
    assert a.rates["rejected"] == D("0.2000")
    assert a.rates["per_10k_households"] == D("150.0000")
    assert a.complaints_last_year == 2
    assert a.rates["yoy"] == D("0.5000")  # up 50 %: the -15 % target is missed
    assert b.rates["satisfaction"] == D("0.8000")  # 基本满意 counts 0.8
    assert b.rates["score"] == D("0.9100")
    assert b.rates["per_10k_households"] == D("100.0000")
    assert b.rates["yoy"] is None  # nothing last year to compare with
    assert a.rank is None  # fewer than five ratings: listed, not ranked


def test_weights_and_ranking_are_configurable(world, month):
    start, end = month
    w = Weights(basic=Decimal(1), min_sample=1)
    figures = by_key(compute(WorkOrder.objects.all(), start, end, group="street", weights=w,
                             now=NOW))  # fmt: skip
    b = figures[world.street_b.code[:9]]
    assert b.rates["satisfaction"] == Decimal("1.0000")
    assert b.rank == 1
    assert figures[world.street_a.code[:9]].rank == 2


def test_company_and_whole_scope(world, month):
    start, end = month
    companies = by_key(compute(WorkOrder.objects.all(), start, end, group="company", now=NOW))
    x = companies[world.company_x.pk]
    assert x.label == world.company_x.name
    assert (x.dispatched, x.due, x.overdue, x.visits_with_answer) == (3, 3, 2, 2)
    assert companies[world.company_y.pk].satisfied == 0
    (total,) = compute(WorkOrder.objects.all(), start, end, now=NOW)
    assert (total.created, total.complaints, total.dispatched) == (6, 4, 4)
    assert total.households == 300


def test_scope_is_the_callers(world, month):
    start, end = month
    only_b = WorkOrder.objects.filter(estate=world.estate_b)
    (total,) = compute(only_b, start, end, now=NOW)
    assert (total.created, total.complaints) == (1, 1)


def test_channel_counts_for_a_year(world, month):
    counts = channel_counts(WorkOrder.objects.all(), t(1, 1), t(12, 31))
    assert counts == {"phone": 5, "hotline": 1}
