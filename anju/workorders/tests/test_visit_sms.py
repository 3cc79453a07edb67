"""The return-visit link by text message: sent on commit when the visit opens, recorded on
the visit (time, masked phone, status), shown to the visitor, resent on request."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from anju.accounts.models import ApiToken
from anju.core.models import AuditEvent
from anju.core.sms import LogBackend
from anju.workorders import services, visit_sms
from anju.workorders.machine import Act, IllegalTransition, State
from anju.workorders.models import Category, Channel, VisitMessage
from anju.workorders.tests.test_visits import MON

PHONE = "13900000001"


class RefusingBackend:
    def send(self, phone: str, text: str) -> bool:
        return False


class BrokenBackend:
    def send(self, phone: str, text: str) -> bool:
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def outbox():
    LogBackend.outbox.clear()
    yield LogBackend.outbox
    LogBackend.outbox.clear()


def to_visit(world, capture, approve=True, **extra):
    """An order taken through feedback; the approval (and its commit) opens the visit."""
    p = world.people
    data = {
        "channel": Channel.PHONE,
        "category": Category.objects.get(code="service.cleaning"),
        "estate": world.estate_a,
        "title": "楼道卫生差",
        "content": "垃圾三天未清运",
        "complainant_name": "王五",
        "complainant_phone": PHONE,
    } | extra
    order = services.register(actor=p.street_a_officer, data=data, now=MON)
    services.auto_dispatch(order, now=MON)
    feedback = {"result": "solved", "reply": "已清运"}
    for action, payload in ((Act.SIGN, {}), (Act.CONTACT, {}), (Act.SUBMIT_FEEDBACK, feedback)):
        services.act(actor=p.company_x_manager, order=order, action=action, payload=payload,
                     now=MON)  # fmt: skip
    if not approve:
        return order
    with capture(execute=True):
        order = services.act(actor=p.district_admin, order=order, action=Act.APPROVE_FEEDBACK)
    assert order.state == State.PENDING_VISIT
    return order


def test_the_link_is_texted_when_the_visit_opens(world, outbox, django_capture_on_commit_callbacks):
    order = to_visit(world, django_capture_on_commit_callbacks)
    visit = order.visits.get()

    assert len(outbox) == 1
    phone, text = outbox[0]
    assert phone == PHONE
    assert visit_sms.link_url(visit) in text
    assert order.number in text
    assert "王五" not in text
    message = visit.messages.get()
    assert (message.status, message.phone_masked, message.sent_by) == ("sent", "139****0001", None)
    assert order.events.filter(action="visit_sms").exists()
    assert AuditEvent.objects.filter(action="workorders.visit_sms").count() == 1


def test_a_rolled_back_approval_sends_nothing(world, outbox, django_capture_on_commit_callbacks):
    order = to_visit(world, django_capture_on_commit_callbacks, approve=False)

    def approve_then_fail():
        with transaction.atomic():
            services.act(actor=world.people.district_admin, order=order,
                         action=Act.APPROVE_FEEDBACK)  # fmt: skip
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        approve_then_fail()
    assert callbacks == []
    assert outbox == []
    assert not VisitMessage.objects.exists()


def test_no_phone_no_message(world, outbox, django_capture_on_commit_callbacks):
    order = to_visit(world, django_capture_on_commit_callbacks, complainant_phone="")
    assert outbox == []
    assert not VisitMessage.objects.exists()
    with pytest.raises(ValidationError):
        visit_sms.send_link(visit=order.visits.get(), actor=world.people.district_admin)


def test_an_anonymous_complainant_gets_no_message(
    world, outbox, django_capture_on_commit_callbacks
):
    to_visit(world, django_capture_on_commit_callbacks, anonymous=True)
    assert outbox == []
    assert not VisitMessage.objects.exists()


@pytest.mark.parametrize("backend", ["RefusingBackend", "BrokenBackend"])
def test_a_refused_message_is_recorded_as_not_sent(
    world, settings, backend, django_capture_on_commit_callbacks
):
    settings.ANJU_SMS_BACKEND = f"anju.workorders.tests.test_visit_sms.{backend}"
    order = to_visit(world, django_capture_on_commit_callbacks)
    assert order.visits.get().messages.get().status == "failed"


def test_the_visitor_sees_the_messages_and_resends(
    world, client, outbox, django_capture_on_commit_callbacks
):
    order = to_visit(world, django_capture_on_commit_callbacks)
    detail = reverse("workorders:detail", args=[order.pk])
    resend = reverse("workorders:visit_resend", args=[order.pk])

    client.force_login(world.people.district_admin)
    page = client.get(detail).content.decode()
    assert 'data-testid="visit-sms-sent"' in page
    assert "139****0001" in page
    assert 'data-testid="visit-resend"' in page

    response = client.post(resend, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert len(outbox) == 2
    second = order.visits.get().messages.order_by("id").last()
    assert second.sent_by == world.people.district_admin
    assert response.content.decode().count('data-testid="visit-sms-sent"') == 2

    # The handling company is no visitor: no messages shown, no resend.
    client.force_login(world.people.company_x_manager)
    page = client.get(detail).content.decode()
    assert 'data-testid="visit-sms' not in page
    assert client.post(resend).status_code == 403
    client.force_login(world.people.neighbour_admin)
    assert client.post(resend).status_code == 404
    assert len(outbox) == 2


def test_resends_are_limited_and_stop_once_answered(
    world, outbox, django_capture_on_commit_callbacks
):
    order = to_visit(world, django_capture_on_commit_callbacks)
    visit = order.visits.get()
    for _ in range(visit_sms.MAX_MESSAGES - 1):
        visit_sms.send_link(visit=visit, actor=world.people.district_admin)
    with pytest.raises(ValidationError):
        visit_sms.send_link(visit=visit, actor=world.people.district_admin)
    assert visit.messages.count() == visit_sms.MAX_MESSAGES

    services.answer_visit(token=visit.token, solved=True, satisfaction="satisfied")
    visit.refresh_from_db()
    with pytest.raises(IllegalTransition):
        visit_sms.send_link(visit=visit, actor=world.people.district_admin)


def test_api_resend(world, client, outbox, django_capture_on_commit_callbacks):
    order = to_visit(world, django_capture_on_commit_callbacks)
    path = f"/api/v1/orders/{order.pk}/visit-link/send"

    def bearer(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}

    response = client.post(path, **bearer(world.people.district_admin))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "sent"
    assert response.json()["phone_masked"] == "139****0001"
    assert client.post(path, **bearer(world.people.neighbour_admin)).status_code == 404
    assert client.post(path, **bearer(world.people.company_x_manager)).status_code == 403
    assert len(outbox) == 2
