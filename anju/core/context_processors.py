import html

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.chrome import Chrome

NAVIGATION = [
    (_("Overview"), "core:home", None),
    (_("Regions"), "regions:list", Action.REGIONS_VIEW),
    (_("Estates"), "estates:list", Action.REGISTRY_VIEW),
    (_("Units"), "estates:unit_list", Action.REGISTRY_VIEW),
    (_("Owners"), "estates:owner_list", Action.OWNERS_VIEW),
    (_("Companies"), "companies:list", Action.COMPANIES_VIEW),
    (_("Service contracts"), "companies:contract_list", Action.CONTRACTS_VIEW),
    (_("Work orders"), "workorders:list", Action.ORDERS_VIEW),
    (_("Intake desk"), "workorders:create", Action.ORDERS_INTAKE),
    (_("File a complaint"), "workorders:report", Action.ORDERS_SUBMIT),
    (_("My complaints"), "workorders:mine", Action.ORDERS_SUBMIT),
    (_("Responsibility matrix"), "workorders:matrix", Action.ORDERS_DISPATCH),
    (_("Joint meetings"), "workorders:meetings", Action.ORDERS_MEDIATE),
    (_("Cluster alerts"), "workorders:clusters", Action.ORDERS_DISPATCH),
    (
        _("Complaint figures"),
        "workorders:figures",
        (Action.ORDERS_DISPATCH, Action.ORDERS_SUPERVISE),
    ),
    (_("Owners' votes"), "voting:list", Action.VOTES_VIEW),
    (_("My votes"), "voting:mine", Action.VOTES_CAST),
    (_("Working calendar"), "core:calendar", Action.CALENDAR_VIEW),
    (_("Imports"), "core:import_list", Action.LEDGER_IMPORT),
    (_("Audit log"), "core:audit_list", Action.AUDIT_VIEW),
]


_URLS: dict[tuple, str] = {}


def _url(name: str) -> str:
    """reverse(name) for the argument-free URLs of the navigation, once per URLconf and
    script prefix rather than some twenty times on every page."""
    key = (get_urlconf(), get_script_prefix(), name)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name)
    return url


def navigation(request):
    """The site chrome for base.html; the sidebar entries are worked out only when a full
    page renders it."""
    return {"chrome": Chrome(request, lambda: _sidebar(request))}


def nav_items(request) -> list[dict]:
    scope = scope_of(request.user)
    items = []
    for label, name, action in NAVIGATION:
        actions = action if isinstance(action, tuple) else (action,)
        if action is None or any(scope.allows(a) for a in actions):
            items.append({"label": label, "url": _url(name), "active": False})
    # The entry whose URL is the longest prefix of the current path is the active one.
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items


def _sidebar(request) -> tuple[SafeString, set[str]]:
    return nav_html(nav_items(request)), scope_of(request.user).roles


def nav_html(items: list[dict]) -> SafeString:
    """The sidebar entries, as the loop in base.html rendered them (built here: every page
    has them)."""
    parts = [
        f'<li class="nav-item{" active" if item["active"] else ""}"><a class="nav-link" '
        f'href="{html.escape(item["url"])}"><span class="nav-link-title">'
        f"{conditional_escape(item['label'])}</span></a></li>"
        for item in items
    ]
    return mark_safe("\n".join(parts))  # noqa: S308 - every part escaped above
