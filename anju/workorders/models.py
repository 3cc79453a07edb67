"""Work orders: complaints, reports and requests, the units handling them, and every move.

An order has one lead unit and any number of co-units, each an Assignment with its own
clocks. Every move of the state machine (anju.workorders.machine) is an Event; pauses of the
handling clock (suspension, dispute escalation) are Pause rows.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anju.core.models import TimeStampedModel
from anju.core.pii import EncryptedCharField
from anju.estates.models import Estate
from anju.workorders.machine import State


class Channel(models.TextChoices):
    ONSITE = "onsite", _("On site")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online / public opinion")
    HOTLINE = "hotline", _("12345 hotline")
    DIRECTIVE = "directive", _("Leader's directive")
    OWNER = "owner", _("Owner's own report")


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    HELP = "help", _("Request for help")
    CONSULT = "consult", _("Consultation")
    SUGGEST = "suggest", _("Suggestion")


class DeadlineClassCode(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    TIMELY = "timely", _("Timely")
    GENERAL = "general", _("General")
    COMPLEX = "complex", _("Complex")
    DIRECTIVE = "directive", _("Leader's directive")


class Category(TimeStampedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    deadline_class = models.CharField(
        _("deadline class"),
        max_length=16,
        choices=DeadlineClassCode.choices,
        default=DeadlineClassCode.GENERAL,
    )
    kind = models.CharField(
        _("default type"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class ResponsibilityRule(TimeStampedModel):
    """Who handles a category (× estate type where it matters), and on what legal basis."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    estate_kind = models.CharField(
        _("estate type"), max_length=16, choices=Estate.Kind.choices, blank=True
    )
    lead = models.CharField(_("lead unit"), max_length=32)
    co = models.JSONField(_("co-units"), default=list, blank=True)
    basis = models.TextField(_("legal basis"))
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["category__code", "estate_kind"]
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility matrix")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "estate_kind"],
                name="rule_unique_category_estate_kind",
                violation_error_message=_("This category already has a rule for this estate type."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead}"


class DeadlineClass(TimeStampedModel):
    """The figures of a deadline class, editable by the district (defaults in deadlines.py)."""

    code = models.CharField(
        _("code"), max_length=16, choices=DeadlineClassCode.choices, unique=True
    )
    sign_amount = models.PositiveIntegerField(_("sign within"))
    sign_unit = models.CharField(pgettext_lazy("time", "unit"), max_length=16)
    contact_amount = models.PositiveIntegerField(_("contact within"))
    contact_unit = models.CharField(pgettext_lazy("time", "unit"), max_length=16)
    feedback_amount = models.PositiveIntegerField(_("feedback within"))
    feedback_unit = models.CharField(pgettext_lazy("time", "unit"), max_length=16)

    class Meta:
        ordering = ["code"]
        verbose_name = _("deadline class")
        verbose_name_plural = _("deadline classes")

    def __str__(self) -> str:
        return self.get_code_display()


class DeadlineChoice(TimeStampedModel):
    """The deadline class a category takes on one channel where it differs from the
    category's own (e.g. a blocked fire exit reported through 12345 is urgent)."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="deadline_choices",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    deadline_class = models.CharField(
        _("deadline class"), max_length=16, choices=DeadlineClassCode.choices
    )

    class Meta:
        ordering = ["category__code", "channel"]
        verbose_name = _("deadline class by channel")
        verbose_name_plural = _("deadline classes by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "channel"],
                name="deadline_choice_once",
                violation_error_message=_("This category already has a class for this channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.get_channel_display()} → {self.deadline_class}"


class DeadlineSettings(TimeStampedModel):
    """Deadline figures that belong to no class, in one row (defaults in deadlines.py)."""

    rework_days = models.PositiveSmallIntegerField(
        _("rework deadline (working days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    class Meta:
        verbose_name = _("deadline settings")
        verbose_name_plural = _("deadline settings")

    def __str__(self) -> str:
        return f"rework {self.rework_days}"


class WorkOrder(TimeStampedModel):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="orders"
    )
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    building = models.ForeignKey(
        "estates.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The community (or street) the order belongs to: the estate's, or the place named.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    address = models.CharField(_("place"), max_length=200, blank=True)
    title = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = EncryptedCharField(_("complainant"), blank=True)
    complainant_phone = EncryptedCharField(_("complainant phone"), blank=True)
    complainant_phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("complainant account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A complaint about the estate's property company: the company never sees who filed it.
    concerns_company = models.BooleanField(_("concerns the property company"), default=False)
    source_ref = models.CharField(_("source number"), max_length=64, blank=True)
    deadline_class = models.CharField(
        _("deadline class"), max_length=16, choices=DeadlineClassCode.choices
    )
    state = models.CharField(
        _("state"), max_length=24, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    state_before_merge = models.CharField(max_length=24, blank=True, editable=False)
    master = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    returns_refused = models.PositiveSmallIntegerField(default=0, editable=False)
    reworks = models.PositiveSmallIntegerField(_("reworks"), default=0)
    dispute_level = models.PositiveSmallIntegerField(_("dispute level"), default=0)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    feedback_due = models.DateTimeField(_("feedback due"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    due_trace = models.JSONField(default=dict, blank=True, editable=False)
    result = models.CharField(_("result"), max_length=16, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    # The unit of the active lead assignment, copied by the services that set it (dispatch,
    # an approved return): the orders a unit leads are one index range of this table.
    lead_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, editable=False,
    )  # fmt: skip
    lead_department = models.ForeignKey(
        "regions.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, editable=False,
    )  # fmt: skip
    lead_company = models.ForeignKey(
        "companies.PropertyCompany", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, editable=False,
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="order_unique_source_ref",
                violation_error_message=_("An order with this source number already exists."),
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "state"], name="order_region_state"),
            # The overdue filter: open states × a range of feedback deadlines, a few hundred
            # rows however many closed orders have a past deadline.
            models.Index(fields=["state", "feedback_due"], name="order_state_due"),
            models.Index(fields=["estate", "category", "created_at"], name="order_cluster"),
            # Metric cohorts: by creation and by dispatch date.
            models.Index(fields=["created_at"], name="order_created"),
            models.Index(fields=["dispatched_at"], name="order_dispatched"),
            # The orders a unit leads, open ones first in its inbox (anju.workorders.access).
            *(
                models.Index(
                    fields=[f"lead_{unit}", "state", "created_at"], name=f"order_lead_{unit}"
                )
                for unit in ("company", "department", "region")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# An assignment other than an order's active lead: a co-unit, or a lead before a return.
NOT_ACTIVE_LEAD = ~models.Q(role="lead", active=True)


class Assignment(TimeStampedModel):
    """One unit's part of an order: the lead (主办) or a co-unit (协办), with its clocks."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-unit")

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    unit_kind = models.CharField(_("handling unit kind"), max_length=32)
    # Indexed with the order's state in Meta.indexes.
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    department = models.ForeignKey(
        "regions.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    company = models.ForeignKey(
        "companies.PropertyCompany", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    # The order's state, copied by the services whenever it changes (anju.workorders.access).
    order_state = models.CharField(max_length=24, blank=True, default="", editable=False)
    sign_due = models.DateTimeField(_("sign due"), null=True, blank=True, db_index=True)
    contact_due = models.DateTimeField(_("contact due"), null=True, blank=True)
    feedback_due = models.DateTimeField(_("feedback due"), null=True, blank=True, db_index=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    # When the sweep warns (80 % of the feedback time, in the class's own time base) and,
    # after a 催办, when it reports the unit to the district (5 working days later).
    warn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    report_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set by the sweep, once each: 80 % warning, overdue, 催办, 通报.
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    urged_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order_id", "role", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(role="lead", active=True),
                name="assignment_one_active_lead",
            )
        ]
        # A unit's orders as any assignment (by unit), its inbox (by unit, open order state,
        # active), and the orders it holds other than as the active lead: read from the
        # indexes alone (anju.workorders.access).
        indexes = [
            *(
                models.Index(
                    fields=[unit, "order_state", "active", "role", "order"],
                    name=f"assignment_{unit}_orders",
                )
                for unit in ("company", "department", "region")
            ),
            *(
                models.Index(
                    fields=[unit, "order"],
                    condition=NOT_ACTIVE_LEAD,
                    name=f"assignment_{unit}_other",
                )
                for unit in ("company", "department", "region")
            ),
        ]

    def __str__(self) -> str:
        unit = self.department or self.company or self.region
        return f"{self.order.number} {self.get_role_display()} {unit}"

    @property
    def unit(self):
        return self.department or self.company or self.region


class Event(models.Model):
    """One move or note on an order: who, as what, when, from which state to which, why."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_role = models.CharField(_("acting as"), max_length=16)
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(_("from"), max_length=24, blank=True)
    to_state = models.CharField(_("to"), max_length=24, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.from_state}→{self.to_state}"


class Pause(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="pause_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(ended_at__isnull=True), name="pause_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.started_at}–{self.ended_at or ''}"


class Notice(models.Model):
    """What the sweep sends, once per assignment and kind: a warning to the handling unit,
    an overdue flag, a 催办 to the unit lead, a 通报 to the district."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Deadline warning (80%)")
        OVERDUE = "overdue", _("Overdue")
        URGE = "urge", _("Urging notice (催办)")
        REPORT = "report", _("Circulated notice (通报)")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notices")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    due = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="notice_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class DomainEvent(models.Model):
    """A typed fact other modules consume (the credit module reads these): an order closed
    unsatisfied, an order overdue, a 通报 against a unit. Append-only."""

    class Type(models.TextChoices):
        ORDER_OVERDUE = "order.overdue", _("Order overdue")
        ORDER_REPORTED = "order.reported", _("Unit circulated (通报) for an order")
        ORDER_CLOSED = "order.closed", _("Order closed")
        ORDER_CLOSED_UNSATISFIED = "order.closed_unsatisfied", _("Order closed, unsatisfied")
        RETURN_REFUSED = "order.return_refused", _("Return refused")

    type = models.CharField(_("type"), max_length=32, choices=Type.choices, db_index=True)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="domain_events")
    company = models.ForeignKey(
        "companies.PropertyCompany", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        "regions.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_code = models.CharField(max_length=12, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    key = models.CharField(max_length=80, unique=True)  # idempotency: type:order:assignment

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"{self.type} {self.order_id}"


class Visit(TimeStampedModel):
    """A return visit (回访): the complainant says whether the matter is solved and how
    satisfied they are, through a personal link (no login) or a visitor's phone call."""

    class Method(models.TextChoices):
        LINK = "link", _("Personal link")
        PHONE = "phone", _("Phone call")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    class Exemption(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous complainant")
        DECLINED = "declined", _("Declined to answer")
        UNREACHABLE = "unreachable", _("Unreachable after three tries")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="visits")
    token = models.CharField(max_length=43, unique=True, editable=False)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices, blank=True)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    exempt = models.CharField(_("exemption"), max_length=16, choices=Exemption.choices, blank=True)
    # Unsatisfied for a reason the unit answers for (decides whether a rework is ordered).
    attributable = models.BooleanField(_("attributable to the unit"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["order_id", "-created_at", "-id"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")

    def __str__(self) -> str:
        return f"{self.order_id} {self.satisfaction or self.exempt or '-'}"


class MetricSnapshot(TimeStampedModel):
    """One month's figures for a region, frozen once published. A recomputation after
    publication (an appeal) is a new version; published versions never change."""

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    month = models.DateField(_("month"))
    group = models.CharField(_("grouped by"), max_length=16)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    figures = models.JSONField(_("figures"), default=list)
    weights = models.JSONField(_("weights"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "region_code", "group", "-version"]
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "month", "group", "version"], name="snapshot_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m} {self.group} v{self.version}"


class MetricDay(models.Model):
    """Whether one local day's rollup rows (MetricDaily) may stand in for the live counts:
    computed, not stale (no change to the day's orders since), settled (no sign or contact
    clock of the day's dispatches still running when computed). See anju.workorders.rollups.
    """

    day = models.DateField(_("day"), unique=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True)
    settles_at = models.DateTimeField(null=True, blank=True)
    # Set on the first day of a full backfill: a day before it without a row has no orders.
    first = models.BooleanField(default=False)

    class Meta:
        ordering = ["day"]
        verbose_name = _("metric day")
        verbose_name_plural = _("metric days")

    def __str__(self) -> str:
        return f"{self.day} {'stale' if self.stale else self.computed_at}"


class MetricDaily(models.Model):
    """One day's metric counts (anju.workorders.metrics) of the orders of one community code,
    estate and active lead unit, each count in its own cohort: orders created that day,
    closed that day, dispatched that day (their lead's clocks and return requests), leads due
    that day, visits answered that day."""

    day = models.DateField(_("day"))
    region_code = models.CharField(_("region code"), max_length=12)
    estate = models.ForeignKey(
        Estate, null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    company = models.ForeignKey(
        "companies.PropertyCompany", null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    department = models.ForeignKey(
        "regions.Department", null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    created = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    signed_on_time = models.PositiveIntegerField(default=0)
    sign_counted = models.PositiveIntegerField(default=0)
    contacted_on_time = models.PositiveIntegerField(default=0)
    contact_counted = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    visits_solved = models.PositiveIntegerField(default=0)
    visits_with_answer = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "region_code"]
        verbose_name = _("daily metric counts")
        verbose_name_plural = _("daily metric counts")
        indexes = [models.Index(fields=["day", "region_code"], name="metric_daily_day_region")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_code}"


class DisputeLevel(models.IntegerChoices):
    STREET_MEETING = 1, _("Street joint meeting")
    DISTRICT_MEETING = 2, _("District joint meeting")
    MEDIATION = 3, _("Three-way mediation (people's, administrative, judicial)")
    LITIGATION = 4, _("Litigation or arbitration")


class JointMeeting(TimeStampedModel):
    """A 联席会议 of a street or the district, with the orders on its agenda."""

    level = models.PositiveSmallIntegerField(_("level"), choices=DisputeLevel.choices[:2])
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("convened by"), on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    held = models.BooleanField(_("held"), default=False)
    agenda = models.ManyToManyField(WorkOrder, verbose_name=_("agenda"), related_name="meetings")

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.scheduled_at:%Y-%m-%d}"


class DisputeStep(TimeStampedModel):
    """One level of an order's dispute track: when and who met, what came of it."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", _("Mediated: agreement reached")
        FAILED = "failed", _("No agreement")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Mediation(models.TextChoices):
        PEOPLE = "people", _("People's mediation")
        ADMINISTRATIVE = "administrative", _("Administrative mediation")
        JUDICIAL = "judicial", _("Judicial mediation")

    class Performance(models.TextChoices):
        PENDING = "pending", _("Being performed")
        PERFORMED = "performed", _("Performed")
        BREACHED = "breached", _("Not performed")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="dispute_steps")
    level = models.PositiveSmallIntegerField(_("level"), choices=DisputeLevel.choices)
    mediation = models.CharField(
        _("mediation"), max_length=16, choices=Mediation.choices, blank=True
    )
    meeting = models.ForeignKey(
        JointMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    due = models.DateTimeField(_("due"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    agreement = models.TextField(_("agreement"), blank=True)
    judicial_confirmation = models.BooleanField(_("judicially confirmed"), default=False)
    performance = models.CharField(
        _("performance"), max_length=16, choices=Performance.choices, blank=True
    )
    next_reason = models.TextField(_("reason for the next level"), blank=True)

    class Meta:
        ordering = ["order_id", "level", "id"]
        verbose_name = _("dispute step")
        verbose_name_plural = _("dispute steps")

    def __str__(self) -> str:
        return f"{self.order_id} L{self.level} {self.outcome or '-'}"


class ClusterAlert(TimeStampedModel):
    """Several similar complaints from one estate in a short time (a possible 群体性 matter):
    the street is alerted once per estate, category group and day."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("orders"))
    orders = models.ManyToManyField(WorkOrder, related_name="cluster_alerts")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Who handled the alert (acknowledged_at is when) and what was done.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("handling note"), blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("cluster alert")
        verbose_name_plural = _("cluster alerts")
        constraints = [
            models.UniqueConstraint(fields=["estate", "category", "day"], name="cluster_once")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.category_id} {self.day} ×{self.count}"


class Extension(models.Model):
    """A request for more time (延期): once per assignment, before its deadline, decided by a
    supervisor; the deadline moves only when approved."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("working days requested"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    old_due = models.DateTimeField(null=True, blank=True)
    new_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.order_id} +{self.days}"


class Attachment(models.Model):
    """A photo on an order: the complainant's at intake, or the handling unit's on-site
    evidence with its feedback. Served only through the order's scope (attachments.py)."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("With the complaint")
        EVIDENCE = "evidence", _("On-site evidence")

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="attachments"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    file = models.FileField(_("file"), upload_to="workorders/%Y/%m/", max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to="workorders/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["order_id", "created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.order_id} {self.name}"


class VisitMessage(models.Model):
    """One text message carrying a return visit's personal link: when, to which (masked)
    number, and whether the gateway took it."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="messages")
    phone_masked = models.CharField(_("phone"), max_length=32)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["visit_id", "sent_at", "id"]
        verbose_name = _("return-visit text message")
        verbose_name_plural = _("return-visit text messages")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.status} {self.sent_at:%Y-%m-%d %H:%M}"


class MetricWeights(models.Model):
    """A district's metric weights (complaints.md §3) from a date on: how much 基本满意
    counts, the composite score's weights and the smallest ranked sample. A month is
    computed with the version in force on its first day; versions are added, never edited."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("district"), on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    basic = models.DecimalField(_("weight of basically satisfied"), max_digits=5, decimal_places=4)
    response = models.DecimalField(_("weight of the response rate"), max_digits=5, decimal_places=4)
    solve = models.DecimalField(_("weight of the solve rate"), max_digits=5, decimal_places=4)
    satisfy = models.DecimalField(
        _("weight of the satisfaction rate"), max_digits=5, decimal_places=4
    )
    min_sample = models.PositiveIntegerField(_("smallest ranked sample"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["region_id", "-effective_from"]
        verbose_name = _("metric weights")
        verbose_name_plural = _("metric weights")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"],
                name="metric_weights_once_per_day",
                violation_error_message=_("Weights already take effect on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.effective_from}"
