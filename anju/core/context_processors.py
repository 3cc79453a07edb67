from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of

NAVIGATION = [
    (_("Overview"), "core:home", None),
    (_("Regions"), "regions:list", Action.REGIONS_VIEW),
    (_("Estates"), "estates:list", Action.REGISTRY_VIEW),
    (_("Units"), "estates:unit_list", Action.REGISTRY_VIEW),
    (_("Owners"), "estates:owner_list", Action.OWNERS_VIEW),
    (_("Companies"), "companies:list", Action.COMPANIES_VIEW),
    (_("Service contracts"), "companies:contract_list", Action.CONTRACTS_VIEW),
    (_("Imports"), "core:import_list", Action.LEDGER_IMPORT),
    (_("Audit log"), "core:audit_list", Action.AUDIT_VIEW),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    items = []
    for label, name, action in NAVIGATION:
        if action is None or scope.allows(action):
            url = reverse(name)
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items, "scope": scope}
