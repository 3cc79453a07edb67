from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Q

from anju.accounts.roles import Action
from anju.accounts.scope import NOTHING, Scope, scope_of, session_cached
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


_REGION_NAMES_SQL: dict[tuple, tuple[str, tuple]] = {}


def visible_region_names(actor) -> list[list[str]]:
    """[code, name, level] of the streets and communities the actor sees, by code: one query
    per request however many filters of a page offer them (kept on the actor object, like its
    scope, and in the session like the memberships). Its SQL depends only on the actor's
    region grants, so it is compiled once per set of grants: on a list page, compiling cost
    more than running it."""
    cached = getattr(actor, "_anju_region_names", None)
    if cached is not None:
        return cached
    cached = actor._anju_region_names = session_cached(
        actor, "regions", lambda: _region_names(actor)
    )
    return cached


def _region_names(actor) -> list[list[str]]:
    alias = router.db_for_read(Region)
    grants = tuple((g.kind, g.value) for g in scope_of(actor).grants_for(Action.REGIONS_VIEW))
    key = (alias, grants)
    compiled = _REGION_NAMES_SQL.get(key)
    if compiled is None:
        levels = [Region.Level.STREET, Region.Level.COMMUNITY]
        rows = region_policy.visible(actor).filter(level__in=levels).order_by("code")
        try:
            sql, params = (
                rows.values_list("code", "name", "level").query.get_compiler(alias).as_sql()
            )
            compiled = (sql, tuple(params))
        except EmptyResultSet:  # no region grant: nothing to run
            compiled = ("", ())
        if len(_REGION_NAMES_SQL) >= 4096:
            _REGION_NAMES_SQL.clear()
        _REGION_NAMES_SQL[key] = compiled
    if not compiled[0]:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(*compiled)
        return [list(row) for row in cursor.fetchall()]


def street_choices(actor) -> list[tuple[str, str]]:
    """A list filter's streets: the 9-digit code prefix and the name."""
    return [
        (code[:9], name) for code, name, level in visible_region_names(actor) if level == "street"
    ]


def community_choices(actor) -> list[tuple[str, str]]:
    return [
        (code, name) for code, name, level in visible_region_names(actor) if level == "community"
    ]
