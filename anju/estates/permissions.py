from django.db.models import Exists, OuterRef, Q

from anju.accounts.roles import Action
from anju.accounts.scope import estate_filter
from anju.core.policy import Policy
from anju.estates.models import Building, Estate, Owner, Ownership, Resident, Unit

estate_policy = Policy(
    Estate,
    view=Action.REGISTRY_VIEW,
    change=Action.REGISTRY_CHANGE,
    scope_filter=lambda scope, action: estate_filter(scope, action),
)
building_policy = Policy(
    Building,
    view=Action.REGISTRY_VIEW,
    change=Action.REGISTRY_CHANGE,
    scope_filter=lambda scope, action: estate_filter(scope, action, path="estate__"),
)
unit_policy = Policy(
    Unit,
    view=Action.REGISTRY_VIEW,
    change=Action.REGISTRY_CHANGE,
    scope_filter=lambda scope, action: estate_filter(scope, action, path="estate__", unit_path=""),
)
ownership_policy = Policy(
    Ownership,
    view=Action.OWNERS_VIEW,
    change=Action.OWNERS_CHANGE,
    scope_filter=lambda scope, action: estate_filter(
        scope, action, path="unit__estate__", unit_path="unit__"
    ),
)
resident_policy = Policy(
    Resident,
    view=Action.OWNERS_VIEW,
    change=Action.OWNERS_CHANGE,
    scope_filter=lambda scope, action: estate_filter(
        scope, action, path="unit__estate__", unit_path="unit__"
    ),
)


def _owner_filter(scope, action):
    """Owners holding a unit in scope.

    A district-wide scope holds most owners, so walking owners in list order and checking
    each (EXISTS) finds a page at once. A narrower scope (a street, a grid, an estate...)
    holds few of them: collecting its owners from its own units (IN) is then hundreds of
    times faster than checking every owner of the city.
    """
    in_scope = Ownership.objects.filter(
        estate_filter(scope, action, path="unit__estate__", unit_path="unit__")
    )
    if any(_wide(g) for g in scope.grants_for(action)):
        return Exists(in_scope.filter(owner_id=OuterRef("pk")))
    return Q(pk__in=in_scope.values("owner_id"))


def _wide(grant) -> bool:
    return grant.kind == "all" or (grant.kind == "prefix" and len(str(grant.value)) <= 6)


owner_policy = Policy(
    Owner,
    view=Action.OWNERS_VIEW,
    change=Action.OWNERS_CHANGE,
    scope_filter=lambda scope, action: _owner_filter(scope, action),
)


def owner_region_code(actor, owner: Owner) -> str:
    """Return the region of an owner's unit that the actor may reveal (logs a PII reveal there)."""
    ownership = (
        ownership_policy.visible(actor, Action.PII_REVEAL)
        .filter(owner=owner)
        .select_related("unit__estate")
        .order_by("id")
        .first()
    )
    return ownership.unit.estate.region_code if ownership is not None else ""
