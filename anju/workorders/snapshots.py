"""Monthly metric snapshots: computed for a region, published once, then frozen."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.audit import audit_record
from anju.regions.models import Region
from anju.regions.rules import prefix_of
from anju.workorders.access import narrow_prefixes, order_policy, region_prefixes
from anju.workorders.metrics import Figures, Weights, compute, month_bounds
from anju.workorders.models import MetricSnapshot


def _covers(actor, region: Region) -> bool:
    return covers_region(scope_of(actor), Action.ORDERS_SUPERVISE, region.code)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def take(*, actor, region: Region, year: int, month: int, group: str, weights=None, note=""):
    """Compute the month for the region's orders and store it as the newest version (a
    draft replaces the previous draft; after a publication it becomes the next version)."""
    if not _covers(actor, region):
        raise PermissionDenied
    if weights is None:
        from anju.workorders.weights import in_force

        weights = in_force(region.code, date(year, month, 1))
    start, end = month_bounds(year, month)
    prefix = prefix_of(region.code)
    orders = order_policy.visible(actor).filter(region_code__codeprefix=prefix)
    regions = narrow_prefixes(region_prefixes(actor), prefix)
    figures = compute(orders, start, end, group=group, weights=weights, regions=regions)
    figures = [_plain(asdict(f)) for f in figures]
    first = date(year, month, 1)
    with transaction.atomic():
        latest = (
            MetricSnapshot.objects.select_for_update()
            .filter(region_code=region.code, month=first, group=group)
            .order_by("-version")
            .first()
        )
        data = {"figures": figures, "weights": _plain(asdict(weights)), "note": note,
                "computed_by": actor}  # fmt: skip
        if latest is not None and latest.published_at is None:
            for key, value in data.items():
                setattr(latest, key, value)
            latest.save()
            snapshot = latest
        else:
            snapshot = MetricSnapshot.objects.create(
                region_code=region.code,
                month=first,
                group=group,
                version=(latest.version + 1) if latest else 1,
                **data,
            )
        audit_record(
            actor=actor,
            action="metrics.snapshot",
            target=snapshot,
            changes={"version": [None, snapshot.version]},
            region_code=region.code,
        )
    return snapshot


def publish(*, actor, snapshot: MetricSnapshot) -> MetricSnapshot:
    region = Region.objects.get(code=snapshot.region_code)
    if not _covers(actor, region):
        raise PermissionDenied
    with transaction.atomic():
        snapshot = MetricSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if snapshot.published_at is not None:
            raise ValidationError(_("This snapshot is already published and cannot change."))
        snapshot.published_at = timezone.now()
        snapshot.published_by = actor
        snapshot.save(update_fields=["published_at", "published_by", "updated_at"])
        audit_record(actor=actor, action="metrics.publish", target=snapshot,
                     changes={"published_at": [None, str(snapshot.published_at)]},
                     region_code=snapshot.region_code)  # fmt: skip
    return snapshot


def latest_published(region_code: str, month: date, group: str) -> MetricSnapshot | None:
    versions = MetricSnapshot.objects.filter(
        region_code=region_code, month=month, group=group, published_at__isnull=False
    )
    top = versions.aggregate(v=Max("version"))["v"]
    return versions.filter(version=top).first() if top else None


def versions(region_code: str, month: date, group: str) -> list[MetricSnapshot]:
    """Every version of a month's snapshot, newest first (a later version is an appeal's
    recomputation)."""
    return list(
        MetricSnapshot.objects.filter(region_code=region_code, month=month, group=group)
        .select_related("published_by")
        .order_by("-version")
    )


COUNT_FIELDS = [
    name for name in Figures.__dataclass_fields__ if name not in ("key", "label", "rank", "rates")
]


def _decimal(value):
    return None if value is None else Decimal(str(value))


def stored_figures(snapshot: MetricSnapshot) -> list[Figures]:
    """The frozen rows of a snapshot, as Figures (rates back to Decimals)."""
    rows = []
    for item in snapshot.figures:
        f = Figures(item.get("key"), label=item.get("label", ""), rank=item.get("rank"))
        for name in COUNT_FIELDS:
            setattr(f, name, int(item.get(name) or 0))
        f.rates = {k: _decimal(v) for k, v in (item.get("rates") or {}).items()}
        rows.append(f)
    return rows


def stored_weights(snapshot: MetricSnapshot) -> Weights:
    data = snapshot.weights or {}
    defaults = asdict(Weights())
    values = {k: data.get(k, v) for k, v in defaults.items()}
    return Weights(
        basic=Decimal(str(values["basic"])),
        response=Decimal(str(values["response"])),
        solve=Decimal(str(values["solve"])),
        satisfy=Decimal(str(values["satisfy"])),
        min_sample=int(values["min_sample"]),
    )


def stored_total(snapshot: MetricSnapshot) -> Figures:
    """The snapshot's whole-scope figures: every cohort row falls in exactly one group (the
    orders without one in the None group), so the groups' counts add up to the total."""
    total = Figures(None)
    for f in stored_figures(snapshot):
        for name in COUNT_FIELDS:
            setattr(total, name, getattr(total, name) + getattr(f, name))
    return total.finish(stored_weights(snapshot))
