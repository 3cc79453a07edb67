"""Fraud signals for the street and district supervisor (voting.md §3 item 8).

Each signal is a hint with its evidence, never a verdict: nothing here rejects a ballot. The
evidence names receipts, times and masked voters, never an ID number or a phone.

Thresholds (module constants, tuned for estates of a few hundred to a few thousand units):

- ``SHARED_IP_VOTERS``: an IP address from which at least this many different voters cast
  their own online ballots. A household router serves two or three owners; a whole
  building's ballots from one address suggest someone voting for others.
- ``SHARED_DEVICE_VOTERS``: the same, per device fingerprint. One phone is rarely shared by
  more than two owners.
- ``BURST_WINDOW``, ``BURST_MIN_VOTES``, ``BURST_FACTOR``: at least ``BURST_MIN_VOTES`` voting
  acts in the last ``BURST_WINDOW`` before close, at a rate ``BURST_FACTOR`` times the
  meeting's average. Paper ballots are left out: they are keyed in when they are collected,
  not when they were signed.
- ``PROXY_HOLDER_OWNERS``: one proxy holder (by the digest of their ID number) named by at
  least this many owners, counting revoked entrustments too (revoke-and-record again is a
  way around the meeting's cap).
- ``ROLL_CHANGES_WARNING``: roll corrections after notice are normal during the objection
  period and reported as information; this many or more are a warning.
- ``OFFICER_VOTERS``: one officer's account casting assisted or proxy ballots for at least
  this many different voters.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from anju.core.pii import mask
from anju.voting.evidence import masked_voter, user_label
from anju.voting.models import Ballot, BallotChannel, Meeting, Proxy, RollChange
from anju.voting.roll import mask_name

SHARED_IP_VOTERS = 5
SHARED_DEVICE_VOTERS = 3
BURST_WINDOW = timedelta(hours=2)
BURST_MIN_VOTES = 10
BURST_FACTOR = 5
PROXY_HOLDER_OWNERS = 5
ROLL_CHANGES_WARNING = 5
OFFICER_VOTERS = 10

# At most this many evidence lines per signal; the evidence pack holds the rest.
EVIDENCE_LINES = 30

WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Signal:
    code: str
    title: str
    severity: str  # "warning" | "info"
    detail: str
    evidence: list[str]


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _ballot_line(b: Ballot) -> str:
    return f"{_when(b.cast_at)} · {b.receipt} · {masked_voter(b.entry)} · {b.get_channel_display()}"


def _clip(lines: list[str]) -> list[str]:
    if len(lines) <= EVIDENCE_LINES:
        return lines
    rest = len(lines) - EVIDENCE_LINES
    return [*lines[:EVIDENCE_LINES], _("… and %(n)d more") % {"n": rest}]


def _shared(ballots: list[Ballot], attribute: str, threshold: int) -> list[Signal]:
    groups: dict[str, list[Ballot]] = defaultdict(list)
    for b in ballots:
        if b.channel != BallotChannel.ONLINE:
            continue
        value = getattr(b, attribute)
        if value:
            groups[value].append(b)
    out = []
    for value, group in sorted(groups.items()):
        voters = {b.entry.key for b in group}
        if len(voters) < threshold:
            continue
        values = {"n": len(voters), "value": value, "ballots": len(group)}
        if attribute == "ip":
            code, title = "shared_ip", _("Many voters from one IP address")
            detail = _(
                "%(n)d different voters cast %(ballots)d online ballots from the IP address "
                "%(value)s."
            )
        else:
            code, title = "shared_device", _("Many voters from one device")
            detail = _(
                "%(n)d different voters cast %(ballots)d online ballots from the device %(value)s."
            )
        out.append(
            Signal(
                code=code,
                title=title,
                severity=WARNING,
                detail=detail % values,
                evidence=_clip([_ballot_line(b) for b in group]),
            )
        )
    return out


def _burst(meeting: Meeting, ballots: list[Ballot], now: datetime) -> list[Signal]:
    if not meeting.opens_at or not meeting.closes_at:
        return []
    end = min(now, meeting.closes_at)
    start = meeting.opened_at or meeting.opens_at
    hours = (end - start).total_seconds() / 3600
    if hours <= 0:
        return []
    # One voting act is one voter casting at one moment, however many motions it covers.
    acts: dict[tuple[str, datetime], Ballot] = {}
    for b in ballots:
        if b.channel == BallotChannel.PAPER:
            continue
        acts.setdefault((b.entry.key, b.cast_at), b)
    window_start = meeting.closes_at - BURST_WINDOW
    late = [b for (_key, at), b in acts.items() if window_start <= at < meeting.closes_at]
    if len(late) < BURST_MIN_VOTES:
        return []
    average = len(acts) / hours
    window_hours = BURST_WINDOW.total_seconds() / 3600
    late_rate = len(late) / window_hours
    if late_rate < BURST_FACTOR * average:
        return []
    return [
        Signal(
            code="late_burst",
            title=_("A burst of ballots shortly before close"),
            severity=WARNING,
            detail=_(
                "%(n)d voters voted in the last %(hours)s hours before close, %(rate)s an hour "
                "against an average of %(average)s an hour over the meeting."
            )
            % {
                "n": len(late),
                "hours": f"{window_hours:g}",
                "rate": f"{late_rate:.1f}",
                "average": f"{average:.2f}",
            },
            evidence=_clip([_ballot_line(b) for b in sorted(late, key=lambda b: b.cast_at)]),
        )
    ]


def _proxy_concentration(meeting: Meeting, ballots: list[Ballot]) -> list[Signal]:
    groups: dict[str, list[Proxy]] = defaultdict(list)
    for p in meeting.proxies.select_related("owner").order_by("created_at", "id"):
        if p.holder_digest:
            groups[p.holder_digest].append(p)
    by_proxy = defaultdict(list)
    for b in ballots:
        if b.proxy_id is not None:
            by_proxy[b.proxy_id].append(b)
    out = []
    for proxies in groups.values():
        owners = {p.owner_id for p in proxies}
        if len(owners) < PROXY_HOLDER_OWNERS:
            continue
        holder = proxies[0]
        lines = []
        for p in proxies:
            state = _("revoked") if p.revoked_at else _("active")
            lines.append(
                f"{_when(p.created_at)} · {mask_name(p.owner.name)} → "
                f"{mask_name(holder.holder_name)} · {state}"
            )
            lines.extend(f"  {_ballot_line(b)}" for b in by_proxy[p.pk])
        out.append(
            Signal(
                code="proxy_concentration",
                title=_("One proxy holder represents many owners"),
                severity=WARNING,
                detail=_(
                    "The proxy holder %(holder)s (ID %(id)s) was named by %(n)d owners at this "
                    "meeting."
                )
                % {
                    "holder": mask_name(holder.holder_name),
                    "id": mask(holder.holder_id_number),
                    "n": len(owners),
                },
                evidence=_clip(lines),
            )
        )
    return out


def _roll_after_notice(meeting: Meeting) -> list[Signal]:
    changes = list(
        RollChange.objects.filter(motion__meeting=meeting, after_notice=True)
        .select_related("entry", "actor", "motion")
        .order_by("at", "id")
    )
    if not changes:
        return []
    lines = []
    for c in changes:
        who = masked_voter(c.entry) if c.entry else ""
        before, after = c.before or {}, c.after or {}
        reason = c.reason.replace("\n", " ")[:60]
        lines.append(
            f"{_when(c.at)} · {c.motion.number} · {c.get_kind_display()} · {who} · "
            f"{before} → {after} · {reason} · {user_label(c.actor)}"
        )
    return [
        Signal(
            code="roll_after_notice",
            title=_("The roll was changed after notice"),
            severity=WARNING if len(changes) >= ROLL_CHANGES_WARNING else INFO,
            detail=_("%(n)d corrections were made to the published roll after notice was given.")
            % {"n": len(changes)},
            evidence=_clip(lines),
        )
    ]


def _officer_ballots(ballots: list[Ballot]) -> list[Signal]:
    groups: dict[int, list[Ballot]] = defaultdict(list)
    for b in ballots:
        if b.cast_by_id is None or b.channel not in (BallotChannel.ASSISTED, BallotChannel.PROXY):
            continue
        if b.proxy is not None and b.proxy.holder_user_id == b.cast_by_id:
            continue  # the holder voting from their own account
        groups[b.cast_by_id].append(b)
    out = []
    for group in groups.values():
        voters = {b.entry.key for b in group}
        if len(voters) < OFFICER_VOTERS:
            continue
        out.append(
            Signal(
                code="officer_ballots",
                title=_("One officer cast ballots for many voters"),
                severity=WARNING,
                detail=_(
                    "The account %(officer)s recorded %(ballots)d assisted or proxy ballots for "
                    "%(n)d different voters."
                )
                % {
                    "officer": user_label(group[0].cast_by),
                    "ballots": len(group),
                    "n": len(voters),
                },
                evidence=_clip([_ballot_line(b) for b in group]),
            )
        )
    return out


def signals(meeting: Meeting, *, now: datetime | None = None) -> list[Signal]:
    """Every fraud signal of the meeting, warnings first."""
    now = now or timezone.now()
    ballots = list(
        Ballot.objects.filter(motion__meeting=meeting)
        .select_related("entry", "cast_by", "proxy")
        .order_by("cast_at", "id")
    )
    found = [
        *_shared(ballots, "ip", SHARED_IP_VOTERS),
        *_shared(ballots, "device", SHARED_DEVICE_VOTERS),
        *_burst(meeting, ballots, now),
        *_proxy_concentration(meeting, ballots),
        *_roll_after_notice(meeting),
        *_officer_ballots(ballots),
    ]
    return sorted(found, key=lambda s: s.severity != WARNING)
