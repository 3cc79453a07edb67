"""What an actor may see: one grant per membership, turned into queryset filters.

Visibility is a division-code prefix match plus the object links (grid, company contract,
committee estate, owned unit). A grant only counts for the actions its role allows, so a
user with two memberships never carries one role's rights into the other's scope.
"""

import hashlib
import time
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from anju.accounts.roles import ROLE_ACTIONS
from anju.regions.rules import prefix_of


@dataclass(frozen=True)
class Grant:
    role: str
    actions: frozenset[str]
    kind: str  # all | prefix | grid | company | estate | unit
    value: str | int = ""
    estate_id: int | None = None  # for unit grants: the unit's estate
    department_id: int | None = None  # for department memberships (their district's prefix)


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...]
    user_id: int | None = None  # for rows tied to the user themselves (an owner's complaints)

    def allows(self, action: str) -> bool:
        return any(action in g.actions for g in self.grants)

    def grants_for(self, action: str) -> list[Grant]:
        return [g for g in self.grants if action in g.actions]

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    @property
    def company_ids(self) -> set[int]:
        return {int(g.value) for g in self.grants if g.kind == "company"}


NOTHING = Q(pk__in=[])
EVERYTHING = Q()


MEMBERSHIP_COLUMNS = (
    "role",
    "region__code",
    "grid_id",
    "department_id",
    "department__district__code",
    "company_id",
    "estate_id",
    "unit_id",
    "unit__estate_id",
)
_MEMBERSHIP_SQL: dict[str, str] = {}


def _membership_rows(user) -> list[tuple]:
    """The user's memberships as MEMBERSHIP_COLUMNS. The SQL is the ORM's, compiled once per
    database: this runs on every page, and compiling the four joins cost more than running
    them."""
    from anju.accounts.models import Membership

    alias = router.db_for_read(Membership)
    connection = connections[alias]
    sql = _MEMBERSHIP_SQL.get(alias)
    if sql is None:
        marker = -1
        query = Membership.objects.filter(user_id=marker).values_list(*MEMBERSHIP_COLUMNS)
        sql, params = query.query.get_compiler(using=alias).as_sql()
        if list(params) != [marker]:  # pragma: no cover - the ORM's SQL has one parameter
            return list(user.memberships.values_list(*MEMBERSHIP_COLUMNS))
        _MEMBERSHIP_SQL[alias] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return [list(row) for row in cursor.fetchall()]


# A page request carries its session on the user (anju.core.middleware.LoginRequired): what
# the scope is built from is kept there between requests, stamped with the user's
# scope_version (bumped by anju.accounts.signals when memberships or regions change) and
# with the time, so a change made around the signals still shows within SNAPSHOT_TTL.
SNAPSHOT_KEY = "_anju_scope"
SNAPSHOT_TTL = 600  # seconds
SNAPSHOT_MAX_ROWS = 500  # a larger list is recomputed per request rather than kept
# Changes with the shape of what is kept, so a deploy never reads an older shape.
SNAPSHOT_FORMAT = hashlib.sha256(
    repr((1, MEMBERSHIP_COLUMNS, ("code", "name", "level"))).encode()
).hexdigest()[:8]


def session_cached(user, name: str, compute):
    """compute() kept in the user's session under name while the user's scope_version holds;
    compute() itself when the user has no session (API clients, tasks, tests)."""
    session = getattr(user, "_anju_session", None)
    if session is None:
        return compute()
    version = getattr(user, "scope_version", None)
    now = time.time()
    snapshot = session.get(SNAPSHOT_KEY)
    if (
        not isinstance(snapshot, dict)
        or snapshot.get("v") != version
        or snapshot.get("f") != SNAPSHOT_FORMAT
        or not isinstance(snapshot.get("t"), int | float)
        or not 0 <= now - snapshot["t"] < SNAPSHOT_TTL
    ):
        snapshot = {"v": version, "f": SNAPSHOT_FORMAT, "t": now}
    elif name in snapshot:
        return snapshot[name]
    value = compute()
    if len(value) <= SNAPSHOT_MAX_ROWS:
        snapshot[name] = value
        session[SNAPSHOT_KEY] = snapshot
    return value


def scope_of(user) -> Scope:
    """Return the actor's scope, computed once per request and cached on the user object."""
    cached = getattr(user, "_anju_scope", None)
    if cached is not None:
        return cached
    grants: list[Grant] = []
    if user is not None and user.is_authenticated and user.is_active:
        if user.is_superuser:
            all_actions = frozenset().union(*ROLE_ACTIONS.values())
            grants.append(Grant(role="superuser", actions=all_actions, kind="all"))
        rows = session_cached(user, "memberships", lambda: _membership_rows(user))
        for (
            role,
            region,
            grid,
            department,
            district,
            company,
            estate,
            unit,
            unit_estate,
        ) in rows:
            actions = ROLE_ACTIONS.get(role, frozenset())
            if region:
                grants.append(Grant(role, actions, "prefix", prefix_of(region)))
            elif grid:
                grants.append(Grant(role, actions, "grid", grid))
            elif department:
                prefix = prefix_of(district)
                grants.append(Grant(role, actions, "prefix", prefix, department_id=department))
            elif company:
                grants.append(Grant(role, actions, "company", company))
            elif estate:
                grants.append(Grant(role, actions, "estate", estate))
            elif unit:
                grants.append(Grant(role, actions, "unit", unit, unit_estate))
    scope = Scope(tuple(grants), user.pk if user is not None else None)
    if user is not None:
        user._anju_scope = scope
    return scope


def _active_contract_exists(company_id: int, estate_ref: str) -> Exists:
    from anju.companies.models import ServiceContract

    today = timezone.localdate()
    return Exists(
        ServiceContract.objects.filter(
            estate_id=OuterRef(estate_ref), company_id=company_id, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    )


def _estates_where(path: str, **conditions) -> Q:
    """Rows whose estate meets conditions. For rows reached through a relation (units,
    ownerships...) the estates are a subquery rather than a join: the database can then
    walk the rows' own (estate_id, ...) index in order, so the first page of a list of a
    hundred thousand units needs no sort of all of them."""
    if not path:
        return Q(**conditions)
    from anju.estates.models import Estate

    return Q(**{f"{path}id__in": Estate.objects.filter(**conditions).values("id")})


def estate_filter(scope: Scope, action: str, *, path: str = "", unit_path: str | None = None) -> Q:
    """Return a filter for rows tied to an estate reached through `path` (e.g. "estate__").

    With unit_path (e.g. "" for Unit, "unit__" for Ownership), an owner's grant narrows to
    their own units instead of their whole estate.
    """
    estate_ref = f"{path}id" if path else "pk"
    result: Q | None = None
    for g in scope.grants_for(action):
        if g.kind == "all":
            return EVERYTHING
        if g.kind == "prefix":
            q = _estates_where(path, region_code__codeprefix=g.value)
        elif g.kind == "grid":
            q = _estates_where(path, grid_id=g.value)
        elif g.kind == "company":
            q = Q(_active_contract_exists(int(g.value), estate_ref))
        elif g.kind == "estate":
            q = Q(**{estate_ref: g.value})
        elif g.kind == "unit":
            if unit_path is not None:
                q = Q(**{f"{unit_path}id" if unit_path else "pk": g.value})
            else:
                q = Q(**{estate_ref: g.estate_id})
        else:
            continue
        result = q if result is None else result | q
    return NOTHING if result is None else result


def estate_filter_key(scope: Scope, action: str) -> tuple:
    """What estate_filter(scope, action, path=...) without unit_path depends on, as a key: the
    grants, with an owner's unit grant reduced to its estate (all that filter reads of it).
    Two scopes with one key get the same filter, so SQL compiled for one serves the other."""
    return tuple(
        sorted(
            {
                (g.kind, None if g.kind == "unit" else g.value, g.estate_id)
                for g in scope.grants_for(action)
            },
            key=repr,
        )
    )


def covers_region(scope: Scope, action: str, code: str) -> bool:
    """True when a grant for action covers the region with this code (for creating rows there)."""
    for g in scope.grants_for(action):
        if g.kind == "all" or (g.kind == "prefix" and code.startswith(str(g.value))):
            return True
    return False
