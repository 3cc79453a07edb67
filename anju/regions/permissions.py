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


def visible_region_names(actor) -> list[tuple[str, str, str]]:
    """(code, name, level) of the streets and communities the actor sees, by code: one query
    per request however many filters of a page offer them (kept on the actor object, like its
    scope)."""
    cached = getattr(actor, "_anju_region_names", None)
    if cached is None:
        levels = [Region.Level.STREET, Region.Level.COMMUNITY]
        rows = region_policy.visible(actor).filter(level__in=levels).order_by("code")
        cached = list(rows.values_list("code", "name", "level"))
        actor._anju_region_names = cached
    return cached


def street_choices(actor) -> list[tuple[str, str]]:
    """A list filter's streets: the 9-digit code prefix and the name."""
    return [
        (code[:9], name) for code, name, level in visible_region_names(actor) if level == "street"
    ]


def community_choices(actor) -> list[tuple[str, str]]:
    return [
        (code, name) for code, name, level in visible_region_names(actor) if level == "community"
    ]
