"""Forms of the working-day calendar pages (anju.core.calendar_views)."""

import re
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anju.core.forms import StyledFormMixin
from anju.core.models import CalendarDay, CalendarYear
from anju.core.worktime import CalendarError, parse_windows

DATE_WIDGET = {"type": "date"}
WEEKDAY_CHOICES = [(n, WEEKDAYS[n - 1]) for n in range(1, 8)]  # ISO weekday -> name
# Largest amounts the calculator accepts (the deadline search looks ahead about three years).
MAX_MINUTES = 100_000
MAX_DAYS = 500

WINDOWS_FORMAT = _(
    "Windows must look like 09:00-12:00, several separated by commas, and must not overlap."
)
WINDOWS_HELP = _(
    "Working hours of each weekday, e.g. 09:00-12:00, 13:30-17:30; leave empty for a day off."
)
_SEPARATORS = re.compile(r"[,，;；、]")
_SPAN = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–—~～]\s*(\d{1,2})[:：](\d{2})$")


def parse_windows_text(text: str, weekday: int) -> list[list[str]]:
    """Read "09:00-12:00, 13:30-17:30" into [["09:00", "12:00"], ["13:30", "17:30"]].

    Raises ValidationError (with WINDOWS_FORMAT) when a part is not a window, a time is not a
    time of day, or windows overlap. An empty text means no work that day.
    """
    spans = []
    for part in _SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = _SPAN.match(part)
        if match is None:
            raise ValidationError(WINDOWS_FORMAT, code="windows")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        spans.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
    spans.sort()
    try:
        parse_windows({str(weekday): spans})
    except CalendarError as error:
        raise ValidationError(WINDOWS_FORMAT, code="windows") from error
    return spans


def windows_text(windows: Mapping, weekday: int, dash: str = "-") -> str:
    """The windows of one weekday as text, the form's input format by default."""
    spans = (windows or {}).get(str(weekday)) or (windows or {}).get(weekday) or []
    return ", ".join(f"{start}{dash}{end}" for start, end in spans)


class CalendarYearForm(StyledFormMixin, forms.ModelForm):
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2100)

    class Meta:
        model = CalendarYear
        fields = ["year", "published", "source_doc"]
        help_texts = {
            "published": _(
                "Tick once the State Council's holiday arrangement for the year has been "
                "entered; until then deadlines reaching the year are provisional."
            ),
            "source_doc": _("e.g. the title and date of the State Council notice"),
        }

    def validate_unique(self):
        # The service checks that the year is new, with a clearer message.
        pass


class CalendarDayForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "source_doc"]
        widgets = {"date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")}
        help_texts = {
            "kind": _(
                "A holiday is a day off on any date; a make-up workday is a Saturday or "
                "Sunday that is worked."
            ),
            "name": _("e.g. 春节, 国庆节"),
        }

    def validate_unique(self):
        # The service checks one row per date, with a clearer message.
        pass


class WorkScheduleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    valid_from = forms.DateField(
        label=_("valid from"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("valid to"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Leave empty when the schedule has no end."),
    )
    makeup_weekday = forms.TypedChoiceField(
        label=_("make-up days work like"), choices=WEEKDAY_CHOICES, coerce=int, initial=1
    )

    def __init__(self, *args, schedule=None, **kwargs):
        if schedule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": schedule.name,
                    "valid_from": schedule.valid_from,
                    "valid_to": schedule.valid_to,
                    "makeup_weekday": schedule.makeup_weekday,
                    **{f"windows_{n}": windows_text(schedule.windows, n) for n in range(1, 8)},
                },
            )
        super().__init__(*args, **kwargs)
        for n, label in WEEKDAY_CHOICES:
            self.fields[f"windows_{n}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=WINDOWS_HELP if n == 1 else "",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def clean(self):
        cleaned = super().clean()
        for n in range(1, 8):
            name = f"windows_{n}"
            if name in cleaned:
                try:
                    cleaned[name] = parse_windows_text(cleaned[name], n)
                except ValidationError as error:
                    self.add_error(name, error)
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end date must not be before the start date."))
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "makeup_weekday": data["makeup_weekday"],
            "windows": {str(n): data[f"windows_{n}"] for n in range(1, 8) if data[f"windows_{n}"]},
        }


class DeadlineCheckForm(StyledFormMixin, forms.Form):
    UNITS = [("minutes", _("working minutes")), ("days", _("working days"))]

    start_date = forms.DateField(
        label=_("start date"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    amount = forms.IntegerField(
        label=pgettext_lazy("deadline calculator", "amount"), min_value=1, max_value=MAX_MINUTES
    )
    unit = forms.ChoiceField(label=pgettext_lazy("deadline calculator", "unit"), choices=UNITS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unit") == "days" and (cleaned.get("amount") or 0) > MAX_DAYS:
            self.add_error(
                "amount",
                _("At most %(n)s working days can be calculated.") % {"n": MAX_DAYS},
            )
        return cleaned
