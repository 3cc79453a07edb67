"""The work-order API (工单): categories, register, list and read, dispatch, every other move.

Every order is fetched through order_policy: one outside the caller's scope answers 404 like
a missing one. The services do the work and write nothing when they refuse: a move the state
machine forbids answers 409 with its message, a missing role 403, bad input 400 with the
field's message.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.companies.models import PropertyCompany
from anju.core.api import ErrorOut, page_of
from anju.estates.permissions import building_policy, estate_policy
from anju.regions.models import Department, Region
from anju.workorders import services
from anju.workorders.access import actors_for, order_policy
from anju.workorders.machine import Act, Actor, IllegalTransition, State
from anju.workorders.models import Assignment, Category, Channel, Event, WorkOrder
from anju.workorders.schemas import (
    ActIn,
    CategoryOut,
    DispatchIn,
    MoveAction,
    OrderFilters,
    OrderOut,
    OrderPage,
    RegisterIn,
    SuggestionOut,
    UnitIn,
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
    "/orders/{order_id}",
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
