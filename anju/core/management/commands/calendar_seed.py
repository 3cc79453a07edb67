from django.core.management.base import BaseCommand

from anju.core.models import CalendarDay, CalendarYear, WorkSchedule
from anju.core.worktime import calendar_changed, seed_calendar


class Command(BaseCommand):
    help = "Add the holiday arrangements of years the chinese-calendar package knows, the DB not."

    def handle(self, *args, **options):
        added = seed_calendar(CalendarYear, CalendarDay, WorkSchedule)
        calendar_changed()
        self.stdout.write(f"calendar: {added} year(s) added")
