"""The dispute track: street meeting → district meeting → mediation → court, with records."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.workorders import disputes, services
from anju.workorders.machine import Act, State
from anju.workorders.models import Category, Channel

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def in_progress(world):
    p = world.people
    order = services.register(
        actor=p.street_a_officer,
        data={
            "channel": Channel.ONSITE,
            "category": Category.objects.get(code="service.cleaning"),
            "estate": world.estate_a,
            "title": "物业费争议",
            "content": "业主与物业就收费标准发生争议",
            "complainant_name": "赵六",
        },
        now=MON,
    )
    services.auto_dispatch(order, now=MON)
    services.act(actor=p.company_x_manager, order=order, action=Act.SIGN, now=MON)
    return services.act(actor=p.company_x_manager, order=order, action=Act.CONTACT, now=MON)


def test_up_the_ladder_to_court(world):
    admin = world.people.district_admin
    order = in_progress(world)
    step = disputes.escalate(actor=admin, order=order, reason="双方分歧大", now=MON)
    assert step.level == 1
    assert step.due == datetime(2026, 3, 16, 17, 30, tzinfo=TZ)  # 10 working days
    order.refresh_from_db()
    assert order.state == State.ESCALATED
    with pytest.raises(ValidationError):  # a failure needs the reason to go on
        disputes.record(actor=admin, order=order, outcome="failed", met_at=MON)
    order = disputes.record(actor=admin, order=order, outcome="failed", met_at=MON,
                            participants="街道、社区、物业、业委会", minutes="未达成一致",
                            next_reason="提交区级联席会议", now=MON)  # fmt: skip
    assert order.dispute_level == 2
    order = disputes.record(actor=admin, order=order, outcome="failed", met_at=MON,
                            next_reason="申请三调联动", now=MON)  # fmt: skip
    with pytest.raises(ValidationError):  # mediation must say which kind
        disputes.record(actor=admin, order=order, outcome="failed", met_at=MON, next_reason="x")
    order = disputes.record(actor=admin, order=order, outcome="failed", met_at=MON,
                            mediation="people", next_reason="诉讼", now=MON)  # fmt: skip
    assert order.state == State.REFERRED
    levels = list(order.dispute_steps.values_list("level", "outcome"))
    assert levels == [(1, "failed"), (2, "failed"), (3, "failed"), (4, "")]
    assert order.pauses.get().ended_at == MON  # the handling clock stopped throughout


def test_an_agreement_settles_and_is_followed_up(world):
    admin = world.people.district_admin
    order = in_progress(world)
    disputes.escalate(actor=admin, order=order, reason="收费争议", now=MON)
    order.refresh_from_db()
    order = disputes.record(actor=admin, order=order, outcome="agreed", met_at=MON,
                            agreement="物业退还多收费用 300 元", now=MON)  # fmt: skip
    assert order.state == State.FEEDBACK_SUBMITTED
    step = order.dispute_steps.get()
    assert step.performance == "pending"
    disputes.record_performance(actor=admin, step=step, performance="performed")
    with pytest.raises(PermissionDenied):
        disputes.record_performance(actor=world.people.neighbour_admin, step=step,
                                    performance="breached")  # fmt: skip


def test_a_street_meeting_hears_its_escalated_orders(world):
    officer = world.people.street_a_officer
    order = in_progress(world)
    disputes.escalate(actor=world.people.district_admin, order=order, reason="争议", now=MON)
    order.refresh_from_db()
    meeting = disputes.schedule_meeting(
        actor=officer, region=world.street_a, scheduled_at=MON, orders=[order], place="会议室"
    )
    assert list(meeting.agenda.all()) == [order]
    assert order.dispute_steps.get().meeting == meeting
    with pytest.raises(PermissionDenied):
        disputes.schedule_meeting(actor=world.people.street_b_officer, region=world.street_a,
                                  scheduled_at=MON, orders=[order])  # fmt: skip
    other = in_progress(world)  # not escalated
    with pytest.raises(ValidationError):
        disputes.schedule_meeting(actor=officer, region=world.street_a, scheduled_at=MON,
                                  orders=[other])  # fmt: skip
