"""The sweep: warnings, overdue flags, 催办 and 通报, each once, even with two sweeps at once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from anju.workorders import services
from anju.workorders.machine import Act
from anju.workorders.models import Category, Channel, DomainEvent, Notice, ResponsibilityRule
from anju.workorders.sweep import sweep

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def at(d, h=10, m=0):
    return datetime(2026, 3, d, h, m, tzinfo=TZ)


def dispatched(world, **extra):
    data = {
        "channel": Channel.PHONE,
        "category": extra.pop("category", None)
        or Category.objects.get(code="service.cleaning"),  # general: 7 days
        "estate": world.estate_a,
        "title": "楼道卫生差",
        "content": "垃圾三天未清运",
        "anonymous": True,
    }
    order = services.register(actor=world.people.street_a_officer, data=data | extra, now=MON)
    assert services.auto_dispatch(order, now=MON)
    order.refresh_from_db()
    return order


def kinds(order):
    """The notices of the order's lead unit (co-units get their own)."""
    notices = Notice.objects.filter(order=order, assignment__role="lead")
    return sorted(notices.values_list("kind", flat=True))


def test_warning_overdue_urge_and_report_each_once(world):
    order = dispatched(world)
    lead = order.assignments.get(role="lead")
    units = order.assignments.count()  # the lead and its co-units, each with its own clock
    assert lead.feedback_due == at(9)
    # 80 % of seven days (5 d 14 h 24 min) after Monday 10:00 is Sunday 8th, 00:24.
    assert lead.warn_at == datetime(2026, 3, 8, 0, 24, tzinfo=TZ)
    assert sweep(at(7, 23)).as_dict()["warned"] == 0
    assert sweep(at(8)).warned == units
    assert sweep(at(8, 12)).warned == 0
    assert kinds(order) == ["warning"]
    result = sweep(at(9, 11))
    assert (result.overdue, result.urged) == (units, units)
    assert kinds(order) == ["overdue", "urge", "warning"]
    lead.refresh_from_db()
    assert lead.report_at == datetime(2026, 3, 16, 17, 30, tzinfo=TZ)  # 5 working days
    assert sweep(at(16, 12)).reported == 0
    assert sweep(at(16, 18)).reported == units
    # (the days whose metric rollups it computed are tested in test_rollups)
    assert sweep(at(20)).as_dict() | {"seconds": 0, "rollup_days": 0} == {
        "warned": 0, "overdue": 0, "urged": 0, "reported": 0, "rollup_days": 0, "seconds": 0
    }  # fmt: skip
    assert kinds(order) == ["overdue", "report", "urge", "warning"]
    types = sorted(DomainEvent.objects.filter(order=order).values_list("type", flat=True))
    assert types == ["order.overdue"] * units + ["order.reported"] * units


def test_feedback_or_suspension_stops_the_clock(world):
    p = world.people
    answered = dispatched(world)
    for action, payload in (
        (Act.SIGN, {}),
        (Act.CONTACT, {}),
        (Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
    ):
        services.act(actor=p.company_x_manager, order=answered, action=action, payload=payload,
                     now=MON)  # fmt: skip
    suspended = dispatched(world)
    services.act(actor=p.company_x_manager, order=suspended, action=Act.SIGN, now=MON)
    services.act(actor=p.company_x_manager, order=suspended, action=Act.CONTACT, now=MON)
    services.act(actor=p.district_admin, order=suspended, action=Act.SUSPEND,
                 payload={"reason": "诉讼中"}, now=MON)  # fmt: skip
    result = sweep(at(31))
    assert (result.warned, result.overdue, result.reported) == (0, 0, 0)
    assert not Notice.objects.exists()


def test_a_rework_gets_a_new_deadline_and_fresh_warnings(world):
    p = world.people
    order = dispatched(world)
    sweep(at(10))
    assert kinds(order) == ["overdue", "urge", "warning"]
    for action, payload in (
        (Act.SIGN, {}),
        (Act.CONTACT, {}),
        (Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
    ):
        services.act(actor=p.company_x_manager, order=order, action=action, payload=payload,
                     now=at(10))  # fmt: skip
    services.act(actor=p.district_admin, order=order, action=Act.APPROVE_FEEDBACK, now=at(10))
    order = services.act(actor=p.district_admin, order=order, action=Act.REWORK,
                         payload={"reason": "复查仍未清运"}, now=at(10))  # fmt: skip
    assert order.feedback_due == datetime(2026, 3, 13, 17, 30, tzinfo=TZ)  # 3 working days
    assert sweep(at(13, 18)).overdue == 1  # only the lead was reworked
    # The notice of each kind exists once per assignment: the rework re-arms the flags,
    # the unique notice keeps the first; the typed events record both deadlines.
    overdue = DomainEvent.objects.filter(order=order, type="order.overdue")
    assert overdue.count() == order.assignments.count() + 1  # every unit once, the lead twice


def test_the_command_runs_once(world, capsys):
    dispatched(world)
    call_command("orders_sweep")
    assert '"warned"' in capsys.readouterr().out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_issue_each_notice_once(world):
    # Own category and rule: a transactional test may follow one that emptied the seed rows.
    category = Category.objects.create(code="t-sweep", name="保洁")
    ResponsibilityRule.objects.create(category=category, lead="company", basis="物业负责")
    orders = [dispatched(world, category=category) for _ in range(30)]
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            sweep(at(9, 11))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assignments = sum(order.assignments.count() for order in orders)
    for order in orders:
        assert kinds(order) == ["overdue", "urge", "warning"]
    assert Notice.objects.filter(kind="overdue").count() == assignments
    assert DomainEvent.objects.filter(type="order.overdue").count() == assignments
