from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One write made through a service: who did what to which object, and what changed."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, db_index=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class ImportJob(models.Model):
    """One uploaded Excel ledger: its file, progress and outcome (see anju.core.imports)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("ledger"), max_length=16)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.JSONField(_("created"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_recent")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0


class CalendarYear(TimeStampedModel):
    """A year of the working-day calendar: published once the State Council's holiday
    arrangement for it has been entered. Deadlines reaching an unpublished year are
    provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    published = models.BooleanField(_("arrangement published"), default=False)
    source_doc = models.CharField(_("source document"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(TimeStampedModel):
    """An exception to the weekly pattern: a public holiday on a weekday, or a weekend day
    that is worked (调休 make-up workday). Ordinary weekdays and weekends have no row."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    source_doc = models.CharField(_("source document"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class WorkSchedule(TimeStampedModel):
    """Working hours per ISO weekday (1 = Monday), several windows a day (lunch break),
    valid over a date range (e.g. summer hours). A make-up workday takes the windows of
    `makeup_weekday`."""

    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # {"1": [["09:00", "12:00"], ["13:30", "17:30"]], ...}: ISO weekday -> windows
    windows = models.JSONField(_("working windows"), default=dict)
    makeup_weekday = models.PositiveSmallIntegerField(_("make-up days work like"), default=1)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="schedule_valid_range",
            ),
            models.CheckConstraint(
                condition=models.Q(makeup_weekday__gte=1, makeup_weekday__lte=7),
                name="schedule_makeup_weekday",
            ),
        ]

    def __str__(self) -> str:
        return self.name
