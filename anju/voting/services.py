"""Voting services: meeting → motions → roll → notice → open → ballots → close → publish.

Every service checks the actor's scope, validates, writes in one transaction with an audit
record, and raises DomainError (a Chinese message) or PermissionDenied, writing nothing, when
it refuses. Areas are integers in 0.01 m² (voting.md R6).
"""

import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import IntegrityError, connection, connections, router, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.models import Membership
from anju.accounts.roles import ROLE_ACTIONS, Action, Role
from anju.accounts.scope import estate_filter, estate_filter_key, scope_of
from anju.core import sms, sql_template
from anju.core.audit import audit_record
from anju.core.errors import DomainError
from anju.core.pii import digest
from anju.estates.models import Estate, Owner, Ownership
from anju.voting import roll as rolls
from anju.voting import rules
from anju.voting.access import meeting_policy
from anju.voting.models import (
    Ballot,
    BallotChannel,
    BoardEntry,
    Choice,
    Convener,
    Delivery,
    Meeting,
    MeetingState,
    Motion,
    MotionAttachment,
    PaperSheet,
    Proxy,
    RollChange,
    RollEntry,
    RollUnit,
)

S = MeetingState


# -- meetings and motions --------------------------------------------------------------------


def _organisable(actor, meeting: Meeting) -> Meeting:
    """The meeting, locked, if the actor may organise it (404-like PermissionDenied otherwise)."""
    if not meeting_policy.can(actor, Action.VOTES_ORGANISE, meeting):
        raise PermissionDenied
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _require_state(meeting: Meeting, *states: str) -> None:
    if meeting.state not in states:
        raise DomainError(
            _("This cannot be done while the meeting is “%(state)s”.")
            % {"state": meeting.get_state_display()}
        )


MEETING_FIELDS = (
    "title",
    "convener",
    "convener_name",
    "description",
    "count_parking",
    "count_storage",
    "invalid_counts_as_participation",
    "allow_change",
    "paper_overrides_online",
    "proxy_cap",
    "deemed_consent",
    "deemed_clause",
    "board_shows_choice",
    "notice_days",
    "objection_days",
    "opens_at",
    "closes_at",
)


def _validate_meeting(meeting: Meeting) -> None:
    if not meeting.title.strip():
        raise DomainError(_("A meeting needs a title."), field="title")
    if meeting.convener not in Convener.values:
        raise DomainError(_("Choose who convenes the meeting."), field="convener")
    if meeting.objection_days is None or meeting.objection_days < 1:
        raise DomainError(_("The objection period is at least one day."), field="objection_days")
    if meeting.notice_days is None or meeting.notice_days < 15:
        raise DomainError(
            _("The notice period is at least 15 days (物业管理条例 art. 14)."), field="notice_days"
        )
    if meeting.opens_at and meeting.closes_at and meeting.closes_at <= meeting.opens_at:
        raise DomainError(_("Voting must close after it opens."), field="closes_at")
    if meeting.deemed_consent and not meeting.deemed_clause.strip():
        raise DomainError(
            _(
                "Counting non-voters with the majority needs the exact clause of the estate's "
                "rules of procedure that allows it."
            ),
            field="deemed_clause",
        )
    if meeting.proxy_cap == 0:
        raise DomainError(_("Leave the proxy limit empty for no limit."), field="proxy_cap")


@transaction.atomic
def create_meeting(*, actor, estate: Estate, **data) -> Meeting:
    scope = scope_of(actor)
    if not Estate.objects.filter(
        estate_filter(scope, Action.VOTES_ORGANISE), pk=estate.pk
    ).exists():
        raise PermissionDenied
    meeting = Meeting(estate=estate, created_by=actor if actor.is_authenticated else None)
    for name in MEETING_FIELDS:
        if name in data:
            setattr(meeting, name, data[name])
    _validate_meeting(meeting)
    meeting.save()
    audit_record(actor=actor, action="voting.meeting.create", target=meeting)
    return meeting


@transaction.atomic
def update_meeting(*, actor, meeting: Meeting, **data) -> Meeting:
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.DRAFT)
    changes = {}
    for name in MEETING_FIELDS:
        if name in data and getattr(meeting, name) != data[name]:
            changes[name] = [str(getattr(meeting, name)), str(data[name])]
            setattr(meeting, name, data[name])
    _validate_meeting(meeting)
    meeting.save()
    audit_record(actor=actor, action="voting.meeting.update", target=meeting, changes=changes)
    return meeting


@transaction.atomic
def add_motion(
    *,
    actor,
    meeting: Meeting,
    title: str,
    matter: int,
    body: str = "",
    electorate: str = Motion.Electorate.ESTATE,
    buildings=(),
    units=(),
    attachments=(),
    option_labels=(),
) -> Motion:
    """Add a motion to a draft meeting. With option_labels (2 to 9 of them) the owners choose
    one option or abstain, instead of agreeing or disagreeing."""
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.DRAFT)
    option_labels = clean_option_labels(option_labels)
    if not title.strip():
        raise DomainError(_("A motion needs a title."), field="title")
    if matter not in rules.Matter.values:
        raise DomainError(_("Choose the matter the motion decides."), field="matter")
    if electorate not in Motion.Electorate.values:
        raise DomainError(
            _("Choose who votes: the whole estate, some buildings or a list of units."),
            field="electorate",
        )
    buildings = list(buildings)
    units = list(units)
    if any(b.estate_id != meeting.estate_id for b in buildings) or any(
        u.estate_id != meeting.estate_id for u in units
    ):
        raise DomainError(_("Buildings and units must belong to the meeting's estate."))
    if electorate == Motion.Electorate.BUILDINGS and not buildings:
        raise DomainError(_("Choose the buildings whose owners vote."), field="buildings")
    if electorate == Motion.Electorate.UNITS and not units:
        raise DomainError(_("Choose the units whose owners vote."), field="units")
    number = (meeting.motions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    motion = Motion.objects.create(
        meeting=meeting,
        number=number,
        title=title.strip(),
        body=body,
        matter=matter,
        electorate=electorate,
        option_labels=option_labels,
    )
    if electorate == Motion.Electorate.BUILDINGS:
        motion.buildings.set(buildings)
    elif electorate == Motion.Electorate.UNITS:
        motion.units.set(units)
    for upload in attachments:
        MotionAttachment.objects.create(motion=motion, name=upload.name[:200], file=upload)
    audit_record(
        actor=actor,
        action="voting.motion.create",
        target=motion,
        changes={"title": [None, motion.title], "matter": [None, matter]}
        | ({"options": [None, option_labels]} if option_labels else {}),
    )
    return motion


OPTION_LABEL_LENGTH = 100


def clean_option_labels(labels) -> list[str]:
    """The options of a choice motion, trimmed and checked: none (an agree / disagree motion)
    or 2 to 9 distinct, non-empty labels of at most 100 characters."""
    if isinstance(labels, str):
        labels = labels.splitlines()
    cleaned = [str(label).strip() for label in labels]
    cleaned = [label for label in cleaned if label]
    if not cleaned:
        return []
    if len(cleaned) < 2:
        raise DomainError(
            _("A motion with options needs at least two; leave them empty for agree / disagree."),
            field="option_labels",
        )
    if len(cleaned) > rules.MAX_OPTIONS:
        raise DomainError(
            _("A motion has at most %(n)d options.") % {"n": rules.MAX_OPTIONS},
            field="option_labels",
        )
    long = [label for label in cleaned if len(label) > OPTION_LABEL_LENGTH]
    if long:
        raise DomainError(
            _("Option “%(label)s…” is longer than %(n)d characters.")
            % {"label": long[0][:20], "n": OPTION_LABEL_LENGTH},
            field="option_labels",
        )
    seen = set()
    for label in cleaned:
        if label in seen:
            raise DomainError(
                _("Option “%(label)s” is listed twice.") % {"label": label},
                field="option_labels",
            )
        seen.add(label)
    return cleaned


@transaction.atomic
def remove_motion(*, actor, motion: Motion) -> None:
    meeting = _organisable(actor, motion.meeting)
    _require_state(meeting, S.DRAFT)
    audit_record(actor=actor, action="voting.motion.delete", target=motion)
    motion.delete()


# -- notice, roll and objections -------------------------------------------------------------


def opening_floor(meeting: Meeting, noticed_on) -> datetime:
    """Voting may open once the notice period has run in full (R0b: the day of notice is not
    counted, so with 15 days a notice on the 1st allows opening on the 17th at 00:00)."""
    day = noticed_on + timedelta(days=meeting.notice_days + 1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@transaction.atomic
def give_notice(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Fix the rule set, build and publish every motion's roll, and notify the owners."""
    now = now or timezone.now()
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.DRAFT)
    motions = list(meeting.motions.all())
    if not motions:
        raise DomainError(_("Add at least one motion before giving notice."))
    if not meeting.opens_at or not meeting.closes_at:
        raise DomainError(_("Set when voting opens and closes before giving notice."))
    today = timezone.localdate(now)
    floor = opening_floor(meeting, today)
    if meeting.opens_at < floor:
        raise DomainError(
            _("Voting may open on %(day)s at the earliest: the notice period is %(n)d full days.")
            % {"day": timezone.localdate(floor).isoformat(), "n": meeting.notice_days},
            field="opens_at",
        )
    objection_until = today + timedelta(days=meeting.objection_days)
    if objection_until >= timezone.localdate(meeting.opens_at):
        raise DomainError(_("The objection period must end before voting opens."))
    rule_set = rules.rule_set_in_force(today)
    for motion in motions:
        if rules.Matter(motion.matter) not in rule_set.approval:
            raise DomainError(
                _("The rule set %(rules)s does not cover the matter of motion %(n)d.")
                % {"rules": rule_set.name, "n": motion.number}
            )
        size = rolls.build(motion)
        if size == 0:
            raise DomainError(
                _("Motion %(n)d has no voters: check its buildings or units.")
                % {"n": motion.number}
            )
        RollChange.objects.create(
            motion=motion,
            kind=RollChange.Kind.BUILT,
            after={"voters": size, "hash": rolls.roll_hash(motion)},
            actor=actor if actor.is_authenticated else None,
        )
    meeting.rule_set_code = rule_set.code
    meeting.state = S.NOTICED
    meeting.noticed_at = now
    meeting.objection_until = objection_until
    meeting.save()
    sent = _notify(meeting, Delivery.Kind.NOTICE, now=now, actor=actor)
    audit_record(
        actor=actor,
        action="voting.meeting.notice",
        target=meeting,
        changes={"state": [S.DRAFT, S.NOTICED], "rule_set": [None, rule_set.code], "sent": sent},
    )
    return meeting


def voters(meeting: Meeting):
    """One row per distinct voter of the meeting (a voter may be on several motions' rolls)."""
    seen = {}
    for entry in (
        RollEntry.objects.filter(motion__meeting=meeting, excluded=False)
        .select_related("owner")
        .order_by("key", "motion_id")
    ):
        seen.setdefault(entry.key, entry)
    return list(seen.values())


def _notify(meeting: Meeting, kind: str, *, now, actor, keys: set[str] | None = None) -> int:
    """Text every voter with a phone and record the delivery; returns the messages sent."""
    text = (
        _("[Anju] %(estate)s: owners' meeting “%(title)s”, voting %(opens)s to %(closes)s.")
        if kind == Delivery.Kind.NOTICE
        else _("[Anju] %(estate)s: you have not voted in “%(title)s”; voting closes %(closes)s.")
    ) % {
        "estate": meeting.estate.name,
        "title": meeting.title,
        "opens": timezone.localtime(meeting.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes": timezone.localtime(meeting.closes_at).strftime("%Y-%m-%d %H:%M"),
    }
    deliveries = []
    for entry in voters(meeting):
        if keys is not None and entry.key not in keys:
            continue
        owner = entry.owner
        if owner is not None and owner.phone and sms.send(owner.phone, text):
            deliveries.append(
                Delivery(
                    meeting=meeting,
                    owner=owner,
                    voter_key=entry.key,
                    kind=kind,
                    channel=Delivery.Channel.SMS,
                    sent_at=now,
                    recorded_by=actor if actor.is_authenticated else None,
                )
            )
    Delivery.objects.bulk_create(deliveries)
    return len(deliveries)


@transaction.atomic
def record_delivery(
    *, actor, meeting: Meeting, voter_key: str, channel: str, sent_at=None, evidence=None, note=""
) -> Delivery:
    """An officer records a paper receipt, a posting or another proof of delivery."""
    if not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    _require_state(meeting, S.NOTICED, S.OPEN)
    entry = RollEntry.objects.filter(motion__meeting=meeting, key=voter_key).first()
    if entry is None:
        raise DomainError(_("This voter is not on the meeting's roll."))
    if channel not in Delivery.Channel.values:
        raise DomainError(_("Choose how the notice was delivered."), field="channel")
    if sent_at is not None and sent_at > timezone.now():
        raise DomainError(_("A delivery cannot be dated in the future."), field="sent_at")
    delivery = Delivery.objects.create(
        meeting=meeting,
        owner=entry.owner,
        voter_key=voter_key,
        channel=channel,
        sent_at=sent_at or timezone.now(),
        evidence=evidence or "",
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="voting.delivery.record",
        target=meeting,
        changes={"voter": [None, voter_key], "channel": [None, channel]},
    )
    return delivery


def mark_read(*, meeting: Meeting, owner: Owner, now=None) -> None:
    """The owner opened the meeting: deemed received (R21) and recorded as read."""
    now = now or timezone.now()
    keys = voter_keys(meeting, owner)
    if not keys:
        return
    _unread_reminders(keys, meeting=meeting).update(read_at=now)
    updated = Delivery.objects.filter(
        meeting=meeting, voter_key__in=keys, kind=Delivery.Kind.NOTICE, read_at__isnull=True
    ).update(read_at=now)
    if (
        not updated
        and not Delivery.objects.filter(
            meeting=meeting, voter_key__in=keys, kind=Delivery.Kind.NOTICE
        ).exists()
    ):
        Delivery.objects.bulk_create(
            [
                Delivery(
                    meeting=meeting,
                    owner=owner,
                    voter_key=k,
                    channel=Delivery.Channel.IN_APP,
                    sent_at=now,
                    read_at=now,
                )
                for k in keys
            ]
        )


@transaction.atomic
def correct_roll(
    *,
    actor,
    entry: RollEntry,
    reason: str,
    excluded: bool | None = None,
    area: int | None = None,
) -> RollEntry:
    """Correct a published roll during the objection period; every change is logged."""
    meeting = _organisable(actor, entry.motion.meeting)
    _require_state(meeting, S.NOTICED)
    if not reason.strip():
        raise DomainError(_("Give the reason for the correction."), field="reason")
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
    before = {"excluded": entry.excluded, "area": entry.area}
    kind = None
    if excluded is not None and excluded != entry.excluded:
        entry.excluded = excluded
        kind = RollChange.Kind.REMOVED if excluded else RollChange.Kind.RESTORED
    if area is not None and area != entry.area:
        if area <= 0:
            raise DomainError(_("Floor area must be greater than 0."), field="area")
        entry.area = area
        kind = kind or RollChange.Kind.AREA
    if kind is None:
        raise DomainError(_("Nothing to change."))
    entry.save(update_fields=["excluded", "area"])
    RollChange.objects.create(
        motion=entry.motion,
        entry=entry,
        kind=kind,
        before=before,
        after={"excluded": entry.excluded, "area": entry.area},
        reason=reason,
        after_notice=True,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="voting.roll.correct",
        target=meeting,
        changes={"voter": [entry.key, entry.key], "excluded": [before["excluded"], entry.excluded]}
        | {"area": [before["area"], entry.area]},
    )
    return entry


@transaction.atomic
def open_voting(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Freeze and hash every roll, then open the ballot box."""
    now = now or timezone.now()
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.NOTICED)
    if now < meeting.opens_at:
        raise DomainError(
            _("Voting opens at %(at)s.")
            % {"at": timezone.localtime(meeting.opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if now >= meeting.closes_at:
        raise DomainError(_("The voting window has already passed."))
    for motion in meeting.motions.all():
        motion.roll_hash = rolls.roll_hash(motion)
        motion.save(update_fields=["roll_hash"])
        RollChange.objects.create(
            motion=motion,
            kind=RollChange.Kind.FROZEN,
            after={"hash": motion.roll_hash},
            actor=actor,
        )
    meeting.state = S.OPEN
    meeting.opened_at = now
    meeting.save()
    audit_record(
        actor=actor,
        action="voting.meeting.open",
        target=meeting,
        changes={"state": [S.NOTICED, S.OPEN]},
    )
    return meeting


# -- ballots -----------------------------------------------------------------------------------


def _rank(meeting: Meeting, channel: str) -> int:
    """Precedence: the owner's own ballot over a proxy's; a signed paper (or witnessed) ballot
    over an online one when the meeting says so; within one rank the later ballot counts
    while changes are allowed."""
    if channel == BallotChannel.PROXY:
        return 1
    if channel in (BallotChannel.PAPER, BallotChannel.ASSISTED) and meeting.paper_overrides_online:
        return 3
    return 2


def precedence_text(meeting: Meeting) -> str:
    parts = [_("The owner's own ballot prevails over a proxy's.")]
    if meeting.paper_overrides_online:
        parts.append(_("A signed paper ballot prevails over an online one."))
    if meeting.allow_change:
        parts.append(_("Within the same channel the last ballot before close counts."))
    else:
        parts.append(_("A ballot cannot be changed once cast."))
    return " ".join(parts)


def _check_precedence(meeting: Meeting, channel: str, counted_channel: str) -> None:
    """Refuse a ballot that may not replace the one counted (the precedence rule)."""
    new_rank, old_rank = _rank(meeting, channel), _rank(meeting, counted_channel)
    if new_rank < old_rank:
        if channel == BallotChannel.PROXY:
            raise DomainError(_("The owner has voted in person; a proxy's ballot is not counted."))
        raise DomainError(_("A signed paper ballot has been counted for this owner; it prevails."))
    if new_rank == old_rank and not meeting.allow_change:
        raise DomainError(_("A ballot cannot be changed at this meeting."))


def receipt_code(motion_id: int, entry_id: int, choice: str, cast_at: datetime) -> str:
    """An independent receipt per ballot: an HMAC over its content and a random nonce (no
    chaining at cast time, so ballots of one motion never wait for each other)."""
    nonce = secrets.token_hex(8)
    message = f"{motion_id}|{entry_id}|{choice}|{cast_at.isoformat()}|{nonce}".encode()
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return mac[:20].upper()


def _check_window(meeting: Meeting, now: datetime) -> None:
    if meeting.state != S.OPEN:
        raise DomainError(_("Voting is not open."))
    if now < meeting.opens_at or now >= meeting.closes_at:
        raise DomainError(_("Voting is closed."))


def cast(
    *,
    motion: Motion,
    entry: RollEntry,
    choice: str,
    channel: str,
    actor=None,
    proxy: Proxy | None = None,
    sheet: PaperSheet | None = None,
    ip: str | None = None,
    device: str = "",
    now: datetime | None = None,
) -> Ballot:
    """Cast one ballot, leaving exactly one effective ballot for the voter (the database
    enforces it; two simultaneous ballots from one voter meet at the unique index and the
    loser retries against the winner under the precedence rule)."""
    now = now or timezone.now()
    meeting = motion.meeting
    _check_choice(motion, choice, paper=channel == BallotChannel.PAPER)
    if entry.motion_id != motion.pk or entry.excluded:
        raise DomainError(_("This voter is not on the motion's roll."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                # Casts for one voter queue on the voter's roll row; other voters never wait.
                list(RollEntry.objects.select_for_update().filter(pk=entry.pk).values_list("pk"))
                current = (
                    Ballot.objects.select_for_update()
                    .filter(motion=motion, entry=entry, effective=True)
                    .first()
                )
                if current is not None:
                    _check_precedence(meeting, channel, current.channel)
                    current.effective = False
                    current.superseded_at = now
                    current.save(update_fields=["effective", "superseded_at"])
                return Ballot.objects.create(
                    motion=motion,
                    entry=entry,
                    choice=choice,
                    channel=channel,
                    cast_by=actor if actor is not None and actor.is_authenticated else None,
                    proxy=proxy,
                    sheet=sheet,
                    cast_at=now,
                    receipt=receipt_code(motion.pk, entry.pk, choice, now),
                    ip=ip,
                    device=device[:16],
                )
        except IntegrityError:
            continue
    raise DomainError(_("Too many simultaneous ballots for this voter; please try again."))


def _check_choice(motion: Motion, choice: str, *, paper: bool = False) -> None:
    """Refuse a choice the motion's ballot does not offer (a paper sheet may be blank)."""
    if motion.allows_choice(choice, paper=paper):
        return
    if motion.is_choice:
        raise DomainError(
            _("Motion %(n)d: choose one of its options or abstain.") % {"n": motion.number},
            field="choice",
        )
    raise DomainError(_("Choose agree, disagree or abstain."), field="choice")


def candidate_keys(owner: Owner) -> set[str]:
    """The roll keys an owner may vote under (whether or not on a given roll)."""
    keys = {f"owner:{owner.pk}"}
    if owner.is_developer:
        keys.add(rolls.DEVELOPER_KEY)
    return keys


def voter_keys(meeting: Meeting, owner: Owner) -> set[str]:
    """The roll keys an owner votes under at this meeting."""
    keys = candidate_keys(owner)
    return set(
        RollEntry.objects.filter(motion__meeting=meeting, key__in=keys).values_list(
            "key", flat=True
        )
    )


IDENTITY_TRIES = 5  # failed identity checks per user and meeting within an hour


def _owner_units(user, meeting: Meeting) -> list[int]:
    """The units the user's owner account is bound to in the meeting's estate; refuses a user
    without one (403) and one who failed the identity check too often."""
    scope = scope_of(user)
    unit_ids = [
        g.value
        for g in scope.grants_for(Action.VOTES_CAST)
        if g.kind == "unit" and g.estate_id == meeting.estate_id
    ]
    if not unit_ids:
        raise PermissionDenied
    _check_tries(user, meeting)
    return unit_ids


def _tries_key(user, meeting: Meeting | int) -> str:
    # Failed checks are counted in the cache, not the database, so that a refusal rolling
    # back the caller's transaction cannot erase the count.
    pk = meeting.pk if isinstance(meeting, Meeting) else int(meeting)
    return f"anju:voting:identity:{user.pk}:{pk}"


def _require_id_number(id_number: str) -> None:
    """An empty ID number matches nothing (an owner registered without one included)."""
    if not (id_number or "").strip():
        raise DomainError(
            _("Enter the ID number of the unit's voting representative."), field="id_number"
        )


def _check_tries(user, meeting: Meeting | int) -> None:
    if cache.get(_tries_key(user, meeting), 0) >= IDENTITY_TRIES:
        raise DomainError(
            _("Too many failed identity checks; try again in an hour or ask the community.")
        )


def _identify(*, user, meeting: Meeting, id_number: str, unit_ids: list[int] | None = None):
    """The owner whose ID number the user gave, if the registry names them the voting
    representative of a unit the user's owner account is bound to in the meeting's estate.

    One query: the ownership link and the owner together, by the ID number's digest."""
    _require_id_number(id_number)
    if unit_ids is None:
        unit_ids = _owner_units(user, meeting)
    tries_key = _tries_key(user, meeting)
    # Only the columns needed: loading the encrypted ones would decrypt them for nothing.
    link = (
        Ownership.objects.filter(
            owner__id_number_digest=digest(id_number.strip()), unit_id__in=unit_ids
        )
        .select_related("owner")
        .only(
            "id",
            "is_representative",
            "owner__id",
            "owner__name",
            "owner__kind",
            "owner__is_developer",
            "owner__id_number_digest",
        )
        .order_by("-is_representative", "id")
        .first()
    )
    if link is None:
        cache.add(tries_key, 0, timeout=3600)
        cache.incr(tries_key)
        raise DomainError(
            _("The ID number does not match a registered owner of your unit."), field="id_number"
        )
    if not link.is_representative:
        raise DomainError(
            _(
                "Only the unit's voting representative votes for it (co-owners name one). "
                "Ask the community to record you as the representative."
            ),
            field="id_number",
        )
    return link.owner


def verify_owner(*, user, meeting: Meeting, id_number: str) -> Owner:
    """Check an owner's identity against the registry: the ID number must belong to the voting
    representative of a unit the user's owner account is bound to, in the meeting's estate."""
    owner = _identify(user=user, meeting=meeting, id_number=id_number)
    if not voter_keys(meeting, owner):
        raise DomainError(_("You are not on the roll of this meeting."))
    return owner


def _read_for_ballots(qs) -> Meeting | None:
    """The one meeting of qs, read inside the caller's transaction with a key-share lock on
    its row held until commit (PostgreSQL).

    Ballots of many voters share the lock (they never wait for each other), while closing,
    cancelling or changing the meeting (select_for_update) waits for the ballots in flight, and
    a ballot arriving after the close sees the closed state: no ballot lands after the tally.
    SQLite takes the database write lock at BEGIN (IMMEDIATE), which serialises the same way.
    Django offers FOR UPDATE and FOR NO KEY UPDATE only, and both would make the ballots of
    one meeting wait for each other; KEY SHARE is the lock the ballot rows' foreign keys take
    on the motion anyway."""
    qs = qs.order_by()
    if connection.vendor != "postgresql":
        return qs.first()
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a scope that reaches no meeting at all
        return None
    table = connection.ops.quote_name(Meeting._meta.db_table)
    return next(iter(Meeting.objects.raw(f"{sql} FOR KEY SHARE OF {table}", params)), None)


def lock_for_ballots(meeting: Meeting) -> Meeting:
    """The meeting re-read with its voting state, locked for casting (see _read_for_ballots)."""
    locked = _read_for_ballots(Meeting.objects.filter(pk=meeting.pk))
    if locked is None:
        raise DomainError(_("Voting is not open."))
    return locked


# The online cast runs at voting peaks: its two reads are compiled once (core/sql_template.py)
# and rerun with the request's values. Their SQL depends on what the keys hold only: the
# database, the actor's grants and today's date (a company's grant reads its contracts' dates),
# and the number of the user's units.

MEETING_FIELDS = tuple(f.attname for f in Meeting._meta.concrete_fields)
ENTRY_FIELDS = ("id", "motion_id", "excluded", "owner_id")
ENTRY_MOTION = ("motion__number", "motion__option_labels")
ENTRY_OWNER = ("owner__name", "owner__kind", "owner__is_developer")


def _visible_meeting_for_ballots(user, meeting_id: int) -> Meeting | None:
    """The meeting in the user's scope, read as _read_for_ballots() reads it (key-share lock)."""
    # meeting_policy filters by estate_filter(path="estate__"): its key says what that reads.
    grants = estate_filter_key(scope_of(user), Action.VOTES_VIEW)
    alias = router.db_for_read(Meeting)
    key = ("vote-meeting", alias, grants, timezone.localdate())
    suffix = ""
    if connections[alias].vendor == "postgresql":
        suffix = f" FOR KEY SHARE OF {connections[alias].ops.quote_name(Meeting._meta.db_table)}"

    def build(pk):
        return meeting_policy.visible(user).filter(pk=pk).order_by().values(*MEETING_FIELDS)

    rows = sql_template.rows(key, build, suffix=suffix, pk=int(meeting_id))
    return sql_template.instance(Meeting, alias, rows[0]) if rows else None


@functools.cache
def _cast_roles() -> tuple[str, ...]:
    """The roles whose unit memberships give the right to cast and to see the meeting."""
    both = {Action.VOTES_CAST, Action.VOTES_VIEW}
    return tuple(sorted(role for role, actions in ROLE_ACTIONS.items() if both <= actions))


def _lock_own_entries(user, meeting_id: int, id_digest: str) -> list[RollEntry]:
    """The roll rows, at this meeting, of the owner with this ID number who represents a unit
    the user is bound to by a membership that lets them cast there (a unit of the meeting's
    estate: what _owner_units() and the meeting's scope allow), locked as _lock_entries()
    locks them, each with its motion, the meeting and the owner. The meeting row is read under
    a key-share lock, as _read_for_ballots() reads it."""
    alias = router.db_for_write(RollEntry)
    entry, meeting = (
        connections[alias].ops.quote_name(m._meta.db_table) for m in (RollEntry, Meeting)
    )
    suffix = ""
    if connections[alias].vendor == "postgresql":
        # Per row PostgreSQL locks in the clauses' order: the meeting first, as every other
        # path does (lock_for_ballots, enter_paper, correct_roll), so that none can deadlock.
        suffix = f" FOR KEY SHARE OF {meeting} FOR UPDATE OF {entry}"
    meeting_fields = tuple(f"motion__meeting__{name}" for name in MEETING_FIELDS)

    def build(user_id, meeting_pk, digest_value):
        # A unit grant, as scope_of() reads a membership: a unit and no wider scope.
        units = Membership.objects.filter(
            user_id=user_id,
            role__in=_cast_roles(),
            unit__isnull=False,
            region__isnull=True,
            grid__isnull=True,
            department__isnull=True,
            company__isnull=True,
            estate__isnull=True,
        ).values("unit_id")
        return (
            RollEntry.objects.filter(
                Exists(
                    Ownership.objects.filter(
                        owner_id=OuterRef("owner_id"),
                        unit__estate_id=OuterRef("motion__meeting__estate_id"),
                        unit_id__in=units,
                        is_representative=True,
                    )
                ),
                motion__meeting_id=meeting_pk,
                key__startswith="owner:",
                owner__id_number_digest=digest_value,
                owner__is_developer=False,
            )
            .order_by("motion__number", "id")
            .values(*ENTRY_FIELDS, *ENTRY_MOTION, *ENTRY_OWNER, *meeting_fields)
        )

    rows = sql_template.rows(
        ("vote-own-entries", alias, _cast_roles()),
        build,
        suffix=suffix,
        user_id=user.pk,
        meeting_pk=meeting_id,
        digest_value=id_digest,
    )
    if not rows:
        return []
    first = rows[0]
    the_meeting = sql_template.instance(
        Meeting, alias, {name: first[f"motion__meeting__{name}"] for name in MEETING_FIELDS}
    )
    owner = sql_template.instance(
        Owner,
        alias,
        {
            "id": first["owner_id"],
            "name": first["owner__name"],
            "kind": first["owner__kind"],
            "is_developer": first["owner__is_developer"],
        },
    )
    entries = []
    for row in rows:
        one = sql_template.instance(RollEntry, alias, {f: row[f] for f in ENTRY_FIELDS})
        one.motion = sql_template.instance(
            Motion,
            alias,
            {
                "id": row["motion_id"],
                "meeting_id": the_meeting.pk,
                "number": row["motion__number"],
                "option_labels": row["motion__option_labels"],
            },
        )
        one.motion.meeting = the_meeting
        one.owner = owner
        entries.append(one)
    return entries


def _lock_entries(qs, *, with_owner: bool = False) -> list[RollEntry]:
    """The roll rows of qs, locked for the transaction in motion order (as cast() locks them
    one by one), so that two casts for one voter cannot deadlock."""
    fields = [
        "id",
        "motion_id",
        "excluded",
        "owner_id",
        "motion__id",
        "motion__number",
        "motion__option_labels",
    ]
    related = ["motion"]
    if with_owner:
        fields += ["owner__id", "owner__name", "owner__kind", "owner__is_developer"]
        related.append("owner")
    return list(
        qs.select_for_update(of=("self",))
        .select_related(*related)
        .only(*fields)
        .order_by("motion__number", "id")
    )


def _cast_for_voter(
    *,
    meeting: Meeting,
    keys: set[str] = frozenset(),
    rows: list[RollEntry] | None = None,
    choices: dict[int, str],
    channel: str,
    actor,
    ip: str | None,
    device: str,
    now: datetime,
) -> list[Ballot]:
    """Cast the voter's ballots on several motions at once, in a handful of statements.

    The voter's roll rows (all motions; `rows` when the caller locked them already, else those
    of `keys`) are locked first, so every ballot of one voter — online, proxy or paper — queues
    on the same rows while other voters never wait. Under that lock the counted ballots are
    read, the precedence rule applied, the replaced ones marked and the new ones inserted in
    one statement; the unique index on effective ballots remains the database's guarantee."""
    if not choices:
        raise DomainError(_("Choose at least one motion to vote on."))
    if rows is None:
        rows = _lock_entries(RollEntry.objects.filter(motion__meeting=meeting, key__in=keys))
    if not rows:
        raise DomainError(_("You are not on the roll of this meeting."))
    entries = {e.motion_id: e for e in rows if not e.excluded}
    missing = [pk for pk in choices if pk not in entries]
    if missing:
        numbers = dict(meeting.motions.filter(pk__in=missing).values_list("pk", "number"))
        for pk in sorted(missing, key=lambda pk: numbers.get(pk, 0)):
            if pk in numbers:
                raise DomainError(
                    _("You are not among the owners who vote on motion %(n)d.") % {"n": numbers[pk]}
                )
        raise DomainError(_("Unknown motion."))
    chosen = [e for e in rows if e.motion_id in choices and not e.excluded]
    for entry in chosen:
        _check_choice(entry.motion, choices[entry.motion_id], paper=channel == BallotChannel.PAPER)
    current = sql_template.rows(
        ("vote-counted-ballots", router.db_for_write(Ballot)),
        lambda entries: (
            Ballot.objects.filter(entry_id__in=entries, effective=True)
            .order_by()
            .values("id", "channel")
        ),
        entries=[e.pk for e in chosen],
    )
    for ballot in current:
        _check_precedence(meeting, channel, ballot["channel"])
    if current:
        Ballot.objects.filter(pk__in=[b["id"] for b in current]).update(
            effective=False, superseded_at=now
        )
    cast_by = actor if actor is not None and actor.is_authenticated else None
    ballots = [
        Ballot(
            motion=entry.motion,
            entry=entry,
            choice=choices[entry.motion_id],
            channel=channel,
            cast_by=cast_by,
            cast_at=now,
            receipt=receipt_code(entry.motion_id, entry.pk, choices[entry.motion_id], now),
            ip=ip,
            device=device[:16],
        )
        for entry in chosen
    ]
    return Ballot.objects.bulk_create(ballots)


def _record_cast(*, user, meeting: Meeting, ballots: list[Ballot]) -> None:
    audit_record(
        actor=user,
        action="voting.ballot.cast",
        target=meeting,
        changes={"receipts": [None, [b.receipt for b in ballots]]},
    )


@transaction.atomic
def cast_own(
    *,
    user,
    meeting: Meeting,
    owner: Owner,
    choices: dict[int, str],
    channel: str = BallotChannel.ONLINE,
    ip: str | None = None,
    device: str = "",
    now: datetime | None = None,
) -> list[Ballot]:
    """The owner's own ballots on the meeting's motions (one choice per motion)."""
    now = now or timezone.now()
    meeting = lock_for_ballots(meeting)
    _check_window(meeting, now)
    ballots = _cast_for_voter(
        meeting=meeting,
        keys=candidate_keys(owner),
        choices=choices,
        channel=channel,
        actor=user,
        ip=ip,
        device=device,
        now=now,
    )
    _record_cast(user=user, meeting=meeting, ballots=ballots)
    return ballots


@transaction.atomic
def cast_online(
    *,
    user,
    meeting_id: int,
    id_number: str,
    choices: dict[int, str],
    ip: str | None = None,
    device: str = "",
    now: datetime | None = None,
) -> tuple[Meeting, Owner, list[Ballot]]:
    """Fetch the meeting in the user's scope (Http404 otherwise), check the owner's identity
    and cast their ballots in one transaction: the checks of verify_owner() and cast_own() in
    a handful of statements (the API's path, where every query counts at voting peaks)."""
    now = now or timezone.now()
    _require_id_number(id_number)
    _check_tries(user, meeting_id)
    # The common case in one query: an owner (not a developer) who represents one of the
    # units the user's owner account is bound to in the meeting's estate, straight to their
    # roll rows and the meeting, locked. Anything else (a meeting out of scope, a developer, a
    # wrong ID number, an owner not on the roll) takes the full check, which answers 404 or
    # 403 or names what is wrong, and counts a failed try.
    rows = _lock_own_entries(user, int(meeting_id), digest(id_number.strip()))
    if rows:
        meeting, owner = rows[0].motion.meeting, rows[0].owner
    else:
        meeting = _visible_meeting_for_ballots(user, meeting_id)
        if meeting is None:
            raise Http404
        unit_ids = _owner_units(user, meeting)
        owner = _identify(user=user, meeting=meeting, id_number=id_number, unit_ids=unit_ids)
        rows = None
    _check_window(meeting, now)
    ballots = _cast_for_voter(
        meeting=meeting,
        keys=candidate_keys(owner),
        rows=rows,
        choices=choices,
        channel=BallotChannel.ONLINE,
        actor=user,
        ip=ip,
        device=device,
        now=now,
    )
    _record_cast(user=user, meeting=meeting, ballots=ballots)
    return meeting, owner, ballots


# -- proxies ---------------------------------------------------------------------------------


def _active_proxies(meeting: Meeting, now: datetime):
    return meeting.proxies.filter(revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


@transaction.atomic
def record_proxy(
    *,
    actor,
    meeting: Meeting,
    owner: Owner,
    holder_name: str,
    holder_id_number: str,
    motion: Motion | None = None,
    valid_until: datetime | None = None,
    holder_user=None,
    document=None,
    now: datetime | None = None,
) -> Proxy:
    """Record a written entrustment. The holder is identified by ID number; the meeting's cap
    limits how many owners one holder represents."""
    now = now or timezone.now()
    if not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_state(meeting, S.NOTICED, S.OPEN)
    if not holder_name.strip() or not holder_id_number.strip():
        raise DomainError(_("Name the proxy holder and give their ID number."))
    if motion is not None and motion.meeting_id != meeting.pk:
        raise DomainError(_("Unknown motion."))
    if not voter_keys(meeting, owner):
        raise DomainError(_("This owner is not on the meeting's roll."))
    holder = digest(holder_id_number.strip())
    if holder and holder == owner.id_number_digest:
        raise DomainError(_("An owner cannot be their own proxy."))
    if valid_until is not None and valid_until <= now:
        raise DomainError(_("The entrustment has already expired."), field="valid_until")
    active = _active_proxies(meeting, now)
    if active.filter(owner=owner, motion=motion).exists():
        raise DomainError(_("This owner already has a proxy for it; revoke it first."))
    if meeting.proxy_cap is not None:
        held = active.filter(holder_digest=holder).exclude(owner=owner)
        if held.values("owner").distinct().count() >= meeting.proxy_cap:
            raise DomainError(
                _("A proxy holder may represent at most %(n)d owners at this meeting.")
                % {"n": meeting.proxy_cap}
            )
    proxy = Proxy.objects.create(
        meeting=meeting,
        motion=motion,
        owner=owner,
        holder_name=holder_name.strip(),
        holder_id_number=holder_id_number.strip(),
        holder_digest=holder,
        holder_user=holder_user,
        document=document or "",
        valid_until=valid_until,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="voting.proxy.record",
        target=proxy,
        changes={"owner": [None, owner.pk], "holder": [None, proxy.holder_name]},
    )
    return proxy


@transaction.atomic
def revoke_proxy(*, actor, proxy: Proxy, now: datetime | None = None) -> Proxy:
    if not meeting_policy.can(actor, Action.VOTES_COUNT, proxy.meeting):
        raise PermissionDenied
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.revoked_at is not None:
        raise DomainError(_("This entrustment is already revoked."))
    proxy.revoked_at = now or timezone.now()
    proxy.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="voting.proxy.revoke", target=proxy)
    return proxy


@transaction.atomic
def cast_by_proxy(
    *,
    actor,
    proxy: Proxy,
    holder_id_number: str,
    choices: dict[int, str],
    ip: str | None = None,
    device: str = "",
    now: datetime | None = None,
) -> list[Ballot]:
    """The holder votes for the owner: recorded by an officer, or by the holder's account."""
    now = now or timezone.now()
    meeting = proxy.meeting
    is_holder = proxy.holder_user_id is not None and proxy.holder_user_id == actor.pk
    if not is_holder and not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    if not choices:
        raise DomainError(_("Choose at least one motion to vote on."))
    # Locked like every ballot: the close waits for this one, or this one sees the close.
    meeting = lock_for_ballots(meeting)
    _check_window(meeting, now)
    proxy = Proxy.objects.get(pk=proxy.pk)
    if proxy.revoked_at is not None or (proxy.valid_until and proxy.valid_until <= now):
        raise DomainError(_("This entrustment is revoked or expired."))
    if digest(holder_id_number.strip()) != proxy.holder_digest:
        raise DomainError(_("The ID number is not the proxy holder's."), field="holder_id_number")
    keys = voter_keys(meeting, proxy.owner)
    entries = {
        e.motion_id: e
        for e in RollEntry.objects.filter(motion__meeting=meeting, key__in=keys, excluded=False)
    }
    ballots = []
    for motion_id, choice in choices.items():
        if proxy.motion_id is not None and motion_id != proxy.motion_id:
            raise DomainError(_("The entrustment does not cover this motion."))
        entry = entries.get(motion_id)
        if entry is None:
            raise DomainError(_("This owner does not vote on that motion."))
        motion = entry.motion
        ballots.append(
            cast(
                motion=motion,
                entry=entry,
                choice=choice,
                channel=BallotChannel.PROXY,
                actor=actor,
                proxy=proxy,
                ip=ip,
                device=device,
                now=now,
            )
        )
    audit_record(
        actor=actor,
        action="voting.ballot.proxy",
        target=proxy,
        changes={"receipts": [None, [b.receipt for b in ballots]]},
    )
    return ballots


# -- paper ballots -----------------------------------------------------------------------------


def _paper_voter(meeting: Meeting, voter_key: str) -> dict[int, RollEntry]:
    entries = {
        e.motion_id: e
        for e in RollEntry.objects.filter(
            motion__meeting=meeting, key=voter_key, excluded=False
        ).select_related("motion")
    }
    if not entries:
        raise DomainError(_("This voter is not on the meeting's roll."), field="voter_key")
    return entries


def _clean_choices(entries: dict[int, RollEntry], choices: dict[int, str]) -> dict[str, str]:
    if set(choices) != set(entries):
        raise DomainError(
            _("Enter the choice marked on the sheet for every motion the owner votes on.")
        )
    for motion_id, choice in choices.items():
        motion = entries[motion_id].motion
        if not motion.allows_choice(choice, paper=True):
            if motion.is_choice:
                raise DomainError(
                    _("Motion %(n)d: choose one of its options, abstain or invalid.")
                    % {"n": motion.number}
                )
            raise DomainError(_("Choose agree, disagree, abstain or invalid."))
    return {str(k): v for k, v in sorted(choices.items())}


@transaction.atomic
def enter_paper(
    *,
    actor,
    meeting: Meeting,
    number: str,
    voter_key: str,
    choices: dict[int, str],
    scan=None,
    now: datetime | None = None,
) -> PaperSheet:
    """Key in a signed paper ballot. The first entry waits; a second entry by a different
    officer either matches (the ballots are cast) or is a mismatch to be keyed again."""
    now = now or timezone.now()
    if not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_window(meeting, now)
    number = number.strip()
    if not number:
        raise DomainError(_("Enter the sheet number."), field="number")
    entries = _paper_voter(meeting, voter_key)
    clean = _clean_choices(entries, choices)
    sheet = (
        PaperSheet.objects.select_for_update()
        .filter(meeting=meeting, number=number)
        .exclude(state=PaperSheet.State.REJECTED)
        .first()
    )
    if sheet is None:
        if PaperSheet.objects.filter(meeting=meeting, number=number).exists():
            raise DomainError(_("This sheet number was rejected; give the new sheet a new number."))
        if (
            PaperSheet.objects.filter(meeting=meeting, voter_key=voter_key)
            .exclude(state=PaperSheet.State.REJECTED)
            .exists()
        ):
            raise DomainError(_("This owner's paper ballot has already been entered."))
        if (
            meeting.paper_returned
            and PaperSheet.objects.filter(meeting=meeting)
            .exclude(state=PaperSheet.State.REJECTED)
            .count()
            >= meeting.paper_returned
        ):
            raise DomainError(_("More sheets entered than were returned: check the count."))
        sheet = PaperSheet.objects.create(
            meeting=meeting,
            number=number,
            owner=next(iter(entries.values())).owner,
            voter_key=voter_key,
            state=PaperSheet.State.FIRST,
            first_by=actor,
            first_choices=clean,
            scan=scan or "",
        )
        audit_record(actor=actor, action="voting.paper.first", target=sheet)
        return sheet
    if sheet.state == PaperSheet.State.MATCHED:
        raise DomainError(_("This sheet has already been counted."))
    if sheet.first_by_id == actor.pk:
        raise DomainError(_("The second entry must be made by a different officer."))
    if sheet.voter_key != voter_key or sheet.first_choices != clean:
        sheet.state = PaperSheet.State.MISMATCH
        sheet.second_by = actor
        sheet.second_choices = clean | {"voter": voter_key}
        sheet.mismatches += 1
        sheet.save()
        audit_record(
            actor=actor,
            action="voting.paper.mismatch",
            target=sheet,
            changes={"first": [None, sheet.first_choices], "second": [None, clean]},
        )
        return sheet
    sheet.state = PaperSheet.State.MATCHED
    sheet.second_by = actor
    sheet.second_choices = clean
    sheet.save()
    for motion_id, entry in entries.items():
        cast(
            motion=entry.motion,
            entry=entry,
            choice=choices[motion_id],
            channel=BallotChannel.PAPER,
            actor=actor,
            sheet=sheet,
            now=now,
        )
    audit_record(actor=actor, action="voting.paper.matched", target=sheet)
    return sheet


@transaction.atomic
def reject_sheet(*, actor, sheet: PaperSheet, reason: str) -> PaperSheet:
    if not meeting_policy.can(actor, Action.VOTES_ORGANISE, sheet.meeting):
        raise PermissionDenied
    sheet = PaperSheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.state == PaperSheet.State.MATCHED:
        raise DomainError(_("This sheet has already been counted."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the correction."), field="reason")
    sheet.state = PaperSheet.State.REJECTED
    sheet.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, action="voting.paper.reject", target=sheet, changes={"reason": [None, reason]}
    )
    return sheet


@transaction.atomic
def set_paper_counts(*, actor, meeting: Meeting, issued: int, returned: int) -> Meeting:
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.NOTICED, S.OPEN)
    if issued < 0 or returned < 0 or returned > issued:
        raise DomainError(_("Returned sheets cannot exceed the sheets issued."))
    meeting.paper_issued, meeting.paper_returned = issued, returned
    meeting.save(update_fields=["paper_issued", "paper_returned", "updated_at"])
    audit_record(
        actor=actor,
        action="voting.paper.counts",
        target=meeting,
        changes={"issued": [None, issued], "returned": [None, returned]},
    )
    return meeting


# -- turnout, tally, close -----------------------------------------------------------------


def electorate(motion: Motion) -> rules.Counts:
    row = motion.roll.filter(excluded=False).aggregate(n=Sum("persons"), a=Sum("area"))
    return rules.Counts(row["n"] or 0, row["a"] or 0)


def tally(motion: Motion) -> rules.Tally | rules.OptionsTally:
    """Recount the motion from its effective ballots: one query, both dimensions (an
    OptionsTally for a motion with options)."""
    rows = (
        Ballot.objects.filter(motion=motion, effective=True, entry__excluded=False)
        .values("choice")
        .annotate(n=Sum("entry__persons"), a=Sum("entry__area"))
    )
    sums = [(row["choice"], rules.Counts(row["n"] or 0, row["a"] or 0)) for row in rows]
    if motion.is_choice:
        return rules.OptionsTally.from_ballots(electorate(motion), len(motion.option_labels), sums)
    counts = {c: rules.Counts(0, 0) for c in Choice.values}
    counts.update(sums)
    return rules.Tally(
        electorate=electorate(motion),
        yes=counts[Choice.YES],
        no=counts[Choice.NO],
        abstain=counts[Choice.ABSTAIN],
        invalid=counts[Choice.INVALID],
    )


@dataclass(frozen=True)
class Turnout:
    electorate: rules.Counts
    participants: rules.Counts
    quorum: rules.Counts | None  # the smallest participation meeting the quorum

    def percent(self, measure: str) -> str:
        total = getattr(self.electorate, measure)
        part = getattr(self.participants, measure)
        return f"{part * 100 / total:.1f}%" if total else "—"


def turnout(motion: Motion) -> Turnout:
    """Participation against the quorum, never the running yes/no split (§3.9)."""
    meeting = motion.meeting
    t = tally(motion)
    part = t.participants(
        rules.Options(invalid_counts_as_participation=meeting.invalid_counts_as_participation)
    )
    code = meeting.rule_set_code or rules.rule_set_in_force(timezone.localdate()).code
    rule_set = rules.rule_set(code)
    quorum = None
    if rule_set.quorum is not None:
        q = rule_set.quorum
        quorum = rules.Counts(q.boundary(t.electorate.persons), q.boundary(t.electorate.area))
    return Turnout(t.electorate, part, quorum)


def delivered_non_voters(motion: Motion) -> rules.Counts:
    """Voters who received the notice (a delivery proof exists) and cast no ballot (R19)."""
    delivered = Delivery.objects.filter(
        meeting_id=motion.meeting_id, kind=Delivery.Kind.NOTICE, voter_key=OuterRef("key")
    )
    voted = Ballot.objects.filter(motion=motion, effective=True, entry=OuterRef("pk"))
    row = (
        motion.roll.filter(excluded=False)
        .filter(Exists(delivered))
        .exclude(Exists(voted))
        .aggregate(n=Sum("persons"), a=Sum("area"))
    )
    return rules.Counts(row["n"] or 0, row["a"] or 0)


def board_genesis(motion: Motion) -> str:
    """The hash the board's chain starts from: the motion, its frozen roll and, on a motion
    with options, the options, so that no label can change under a counted board."""
    seed = f"anju-board|motion:{motion.pk}|roll:{motion.roll_hash}"
    if motion.option_labels:
        seed += "|options:" + json.dumps(list(motion.option_labels), ensure_ascii=False)
    return hashlib.sha256(seed.encode()).hexdigest()


def board_hash(prev: str, row: dict) -> str:
    """The hash of one board line: the previous hash and the line's canonical JSON."""
    body = json.dumps(
        {k: row[k] for k in ("seq", "voter_key", "persons", "area", "choice", "receipt")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def mask_units(label: str) -> str:
    """3-1-1201, 3-1-1202 → 3-1-12**, 3-1-12**: the room's last two characters hidden."""
    return ", ".join(one[:-2] + "**" if len(one) > 2 else "**" for one in label.split(", "))


def build_board(motion: Motion) -> str:
    """Write the public board of the counted ballots, chained in ballot order; return the head."""
    motion.board.all().delete()
    prev = board_genesis(motion)
    rows = []
    ballots = (
        Ballot.objects.filter(motion=motion, effective=True, entry__excluded=False)
        .select_related("entry")
        .order_by("id")
    )
    for seq, b in enumerate(ballots.iterator(chunk_size=2000), start=1):
        row = {
            "seq": seq,
            "voter_key": b.entry.key,
            "persons": b.entry.persons,
            "area": b.entry.area,
            "choice": b.choice,
            "receipt": b.receipt,
        }
        h = board_hash(prev, row)
        rows.append(
            BoardEntry(
                motion=motion,
                voter=f"{rolls.mask_name(b.entry.name)} {mask_units(b.entry.units_label)}"[:200],
                prev_hash=prev,
                hash=h,
                **row,
            )
        )
        prev = h
    BoardEntry.objects.bulk_create(rows, batch_size=2000)
    return prev


def decide_motion(
    motion: Motion,
) -> tuple[rules.Decision | rules.ChoiceDecision, rules.DeemedDecision | None]:
    """The strict result and, where the rules allow it, the deemed-consent one. Deemed
    consent adds silent owners to the majority's yes or no; a motion with options has no
    yes or no to add them to, so it has a strict result only."""
    meeting = motion.meeting
    rule_set = rules.rule_set(meeting.rule_set_code)
    options = rules.Options(invalid_counts_as_participation=meeting.invalid_counts_as_participation)
    t = tally(motion)
    matter = rules.Matter(motion.matter)
    if motion.is_choice:
        return rules.decide_choice(rule_set, matter, motion.option_labels, t, options), None
    strict = rules.decide(rule_set, matter, t, options)
    deemed = None
    if meeting.deemed_consent:
        deemed = rules.decide_deemed(rule_set, matter, t, delivered_non_voters(motion), options)
    return strict, deemed


@transaction.atomic
def close_voting(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Close the ballot box, recount every motion from its ballots and build the board."""
    now = now or timezone.now()
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.OPEN)
    if now < meeting.closes_at:
        raise DomainError(
            _("Voting closes at %(at)s.")
            % {"at": timezone.localtime(meeting.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    sheets = meeting.paper_sheets.exclude(state=PaperSheet.State.REJECTED)
    pending = sheets.exclude(state=PaperSheet.State.MATCHED).count()
    if pending:
        raise DomainError(
            _("%(n)d paper ballots still wait for a matching second entry.") % {"n": pending}
        )
    entered = sheets.count()
    paper_used = meeting.paper_issued or meeting.paper_returned or entered
    if paper_used and not (meeting.paper_issued >= meeting.paper_returned >= entered):
        raise DomainError(
            _(
                "Paper ballots do not reconcile: issued %(i)d, returned %(r)d, entered %(e)d "
                "(issued ≥ returned ≥ entered)."
            )
            % {"i": meeting.paper_issued, "r": meeting.paper_returned, "e": entered}
        )
    for motion in meeting.motions.all():
        strict, deemed = decide_motion(motion)
        motion.result = strict.as_dict()
        motion.deemed_result = deemed.as_dict() if deemed is not None else None
        motion.passed = strict.passed
        motion.board_head = build_board(motion)
        motion.save(update_fields=["result", "deemed_result", "passed", "board_head", "updated_at"])
    meeting.state = S.CLOSED
    meeting.closed_at = now
    meeting.save()
    audit_record(
        actor=actor,
        action="voting.meeting.close",
        target=meeting,
        changes={"state": [S.OPEN, S.CLOSED]},
    )
    return meeting


@transaction.atomic
def publish(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.CLOSED)
    meeting.state = S.PUBLISHED
    meeting.published_at = now or timezone.now()
    meeting.save()
    audit_record(
        actor=actor,
        action="voting.meeting.publish",
        target=meeting,
        changes={"state": [S.CLOSED, S.PUBLISHED]},
    )
    return meeting


@transaction.atomic
def cancel(*, actor, meeting: Meeting, reason: str, now: datetime | None = None) -> Meeting:
    meeting = _organisable(actor, meeting)
    _require_state(meeting, S.DRAFT, S.NOTICED, S.OPEN)
    if not reason.strip():
        raise DomainError(_("Give the reason for cancelling."), field="reason")
    before = meeting.state
    meeting.state = S.CANCELLED
    meeting.cancelled_at = now or timezone.now()
    meeting.cancel_reason = reason
    meeting.save()
    audit_record(
        actor=actor,
        action="voting.meeting.cancel",
        target=meeting,
        changes={"state": [before, S.CANCELLED], "reason": [None, reason]},
    )
    return meeting


@transaction.atomic
def remind(*, actor, meeting: Meeting, now: datetime | None = None) -> int:
    """Text every voter who has cast no ballot yet; returns the reminders sent."""
    now = now or timezone.now()
    if not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    _check_window(meeting, now)
    voted = set(
        Ballot.objects.filter(motion__meeting=meeting, effective=True).values_list(
            "entry__key", flat=True
        )
    )
    keys = {e.key for e in voters(meeting)} - voted
    sent = _notify(meeting, Delivery.Kind.REMINDER, now=now, actor=actor, keys=keys)
    in_app = _remind_in_app(meeting, keys, now=now, actor=actor)
    audit_record(
        actor=actor,
        action="voting.meeting.remind",
        target=meeting,
        changes={"sent": [None, sent], "in_app": [None, in_app]},
    )
    return sent + in_app


def _remind_in_app(meeting: Meeting, keys: set[str], *, now, actor) -> int:
    """An in-app reminder for each of these voters who has an owner account (a membership
    on one of the voter's units): shown on their "My votes" and overview pages until they
    open the meeting. Returns the reminders recorded."""
    from anju.accounts.models import Membership

    with_account = Membership.objects.filter(role=Role.OWNER, unit_id=OuterRef("unit_id"))
    holders = dict(
        RollUnit.objects.filter(
            entry__motion__meeting=meeting, entry__key__in=keys, entry__excluded=False
        )
        .filter(Exists(with_account))
        .values_list("entry__key", "entry__owner_id")
    )
    Delivery.objects.bulk_create(
        Delivery(
            meeting=meeting,
            owner_id=owner_id,
            voter_key=key,
            kind=Delivery.Kind.REMINDER,
            channel=Delivery.Channel.IN_APP,
            sent_at=now,
            recorded_by=actor if actor.is_authenticated else None,
        )
        for key, owner_id in sorted(holders.items())
    )
    return len(holders)


def pending_reminders(meetings, keys: set[str]) -> dict[int, datetime]:
    """For these meetings, the time of the latest unread in-app reminder to one of keys."""
    rows = (
        _unread_reminders(keys, meeting__in=meetings)
        .values("meeting_id")
        .annotate(last=Max("sent_at"))
    )
    return {row["meeting_id"]: row["last"] for row in rows}


def _unread_reminders(keys, **meetings):
    """In-app reminders to one of keys the owner has not seen yet (opening the ballot)."""
    return Delivery.objects.filter(
        voter_key__in=keys,
        kind=Delivery.Kind.REMINDER,
        channel=Delivery.Channel.IN_APP,
        read_at__isnull=True,
        **meetings,
    )
