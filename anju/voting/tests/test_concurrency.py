"""One effective ballot per voter when ballots race (PostgreSQL only).

Each thread works on its own database connection, started together at a barrier, and closes
its connections when done. The database (row locks and the partial unique index
ballot_one_effective_per_voter) must leave exactly one counted ballot per voter; every other
attempt is either superseded, with its time, or refused with a message.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from anju.core.errors import DomainError
from anju.core.models import AuditEvent
from anju.voting import services
from anju.voting.models import Ballot, BallotChannel, Meeting, MeetingState, RollEntry
from anju.voting.tests.conftest import make_meeting

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL: SQLite lets one writer at a time into the whole database, so "
            "ballots cannot race there; run with DATABASE_URL=postgres://..."
        ),
    ),
    # Serialized like every transactional test of the suite (the browser journeys, the sweep
    # and task tests): a flush after an unserialized one recreates the content types, which a
    # serialized test on the same worker then restores a second time and fails at its setup.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 32  # connections at once, well inside PostgreSQL's default max_connections (100)
ATTEMPTS = 200
RANK = {BallotChannel.PROXY: 1, BallotChannel.ONLINE: 2, BallotChannel.ASSISTED: 3}


def zh(message: str) -> str:
    """A refusal as the threads word it (no language activated: the default)."""
    with translation.override("zh-hans"):
        return gettext(message)


TOO_MANY = "Too many simultaneous ballots for this voter; please try again."


def open_now(vw) -> Meeting:
    """An open meeting of estate A whose voting window contains the real time."""
    now = timezone.now()
    meeting = make_meeting(vw, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=3))
    services.give_notice(actor=vw.organiser, meeting=meeting, now=now - timedelta(days=20))
    services.open_voting(actor=vw.organiser, meeting=meeting, now=now - timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


def race(attempts: list, workers: int = WORKERS) -> tuple[Counter, list[str], float]:
    """Run the attempts (callables) on `workers` threads that start together.

    Returns the outcomes ("cast" or "refused"), the refusal messages and the seconds taken.
    """
    barrier = threading.Barrier(workers, timeout=60)
    outcomes: Counter = Counter()
    messages: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(share):
        try:
            barrier.wait()
            for attempt in share:
                try:
                    attempt()
                except DomainError as exc:
                    with lock:
                        outcomes["refused"] += 1
                        messages.append(str(exc.message))
                else:
                    with lock:
                        outcomes["cast"] += 1
        except BaseException as exc:  # reported to the test below
            with lock:
                failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(attempts[i::workers],)) for i in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures
    return outcomes, messages, elapsed


def cast_attempt(entry_id: int, choice: str, channel: str = BallotChannel.ONLINE):
    def attempt():
        # Fetched in the thread: its own connection, its own model instances.
        entry = RollEntry.objects.select_related("motion__meeting").get(pk=entry_id)
        services.cast(motion=entry.motion, entry=entry, choice=choice, channel=channel)

    return attempt


def test_200_simultaneous_ballots_of_one_voter_leave_one_counted(vw):
    # given
    meeting = open_now(vw)
    motion = meeting.motions.get()
    entry = motion.roll.get(key=f"owner:{vw.single[0].pk}")
    choices = ("yes", "no", "abstain")
    attempts = [cast_attempt(entry.pk, choices[i % 3]) for i in range(ATTEMPTS)]

    # when
    outcomes, messages, elapsed = race(attempts)

    # then
    ballots = Ballot.objects.filter(motion=motion, entry=entry)
    counted = ballots.filter(effective=True)
    print(
        f"\n[one voter] {ATTEMPTS} attempts on {WORKERS} connections in {elapsed:.2f}s: "
        f"{outcomes['cast']} cast ({outcomes['cast'] - 1} superseded), "
        f"{outcomes['refused']} refused, {counted.count()} counted"
    )
    assert outcomes["cast"] + outcomes["refused"] == ATTEMPTS
    assert outcomes["cast"] >= 1
    assert counted.count() == 1
    assert ballots.count() == outcomes["cast"]
    assert ballots.filter(effective=False, superseded_at__isnull=False).count() == (
        outcomes["cast"] - 1
    )
    assert not ballots.filter(effective=False, superseded_at__isnull=True).exists()
    # Within one channel the last ballot cast is the one counted.
    assert counted.get().pk == ballots.latest("id").pk
    assert set(messages) <= {zh(TOO_MANY)}
    t = services.tally(motion)
    assert (t.yes + t.no + t.abstain).persons == 1


def test_several_voters_racing_each_keep_one_counted_ballot_by_precedence(vw):
    # given: every voter on the roll, each with 30 ballots on three channels of different
    # rank (proxy < online < witnessed), all cast at once
    meeting = open_now(vw)
    motion = meeting.motions.get()
    entries = list(motion.roll.filter(excluded=False))
    channels = (BallotChannel.PROXY, BallotChannel.ONLINE, BallotChannel.ASSISTED)
    attempts = [
        cast_attempt(e.pk, ("yes", "no")[i % 2], channels[i % 3])
        for i in range(30)
        for e in entries
    ]

    # when
    outcomes, messages, elapsed = race(attempts)

    # then
    print(
        f"\n[{len(entries)} voters] {len(attempts)} attempts on {WORKERS} connections in "
        f"{elapsed:.2f}s: {outcomes['cast']} cast, {outcomes['refused']} refused "
        f"({outcomes['refused'] - messages.count(zh(TOO_MANY))} by precedence, "
        f"{messages.count(zh(TOO_MANY))} after retries)"
    )
    assert outcomes["cast"] + outcomes["refused"] == len(attempts)
    for entry in entries:
        ballots = Ballot.objects.filter(motion=motion, entry=entry)
        [counted] = ballots.filter(effective=True)
        # The counted ballot has the highest rank any of the voter's ballots reached.
        assert RANK[counted.channel] == max(RANK[b.channel] for b in ballots)
        assert not ballots.filter(effective=False, superseded_at__isnull=True).exists()
    assert Ballot.objects.filter(motion=motion, effective=True).count() == len(entries)
    assert set(messages) <= {
        zh(TOO_MANY),
        zh("The owner has voted in person; a proxy's ballot is not counted."),
        zh("A signed paper ballot has been counted for this owner; it prevails."),
    }
    t = services.tally(motion)
    assert (t.yes + t.no + t.abstain + t.invalid).persons == len(entries)


def test_an_owner_casting_from_many_devices_at_once_has_one_counted_ballot(vw):
    # given: the owner of unit 101 sends 50 ballots at once through cast_own
    meeting = open_now(vw)
    motion = meeting.motions.get()
    owner = vw.single[0]
    user_id = vw.world.people.owner_unit_101.pk
    AuditEvent.objects.all().delete()

    def attempt_with(choice):
        def attempt():
            services.cast_own(
                user=get_user_model().objects.get(pk=user_id),
                meeting=Meeting.objects.get(pk=meeting.pk),
                owner=owner,
                choices={motion.pk: choice},
            )

        return attempt

    attempts = [attempt_with(("yes", "no")[i % 2]) for i in range(50)]

    # when
    outcomes, _messages, elapsed = race(attempts, workers=25)

    # then
    print(
        f"\n[cast_own] 50 attempts on 25 connections in {elapsed:.2f}s: "
        f"{outcomes['cast']} cast, {outcomes['refused']} refused"
    )
    ballots = Ballot.objects.filter(motion=motion)
    assert ballots.filter(effective=True).count() == 1
    assert ballots.count() == outcomes["cast"]
    # One audit record per request that cast, none for a refused one (rolled back whole).
    assert AuditEvent.objects.filter(action="voting.ballot.cast").count() == outcomes["cast"]


def test_a_ballot_arriving_while_the_meeting_closes_is_refused(vw):
    # given: the organiser's close holds the meeting's row lock (as close_voting does) while
    # an owner's ballot arrives, read the meeting as open before the close began
    meeting = open_now(vw)
    motion = meeting.motions.get()
    user_id = vw.world.people.owner_unit_101.pk
    locked = threading.Event()
    outcome: dict[str, str] = {}

    def close():
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting.pk)
                locked.set()
                time.sleep(0.5)
                Meeting.objects.filter(pk=meeting.pk).update(
                    state=MeetingState.CLOSED, closed_at=timezone.now()
                )
        finally:
            connections.close_all()

    def vote():
        try:
            stale = Meeting.objects.get(pk=meeting.pk)
            locked.wait(10)
            started = time.perf_counter()
            try:
                services.cast_own(
                    user=get_user_model().objects.get(pk=user_id),
                    meeting=stale,
                    owner=vw.single[0],
                    choices={motion.pk: "yes"},
                )
                outcome["result"] = "cast"
            except DomainError as exc:
                outcome["result"] = str(exc.message)
            outcome["waited"] = f"{time.perf_counter() - started:.2f}"
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=close), threading.Thread(target=vote)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then: the ballot waited for the close and was refused; nothing lands after the tally
    assert outcome["result"] == zh("Voting is not open."), outcome
    assert float(outcome["waited"]) >= 0.3, outcome
    assert not Ballot.objects.filter(motion=motion).exists()


def _closing(meeting):
    """What close_voting does to the meeting row, under the lock the caller holds."""

    def close():
        Meeting.objects.filter(pk=meeting.pk).update(
            state=MeetingState.CLOSED, closed_at=timezone.now()
        )

    return close


def _online_ballot(meeting, motion, user_id: int, id_number: str):
    """The owner's ballot through the API's path, on the calling thread's connection."""

    def cast():
        services.cast_online(
            user=get_user_model().objects.get(pk=user_id),
            meeting_id=meeting.pk,
            id_number=id_number,
            choices={motion.pk: "yes"},
        )

    return cast


def _while_meeting_locked(meeting, then, cast) -> dict:
    """Hold the meeting's row lock (as close_voting and enter_paper do) for half a second,
    then run then() inside the same transaction, while another thread runs cast()."""
    locked = threading.Event()
    outcome: dict[str, str] = {}

    def holder():
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting.pk)
                locked.set()
                time.sleep(0.5)
                then()
            outcome["holder"] = "done"
        except Exception as exc:  # a deadlock would surface here or in cast()
            outcome["holder"] = repr(exc)
        finally:
            connections.close_all()

    def voter():
        try:
            locked.wait(10)
            started = time.perf_counter()
            try:
                cast()
                outcome["result"] = "cast"
            except DomainError as exc:
                outcome["result"] = str(exc.message)
            except Exception as exc:
                outcome["result"] = repr(exc)
            outcome["waited"] = f"{time.perf_counter() - started:.2f}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=voter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_an_online_ballot_arriving_while_the_meeting_closes_is_refused(vw):
    # given: the API's path (cast_online), which reads the meeting with the voter's roll rows
    meeting = open_now(vw)
    motion = meeting.motions.get()
    user_id = vw.world.people.owner_unit_101.pk

    close = _closing(meeting)

    cast = _online_ballot(meeting, motion, user_id, vw.single[0].id_number)

    # when
    outcome = _while_meeting_locked(meeting, close, cast)

    # then: it waited for the close and saw it
    assert outcome["result"] == zh("Voting is not open."), outcome
    assert float(outcome["waited"]) >= 0.3, outcome
    assert not Ballot.objects.filter(motion=motion).exists()


def test_a_proxy_ballot_arriving_while_the_meeting_closes_is_refused(vw):
    meeting = open_now(vw)
    motion = meeting.motions.get()
    holder_id = "510104199001011234"
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[2],
        holder_name="赵代理",
        holder_id_number=holder_id,
    )
    counter_id = vw.counter.pk

    close = _closing(meeting)

    def cast():
        services.cast_by_proxy(
            actor=get_user_model().objects.get(pk=counter_id),
            proxy=proxy,
            holder_id_number=holder_id,
            choices={motion.pk: "yes"},
        )

    outcome = _while_meeting_locked(meeting, close, cast)

    assert outcome["result"] == zh("Voting is not open."), outcome
    assert not Ballot.objects.filter(motion=motion).exists()


def test_an_online_ballot_and_a_paper_entry_for_one_voter_never_deadlock(vw):
    # given: an officer's transaction holds the meeting (as enter_paper does) and then locks the
    # voter's roll row, while the voter casts online: both must take the meeting first
    meeting = open_now(vw)
    motion = meeting.motions.get()
    user_id = vw.world.people.owner_unit_101.pk
    key = f"owner:{vw.single[0].pk}"

    def lock_the_voter():
        list(RollEntry.objects.select_for_update().filter(motion=motion, key=key))

    cast = _online_ballot(meeting, motion, user_id, vw.single[0].id_number)

    # when
    outcome = _while_meeting_locked(meeting, lock_the_voter, cast)

    # then: the ballot waited for the officer, then landed; nobody hit a deadlock
    assert outcome == outcome | {"holder": "done", "result": "cast"}, outcome
    assert Ballot.objects.filter(motion=motion, effective=True).count() == 1
