"""Owners' joint decisions (业主共同决定) by vote: meetings, motions, the frozen voter roll,
proxies, ballots (online, paper, proxy, assisted), delivery proofs and the public board.

Areas are integers in hundredths of a square metre ("area cents") everywhere in this app, so
every threshold is decided by exact integer cross-multiplication (voting.md R6).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.core.models import TimeStampedModel
from anju.core.pii import EncryptedCharField
from anju.estates.models import Building, Estate, Owner, Unit
from anju.voting import rules
from anju.voting.rules import Matter


class Convener(models.TextChoices):
    COMMITTEE = "committee", _("Owners' committee")
    PREPARATORY = "preparatory", _("Preparatory group")
    INTERIM = "interim", _("Interim management committee")
    STREET = "street", _("Street office")


class MeetingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTICED = "noticed", _("Noticed (roll published for objections)")
    OPEN = "open", _("Voting open")
    CLOSED = "closed", _("Closed and counted")
    PUBLISHED = "published", _("Result published")
    CANCELLED = "cancelled", _("Cancelled")


class Choice(models.TextChoices):
    YES = "yes", _("Agree")
    NO = "no", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")
    INVALID = "invalid", _("Invalid or blank")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online by the owner")
    PAPER = "paper", _("Signed paper ballot")
    ASSISTED = "assisted", _("Assisted, witnessed at the community")
    PROXY = "proxy", _("By proxy")


def _board_token() -> str:
    return secrets.token_urlsafe(16)


class Meeting(TimeStampedModel):
    """An owners' assembly meeting (业主大会会议) held by written vote, with its motions."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="meetings"
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    convener = models.CharField(
        _("convened by"), max_length=16, choices=Convener.choices, default=Convener.COMMITTEE
    )
    convener_name = models.CharField(_("convener's name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=MeetingState.choices, default=MeetingState.DRAFT
    )
    # The rule set is fixed when notice is given (R0: judged by the set in force then).
    rule_set_code = models.CharField(_("rule set"), max_length=32, blank=True)
    # Settings of the estate's rules of procedure (议事规则).
    count_parking = models.BooleanField(_("parking spaces count toward the vote"), default=False)
    count_storage = models.BooleanField(_("storage rooms count toward the vote"), default=False)
    invalid_counts_as_participation = models.BooleanField(
        _("invalid or blank ballots count as participation"), default=False
    )
    allow_change = models.BooleanField(_("owners may change their vote before close"), default=True)
    paper_overrides_online = models.BooleanField(
        _("a signed paper ballot overrides an online one"), default=True
    )
    proxy_cap = models.PositiveSmallIntegerField(
        _("most owners one proxy holder may represent"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    deemed_consent = models.BooleanField(
        _("non-voters who received the notice are counted with the majority"), default=False
    )
    deemed_clause = models.TextField(_("clause of the rules of procedure allowing it"), blank=True)
    board_shows_choice = models.BooleanField(
        _("the public board shows each choice (named ballots)"), default=True
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=15)
    # Paper ballots handed out and returned, checked at close: issued >= returned >= entered.
    paper_issued = models.PositiveIntegerField(_("paper ballots issued"), default=0)
    paper_returned = models.PositiveIntegerField(_("paper ballots returned"), default=0)
    objection_days = models.PositiveSmallIntegerField(_("objection period (days)"), default=7)
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    # Timestamps of the state changes.
    noticed_at = models.DateTimeField(_("noticed at"), null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # The public board's address: unguessable, so boards cannot be enumerated.
    board_token = models.CharField(max_length=32, unique=True, default=_board_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("owners' meeting")
        verbose_name_plural = _("owners' meetings")
        indexes = [models.Index(fields=["region_code", "state"], name="meeting_region_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="meeting_closes_after_opening",
                violation_error_message=_("Voting must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("voting:meeting", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.estate_id and not self.region_code:
            self.region_code = self.estate.region_code
        super().save(*args, **kwargs)


class Motion(TimeStampedModel):
    """One matter put to the vote; its electorate is the estate or a 列支范围 within it."""

    class Electorate(models.TextChoices):
        ESTATE = "estate", _("The whole estate")
        BUILDINGS = "buildings", _("Some buildings")
        UNITS = "units", _("A list of units")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="motions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text of the motion"), blank=True)
    matter = models.PositiveSmallIntegerField(
        _("matter (Civil Code art. 278)"), choices=Matter.choices
    )
    electorate = models.CharField(
        _("who votes"), max_length=16, choices=Electorate.choices, default=Electorate.ESTATE
    )
    # Empty: owners agree, disagree or abstain. Otherwise each owner chooses one of these (or
    # abstains), and the option that reaches the matter's approval threshold is adopted.
    option_labels = models.JSONField(_("options to choose from"), default=list, blank=True)
    buildings = models.ManyToManyField(
        Building, verbose_name=_("buildings"), blank=True, related_name="+"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True, related_name="+")
    # Filled when the roll is frozen (voting opens) and when the motion is counted.
    roll_hash = models.CharField(_("roll hash"), max_length=64, blank=True)
    board_head = models.CharField(_("board head hash"), max_length=64, blank=True)
    result = models.JSONField(_("counted result"), null=True, blank=True)
    deemed_result = models.JSONField(_("deemed-consent result"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="motion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def region_code(self) -> str:
        return self.meeting.region_code

    @property
    def is_choice(self) -> bool:
        """Owners choose one of several options instead of agreeing or disagreeing."""
        return bool(self.option_labels)

    def ballot_choices(self, *, paper: bool = False) -> list[tuple[str, str]]:
        """(value, label) of what a ballot on this motion may say; a paper sheet may also be
        blank or spoilt."""
        if self.is_choice:
            values = [
                (rules.option_code(i), f"{i + 1}. {label}")
                for i, label in enumerate(self.option_labels)
            ]
            values.append((Choice.ABSTAIN, Choice.ABSTAIN.label))
        else:
            values = [(c.value, c.label) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN)]
        if paper:
            values.append((Choice.INVALID, Choice.INVALID.label))
        return values

    def allows_choice(self, value: str, *, paper: bool = False) -> bool:
        return any(value == v for v, _label in self.ballot_choices(paper=paper))

    def choice_label(self, value: str) -> str:
        """What a ballot's choice means on this motion ("Agree", "2. 乙物业公司"…)."""
        if self.is_choice:
            index = rules.option_index(value, len(self.option_labels))
            if index is not None:
                return f"{index + 1}. {self.option_labels[index]}"
        try:
            return str(Choice(value).label)
        except ValueError:
            return value


class MotionAttachment(TimeStampedModel):
    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="voting/%Y/%m/")

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """One voter (one person in the count, R9) of one motion's roll, with the summed area.

    The key names who the voter is: "owner:<id>" (the voting representative of every unit
    counted for them), "developer:<id>" (all of one developer's unsold or undelivered units)
    or "unit:<id>" (a unit with no registered owner yet, R14).
    """

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="roll"
    )
    key = models.CharField(_("voter key"), max_length=32)
    owner = models.ForeignKey(
        Owner,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("voter"), max_length=100)
    units_label = models.CharField(_("units"), max_length=500)
    unit_count = models.PositiveIntegerField(_("units"), default=1)
    area = models.BigIntegerField(_("area (0.01 m²)"))
    persons = models.PositiveSmallIntegerField(_("persons"), default=1)
    is_developer = models.BooleanField(_("developer's units"), default=False)
    excluded = models.BooleanField(_("removed from the roll"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["motion_id", "id"]
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        constraints = [
            models.UniqueConstraint(fields=["motion", "key"], name="roll_unique_voter"),
            models.CheckConstraint(condition=Q(area__gte=0), name="roll_area_not_negative"),
        ]
        indexes = [models.Index(fields=["owner", "motion"], name="roll_owner_motion")]

    def __str__(self) -> str:
        return f"{self.name} ({self.units_label})"


class RollUnit(models.Model):
    """A unit counted for a roll entry, with the area and its source as frozen (R8)."""

    entry = models.ForeignKey(
        RollEntry, verbose_name=_("roll entry"), on_delete=models.CASCADE, related_name="units"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("room"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("room"), max_length=100)
    area = models.BigIntegerField(_("area (0.01 m²)"))
    area_source = models.CharField(_("area source"), max_length=16, choices=Unit.AreaSource.choices)

    class Meta:
        ordering = ["entry_id", "id"]
        verbose_name = _("unit on the roll")
        verbose_name_plural = _("units on the roll")

    def __str__(self) -> str:
        return self.label


class RollChange(models.Model):
    """A correction of a published roll, kept for the evidence pack and the fraud signals."""

    class Kind(models.TextChoices):
        BUILT = "built", _("Roll built")
        REMOVED = "removed", _("Voter removed")
        RESTORED = "restored", _("Voter restored")
        AREA = "area", _("Area corrected")
        FROZEN = "frozen", _("Roll frozen")

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="roll_changes"
    )
    entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("roll entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="changes",
    )
    kind = models.CharField(_("kind of change"), max_length=16, choices=Kind.choices)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    after_notice = models.BooleanField(_("after notice"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["motion_id", "id"]
        verbose_name = _("roll change")
        verbose_name_plural = _("roll changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Proxy(TimeStampedModel):
    """A written entrustment (R15): an owner lets a holder vote for them at one meeting or on
    one motion, until it expires or is revoked. The owner's own ballot always prevails."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="proxies"
    )
    motion = models.ForeignKey(
        Motion,
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proxies",
        help_text=_("Empty: every motion of the meeting."),
    )
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField(_("proxy holder"), max_length=100)
    holder_id_number = EncryptedCharField(_("holder's ID number"))
    holder_digest = models.CharField(max_length=64, db_index=True, editable=False)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.FileField(_("signed entrustment"), upload_to="voting/proxies/", blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")

    def __str__(self) -> str:
        return f"{self.owner} → {self.holder_name}"

    @property
    def region_code(self) -> str:
        return self.meeting.region_code


class PaperSheet(TimeStampedModel):
    """A signed paper ballot, keyed in by two different officers and reconciled."""

    class State(models.TextChoices):
        FIRST = "first", _("Entered once")
        MATCHED = "matched", _("Both entries match: counted")
        MISMATCH = "mismatch", _("Entries differ: to be keyed again")
        REJECTED = "rejected", _("Rejected")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="paper_sheets"
    )
    number = models.CharField(_("sheet number"), max_length=32)
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    voter_key = models.CharField(_("voter key"), max_length=32)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first entry by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_choices = models.JSONField(_("first entry"), default=dict)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second entry by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    second_choices = models.JSONField(_("second entry"), default=dict, blank=True)
    mismatches = models.PositiveSmallIntegerField(_("mismatches"), default=0)
    scan = models.FileField(_("scan of the signed sheet"), upload_to="voting/paper/", blank=True)

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("paper ballot sheet")
        verbose_name_plural = _("paper ballot sheets")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="paper_unique_number"),
            models.UniqueConstraint(
                fields=["meeting", "voter_key"],
                condition=~Q(state="rejected"),
                name="paper_one_sheet_per_voter",
                violation_error_message=_("This owner's paper ballot has already been entered."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def region_code(self) -> str:
        return self.meeting.region_code


class Ballot(models.Model):
    """One ballot on one motion. Exactly one ballot per voter is effective (enforced by the
    database); superseded ballots stay, with what replaced them."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="ballots"
    )
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="ballots"
    )
    # yes / no / abstain / invalid, or o1, o2… on a motion with options (Motion.ballot_choices).
    choice = models.CharField(_("choice"), max_length=8)
    channel = models.CharField(_("channel"), max_length=16, choices=BallotChannel.choices)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cast by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proxy = models.ForeignKey(
        Proxy, verbose_name=_("proxy"), null=True, blank=True, on_delete=models.PROTECT
    )
    sheet = models.ForeignKey(
        PaperSheet,
        verbose_name=_("paper sheet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    cast_at = models.DateTimeField(_("cast at"))
    receipt = models.CharField(_("receipt code"), max_length=24, unique=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device = models.CharField(_("device fingerprint"), max_length=16, blank=True)
    effective = models.BooleanField(_("counted"), default=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["motion_id", "id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "entry"],
                condition=Q(effective=True),
                name="ballot_one_effective_per_voter",
            ),
        ]
        indexes = [models.Index(fields=["motion", "cast_at"], name="ballot_motion_time")]

    def __str__(self) -> str:
        return self.receipt

    @property
    def region_code(self) -> str:
        return self.motion.meeting.region_code

    def get_choice_display(self) -> str:
        return self.motion.choice_label(self.choice)


class Delivery(models.Model):
    """Proof that the notice (or a reminder) reached an owner: channel, time, read receipt."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice of the meeting")
        REMINDER = "reminder", _("Reminder to vote")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        SMS = "sms", _("SMS")
        PAPER = "paper", _("Paper, signed receipt")
        POSTED = "posted", _("Posted in the estate")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="deliveries"
    )
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT
    )
    voter_key = models.CharField(_("voter key"), max_length=32, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NOTICE)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    sent_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    evidence = models.FileField(_("receipt photo"), upload_to="voting/delivery/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("delivery proof")
        verbose_name_plural = _("delivery proofs")

    def __str__(self) -> str:
        return f"{self.voter_key} · {self.get_channel_display()}"


class BoardEntry(models.Model):
    """One counted ballot on the public, masked bulletin board, hash-chained in ballot order."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="board"
    )
    seq = models.PositiveIntegerField(_("number"))
    voter_key = models.CharField(_("voter key"), max_length=32)
    voter = models.CharField(_("voter (masked)"), max_length=200)
    persons = models.PositiveSmallIntegerField(_("persons"))
    area = models.BigIntegerField(_("area (0.01 m²)"))
    choice = models.CharField(_("choice"), max_length=64)
    receipt = models.CharField(_("receipt code"), max_length=24)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["motion_id", "seq"]
        verbose_name = _("board entry")
        verbose_name_plural = _("board entries")
        constraints = [
            models.UniqueConstraint(fields=["motion", "seq"], name="board_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.receipt}"
