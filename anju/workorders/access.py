"""Who sees a work order, and as which work-order role (complaints.md §2.1) a user acts on it.

Visibility follows the user's grants: district, street and community staff see the orders of
their region; a department or a property company sees the orders assigned to it (lead or
co-unit, now or before a return); a grid worker the orders of the grid's estates; an owner
their own. Acting roles add the user's relation to the order: a handler or unit lead only for
the unit that currently leads it, the complainant only on their own order.
"""

from django.db.models import Q

from anju.accounts.roles import Action
from anju.accounts.scope import EVERYTHING, NOTHING, Scope, scope_of
from anju.core.policy import Policy
from anju.regions.rules import prefix_of
from anju.workorders.machine import OPEN, Actor
from anju.workorders.models import NOT_ACTIVE_LEAD, Assignment, WorkOrder

# Up to this many orders held otherwise than as lead (co-unit, lead before a return), a
# unit's orders are its lead orders (an index range of WorkOrder) or these few ids.
FEW_OTHERS = 2000


def unit_orders(held: Q, lead: dict, *, open_only: bool = False) -> Q:
    """The orders a unit holds through an assignment matching `held` (its company,
    department or region): as lead or co-unit, now or before a return; open_only: the open
    orders it is working on (active assignments), its inbox. lead: the same unit as a
    WorkOrder.lead_* lookup (lead_company_id=…).

    Where the unit holds few orders otherwise than as their active lead (co-unit, lead
    before a return), the filter is its lead orders OR those ids: index ranges of the order
    table, the cheapest count and page. A unit that is a co-unit on many orders (the
    responsibility matrix makes some departments co-units on a third of the orders) gets one
    semi-join on the index of its assignments instead, whose cost follows the rows read.
    Both give the same orders."""
    assignments = Assignment.objects.filter(held)
    if open_only:
        assignments = assignments.filter(active=True, order_state__in=sorted(OPEN))
        others = assignments.filter(role=Assignment.Role.CO)
        base = Q(state__in=OPEN)
    else:
        others = assignments.filter(NOT_ACTIVE_LEAD)
        base = Q()
    ids = list(others.order_by().values_list("order_id", flat=True)[: FEW_OTHERS + 1])
    if len(ids) <= FEW_OTHERS:
        return base & (Q(**lead) | Q(pk__in=ids))
    return base & Q(pk__in=assignments.values("order_id"))


def order_filter(scope: Scope, action: str) -> Q:
    result: Q | None = None
    for g in scope.grants_for(action):
        if g.kind == "all":
            return EVERYTHING
        if g.kind == "prefix" and g.department_id:
            department = g.department_id
            q = unit_orders(Q(department_id=department), {"lead_department_id": department})
        elif g.kind == "prefix":
            q = Q(region_code__codeprefix=g.value)
        elif g.kind == "grid":
            q = Q(estate__grid_id=g.value)
        elif g.kind == "company":
            company = int(g.value)
            q = unit_orders(Q(company_id=company), {"lead_company_id": company})
        elif g.kind == "unit" and scope.user_id:
            q = Q(complainant_user_id=scope.user_id)
        else:
            continue
        result = q if result is None else result | q
    return NOTHING if result is None else result


def region_prefixes(actor, action: str = Action.ORDERS_VIEW) -> list[str] | None:
    """The region-code prefixes whose orders are exactly the actor's visible orders ("" for
    all), or None when a grant reaches orders otherwise (a unit's, a grid's, an owner's)."""
    scope = scope_of(actor)
    prefixes: list[str] = []
    for g in scope.grants_for(action):
        if g.kind == "all":
            return [""]
        if g.kind == "prefix" and not g.department_id:
            prefixes.append(str(g.value))
        elif g.kind in ("prefix", "grid", "company") or (g.kind == "unit" and scope.user_id):
            return None
    return prefixes or None


def narrow_prefixes(prefixes: list[str] | None, prefix: str) -> list[str] | None:
    """The prefixes of the orders under both `prefixes` and `prefix`."""
    if prefixes is None:
        return None
    narrowed = set()
    for p in prefixes:
        if prefix.startswith(p):
            narrowed.add(prefix)
        elif p.startswith(prefix):
            narrowed.add(p)
    return sorted(narrowed)


order_policy = Policy(
    WorkOrder, view=Action.ORDERS_VIEW, change=Action.ORDERS_HANDLE, scope_filter=order_filter
)

# Acting roles that come with an action over the order's region.
REGION_ROLES = {
    Action.ORDERS_INTAKE: Actor.INTAKE,
    Action.ORDERS_DISPATCH: Actor.DISPATCHER,
    Action.ORDERS_SUPERVISE: Actor.SUPERVISOR,
    Action.ORDERS_VISIT: Actor.VISITOR,
    Action.ORDERS_MEDIATE: Actor.MEDIATOR,
}


def _covers_region(grant, order: WorkOrder) -> bool:
    if grant.kind == "all":
        return True
    if grant.kind == "prefix" and not grant.department_id:
        return order.region_code.startswith(str(grant.value))
    if grant.kind == "grid":
        return order.estate is not None and order.estate.grid_id == grant.value
    return False


def _is_unit_member(grant, assignment: Assignment) -> bool:
    if assignment.department_id:
        return grant.department_id == assignment.department_id
    if assignment.company_id:
        return grant.kind == "company" and int(grant.value) == assignment.company_id
    if assignment.region_id:
        return (
            grant.kind == "prefix"
            and not grant.department_id
            and str(grant.value) == prefix_of(assignment.region.code)
        )
    return False


def lead_assignment(order: WorkOrder) -> Assignment | None:
    for a in order.assignments.all():
        if a.role == Assignment.Role.LEAD and a.active:
            return a
    return None


def actors_for(user, order: WorkOrder) -> set[str]:
    """The work-order roles user holds on order (none: the user may not act on it)."""
    scope = scope_of(user)
    roles: set[str] = set()
    for action, role in REGION_ROLES.items():
        if any(_covers_region(g, order) for g in scope.grants_for(action)):
            roles.add(role)
    lead = lead_assignment(order)
    if lead is not None:
        if any(_is_unit_member(g, lead) for g in scope.grants_for(Action.ORDERS_HANDLE)):
            roles.add(Actor.HANDLER)
        if any(_is_unit_member(g, lead) for g in scope.grants_for(Action.ORDERS_LEAD)):
            roles.add(Actor.UNIT_LEAD)
    if order.complainant_user_id and order.complainant_user_id == getattr(user, "pk", None):
        roles.add(Actor.CITIZEN)
    return roles


def may_see_complainant(user, order: WorkOrder) -> bool:
    """A company never sees who complained about it; everyone else who sees the order may
    see the name (phones stay masked unless revealed)."""
    if not order.concerns_company:
        return True
    scope = scope_of(user)
    return any(g.kind != "company" for g in scope.grants_for(Action.ORDERS_VIEW))
