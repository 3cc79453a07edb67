"""The work-order state machine: every (state, action, actor) triple, guards, invariants."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.workorders.machine import (
    MAX_REWORKS,
    PAUSED,
    TERMINAL,
    TRANSITIONS,
    Act,
    Actor,
    IllegalTransition,
    Ledger,
    State,
    allowed_actions,
    find,
    fire,
)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English (the msgids)."""
    with translation.override("en"):
        yield


FULL = {
    "reason": "理由",
    "legal_basis": "《物业管理条例》第五十五条",
    "master": 1,
    "unit": "fire",
    "result": "solved",
    "reply": "已处理",
    "rating": "satisfied",
    "outcome": "调解成功",
}


def ready(state: str) -> Ledger:
    """A ledger in state whose history satisfies every guard of the moves out of it."""
    return Ledger(
        state=state,
        state_before_merge=State.DISPATCHED,
        contacted=True,
        closed_at=NOW - timedelta(days=1),
        pauses=[[NOW - timedelta(hours=1), None]] if state in PAUSED else [],
    )


def expected(state: str, action: str, actor: str) -> str | None:
    for t in TRANSITIONS:
        if t.action == action and state in t.sources and actor in t.actors:
            return t.target or State.DISPATCHED  # unmerge goes back to the state before
    return None


@pytest.mark.parametrize("state", list(State))
def test_every_triple_is_allowed_exactly_when_the_table_says(state):
    for action in Act:
        for actor in Actor:
            target = expected(state, action, actor)
            ledger = ready(state)
            if target is None:
                with pytest.raises(IllegalTransition):
                    fire(ledger, action, actor, NOW, FULL)
                assert ledger.state == state  # a refused move changes nothing
            else:
                assert fire(ledger, action, actor, NOW, FULL) == target


def test_terminal_states_only_leave_by_supervisor_corrections():
    for state in TERMINAL:
        actions = {t.action for t in TRANSITIONS if state in t.sources}
        assert actions <= {Act.REOPEN, Act.UNMERGE}, state
    assert {Act.REOPEN} == {t.action for t in TRANSITIONS if State.CLOSED in t.sources}
    assert allowed_actions(State.REFERRED, set(Actor)) == []


def test_messages_say_why():
    with pytest.raises(IllegalTransition, match="may not"):
        find(Act.SIGN, State.DISPATCHED, Actor.CITIZEN)
    with pytest.raises(IllegalTransition, match="not possible"):
        find(Act.SIGN, State.CLOSED, Actor.HANDLER)


def test_return_ping_pong_ends_with_the_supervisors_final_ruling():
    ledger = Ledger(state=State.DISPATCHED)
    with pytest.raises(IllegalTransition):  # a return needs a reason and its legal basis
        fire(ledger, Act.REQUEST_RETURN, Actor.HANDLER, NOW, {"reason": "不归我们管"})
    fire(ledger, Act.REQUEST_RETURN, Actor.HANDLER, NOW, FULL)
    fire(ledger, Act.REFUSE_RETURN, Actor.DISPATCHER, NOW, FULL)
    fire(ledger, Act.REQUEST_RETURN, Actor.HANDLER, NOW, FULL)
    with pytest.raises(IllegalTransition, match="final ruling"):
        fire(ledger, Act.REFUSE_RETURN, Actor.DISPATCHER, NOW, FULL)
    fire(ledger, Act.REFUSE_RETURN, Actor.SUPERVISOR, NOW, FULL)
    with pytest.raises(IllegalTransition, match="may not return"):
        fire(ledger, Act.REQUEST_RETURN, Actor.HANDLER, NOW, FULL)
    assert fire(ledger, Act.SIGN, Actor.HANDLER, NOW) == State.SIGNED


def test_feedback_needs_a_contact_and_a_close_needs_a_rating_or_exemption():
    ledger = Ledger(state=State.SIGNED)
    fire(ledger, Act.CONTACT, Actor.HANDLER, NOW)
    with pytest.raises(IllegalTransition):
        fire(ledger, Act.SUBMIT_FEEDBACK, Actor.UNIT_LEAD, NOW, {"result": "solved"})
    fire(ledger, Act.SUBMIT_FEEDBACK, Actor.UNIT_LEAD, NOW, FULL)
    fire(ledger, Act.APPROVE_FEEDBACK, Actor.SUPERVISOR, NOW)
    with pytest.raises(IllegalTransition, match="rating"):
        fire(ledger, Act.CLOSE, Actor.VISITOR, NOW, {})
    assert fire(ledger, Act.CLOSE, Actor.VISITOR, NOW, {"exempt": "unreachable"}) == State.CLOSED


def test_at_most_two_reworks():
    ledger = Ledger(state=State.PENDING_VISIT, contacted=True)
    for _ in range(MAX_REWORKS):
        fire(ledger, Act.REWORK, Actor.SUPERVISOR, NOW, FULL)
        fire(ledger, Act.SUBMIT_FEEDBACK, Actor.UNIT_LEAD, NOW, FULL)
        fire(ledger, Act.APPROVE_FEEDBACK, Actor.SUPERVISOR, NOW)
    with pytest.raises(IllegalTransition, match="supervisor must decide"):
        fire(ledger, Act.REWORK, Actor.SUPERVISOR, NOW, FULL)


def test_reopen_only_within_30_days():
    ledger = Ledger(state=State.CLOSED, closed_at=NOW - timedelta(days=31))
    with pytest.raises(IllegalTransition, match="30 days"):
        fire(ledger, Act.REOPEN, Actor.SUPERVISOR, NOW, FULL)
    ledger.closed_at = NOW - timedelta(days=29)
    assert fire(ledger, Act.REOPEN, Actor.SUPERVISOR, NOW, FULL) == State.IN_PROGRESS


def test_merge_is_undone_back_to_where_it_was():
    ledger = Ledger(state=State.DISPATCHED)
    with pytest.raises(IllegalTransition):
        fire(ledger, Act.MERGE, Actor.DISPATCHER, NOW, {})  # the master is required
    fire(ledger, Act.MERGE, Actor.DISPATCHER, NOW, FULL)
    assert fire(ledger, Act.UNMERGE, Actor.SUPERVISOR, NOW, FULL) == State.DISPATCHED


def test_dispute_levels_end_in_a_referral():
    ledger = Ledger(state=State.IN_PROGRESS)
    fire(ledger, Act.ESCALATE, Actor.SUPERVISOR, NOW)
    fire(ledger, Act.ESCALATE_FURTHER, Actor.MEDIATOR, NOW)
    fire(ledger, Act.ESCALATE_FURTHER, Actor.MEDIATOR, NOW)
    with pytest.raises(IllegalTransition):
        fire(ledger, Act.ESCALATE_FURTHER, Actor.MEDIATOR, NOW)
    assert fire(ledger, Act.REFER, Actor.MEDIATOR, NOW + timedelta(days=9), FULL) == State.REFERRED
    assert ledger.pauses == [[NOW, NOW + timedelta(days=9)]]


moves = st.lists(
    st.tuples(
        st.sampled_from(list(Act)),
        st.sampled_from(list(Actor)),
        st.integers(min_value=0, max_value=3 * 24 * 60),
        st.booleans(),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(moves)
def test_random_sequences_keep_the_invariants(sequence):
    ledger = Ledger()
    now = NOW
    for action, actor, minutes, complete in sequence:
        now += timedelta(minutes=minutes)
        before = ledger.state
        try:
            after = fire(ledger, action, actor, now, FULL if complete else {})
        except IllegalTransition:
            assert ledger.state == before
            continue
        if before in TERMINAL:
            assert action in (Act.REOPEN, Act.UNMERGE)
        if after == State.CLOSED:
            assert ledger.feedback
            assert ledger.rated_or_exempt
        assert ledger.reworks <= MAX_REWORKS
        # Pauses: in order, never overlapping, each end after its start, one open at most
        # and open exactly while the order is suspended or escalated.
        for (s1, e1), (s2, _e2) in zip(ledger.pauses, ledger.pauses[1:], strict=False):
            assert e1 is not None
            assert s1 <= e1 <= s2
        open_pauses = [p for p in ledger.pauses if p[1] is None]
        assert len(open_pauses) == (1 if ledger.state in PAUSED else 0)
