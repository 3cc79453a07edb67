"""Likely duplicates at intake and clusters of similar complaints (complaints.md §5.7, §6.6).

A likely duplicate: an open or recent order of the same estate and category within a window,
or from the same complainant phone. A cluster: at least CLUSTER_THRESHOLD orders of one
estate in one category group within CLUSTER_DAYS; the street is alerted once a day.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import EVERYTHING, NOTHING, covers_region, scope_of
from anju.core.audit import audit_record
from anju.core.policy import Policy
from anju.workorders.machine import State
from anju.workorders.models import ClusterAlert, WorkOrder

WINDOW_DAYS = 30
CLUSTER_DAYS = 7
CLUSTER_THRESHOLD = 5


def candidates(order: WorkOrder, *, within: QuerySet | None = None) -> QuerySet:
    """Orders that may report the same matter, newest first (the order itself excluded)."""
    base = WorkOrder.objects.all() if within is None else within
    since = order.created_at - timedelta(days=WINDOW_DAYS)
    if order.estate_id:
        same_place = Q(estate_id=order.estate_id, category_id=order.category_id)
    else:
        same_place = Q(region_code=order.region_code, category_id=order.category_id)
    condition = same_place
    if order.complainant_phone_digest:
        condition |= Q(complainant_phone_digest=order.complainant_phone_digest)
    return (
        base.filter(condition, created_at__gte=since, created_at__lte=order.created_at)
        .exclude(pk=order.pk)
        .exclude(state__in=[State.MERGED, State.WITHDRAWN, State.REJECTED])
        .order_by("-created_at")
    )


def check_cluster(order: WorkOrder, now=None) -> ClusterAlert | None:
    """Alert the street when the order completes a cluster in its estate and category group."""
    if order.estate_id is None:
        return None
    now = order.created_at or now or timezone.now()
    group = order.category.parent or order.category
    recent = (
        WorkOrder.objects.filter(
            estate_id=order.estate_id,
            created_at__gte=now - timedelta(days=CLUSTER_DAYS),
            created_at__lte=now,
        )
        .filter(Q(category=group) | Q(category__parent=group))
        .exclude(state=State.MERGED)
    )
    count = recent.count()
    if count < CLUSTER_THRESHOLD:
        return None
    alert, created = ClusterAlert.objects.get_or_create(
        estate_id=order.estate_id,
        category=group,
        day=timezone.localdate(now),
        defaults={"count": count, "region_code": order.region_code},
    )
    if not created:
        alert.count = count
        alert.save(update_fields=["count", "updated_at"])
    alert.orders.add(*recent.values_list("pk", flat=True))  # ids: no decrypting of rows
    return alert


def _alert_filter(scope, action: str) -> Q:
    """The alerts of the estates in the region a grant covers (streets and the district)."""
    result = NOTHING
    for g in scope.grants_for(action):
        if g.kind == "all":
            return EVERYTHING
        if g.kind == "prefix" and not g.department_id:
            result |= Q(region_code__codeprefix=g.value)
    return result


# The street is alerted and handles the alert; the district watches its streets' alerts.
alert_policy = Policy(
    ClusterAlert, view=Action.ORDERS_DISPATCH, change=Action.ORDERS_DISPATCH,
    scope_filter=_alert_filter,
)  # fmt: skip


def cluster_alert_handle(*, actor, alert: ClusterAlert, note: str, now=None) -> ClusterAlert:
    """Mark an alert handled, saying what was done (a visit, a meeting with the company...)."""
    now = now or timezone.now()
    if not covers_region(scope_of(actor), Action.ORDERS_DISPATCH, alert.region_code):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how the alert was handled.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("At most 2000 characters.")})
    with transaction.atomic():
        alert = ClusterAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise ValidationError(_("This alert has already been handled."))
        alert.acknowledged_at = now
        alert.handled_by = actor
        alert.note = note
        alert.save(update_fields=["acknowledged_at", "handled_by", "note", "updated_at"])
        audit_record(actor=actor, action="workorders.cluster_handle", target=alert,
                     changes={"note": [None, note]}, region_code=alert.region_code)  # fmt: skip
    return alert
