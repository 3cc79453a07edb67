"""The metric dashboard of the complaint system (complaints.md §3, issue item 11).

One month of 三率 and the guard metrics over the orders the user may see, grouped by street,
estate, company or department: headline cards, a ranking table (also as Excel), a chart of
the composite score and one of the year's orders by channel. Supervisors save the month as a
snapshot of their district and publish it; a published version is frozen.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.excel import workbook_bytes
from anju.core.forms import apply_service_errors, mark_invalid
from anju.regions.models import Region
from anju.regions.permissions import region_policy
from anju.regions.rules import prefix_of
from anju.workorders import snapshots
from anju.workorders.access import order_policy, region_prefixes
from anju.workorders.metrics import Figures, channel_counts, compute, month_bounds
from anju.workorders.models import Channel, MetricSnapshot, MetricWeights
from anju.workorders.weights import (
    WeightsForm,
    district_covering,
    district_of,
    for_actor,
    may_configure,
    weights_save,
)

GROUPS = {
    "street": _("Street"),
    "estate": _("Estate"),
    "company": _("Property company"),
    "department": _("Department"),
}
DEFAULT_GROUP = "street"
# The table's rate columns, in order (each shown as a percentage with one decimal).
RATE_COLUMNS = [
    ("response", _("Response rate")),
    ("solve", _("Solve rate")),
    ("satisfaction", _("Satisfaction rate")),
    ("score", _("Composite score")),
    ("sign", _("Signed on time")),
    ("on_time", _("On-time rate")),
    ("overdue", _("Overdue rate")),
    ("return", _("Return rate")),
    ("rework", _("Rework rate")),
    ("rejected", _("Rejection rate")),
    ("merged", _("Merge rate")),
]
YOY_TARGET = Decimal("-0.15")  # complaints: down 15 % on the same month last year
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# -- parameters -------------------------------------------------------------------------------


def _last_full_month(today: date) -> tuple[int, int]:
    previous = today.replace(day=1) - timedelta(days=1)
    return previous.year, previous.month


def parse_month(value: str | None, today: date) -> tuple[int, int]:
    """`2026-10` -> (2026, 10); anything else (or a month not yet over) -> the last full month."""
    default = _last_full_month(today)
    match = MONTH_RE.match(value or "")
    if not match:
        return default
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12) or (year, month) > (today.year, today.month):
        return default
    return year, month


def parse_group(value: str | None) -> str:
    return value if value in GROUPS else DEFAULT_GROUP


def _require(actor) -> None:
    scope = scope_of(actor)
    if not (scope.allows(Action.ORDERS_DISPATCH) or scope.allows(Action.ORDERS_SUPERVISE)):
        raise PermissionDenied


def supervised_districts(actor) -> list[Region]:
    """The districts whose snapshots the actor may take: the district regions whose code
    prefix covers one of their supervision grants."""
    grants = scope_of(actor).grants_for(Action.ORDERS_SUPERVISE)
    districts = Region.objects.filter(level="district").order_by("code")
    if any(g.kind == "all" for g in grants):
        return list(districts)
    prefixes = [str(g.value) for g in grants if g.kind == "prefix"]
    return [d for d in districts if any(p.startswith(prefix_of(d.code)) for p in prefixes)]


# -- formatting -------------------------------------------------------------------------------


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def one_decimal(value: Decimal | None) -> str:
    return "—" if value is None else str(value.quantize(Decimal("0.1")))


def _row(f: Figures) -> dict:
    return {
        "rank": f.rank,
        "label": f.label or gettext("(none)"),
        "created": f.created,
        "complaints": f.complaints,
        "rates": [percent(f.rates.get(key)) for key, _label in RATE_COLUMNS],
        "per_10k": one_decimal(f.rates.get("per_10k_households")),
        "sample": f.sample,
    }


def _headers(group: str) -> list[str]:
    return [
        gettext("Rank"),
        str(GROUPS[group]),
        gettext("Orders created"),
        gettext("Complaints"),
        *[str(label) for _key, label in RATE_COLUMNS],
        gettext("Complaints per 10,000 households"),
    ]


def _headline(total: Figures) -> dict:
    rates = total.rates
    yoy = rates.get("yoy")
    return {
        "cards": [
            (gettext("Response rate"), percent(rates.get("response")), "response"),
            (gettext("Solve rate"), percent(rates.get("solve")), "solve"),
            (gettext("Satisfaction rate"), percent(rates.get("satisfaction")), "satisfaction"),
            (gettext("Composite score"), percent(rates.get("score")), "score"),
            (gettext("On-time rate"), percent(rates.get("on_time")), "on_time"),
            (gettext("Overdue rate"), percent(rates.get("overdue")), "overdue"),
        ],
        "complaints": total.complaints,
        "complaints_last_year": total.complaints_last_year,
        "yoy": percent(yoy),
        "yoy_met": None if yoy is None else yoy <= YOY_TARGET,
        "target": percent(YOY_TARGET),
        "rejected": percent(rates.get("rejected")),
        "merged": percent(rates.get("merged")),
    }


def _total(orders, start, end, regions, weights=None) -> Figures:
    figures = compute(orders, start, end, group="all", regions=regions, weights=weights)
    if figures:
        return figures[0]
    return Figures(None, rates={})


# -- charts (drawn by static/anju-charts.js from a json_script, like the home page) ----------


def _score_chart(figures: list[Figures]) -> dict | None:
    scored = [f for f in figures if f.rates.get("score") is not None]
    if not scored:
        return None
    return {
        "title": gettext("Composite score by group (%)"),
        "categories": [f.label or gettext("(none)") for f in scored],
        "series": [
            {
                "name": gettext("Composite score"),
                "type": "bar",
                "data": [float((f.rates["score"] * 100).quantize(Decimal("0.1"))) for f in scored],
            }
        ],
    }


def channel_year(orders, year: int) -> dict[str, int]:
    """The orders of a whole year (to date for the current one) by channel."""
    return channel_counts(orders, month_bounds(year, 1)[0], month_bounds(year, 12)[1])


def _channel_title(year: int) -> str:
    if year == timezone.localdate().year:
        return gettext("Orders by channel, %(year)s to date") % {"year": year}
    return gettext("Orders by channel in %(year)s") % {"year": year}


def _channel_chart(counts: dict[str, int], year: int) -> dict | None:
    if not counts:
        return None
    return {
        "title": _channel_title(year),
        "categories": [str(label) for _value, label in Channel.choices],
        "series": [
            {
                "name": gettext("Orders"),
                "type": "bar",
                "data": [counts.get(value, 0) for value, _label in Channel.choices],
            }
        ],
    }


def _channel_table(counts: dict[str, int]) -> dict:
    """One row per channel (as S2's yearly summary: 现场, 电话, 网络, 12345, 批示 ...) and the
    total; the share of each in one decimal."""
    total = sum(counts.values())
    rows = [
        {
            "channel": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "share": percent(_share(counts.get(value, 0), total)),
        }
        for value, label in Channel.choices
    ]
    return {"rows": rows, "total": total}


def _share(part: int, total: int) -> Decimal | None:
    return None if not total else Decimal(part) / Decimal(total)


def _channel_export(table: dict, year: int) -> HttpResponse:
    headers = [gettext("Channel"), gettext("Orders"), gettext("Share")]
    rows = [[r["label"], r["count"], r["share"]] for r in table["rows"]]
    rows.append([gettext("Total"), table["total"], percent(_share(table["total"], table["total"]))])
    title = gettext("Orders by channel %(year)s") % {"year": year}
    return _xlsx(workbook_bytes([(title, headers, rows)]), f"orders-by-channel-{year}.xlsx")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- pages ------------------------------------------------------------------------------------


def _figures_url(year: int, month: int, group: str) -> str:
    query = urlencode({"month": f"{year}-{month:02d}", "group": group})
    return f"{reverse('workorders:figures')}?{query}"


def _published(actor, first: date, group: str, params) -> tuple[Region | None, list, object]:
    """The district whose snapshots match the actor's figures, the month's versions, and
    the published version to show (the newest, or ?version=N) unless ?live=1."""
    district = district_of(actor)
    if district is None:
        return None, [], None
    versions = snapshots.versions(district.code, first, group)
    published = [v for v in versions if v.published_at is not None]
    if params.get("live") == "1" or not published:
        return district, versions, None
    wanted = params.get("version")
    chosen = next((v for v in published if str(v.version) == wanted), published[0])
    return district, versions, chosen


def _weights_view(w, row=None, *, district=None, actor=None) -> dict:
    return {
        "basic": w.basic,
        "response": percent(w.response),
        "solve": percent(w.solve),
        "satisfy": percent(w.satisfy),
        "min_sample": w.min_sample,
        "row": row,
        "edit_url": (
            reverse("workorders:weights", args=[district.pk])
            if district is not None and actor is not None and may_configure(actor, district)
            else ""
        ),
    }


@login_required
def figures(request):
    actor = request.user
    _require(actor)
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today)
    group = parse_group(request.GET.get("group"))
    start, end = month_bounds(year, month)
    first = date(year, month, 1)
    orders = order_policy.visible(actor)
    regions = region_prefixes(actor)
    _district, versions, published = _published(actor, first, group, request.GET)
    if published is not None:
        rows = snapshots.stored_figures(published)
        total = snapshots.stored_total(published)
        weights = _weights_view(snapshots.stored_weights(published))
    else:
        live_weights, weights_row = for_actor(actor, first)
        rows = compute(orders, start, end, group=group, regions=regions, weights=live_weights)
        total = _total(orders, start, end, regions, live_weights)
        weights = _weights_view(
            live_weights, weights_row, district=district_covering(actor), actor=actor
        )
    headers = _headers(group)
    table = [_row(f) for f in rows]

    export = request.GET.get("export")
    if export == "xlsx":
        return _export(headers, table, year, month, group)
    channel_counts_year = channel_year(orders, year)
    channels = _channel_table(channel_counts_year)
    if export == "channels":
        return _channel_export(channels, year)

    districts = supervised_districts(actor)
    month_snapshots = MetricSnapshot.objects.filter(
        region_code__in=[d.code for d in districts], month=first
    ).order_by("region_code", "group", "-version")
    names = {d.code: d.name for d in districts}
    base_url = _figures_url(year, month, group)
    query = "&live=1" if request.GET.get("live") == "1" else ""
    if published is not None:
        query = f"&version={published.version}"
    context = {
        "year": year,
        "month": month,
        "month_value": f"{year}-{month:02d}",
        "max_month": f"{today.year}-{today.month:02d}",
        "group": group,
        "groups": list(GROUPS.items()),
        "group_label": GROUPS[group],
        "headers": headers,
        "rate_labels": [label for _key, label in RATE_COLUMNS],
        "table": table,
        "headline": _headline(total),
        "score_chart": _score_chart(rows),
        "channel_chart": _channel_chart(channel_counts_year, year),
        "channels": channels,
        "channel_export_url": base_url + "&export=channels",
        "export_url": base_url + query + "&export=xlsx",
        "published": published,
        "live_url": base_url + "&live=1",
        "published_url": base_url,
        "has_published": any(v.published_at for v in versions),
        "versions": [
            {"obj": v, "url": f"{base_url}&version={v.version}", "current": v == published}
            for v in versions
            if v.published_at is not None
        ],
        "weights": weights,
        "districts": districts,
        "snapshots": [
            {
                "obj": s,
                "region": names.get(s.region_code, s.region_code),
                "group": GROUPS.get(s.group, s.group),
            }
            for s in month_snapshots
        ],
    }
    return render(request, "workorders/metrics.html", context)


def _export(headers, table, year, month, group) -> HttpResponse:
    rows = (
        [
            row["rank"] if row["rank"] is not None else gettext("Sample too small"),
            row["label"],
            row["created"],
            row["complaints"],
            *row["rates"],
            row["per_10k"],
        ]
        for row in table
    )
    title = gettext("Complaint figures %(month)s") % {"month": f"{year}-{month:02d}"}
    content = workbook_bytes([(title, headers, rows)])
    return _xlsx(content, f"complaint-figures-{year}-{month:02d}-{group}.xlsx")


def _require_supervisor(actor) -> None:
    if not scope_of(actor).allows(Action.ORDERS_SUPERVISE):
        raise PermissionDenied


@login_required
@require_POST
def figures_snapshot(request):
    """Save the chosen month and grouping as the newest snapshot of the supervisor's district."""
    actor = request.user
    _require_supervisor(actor)
    today = timezone.localdate()
    year, month = parse_month(request.POST.get("month"), today)
    group = parse_group(request.POST.get("group"))
    districts = supervised_districts(actor)
    chosen = request.POST.get("region")
    region = next((d for d in districts if d.code == chosen), districts[0] if districts else None)
    if region is None:
        raise PermissionDenied
    try:
        snapshot = snapshots.take(actor=actor, region=region, year=year, month=month, group=group)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            gettext("Snapshot version %(version)s saved.") % {"version": snapshot.version},
        )
    return redirect(_figures_url(year, month, group))


@login_required
@require_POST
def figures_publish(request, pk: int):
    """Publish one snapshot version: from then on it is frozen."""
    actor = request.user
    _require_supervisor(actor)
    codes = [d.code for d in supervised_districts(actor)]
    snapshot = MetricSnapshot.objects.filter(pk=pk, region_code__in=codes).first()
    if snapshot is None:
        raise Http404
    try:
        snapshots.publish(actor=actor, snapshot=snapshot)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            gettext("Snapshot version %(version)s published.") % {"version": snapshot.version},
        )
    return redirect(_figures_url(snapshot.month.year, snapshot.month.month, snapshot.group))


# -- the district's weights -------------------------------------------------------------------


@login_required
def weights_edit(request, pk: int):
    """The district's metric weights: the versions so far and a form for a new one."""
    actor = request.user
    district = region_policy.visible(actor).filter(pk=pk, level="district").first()
    if district is None:
        raise Http404
    if not may_configure(actor, district):
        raise PermissionDenied
    today = timezone.localdate()
    current = for_actor_district(district, today)
    initial = {
        "month": today.replace(day=1),
        "basic": current.basic,
        "response": current.response,
        "solve": current.solve,
        "satisfy": current.satisfy,
        "min_sample": current.min_sample,
    }
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = weights_save(
                actor=actor,
                district=district,
                effective_from=data["month"],
                basic=data["basic"],
                response=data["response"],
                solve=data["solve"],
                satisfy=data["satisfy"],
                min_sample=data["min_sample"],
                note=data.get("note", ""),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Weights saved: in force from %(month)s.")
                % {"month": f"{row.effective_from:%Y-%m}"},
            )
            return redirect("workorders:weights", district.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    history = MetricWeights.objects.filter(region=district).select_related("created_by")
    context = {
        "district": district,
        "form": form,
        "history": history,
        "current": _weights_view(current),
        "figures_url": reverse("workorders:figures"),
    }
    return render(request, "workorders/weights.html", context, status=status)


def for_actor_district(district: Region, on: date):
    from anju.workorders.weights import in_force

    return in_force(district.code, on)
