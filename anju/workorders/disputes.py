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
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import EVERYTHING, NOTHING, covers_region, scope_of
from anju.core.audit import audit_record
from anju.core.policy import Policy
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


def _meeting_filter(scope, action: str) -> Q:
    """A street's or the district's joint meetings: those convened in the region a grant
    covers (the district sees its streets' meetings too)."""
    result = NOTHING
    for g in scope.grants_for(action):
        if g.kind == "all":
            return EVERYTHING
        if g.kind == "prefix" and not g.department_id:
            result |= Q(region__code__codeprefix=g.value)
    return result


meeting_policy = Policy(
    JointMeeting, view=Action.ORDERS_MEDIATE, change=Action.ORDERS_MEDIATE,
    scope_filter=_meeting_filter,
)  # fmt: skip


def meeting_level(region: Region) -> int:
    if region.level == Region.Level.STREET:
        return DisputeLevel.STREET_MEETING
    if region.level == Region.Level.DISTRICT:
        return DisputeLevel.DISTRICT_MEETING
    raise ValidationError({"region": _("A joint meeting is convened by a street or district.")})


def agenda_candidates(actor, *, region: Region, level: int) -> QuerySet:
    """The orders a meeting of this region and level may hear: escalated orders of the
    region, in the actor's scope, whose open dispute level is the meeting's."""
    return (
        order_policy.visible(actor, Action.ORDERS_MEDIATE)
        .filter(
            state=State.ESCALATED,
            dispute_level=level,
            region_code__codeprefix=prefix_of(region.code),
        )
        .select_related("category", "estate")
        .order_by("created_at", "pk")
    )


def _check_agenda(actor, region: Region, level: int, orders: list[WorkOrder]) -> None:
    eligible = set(
        agenda_candidates(actor, region=region, level=level)
        .filter(pk__in=[o.pk for o in orders])
        .values_list("pk", flat=True)
    )
    for order in orders:
        if order.pk not in eligible:
            raise ValidationError(
                {"orders": _("%(number)s is not an order of this area awaiting the %(level)s.")
                 % {"number": order.number, "level": DisputeLevel(level).label}}
            )  # fmt: skip


def _link_steps(meeting: JointMeeting, orders: list[WorkOrder]) -> None:
    DisputeStep.objects.filter(order__in=orders, outcome="", level=meeting.level).update(
        meeting=meeting
    )


def schedule_meeting(
    *, actor, region: Region, scheduled_at: datetime, orders: list[WorkOrder], place: str = "",
    participants: str = "",
) -> JointMeeting:  # fmt: skip
    """Convene a street (region = street) or district (region = district) joint meeting with
    an agenda of escalated orders of that region at the meeting's level."""
    level = meeting_level(region)
    if not covers_region(scope_of(actor), Action.ORDERS_MEDIATE, region.code):
        raise PermissionDenied
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("Give the time of the meeting.")})
    if len(place) > 200:
        raise ValidationError({"place": _("At most 200 characters.")})
    _check_agenda(actor, region, level, orders)
    with transaction.atomic():
        meeting = JointMeeting.objects.create(level=level, region=region,
                                              scheduled_at=scheduled_at, place=place.strip(),
                                              participants=participants.strip())  # fmt: skip
        meeting.agenda.set(orders)
        _link_steps(meeting, orders)
        audit_record(actor=actor, action="disputes.meeting", target=meeting,
                     changes={"agenda": [None, [o.number for o in orders]]},
                     region_code=region.code)  # fmt: skip
    return meeting


def _require_meeting(actor, meeting: JointMeeting) -> None:
    if not covers_region(scope_of(actor), Action.ORDERS_MEDIATE, meeting.region.code):
        raise PermissionDenied


def add_to_agenda(*, actor, meeting: JointMeeting, orders: list[WorkOrder]) -> JointMeeting:
    """Put more orders on the agenda of a meeting not yet held."""
    _require_meeting(actor, meeting)
    if meeting.held:
        raise ValidationError(_("This meeting has been held; schedule another one."))
    if not orders:
        raise ValidationError({"orders": _("Choose the orders the meeting will hear.")})
    on_agenda = set(meeting.agenda.values_list("pk", flat=True))
    orders = [o for o in orders if o.pk not in on_agenda]
    _check_agenda(actor, meeting.region, meeting.level, orders)
    with transaction.atomic():
        meeting.agenda.add(*orders)
        _link_steps(meeting, orders)
        audit_record(actor=actor, action="disputes.meeting.agenda", target=meeting,
                     changes={"agenda_added": [None, [o.number for o in orders]]},
                     region_code=meeting.region.code)  # fmt: skip
    return meeting


def meeting_step(meeting: JointMeeting, order: WorkOrder) -> DisputeStep | None:
    """The order's step heard at this meeting: its step at the meeting's level."""
    return (
        order.dispute_steps.filter(level=meeting.level)
        .filter(Q(meeting=meeting) | Q(meeting__isnull=True, outcome=""))
        .order_by("-id")
        .first()
    )


def record_at_meeting(
    *, actor, meeting: JointMeeting, order: WorkOrder, outcome: str, minutes: str = "",
    agreement: str = "", judicial_confirmation: bool = False, next_reason: str = "", now=None,
) -> WorkOrder:  # fmt: skip
    """Record what the meeting decided on one order of its agenda (see record): the meeting's
    time and participants are the step's; the meeting counts as held from then on."""
    now = now or timezone.now()
    _require_meeting(actor, meeting)
    if not meeting.agenda.filter(pk=order.pk).exists():
        raise ValidationError({"order": _("This order is not on the meeting's agenda.")})
    if meeting.scheduled_at > now:
        raise ValidationError(_("The meeting has not taken place yet."))
    with transaction.atomic():
        step = current_step(order)
        if step is None or step.level != meeting.level or order.state != State.ESCALATED:
            raise ValidationError(
                {"order": _("The outcome of %(number)s at this level is already recorded.")
                 % {"number": order.number}}
            )  # fmt: skip
        step.meeting = meeting
        step.save(update_fields=["meeting", "updated_at"])
        order = record(actor=actor, order=order, outcome=outcome, met_at=meeting.scheduled_at,
                       participants=meeting.participants, minutes=minutes,
                       agreement=agreement, judicial_confirmation=judicial_confirmation,
                       next_reason=next_reason, now=now)  # fmt: skip
        if not meeting.held:
            meeting.held = True
            meeting.save(update_fields=["held", "updated_at"])
    return order
