"""Extensions (延期): once, before the deadline, moved only when a supervisor approves."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.workorders import services
from anju.workorders.machine import Act, IllegalTransition
from anju.workorders.models import Category, Channel

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def signed(world):
    order = services.register(
        actor=world.people.street_a_officer,
        data={
            "channel": Channel.PHONE,
            "category": Category.objects.get(code="service.cleaning"),
            "estate": world.estate_a,
            "title": "t",
            "content": "c",
            "anonymous": True,
        },
        now=MON,
    )
    services.auto_dispatch(order, now=MON)
    return services.act(actor=world.people.company_x_manager, order=order, action=Act.SIGN,
                        now=MON)  # fmt: skip


def test_approved_extension_moves_the_deadline_by_working_days(world):
    order = signed(world)
    assert order.feedback_due == datetime(2026, 3, 9, 10, 0, tzinfo=TZ)
    ext = services.request_extension(actor=world.people.company_x_manager, order=order, days=3,
                                     reason="需采购配件", now=MON)  # fmt: skip
    order.refresh_from_db()
    assert order.feedback_due == datetime(2026, 3, 9, 10, 0, tzinfo=TZ)  # not before approval
    with pytest.raises(PermissionDenied):  # the unit cannot approve its own request
        services.decide_extension(actor=world.people.company_x_manager, extension=ext, approve=True)
    services.decide_extension(actor=world.people.district_admin, extension=ext, approve=True,
                              now=MON)  # fmt: skip
    order.refresh_from_db()
    assert order.feedback_due == datetime(2026, 3, 12, 10, 0, tzinfo=TZ)  # Tue, Wed, Thu
    assert order.assignments.get(role="lead").feedback_due == order.feedback_due
    with pytest.raises(IllegalTransition):
        services.decide_extension(actor=world.people.district_admin, extension=ext, approve=False)


def test_once_only_before_the_deadline_with_a_reason(world):
    order = signed(world)
    manager = world.people.company_x_manager
    with pytest.raises(ValidationError):
        services.request_extension(actor=manager, order=order, days=3, reason=" ", now=MON)
    with pytest.raises(ValidationError):
        services.request_extension(actor=manager, order=order, days=30, reason="x", now=MON)
    late = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    with pytest.raises(IllegalTransition):
        services.request_extension(actor=manager, order=order, days=3, reason="x", now=late)
    ext = services.request_extension(actor=manager, order=order, days=2, reason="x", now=MON)
    with pytest.raises(IllegalTransition):
        services.request_extension(actor=manager, order=order, days=2, reason="y", now=MON)
    services.decide_extension(actor=world.people.district_admin, extension=ext, approve=False,
                              now=MON)  # fmt: skip
    order.refresh_from_db()
    assert order.feedback_due == datetime(2026, 3, 9, 10, 0, tzinfo=TZ)
    with pytest.raises(PermissionDenied):
        services.request_extension(actor=world.people.fire_handler, order=order, days=1,
                                   reason="x", now=MON)  # fmt: skip
