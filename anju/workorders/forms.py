"""Forms of the work-order pages: the intake desk, an owner's own report, dispatch and the
action forms of the order page. Forms only collect and check input; services write."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.core.forms import StyledFormMixin
from anju.estates.models import Building
from anju.estates.permissions import estate_policy
from anju.regions.models import Region
from anju.regions.permissions import region_policy
from anju.workorders.access import order_policy
from anju.workorders.attachments import PhotosField
from anju.workorders.machine import Act
from anju.workorders.models import Category, Channel, DisputeStep, Kind
from anju.workorders.services import MAX_EXTENSION_DAYS

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")


def category_choices() -> list:
    """Active leaf categories grouped by their parent, for a select with <optgroup>s."""
    leaves = (
        Category.objects.filter(active=True, children__isnull=True)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in leaves:
        groups.setdefault(c.parent.name if c.parent_id else str(_("Other")), []).append(
            (c.pk, c.name)
        )
    return [("", "---------"), *groups.items()]


class CategoryField(forms.TypedChoiceField):
    """A leaf category chosen from a grouped select; cleans to the Category."""

    def __init__(self, **kwargs):
        super().__init__(label=_("category"), coerce=int, **kwargs)
        self.choices = category_choices

    def clean(self, value):
        pk = super().clean(value)
        category = Category.objects.filter(pk=pk, active=True, children__isnull=True).first()
        if category is None:
            raise ValidationError(_("Choose an active category of the last level."))
        return category


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value and not PHONE.match(value):
        raise ValidationError(_("Enter a phone number of digits only (5 to 20)."))
    return value


class IntakeForm(StyledFormMixin, forms.Form):
    """The intake desk: an order from any channel but the owner's own form."""

    channel = forms.ChoiceField(
        label=_("channel"), choices=[c for c in Channel.choices if c[0] != Channel.OWNER]
    )
    kind = forms.ChoiceField(
        label=_("type"),
        choices=[("", _("As the category says")), *Kind.choices],
        required=False,
    )
    source_ref = forms.CharField(
        label=_("source number"),
        max_length=64,
        required=False,
        help_text=_("The 12345 order number or the directive's document number."),
    )
    category = CategoryField()
    title = forms.CharField(label=_("subject"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField()
    estate = forms.ModelChoiceField(label=_("estate"), queryset=None, required=False)
    region = forms.ModelChoiceField(
        label=_("community"),
        queryset=None,
        required=False,
        help_text=_("Only when the matter concerns no single estate."),
    )
    building = forms.CharField(
        label=_("building number"),
        max_length=32,
        required=False,
        help_text=_("As registered for the estate, e.g. 1栋."),
    )
    address = forms.CharField(label=_("place"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    complainant_name = forms.CharField(label=_("complainant"), max_length=50, required=False)
    complainant_phone = forms.CharField(label=_("complainant phone"), max_length=20, required=False)
    concerns_company = forms.BooleanField(
        label=_("concerns the property company"),
        required=False,
        help_text=_("The company will not see who complained."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estate_policy.visible(actor).order_by("name")
        self.fields["region"].queryset = region_policy.visible(actor, Action.REGIONS_VIEW).filter(
            level=Region.Level.COMMUNITY
        )

    def clean_complainant_phone(self):
        return _clean_phone(self.cleaned_data.get("complainant_phone"))

    def clean(self):
        data = super().clean()
        estate = data.get("estate")
        if not estate and not data.get("region") and "estate" not in self.errors:
            self.add_error("estate", _("Choose the estate or the community concerned."))
        number = (data.get("building") or "").strip()
        data["building"] = None
        if number:
            if estate is None:
                self.add_error("building", _("Choose the estate first."))
            else:
                building = Building.objects.filter(estate=estate, number=number).first()
                if building is None:
                    self.add_error("building", _("This estate has no building of this number."))
                data["building"] = building
        if estate is not None:
            data["region"] = None
        return data


class OwnerReportForm(StyledFormMixin, forms.Form):
    """An owner's own complaint about their estate, on a phone."""

    category = CategoryField()
    building = forms.ModelChoiceField(label=_("building"), queryset=None, required=False)
    title = forms.CharField(label=_("subject"), max_length=200)
    content = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField()
    complainant_phone = forms.CharField(
        label=_("phone for the reply"),
        max_length=20,
        required=False,
        help_text=_("Only staff handling the complaint see it, and only masked."),
    )
    concerns_company = forms.BooleanField(
        label=_("concerns the property company"),
        required=False,
        help_text=_("The company will not see who complained."),
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.estates = list(estates)
        buildings = Building.objects.filter(estate__in=self.estates).select_related("estate")
        self.fields["building"].queryset = buildings.order_by("estate__name", "number")
        if len(self.estates) > 1:
            self.fields["building"].label_from_instance = str
        else:
            self.fields["building"].label_from_instance = lambda b: b.number

    def clean_complainant_phone(self):
        return _clean_phone(self.cleaned_data.get("complainant_phone"))

    def clean(self):
        data = super().clean()
        building = data.get("building")
        if building is not None:
            data["estate"] = building.estate
        elif len(self.estates) == 1:
            data["estate"] = self.estates[0]
        elif "building" not in self.errors:
            self.add_error("building", _("Choose the building concerned."))
        return data


class DispatchForm(StyledFormMixin, forms.Form):
    lead = forms.ChoiceField(label=_("lead unit"))
    co = forms.MultipleChoiceField(
        label=_("co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("reason for another choice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the dispatch when you depart from the matrix."),
    )

    def __init__(self, *args, options: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "---------"), *options]
        self.fields["co"].choices = options
        self.fields["co"].widget.attrs = {"class": "form-check-input"}

    def clean(self):
        data = super().clean()
        if data.get("lead") and data.get("lead") in (data.get("co") or []):
            self.add_error("co", _("The lead unit cannot also be a co-unit."))
        return data


# -- the action forms of the order page ----------------------------------------------------


RESULTS = [
    ("solved", _("Solved")),
    ("partly", _("Partly solved")),
    ("explained", _("Not solved, explained")),
    ("untrue", _("Not true")),
]
RATINGS = [
    ("satisfied", _("Satisfied")),
    ("basically", _("Basically satisfied")),
    ("unsatisfied", _("Unsatisfied")),
]
EXEMPTIONS = [
    ("anonymous", _("Anonymous complainant")),
    ("declined", _("Declined the return visit")),
    ("unreachable", _("Unreachable after three tries")),
]
SOLVED = [("yes", _("Yes")), ("no", _("No"))]
CONTACT_METHODS = [
    ("phone", _("Phone call")),
    ("onsite", _("On site")),
    ("sms", _("Text message")),
    ("other", _("Other")),
]
# How the codes stored in an event's payload read on the page.
PAYLOAD_LABELS = {
    "result": dict(RESULTS),
    "rating": dict(RATINGS),
    "exempt": dict(EXEMPTIONS),
    "solved": dict(SOLVED),
    "method": dict(CONTACT_METHODS),
}


def _text(label, rows=2, required=True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


FIELDS = {
    "reason": lambda: _text(_("reason")),
    "legal_basis": lambda: _text(
        _("legal basis"), help_text=_("Why another unit is responsible, with the rule.")
    ),
    "reply": lambda: _text(_("reply to the complainant"), rows=3),
    "result": lambda: forms.ChoiceField(label=_("result"), choices=RESULTS),
    "outcome": lambda: _text(_("outcome"), rows=3),
    "master": lambda: forms.CharField(
        label=_("master order number"),
        max_length=20,
        help_text=_("The order this one duplicates."),
    ),
    "unit": lambda: forms.ChoiceField(label=_("new lead unit")),
    "method": lambda: forms.ChoiceField(label=_("contact method"), choices=CONTACT_METHODS),
    "solved": lambda: forms.ChoiceField(
        label=_("solved?"), choices=[("", "---------"), *SOLVED], required=False
    ),
    "rating": lambda: forms.ChoiceField(
        label=_("satisfaction"), choices=[("", "---------"), *RATINGS], required=False
    ),
    "exempt": lambda: forms.ChoiceField(
        label=_("or: no visit possible"),
        choices=[("", "---------"), *EXEMPTIONS],
        required=False,
    ),
    "note": lambda: _text(_("note"), required=False),
}

# The fields each move asks for: what its guard needs, plus a note where one helps.
ACTION_FIELDS: dict[str, list[str]] = {
    Act.ANSWER: ["reply"],
    Act.REJECT: ["reason"],
    Act.MERGE: ["master"],
    Act.UNMERGE: ["reason"],
    Act.SIGN: [],
    Act.REQUEST_RETURN: ["reason", "legal_basis"],
    Act.APPROVE_RETURN: ["unit", "note"],
    Act.REFUSE_RETURN: ["reason"],
    Act.CONTACT: ["method", "note"],
    Act.SUSPEND: ["reason"],
    Act.RESUME: [],
    Act.SUBMIT_FEEDBACK: ["result", "reply"],
    Act.APPROVE_FEEDBACK: ["note"],
    Act.SEND_BACK: ["reason"],
    Act.CLOSE: ["solved", "rating", "exempt"],
    Act.REWORK: ["reason"],
    Act.ESCALATE: ["reason"],
    Act.ESCALATE_FURTHER: ["reason"],
    Act.SETTLE: ["outcome"],
    Act.REFER: ["reason"],
    Act.WITHDRAW: ["reason"],
    Act.REOPEN: ["reason"],
}
OPTIONAL = {(Act.ESCALATE, "reason"), (Act.ESCALATE_FURTHER, "reason")}
# Moves that end or turn back an order: their button is red.
DANGER = {Act.REJECT, Act.REFER, Act.WITHDRAW, Act.SEND_BACK, Act.REQUEST_RETURN, Act.MERGE}


class ActionForm(StyledFormMixin, forms.Form):
    """The fields one move needs; cleaned_data becomes the payload of services.act."""

    def __init__(self, *args, action: str, order, actor, units=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.order = order
        self.actor = actor
        self.units = units or {}
        for name in ACTION_FIELDS.get(action, []):
            field = FIELDS[name]()
            if (action, name) in OPTIONAL:
                field.required = False
            if name == "unit":
                field.choices = [("", "---------")] + [
                    (key, label) for key, (label, _ref) in self.units.items()
                ]
            self.fields[name] = field

    def clean_master(self):
        number = (self.cleaned_data.get("master") or "").strip().upper()
        master = (
            order_policy.visible(self.actor).filter(number=number).exclude(pk=self.order.pk).first()
        )
        if master is None:
            raise ValidationError(_("No other order with this number in your area."))
        return master

    def clean_unit(self):
        key = self.cleaned_data.get("unit")
        return self.units[key][1]

    def clean(self):
        data = super().clean()
        if self.action == Act.CLOSE and not (data.get("rating") or data.get("exempt")):
            raise ValidationError(
                _("Give the complainant's rating, or the reason no visit was possible.")
            )
        return data

    def payload(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


# -- extensions and disputes on the order page ---------------------------------------------


class ExtensionRequestForm(StyledFormMixin, forms.Form):
    """The lead unit asks for more time; services.request_extension checks the rest."""

    days = forms.IntegerField(
        label=_("working days"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text=_("Counted in working days from the current deadline."),
    )
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_extension_%s")
        super().__init__(*args, **kwargs)


class DisputeRecordForm(StyledFormMixin, forms.Form):
    """The outcome of the current dispute level; disputes.record checks what each outcome
    needs (an agreement, a reason to go on, the kind of mediation at level 3)."""

    outcome = forms.ChoiceField(
        label=_("outcome"), choices=[("", "---------"), *DisputeStep.Outcome.choices]
    )
    met_at = forms.DateTimeField(
        label=_("met at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    participants = _text(_("participants"), required=False)
    minutes = _text(_("minutes"), rows=3, required=False)
    agreement = _text(
        _("agreement"), required=False, help_text=_("Required when an agreement was reached.")
    )
    mediation = forms.ChoiceField(
        label=_("mediation"),
        choices=[("", "---------"), *DisputeStep.Mediation.choices],
        required=False,
        help_text=_("Required at the three-way mediation level."),
    )
    judicial_confirmation = forms.BooleanField(label=_("judicially confirmed"), required=False)
    next_reason = _text(
        _("reason for the next level"),
        required=False,
        help_text=_("Required when no agreement was reached."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_dispute_%s")
        super().__init__(*args, **kwargs)


class PerformanceForm(forms.Form):
    performance = forms.ChoiceField(
        label=_("performance"),
        choices=[
            (DisputeStep.Performance.PERFORMED, DisputeStep.Performance.PERFORMED.label),
            (DisputeStep.Performance.BREACHED, DisputeStep.Performance.BREACHED.label),
        ],
    )
