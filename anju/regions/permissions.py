from django.db.models import Q

from anju.accounts.roles import Action
from anju.accounts.scope import NOTHING, Scope
from anju.core.policy import Policy
from anju.regions.models import Department, Grid, Region


def _region_filter(scope: Scope, action: str, path: str = "") -> Q:
    result = None
    for g in scope.grants_for(action):
        if g.kind == "all":
            return Q()
        if g.kind == "prefix":
            q = Q(**{f"{path}code__codeprefix": g.value})
        elif g.kind == "grid" and path in {"", "community__"}:
            # A grid worker sees the community their grid belongs to, and that grid.
            q = Q(grids=g.value) if path == "" else Q(pk=g.value)
        else:
            continue
        result = q if result is None else result | q
    return NOTHING if result is None else result


region_policy = Policy(
    Region, view=Action.REGIONS_VIEW, change=Action.REGIONS_CHANGE, scope_filter=_region_filter
)
department_policy = Policy(
    Department,
    view=Action.REGIONS_VIEW,
    change=Action.REGIONS_CHANGE,
    scope_filter=lambda scope, action: _region_filter(scope, action, "district__"),
)
grid_policy = Policy(
    Grid,
    view=Action.REGIONS_VIEW,
    change=Action.REGIONS_CHANGE,
    scope_filter=lambda scope, action: _region_filter(scope, action, "community__"),
)
