from django.db.models import Exists, OuterRef, Q

from anju.accounts.roles import Action
from anju.accounts.scope import Scope, estate_filter
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.core.policy import Policy


def _own_companies(scope: Scope, action: str) -> Q | None:
    ids = {int(g.value) for g in scope.grants_for(action) if g.kind == "company"}
    return Q(company_id__in=ids) if ids else None


def _contract_filter(scope: Scope, action: str) -> Q:
    # A company sees its own contracts, not its predecessors' on the estates it now serves.
    others = Scope(tuple(g for g in scope.grants if g.kind != "company"), scope.user_id)
    q = estate_filter(others, action, path="estate__")
    own = _own_companies(scope, action)
    return q | own if own is not None else q


def _company_filter(scope: Scope, action: str) -> Q:
    if any(g.kind == "all" for g in scope.grants_for(action)):
        return Q()
    q = Q(pk__in={int(g.value) for g in scope.grants_for(action) if g.kind == "company"})
    for g in scope.grants_for(action):
        if g.kind == "prefix":
            q |= Q(region_code__codeprefix=g.value)
    if action == Action.COMPANIES_CHANGE:
        # A company's record belongs to the district it is registered in; serving an estate
        # elsewhere lets that district see it, not edit it.
        return q
    contracts = ServiceContract.objects.filter(company_id=OuterRef("pk")).filter(
        estate_filter(scope, action, path="estate__")
    )
    return q | Q(Exists(contracts))


company_policy = Policy(
    PropertyCompany,
    view=Action.COMPANIES_VIEW,
    change=Action.COMPANIES_CHANGE,
    scope_filter=_company_filter,
)
contract_policy = Policy(
    ServiceContract,
    view=Action.CONTRACTS_VIEW,
    change=Action.CONTRACTS_CHANGE,
    scope_filter=_contract_filter,
)
project_manager_policy = Policy(
    ProjectManager,
    view=Action.COMPANIES_VIEW,
    change=Action.COMPANIES_CHANGE,
    scope_filter=lambda scope, action: Q(
        company__in=PropertyCompany.objects.filter(_company_filter(scope, action))
    ),
)
