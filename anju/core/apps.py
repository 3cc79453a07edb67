from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anju.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from anju.core import lookups  # noqa: F401 - registers the codeprefix lookup
        from anju.core.models import CalendarDay, CalendarYear, WorkSchedule
        from anju.core.worktime import calendar_changed

        for model in (CalendarDay, CalendarYear, WorkSchedule):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"worktime-{model}")
            post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"worktime-{model}-d")
