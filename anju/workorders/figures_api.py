"""API operations on the work-order figures beyond the live month: a district's metric
weights by month and the monthly snapshots (registered on anju.workorders.api.router).

The same access as the pages (anju.workorders.metrics_views): a district the caller cannot
see, or a snapshot outside the districts they supervise, answers 404 like a missing one; a
caller who sees it but lacks the action answers 403; bad input 400 naming the field, with
nothing written.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from anju.core.api import ErrorOut, page_of
from anju.regions.models import Region
from anju.regions.permissions import region_policy
from anju.workorders import snapshots
from anju.workorders.api import FIGURE_GROUPS, _figure_out, _month, router
from anju.workorders.metrics_views import (
    _require,
    _require_supervisor,
    supervised_districts,
)
from anju.workorders.models import MetricSnapshot, MetricWeights
from anju.workorders.schemas import FigureOut
from anju.workorders.weights import (
    as_weights,
    district_of,
    may_configure,
    version_in_force,
    weights_save,
)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# -- schemas ---------------------------------------------------------------------------------


class WeightsValuesOut(Schema):
    basic: Decimal = Field(description="How much a 基本满意 counts in the satisfaction rate")
    response: Decimal = Field(description="Weight of the response rate in the composite")
    solve: Decimal = Field(description="Weight of the solve rate in the composite")
    satisfy: Decimal = Field(description="Weight of the satisfaction rate in the composite")
    min_sample: int = Field(description="Fewer ratings than this: listed, not ranked")


class WeightsVersionOut(WeightsValuesOut):
    id: int
    effective_from: date = Field(description="The first day of the month it applies from")
    note: str
    created_by: str | None = None
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        user = obj.created_by
        return None if user is None else (user.get_full_name() or user.get_username())


class CurrentWeightsOut(WeightsValuesOut):
    month: str = Field(description="YYYY-MM: the month these weights are in force for")
    version_id: int | None = Field(description="The version in force; null: the defaults")


class DistrictWeightsOut(Schema):
    district_id: int
    district_code: str
    district_name: str
    may_change: bool = Field(description="Whether the caller may add a version")
    current: CurrentWeightsOut
    versions: list[WeightsVersionOut] = Field(description="Newest effective month first")


class WeightsIn(Schema):
    month: str = Field(description="YYYY-MM: in force from this month (this month or later)")
    basic: Decimal
    response: Decimal
    solve: Decimal
    satisfy: Decimal = Field(description="response + solve + satisfy add up to exactly 1")
    min_sample: int
    note: str = ""


class SnapshotOut(Schema):
    id: int
    region_code: str
    region_name: str
    month: str = Field(description="YYYY-MM")
    group: str
    version: int
    note: str
    published: bool
    published_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class SnapshotDetailOut(SnapshotOut):
    weights: WeightsValuesOut = Field(description="The weights the figures were computed with")
    total: FigureOut = Field(description="The whole region's figures")
    items: list[FigureOut] = Field(description="The stored rows, ranked first")


class SnapshotPage(Schema):
    count: int
    capped: bool
    items: list[SnapshotOut]


class SnapshotIn(Schema):
    month: str = Field(description="YYYY-MM, not after the current month")
    group: str = Field("street", description="street | estate | company | department")
    district_id: int | None = Field(
        None, description="The district (one the caller supervises); default: the first"
    )
    note: str = ""


# -- weights ---------------------------------------------------------------------------------


def _district(actor, district_id: int) -> Region:
    district = region_policy.visible(actor).filter(pk=district_id, level="district").first()
    if district is None:
        raise Http404
    return district


def _weights_out(actor, district: Region) -> dict:
    today = timezone.localdate()
    row = version_in_force(district.code, today)
    values = as_weights(row)
    versions = (
        MetricWeights.objects.filter(region=district)
        .select_related("created_by")
        .order_by("-effective_from")
    )
    return {
        "district_id": district.pk,
        "district_code": district.code,
        "district_name": district.name,
        "may_change": may_configure(actor, district),
        "current": {
            "month": f"{today:%Y-%m}",
            "version_id": None if row is None else row.pk,
            "basic": values.basic,
            "response": values.response,
            "solve": values.solve,
            "satisfy": values.satisfy,
            "min_sample": values.min_sample,
        },
        "versions": list(versions),
    }


@router.get(
    "/orders/figures/weights/{district_id}",
    response={200: DistrictWeightsOut, **ERRORS},
    summary="A district's metric weights (指标权重)",
    description=(
        "The weights in force this month (the defaults before the first version) and every "
        "version so far, newest first: how much a 基本满意 counts, the composite score's "
        "weights and the smallest ranked sample. For those who see the district and dispatch "
        "or supervise; a district out of scope answers 404."
    ),
)
def weights_get(request, district_id: int):
    actor = request.user
    district = _district(actor, district_id)
    _require(actor)
    return _weights_out(actor, district)


@router.post(
    "/orders/figures/weights/{district_id}",
    response={201: DistrictWeightsOut, **ERRORS},
    summary="Add a version of a district's weights (新增指标权重)",
    description=(
        "For the district administrator: a new version in force from `month` (this month "
        "or a later one; one version a month). Each weight lies in [0, 1] and the composite's "
        "three weights add up to exactly 1; `min_sample` from 1 to 1000. Bad input answers "
        "400 naming the field and writes nothing; past months keep their weights."
    ),
)
def weights_create(request, district_id: int, payload: WeightsIn):
    actor = request.user
    district = _district(actor, district_id)
    if not may_configure(actor, district):
        raise PermissionDenied
    year, month = _month(payload.month)
    weights_save(
        actor=actor,
        district=district,
        effective_from=date(year, month, 1),
        basic=payload.basic,
        response=payload.response,
        solve=payload.solve,
        satisfy=payload.satisfy,
        min_sample=payload.min_sample,
        note=payload.note,
    )
    return Status(201, _weights_out(actor, district))


# -- snapshots -------------------------------------------------------------------------------


def _snapshots(actor):
    """The snapshots the figures page offers the caller: every version of the districts they
    supervise, and the published versions of the one district whose figures are theirs."""
    _require(actor)
    q = Q(region_code__in=[d.code for d in supervised_districts(actor)])
    own = district_of(actor)
    if own is not None:
        q |= Q(region_code=own.code, published_at__isnull=False)
    names = Region.objects.filter(code=OuterRef("region_code")).values("name")[:1]
    return MetricSnapshot.objects.filter(q).annotate(region_name=Subquery(names))


def _group(value: str) -> str:
    if value not in FIGURE_GROUPS:
        raise ValidationError({"group": _("Group by street, estate, company or department.")})
    return value


def _summary(snapshot: MetricSnapshot) -> dict:
    return {
        **{name: getattr(snapshot, name) for name in SNAPSHOT_FIELDS},
        "region_name": getattr(snapshot, "region_name", None) or snapshot.region_code,
        "month": f"{snapshot.month:%Y-%m}",
        "published": snapshot.published_at is not None,
    }


def _snapshot_out(snapshot: MetricSnapshot) -> dict:
    w = snapshots.stored_weights(snapshot)
    return {
        **_summary(snapshot),
        "weights": {
            "basic": w.basic,
            "response": w.response,
            "solve": w.solve,
            "satisfy": w.satisfy,
            "min_sample": w.min_sample,
        },
        "total": _figure_out(snapshots.stored_total(snapshot)),
        "items": [_figure_out(f) for f in snapshots.stored_figures(snapshot)],
    }


SNAPSHOT_FIELDS = (
    "id",
    "region_code",
    "group",
    "version",
    "note",
    "published_at",
    "created_at",
    "updated_at",
)


def _detail(actor, snapshot_id: int) -> dict:
    snapshot = _snapshots(actor).filter(pk=snapshot_id).first()
    if snapshot is None:
        raise Http404
    return _snapshot_out(snapshot)


@router.get(
    "/orders/figures/snapshots",
    response={200: SnapshotPage, **ERRORS},
    summary="Monthly snapshots of the figures (月度快照)",
    description=(
        "Every version of the districts the caller supervises (drafts and published), and "
        "the published versions of the caller's own district for those who dispatch; "
        "narrowed by `month` (YYYY-MM) and `group`. Newest month first, then region, group "
        "and the newest version."
    ),
)
def snapshot_list(request, month: str = "", group: str = "", limit: int = 50, offset: int = 0):
    qs = _snapshots(request.user)
    if month.strip():
        year, number = _month(month)
        qs = qs.filter(month=date(year, number, 1))
    if group.strip():
        qs = qs.filter(group=_group(group.strip()))
    qs = qs.order_by("-month", "region_code", "group", "-version")
    page = page_of(qs, limit=limit, offset=offset)
    return {**page, "items": [_summary(s) for s in page["items"]]}


@router.post(
    "/orders/figures/snapshots",
    response={201: SnapshotDetailOut, **ERRORS},
    summary="Save a month's figures as a snapshot (保存快照)",
    description=(
        "For supervisors: computes `month` (YYYY-MM, not after the current month) grouped by "
        "`group` for a district they supervise (`district_id`; default: the first) with the "
        "weights in force that month. A draft replaces the month's previous draft; after a "
        "publication it becomes the next version. A district not supervised answers 404."
    ),
)
def snapshot_take(request, payload: SnapshotIn):
    actor = request.user
    _require_supervisor(actor)
    year, number = _month(payload.month)
    today = timezone.localdate()
    if (year, number) > (today.year, today.month):
        raise ValidationError({"month": _("Choose a month that has begun.")})
    group = _group(payload.group)
    districts = supervised_districts(actor)
    if payload.district_id is None:
        region = districts[0] if districts else None
    else:
        region = next((d for d in districts if d.pk == payload.district_id), None)
    if region is None:
        raise Http404
    snapshot = snapshots.take(
        actor=actor, region=region, year=year, month=number, group=group, note=payload.note
    )
    return Status(201, _detail(actor, snapshot.pk))


@router.get(
    "/orders/figures/snapshots/{snapshot_id}",
    response={200: SnapshotDetailOut, **ERRORS},
    summary="One snapshot: its stored figures and weights (快照详情)",
    description=(
        "The rows as stored when the snapshot was taken (a published one never changes), "
        "the region's total and the weights used. Rates are decimal fractions as strings. "
        "A snapshot the caller may not see answers 404."
    ),
)
def snapshot_get(request, snapshot_id: int):
    return _detail(request.user, snapshot_id)


@router.post(
    "/orders/figures/snapshots/{snapshot_id}/publish",
    response={200: SnapshotDetailOut, **ERRORS},
    summary="Publish a snapshot (发布快照)",
    description=(
        "For supervisors of the snapshot's district: from then on the version is frozen and "
        "the figures page shows it. Publishing it again answers 400; a snapshot outside the "
        "districts supervised answers 404."
    ),
)
def snapshot_publish(request, snapshot_id: int):
    actor = request.user
    _require_supervisor(actor)
    codes = [d.code for d in supervised_districts(actor)]
    snapshot = MetricSnapshot.objects.filter(pk=snapshot_id, region_code__in=codes).first()
    if snapshot is None:
        raise Http404
    snapshots.publish(actor=actor, snapshot=snapshot)
    return _detail(actor, snapshot.pk)
