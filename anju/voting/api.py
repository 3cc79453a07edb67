"""The voting API (业主共同决定): meetings and motions, the roll, the moves of a meeting,
owners' ballots, proxies, paper sheets, delivery proofs, turnout, results and the board.

Every meeting is fetched through meeting_policy with the view action: one outside the caller's
scope answers 404 exactly like a missing one. The services check the action itself (a role
lacking it answers 403) and write nothing when they refuse; their DomainError answers 400
with its message, naming the field where there is one. Operations pass the real time to the
services: a ballot is cast, a meeting opened or closed, now.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from anju.accounts.roles import Action
from anju.accounts.scope import estate_filter, scope_of
from anju.core.api import ErrorOut, apply_patch, page_of
from anju.core.errors import DomainError
from anju.core.http import client_ip
from anju.core.pii import mask
from anju.estates.models import Building, Estate, Owner, Unit
from anju.voting import roll as rolls
from anju.voting import rules, selectors, services
from anju.voting.access import meeting_policy, motion_policy
from anju.voting.models import (
    Ballot,
    Convener,
    Delivery,
    Meeting,
    MeetingState,
    Motion,
    PaperSheet,
    Proxy,
    RollEntry,
)
from anju.voting.schemas import (
    BallotIn,
    BallotOut,
    BoardPage,
    CancelIn,
    DeliveryFilters,
    DeliveryIn,
    DeliveryOut,
    DeliveryPage,
    FundUsePage,
    IdentityIn,
    IdentityOut,
    MeetingFilters,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingPatch,
    MotionIn,
    MotionOut,
    PaperCountsIn,
    PaperCountsOut,
    PaperIn,
    PaperPage,
    ProxyBallotIn,
    ProxyIn,
    ProxyOut,
    ProxyPage,
    ReceiptsOut,
    RejectIn,
    RemindOut,
    ResultOut,
    RollCorrectionIn,
    RollEntryOut,
    RollPage,
    SheetOut,
    TurnoutOut,
)

router = Router(tags=["votes"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
S = MeetingState
A = Action
# Who works on a meeting rather than only viewing it or voting in it: they see names unmasked
# and the registers of proxies, paper sheets and deliveries.
STAFF = (A.VOTES_ORGANISE, A.VOTES_COUNT, A.VOTES_SUPERVISE)
COUNTED = (S.CLOSED, S.PUBLISHED)
# The moves of each state and the action each needs.
MOVES = {
    S.DRAFT: (("notice", A.VOTES_ORGANISE), ("cancel", A.VOTES_ORGANISE)),
    S.NOTICED: (("open", A.VOTES_ORGANISE), ("cancel", A.VOTES_ORGANISE)),
    S.OPEN: (("close", A.VOTES_ORGANISE), ("cancel", A.VOTES_ORGANISE), ("remind", A.VOTES_COUNT)),
    S.CLOSED: (("publish", A.VOTES_ORGANISE),),
}
# A corrected area above this (10 km², in 0.01 m²) is a typing error, not a unit.
MAX_AREA = 10**12


# -- helpers -----------------------------------------------------------------------------------


def _may(user, meeting: Meeting, *actions: str) -> bool:
    scope = scope_of(user)
    return any(scope.allows(a) and meeting_policy.can(user, a, meeting) for a in actions)


def _require(user, meeting: Meeting, *actions: str) -> None:
    if not _may(user, meeting, *actions):
        raise PermissionDenied


def _visible_ids(user):
    return meeting_policy.visible(user).values("pk")


def _get(user, meeting_id: int) -> Meeting:
    return meeting_policy.get(user, meeting_id, qs=Meeting.objects.select_related("estate"))


def _motion(user, motion_id: int) -> Motion:
    motion = (
        Motion.objects.select_related("meeting__estate")
        .filter(pk=motion_id, meeting__in=_visible_ids(user))
        .first()
    )
    if motion is None:
        raise Http404
    return motion


def _in_scope(user, qs, pk: int):
    row = qs.filter(pk=pk, meeting__in=_visible_ids(user)).first()
    if row is None:
        raise Http404
    return row


def _motions():
    return Motion.objects.prefetch_related("buildings", "units")


def _out(user, meeting: Meeting) -> Meeting:
    """The meeting as stored, with its motions, the precedence rule and the caller's moves."""
    meeting = (
        Meeting.objects.select_related("estate")
        .prefetch_related(Prefetch("motions", queryset=_motions()))
        .get(pk=meeting.pk)
    )
    allowed: dict[str, bool] = {}
    moves = []
    for move, action in MOVES.get(meeting.state, ()):
        if action not in allowed:
            allowed[action] = _may(user, meeting, action)
        if allowed[action]:
            moves.append(move)
    meeting.allowed_moves = moves
    meeting.precedence = services.precedence_text(meeting)
    meeting.board_url = (
        reverse("voting:board", args=[meeting.board_token]) if meeting.state in COUNTED else None
    )
    meeting.n_motions = len(meeting.motions.all())
    return meeting


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _counts(c: rules.Counts) -> dict:
    return {"persons": c.persons, "area": c.area, "area_m2": rules.format_area(c.area)}


def _ip(request) -> str | None:
    return client_ip(request)


def _user_label(user) -> str | None:
    return str(user) if user is not None else None


def _choices(choices: dict[int, str]) -> dict[int, str]:
    if not choices:
        raise DomainError(_("Choose at least one motion to vote on."), field="choices")
    return {motion_id: str(choice).strip() for motion_id, choice in choices.items()}


# -- meetings ------------------------------------------------------------------------------------


def _meeting_data(data: dict) -> dict:
    if "convener" in data and data["convener"] not in Convener.values:
        raise DomainError(_("Choose who convenes the meeting."), field="convener")
    for name in ("opens_at", "closes_at"):
        if name in data:
            data[name] = _aware(data[name])
    return data


@router.get(
    "/votes",
    response={200: MeetingPage, 403: ErrorOut},
    summary="List owners' meetings in scope (业主大会会议)",
    description=(
        "The meetings of the estates the caller may see, newest first. Filter by `state` "
        "(draft, noticed, open, closed, published, cancelled) and `estate_id`."
    ),
)
def meeting_list(request, filters: Query[MeetingFilters], limit: int = 50, offset: int = 0):
    meeting_policy.require_action(request.user)
    qs = (
        meeting_policy.visible(request.user)
        .select_related("estate")
        .annotate(n_motions=Count("motions"))
    )
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.estate_id:
        qs = qs.filter(estate_id=filters.estate_id)
    return page_of(qs, limit=limit, offset=offset)


@router.get(
    "/votes/fund-use-decisions",
    response={200: FundUsePage, 403: ErrorOut},
    summary="Published owners' decisions to use the maintenance fund",
    description=(
        "The passed, published motions on the use of the maintenance fund (民法典 art. 278 "
        "item 5) in the caller's scope, newest first: what a fund application cites. Each "
        "names its 列支范围 (the estate, buildings or units that share the cost), who approved "
        "it and the board head that makes the count verifiable. Filter by `estate_id`."
    ),
)
def fund_use_list(request, estate_id: int | None = None, limit: int = 50, offset: int = 0):
    motion_policy.require_action(request.user)
    qs = selectors.fund_use_decisions(request.user, estate_id=estate_id)
    page = page_of(qs, limit=limit, offset=offset)
    return page | {"items": [_fund_use_out(m) for m in page["items"]]}


def _fund_use_out(motion: Motion) -> dict:
    meeting = motion.meeting
    result = motion.result or {}
    return {
        "motion_id": motion.pk,
        "number": motion.number,
        "title": motion.title,
        "body": motion.body,
        "meeting_id": meeting.pk,
        "meeting_title": meeting.title,
        "estate_id": meeting.estate_id,
        "estate_name": meeting.estate.name,
        "electorate": motion.electorate,
        "electorate_label": motion.get_electorate_display(),
        "building_ids": [b.pk for b in motion.buildings.all()],
        "unit_ids": [u.pk for u in motion.units.all()],
        "adopted_option": selectors.adopted_option(motion),
        "approved": _counts(rules.Counts.from_dict(selectors.approval_counts(motion))),
        "electorate_counts": _counts(rules.Counts.from_dict(result["tally"]["electorate"])),
        "closed_at": meeting.closed_at,
        "published_at": meeting.published_at,
        "roll_hash": motion.roll_hash,
        "board_head": motion.board_head,
        "board_url": reverse("voting:board", args=[meeting.board_token]),
    }


@router.post(
    "/votes",
    response={201: MeetingOut, **ERRORS},
    summary="Convene a meeting (draft)",
    description=(
        "For an organiser (owners' committee, street or community office) of the estate. The "
        "meeting starts in draft; its settings are the estate's rules of procedure (议事规则). "
        "An estate outside the caller's area answers 404; a notice period under 15 days, "
        "voting that closes before it opens, deemed consent without its clause answer 400."
    ),
)
def meeting_create(request, payload: MeetingIn):
    user = request.user
    scope = scope_of(user)
    if not scope.allows(A.VOTES_ORGANISE):
        raise PermissionDenied
    estate = Estate.objects.filter(
        estate_filter(scope, A.VOTES_ORGANISE), pk=payload.estate_id
    ).first()
    if estate is None:
        raise Http404
    data = _meeting_data(payload.dict(exclude_unset=True))
    data.pop("estate_id", None)
    meeting = services.create_meeting(actor=user, estate=estate, **data)
    return Status(201, _out(user, meeting))


@router.get(
    "/votes/{meeting_id}",
    response={200: MeetingOut, 404: ErrorOut},
    summary="One meeting with its motions and the caller's moves",
)
def meeting_get(request, meeting_id: int):
    return _out(request.user, _get(request.user, meeting_id))


@router.patch(
    "/votes/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    summary="Change a meeting in draft",
    description="Only the fields sent change. Once notice is given the meeting is fixed (400).",
)
def meeting_update(request, meeting_id: int, payload: MeetingPatch):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, A.VOTES_ORGANISE)
    data = _meeting_data(apply_patch(payload))
    return _out(user, services.update_meeting(actor=user, meeting=meeting, **data))


# -- motions -------------------------------------------------------------------------------------


@router.post(
    "/votes/{meeting_id}/motions",
    response={201: MotionOut, **ERRORS},
    summary="Add a motion (表决事项)",
    description=(
        "A matter of 民法典 art. 278 ¶1 (items 1–9) put to the vote, by the whole estate, by "
        "some buildings or by a list of units (列支范围). Only in draft."
    ),
)
def motion_add(request, meeting_id: int, payload: MotionIn):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, A.VOTES_ORGANISE)
    if payload.electorate not in Motion.Electorate.values:
        raise DomainError(
            _("Choose who votes: the whole estate, some buildings or a list of units."),
            field="electorate",
        )
    buildings = list(Building.objects.filter(pk__in=payload.building_ids))
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    missing = len(buildings) != len(set(payload.building_ids))
    if missing or len(units) != len(set(payload.unit_ids)):
        raise DomainError(_("Buildings and units must belong to the meeting's estate."))
    motion = services.add_motion(
        actor=user,
        meeting=meeting,
        title=payload.title,
        matter=payload.matter,
        body=payload.body,
        electorate=payload.electorate,
        buildings=buildings,
        units=units,
        option_labels=payload.option_labels,
    )
    return Status(201, _motions().get(pk=motion.pk))


@router.delete(
    "/votes/motions/{motion_id}",
    response={204: None, **ERRORS},
    summary="Remove a motion (draft only)",
)
def motion_delete(request, motion_id: int):
    services.remove_motion(actor=request.user, motion=_motion(request.user, motion_id))
    return Status(204, None)


# -- moves ---------------------------------------------------------------------------------------


@router.post(
    "/votes/{meeting_id}/notice",
    response={200: MeetingOut, **ERRORS},
    summary="Give notice (公告): fix the rule set, publish the rolls, text the owners",
    description=(
        "Voting may open only after the full notice period (15 days by default, the day of "
        "notice not counted) and after the objection period; otherwise 400 with the first "
        "possible day."
    ),
)
def meeting_notice(request, meeting_id: int):
    user = request.user
    return _out(user, services.give_notice(actor=user, meeting=_get(user, meeting_id)))


@router.post(
    "/votes/{meeting_id}/open",
    response={200: MeetingOut, **ERRORS},
    summary="Open voting: freeze and hash every roll",
    description="Only from the opening time and before the closing time (400 otherwise).",
)
def meeting_open(request, meeting_id: int):
    user = request.user
    return _out(user, services.open_voting(actor=user, meeting=_get(user, meeting_id)))


@router.post(
    "/votes/{meeting_id}/close",
    response={200: MeetingOut, **ERRORS},
    summary="Close voting: recount every motion and build the public board",
    description=(
        "Only once the closing time has passed, with every paper sheet entered twice and the "
        "paper counts reconciled (issued ≥ returned ≥ entered); otherwise 400."
    ),
)
def meeting_close(request, meeting_id: int):
    user = request.user
    return _out(user, services.close_voting(actor=user, meeting=_get(user, meeting_id)))


@router.post(
    "/votes/{meeting_id}/publish",
    response={200: MeetingOut, **ERRORS},
    summary="Publish the result (公布)",
)
def meeting_publish(request, meeting_id: int):
    user = request.user
    return _out(user, services.publish(actor=user, meeting=_get(user, meeting_id)))


@router.post(
    "/votes/{meeting_id}/cancel",
    response={200: MeetingOut, **ERRORS},
    summary="Cancel a meeting before it closes",
    description="Needs a reason (400 without).",
)
def meeting_cancel(request, meeting_id: int, payload: CancelIn):
    user = request.user
    meeting = _get(user, meeting_id)
    return _out(user, services.cancel(actor=user, meeting=meeting, reason=payload.reason))


@router.post(
    "/votes/{meeting_id}/remind",
    response={200: RemindOut, **ERRORS},
    summary="Text a reminder to every voter who has not voted",
    description="While voting is open; for those who count the votes.",
)
def meeting_remind(request, meeting_id: int):
    user = request.user
    return {"sent": services.remind(actor=user, meeting=_get(user, meeting_id))}


# -- roll ----------------------------------------------------------------------------------------


def _roll_row(entry: RollEntry, masked: bool) -> dict:
    return {
        "id": entry.pk,
        "key": entry.key,
        "name": rolls.mask_name(entry.name) if masked else entry.name,
        "owner_id": None if masked else entry.owner_id,
        "units_label": entry.units_label,
        "unit_count": entry.unit_count,
        "persons": entry.persons,
        "area": entry.area,
        "area_m2": rules.format_area(entry.area),
        "is_developer": entry.is_developer,
        "excluded": entry.excluded,
        "note": entry.note,
        "units": [
            {
                "unit_id": u.unit_id,
                "label": u.label,
                "area": u.area,
                "area_m2": rules.format_area(u.area),
                "area_source": u.area_source,
            }
            for u in entry.units.all()
        ],
    }


@router.get(
    "/votes/motions/{motion_id}/roll",
    response={200: RollPage, 404: ErrorOut},
    summary="The motion's voter roll (投票权数底册) with its totals",
    description=(
        "One row per voter (R9: an owner of several units once, the developer's stock once), "
        "with the units and the area source of each (R8). Names are masked for callers who "
        "only view or cast; they search by unit only. Filter by `excluded`; `q` searches "
        "names and units."
    ),
)
def roll_list(
    request,
    motion_id: int,
    q: str = "",
    excluded: bool | None = None,
    limit: int = 100,
    offset: int = 0,
):
    user = request.user
    motion = _motion(user, motion_id)
    masked = not _may(user, motion.meeting, *STAFF)
    totals = motion.roll.aggregate(
        n_voters=Count("id", filter=Q(excluded=False)),
        n_excluded=Count("id", filter=Q(excluded=True)),
        n_persons=Sum("persons", filter=Q(excluded=False)),
        n_area=Sum("area", filter=Q(excluded=False)),
    )
    qs = motion.roll.prefetch_related("units").order_by("id")
    if excluded is not None:
        qs = qs.filter(excluded=excluded)
    if q.strip():
        words = Q(units_label__icontains=q.strip())
        if not masked:
            words |= Q(name__icontains=q.strip())
        qs = qs.filter(words)
    page = page_of(qs, limit=limit, offset=offset)
    return {
        "motion_id": motion.pk,
        "roll_hash": motion.roll_hash,
        "masked": masked,
        "totals": {
            "voters": totals["n_voters"],
            "excluded": totals["n_excluded"],
            "electorate": _counts(rules.Counts(totals["n_persons"] or 0, totals["n_area"] or 0)),
        },
        "count": page["count"],
        "capped": page["capped"],
        "items": [_roll_row(e, masked) for e in page["items"]],
    }


@router.post(
    "/votes/roll/{entry_id}/correct",
    response={200: RollEntryOut, **ERRORS},
    summary="Correct the published roll (objection period)",
    description=(
        "Remove or restore a voter, or correct the area (m², e.g. 88.50), with a reason; "
        "every change is logged with the roll's hash. Only between notice and opening."
    ),
)
def roll_correct(request, entry_id: int, payload: RollCorrectionIn):
    user = request.user
    entry = _in_scope_entry(user, entry_id)
    _require(user, entry.motion.meeting, A.VOTES_ORGANISE)
    area = None
    if payload.area is not None:
        try:
            area = rules.area_from_m2(payload.area.strip())
        except (ValueError, TypeError, ArithmeticError):
            area = None
        if area is None or area > MAX_AREA:
            raise DomainError(
                _("Give the area in square metres with at most two decimals, e.g. 88.50."),
                field="area",
            )
    entry = services.correct_roll(
        actor=user, entry=entry, reason=payload.reason, excluded=payload.excluded, area=area
    )
    return _roll_row(RollEntry.objects.prefetch_related("units").get(pk=entry.pk), masked=False)


def _in_scope_entry(user, entry_id: int) -> RollEntry:
    entry = (
        RollEntry.objects.select_related("motion__meeting")
        .filter(pk=entry_id, motion__meeting__in=_visible_ids(user))
        .first()
    )
    if entry is None:
        raise Http404
    return entry


# -- turnout, result, board ----------------------------------------------------------------------


@router.get(
    "/votes/motions/{motion_id}/turnout",
    response={200: TurnoutOut, 404: ErrorOut},
    summary="Turnout against the quorum (persons and area)",
    description=(
        "How many persons and how much area have taken part so far, against the quorum (R1). "
        "Never the split between agree and disagree before the count (§3.9)."
    ),
)
def motion_turnout(request, motion_id: int):
    motion = _motion(request.user, motion_id)
    t = services.turnout(motion)
    quorum = t.quorum
    return {
        "motion_id": motion.pk,
        "meeting_state": motion.meeting.state,
        "electorate": _counts(t.electorate),
        "participants": _counts(t.participants),
        "quorum": _counts(quorum) if quorum is not None else None,
        "percent_persons": t.percent("persons"),
        "percent_area": t.percent("area"),
        "quorum_met_persons": None if quorum is None else t.participants.persons >= quorum.persons,
        "quorum_met_area": None if quorum is None else t.participants.area >= quorum.area,
    }


def _decision(data: dict) -> rules.Decision:
    """The stored decision as it was counted (not recomputed), for its explanation."""
    rule_set = rules.rule_set(data["rule_set"]["code"], data["rule_set"]["version"])
    dimensions = tuple(
        rules.Dimension(
            test=d["test"],
            measure=d["measure"],
            numerator=d["numerator"],
            denominator=d["denominator"],
            threshold=rules.Threshold(**d["threshold"]),
            boundary=d["boundary"],
            passed=d["passed"],
        )
        for d in data["dimensions"]
    )
    return rules.Decision(
        rule_set=rule_set,
        matter=rules.Matter(data["matter"]),
        tally=rules.Tally.from_dict(data["tally"]),
        participants=rules.Counts.from_dict(data["participants"]),
        dimensions=dimensions,
        quorum_met=data["quorum_met"],
        passed=data["passed"],
        options=rules.Options.from_dict(data["options"]),
    )


def _decision_out(data: dict) -> dict:
    decision = _decision(data)
    return {
        "rule_set_code": decision.rule_set.code,
        "rule_set_version": decision.rule_set.version,
        "rule_set_name": str(decision.rule_set.name),
        "quorum_met": decision.quorum_met,
        "passed": decision.passed,
        "participants": _counts(decision.participants),
        "tally": {
            name: _counts(getattr(decision.tally, name)) for name in ("electorate", *rules.CHOICES)
        },
        "dimensions": [_dimension_out(d) for d in decision.dimensions],
        "explanation": decision.explain(),
    }


def _dimension_out(d: rules.Dimension) -> dict:
    return {
        "test": d.test,
        "measure": d.measure,
        "numerator": d.numerator,
        "denominator": d.denominator,
        "boundary": d.boundary,
        "threshold": d.threshold.fraction,
        "inclusive": d.threshold.inclusive,
        "base": d.threshold.base,
        "article": d.threshold.article,
        "percent": d.percent(),
        "passed": d.passed,
    }


def _choice_out(data: dict) -> dict:
    """A stored ChoiceDecision.as_dict() as it was counted (each option's stored decision)."""
    decisions = tuple(_decision(d) for d in data["per_option"])
    decision = rules.ChoiceDecision(
        rule_set=decisions[0].rule_set,
        matter=rules.Matter(data["matter"]),
        labels=tuple(data["labels"]),
        tally=rules.OptionsTally.from_dict(data["tally"]),
        decisions=decisions,
        chosen=data["chosen"],
        tied=data["tied"],
        options=rules.Options.from_dict(data["options"]),
    )
    chosen = decision.chosen
    return {
        "rule_set_code": decision.rule_set.code,
        "rule_set_version": decision.rule_set.version,
        "rule_set_name": str(decision.rule_set.name),
        "quorum_met": decision.quorum_met,
        "passed": decision.passed,
        "chosen": None if chosen is None else chosen + 1,
        "chosen_label": None if chosen is None else decision.labels[chosen],
        "tied": decision.tied,
        "electorate": _counts(decision.tally.electorate),
        "participants": _counts(decision.participants),
        "abstain": _counts(decision.tally.abstain),
        "invalid": _counts(decision.tally.invalid),
        "quorum": [_dimension_out(d) for d in decision.quorum_dimensions],
        "options": [
            {
                "number": i + 1,
                "value": rules.option_code(i),
                "label": label,
                "votes": _counts(decision.tally.options[i]),
                "dimensions": [
                    _dimension_out(d) for d in option.dimensions if d.test == "approval"
                ],
                "passed": option.passed,
            }
            for i, (label, option) in enumerate(zip(decision.labels, decisions, strict=True))
        ],
        "explanation": decision.explain(),
    }


def _deemed_out(data: dict) -> dict:
    """The stored deemed-consent record (DeemedDecision.as_dict) as it was counted."""
    decision = data.get("deemed")
    deemed = rules.DeemedDecision(
        decision=_decision(decision) if decision is not None else None,
        added=rules.Counts.from_dict(data["added"]),
        direction=data.get("direction"),
        flags=tuple(data.get("flags") or ()),
        strict=_decision(data["strict"]),
        delivered_non_voters=rules.Counts.from_dict(data["delivered_non_voters"]),
    )
    return {
        "direction": deemed.direction,
        "added": _counts(deemed.added),
        "delivered_non_voters": _counts(deemed.delivered_non_voters),
        "flags": list(deemed.flags),
        "decision": _decision_out(decision) if decision is not None else None,
        "explanation": deemed.explain(),
    }


@router.get(
    "/votes/motions/{motion_id}/result",
    response={200: ResultOut, **ERRORS},
    summary="The counted result of a motion: strict, and deemed consent beside it",
    description=(
        "Once voting has closed (400 before): every test in both dimensions (persons and "
        "area) with its boundary and legal article, the deemed-consent result beside the "
        "strict one when the meeting uses it (R18–R21), and the stored records, recomputed "
        "(`verified`) for those who check them."
    ),
)
def motion_result(request, motion_id: int):
    motion = _motion(request.user, motion_id)
    if motion.meeting.state not in COUNTED or motion.result is None:
        raise DomainError(_("The result is known once voting has closed."))
    record, deemed_record = motion.result, motion.deemed_result
    verified = not rules.verify_decision(record)
    if deemed_record is not None:
        verified = verified and not rules.verify_deemed(deemed_record)
    return {
        "motion_id": motion.pk,
        "number": motion.number,
        "title": motion.title,
        "matter": motion.matter,
        "matter_label": motion.get_matter_display(),
        "passed": bool(record["passed"]),
        "strict": None if record.get("kind") == "choice" else _decision_out(record),
        "choice": _choice_out(record) if record.get("kind") == "choice" else None,
        "deemed": _deemed_out(deemed_record) if deemed_record is not None else None,
        "verified": verified,
        "record": record,
        "deemed_record": deemed_record,
    }


@router.get(
    "/votes/motions/{motion_id}/board",
    response={200: BoardPage, **ERRORS},
    summary="The public board of a closed motion (masked, hash-chained)",
    description=(
        "One row per counted ballot in ballot order, names and rooms masked, each row's hash "
        "chained to the previous one from `genesis` to `head`, so anyone can recount the "
        "result and find their receipt. Choices are null when the meeting's board hides them. "
        "Once voting has closed (400 before)."
    ),
)
def motion_board(request, motion_id: int, limit: int = 100, offset: int = 0):
    motion = _motion(request.user, motion_id)
    meeting = motion.meeting
    if meeting.state not in COUNTED:
        raise DomainError(_("The board is published once voting has closed."))
    page = page_of(motion.board.order_by("seq"), limit=limit, offset=offset)
    shows = meeting.board_shows_choice
    return {
        "motion_id": motion.pk,
        "genesis": services.board_genesis(motion),
        "head": motion.board_head,
        "shows_choice": shows,
        "count": page["count"],
        "capped": page["capped"],
        "items": [
            {
                "seq": row.seq,
                "voter": row.voter,
                "voter_key": row.voter_key,
                "persons": row.persons,
                "area": row.area,
                "area_m2": rules.format_area(row.area),
                "choice": row.choice if shows else None,
                "receipt": row.receipt,
                "prev_hash": row.prev_hash,
                "hash": row.hash,
            }
            for row in page["items"]
        ],
    }


# -- owners' ballots -----------------------------------------------------------------------------


def _ballot_out(ballot: Ballot) -> dict:
    return {
        "id": ballot.pk,
        "motion_id": ballot.motion_id,
        "motion_number": ballot.motion.number,
        "choice": ballot.choice,
        "choice_label": ballot.get_choice_display(),
        "channel": ballot.channel,
        "channel_label": ballot.get_channel_display(),
        "receipt": ballot.receipt,
        "cast_at": ballot.cast_at,
        "effective": ballot.effective,
        "superseded_at": ballot.superseded_at,
    }


@router.post(
    "/votes/{meeting_id}/identity",
    response={200: IdentityOut, **ERRORS},
    summary="Check an owner's identity for this meeting (实名核验)",
    description=(
        "An owner's account names the ID number of its unit's voting representative; the "
        "registry must match it (400 otherwise). Answers the motions the owner votes on with "
        "the ballot counted so far, and records that the owner received the notice (R21). "
        "Only for owners' accounts of the meeting's estate (403 otherwise)."
    ),
)
def owner_identity(request, meeting_id: int, payload: IdentityIn):
    user = request.user
    meeting = _get(user, meeting_id)
    owner = services.verify_owner(user=user, meeting=meeting, id_number=payload.id_number)
    services.mark_read(meeting=meeting, owner=owner)
    keys = services.voter_keys(meeting, owner)
    entries = (
        RollEntry.objects.filter(motion__meeting=meeting, key__in=keys, excluded=False)
        .select_related("motion")
        .order_by("motion__number")
    )
    counted = {
        b.motion_id: b
        for b in Ballot.objects.filter(
            motion__meeting=meeting, entry__key__in=keys, effective=True
        ).select_related("motion")
    }
    return {
        "owner": rolls.mask_name(owner.name),
        "voter_keys": sorted(keys),
        "motions": [
            {
                "motion_id": e.motion_id,
                "number": e.motion.number,
                "title": e.motion.title,
                "matter_label": e.motion.get_matter_display(),
                "choices": [
                    {"value": v, "label": str(label)} for v, label in e.motion.ballot_choices()
                ],
                "ballot": _ballot_out(counted[e.motion_id]) if e.motion_id in counted else None,
            }
            for e in entries
        ],
        "precedence": services.precedence_text(meeting),
    }


@router.post(
    "/votes/{meeting_id}/ballots",
    response={201: ReceiptsOut, **ERRORS},
    summary="Cast the owner's ballots (投票) and get the receipts",
    description=(
        "The owner's identity is checked in the same request (`id_number`), then one ballot "
        "per motion in `choices` (motion id → yes, no or abstain). A later ballot replaces "
        "the earlier one while the meeting allows changes; a counted paper ballot prevails "
        "(see `precedence`). Each ballot has a receipt code that appears on the public "
        "board. Outside the voting window, an unknown motion or choice: 400, nothing cast."
    ),
)
def ballot_cast(request, meeting_id: int, payload: BallotIn):
    user = request.user
    meeting, owner, ballots = services.cast_online(
        user=user,
        meeting_id=meeting_id,
        id_number=payload.id_number,
        choices=_choices(payload.choices),
        ip=_ip(request),
        device=payload.device,
    )
    return Status(
        201,
        {
            "voter": rolls.mask_name(owner.name),
            "ballots": [_ballot_out(b) for b in ballots],
            "precedence": services.precedence_text(meeting),
        },
    )


@router.get(
    "/votes/{meeting_id}/ballots/mine",
    response={200: list[BallotOut], **ERRORS},
    summary="The ballots cast for the caller's units at this meeting",
    description=(
        "Every ballot cast for the owners who represent the caller's units, counted or "
        "superseded, by motion and time. For owners' accounts (403 otherwise)."
    ),
)
def ballot_mine(request, meeting_id: int):
    user = request.user
    meeting = _get(user, meeting_id)
    scope = scope_of(user)
    if not scope.allows(A.VOTES_CAST):
        raise PermissionDenied
    unit_ids = [
        g.value
        for g in scope.grants_for(A.VOTES_CAST)
        if g.kind == "unit" and g.estate_id == meeting.estate_id
    ]
    keys: set[str] = set()
    for owner in Owner.objects.filter(
        ownerships__unit_id__in=unit_ids, ownerships__is_representative=True
    ).distinct():
        keys.add(f"owner:{owner.pk}")
        if owner.is_developer:
            keys.add(rolls.DEVELOPER_KEY)
    ballots = (
        Ballot.objects.filter(motion__meeting=meeting, entry__key__in=keys)
        .select_related("motion")
        .order_by("motion__number", "id")
    )
    return [_ballot_out(b) for b in ballots]


# -- proxies -------------------------------------------------------------------------------------


def _proxy_out(proxy: Proxy) -> dict:
    now = timezone.now()
    return {
        "id": proxy.pk,
        "meeting_id": proxy.meeting_id,
        "motion_id": proxy.motion_id,
        "owner_id": proxy.owner_id,
        "owner_name": proxy.owner.name,
        "holder_name": proxy.holder_name,
        "holder_id_masked": mask(proxy.holder_id_number),
        "has_holder_account": proxy.holder_user_id is not None,
        "valid_until": proxy.valid_until,
        "revoked_at": proxy.revoked_at,
        "active": proxy.revoked_at is None
        and (proxy.valid_until is None or proxy.valid_until > now),
        "has_document": bool(proxy.document),
        "created_at": proxy.created_at,
    }


def _proxy(user, proxy_id: int) -> Proxy:
    return _in_scope(user, Proxy.objects.select_related("meeting", "owner"), proxy_id)


@router.get(
    "/votes/{meeting_id}/proxies",
    response={200: ProxyPage, **ERRORS},
    summary="The meeting's written entrustments (委托)",
    description="For those who organise, count or supervise the meeting (403 otherwise).",
)
def proxy_list(request, meeting_id: int, limit: int = 100, offset: int = 0):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, *STAFF)
    page = page_of(
        meeting.proxies.select_related("owner").order_by("id"), limit=limit, offset=offset
    )
    return page | {"items": [_proxy_out(p) for p in page["items"]]}


@router.post(
    "/votes/{meeting_id}/proxies",
    response={201: ProxyOut, **ERRORS},
    summary="Record a written entrustment",
    description=(
        "An owner on the roll lets a holder (named, with ID number) vote at the meeting or on "
        "one motion, until `valid_until`. The meeting's cap limits how many owners one holder "
        "represents. The owner's own ballot always prevails. For those who count the votes."
    ),
)
def proxy_record(request, meeting_id: int, payload: ProxyIn):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, A.VOTES_COUNT)
    owner = Owner.objects.filter(pk=payload.owner_id).first()
    if owner is None:
        raise DomainError(_("This owner is not on the meeting's roll."), field="owner_id")
    motion = None
    if payload.motion_id is not None:
        motion = meeting.motions.filter(pk=payload.motion_id).first()
        if motion is None:
            raise DomainError(_("Unknown motion."), field="motion_id")
    proxy = services.record_proxy(
        actor=user,
        meeting=meeting,
        owner=owner,
        holder_name=payload.holder_name,
        holder_id_number=payload.holder_id_number,
        motion=motion,
        valid_until=_aware(payload.valid_until),
    )
    return Status(201, _proxy_out(_proxy(user, proxy.pk)))


@router.post(
    "/votes/proxies/{proxy_id}/revoke",
    response={200: ProxyOut, **ERRORS},
    summary="Revoke an entrustment",
)
def proxy_revoke(request, proxy_id: int):
    user = request.user
    proxy = services.revoke_proxy(actor=user, proxy=_proxy(user, proxy_id))
    return _proxy_out(_proxy(user, proxy.pk))


@router.post(
    "/votes/proxies/{proxy_id}/ballots",
    response={201: ReceiptsOut, **ERRORS},
    summary="Vote as the proxy holder",
    description=(
        "Recorded by an officer who counts the votes, or by the holder's own account; the "
        "holder's ID number is checked. A ballot the owner cast in person prevails (400)."
    ),
)
def proxy_vote(request, proxy_id: int, payload: ProxyBallotIn):
    user = request.user
    proxy = _proxy(user, proxy_id)
    is_holder = proxy.holder_user_id is not None and proxy.holder_user_id == user.pk
    if not is_holder:
        _require(user, proxy.meeting, A.VOTES_COUNT)
    ballots = services.cast_by_proxy(
        actor=user,
        proxy=proxy,
        holder_id_number=payload.holder_id_number,
        choices=_choices(payload.choices),
        ip=_ip(request),
        device=payload.device,
    )
    return Status(
        201,
        {
            "voter": rolls.mask_name(proxy.owner.name),
            "ballots": [_ballot_out(b) for b in ballots],
            "precedence": services.precedence_text(proxy.meeting),
        },
    )


# -- paper sheets --------------------------------------------------------------------------------


def _sheet_out(sheet: PaperSheet) -> dict:
    matched = sheet.state == PaperSheet.State.MATCHED
    return {
        "id": sheet.pk,
        "meeting_id": sheet.meeting_id,
        "number": sheet.number,
        "voter_key": sheet.voter_key,
        "owner_id": sheet.owner_id,
        "owner_name": sheet.owner.name if sheet.owner_id else None,
        "state": sheet.state,
        "state_label": sheet.get_state_display(),
        "first_by": _user_label(sheet.first_by),
        "second_by": _user_label(sheet.second_by),
        "mismatches": sheet.mismatches,
        "choices": dict(sheet.second_choices) if matched else None,
        "has_scan": bool(sheet.scan),
        "created_at": sheet.created_at,
        "updated_at": sheet.updated_at,
    }


def _sheets():
    return PaperSheet.objects.select_related("owner", "first_by", "second_by")


def _paper_counts(meeting: Meeting) -> dict:
    row = meeting.paper_sheets.aggregate(
        entered=Count("id", filter=~Q(state=PaperSheet.State.REJECTED)),
        matched=Count("id", filter=Q(state=PaperSheet.State.MATCHED)),
    )
    return {"issued": meeting.paper_issued, "returned": meeting.paper_returned, **row}


@router.get(
    "/votes/{meeting_id}/paper",
    response={200: PaperPage, **ERRORS},
    summary="The paper ballot sheets and their reconciliation",
    description=(
        "Every sheet keyed in, by number, with its state (entered once, matched, mismatch, "
        "rejected) and the counts issued ≥ returned ≥ entered. What a sheet says is shown "
        "only once it is counted, so the second entry stays independent."
    ),
)
def paper_list(request, meeting_id: int, state: str = "", limit: int = 100, offset: int = 0):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, *STAFF)
    qs = _sheets().filter(meeting=meeting).order_by("number")
    if state:
        qs = qs.filter(state=state)
    page = page_of(qs, limit=limit, offset=offset)
    return _paper_counts(meeting) | page | {"items": [_sheet_out(s) for s in page["items"]]}


@router.post(
    "/votes/{meeting_id}/paper",
    response={200: SheetOut, 201: SheetOut, **ERRORS},
    summary="Key in a signed paper ballot (double entry)",
    description=(
        "The first entry of a sheet number waits (201); a second entry by a different officer "
        "either matches, and the ballots are cast (200, state matched), or is a mismatch to "
        "be keyed again (200, state mismatch). `choices` covers every motion the voter votes "
        "on. For those who count the votes, while voting is open."
    ),
)
def paper_enter(request, meeting_id: int, payload: PaperIn):
    user = request.user
    meeting = _get(user, meeting_id)
    sheet = services.enter_paper(
        actor=user,
        meeting=meeting,
        number=payload.number,
        voter_key=payload.voter_key.strip(),
        choices={k: str(v).strip() for k, v in payload.choices.items()},
    )
    out = _sheet_out(_sheets().get(pk=sheet.pk))
    return Status(201 if sheet.state == PaperSheet.State.FIRST else 200, out)


@router.post(
    "/votes/paper/{sheet_id}/reject",
    response={200: SheetOut, **ERRORS},
    summary="Reject a paper sheet not yet counted",
    description="For the organisers, with a reason; a counted sheet cannot be rejected (400).",
)
def paper_reject(request, sheet_id: int, payload: RejectIn):
    user = request.user
    sheet = _in_scope(user, PaperSheet.objects.select_related("meeting"), sheet_id)
    services.reject_sheet(actor=user, sheet=sheet, reason=payload.reason)
    return _sheet_out(_sheets().get(pk=sheet.pk))


@router.put(
    "/votes/{meeting_id}/paper/counts",
    response={200: PaperCountsOut, **ERRORS},
    summary="Set how many paper ballots were issued and returned",
    description="Checked at close: issued ≥ returned ≥ entered. For the organisers.",
)
def paper_counts(request, meeting_id: int, payload: PaperCountsIn):
    user = request.user
    meeting = services.set_paper_counts(
        actor=user,
        meeting=_get(user, meeting_id),
        issued=payload.issued,
        returned=payload.returned,
    )
    return _paper_counts(meeting)


# -- deliveries ----------------------------------------------------------------------------------


def _delivery_out(d: Delivery) -> dict:
    return {
        "id": d.pk,
        "voter_key": d.voter_key,
        "owner_id": d.owner_id,
        "owner_name": d.owner.name if d.owner_id else None,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "channel": d.channel,
        "channel_label": d.get_channel_display(),
        "sent_at": d.sent_at,
        "read_at": d.read_at,
        "note": d.note,
        "has_evidence": bool(d.evidence),
        "recorded_by": _user_label(d.recorded_by),
    }


@router.get(
    "/votes/{meeting_id}/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="Proofs that the notice and reminders reached the owners (送达)",
    description=(
        "Channel, time and read receipt per voter: the evidence deemed consent rests on "
        "(R19, R21). Filter by `kind` and `voter_key`. For those who organise, count or "
        "supervise the meeting."
    ),
)
def delivery_list(
    request,
    meeting_id: int,
    filters: Query[DeliveryFilters],
    limit: int = 100,
    offset: int = 0,
):
    user = request.user
    meeting = _get(user, meeting_id)
    _require(user, meeting, *STAFF)
    qs = meeting.deliveries.select_related("owner", "recorded_by").order_by("id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.voter_key:
        qs = qs.filter(voter_key=filters.voter_key.strip())
    page = page_of(qs, limit=limit, offset=offset)
    return page | {"items": [_delivery_out(d) for d in page["items"]]}


@router.post(
    "/votes/{meeting_id}/deliveries",
    response={201: DeliveryOut, **ERRORS},
    summary="Record a proof of delivery (paper receipt, posting...)",
    description="For those who count the votes, between notice and close.",
)
def delivery_record(request, meeting_id: int, payload: DeliveryIn):
    user = request.user
    delivery = services.record_delivery(
        actor=user,
        meeting=_get(user, meeting_id),
        voter_key=payload.voter_key.strip(),
        channel=payload.channel.strip(),
        sent_at=_aware(payload.sent_at),
        note=payload.note,
    )
    delivery = Delivery.objects.select_related("owner", "recorded_by").get(pk=delivery.pk)
    return Status(201, _delivery_out(delivery))
