"""The work-order state machine (complaints.md §2.3) as data.

One row of TRANSITIONS allows one action, from some states, to one state, for some
work-order roles. Anything not in the table raises IllegalTransition. Guards that depend on
the order (a reason is given, the second return refusal is the supervisor's, at most two
reworks...) live in GUARDS, keyed by action, and raise IllegalTransition with a message.

Two departures from the proposal in complaints.md, both recorded on the order like any move:
- a merge is reversible: UNMERGE (supervisor) puts the order back in the state it was merged
  from; a closed order may be reopened by a supervisor within 30 days (REOPEN). These are the
  only ways out of a terminal state; every other action on a terminal order is refused.
- escalation to the next dispute level is its own action (ESCALATE_FURTHER) so that each level
  of the 联席会议 → 三调联动 ladder is one recorded move.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered, awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched, awaiting signature")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    SIGNED = "signed", _("Signed")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    FEEDBACK_SUBMITTED = "feedback_submitted", _("Feedback under review")
    PENDING_VISIT = "pending_visit", _("Awaiting return visit")
    ESCALATED = "escalated", _("Escalated to dispute resolution")
    CLOSED = "closed", _("Closed")
    ANSWERED = "answered", _("Answered directly")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged into another order")
    REFERRED = "referred", _("Referred to court or arbitration")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TERMINAL = frozenset(
    {State.CLOSED, State.ANSWERED, State.REJECTED, State.MERGED, State.REFERRED, State.WITHDRAWN}
)
OPEN = frozenset(State) - TERMINAL
# States in which the handling clock does not run.
PAUSED = frozenset({State.SUSPENDED, State.ESCALATED})


class Actor(models.TextChoices):
    """Work-order roles (complaints.md §2.1); a user's Anju role and their relation to the
    order (its lead unit, its complainant...) decide which of these they act as."""

    CITIZEN = "citizen", _("Complainant")
    INTAKE = "intake", _("Intake officer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Handler")
    UNIT_LEAD = "unit_lead", _("Unit lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    VISITOR = "visitor", _("Return visitor")
    MEDIATOR = "mediator", _("Mediator")
    SYSTEM = "system", _("System")


class Act(models.TextChoices):
    REGISTER = "register", _("Register")
    ANSWER = "answer", _("Answer directly")
    REJECT = "reject", _("Refuse to accept")
    MERGE = "merge", _("Merge as duplicate")
    UNMERGE = "unmerge", _("Undo merge")
    DISPATCH = "dispatch", _("Dispatch")
    SIGN = "sign", _("Sign")
    REQUEST_RETURN = "request_return", _("Request return")
    APPROVE_RETURN = "approve_return", _("Approve return and redispatch")
    REFUSE_RETURN = "refuse_return", _("Refuse return")
    CONTACT = "contact", _("Record contact with the complainant")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    SUBMIT_FEEDBACK = "submit_feedback", _("Submit feedback")
    APPROVE_FEEDBACK = "approve_feedback", _("Approve feedback")
    SEND_BACK = "send_back", _("Send feedback back")
    CLOSE = "close", _("Close after return visit")
    REWORK = "rework", _("Order rework")
    ESCALATE = "escalate", _("Escalate to dispute resolution")
    ESCALATE_FURTHER = "escalate_further", _("Escalate to the next level")
    SETTLE = "settle", _("Record dispute outcome")
    REFER = "refer", _("Refer to court or arbitration")
    WITHDRAW = "withdraw", _("Withdraw")
    REOPEN = "reopen", _("Reopen")


S, R, A = State, Actor, Act


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: back to the state recorded before (unmerge)
    actors: frozenset[str]


def _t(action, sources, target, actors) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors))


TRANSITIONS: tuple[Transition, ...] = (
    _t(A.ANSWER, {S.REGISTERED}, S.ANSWERED, {R.INTAKE}),
    _t(A.REJECT, {S.REGISTERED}, S.REJECTED, {R.INTAKE, R.SUPERVISOR}),
    _t(A.MERGE, {S.REGISTERED, S.DISPATCHED}, S.MERGED, {R.INTAKE, R.DISPATCHER}),
    _t(A.UNMERGE, {S.MERGED}, None, {R.SUPERVISOR}),
    _t(A.DISPATCH, {S.REGISTERED}, S.DISPATCHED, {R.DISPATCHER, R.SYSTEM}),
    _t(A.SIGN, {S.DISPATCHED}, S.SIGNED, {R.HANDLER, R.UNIT_LEAD}),
    _t(A.REQUEST_RETURN, {S.DISPATCHED}, S.RETURN_REQUESTED, {R.HANDLER, R.UNIT_LEAD}),
    _t(A.APPROVE_RETURN, {S.RETURN_REQUESTED}, S.DISPATCHED, {R.DISPATCHER, R.SUPERVISOR}),
    _t(A.REFUSE_RETURN, {S.RETURN_REQUESTED}, S.DISPATCHED, {R.DISPATCHER, R.SUPERVISOR}),
    _t(A.CONTACT, {S.SIGNED}, S.IN_PROGRESS, {R.HANDLER, R.UNIT_LEAD}),
    _t(A.SUSPEND, {S.IN_PROGRESS}, S.SUSPENDED, {R.SUPERVISOR}),
    _t(A.RESUME, {S.SUSPENDED}, S.IN_PROGRESS, {R.SUPERVISOR, R.SYSTEM}),
    _t(A.SUBMIT_FEEDBACK, {S.IN_PROGRESS}, S.FEEDBACK_SUBMITTED, {R.UNIT_LEAD}),
    _t(A.APPROVE_FEEDBACK, {S.FEEDBACK_SUBMITTED}, S.PENDING_VISIT, {R.DISPATCHER, R.SUPERVISOR}),
    _t(A.SEND_BACK, {S.FEEDBACK_SUBMITTED}, S.IN_PROGRESS, {R.DISPATCHER, R.SUPERVISOR}),
    _t(A.CLOSE, {S.PENDING_VISIT}, S.CLOSED, {R.VISITOR, R.SYSTEM}),
    _t(A.REWORK, {S.PENDING_VISIT}, S.IN_PROGRESS, {R.SUPERVISOR}),
    _t(A.ESCALATE, {S.IN_PROGRESS, S.PENDING_VISIT}, S.ESCALATED, {R.UNIT_LEAD, R.SUPERVISOR}),
    _t(A.ESCALATE_FURTHER, {S.ESCALATED}, S.ESCALATED, {R.MEDIATOR, R.SUPERVISOR}),
    _t(A.SETTLE, {S.ESCALATED}, S.FEEDBACK_SUBMITTED, {R.MEDIATOR, R.SUPERVISOR}),
    _t(A.REFER, {S.ESCALATED}, S.REFERRED, {R.MEDIATOR, R.SUPERVISOR}),
    _t(A.WITHDRAW, OPEN, S.WITHDRAWN, {R.CITIZEN, R.INTAKE}),
    _t(A.REOPEN, {S.CLOSED}, S.IN_PROGRESS, {R.SUPERVISOR}),
)

MAX_REWORKS = 2
REOPEN_WITHIN = timedelta(days=30)
DISPUTE_LEVELS = 4  # 街道联席会议, 区级联席会议, 三调联动, 诉讼/仲裁


class IllegalTransition(Exception):  # noqa: N818 - the name complaints.md §2.3 uses
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def find(action: str, state: str, actor: str) -> Transition:
    """The row allowing actor to take action in state, or IllegalTransition."""
    for t in TRANSITIONS:
        if t.action == action and state in t.sources:
            if actor in t.actors:
                return t
            raise IllegalTransition(
                _("A %(actor)s may not “%(action)s” an order in state “%(state)s”.")
                % {
                    "actor": Actor(actor).label,
                    "action": Act(action).label,
                    "state": State(state).label,
                }
            )
    raise IllegalTransition(
        _("“%(action)s” is not possible in state “%(state)s”.")
        % {"action": Act(action).label, "state": State(state).label}
    )


def allowed_actions(state: str, actors: set[str]) -> list[str]:
    return [t.action for t in TRANSITIONS if state in t.sources and t.actors & actors]


# -- the order's bookkeeping, independent of storage ----------------------------------------


@dataclass
class Ledger:
    """What the guards and invariants need to know about an order."""

    state: str = S.REGISTERED
    state_before_merge: str | None = None
    returns_refused: int = 0
    reworks: int = 0
    level: int = 0  # dispute level while escalated
    closed_at: datetime | None = None
    contacted: bool = False
    feedback: bool = False
    rated_or_exempt: bool = False
    pauses: list[list[datetime | None]] | None = None  # [start, end] intervals

    def __post_init__(self):
        if self.pauses is None:
            self.pauses = []


def _need(payload: Mapping[str, Any], *keys: str) -> None:
    missing = [k for k in keys if not payload.get(k)]
    if missing:
        raise IllegalTransition(_("Missing: %(fields)s") % {"fields": ", ".join(missing)})


def _guard_refuse_return(ledger: Ledger, actor: str, payload, now) -> None:
    _need(payload, "reason")
    if ledger.returns_refused >= 1 and actor != R.SUPERVISOR:
        raise IllegalTransition(_("A second refusal of a return is the supervisor's final ruling."))


def _guard_request_return(ledger: Ledger, actor: str, payload, now) -> None:
    _need(payload, "reason", "legal_basis")
    if ledger.returns_refused >= 2:
        raise IllegalTransition(_("After the final ruling this unit may not return the order."))


def _guard_submit_feedback(ledger: Ledger, actor: str, payload, now) -> None:
    _need(payload, "result", "reply")
    if not ledger.contacted:
        raise IllegalTransition(_("Record the contact with the complainant first."))


def _guard_close(ledger: Ledger, actor: str, payload, now) -> None:
    if not (payload.get("rating") or payload.get("exempt")):
        raise IllegalTransition(_("A return visit needs a rating or a reason for exemption."))


def _guard_rework(ledger: Ledger, actor: str, payload, now) -> None:
    _need(payload, "reason")
    if ledger.reworks >= MAX_REWORKS:
        raise IllegalTransition(
            _("The order was reworked %(n)s times; the supervisor must decide instead.")
            % {"n": MAX_REWORKS}
        )


def _guard_escalate_further(ledger: Ledger, actor: str, payload, now) -> None:
    if ledger.level >= DISPUTE_LEVELS - 1:
        raise IllegalTransition(_("The last dispute level is a referral to court or arbitration."))


def _guard_reopen(ledger: Ledger, actor: str, payload, now) -> None:
    _need(payload, "reason")
    if ledger.closed_at is None or now - ledger.closed_at > REOPEN_WITHIN:
        raise IllegalTransition(
            _("Only orders closed within the last 30 days can be reopened; open a new one.")
        )


def _reason(ledger, actor, payload, now) -> None:
    _need(payload, "reason")


GUARDS: dict[str, Callable[[Ledger, str, Mapping[str, Any], datetime], None]] = {
    A.REJECT: _reason,
    A.MERGE: lambda ledger, actor, payload, now: _need(payload, "master"),
    A.UNMERGE: _reason,
    A.REQUEST_RETURN: _guard_request_return,
    A.REFUSE_RETURN: _guard_refuse_return,
    A.APPROVE_RETURN: lambda ledger, actor, payload, now: _need(payload, "unit"),
    A.SUSPEND: _reason,
    A.SUBMIT_FEEDBACK: _guard_submit_feedback,
    A.SEND_BACK: _reason,
    A.CLOSE: _guard_close,
    A.REWORK: _guard_rework,
    A.ESCALATE_FURTHER: _guard_escalate_further,
    A.SETTLE: lambda ledger, actor, payload, now: _need(payload, "outcome"),
    A.REFER: _reason,
    A.WITHDRAW: _reason,
    A.REOPEN: _guard_reopen,
}


def fire(ledger: Ledger, action: str, actor: str, now: datetime, payload=None) -> str:
    """Check and apply one move to ledger; return the new state. Raises IllegalTransition."""
    payload = payload or {}
    t = find(action, ledger.state, actor)
    guard = GUARDS.get(action)
    if guard is not None:
        guard(ledger, actor, payload, now)
    before = ledger.state
    target = t.target if t.target is not None else ledger.state_before_merge
    if action == A.MERGE:
        ledger.state_before_merge = before
    elif action == A.REFUSE_RETURN:
        ledger.returns_refused += 1
    elif action == A.CONTACT:
        ledger.contacted = True
    elif action == A.SUBMIT_FEEDBACK:
        ledger.feedback = True
    elif action == A.SETTLE:
        ledger.feedback = True
        ledger.level = 0
    elif action == A.REWORK:
        ledger.reworks += 1
        ledger.feedback = False
    elif action == A.SEND_BACK:
        ledger.feedback = False
    elif action == A.CLOSE:
        ledger.closed_at = now
        ledger.rated_or_exempt = True
    elif action == A.ESCALATE:
        ledger.level = 1
    elif action == A.ESCALATE_FURTHER:
        ledger.level += 1
    elif action == A.REOPEN:
        ledger.closed_at = None
        ledger.rated_or_exempt = False
        ledger.feedback = False
    # The handling clock pauses while suspended or escalated.
    if before not in PAUSED and target in PAUSED:
        ledger.pauses.append([now, None])
    elif before in PAUSED and target not in PAUSED and ledger.pauses:
        ledger.pauses[-1][1] = now
    ledger.state = target
    return target
