"""The work-order API (工单): categories, register, list and read, dispatch, every other move.

Every order is fetched through order_policy: one outside the caller's scope answers 404 like
a missing one. The services do the work and write nothing when they refuse: a move the state
machine forbids answers 409 with its message, a missing role 403, bad input 400 with the
field's message.
"""

import dataclasses
import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.companies.models import PropertyCompany
from anju.core.api import ErrorOut, page_of
from anju.estates.permissions import building_policy, estate_policy
from anju.regions.models import Department, Region
from anju.workorders import attachments, disputes, metrics, services, visit_sms, weights
from anju.workorders.access import actors_for, order_policy, region_prefixes
from anju.workorders.machine import Act, Actor, IllegalTransition, State
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    DisputeStep,
    Event,
    Extension,
    Visit,
    WorkOrder,
)
from anju.workorders.schemas import (
    ActIn,
    CategoryOut,
    DispatchIn,
    DisputeRecordIn,
    DisputeStepOut,
    EscalateIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    FiguresOut,
    MoveAction,
    OrderFilters,
    OrderOut,
    OrderPage,
    PerformanceIn,
    PhotoOut,
    RegisterIn,
    SuggestionOut,
    UnitIn,
    VisitCallIn,
    VisitMessageOut,
    unit_kind_label,
)

router = Router(tags=["work orders"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# States in which the lead unit still owes its feedback: the ones that can be overdue (超期).
FEEDBACK_OWED = (State.DISPATCHED, State.RETURN_REQUESTED, State.SIGNED, State.IN_PROGRESS)


def _orders(actor):
    return order_policy.visible(actor).select_related("category", "estate")


def _with_units(qs):
    return qs.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("region", "department", "company"),
        )
    )


def _detailed(qs):
    return _with_units(qs.select_related("category", "estate")).prefetch_related(
        Prefetch("events", queryset=Event.objects.select_related("actor"))
    )


def _get(actor, order_id: int) -> WorkOrder:
    return order_policy.get(actor, order_id, qs=_detailed(WorkOrder.objects.all()))


def _fresh(order: WorkOrder) -> WorkOrder:
    """The order as stored after a move, with what the detail shows (the caller just acted)."""
    return _detailed(WorkOrder.objects.all()).get(pk=order.pk)


def _conflict(exc: IllegalTransition):
    return Status(409, {"detail": str(exc.message)})


# -- categories ------------------------------------------------------------------------------


@router.get(
    "/orders/categories",
    response=list[CategoryOut],
    summary="The category tree (分类目录)",
    description=(
        "Every category with its group (parent), deadline class (时限类别) and default type. "
        "An order takes a leaf: a category whose `leaf` is true."
    ),
)
def category_list(request, include_inactive: bool = False):
    order_policy.require_action(request.user)
    qs = Category.objects.select_related("parent").annotate(n_children=Count("children"))
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("code")


# -- figures ---------------------------------------------------------------------------------

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIGURE_GROUPS = ("street", "estate", "company", "department")
# The counts of a Figures row (every field but its key, label, rank and rates).
FIGURE_COUNTS = tuple(
    f.name
    for f in dataclasses.fields(metrics.Figures)
    if f.name not in ("key", "label", "rank", "rates")
)


def _month(value: str) -> tuple[int, int]:
    if not value:
        previous = timezone.localdate().replace(day=1) - timedelta(days=1)
        return previous.year, previous.month
    match = MONTH_RE.match(value.strip())
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    raise ValidationError({"month": _("Give the month as YYYY-MM, e.g. 2026-03.")})


def _figure_out(f: metrics.Figures) -> dict:
    return {
        "key": None if f.key is None else str(f.key),
        "label": f.label,
        "counts": {name: getattr(f, name) for name in FIGURE_COUNTS},
        "rates": {k: (None if v is None else str(v)) for k, v in f.rates.items()},
        "sample": f.sample,
        "rank": f.rank,
    }


@router.get(
    "/orders/figures",
    response={200: FiguresOut, 400: ErrorOut, 403: ErrorOut},
    summary="One month's figures (三率 and the guard metrics)",
    description=(
        "Counts and rates over the orders the caller may see, for one month (`month`, "
        "YYYY-MM; default: the last full month), grouped by `group`: street (default), "
        "estate, company or department. Rates are decimal fractions as strings (e.g. "
        '"0.8500"), null when nothing was counted; `rank` orders the groups by composite '
        "score (null for too small a sample). For those who dispatch or supervise."
    ),
)
def order_figures(request, month: str = "", group: str = "street"):
    scope = scope_of(request.user)
    if not (scope.allows(Action.ORDERS_DISPATCH) or scope.allows(Action.ORDERS_SUPERVISE)):
        raise PermissionDenied
    year, number = _month(month)
    if group not in FIGURE_GROUPS:
        raise ValidationError({"group": _("Group by street, estate, company or department.")})
    start, end = metrics.month_bounds(year, number)
    orders = order_policy.visible(request.user)
    regions = region_prefixes(request.user)
    w, _row = weights.for_actor(request.user, start.date())
    rows = metrics.compute(orders, start, end, group=group, regions=regions, weights=w)
    return {
        "month": f"{year}-{number:02d}",
        "group": group,
        "start": start,
        "end": end,
        "items": [_figure_out(f) for f in rows],
    }


# -- list and register -----------------------------------------------------------------------


@router.get(
    "/orders",
    response=OrderPage,
    summary="List work orders in scope (工单列表)",
    description=(
        "The orders the caller may see: of their region, assigned to their department or "
        "company, or their own complaints. Newest first."
    ),
)
def order_list(request, filters: Query[OrderFilters], limit: int = 50, offset: int = 0):
    order_policy.require_action(request.user)
    qs = _with_units(_orders(request.user))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.category:
        code = filters.category.strip(".")
        qs = qs.filter(Q(category__code=code) | Q(category__code__startswith=code + "."))
    if filters.estate_id:
        qs = qs.filter(estate_id=filters.estate_id)
    if filters.overdue is not None:
        late = Q(state__in=FEEDBACK_OWED, feedback_due__lt=timezone.now())
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return page_of(qs, limit=limit, offset=offset)


# Field errors of services.register, named as the request body names them.
_REGISTER_FIELDS = {"estate": "estate_id", "region": "region_id", "building": "building_id"}


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@router.post(
    "/orders",
    response={201: OrderOut, **ERRORS},
    summary="Register a work order (登记工单)",
    description=(
        "Needs the intake action; an owner reports with channel `owner` for their own estate. "
        "With `auto_dispatch` (default) the order goes straight to the units the "
        "responsibility matrix names (派单), when it names an existing lead unit. "
        "An estate or building outside the caller's area answers 404; a 12345 number "
        "registered before, an unknown category or a missing field answer 400. "
        "Nothing is written on a refusal."
    ),
)
def order_register(request, payload: RegisterIn):
    user = request.user
    action = Action.ORDERS_SUBMIT if payload.channel == Channel.OWNER else Action.ORDERS_INTAKE
    if not scope_of(user).allows(action):
        raise PermissionDenied
    data = payload.dict()
    run_dispatch = data.pop("auto_dispatch")
    estate_id, building_id, region_id = (
        data.pop("estate_id"),
        data.pop("building_id"),
        data.pop("region_id"),
    )
    data["estate"] = estate_policy.get(user, estate_id) if estate_id is not None else None
    data["building"] = building_policy.get(user, building_id) if building_id is not None else None
    data["region"] = None
    if data["estate"] is None and region_id is not None:
        data["region"] = Region.objects.filter(
            pk=region_id, level__in=(Region.Level.STREET, Region.Level.COMMUNITY)
        ).first()
        if data["region"] is None:
            raise ValidationError({"region_id": _("Choose the estate or the community concerned.")})
    data["category"] = Category.objects.filter(code=data["category"].strip()).first()
    if data["category"] is None:
        raise ValidationError({"category": _("Choose an active category of the last level.")})
    source_ref = data["source_ref"].strip()
    if (
        source_ref
        and WorkOrder.objects.filter(channel=data["channel"], source_ref=source_ref).exists()
    ):
        raise ValidationError({"source_ref": _("An order with this source number already exists.")})
    try:
        with transaction.atomic():
            order = services.register(actor=user, data=data)
            if run_dispatch:
                services.auto_dispatch(order)
    except ValidationError as exc:
        raise _renamed(exc, _REGISTER_FIELDS) from exc
    return Status(201, _fresh(order))


# -- one order -------------------------------------------------------------------------------


@router.get(
    # int: so that the one-segment paths of the other operations (/orders/matrix...) reach them
    "/orders/{int:order_id}",
    response={200: OrderOut, 404: ErrorOut},
    summary="One work order with its units, clocks and timeline",
    description=(
        "The order, its complainant (the name is null for the property company the complaint "
        "concerns; phones are always masked), its lead and co-units (主办/协办) with their "
        "clocks, why the feedback deadline falls when it does, every move so far, and the "
        "actions the caller may take now."
    ),
)
def order_get(request, order_id: int):
    return _get(request.user, order_id)


@router.get(
    "/orders/{order_id}/suggestion",
    response={200: SuggestionOut, 403: ErrorOut, 404: ErrorOut},
    summary="The responsibility matrix's suggestion (职责清单建议)",
    description=(
        "Which lead and co-units the responsibility matrix names for this order's category, "
        "estate type and place, and on what legal basis. For those who dispatch, register or "
        "supervise the order."
    ),
)
def order_suggestion(request, order_id: int):
    order = _get(request.user, order_id)
    if not actors_for(request.user, order) & {Actor.DISPATCHER, Actor.INTAKE, Actor.SUPERVISOR}:
        raise PermissionDenied
    lead, co, rule = services.suggest_units(order)
    unresolved = []
    if rule is not None:
        unresolved = [k for k in [rule.lead, *rule.co] if services.resolve_unit(k, order) is None]
    return {
        "lead": _unit_out(lead) if lead else None,
        "co": [_unit_out(u) for u in co],
        "basis": rule.basis if rule else "",
        "source": rule.source if rule else "",
        "rule_category": rule.category.code if rule else None,
        "rule_estate_kind": rule.estate_kind if rule else "",
        "unresolved": unresolved,
    }


def _unit_out(unit: services.UnitRef) -> dict:
    if unit.department is not None:
        label = unit.department.name
    elif unit.region is not None:
        label = unit.region.name
    elif unit.company_id is not None:
        label = (
            PropertyCompany.objects.filter(pk=unit.company_id)
            .values_list("name", flat=True)
            .first()
            or ""
        )
    else:
        label = unit_kind_label(unit.kind)
    return {
        "kind": unit.kind,
        "kind_label": unit_kind_label(unit.kind),
        "label": label,
        "region_id": unit.region.pk if unit.region else None,
        "department_id": unit.department.pk if unit.department else None,
        "company_id": unit.company_id,
    }


def _unit_ref(field: str, unit: UnitIn, order: WorkOrder) -> services.UnitRef:
    """The handling unit named in a request: a street or community or a department of the
    order's district, or a property company."""
    district = order.region_code[:6]
    kind = unit.kind.strip()
    if kind in (Region.Level.STREET, Region.Level.COMMUNITY) and unit.region_id:
        region = Region.objects.filter(
            pk=unit.region_id, level=kind, code__startswith=district
        ).first()
        if region is not None:
            return services.UnitRef(kind, region=region)
    elif kind == "company" and unit.company_id:
        if PropertyCompany.objects.filter(pk=unit.company_id).exists():
            return services.UnitRef(kind, company_id=unit.company_id)
    elif (kind == "dept" or kind.startswith("dept:")) and unit.department_id:
        department = Department.objects.filter(
            pk=unit.department_id, district__code__startswith=district
        ).first()
        if department is not None and kind in ("dept", f"dept:{department.kind}"):
            return services.UnitRef(f"dept:{department.kind}", department=department)
    raise ValidationError(
        {
            field: _(
                "Choose a handling unit: a street, community or department of the order's "
                "district, or a property company."
            )
        }
    )


@router.post(
    "/orders/{order_id}/dispatch",
    response={200: OrderOut, 409: ErrorOut, **ERRORS},
    summary="Dispatch a registered order (派单)",
    description=(
        "Sends the order to a lead unit (主办) and any co-units (协办); all their clocks start "
        "now. Only a dispatcher of the order's area may. Units are named as the suggestion "
        "names them. A move the state machine does not allow answers 409."
    ),
)
def order_dispatch(request, order_id: int, payload: DispatchIn):
    order = _get(request.user, order_id)
    if Actor.DISPATCHER not in actors_for(request.user, order):
        raise PermissionDenied
    lead = _unit_ref("lead", payload.lead, order)
    co = [_unit_ref("co", u, order) for u in payload.co]
    if lead in co or len(set(co)) != len(co):
        raise ValidationError({"co": _("Name each unit once, the lead unit not again.")})
    basis = payload.basis.strip()
    if not basis:
        rule = services.rule_for(order)
        basis = rule.basis if rule is not None and rule.lead == lead.kind else ""
    try:
        services.dispatch(actor=request.user, order=order, lead=lead, co=co, basis=basis)
    except IllegalTransition as exc:
        return _conflict(exc)
    return _fresh(order)


@router.post(
    "/orders/{order_id}/actions/{action}",
    response={200: OrderOut, 409: ErrorOut, **ERRORS},
    summary="Take one step on an order (签收, 联系, 反馈, 审核, 回访...)",
    description=(
        "Every move other than registration and dispatch, as the caller's role on the order "
        "(see `allowed_actions` in the order). What each needs: request_return reason and "
        "legal_basis; refuse_return, reject, unmerge, suspend, send_back, rework, refer, "
        "withdraw, reopen a reason; merge master_number; approve_return unit; "
        "submit_feedback result and reply; close a rating or exempt; settle an outcome. "
        "A move the state machine does not allow (or a missing input) answers 409 with the "
        "reason; a caller without a role on the order 403."
    ),
)
def order_act(request, order_id: int, action: MoveAction, payload: ActIn):
    user = request.user
    order = _get(user, order_id)
    data = payload.dict()
    unit = data.pop("unit")
    master_number = data.pop("master_number").strip()
    if unit is not None:
        data["unit"] = _unit_ref("unit", payload.unit, order)
    if master_number:
        master = order_policy.visible(user).filter(number=master_number).first()
        if master is None:
            raise ValidationError({"master_number": _("Choose the order this one duplicates.")})
        data["master"] = master
    if action.value == Act.CLOSE:
        data["visitor"] = user
    try:
        services.act(actor=user, order=order, action=action.value, payload=data)
    except IllegalTransition as exc:
        return _conflict(exc)
    return _fresh(order)


# -- extensions (延期) -----------------------------------------------------------------------


def _extensions(order: WorkOrder):
    return order.extensions.select_related(
        "assignment__region",
        "assignment__department",
        "assignment__company",
        "requested_by",
        "decided_by",
    )


@router.get(
    "/orders/{order_id}/extensions",
    response={200: list[ExtensionOut], 404: ErrorOut},
    summary="The order's extension requests (延期申请)",
    description="Every extension the lead units asked for on this order, newest first.",
)
def extension_list(request, order_id: int):
    return _extensions(_get(request.user, order_id))


@router.post(
    "/orders/{order_id}/extensions",
    response={201: ExtensionOut, 409: ErrorOut, **ERRORS},
    summary="Ask for an extension (申请延期)",
    description=(
        "The lead unit (its handler or lead) asks for 1 to 15 more working days, with a "
        "reason, once per unit and before its feedback deadline, while the order is signed or "
        "in progress. The deadline moves only when a supervisor approves. A second request, "
        "a late one or one on an order not being handled answers 409; a missing reason or "
        "days out of range 400."
    ),
)
def extension_request(request, order_id: int, payload: ExtensionIn):
    order = _get(request.user, order_id)
    try:
        extension = services.request_extension(
            actor=request.user, order=order, days=payload.days, reason=payload.reason
        )
    except IllegalTransition as exc:
        return _conflict(exc)
    return Status(201, _extensions(order).get(pk=extension.pk))


@router.post(
    "/orders/extensions/{extension_id}/decision",
    response={200: ExtensionOut, 409: ErrorOut, **ERRORS},
    summary="Approve or refuse an extension (审批延期)",
    description=(
        "A supervisor of the order's area decides: approved, the lead unit's feedback "
        "deadline moves by the working days asked, counted from the old deadline; refused, "
        "nothing moves. A request decided before answers 409."
    ),
)
def extension_decide(request, extension_id: int, payload: ExtensionDecisionIn):
    extension = (
        Extension.objects.select_related("assignment", "order")
        .filter(pk=extension_id, order__in=order_policy.visible(request.user).values("pk"))
        .first()
    )
    if extension is None:
        raise Http404
    try:
        services.decide_extension(actor=request.user, extension=extension, approve=payload.approve)
    except IllegalTransition as exc:
        return _conflict(exc)
    return _extensions(extension.order).get(pk=extension.pk)


# -- disputes (纠纷调处) ---------------------------------------------------------------------


@router.get(
    "/orders/{order_id}/disputes",
    response={200: list[DisputeStepOut], 404: ErrorOut},
    summary="The order's dispute track (纠纷调处)",
    description=(
        "Each level the dispute reached, lowest first: street joint meeting, district joint "
        "meeting, three-way mediation, litigation or arbitration; with the meeting, "
        "participants, minutes, outcome and the follow-up of an agreement. The open level "
        "has no outcome yet."
    ),
)
def dispute_list(request, order_id: int):
    return _get(request.user, order_id).dispute_steps.order_by("level", "id")


@router.post(
    "/orders/{order_id}/disputes/escalate",
    response={200: OrderOut, 409: ErrorOut, **ERRORS},
    summary="Take the order to dispute resolution (升级调处)",
    description=(
        "A supervisor, or the lead unit's lead, takes an order in progress or awaiting its "
        "return visit to the street joint meeting (level 1); the handling clock stops. Needs "
        "a reason (400 without). A move the state machine does not allow answers 409."
    ),
)
def dispute_escalate(request, order_id: int, payload: EscalateIn):
    order = _get(request.user, order_id)
    if not actors_for(request.user, order):
        raise PermissionDenied
    reason = payload.reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the escalation.")})
    try:
        disputes.escalate(actor=request.user, order=order, reason=reason)
    except IllegalTransition as exc:
        return _conflict(exc)
    return _fresh(order)


@router.post(
    "/orders/{order_id}/disputes/record",
    response={200: OrderOut, 409: ErrorOut, **ERRORS},
    summary="Record the outcome of the current dispute level",
    description=(
        "For a mediator or supervisor of the order's area. `agreed` (with the agreement) or "
        "`withdrawn` settles the order, which goes back to feedback review; `failed` (with "
        "`next_reason`) takes it to the next level, and after mediation refers it to court "
        "or arbitration. At the mediation level `mediation` names the kind. A missing input, "
        "or an order with no open level, answers 400; nothing is written."
    ),
)
def dispute_record(request, order_id: int, payload: DisputeRecordIn):
    user = request.user
    order = _get(user, order_id)
    if not actors_for(user, order) & {Actor.MEDIATOR, Actor.SUPERVISOR}:
        raise PermissionDenied
    data = payload.dict()
    if data["met_at"] is None:
        raise ValidationError({"met_at": _("Give the date of the meeting.")})
    try:
        disputes.record(actor=user, order=order, **data)
    except IllegalTransition as exc:
        return _conflict(exc)
    return _fresh(order)


@router.post(
    "/orders/disputes/steps/{step_id}/performance",
    response={200: DisputeStepOut, **ERRORS},
    summary="Follow up an agreement (履行情况)",
    description=(
        "A mediator of the order's area records whether the agreement reached at this level "
        "is being performed, was performed or was breached. A level without an agreement, or "
        "an unknown value, answers 400."
    ),
)
def dispute_performance(request, step_id: int, payload: PerformanceIn):
    step = (
        DisputeStep.objects.select_related("order")
        .filter(pk=step_id, order__in=order_policy.visible(request.user).values("pk"))
        .first()
    )
    if step is None:
        raise Http404
    return disputes.record_performance(
        actor=request.user, step=step, performance=payload.performance.strip()
    )


# -- return visits (回访) --------------------------------------------------------------------


@router.post(
    "/orders/{order_id}/visit-calls",
    response={200: OrderOut, 409: ErrorOut, **ERRORS},
    summary="Record a return-visit phone call (电话回访)",
    description=(
        "A visitor of the order's area records a call. Reached: the answers close the order "
        "(an unsatisfied one waits for the supervisor's rework or close); `satisfaction` is "
        "then required (400 without). Not reached: the attempt is counted, and the third "
        "failed call closes the order as unreachable. An order not awaiting its return visit "
        "answers 409."
    ),
)
def visit_call(request, order_id: int, payload: VisitCallIn):
    user = request.user
    order = _get(user, order_id)
    if payload.reached and payload.satisfaction not in Visit.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied you are.")})
    try:
        services.record_call(
            actor=user,
            order=order,
            reached=payload.reached,
            solved=payload.solved if payload.reached else None,
            satisfaction=payload.satisfaction if payload.reached else "",
            comment=payload.comment.strip()[:2000],
        )
    except IllegalTransition as exc:
        return _conflict(exc)
    return _fresh(order)


# -- photos (照片) and the return-visit text message ------------------------------------------


@router.get(
    "/orders/{order_id}/photos",
    response={200: list[PhotoOut], 404: ErrorOut},
    summary="The order's photos (照片)",
    description=(
        "The complainant's photos and the handling unit's on-site evidence, oldest first. "
        "The company a complaint concerns sees the photos but not who took them at intake."
    ),
)
def photo_list(request, order_id: int):
    order = _get(request.user, order_id)
    return order.attachments.select_related("uploaded_by", "order")


@router.post(
    "/orders/{order_id}/photos",
    response={201: list[PhotoOut], **ERRORS},
    summary="Add photos to an order (multipart, field `files`)",
    description=(
        "multipart/form-data with one or more `files`. The complainant or the intake desk "
        "adds photos to an open order; the lead unit adds on-site evidence while it handles "
        "the order (signed or in progress). Images only (JPEG, PNG, WebP, GIF, checked by "
        "content), each at most ANJU_PHOTO_MAX_BYTES (10 MB by default), at most "
        "ANJU_PHOTO_MAX_COUNT (9) per order and stage; any bad file answers 400 naming it "
        "and nothing is stored."
    ),
)
def photo_add(request, order_id: int, files: File[list[UploadedFile]]):
    order = _get(request.user, order_id)
    rows = attachments.attach(actor=request.user, order=order, uploads=files)
    return Status(
        201,
        [
            attachments.Attachment.objects.select_related("order", "uploaded_by").get(pk=r.pk)
            for r in rows
        ],
    )


@router.get(
    "/orders/photos/{photo_id}/file",
    response={200: None, 404: ErrorOut},
    summary="One photo's file (or its thumbnail)",
    description=(
        "The image itself, to whoever may see its order; `thumbnail=true` for a small JPEG."
    ),
)
def photo_file(request, photo_id: int, thumbnail: bool = False):
    return attachments.photo_response(
        attachments.visible_photo(request.user, photo_id), thumbnail=thumbnail
    )


@router.post(
    "/orders/{order_id}/visit-link/send",
    response={201: VisitMessageOut, 409: ErrorOut, **ERRORS},
    summary="Text the return-visit link to the complainant (发送回访短信)",
    description=(
        "A visitor of the order's area sends the complainant's personal link again (it is "
        "sent once by itself when the visit opens). Recorded with the masked number and "
        "whether the gateway took it (`failed` is still 201). No phone, or sent 5 times "
        "already: 400; an order not waiting for its return visit: 409."
    ),
)
def visit_link_send(request, order_id: int):
    user = request.user
    order = _get(user, order_id)
    if Actor.VISITOR not in actors_for(user, order):
        raise PermissionDenied
    visit = visit_sms.open_visit(order)
    if visit is None:
        return Status(409, {"detail": _("This order is not waiting for the complainant's answer.")})
    try:
        message = visit_sms.send_link(visit=visit, actor=user)
    except IllegalTransition as exc:
        return _conflict(exc)
    return Status(201, message)


# Operations on the reference data, joint meetings, cluster alerts and the figures' weights
# and snapshots, on this router.
from anju.workorders import config_api, figures_api, meeting_api  # noqa: E402, F401
