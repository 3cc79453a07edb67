"""Extensions (延期) and the dispute track (纠纷调处) on the order page.

Assertions rest on the database and data-testid attributes, not on the wording of our own
strings, which the translators may change.
"""

import pytest
from django.contrib.messages import constants
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from anju.core.models import AuditEvent
from anju.workorders import disputes, services
from anju.workorders.machine import Act, State
from anju.workorders.models import Category, Channel, DisputeStep, Extension, WorkOrder


def signed(world) -> WorkOrder:
    """A cleaning complaint of estate A: company X leads it and has signed it."""
    order = services.register(
        actor=world.people.street_a_officer,
        data={
            "channel": Channel.PHONE,
            "category": Category.objects.get(code="service.cleaning"),
            "estate": world.estate_a,
            "title": "楼道垃圾未清运",
            "content": "三天没人清运。",
            "complainant_name": "赵六",
        },
    )
    services.auto_dispatch(order)
    return services.act(actor=world.people.company_x_manager, order=order, action=Act.SIGN)


def in_progress(world) -> WorkOrder:
    order = signed(world)
    return services.act(actor=world.people.company_x_manager, order=order, action=Act.CONTACT)


def escalated(world) -> WorkOrder:
    order = in_progress(world)
    disputes.escalate(actor=world.people.district_admin, order=order, reason="双方分歧大")
    order.refresh_from_db()
    return order


def errors(response) -> list[str]:
    return [m.message for m in response.context["messages"] if m.level == constants.ERROR]


def shown(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def post(client, user, name, pk, data):
    client.force_login(user)
    return client.post(reverse(name, args=[pk]), data, follow=True)


# -- extensions ---------------------------------------------------------------------------------


def test_lead_unit_sees_the_request_form_and_others_do_not(world, client):
    order = signed(world)
    client.force_login(world.people.company_x_manager)
    page = client.get(reverse("workorders:detail", args=[order.pk]))
    assert b'data-testid="extension-request"' in page.content

    client.force_login(world.people.district_admin)
    page = client.get(reverse("workorders:detail", args=[order.pk]))
    assert b'data-testid="extension-request"' not in page.content


def test_request_then_approve_moves_the_deadline_shown(world, client):
    order = signed(world)
    old_due = order.feedback_due

    page = post(
        client,
        world.people.company_x_manager,
        "workorders:extension_request",
        order.pk,
        {"days": "3", "reason": "需采购配件"},
    )

    assert page.status_code == 200
    extension = Extension.objects.get(order=order)
    assert (extension.days, extension.reason, extension.approved) == (3, "需采购配件", None)
    assert b'data-testid="extension-pending"' in page.content
    assert b'data-testid="extension-request"' not in page.content  # once only
    assert b'data-testid="extension-decide"' not in page.content  # the unit cannot decide

    client.force_login(world.people.district_admin)
    page = client.get(reverse("workorders:detail", args=[order.pk]))
    assert b'data-testid="extension-decide"' in page.content
    page = post(
        client,
        world.people.district_admin,
        "workorders:extension_decide",
        extension.pk,
        {"approve": "1"},
    )

    order.refresh_from_db()
    assert order.feedback_due > old_due
    text = page.content.decode()
    assert f'data-testid="feedback-due">{shown(order.feedback_due)}<' in text
    assert f'data-testid="extension-new-due">{shown(order.feedback_due)}<' in text
    assert shown(old_due) in text  # old → new in the history
    assert 'data-testid="extension-approved"' in text
    assert AuditEvent.objects.filter(action="workorders.decide_extension").exists()


def test_refuse_keeps_the_deadline_and_a_second_request_is_refused(world, client):
    order = signed(world)
    old_due = order.feedback_due
    manager = world.people.company_x_manager
    post(client, manager, "workorders:extension_request", order.pk, {"days": "2", "reason": "x"})
    extension = Extension.objects.get(order=order)

    page = post(
        client,
        world.people.district_admin,
        "workorders:extension_decide",
        extension.pk,
        {"approve": "0"},
    )

    order.refresh_from_db()
    assert order.feedback_due == old_due
    assert b'data-testid="extension-refused"' in page.content

    page = post(
        client, manager, "workorders:extension_request", order.pk, {"days": "1", "reason": "再延"}
    )

    assert len(errors(page)) == 1
    assert Extension.objects.filter(order=order).count() == 1
    # A decided extension cannot be decided again.
    page = post(
        client,
        world.people.district_admin,
        "workorders:extension_decide",
        extension.pk,
        {"approve": "1"},
    )
    assert len(errors(page)) == 1
    order.refresh_from_db()
    assert order.feedback_due == old_due


@pytest.mark.parametrize(
    "data", [{"days": "3", "reason": "  "}, {"days": "30", "reason": "x"}, {"reason": "x"}]
)
def test_bad_extension_input_shows_errors_and_writes_nothing(world, client, data):
    order = signed(world)
    events = AuditEvent.objects.count()

    page = post(
        client, world.people.company_x_manager, "workorders:extension_request", order.pk, data
    )

    assert errors(page)
    assert not Extension.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["company_y_manager", "neighbour_admin"])
def test_extension_of_an_order_out_of_scope_is_404(world, client, persona):
    order = signed(world)
    user = getattr(world.people, persona)
    client.force_login(user)
    response = client.post(
        reverse("workorders:extension_request", args=[order.pk]), {"days": "1", "reason": "x"}
    )
    assert response.status_code == 404
    extension = services.request_extension(
        actor=world.people.company_x_manager, order=order, days=1, reason="x"
    )
    response = client.post(
        reverse("workorders:extension_decide", args=[extension.pk]), {"approve": "1"}
    )
    assert response.status_code == 404
    extension.refresh_from_db()
    assert extension.decided_at is None


def test_roles_without_the_right_are_refused(world, client):
    order = signed(world)
    # The street sees the order but does not lead it.
    client.force_login(world.people.street_a_officer)
    response = client.post(
        reverse("workorders:extension_request", args=[order.pk]), {"days": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert not Extension.objects.exists()
    extension = services.request_extension(
        actor=world.people.company_x_manager, order=order, days=1, reason="x"
    )
    # The unit cannot approve its own request.
    client.force_login(world.people.company_x_manager)
    response = client.post(
        reverse("workorders:extension_decide", args=[extension.pk]), {"approve": "1"}
    )
    assert response.status_code == 403
    extension.refresh_from_db()
    assert extension.decided_at is None


# -- disputes -----------------------------------------------------------------------------------


def test_escalate_from_the_page_opens_level_one(world, client):
    order = in_progress(world)

    client.force_login(world.people.district_admin)
    page = client.post(
        reverse("workorders:act", args=[order.pk, Act.ESCALATE]),
        {"reason": "收费争议"},
        follow=True,
    )

    order.refresh_from_db()
    assert order.state == State.ESCALATED
    step = order.dispute_steps.get()
    assert (step.level, step.outcome, step.next_reason) == (1, "", "收费争议")
    assert b'data-testid="dispute-step"' in page.content
    assert b'data-testid="dispute-record"' in page.content
    # The generic dispute moves are not offered: the dispute card records them.
    for action in (Act.SETTLE, Act.ESCALATE_FURTHER, Act.REFER):
        assert f'data-testid="action-{action}"'.encode() not in page.content


@pytest.mark.parametrize("action", [Act.SETTLE, Act.ESCALATE_FURTHER, Act.REFER])
def test_generic_dispute_moves_are_closed(world, client, action):
    order = escalated(world)
    client.force_login(world.people.district_admin)
    response = client.post(
        reverse("workorders:act", args=[order.pk, action]), {"outcome": "x", "reason": "x"}
    )
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == State.ESCALATED


def test_failed_goes_up_a_level_and_agreed_settles(world, client):
    order = escalated(world)
    officer = world.people.street_a_officer  # a mediator of the street

    page = post(
        client,
        officer,
        "workorders:dispute_record",
        order.pk,
        {
            "outcome": "failed",
            "met_at": "2026-03-02T10:00",
            "participants": "街道、社区、物业",
            "minutes": "未达成一致",
            "next_reason": "提交区级联席会议",
        },
    )

    assert not errors(page)
    order.refresh_from_db()
    assert order.state == State.ESCALATED
    assert list(order.dispute_steps.values_list("level", "outcome")) == [(1, "failed"), (2, "")]
    assert "街道、社区、物业" in page.content.decode()

    page = post(
        client,
        officer,
        "workorders:dispute_record",
        order.pk,
        {
            "outcome": "agreed",
            "met_at": "2026-03-09T15:30",
            "agreement": "物业退还多收费用 300 元",
            "judicial_confirmation": "on",
        },
    )

    order.refresh_from_db()
    assert order.state == State.FEEDBACK_SUBMITTED
    step = order.dispute_steps.get(level=2)
    assert (step.outcome, step.performance, step.judicial_confirmation) == (
        "agreed",
        "pending",
        True,
    )
    text = page.content.decode()
    assert 'data-testid="dispute-agreement">物业退还多收费用 300 元<' in text
    assert 'data-testid="dispute-record"' not in text
    assert 'data-testid="dispute-performance-form"' in text

    page = post(
        client, officer, "workorders:dispute_performance", step.pk, {"performance": "performed"}
    )

    step.refresh_from_db()
    assert step.performance == "performed"
    assert b'data-testid="dispute-performance-performed"' in page.content
    assert b'data-testid="dispute-performance-form"' not in page.content
    assert AuditEvent.objects.filter(action="disputes.performance", actor=officer).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "agreed", "met_at": "2026-03-02T10:00", "agreement": " "},
        {"outcome": "failed", "met_at": "2026-03-02T10:00"},
        {"outcome": "", "met_at": "2026-03-02T10:00"},
        {"outcome": "failed", "met_at": "", "next_reason": "x"},
    ],
)
def test_bad_dispute_input_shows_errors_and_writes_nothing(world, client, data):
    order = escalated(world)
    before = list(DisputeStep.objects.values())
    events = AuditEvent.objects.count()

    page = post(client, world.people.district_admin, "workorders:dispute_record", order.pk, data)

    assert errors(page)
    order.refresh_from_db()
    assert order.state == State.ESCALATED
    assert list(DisputeStep.objects.values()) == before
    assert AuditEvent.objects.count() == events


def test_mediation_level_needs_its_kind(world, client):
    order = escalated(world)
    admin = world.people.district_admin
    for reason in ("区级", "三调联动"):
        post(
            client,
            admin,
            "workorders:dispute_record",
            order.pk,
            {"outcome": "failed", "met_at": "2026-03-02T10:00", "next_reason": reason},
        )
    assert order.dispute_steps.filter(outcome="").get().level == 3

    page = post(
        client,
        admin,
        "workorders:dispute_record",
        order.pk,
        {"outcome": "failed", "met_at": "2026-03-02T10:00", "next_reason": "诉讼"},
    )

    assert errors(page)
    assert order.dispute_steps.filter(outcome="").get().level == 3


def test_who_may_record_a_dispute(world, client):
    order = escalated(world)
    data = {"outcome": "failed", "met_at": "2026-03-02T10:00", "next_reason": "x"}
    # Company X leads the order but mediates nothing.
    client.force_login(world.people.company_x_manager)
    page = client.get(reverse("workorders:detail", args=[order.pk]))
    assert b'data-testid="disputes"' in page.content  # it sees the track
    assert b'data-testid="dispute-record"' not in page.content
    response = client.post(reverse("workorders:dispute_record", args=[order.pk]), data)
    assert response.status_code == 403
    client.force_login(world.people.neighbour_admin)
    response = client.post(reverse("workorders:dispute_record", args=[order.pk]), data)
    assert response.status_code == 404
    assert list(order.dispute_steps.values_list("level", "outcome")) == [(1, "")]


def test_performance_out_of_scope_or_without_the_right(world, client):
    order = escalated(world)
    disputes.record(
        actor=world.people.district_admin,
        order=order,
        outcome="agreed",
        met_at=timezone.now(),
        agreement="退费",
    )
    step = order.dispute_steps.get()
    url = reverse("workorders:dispute_performance", args=[step.pk])
    client.force_login(world.people.neighbour_admin)
    assert client.post(url, {"performance": "breached"}).status_code == 404
    client.force_login(world.people.company_x_manager)
    assert client.post(url, {"performance": "breached"}).status_code == 403
    step.refresh_from_db()
    assert step.performance == "pending"
