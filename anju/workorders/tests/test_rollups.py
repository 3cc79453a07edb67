"""Daily metric rollups: a month summed from them gives exactly the live figures; a change
through the services sends its days back to the live count until the sweep recomputes them;
a clock still running keeps its day live until it runs out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.workorders import rollups, services
from anju.workorders.demo import build_orders
from anju.workorders.machine import Act, State
from anju.workorders.metrics import compute, month_bounds
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    Event,
    Kind,
    MetricDaily,
    MetricDay,
    Visit,
    WorkOrder,
)
from anju.workorders.sweep import sweep
from anju.workorders.tests.test_metrics import month  # noqa: F401 - the hand-built month

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
GROUPS = ("all", "street", "estate", "company", "department")


def t(m, day, hour=10, minute=0, year=2026):
    return datetime(year, m, day, hour, minute, tzinfo=TZ)


def in_regions(prefixes):
    condition = Q()
    for prefix in prefixes:
        condition |= Q(region_code__codeprefix=prefix)
    return WorkOrder.objects.filter(condition)


def assert_same(year, number, now, prefixes=("",), *, summed=True):
    """The month computed live and with the rollups, for every grouping: the same figures;
    summed: the rollups were used (else: they could not be, and the count was live)."""
    start, end = month_bounds(year, number)
    orders = in_regions(prefixes)
    for group in GROUPS:
        used = rollups.summed(list(prefixes), start, end, group=group, now=now)
        assert (used is not None) == summed, (year, number, group)
        live = compute(orders, start, end, group=group, now=now)
        rolled = compute(orders, start, end, group=group, now=now, regions=list(prefixes))
        assert rolled == live, (year, number, group)


def test_the_hand_built_month_summed_from_rollups(world, month):  # noqa: F811
    # given the hand-built month of test_metrics (and two complaints a year before)
    assert rollups.backfill(NOW) > 0
    # then every grouping of March, and of the months around it, is the same both ways
    for year, number in ((2026, 3), (2026, 2), (2025, 3)):
        assert_same(year, number, NOW)
    street_a, district = world.street_a.code[:9], world.district.code[:6]
    assert_same(2026, 3, NOW, (street_a,))
    assert_same(2026, 3, NOW, (district, street_a))
    # the figures are not all zero: the rollups hold the month
    (total,) = compute(WorkOrder.objects.all(), *month, now=NOW, regions=[""])
    assert (total.created, total.dispatched, total.complaints_last_year) == (6, 4, 2)
    # a month not over yet, or a period that is not whole days, is counted live
    start, end = month_bounds(2026, 4)
    assert rollups.summed([""], start, end, group="all", now=NOW) is None
    assert rollups.summed([""], month[0] + timedelta(hours=1), month[1], group="all",
                          now=NOW) is None  # fmt: skip


# -- through the services ------------------------------------------------------------------


def registered(world, at, *, estate=None, category="service.cleaning", **extra):
    data = {
        "channel": Channel.PHONE,
        "category": Category.objects.get(code=category),
        "estate": estate or world.estate_a,
        "title": "楼道卫生差",
        "content": "垃圾三天未清运",
        "complainant_name": "王五",
        "complainant_phone": "13900000001",
    } | extra
    order = services.register(actor=world.people.district_admin, data=data, now=at)
    # The registration time is the clock's; put the order on the day of the story.
    WorkOrder.objects.filter(pk=order.pk).update(created_at=at)
    order.refresh_from_db()
    return order


def handled(world, at, *, rating="satisfied", solved=True, estate=None, handler=None):
    """An order of the estate's company, from registration to its return visit, one hour
    per step."""
    p = world.people
    handler = handler or p.company_x_manager
    order = registered(world, at, estate=estate)
    services.auto_dispatch(order, now=at)
    steps = [
        (handler, Act.SIGN, {}),
        (handler, Act.CONTACT, {}),
        (handler, Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
        (p.district_admin, Act.APPROVE_FEEDBACK, {}),
        (p.district_admin, Act.CLOSE, {"rating": rating, "solved": solved}),
    ]
    for hours, (actor, action, payload) in enumerate(steps, start=1):
        order = services.act(actor=actor, order=order, action=action, payload=payload,
                             now=at + timedelta(hours=hours))  # fmt: skip
    return order


@pytest.fixture
def served_month(world):
    """March 2026 through the services: orders handled, one returned to another unit, one
    merged, one refused, one still open and late, one unsatisfied."""
    p = world.people
    handled(world, t(3, 2))
    handled(world, t(3, 3), rating="basic")
    handled(world, t(3, 4), rating="unsatisfied", solved=False)
    handled(world, t(3, 10), estate=world.estate_b, handler=p.company_y_manager)
    late = registered(world, t(3, 5))
    services.auto_dispatch(late, now=t(3, 5))
    services.act(actor=p.company_x_manager, order=late, action=Act.SIGN, now=t(3, 6))
    returned = registered(world, t(3, 9), category="fire.exit_blocked")
    services.auto_dispatch(returned, now=t(3, 9))
    services.act(actor=p.fire_handler, order=returned, action=Act.REQUEST_RETURN,
                 payload={"reason": "属物业管理范围", "legal_basis": "《物业管理条例》"},
                 now=t(3, 9, 11))  # fmt: skip
    company = services.UnitRef("company", company_id=world.company_x.pk)
    services.act(actor=p.district_admin, order=returned, action=Act.APPROVE_RETURN,
                 payload={"unit": company}, now=t(3, 10))  # fmt: skip
    master = registered(world, t(3, 11))
    duplicate = registered(world, t(3, 11, 12))
    services.act(actor=p.district_admin, order=duplicate, action=Act.MERGE,
                 payload={"master": master}, now=t(3, 11, 13))  # fmt: skip
    refused = registered(world, t(3, 12))
    services.act(actor=p.district_admin, order=refused, action=Act.REJECT,
                 payload={"reason": "不属于受理范围"}, now=t(3, 12, 11))  # fmt: skip
    return month_bounds(2026, 3)


def test_a_month_of_service_moves_summed_from_rollups(world, served_month):
    rollups.backfill(NOW)
    assert_same(2026, 3, NOW)
    assert_same(2026, 3, NOW, (world.street_a.code[:9],))
    figures = compute(
        WorkOrder.objects.all(), *served_month, group="company", now=NOW, regions=[""]
    )
    companies = {f.key: f for f in figures}
    x = companies[world.company_x.pk]
    # the returned order counts for the company that now leads it, with its request
    assert (x.dispatched, x.returns, x.closed, x.satisfied, x.basic, x.unsatisfied) == (
        5, 1, 3, 1, 1, 1
    )  # fmt: skip
    assert companies[world.company_y.pk].closed == 1


def test_a_change_sends_its_days_back_to_the_live_count(world, served_month):
    p = world.people
    rollups.backfill(NOW)
    closed = WorkOrder.objects.filter(state=State.CLOSED, closed_at__lt=t(3, 3)).get()
    closed_day = rollups.day_of(closed.closed_at)
    before = compute(WorkOrder.objects.all(), *served_month, now=NOW, regions=[""])
    # when a supervisor reopens an order closed in March
    later = NOW + timedelta(hours=1)
    services.act(actor=p.district_admin, order=closed, action=Act.REOPEN,
                 payload={"reason": "业主反映问题复发"}, now=later)  # fmt: skip
    # then its close day is stale and the month is counted live, with one order less closed
    assert MetricDay.objects.get(day=closed_day).stale
    assert_same(2026, 3, later, summed=False)
    after = compute(WorkOrder.objects.all(), *served_month, now=later, regions=[""])
    assert after[0].closed == before[0].closed - 1
    # until the sweep recomputes the day: summed again, the same figures
    result = sweep(later + timedelta(minutes=1))
    assert result.rollup_days >= 1
    assert_same(2026, 3, later + timedelta(minutes=1))
    again = compute(WorkOrder.objects.all(), *served_month, now=later + timedelta(minutes=1),
                    regions=[""])  # fmt: skip
    assert again == after


def test_a_new_lead_regroups_the_days_of_its_order(world, served_month):
    p = world.people
    waiting = registered(world, t(3, 20), category="fire.exit_blocked")
    services.auto_dispatch(waiting, now=t(3, 20))
    services.act(actor=p.fire_handler, order=waiting, action=Act.REQUEST_RETURN,
                 payload={"reason": "属物业管理范围", "legal_basis": "《物业管理条例》"},
                 now=t(3, 20, 11))  # fmt: skip
    rollups.backfill(NOW)
    assert_same(2026, 3, NOW)
    # an approved return gives the order to a company: its days are counted live
    company = services.UnitRef("company", company_id=world.company_y.pk)
    services.act(actor=p.district_admin, order=waiting, action=Act.APPROVE_RETURN,
                 payload={"unit": company}, now=t(3, 21))  # fmt: skip
    assert_same(2026, 3, NOW, summed=False)
    sweep(NOW + timedelta(minutes=1))
    assert_same(2026, 3, NOW + timedelta(minutes=1))
    start, end = served_month
    y = {f.key: f for f in compute(WorkOrder.objects.all(), start, end, group="company",
                                   now=NOW + timedelta(minutes=1), regions=[""])}  # fmt: skip
    assert y[world.company_y.pk].returns == 1


def test_a_running_clock_keeps_its_day_live_until_it_runs_out(world):
    # given an order dispatched late on the last evening of March: its sign and contact
    # clocks run into April 1st (working hours)
    order = registered(world, t(3, 31, 22))
    services.auto_dispatch(order, now=t(3, 31, 22))
    lead = order.assignments.get(role=Assignment.Role.LEAD)
    assert lead.contact_due > NOW
    rollups.backfill(NOW)
    # then March 31st is not settled and the month is counted live
    day = MetricDay.objects.get(day=rollups.day_of(t(3, 31)))
    assert day.settles_at == max(lead.sign_due, lead.contact_due)
    assert_same(2026, 3, NOW, summed=False)
    after = lead.contact_due + timedelta(minutes=1)
    assert_same(2026, 3, after, summed=False)  # the clock ran out: the count has moved
    # once the sweep has recomputed the day after the last clock ran out, it is summed
    sweep(after)
    assert MetricDay.objects.get(day=day.day).settles_at is None
    assert_same(2026, 3, after)
    (total,) = compute(WorkOrder.objects.all(), *month_bounds(2026, 3), now=after, regions=[""])
    assert (total.dispatched, total.sign_counted, total.contact_counted) == (1, 1, 1)


def test_without_a_backfill_the_sweep_covers_recent_days_only(world, served_month):
    # given no backfill: the sweep of April 20th computes the last forty days and the days
    # the services marked
    assert sweep(t(4, 20)).rollup_days > rollups.RECENT_DAYS
    assert not MetricDay.objects.filter(day=rollups.day_of(t(3, 1))).exists()
    # then March, whose first day and whose month a year before are not known to be empty,
    # is counted live
    assert_same(2026, 3, t(4, 20), summed=False)
    rollups.backfill(t(4, 20))
    assert_same(2026, 3, t(4, 20))
    assert sweep(t(4, 20, 11)).rollup_days == 0


def test_orders_written_in_bulk_make_their_days_stale(world):
    rollups.backfill(NOW)
    build_orders(30, seed=7, now=NOW, timeline=False)
    assert MetricDay.objects.filter(stale=True, day__lt=NOW.date()).exists()
    assert_same(2026, 2, NOW, summed=False)
    sweep(NOW)
    assert_same(2026, 2, NOW)
    # the demo orders carry their lead unit, their assignments the order's state
    for order in WorkOrder.objects.filter(dispatched_at__isnull=False):
        lead = order.assignments.get(role=Assignment.Role.LEAD, active=True)
        assert (order.lead_region_id, order.lead_department_id, order.lead_company_id) == (
            lead.region_id, lead.department_id, lead.company_id
        )  # fmt: skip
        assert set(order.assignments.values_list("order_state", flat=True)) == {order.state}


# -- any orders at all -------------------------------------------------------------------------

LATER = datetime(2026, 5, 1, 9, 0, tzinfo=TZ)
BASES = (t(3, 1, 0, year=2025), t(2, 27, 0), t(3, 1, 0))
MINUTES = st.one_of(
    st.integers(0, 45 * 1440),
    st.sampled_from([0, 1, 959, 960, 1439, 1440, 31 * 1440 - 1, 31 * 1440]),  # midnights
)
LATER_MINUTES = st.none() | st.integers(0, 5 * 1440)
UNITS = st.sampled_from(["x", "y", "fire", "street_a", "a1"])
PLAN = st.fixed_dictionaries(
    {
        "place": st.sampled_from(["a", "a2", "b", "b1"]),
        "kind": st.sampled_from(Kind.values),
        "state": st.sampled_from(State.values),
        "anonymous": st.booleans(),
        "base": st.integers(0, len(BASES) - 1),
        "created": MINUTES,
        "dispatch": LATER_MINUTES,
        "leads": st.lists(UNITS, max_size=2),
        "lead_active": st.booleans(),
        "co": st.lists(UNITS, max_size=2),
        "clocks": st.lists(LATER_MINUTES, min_size=6, max_size=6),
        "closed": LATER_MINUTES,
        "reworks": st.integers(0, 2),
        "visits": st.lists(
            st.tuples(
                LATER_MINUTES,
                st.none() | st.booleans(),
                st.sampled_from(["", *Visit.Satisfaction.values]),
            ),
            max_size=2,
        ),
        "returns": st.integers(0, 2),
    }
)


def _unit(world, key) -> dict:
    return {
        "x": {"unit_kind": "company", "company": world.company_x},
        "y": {"unit_kind": "company", "company": world.company_y},
        "fire": {"unit_kind": "dept:fire", "department": world.fire},
        "street_a": {"unit_kind": "street", "region": world.street_a},
        "a1": {"unit_kind": "community", "region": world.a1},
    }[key]


def build(world, plans) -> None:
    """Orders straight into the tables, in any combination the model allows."""
    category = Category.objects.get(code="service.cleaning")
    places = {"a": world.estate_a, "a2": world.estate_a2, "b": world.estate_b, "b1": None}
    for n, plan in enumerate(plans):
        estate = places[plan["place"]]
        created = BASES[plan["base"]] + timedelta(minutes=plan["created"])

        def after(minutes, since=created):
            return None if minutes is None else since + timedelta(minutes=minutes)

        dispatched = after(plan["dispatch"])
        order = WorkOrder.objects.create(
            number=f"H{n:05d}", channel=Channel.PHONE, kind=plan["kind"], category=category,
            estate=estate, region_code=estate.region_code if estate else world.b1.code,
            title="t", content="c", anonymous=plan["anonymous"], deadline_class="general",
            state=plan["state"], dispatched_at=dispatched, closed_at=after(plan["closed"]),
            reworks=plan["reworks"],
        )  # fmt: skip
        WorkOrder.objects.filter(pk=order.pk).update(created_at=created)
        start = dispatched or created
        sign_due, signed, contact_due, contacted, feedback_due, feedback = (
            after(m, start) for m in plan["clocks"]
        )
        units = [("lead", u) for u in plan["leads"]] + [("co", u) for u in plan["co"]]
        for i, (role, unit) in enumerate(units):
            active = role == "co" or (i == len(plan["leads"]) - 1 and plan["lead_active"])
            Assignment.objects.create(
                order=order, role=role, active=active, sign_due=sign_due, signed_at=signed,
                contact_due=contact_due, contacted_at=contacted, feedback_due=feedback_due,
                feedback_at=feedback, **_unit(world, unit),
            )  # fmt: skip
        for i, (answered, solved, satisfaction) in enumerate(plan["visits"]):
            Visit.objects.create(order=order, token=f"h{n}-{i}", solved=solved,
                                 satisfaction=satisfaction,
                                 answered_at=after(answered, start))  # fmt: skip
        for _ in range(plan["returns"]):
            Event.objects.create(order=order, as_role="handler", action="request_return",
                                 at=start)  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(PLAN, max_size=10))
def test_rollups_sum_to_the_live_figures_for_any_orders(world, plans):
    with transaction.atomic():
        build(world, plans)
        rollups.backfill(LATER)
        assert_same(2026, 3, LATER)
        assert_same(2026, 4, LATER)
        assert_same(2026, 3, LATER, (world.street_b.code[:9], world.a1.code))
        assert MetricDaily.objects.exists() == bool(plans)
        transaction.set_rollback(True)
