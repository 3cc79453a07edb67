"""Forms of the voting pages. They only collect and check the shape of the input; the services
decide everything else (state, scope, the legal rules) and write."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from anju.core.forms import StyledFormMixin
from anju.estates.models import Building, Unit
from anju.voting import rules
from anju.voting.models import Delivery, Meeting, Motion

DATETIME_WIDGET = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Signed documents, receipts and scans: photos or PDF, as a phone or a scanner makes them.
UPLOAD_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf")
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

# The settings of the rules of procedure, grouped as the meeting form shows them.
MEETING_SECTIONS = [
    (_("Meeting"), ["estate", "title", "convener", "convener_name", "description"]),
    (_("Schedule"), ["opens_at", "closes_at", "notice_days", "objection_days"]),
    (
        _("Who and what counts"),
        ["count_parking", "count_storage", "invalid_counts_as_participation"],
    ),
    (
        _("Ballots and proxies"),
        ["allow_change", "paper_overrides_online", "proxy_cap", "board_shows_choice"],
    ),
    (_("Non-voters counted with the majority"), ["deemed_consent", "deemed_clause"]),
]

MEETING_HELP = {
    "title": _("As printed on the notice, e.g. 2026年第一次业主大会会议."),
    "convener_name": _("e.g. the owners' committee of the estate, or the street office."),
    "description": _("What the meeting is about; owners read it with the notice."),
    "count_parking": _(
        "Parking spaces are exclusive parts. Whether their area and their owners count toward "
        "the vote is set by the estate's rules of procedure."
    ),
    "count_storage": _("Likewise for storage rooms sold as separate units."),
    "invalid_counts_as_participation": _(
        "Whether a returned blank or spoiled ballot counts toward the two-thirds participation "
        "is not settled nationally: follow the rules of procedure."
    ),
    "allow_change": _("While voting is open an owner may vote again; the last ballot counts."),
    "paper_overrides_online": _(
        "When an owner votes online and also signs a paper ballot, the paper ballot counts. "
        "The rules of procedure must say so."
    ),
    "proxy_cap": _(
        "The most owners one proxy holder may represent at this meeting. Empty: no limit."
    ),
    "board_shows_choice": _(
        "Ballots are named: the public board lists each counted ballot with the masked owner, "
        "the receipt code and, if ticked, the choice."
    ),
    "deemed_consent": _(
        "Owners who received the notice but did not vote are added to the majority opinion of "
        "the returned ballots. Only where the rules of procedure say so; the strict result is "
        "always shown beside it, and the ballot warns owners of it."
    ),
    "deemed_clause": _("Quote the article of the rules of procedure: its number and its text."),
    "notice_days": _(
        "At least 15 days (物业管理条例 art. 14). The day of the notice is not counted."
    ),
    "objection_days": _(
        "Owners may object to the published roll during this period; it must end before "
        "voting opens."
    ),
    "opens_at": _("Voting may open only once the notice period has run in full."),
    "closes_at": _("Ballots are accepted until this moment."),
}


def _datetime_field(field, **kwargs):
    return forms.DateTimeField(
        label=field.verbose_name,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT),
        **kwargs,
    )


class MeetingForm(StyledFormMixin, forms.ModelForm):
    """The settings of one meeting and of the rules of procedure it follows (议事规则)."""

    class Meta:
        model = Meeting
        fields = [
            "estate",
            "title",
            "convener",
            "convener_name",
            "description",
            "opens_at",
            "closes_at",
            "notice_days",
            "objection_days",
            "count_parking",
            "count_storage",
            "invalid_counts_as_participation",
            "allow_change",
            "paper_overrides_online",
            "proxy_cap",
            "board_shows_choice",
            "deemed_consent",
            "deemed_clause",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "deemed_clause": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if estates is None:
            del self.fields["estate"]
        else:
            self.fields["estate"].queryset = estates
        for name in ("opens_at", "closes_at"):
            self.fields[name] = _datetime_field(
                Meeting._meta.get_field(name), required=False, help_text=MEETING_HELP[name]
            )
        for name, text in MEETING_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        for name in ("opens_at", "closes_at"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in MEETING_SECTIONS
        ]

    def _post_clean(self):
        # The model's own checks run in the service, which turns them into field messages.
        pass

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("estate", None)
        data["convener_name"] = data.get("convener_name") or ""
        data["description"] = data.get("description") or ""
        data["deemed_clause"] = data.get("deemed_clause") or ""
        return data


def matter_choices():
    return [("", "---------")] + [
        (m.value, format_lazy("{}. {}", m.value, m.label)) for m in rules.Matter
    ]


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.number if not obj.entrance else f"{obj.entrance}-{obj.number}"


class MotionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    matter = forms.TypedChoiceField(
        label=_("matter (Civil Code art. 278)"),
        coerce=int,
        help_text=_(
            "Items 6–8 need three quarters of the participating persons and area; the others "
            "more than half. Every item needs two thirds of all persons and all area to take "
            "part."
        ),
    )
    body = forms.CharField(
        label=_("text of the motion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The full text owners vote on: the plan, the budget, the cost sharing."),
    )
    electorate = forms.ChoiceField(
        label=_("who votes"),
        choices=Motion.Electorate.choices,
        initial=Motion.Electorate.ESTATE,
        widget=forms.RadioSelect,
        help_text=_(
            "A maintenance-fund use is decided by the owners who share its cost (列支范围), "
            "e.g. one building for its lift."
        ),
    )
    option_labels = forms.CharField(
        label=_("options to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("One option per line")}),
        help_text=_(
            "Leave empty for a motion owners agree or disagree with. To choose between "
            "candidates or plans, list 2 to 9 options, one per line: each owner chooses one "
            "or abstains, and the option that reaches the approval threshold on both "
            "headcount and area is adopted."
        ),
    )
    attachment = forms.FileField(
        label=_("attachment"),
        required=False,
        help_text=_("The plan, budget or draft text owners read before voting (PDF or photo)."),
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitChoiceField(
        label=_("units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_attachment(self):
        return _clean_upload(self.cleaned_data.get("attachment"))

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices()
        self.fields["buildings"].queryset = Building.objects.filter(
            estate_id=meeting.estate_id
        ).order_by("number")
        self.fields["units"].queryset = (
            Unit.objects.filter(estate_id=meeting.estate_id)
            .select_related("building")
            .order_by("building__number", "entrance", "number", "id")
        )
        for name in ("buildings", "units", "electorate"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def unit_groups(self):
        """The estate's units grouped by building, for the picker, with what was ticked."""
        ticked = {str(v) for v in (self["units"].value() or [])}
        groups: dict[str, list] = {}
        for unit in self.fields["units"].queryset:
            name = unit.building.number if unit.building_id else str(_("No building"))
            groups.setdefault(name, []).append({"unit": unit, "checked": str(unit.pk) in ticked})
        return list(groups.items())


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=2000)


class RollCorrectionForm(StyledFormMixin, forms.Form):
    ACTIONS = [
        ("exclude", _("Remove from the roll")),
        ("restore", _("Restore to the roll")),
        ("area", _("Correct the area")),
    ]
    change = forms.ChoiceField(label=_("correction"), choices=ACTIONS)
    area = forms.DecimalField(
        label=_("area (m²)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    reason = forms.CharField(label=_("reason"), max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("change") == "area" and data.get("area") is None and "area" not in self.errors:
            self.add_error("area", _("Enter the corrected area in m²."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["change"] == "exclude":
            return {"excluded": True}
        if data["change"] == "restore":
            return {"excluded": False}
        return {"area": rules.area_from_m2(data["area"])}


def _clean_upload(upload):
    if not upload:
        return upload
    name = (upload.name or "").lower()
    if not name.endswith(UPLOAD_EXTENSIONS):
        raise ValidationError(_("Upload a photo (JPG, PNG, WebP, HEIC) or a PDF."))
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    return upload


class IdentityForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        help_text=_(
            "The ID number of the unit's registered owner who votes for it. It is checked "
            "against the property register and not stored with your ballot."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


def choice_field_name(motion_id: int) -> str:
    return f"motion_{motion_id}"


class ChoicesForm(forms.Form):
    """One radio group per motion. Owners leave motions out when they wish; paper and proxy
    entries name a choice for every motion on the sheet."""

    def __init__(self, *args, motions, paper=False, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.motions = list(motions)
        for motion in self.motions:
            self.fields[choice_field_name(motion.pk)] = forms.ChoiceField(
                label=str(motion),
                choices=motion.ballot_choices(paper=paper),
                required=required,
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[int, str]:
        return {
            m.pk: self.cleaned_data[choice_field_name(m.pk)]
            for m in self.motions
            if self.cleaned_data.get(choice_field_name(m.pk))
        }

    def choice_fields(self):
        return [(m, self[choice_field_name(m.pk)]) for m in self.motions]


class PaperForm(StyledFormMixin, ChoicesForm):
    number = forms.CharField(
        label=_("sheet number"),
        max_length=32,
        help_text=_("The number printed on the signed paper ballot."),
    )
    voter_key = forms.CharField(widget=forms.HiddenInput)
    scan = forms.FileField(
        label=_("scan of the signed sheet"),
        required=False,
        help_text=_("Optional at the first entry; a photo or PDF of the signed sheet."),
    )

    def __init__(self, *args, motions, **kwargs):
        super().__init__(*args, motions=motions, paper=True, required=True, **kwargs)
        for motion in self.motions:
            self.fields[choice_field_name(motion.pk)].widget.attrs["class"] = "form-check-input"

    def clean_scan(self):
        return _clean_upload(self.cleaned_data.get("scan"))


class PaperCountsForm(StyledFormMixin, forms.Form):
    issued = forms.IntegerField(label=_("paper ballots issued"), min_value=0)
    returned = forms.IntegerField(label=_("paper ballots returned"), min_value=0)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000)


class ProxyForm(StyledFormMixin, forms.Form):
    voter_key = forms.CharField(widget=forms.HiddenInput)
    holder_name = forms.CharField(label=_("proxy holder"), max_length=100)
    holder_id_number = forms.CharField(
        label=_("holder's ID number"),
        max_length=32,
        help_text=_("The holder shows this ID when voting for the owner."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    motion = forms.TypedChoiceField(label=_("motion"), coerce=int, required=False, empty_value=None)
    valid_until = forms.DateTimeField(
        label=_("valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT),
        help_text=_("Empty: until voting closes."),
    )
    document = forms.FileField(
        label=_("signed entrustment"),
        required=False,
        help_text=_("A photo or PDF of the written entrustment signed by the owner."),
    )

    def __init__(self, *args, motions, **kwargs):
        super().__init__(*args, **kwargs)
        self.motions = {m.pk: m for m in motions}
        self.fields["motion"].choices = [
            ("", _("Every motion of the meeting")),
            *((m.pk, str(m)) for m in self.motions.values()),
        ]

    def clean_holder_id_number(self):
        return self.cleaned_data["holder_id_number"].strip().upper()

    def clean_document(self):
        return _clean_upload(self.cleaned_data.get("document"))

    def chosen_motion(self):
        pk = self.cleaned_data.get("motion")
        return self.motions.get(pk) if pk else None


class ProxyVoteForm(StyledFormMixin, ChoicesForm):
    holder_id_number = forms.CharField(
        label=_("holder's ID number"),
        max_length=32,
        help_text=_("Check the holder's ID document and enter its number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, motions, **kwargs):
        super().__init__(*args, motions=motions, required=False, **kwargs)
        for motion in self.motions:
            self.fields[choice_field_name(motion.pk)].widget.attrs["class"] = "form-check-input"

    def clean_holder_id_number(self):
        return self.cleaned_data["holder_id_number"].strip().upper()

    def clean(self):
        data = super().clean()
        if not self.errors and not self.choices():
            raise ValidationError(_("Choose at least one motion to vote on."))
        return data


DELIVERY_CHANNELS = [
    (c.value, c.label) for c in (Delivery.Channel.PAPER, Delivery.Channel.POSTED)
] + [(c.value, c.label) for c in (Delivery.Channel.SMS, Delivery.Channel.IN_APP)]


class DeliveryForm(StyledFormMixin, forms.Form):
    voter_key = forms.CharField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("channel"), choices=DELIVERY_CHANNELS)
    sent_at = forms.DateTimeField(
        label=_("delivered at"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT),
        help_text=_("Empty: now."),
    )
    evidence = forms.FileField(
        label=_("receipt photo"),
        required=False,
        help_text=_("The signed receipt, or a photo of the notice as posted."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def clean_evidence(self):
        return _clean_upload(self.cleaned_data.get("evidence"))

    def clean(self):
        data = super().clean()
        if data.get("channel") == Delivery.Channel.PAPER and not data.get("evidence"):
            self.add_error("evidence", _("A paper delivery needs the photo of the signed receipt."))
        return data
