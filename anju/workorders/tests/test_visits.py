"""Return visits: the personal link, the visitor's calls, unsatisfied answers and reworks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.workorders import services
from anju.workorders.machine import Act, IllegalTransition, State
from anju.workorders.models import Category, Channel, DomainEvent, Visit

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def awaiting_visit(world, **extra):
    p = world.people
    data = {
        "channel": Channel.PHONE,
        "category": Category.objects.get(code="service.cleaning"),
        "estate": world.estate_a,
        "title": "楼道卫生差",
        "content": "垃圾三天未清运",
        "complainant_name": "王五",
        "complainant_phone": "13900000001",
    } | extra
    order = services.register(actor=p.street_a_officer, data=data, now=MON)
    services.auto_dispatch(order, now=MON)
    for action, payload in (
        (Act.SIGN, {}),
        (Act.CONTACT, {}),
        (Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
    ):
        services.act(actor=p.company_x_manager, order=order, action=action, payload=payload,
                     now=MON)  # fmt: skip
    order = services.act(actor=p.district_admin, order=order, action=Act.APPROVE_FEEDBACK, now=MON)
    assert order.state == State.PENDING_VISIT
    return order


def test_a_satisfied_answer_through_the_link_closes_the_order(world):
    order = awaiting_visit(world)
    visit = order.visits.get()
    assert len(visit.token) >= 40
    order = services.answer_visit(token=visit.token, solved=True, satisfaction="satisfied")
    assert order.state == State.CLOSED
    visit.refresh_from_db()
    assert (visit.solved, visit.satisfaction, visit.method) == (True, "satisfied", "link")
    assert visit.answered_at is not None
    assert order.events.last().as_role == "system"
    assert DomainEvent.objects.filter(order=order, type="order.closed").exists()
    with pytest.raises(ValidationError):  # a link answers once
        services.answer_visit(token=visit.token, solved=True, satisfaction="satisfied")
    with pytest.raises(Visit.DoesNotExist):
        services.answer_visit(token="nope", solved=True, satisfaction="satisfied")


def test_an_unsatisfied_answer_waits_for_the_supervisor(world):
    order = awaiting_visit(world)
    token = order.visits.get().token
    order = services.answer_visit(token=token, solved=False, satisfaction="unsatisfied")
    assert order.state == State.PENDING_VISIT
    order = services.act(actor=world.people.district_admin, order=order, action=Act.REWORK,
                         payload={"reason": "诉求人反映仍未清运"}, now=MON)  # fmt: skip
    assert order.state == State.IN_PROGRESS
    assert order.reworks == 1


def test_the_visitor_calls_three_times_then_closes_as_unreachable(world):
    order = awaiting_visit(world)
    admin = world.people.district_admin
    for _ in range(2):
        order = services.record_call(actor=admin, order=order, reached=False, now=MON)
        assert order.state == State.PENDING_VISIT
    order = services.record_call(actor=admin, order=order, reached=False, now=MON)
    assert order.state == State.CLOSED
    visit = order.visits.get()
    assert (visit.exempt, visit.attempts, visit.visitor) == ("unreachable", 3, admin)


def test_a_reached_call_with_a_rating_closes(world):
    order = awaiting_visit(world)
    order = services.record_call(actor=world.people.district_admin, order=order, reached=True,
                                 solved=True, satisfaction="basic", now=MON)  # fmt: skip
    assert order.state == State.CLOSED
    assert order.visits.get().satisfaction == "basic"


def test_only_visitors_call_and_only_pending_orders(world):
    order = awaiting_visit(world)
    with pytest.raises(PermissionDenied):
        services.record_call(actor=world.people.company_x_manager, order=order, reached=False)
    services.answer_visit(token=order.visits.get().token, solved=True, satisfaction="satisfied")
    order.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.record_call(actor=world.people.district_admin, order=order, reached=False)


def test_anonymous_orders_are_visit_exempt(world):
    order = awaiting_visit(world, anonymous=True)
    assert order.visits.get().exempt == "anonymous"
    order = services.act(actor=world.people.district_admin, order=order, action=Act.CLOSE,
                         payload={"exempt": "anonymous"}, now=MON)  # fmt: skip
    assert order.state == State.CLOSED
