"""Deadline classes (complaints.md §2.5) and the due instants they give at dispatch.

A class sets three clocks — sign (签收), contact (响应) and feedback (办结反馈) — each as an
amount and a unit: minutes around the clock (24×7), working minutes, working days (counted
from the next day, due at close of business), or natural days. The defaults below are the
spec's; categories and channels choose a class, and the district edits the figures.

Both are read when they are used: a class's figures at dispatch (and on an approved return),
a category × channel choice at registration, the rework deadline when a rework is ordered.
A change therefore applies to what happens afterwards; deadlines already computed stay.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from anju.core.worktime import Due, WorkCalendar


class Unit(models.TextChoices):
    CLOCK_MINUTES = "clock_minutes", _("minutes (around the clock)")
    WORKING_MINUTES = "working_minutes", _("working minutes")
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_DAYS = "natural_days", _("calendar days")


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str

    def due(self, start: datetime, calendar: WorkCalendar) -> Due:
        if self.unit == Unit.CLOCK_MINUTES:
            return Due(start + timedelta(minutes=self.amount), False)
        if self.unit == Unit.NATURAL_DAYS:
            at = start + timedelta(days=self.amount)
            return Due(at, not calendar.is_published(at.astimezone(calendar.tz).year))
        if self.unit == Unit.WORKING_MINUTES:
            return calendar.add_working_minutes(start, self.amount)
        if self.unit == Unit.WORKING_DAYS:
            return calendar.add_working_days(start, self.amount)
        raise ValueError(self.unit)


@dataclass(frozen=True)
class DeadlineClass:
    code: str
    label: str
    sign: Limit
    contact: Limit
    feedback: Limit

    def dues(self, dispatched_at: datetime, calendar: WorkCalendar) -> dict[str, Due]:
        """All clocks start at dispatch, not at signing (so returns cannot stop them)."""
        return {
            "sign": self.sign.due(dispatched_at, calendar),
            "contact": self.contact.due(dispatched_at, calendar),
            "feedback": self.feedback.due(dispatched_at, calendar),
        }


U = Unit
DEFAULT_CLASSES: dict[str, DeadlineClass] = {
    c.code: c
    for c in (
        DeadlineClass(
            "urgent",
            _("Urgent (2 hours)"),
            Limit(15, U.CLOCK_MINUTES),
            Limit(30, U.CLOCK_MINUTES),
            Limit(120, U.CLOCK_MINUTES),
        ),
        DeadlineClass(
            "timely",
            _("Timely (24 hours)"),
            Limit(60, U.CLOCK_MINUTES),
            Limit(120, U.CLOCK_MINUTES),
            Limit(24 * 60, U.CLOCK_MINUTES),
        ),
        DeadlineClass(
            "general",
            _("General (7 days)"),
            Limit(240, U.WORKING_MINUTES),
            Limit(1, U.WORKING_DAYS),
            Limit(7, U.NATURAL_DAYS),
        ),
        DeadlineClass(
            "complex",
            _("Complex (15 days)"),
            Limit(240, U.WORKING_MINUTES),
            Limit(1, U.WORKING_DAYS),
            Limit(15, U.NATURAL_DAYS),
        ),
        DeadlineClass(
            "directive",
            _("Leader's directive (5 working days)"),
            Limit(120, U.WORKING_MINUTES),
            Limit(1, U.WORKING_DAYS),
            Limit(5, U.WORKING_DAYS),
        ),
    )
}

DEFAULT_REWORK_DAYS = 3  # a reworked order's new feedback deadline, in working days


def rework_days() -> int:
    """The working days a reworked (or reopened) order gets for its new feedback."""
    from anju.workorders.models import DeadlineSettings

    row = DeadlineSettings.objects.order_by("pk").first()
    return row.rework_days if row is not None else DEFAULT_REWORK_DAYS


def class_for(category, channel: str) -> str:
    """The deadline class of an order of this category from this channel: the district's
    choice for the category (or its group) on the channel, else a leader's directive's own
    class, else the category's."""
    from anju.workorders.models import Channel, DeadlineChoice, DeadlineClassCode

    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    choices = {
        c.category_id: c.deadline_class
        for c in DeadlineChoice.objects.filter(category_id__in=categories, channel=channel)
    }
    for pk in categories:
        if pk in choices:
            return choices[pk]
    if channel == Channel.DIRECTIVE:
        return DeadlineClassCode.DIRECTIVE
    return category.deadline_class
