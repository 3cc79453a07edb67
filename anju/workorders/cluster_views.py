"""Cluster alerts (群体性苗头): several similar complaints from one estate in a short time.
The street (and the district above it) lists its alerts, opens one to see the orders behind
it, and marks it handled with a note. Alerts are fetched through duplicates.alert_policy."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.forms import StyledFormMixin
from anju.core.listing import Column, Filter, Listing, ListingView, detail_link
from anju.workorders import duplicates
from anju.workorders.access import order_policy
from anju.workorders.models import ClusterAlert, WorkOrder
from anju.workorders.views import state_css

SHOWN_NUMBERS = 5


class AlertListing(Listing):
    def queryset(self, actor, params):
        numbers = WorkOrder.objects.only("pk", "number").order_by("number")
        return (
            super()
            .queryset(actor, params)
            .prefetch_related(Prefetch("orders", queryset=numbers, to_attr="linked"))
        )


def _numbers(alert: ClusterAlert) -> str:
    numbers = [o.number for o in alert.linked]
    more = len(numbers) - SHOWN_NUMBERS
    text = "、".join(numbers[:SHOWN_NUMBERS])
    return text + (gettext(" and %(n)s more") % {"n": more} if more > 0 else "")


def _state(alert: ClusterAlert) -> str:
    return str(_("handled") if alert.acknowledged_at else _("open"))


class ClusterListView(ListingView):
    listing = AlertListing(
        policy=duplicates.alert_policy,
        title=_("Cluster alerts"),
        columns=[
            Column("day", _("day"), lambda a: a.day, sort="day", link=True),
            Column("estate", _("estate"), lambda a: a.estate.name, sort="estate__name"),
            Column("category", _("category group"), lambda a: a.category.name),
            Column("count", _("orders"), lambda a: a.count, sort="count"),
            Column("linked", _("orders linked"), _numbers),
            Column("state", _("state"), _state),
        ],
        search_fields=["estate__name__icontains"],
        search_help=_("Estate"),
        filters=[
            Filter(
                "open",
                _("state"),
                "acknowledged_at__isnull",
                choices=[("1", _("open")), ("0", _("handled"))],
                transform=lambda raw: raw == "1",
            ),
        ],
        default_sort="-day",
        select_related=["estate", "category"],
        export_name="cluster-alerts",
        detail_url=detail_link("workorders:cluster_detail"),
    )


class HandleForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("handling note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done: a visit, a talk with the company, a joint meeting..."),
    )


def _alert(actor, pk) -> ClusterAlert:
    return duplicates.alert_policy.get(
        actor, pk, qs=ClusterAlert.objects.select_related("estate", "category", "handled_by")
    )


def cluster_detail(request, pk):
    actor = request.user
    alert = _alert(actor, pk)
    orders = list(
        order_policy.visible(actor)
        .filter(pk__in=alert.orders.values("pk"))
        .select_related("category")
        .only("pk", "number", "title", "state", "created_at", "category__name")
        .order_by("created_at")
    )
    may_handle = alert.acknowledged_at is None and covers_region(
        scope_of(actor), Action.ORDERS_DISPATCH, alert.region_code
    )
    context = {
        "alert": alert,
        "orders": [{"order": o, "state_css": state_css(o.state)} for o in orders],
        "hidden": alert.orders.count() - len(orders),
        "form": HandleForm() if may_handle else None,
    }
    return render(request, "workorders/cluster_detail.html", context)


@require_POST
def cluster_handle(request, pk):
    actor = request.user
    alert = _alert(actor, pk)
    if not covers_region(scope_of(actor), Action.ORDERS_DISPATCH, alert.region_code):
        raise PermissionDenied
    form = HandleForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, f"{form.fields['note'].label}：{error}")
        return redirect("workorders:cluster_detail", alert.pk)
    try:
        duplicates.cluster_alert_handle(actor=actor, alert=alert, note=form.cleaned_data["note"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Alert marked handled."))
    return redirect("workorders:cluster_detail", alert.pk)
