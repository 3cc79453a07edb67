"""The dispute track of an order (complaints.md §2.4): 街道联席会议 → 区级联席会议 →
三调联动 (people's, administrative, judicial mediation) → litigation or arbitration.

Escalating an order opens level 1; each level records the meeting, participants, minutes and
outcome. An agreement settles the order (back to feedback review, then the return visit); a
failure moves it up a level; after mediation fails the order is referred to court or
arbitration. Each level has its own deadline in working days (configurable here).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.audit import audit_record
from anju.core.worktime import calendar
from anju.regions.models import Region
from anju.regions.rules import prefix_of
from anju.workorders import services
from anju.workorders.access import order_policy
from anju.workorders.machine import Act, State
from anju.workorders.models import DisputeLevel, DisputeStep, JointMeeting, WorkOrder

LEVEL_DAYS = {1: 10, 2: 15, 3: 15}


def _open_step(order: WorkOrder, level: int, now: datetime, **fields) -> DisputeStep:
    days = LEVEL_DAYS.get(level)
    due = calendar().add_working_days(now, days).at if days else None
    return DisputeStep.objects.create(order=order, level=level, due=due, **fields)


def escalate(*, actor, order: WorkOrder, reason: str, now=None) -> DisputeStep:
    """Take an order in progress (or awaiting its visit) to the street joint meeting."""
    now = now or timezone.now()
    with transaction.atomic():
        order = services.act(actor=actor, order=order, action=Act.ESCALATE,
                             payload={"reason": reason}, now=now)  # fmt: skip
        return _open_step(order, DisputeLevel.STREET_MEETING, now, next_reason=reason)


def current_step(order: WorkOrder) -> DisputeStep | None:
    return order.dispute_steps.filter(outcome="").order_by("-level", "-id").first()


def record(
    *,
    actor,
    order: WorkOrder,
    outcome: str,
    met_at: datetime,
    participants: str = "",
    minutes: str = "",
    agreement: str = "",
    mediation: str = "",
    judicial_confirmation: bool = False,
    next_reason: str = "",
    now=None,
) -> WorkOrder:
    """Record the outcome of the current level and move the order on."""
    now = now or timezone.now()
    if outcome not in DisputeStep.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if outcome == DisputeStep.Outcome.AGREED and not agreement.strip():
        raise ValidationError({"agreement": _("Record the agreement reached.")})
    if outcome == DisputeStep.Outcome.FAILED and not next_reason.strip():
        raise ValidationError({"next_reason": _("Say why the dispute goes to the next level.")})
    with transaction.atomic():
        step = current_step(order)
        if step is None or order.state != State.ESCALATED:
            raise ValidationError(_("This order has no open dispute level."))
        if step.level == DisputeLevel.MEDIATION and not mediation:
            raise ValidationError({"mediation": _("Choose the kind of mediation.")})
        step.outcome = outcome
        step.met_at = met_at
        step.participants = participants
        step.minutes = minutes
        step.agreement = agreement
        step.mediation = mediation
        step.judicial_confirmation = judicial_confirmation
        step.performance = DisputeStep.Performance.PENDING if agreement else ""
        step.next_reason = next_reason or step.next_reason
        step.full_clean()
        step.save()
        if outcome == DisputeStep.Outcome.AGREED:
            return services.act(actor=actor, order=order, action=Act.SETTLE,
                                payload={"outcome": agreement}, now=now)  # fmt: skip
        if outcome == DisputeStep.Outcome.WITHDRAWN:
            return services.act(actor=actor, order=order, action=Act.SETTLE,
                                payload={"outcome": _("Dispute withdrawn")}, now=now)  # fmt: skip
        if step.level >= DisputeLevel.MEDIATION:
            order = services.act(actor=actor, order=order, action=Act.REFER,
                                 payload={"reason": next_reason}, now=now)  # fmt: skip
            _open_step(order, DisputeLevel.LITIGATION, now, next_reason=next_reason)
            return order
        order = services.act(actor=actor, order=order, action=Act.ESCALATE_FURTHER,
                             payload={"reason": next_reason}, now=now)  # fmt: skip
        _open_step(order, step.level + 1, now, next_reason=next_reason)
        return order


def record_performance(*, actor, step: DisputeStep, performance: str) -> DisputeStep:
    """Follow up an agreement: performed or not."""
    if not order_policy.visible(actor, Action.ORDERS_MEDIATE).filter(pk=step.order_id).exists():
        raise PermissionDenied
    if not step.agreement or performance not in DisputeStep.Performance.values:
        raise ValidationError({"performance": _("Only an agreement can be performed.")})
    step.performance = performance
    step.save(update_fields=["performance", "updated_at"])
    audit_record(actor=actor, action="disputes.performance", target=step.order,
                 changes={"performance": [None, performance]},
                 region_code=step.order.region_code)  # fmt: skip
    return step


def schedule_meeting(
    *, actor, region: Region, scheduled_at: datetime, orders: list[WorkOrder], place: str = "",
    participants: str = "",
) -> JointMeeting:  # fmt: skip
    """Convene a street (region = street) or district (region = district) joint meeting with
    an agenda of escalated orders of that region."""
    if region.level not in (Region.Level.STREET, Region.Level.DISTRICT):
        raise ValidationError({"region": _("A joint meeting is convened by a street or district.")})
    prefix = prefix_of(region.code)
    if not covers_region(scope_of(actor), Action.ORDERS_MEDIATE, region.code):
        raise PermissionDenied
    level = (
        DisputeLevel.STREET_MEETING
        if region.level == Region.Level.STREET
        else DisputeLevel.DISTRICT_MEETING
    )
    for order in orders:
        if not order.region_code.startswith(prefix) or order.state != State.ESCALATED:
            raise ValidationError(
                {"orders": _("%(number)s is not an escalated order of this area.")
                 % {"number": order.number}}
            )  # fmt: skip
    with transaction.atomic():
        meeting = JointMeeting.objects.create(level=level, region=region,
                                              scheduled_at=scheduled_at, place=place,
                                              participants=participants)  # fmt: skip
        meeting.agenda.set(orders)
        DisputeStep.objects.filter(order__in=orders, outcome="", level=level).update(
            meeting=meeting
        )
        audit_record(actor=actor, action="disputes.meeting", target=meeting,
                     changes={"agenda": [None, [o.number for o in orders]]},
                     region_code=region.code)  # fmt: skip
    return meeting
