"""The metric weights of each district (complaints.md §3: "all configurable"), by month.

A district administrator adds a version from a month on; a month's figures use the version
in force on its first day, or the defaults of metrics.Weights before the first version.
Versions are never edited: a later one replaces an earlier one from its month on, and each
is audited. A snapshot stores the weights it was computed with.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.audit import audit_record
from anju.core.forms import StyledFormMixin
from anju.regions.models import Region
from anju.workorders.access import region_prefixes
from anju.workorders.metrics import Weights
from anju.workorders.models import MetricWeights

ONE = Decimal(1)
MAX_SAMPLE = 1000


def as_weights(row: MetricWeights | None) -> Weights:
    if row is None:
        return Weights()
    return Weights(
        basic=row.basic,
        response=row.response,
        solve=row.solve,
        satisfy=row.satisfy,
        min_sample=row.min_sample,
    )


def version_in_force(district_code: str, month: date) -> MetricWeights | None:
    return (
        MetricWeights.objects.filter(
            region__code=district_code, effective_from__lte=month.replace(day=1)
        )
        .order_by("-effective_from")
        .first()
    )


def in_force(district_code: str, month: date) -> Weights:
    """The weights a district's month is computed with."""
    return as_weights(version_in_force(district_code, month))


def district_of(actor) -> Region | None:
    """The one district whose orders are exactly the actor's figures (a district's staff),
    or None (a street's, a unit's, or several districts')."""
    prefixes = region_prefixes(actor)
    if not prefixes or len(prefixes) != 1 or len(prefixes[0]) != 6:
        return None
    return Region.objects.filter(code=prefixes[0] + "000000", level="district").first()


def district_covering(actor) -> Region | None:
    """The district the actor's figures fall in (a street officer's is their street's
    district), for choosing the weights; None for several districts or none."""
    prefixes = region_prefixes(actor)
    if not prefixes or any(len(p) < 6 for p in prefixes):
        return None
    districts = {p[:6] for p in prefixes}
    if len(districts) != 1:
        return None
    return Region.objects.filter(code=districts.pop() + "000000", level="district").first()


def for_actor(actor, month: date) -> tuple[Weights, MetricWeights | None]:
    district = district_covering(actor)
    if district is None:
        return Weights(), None
    row = version_in_force(district.code, month)
    return as_weights(row), row


def may_configure(actor, district: Region) -> bool:
    return covers_region(scope_of(actor), Action.ORDERS_CONFIGURE, district.code)


def weights_save(
    *,
    actor,
    district: Region,
    effective_from: date,
    basic: Decimal,
    response: Decimal,
    solve: Decimal,
    satisfy: Decimal,
    min_sample: int,
    note: str = "",
    today: date | None = None,
) -> MetricWeights:
    """Add a district's weights from a month on (the current month or a later one): the
    composite's three weights add up to exactly 1, each weight lies in [0, 1]."""
    if district.level != "district":
        raise ValidationError({"region": _("Weights are set for a district.")})
    if not may_configure(actor, district):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    effective_from = effective_from.replace(day=1)
    if effective_from < today.replace(day=1):
        errors["month"] = _("Choose this month or a later one: past months keep their weights.")
    values = {"basic": basic, "response": response, "solve": solve, "satisfy": satisfy}
    for name, value in values.items():
        if value is None or not Decimal(0) <= Decimal(value) <= ONE:
            errors[name] = _("Give a weight between 0 and 1.")
    if not errors and Decimal(response) + Decimal(solve) + Decimal(satisfy) != ONE:
        errors["satisfy"] = _(
            "The weights of the response, solve and satisfaction rates must add up to 1."
        )
    if not 1 <= int(min_sample) <= MAX_SAMPLE:
        errors["min_sample"] = _("Give a number of ratings from 1 to %(max)s.") % {
            "max": MAX_SAMPLE
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row = MetricWeights.objects.create(
                region=district,
                effective_from=effective_from,
                basic=basic,
                response=response,
                solve=solve,
                satisfy=satisfy,
                min_sample=int(min_sample),
                note=note.strip()[:200],
                created_by=actor,
                created_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                action="metrics.weights",
                target=row,
                changes={
                    "effective_from": [None, str(effective_from)],
                    **{k: [None, str(v)] for k, v in values.items()},
                    "min_sample": [None, int(min_sample)],
                },
                region_code=district.code,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"month": _("Weights already take effect in this month: choose another month.")}
        ) from exc
    return row


def _weight(label, help_text="") -> forms.DecimalField:
    """A weight between 0 and 1, to four decimal places."""
    return forms.DecimalField(
        label=label, min_value=0, max_value=1, max_digits=5, decimal_places=4, help_text=help_text
    )


class WeightsForm(StyledFormMixin, forms.Form):
    month = forms.DateField(
        label=gettext_lazy("effective from (month)"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    basic = _weight(
        gettext_lazy("weight of basically satisfied"),
        gettext_lazy("How much a 基本满意 counts in the satisfaction rate, e.g. 0.8."),
    )
    response = _weight(gettext_lazy("weight of the response rate"))
    solve = _weight(gettext_lazy("weight of the solve rate"))
    satisfy = _weight(
        gettext_lazy("weight of the satisfaction rate"),
        gettext_lazy("The three weights of the composite score add up to 1."),
    )
    min_sample = forms.IntegerField(
        label=gettext_lazy("smallest ranked sample"),
        min_value=1,
        max_value=MAX_SAMPLE,
        help_text=gettext_lazy("Fewer ratings than this: listed, not ranked."),
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)
