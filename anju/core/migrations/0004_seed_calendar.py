"""Seed the working-day calendar from the chinese-calendar package (2004–2026, including the
State Council's 2026 arrangement) and a standard schedule. Later years are entered by the
district administrator, or added with `manage.py calendar_seed` after a package update."""

from django.db import migrations


def seed(apps, schema_editor):
    from anju.core.worktime import seed_calendar

    seed_calendar(
        apps.get_model("core", "CalendarYear"),
        apps.get_model("core", "CalendarDay"),
        apps.get_model("core", "WorkSchedule"),
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
