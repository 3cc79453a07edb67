"""The working-day calendar: year overview, edit pages and a deadline calculator.

The calendar is national and shared by every district, so the pages are not region-scoped:
a role with CALENDAR_VIEW sees the whole calendar, a role with CALENDAR_CHANGE may edit all
of it, and any other role hears 403.
"""

import contextlib
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core import calendar_services as services
from anju.core import worktime
from anju.core.calendar_forms import (
    CalendarDayForm,
    CalendarYearForm,
    DeadlineCheckForm,
    WorkScheduleForm,
    windows_text,
)
from anju.core.errors import DomainError
from anju.core.forms import apply_service_errors, mark_invalid
from anju.core.models import CalendarDay, CalendarYear, WorkSchedule

MIN_YEAR, MAX_YEAR = 1900, 2100
# Column heads of the month grids (Monday first): one character in Chinese.
WEEKDAY_INITIALS = [
    pgettext_lazy("weekday initial", "Mo"),
    pgettext_lazy("weekday initial", "Tu"),
    pgettext_lazy("weekday initial", "We"),
    pgettext_lazy("weekday initial", "Th"),
    pgettext_lazy("weekday initial", "Fr"),
    pgettext_lazy("weekday initial", "Sa"),
    pgettext_lazy("weekday initial", "Su"),
]


def _require(actor, action: str) -> None:
    if not scope_of(actor).allows(action):
        raise PermissionDenied


def _today() -> date:
    return timezone.localdate(timezone=ZoneInfo(settings.TIME_ZONE))


def overview_url(year: int | None = None, anchor: str = "") -> str:
    url = reverse("core:calendar")
    if year is not None:
        url += f"?{urlencode({'year': year})}"
    return url + (f"#{anchor}" if anchor else "")


def _form_page(request, *, form, title, cancel_url, save, success_url):
    """Like anju.core.views.form_page, but the redirect target depends on the saved row."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save()
        except (DomainError, ValidationError) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(obj))
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "core/form.html", context, status=status)


# -- overview ------------------------------------------------------------------------------


def _year_param(raw: str | None, default: int) -> int:
    try:
        year = int(raw or default)
    except ValueError:
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


def _months(year: int, days: dict[date, CalendarDay], today: date) -> list[dict]:
    """Twelve month grids: weeks (Monday first) of cells, None outside the month."""
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        cells: list[dict | None] = [None] * first.weekday()
        day = first
        while day < following:
            entry = days.get(day)
            css = []
            if entry is not None and entry.kind == CalendarDay.Kind.MAKEUP_WORKDAY:
                css.append("cal-makeup")
            elif entry is not None:
                css.append("cal-holiday")
            elif day.weekday() >= 5:
                css.append("cal-weekend")
            if day == today:
                css.append("cal-today")
            title = f"{entry.get_kind_display()} {entry.name}".strip() if entry else ""
            cells.append({"day": day, "css": " ".join(css), "title": title})
            day += timedelta(days=1)
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        months.append({"number": month, "name": MONTHS[month], "weeks": weeks})
    return months


def _schedule_rows(today: date) -> list[dict]:
    schedules = list(WorkSchedule.objects.order_by("-valid_from", "-id"))
    covering = (s for s in schedules if s.valid_from <= today and (s.valid_to or today) >= today)
    current = next(covering, None)
    rows = []
    for s in schedules:
        week = [(WEEKDAYS[n - 1], windows_text(s.windows, n, dash="–") or "—") for n in range(1, 8)]
        rows.append(
            {
                "schedule": s,
                "week": week,
                "makeup_like": WEEKDAYS.get(s.makeup_weekday - 1, s.makeup_weekday),
                "current": s is current,
            }
        )
    return rows


def calendar_overview(request):
    actor = request.user
    _require(actor, Action.CALENDAR_VIEW)
    today = _today()
    year = _year_param(request.GET.get("year"), today.year)
    year_row = CalendarYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    for d in days:
        d.weekday_label = WEEKDAYS[d.date.weekday()]
    known = set(CalendarYear.objects.values_list("year", flat=True))
    cal = worktime.calendar()
    workdays = sum(
        1
        for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        if cal.is_workday(date(year, 1, 1) + timedelta(days=n))
    )
    context = {
        "year": year,
        "year_row": year_row,
        "published": bool(year_row and year_row.published),
        "years": sorted(known | {today.year, today.year + 1, year}, reverse=True),
        "previous_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "days": days,
        "holiday_count": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
        "makeup_count": sum(1 for d in days if d.kind == CalendarDay.Kind.MAKEUP_WORKDAY),
        "workdays": workdays,
        "months": _months(year, {d.date: d for d in days}, today),
        "weekday_heads": WEEKDAY_INITIALS,
        "schedules": _schedule_rows(today),
        "can_change": scope_of(actor).allows(Action.CALENDAR_CHANGE),
    }
    return render(request, "core/calendar.html", context)


# -- years ---------------------------------------------------------------------------------


def year_create(request):
    actor = request.user
    services.require_change(actor)
    initial = {}
    if request.method == "GET":
        initial["year"] = _year_param(request.GET.get("year"), _today().year)
    form = CalendarYearForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form=form,
        title=_("New calendar year"),
        cancel_url=overview_url(initial.get("year")),
        save=lambda: services.year_create(actor=actor, data=form.cleaned_data),
        success_url=lambda obj: overview_url(obj.year),
    )


def year_edit(request, year: int):
    actor = request.user
    services.require_change(actor)
    row = get_object_or_404(CalendarYear, year=year)
    form = CalendarYearForm(request.POST or None, instance=row)
    return _form_page(
        request,
        form=form,
        title=_("Edit calendar year %(year)s") % {"year": year},
        cancel_url=overview_url(year),
        # ModelForm.is_valid() writes onto the instance: diff against a fresh copy.
        save=lambda: services.year_update(
            actor=actor, year=CalendarYear.objects.get(pk=row.pk), data=form.cleaned_data
        ),
        success_url=lambda obj: overview_url(obj.year),
    )


# -- days ----------------------------------------------------------------------------------


def day_create(request):
    actor = request.user
    services.require_change(actor)
    initial = {}
    if request.method == "GET":
        with contextlib.suppress(ValueError):
            initial["date"] = date.fromisoformat(request.GET.get("date", ""))
        if request.GET.get("kind") in CalendarDay.Kind.values:
            initial["kind"] = request.GET["kind"]
    form = CalendarDayForm(request.POST or None, initial=initial)
    cancel_year = initial["date"].year if "date" in initial else None
    return _form_page(
        request,
        form=form,
        title=_("New holiday or make-up workday"),
        cancel_url=overview_url(cancel_year),
        save=lambda: services.day_create(actor=actor, data=form.cleaned_data),
        success_url=lambda obj: overview_url(obj.date.year),
    )


def day_edit(request, pk: int):
    actor = request.user
    services.require_change(actor)
    day = get_object_or_404(CalendarDay, pk=pk)
    year = day.date.year
    form = CalendarDayForm(request.POST or None, instance=day)
    return _form_page(
        request,
        form=form,
        title=_("Edit %(day)s") % {"day": day.date.isoformat()},
        cancel_url=overview_url(year),
        save=lambda: services.day_update(
            actor=actor, day=CalendarDay.objects.get(pk=pk), data=form.cleaned_data
        ),
        success_url=lambda obj: overview_url(obj.date.year),
    )


@require_POST
def day_delete(request, pk: int):
    actor = request.user
    services.require_change(actor)
    day = get_object_or_404(CalendarDay, pk=pk)
    year = day.date.year
    services.day_delete(actor=actor, day=day)
    messages.success(request, _("Deleted."))
    return redirect(overview_url(year))


# -- schedules -----------------------------------------------------------------------------


def schedule_create(request):
    actor = request.user
    services.require_change(actor)
    form = WorkScheduleForm(
        request.POST or None,
        initial={
            "valid_from": _today(),
            "makeup_weekday": 1,
            **{f"windows_{n}": "09:00-12:00, 13:30-17:30" for n in range(1, 6)},
        },
    )
    return _form_page(
        request,
        form=form,
        title=_("New work schedule"),
        cancel_url=overview_url(anchor="schedules"),
        save=lambda: services.schedule_create(actor=actor, data=form.service_data()),
        success_url=lambda obj: overview_url(anchor="schedules"),
    )


def schedule_edit(request, pk: int):
    actor = request.user
    services.require_change(actor)
    schedule = get_object_or_404(WorkSchedule, pk=pk)
    form = WorkScheduleForm(request.POST or None, schedule=schedule)
    return _form_page(
        request,
        form=form,
        title=_("Edit work schedule"),
        cancel_url=overview_url(anchor="schedules"),
        save=lambda: services.schedule_update(
            actor=actor, schedule=schedule, data=form.service_data()
        ),
        success_url=lambda obj: overview_url(anchor="schedules"),
    )


# -- deadline calculator -------------------------------------------------------------------


def calendar_check(request):
    """Compute a deadline from a start instant: working minutes or working days later."""
    _require(request.user, Action.CALENDAR_VIEW)
    params = {k: v for k, v in request.GET.items() if k in DeadlineCheckForm.base_fields}
    form = DeadlineCheckForm(
        params or None,
        initial={"start_date": _today(), "start_time": "09:00", "amount": 1, "unit": "days"},
    )
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        cal = worktime.calendar()
        start = datetime.combine(data["start_date"], data["start_time"], cal.tz)
        try:
            if data["unit"] == "minutes":
                due = cal.add_working_minutes(start, data["amount"])
            else:
                due = cal.add_working_days(start, data["amount"])
        except (worktime.CalendarError, OverflowError):
            form.add_error(
                "amount", _("No deadline can be found within three years; reduce the amount.")
            )
        else:
            result = {
                "due": due,
                "at": due.at.astimezone(cal.tz),
                "weekday": WEEKDAYS[due.at.astimezone(cal.tz).weekday()],
                "unit": data["unit"],
                "lines": worktime.explain(due.trace()),
            }
    if form.is_bound and form.errors:
        mark_invalid(form)
    return render(request, "core/calendar_check.html", {"form": form, "result": result})
