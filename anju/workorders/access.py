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
from anju.workorders.machine import Actor
from anju.workorders.models import Assignment, WorkOrder


def order_filter(scope: Scope, action: str) -> Q:
    result: Q | None = None
    for g in scope.grants_for(action):
        if g.kind == "all":
            return EVERYTHING
        if g.kind == "prefix" and g.department_id:
            assigned = Assignment.objects.filter(department_id=g.department_id)
            q = Q(pk__in=assigned.values("order_id"))
        elif g.kind == "prefix":
            q = Q(region_code__codeprefix=g.value)
        elif g.kind == "grid":
            q = Q(estate__grid_id=g.value)
        elif g.kind == "company":
            q = Q(pk__in=Assignment.objects.filter(company_id=g.value).values("order_id"))
        elif g.kind == "unit" and scope.user_id:
            q = Q(complainant_user_id=scope.user_id)
        else:
            continue
        result = q if result is None else result | q
    return NOTHING if result is None else result


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
