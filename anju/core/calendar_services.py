"""Writes to the working-day calendar (years, holidays and make-up workdays, schedules).

The calendar is national and shared by every district, so there is no region scope: any role
with CALENDAR_CHANGE may change it, and the audit events carry no region code.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.audit import audit_record
from anju.core.errors import DomainError
from anju.core.models import CalendarDay, CalendarYear, WorkSchedule
from anju.core.services import model_create, model_update
from anju.core.worktime import CalendarError, parse_windows


def require_change(actor) -> None:
    if not scope_of(actor).allows(Action.CALENDAR_CHANGE):
        raise PermissionDenied


# -- years ---------------------------------------------------------------------------------


def _duplicate_year(year) -> DomainError:
    return DomainError(
        _("The calendar year %(year)s has already been entered.") % {"year": year}, field="year"
    )


def _check_year(data: dict[str, Any], exclude: int | None = None) -> None:
    year = data.get("year")
    if year is None:
        return
    if CalendarYear.objects.filter(year=year).exclude(pk=exclude).exists():
        raise _duplicate_year(year)


def year_create(*, actor, data: dict[str, Any]) -> CalendarYear:
    require_change(actor)
    _check_year(data)
    try:
        return model_create(
            actor=actor, model=CalendarYear, data=data, action="calendar_year.create"
        )
    except IntegrityError as error:  # a concurrent request entered the same year
        raise _duplicate_year(data.get("year")) from error


def year_update(*, actor, year: CalendarYear, data: dict[str, Any]) -> CalendarYear:
    require_change(actor)
    _check_year(data, exclude=year.pk)
    try:
        return model_update(actor=actor, instance=year, data=data, action="calendar_year.update")
    except IntegrityError as error:
        raise _duplicate_year(data.get("year")) from error


# -- days ----------------------------------------------------------------------------------


def _duplicate_day(day: date) -> DomainError:
    existing = CalendarDay.objects.filter(date=day).first()
    what = str(existing) if existing is not None else str(day)
    return DomainError(
        _("%(date)s already has an entry (%(entry)s); edit that one instead.")
        % {"date": day.isoformat(), "entry": what},
        field="date",
    )


def _check_day(data: dict[str, Any], exclude: int | None = None) -> None:
    day = data.get("date")
    if day is None:
        return
    if data.get("kind") == CalendarDay.Kind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise DomainError(_("A make-up workday must fall on a Saturday or Sunday."), field="date")
    if CalendarDay.objects.filter(date=day).exclude(pk=exclude).exists():
        raise _duplicate_day(day)


def day_create(*, actor, data: dict[str, Any]) -> CalendarDay:
    """Enter a holiday or a make-up workday (one row per date)."""
    require_change(actor)
    _check_day(data)
    try:
        return model_create(actor=actor, model=CalendarDay, data=data, action="calendar_day.create")
    except IntegrityError as error:
        raise _duplicate_day(data["date"]) from error


def day_update(*, actor, day: CalendarDay, data: dict[str, Any]) -> CalendarDay:
    require_change(actor)
    _check_day({"date": day.date, "kind": day.kind, **data}, exclude=day.pk)
    try:
        return model_update(actor=actor, instance=day, data=data, action="calendar_day.update")
    except IntegrityError as error:
        raise _duplicate_day(data.get("date", day.date)) from error


def day_delete(*, actor, day: CalendarDay) -> None:
    require_change(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="calendar_day.delete",
            target=day,
            changes={
                "date": [day.date.isoformat(), None],
                "kind": [day.kind, None],
                "name": [day.name, None],
                "source_doc": [day.source_doc, None],
            },
        )
        day.delete()


# -- schedules -----------------------------------------------------------------------------


def _check_schedule(data: dict[str, Any]) -> None:
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise DomainError(_("The end date must not be before the start date."), field="valid_to")
    if "windows" in data:
        try:
            parse_windows(data["windows"])
        except CalendarError as error:
            raise DomainError(
                _("The working windows are malformed or overlap."), field="windows"
            ) from error
    weekday = data.get("makeup_weekday")
    if weekday is not None and not 1 <= weekday <= 7:
        raise DomainError(_("Choose a day of the week."), field="makeup_weekday")


def schedule_create(*, actor, data: dict[str, Any]) -> WorkSchedule:
    require_change(actor)
    _check_schedule(data)
    return model_create(actor=actor, model=WorkSchedule, data=data, action="work_schedule.create")


def schedule_update(*, actor, schedule: WorkSchedule, data: dict[str, Any]) -> WorkSchedule:
    require_change(actor)
    _check_schedule({"valid_from": schedule.valid_from, "valid_to": schedule.valid_to, **data})
    return model_update(actor=actor, instance=schedule, data=data, action="work_schedule.update")
