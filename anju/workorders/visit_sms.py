"""The return-visit link by text message (回访短信).

When a visit opens for a complainant with a phone, the personal link is sent once the
transaction commits, through the SMS backend the voting notices use (anju.core.sms); the
visitor may resend it. Every message is recorded on the visit: when, to which masked
number, and whether the gateway took it.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.core import sms
from anju.core.audit import audit_record
from anju.core.pii import mask
from anju.workorders.machine import Actor, IllegalTransition, State
from anju.workorders.models import Event, Visit, VisitMessage

log = logging.getLogger("anju.workorders")

# A visit's link is sent at most this many times (the first message and the resends).
MAX_MESSAGES = 5


def link_url(visit: Visit) -> str:
    return settings.ANJU_SITE_URL + reverse("workorders:visit", args=[visit.token])


def message_text(visit: Visit) -> str:
    # No name, no place: only the order number and the link.
    return _(
        "[Anju] Your complaint %(number)s has been handled. Please tell us whether it is "
        "solved and how satisfied you are: %(url)s"
    ) % {"number": visit.order.number, "url": link_url(visit)}


def open_visit(order) -> Visit | None:
    """The order's visit still waiting for the complainant's answer through the link."""
    if order.state != State.PENDING_VISIT:
        return None
    visit = order.visits.filter(answered_at__isnull=True, satisfaction="").order_by("-id").first()
    if visit is None or visit.exempt:
        return None
    return visit


def send_link(*, visit: Visit, actor=None, now: datetime | None = None) -> VisitMessage:
    """Text the complainant their personal link and record the message (sent or not).
    Refused (nothing sent, nothing written): no phone, the visit answered or closed, or
    the link sent MAX_MESSAGES times already."""
    now = now or timezone.now()
    order = visit.order
    if open_visit(order) is None or open_visit(order).pk != visit.pk:
        raise IllegalTransition(_("This order is not waiting for the complainant's answer."))
    phone = "" if order.anonymous else (order.complainant_phone or "").strip()
    if not phone:
        raise ValidationError({"phone": _("The complainant left no phone number.")})
    if visit.messages.count() >= MAX_MESSAGES:
        raise ValidationError(
            {"phone": _("The link has been sent %(n)s times already.") % {"n": MAX_MESSAGES}}
        )
    try:
        sent = sms.send(phone, message_text(visit))
    except Exception:  # a gateway failure must not lose the record of the attempt
        log.exception("return-visit text message for order %s failed", order.pk)
        sent = False
    status = VisitMessage.Status.SENT if sent else VisitMessage.Status.FAILED
    with transaction.atomic():
        message = VisitMessage.objects.create(
            visit=visit, phone_masked=mask(phone), status=status, sent_at=now, sent_by=actor
        )
        Event.objects.create(
            order=order, actor=actor, as_role=Actor.SYSTEM if actor is None else Actor.VISITOR,
            action="visit_sms", from_state=order.state, to_state=order.state,
            payload={"status": status}, at=now,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="workorders.visit_sms",
            target=order,
            changes={"phone": [None, message.phone_masked], "status": [None, status]},
            region_code=order.region_code,
        )
    return message


def _send_opened(visit_id: int) -> None:
    visit = Visit.objects.select_related("order").filter(pk=visit_id).first()
    if visit is None:
        return
    try:
        send_link(visit=visit)
    except (IllegalTransition, ValidationError):
        return


def send_on_commit(visit: Visit) -> None:
    """Send the link of a visit just opened once its transaction commits (a rollback
    sends nothing). Called by the service that opens the visit."""
    order = visit.order
    if visit.exempt or order.anonymous or not order.complainant_phone:
        return
    transaction.on_commit(lambda: _send_opened(visit.pk))


def detail_context(order, roles: set[str]) -> dict:
    """For the visitor on the order page: the messages sent and whether to offer a resend."""
    if Actor.VISITOR not in roles:
        return {"visit_messages": [], "may_resend": False}
    messages = list(
        VisitMessage.objects.filter(visit__order=order)
        .select_related("sent_by")
        .order_by("sent_at", "id")
    )
    visit = open_visit(order)
    may_resend = bool(
        visit is not None
        and not order.anonymous
        and order.complainant_phone
        and sum(1 for m in messages if m.visit_id == visit.pk) < MAX_MESSAGES
    )
    return {"visit_messages": messages, "may_resend": may_resend}
