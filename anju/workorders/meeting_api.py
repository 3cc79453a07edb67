"""API operations on joint meetings (联席会议) and cluster alerts (registered on
anju.workorders.api.router).

A meeting or alert outside the caller's region answers 404 like a missing one; a role that
sees it but may not act 403; bad input 400 naming the field, with nothing written.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.api import ErrorOut, page_of
from anju.regions.permissions import region_policy
from anju.workorders import disputes, duplicates
from anju.workorders.access import order_policy
from anju.workorders.api import router
from anju.workorders.machine import IllegalTransition
from anju.workorders.models import ClusterAlert, DisputeLevel, JointMeeting, WorkOrder
from anju.workorders.schemas import (
    AgendaIn,
    ClusterAlertOut,
    ClusterAlertPage,
    ClusterHandleIn,
    MeetingIn,
    MeetingOut,
    MeetingOutcomeIn,
    MeetingPage,
)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _meeting_item(m: JointMeeting) -> dict:
    return {
        "id": m.pk,
        "level": m.level,
        "level_label": str(DisputeLevel(m.level).label),
        "region_id": m.region_id,
        "region_name": m.region.name,
        "scheduled_at": m.scheduled_at,
        "place": m.place,
        "participants": m.participants,
        "held": m.held,
        "agenda_count": getattr(m, "n_agenda", None) or m.agenda.count(),
    }


def _meeting_out(meeting: JointMeeting) -> dict:
    steps = {
        s.order_id: s.outcome
        for s in meeting.steps.filter(level=meeting.level).only("order_id", "outcome")
    }
    agenda = [
        {
            "order_id": o.pk,
            "number": o.number,
            "title": o.title,
            "state": o.state,
            "dispute_level": o.dispute_level,
            "outcome": steps.get(o.pk, ""),
        }
        for o in meeting.agenda.only("pk", "number", "title", "state", "dispute_level").order_by(
            "created_at"
        )
    ]
    return {**_meeting_item(meeting), "agenda": agenda}


def _meeting(actor, meeting_id: int) -> JointMeeting:
    return disputes.meeting_policy.get(
        actor, meeting_id, qs=JointMeeting.objects.select_related("region")
    )


def _orders(actor, ids: list[int]) -> list[WorkOrder]:
    """The orders named, each visible to the caller (400 for one that is not)."""
    found = {o.pk: o for o in order_policy.visible(actor).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"order_ids": _("No order %(id)s in your area.") % {"id": missing[0]}}
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _conflict(exc: IllegalTransition):
    return Status(409, {"detail": str(exc.message)})


@router.get(
    "/orders/meetings",
    response={200: MeetingPage, 403: ErrorOut},
    summary="Joint meetings in scope (联席会议)",
    description=(
        "The street and district joint meetings of the caller's region, latest first; "
        "`upcoming=true` only those not yet held and still ahead, `false` the others."
    ),
)
def meeting_list(request, upcoming: bool | None = None, limit: int = 50, offset: int = 0):
    disputes.meeting_policy.require_action(request.user)
    qs = (
        disputes.meeting_policy.visible(request.user)
        .select_related("region")
        .annotate(n_agenda=Count("agenda", distinct=True))
        .order_by("-scheduled_at", "-pk")
    )
    if upcoming is not None:
        ahead = Q(scheduled_at__gte=timezone.now(), held=False)
        qs = qs.filter(ahead) if upcoming else qs.exclude(ahead)
    page = page_of(qs, limit=limit, offset=offset)
    page["items"] = [_meeting_item(m) for m in page["items"]]
    return page


@router.post(
    "/orders/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="Schedule a joint meeting (召开联席会议)",
    description=(
        "A street (`region_id` a street: a street joint meeting) or the district (a district "
        "joint meeting) convenes a meeting with an agenda of escalated orders of its area "
        "at the meeting's level. A region outside the caller's area answers 404; an order "
        "not awaiting this level 400."
    ),
)
def meeting_create(request, payload: MeetingIn):
    actor = request.user
    disputes.meeting_policy.require_action(actor)
    region = region_policy.get(actor, payload.region_id)
    meeting = disputes.schedule_meeting(
        actor=actor,
        region=region,
        scheduled_at=payload.scheduled_at,
        orders=_orders(actor, payload.order_ids),
        place=payload.place,
        participants=payload.participants,
    )
    return Status(201, _meeting_out(_meeting(actor, meeting.pk)))


@router.get(
    "/orders/meetings/{meeting_id}",
    response={200: MeetingOut, 404: ErrorOut},
    summary="One joint meeting with its agenda",
    description="The meeting and each order on its agenda, with what the meeting decided.",
)
def meeting_get(request, meeting_id: int):
    return _meeting_out(_meeting(request.user, meeting_id))


@router.post(
    "/orders/meetings/{meeting_id}/agenda",
    response={200: MeetingOut, **ERRORS},
    summary="Add orders to a meeting's agenda",
    description=(
        "Escalated orders of the meeting's area awaiting its level; a meeting already held "
        "takes no more (400)."
    ),
)
def meeting_agenda(request, meeting_id: int, payload: AgendaIn):
    actor = request.user
    meeting = _meeting(actor, meeting_id)
    disputes.add_to_agenda(actor=actor, meeting=meeting, orders=_orders(actor, payload.order_ids))
    return _meeting_out(meeting)


@router.post(
    "/orders/meetings/{meeting_id}/outcomes",
    response={200: MeetingOut, 409: ErrorOut, **ERRORS},
    summary="Record what the meeting decided on one order",
    description=(
        "`agreed` (with the agreement) or `withdrawn` settles the order; `failed` (with "
        "`next_reason`) takes it to the next level. The meeting's time and participants are "
        "recorded on the order's dispute step. An order not on the agenda, a meeting still "
        "ahead, or an outcome recorded before answer 400."
    ),
)
def meeting_outcome(request, meeting_id: int, payload: MeetingOutcomeIn):
    actor = request.user
    meeting = _meeting(actor, meeting_id)
    order = _orders(actor, [payload.order_id])[0]
    data = payload.dict()
    data.pop("order_id")
    try:
        disputes.record_at_meeting(actor=actor, meeting=meeting, order=order, **data)
    except IllegalTransition as exc:
        return _conflict(exc)
    meeting.refresh_from_db()
    return _meeting_out(meeting)


# -- cluster alerts ----------------------------------------------------------------------------


def _alert_out(a: ClusterAlert) -> dict:
    return {
        "id": a.pk,
        "day": a.day.isoformat(),
        "estate_id": a.estate_id,
        "estate_name": a.estate.name,
        "category": a.category.code,
        "category_name": a.category.name,
        "count": a.count,
        "order_numbers": [o.number for o in a.linked],
        "handled": a.acknowledged_at is not None,
        "handled_at": a.acknowledged_at,
        "note": a.note,
    }


def _alerts(actor):
    numbers = WorkOrder.objects.only("pk", "number").order_by("number")
    return (
        duplicates.alert_policy.visible(actor)
        .select_related("estate", "category")
        .prefetch_related(Prefetch("orders", queryset=numbers, to_attr="linked"))
        .order_by("-day", "-pk")
    )


@router.get(
    "/orders/cluster-alerts",
    response={200: ClusterAlertPage, 403: ErrorOut},
    summary="Cluster alerts in scope (群体性苗头预警)",
    description=(
        "Several similar complaints from one estate within days: the estate, category "
        "group, count and the orders behind each alert; `handled=false` only the open ones."
    ),
)
def cluster_alert_list(request, handled: bool | None = None, limit: int = 50, offset: int = 0):
    duplicates.alert_policy.require_action(request.user)
    qs = _alerts(request.user)
    if handled is not None:
        qs = qs.filter(acknowledged_at__isnull=not handled)
    page = page_of(qs, limit=limit, offset=offset)
    page["items"] = [_alert_out(a) for a in page["items"]]
    return page


@router.post(
    "/orders/cluster-alerts/{alert_id}/handle",
    response={200: ClusterAlertOut, **ERRORS},
    summary="Mark a cluster alert handled",
    description="With a note of what was done (400 without, or if handled before).",
)
def cluster_alert_handle(request, alert_id: int, payload: ClusterHandleIn):
    actor = request.user
    alert = duplicates.alert_policy.get(actor, alert_id)
    if not scope_of(actor).allows(Action.ORDERS_DISPATCH):
        raise PermissionDenied
    duplicates.cluster_alert_handle(actor=actor, alert=alert, note=payload.note)
    return _alert_out(_alerts(actor).get(pk=alert.pk))
