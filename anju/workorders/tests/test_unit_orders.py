"""A unit's orders and inbox: every order it holds as lead or co-unit, now or before a
return, and the open ones it is working on. They are read through the lead unit copied onto
the order and the order's state copied onto its assignments (by every move, and by the
migration for existing orders), by either of the two equivalent filters."""

import importlib
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from anju.workorders import access, services
from anju.workorders.access import order_policy
from anju.workorders.machine import Act, State
from anju.workorders.models import Assignment, Category, Channel, WorkOrder
from anju.workorders.views import my_unit_filter
from tests.helpers import table_rows

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def registered(world, code="fire.exit_blocked"):
    data = {
        "channel": Channel.PHONE,
        "category": Category.objects.get(code=code),
        "estate": world.estate_a,
        "title": "3栋消防通道被堵",
        "content": "电动车堆满消防通道。",
        "complainant_name": "李四",
        "complainant_phone": "13812345678",
    }
    return services.register(actor=world.people.street_a_officer, data=data, now=MON)


def copied(order) -> set[str]:
    """The order's state as its assignments hold it (one value when in step)."""
    order.refresh_from_db()
    states = set(order.assignments.values_list("order_state", flat=True))
    assert states <= {order.state}
    return states


def lead_of(order):
    order.refresh_from_db()
    return order.lead_region_id, order.lead_department_id, order.lead_company_id


@pytest.fixture(params=["few", "many"])
def others(request, monkeypatch):
    """Both forms of a unit's filter: its lead orders OR a few ids, or one semi-join on its
    assignments (when it holds more than FEW_OTHERS orders otherwise than as lead)."""
    if request.param == "many":
        monkeypatch.setattr(access, "FEW_OTHERS", 0)
    return request.param


def sees(user, order) -> bool:
    return order_policy.visible(user).filter(pk=order.pk).exists()


def in_inbox(user, order) -> bool:
    return WorkOrder.objects.filter(my_unit_filter(user), pk=order.pk).exists()


def test_lead_co_unit_and_past_lead(world, others):
    p = world.people
    order = registered(world)
    # given: dispatched to the fire brigade, with company X as a co-unit
    company_x = services.UnitRef("company", company_id=world.company_x.pk)
    services.dispatch(actor=p.district_admin, order=order, now=MON,
                      lead=services.UnitRef("dept:fire", department=world.fire),
                      co=[company_x])  # fmt: skip
    assert copied(order) == {State.DISPATCHED}
    assert lead_of(order) == (None, world.fire.pk, None)
    for user in (p.fire_handler, p.company_x_manager):
        assert sees(user, order)
        assert in_inbox(user, order)
    assert not sees(p.company_y_manager, order)
    assert not in_inbox(p.company_y_manager, order)
    # when the brigade's return to company Y is approved
    services.act(actor=p.fire_handler, order=order, action=Act.REQUEST_RETURN,
                 payload={"reason": "属物业管理范围", "legal_basis": "《物业管理条例》"},
                 now=MON)  # fmt: skip
    assert copied(order) == {State.RETURN_REQUESTED}
    company_y = services.UnitRef("company", company_id=world.company_y.pk)
    services.act(actor=p.district_admin, order=order, action=Act.APPROVE_RETURN,
                 payload={"unit": company_y}, now=MON)  # fmt: skip
    # then company Y holds it; the brigade still sees the order it led, no longer as work
    assert copied(order) == {State.DISPATCHED}
    assert lead_of(order) == (None, None, world.company_y.pk)
    assert sees(p.company_y_manager, order)
    assert in_inbox(p.company_y_manager, order)
    assert sees(p.fire_handler, order)
    assert not in_inbox(p.fire_handler, order)
    assert sees(p.company_x_manager, order)  # still a co-unit
    assert in_inbox(p.company_x_manager, order)
    # and once closed it leaves every inbox, not the lists
    for action, payload in (
        (Act.SIGN, {}),
        (Act.CONTACT, {}),
        (Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清理"}),
    ):
        services.act(actor=p.company_y_manager, order=order, action=action, payload=payload,
                     now=MON)  # fmt: skip
    services.act(actor=p.district_admin, order=order, action=Act.APPROVE_FEEDBACK, now=MON)
    services.act(actor=p.district_admin, order=order, action=Act.CLOSE,
                 payload={"rating": "satisfied"}, now=MON)  # fmt: skip
    assert copied(order) == {State.CLOSED}
    for user in (p.fire_handler, p.company_x_manager, p.company_y_manager):
        assert sees(user, order)
        assert not in_inbox(user, order)


def test_a_street_inbox_holds_the_orders_it_leads(world, login, others):
    p = world.people
    order = registered(world, code="service.cleaning")
    street = services.UnitRef("street", region=world.street_a)
    services.dispatch(actor=p.district_admin, order=order, lead=street, now=MON)
    assert lead_of(order) == (world.street_a.pk, None, None)
    assert in_inbox(p.street_a_officer, order)
    assert not in_inbox(p.street_b_officer, order)
    client = login(p.street_a_officer)
    rows = table_rows(client.get(reverse("workorders:list"), {"unit": "1"}))
    assert any(order.number in " ".join(row) for row in rows)
    services.act(actor=p.district_admin, order=order, action=Act.WITHDRAW,
                 payload={"reason": "业主撤回"}, now=MON)  # fmt: skip
    assert copied(order) == {State.WITHDRAWN}
    assert not in_inbox(p.street_a_officer, order)


def test_both_filters_find_the_same_orders(world, monkeypatch):
    # given orders led by the fire brigade, co-handled by it, returned by it, closed
    p = world.people
    fire = services.UnitRef("dept:fire", department=world.fire)
    company_x = services.UnitRef("company", company_id=world.company_x.pk)
    for n in range(6):
        order = registered(world)
        lead, co = (fire, [company_x]) if n % 2 else (company_x, [fire])
        services.dispatch(actor=p.district_admin, order=order, lead=lead, co=co,
                          now=MON + timedelta(hours=n))  # fmt: skip
        if n == 3:
            reason = {"reason": "属物业管理范围", "legal_basis": "依据"}
            services.act(actor=p.fire_handler, order=order, action=Act.REQUEST_RETURN,
                         payload=reason, now=MON)  # fmt: skip
            services.act(actor=p.district_admin, order=order, action=Act.APPROVE_RETURN,
                         payload={"unit": company_x}, now=MON)  # fmt: skip
        if n == 4:
            services.act(actor=p.district_admin, order=order, action=Act.WITHDRAW,
                         payload={"reason": "撤回"}, now=MON)  # fmt: skip

    def found(user):
        visible = order_policy.visible(user)
        return (
            set(visible.values_list("pk", flat=True)),
            set(visible.filter(my_unit_filter(user)).values_list("pk", flat=True)),
        )

    users = (p.fire_handler, p.company_x_manager, p.company_y_manager)
    few = {user.pk: found(user) for user in users}
    monkeypatch.setattr(access, "FEW_OTHERS", 0)
    assert {user.pk: found(user) for user in users} == few
    assert len(few[p.fire_handler.pk][0]) == 6
    assert len(few[p.fire_handler.pk][1]) == 4  # not the returned one, not the withdrawn one
    assert few[p.company_y_manager.pk] == (set(), set())


def test_the_migration_fills_the_columns_for_existing_orders(world):
    # given orders and assignments written before the columns existed
    p = world.people
    dispatched = registered(world)
    services.auto_dispatch(dispatched, now=MON)
    closed = registered(world)
    services.dispatch(actor=p.district_admin, order=closed, now=MON,
                      lead=services.UnitRef("dept:fire", department=world.fire))  # fmt: skip
    WorkOrder.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    waiting = registered(world)
    Assignment.objects.update(order_state="")
    WorkOrder.objects.update(lead_region=None, lead_department=None, lead_company=None)
    # when the migration runs
    migration = importlib.import_module("anju.workorders.migrations.0011_unit_orders")
    # (the fill needs of the schema editor only its connection and execute())
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)
    # then every order holds its active lead's unit, every assignment its order's state
    assert copied(dispatched) == {State.DISPATCHED}
    assert copied(closed) == {State.CLOSED}
    assert lead_of(dispatched) == lead_of(closed) == (None, world.fire.pk, None)
    assert lead_of(waiting) == (None, None, None)
    assert not in_inbox(p.fire_handler, closed)
