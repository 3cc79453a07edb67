from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action, Role
from anju.accounts.scope import NOTHING, scope_of
from anju.core import services
from anju.core.errors import DomainError
from anju.core.forms import apply_service_errors, mark_invalid
from anju.core.listing import Column, Filter, Listing, ListingView
from anju.core.models import AuditEvent
from anju.core.policy import Policy


@login_required
def home(request):
    from anju.companies.permissions import company_policy
    from anju.estates.permissions import estate_policy, owner_policy, unit_policy
    from anju.regions.permissions import region_policy

    actor = request.user
    scope = scope_of(actor)
    cards = []
    if scope.allows(Action.REGIONS_VIEW):
        regions = region_policy.visible(actor)
        cards.append((_("Streets"), regions.filter(level="street").count(), "regions:list"))
        cards.append((_("Communities"), regions.filter(level="community").count(), "regions:list"))
    if scope.allows(Action.REGISTRY_VIEW):
        cards.append((_("Estates"), estate_policy.visible(actor).count(), "estates:list"))
        cards.append((_("Units"), unit_policy.visible(actor).count(), "estates:unit_list"))
    if scope.allows(Action.OWNERS_VIEW):
        cards.append((_("Owners"), owner_policy.visible(actor).count(), "estates:owner_list"))
    if scope.allows(Action.COMPANIES_VIEW):
        cards.append((_("Companies"), company_policy.visible(actor).count(), "companies:list"))
    chart = None
    if scope.allows(Action.REGIONS_VIEW) and scope.allows(Action.REGISTRY_VIEW):
        chart = _estates_by_street_chart(actor)
    my_units = []
    to_vote = []
    if Role.OWNER in scope.roles:
        from anju.voting.views import unvoted_meetings

        my_units = list(unit_policy.visible(actor).select_related("estate", "building"))
        to_vote = unvoted_meetings(actor)
    context = {"cards": cards, "my_units": my_units, "chart": chart, "to_vote": to_vote}
    return render(request, "core/home.html", context)


def _estates_by_street_chart(actor) -> dict | None:
    """Return ECharts data: estates per street, stacked by management mode."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from anju.estates.models import Estate
    from anju.estates.permissions import estate_policy
    from anju.regions.permissions import region_policy

    streets = {s.code[:9]: s.name for s in region_policy.visible(actor).filter(level="street")}
    if not streets:
        return None
    rows = (
        estate_policy.visible(actor)
        .annotate(street=Substr("region_code", 1, 9))
        .values("street", "management_mode")
        .annotate(n=Count("id"))
    )
    counts = {(r["street"], r["management_mode"]): r["n"] for r in rows}
    prefixes = sorted(streets)
    return {
        "title": str(_("Estates by street and management mode")),
        "categories": [streets[p] for p in prefixes],
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "stack": "mode",
                "data": [counts.get((p, mode), 0) for p in prefixes],
            }
            for mode, label in Estate.ManagementMode.choices
        ],
    }


def form_page(request, *, form, title, cancel_url, save, success_url=None):
    """Render form; on a valid POST call save(form.cleaned_data) and redirect to its result.

    Service errors (DomainError, ValidationError) are shown on the form, nothing is written.
    """
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except (DomainError, ValidationError) as error:
            apply_service_errors(form, error)
        else:
            from django.contrib import messages

            messages.success(request, _("Saved."))
            return redirect(success_url or obj.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url},
        status=status,
    )


@login_required
@require_POST
def pii_reveal(request, kind: str, pk: int, field: str):
    """Show one personal-information value in full to a role that may, and log the reveal."""
    value = services.pii_reveal(actor=request.user, kind=kind, pk=pk, field=field)
    return HttpResponse(format_html('<span class="pii" data-testid="revealed">{}</span>', value))


# Writes to what all districts share (the working-day calendar) carry no region; every
# district's auditors see them.
SHARED_AUDIT_PREFIXES = ("calendar_year.", "calendar_day.", "work_schedule.", "matrix.")


def _audit_filter(scope, action):
    result = None
    for g in scope.grants_for(action):
        if g.kind == "all":
            return Q()
        if g.kind == "prefix":
            q = Q(region_code__codeprefix=g.value)
            result = q if result is None else result | q
    if result is None:
        return NOTHING
    shared = Q()
    for prefix in SHARED_AUDIT_PREFIXES:
        shared |= Q(action__startswith=prefix)
    return result | (Q(region_code="") & shared)


audit_policy = Policy(
    AuditEvent, view=Action.AUDIT_VIEW, change=Action.AUDIT_VIEW, scope_filter=_audit_filter
)


def _action_choices(actor):
    actions = audit_policy.visible(actor).order_by("action").values_list("action", flat=True)
    return [(a, a) for a in actions.distinct()]


class AuditListView(ListingView):
    listing = Listing(
        policy=audit_policy,
        title=_("Audit log"),
        columns=[
            Column("time", _("Time"), lambda e: e.created_at, sort="created_at"),
            Column("actor", _("Actor"), lambda e: e.actor or "—", sort="actor__username"),
            Column("action", _("Action"), lambda e: e.action, sort="action"),
            Column(
                "target", _("Target"), lambda e: f"{e.target_repr} ({e.target_type}#{e.target_id})"
            ),
            Column(
                "changes",
                _("Changes"),
                lambda e: ", ".join(f"{k}: {v}" for k, v in (e.changes or {}).items()),
            ),
        ],
        search_fields=[
            "target_repr__icontains",
            "actor__username__icontains",
            "actor__display_name__icontains",
        ],
        search_help=_("Target or actor"),
        filters=[Filter("action", _("Action"), "action", choices=_action_choices)],
        default_sort="-time",
        select_related=["actor"],
        export_name="audit",
    )
