"""Roll construction, notice, ballots with precedence, proxies, paper double entry, close."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.core.errors import DomainError
from anju.core.pii import digest
from anju.voting import roll as rolls
from anju.voting import services
from anju.voting.models import (
    Ballot,
    BallotChannel,
    Delivery,
    MeetingState,
    Motion,
    PaperSheet,
    RollChange,
)
from anju.voting.rules import Matter
from anju.voting.tests.conftest import AFTER, CLOSES, DURING, NOTICE, OPENS, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched by their English wording."""
    with translation.override("en"):
        yield


def _roll(motion):
    return {e.key: e for e in motion.roll.all()}


def test_roll_merges_developer_stock_multi_unit_owners_and_co_owners(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    motion = meeting.motions.get()
    roll = _roll(motion)
    # 3 single owners of building 1, 王多套 (201+202), 李代表 (203 for both spouses),
    # the developer (204 owned, 205 unsold), 206 with no owner yet.
    assert len(roll) == 7
    multi = roll[f"owner:{vw.multi.pk}"]
    assert (multi.unit_count, multi.area, multi.persons) == (2, 15025, 1)
    assert f"owner:{vw.spouse.pk}" not in roll
    assert roll[f"owner:{vw.rep.pk}"].area == 12000
    dev = roll[rolls.DEVELOPER_KEY]
    assert (dev.unit_count, dev.area, dev.is_developer, dev.owner_id) == (
        2,
        15000,
        True,
        vw.developer.pk,
    )
    assert roll[f"unit:{vw.units['206'].pk}"].note
    # The parking space is left out unless the meeting counts parking.
    assert services.electorate(motion).persons == 7
    assert services.electorate(motion).area == 3 * 8950 + 15025 + 12000 + 15000 + 6000


def test_roll_counts_parking_when_the_rules_say_so(vw):
    meeting = make_meeting(vw, count_parking=True)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    multi = _roll(meeting.motions.get())[f"owner:{vw.multi.pk}"]
    assert (multi.unit_count, multi.area) == (3, 15025 + 1250)


def test_building_electorate_counts_only_its_owners(vw):
    meeting = services.create_meeting(
        actor=vw.organiser, estate=vw.estate, title="电梯维修", opens_at=OPENS, closes_at=CLOSES
    )
    services.add_motion(
        actor=vw.organiser,
        meeting=meeting,
        title="2栋电梯使用维修资金",
        matter=Matter.USE_FUND,
        electorate=Motion.Electorate.BUILDINGS,
        buildings=[vw.b2],
    )
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    roll = _roll(meeting.motions.get())
    assert not any(k.startswith("owner:") and int(k[6:]) in {o.pk for o in vw.single} for k in roll)
    assert len(roll) == 4


def test_notice_period_and_objection_period_are_enforced(vw):
    meeting = make_meeting(vw, opens_at=NOTICE + timedelta(days=15))
    with pytest.raises(DomainError, match="15"):
        services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT
    assert not meeting.motions.get().roll.exists()
    with pytest.raises(DomainError):
        services.create_meeting(actor=vw.organiser, estate=vw.estate, title="x", notice_days=10)
    with pytest.raises(DomainError):
        make_meeting(vw, deemed_consent=True, deemed_clause=" ")


def test_out_of_scope_organisers_are_refused(vw):
    street_b = vw.world.people.street_b_officer
    with pytest.raises(PermissionDenied):
        services.create_meeting(actor=street_b, estate=vw.estate, title="x")
    meeting = make_meeting(vw)
    for actor in (street_b, vw.world.people.owner_unit_101, vw.world.people.district_admin):
        with pytest.raises(PermissionDenied):
            services.give_notice(actor=actor, meeting=meeting, now=NOTICE)
    # The committee of estate A may convene.
    make_meeting(vw, actor=vw.committee)


def test_notice_texts_owners_and_records_delivery(vw):
    from anju.core.sms import LogBackend

    LogBackend.outbox.clear()
    meeting = services.give_notice(actor=vw.organiser, meeting=make_meeting(vw), now=NOTICE)
    # Every voter with an owner record and a phone: 3 singles, 王多套, 李代表, the developer.
    assert Delivery.objects.filter(meeting=meeting, channel="sms").count() == 6
    assert len(LogBackend.outbox) == 6
    assert meeting.rule_set_code == "civil-code"


def test_roll_corrections_are_logged_and_frozen_roll_is_hashed(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    motion = meeting.motions.get()
    entry = motion.roll.get(key=f"unit:{vw.units['206'].pk}")
    before = rolls.roll_hash(motion)
    with pytest.raises(DomainError):
        services.correct_roll(actor=vw.organiser, entry=entry, reason="", excluded=True)
    services.correct_roll(actor=vw.organiser, entry=entry, reason="重复登记", excluded=True)
    assert rolls.roll_hash(motion) != before
    change = RollChange.objects.get(entry=entry)
    assert change.after_notice
    assert change.before == {"excluded": False, "area": 6000}
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    motion.refresh_from_db()
    assert motion.roll_hash == rolls.roll_hash(motion)
    with pytest.raises(DomainError):
        services.correct_roll(actor=vw.organiser, entry=entry, reason="x", excluded=False)


def test_voting_opens_only_in_its_window(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    with pytest.raises(DomainError):
        services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS - timedelta(hours=1))
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    with pytest.raises(DomainError):
        services.close_voting(actor=vw.organiser, meeting=meeting, now=DURING)


def _owner_user(vw, unit):
    from anju.accounts.roles import Role
    from tests.factories import member

    return member(f"owner_{unit.pk}", Role.OWNER, unit=unit)


def test_owner_identity_is_checked_against_the_registry(vw, open_meeting):
    user = vw.world.people.owner_unit_101
    owner = vw.single[0]
    assert (
        services.verify_owner(user=user, meeting=open_meeting, id_number=owner.id_number) == owner
    )
    with pytest.raises(DomainError):
        services.verify_owner(user=user, meeting=open_meeting, id_number=vw.single[1].id_number)
    spouse_user = _owner_user(vw, vw.units["203"])
    with pytest.raises(DomainError, match="representative"):
        services.verify_owner(user=spouse_user, meeting=open_meeting, id_number=vw.spouse.id_number)
    with pytest.raises(PermissionDenied):
        services.verify_owner(
            user=vw.world.people.owner_other_estate,
            meeting=open_meeting,
            id_number=owner.id_number,
        )


def test_multi_unit_owner_casts_one_ballot_for_all_units(vw, open_meeting):
    user = _owner_user(vw, vw.units["201"])
    motion = open_meeting.motions.get()
    ballots = services.cast_own(
        user=user, meeting=open_meeting, owner=vw.multi, choices={motion.pk: "yes"}, now=DURING
    )
    assert len(ballots) == 1
    t = services.tally(motion)
    assert (t.yes.persons, t.yes.area) == (1, 15025)


def test_change_before_close_keeps_one_effective_ballot(vw, open_meeting):
    motion = open_meeting.motions.get()
    owner = vw.single[0]
    for choice in ("yes", "no", "abstain"):
        services.cast_own(
            user=vw.world.people.owner_unit_101,
            meeting=open_meeting,
            owner=owner,
            choices={motion.pk: choice},
            now=DURING,
        )
    ballots = Ballot.objects.filter(motion=motion)
    assert ballots.count() == 3
    assert list(ballots.filter(effective=True).values_list("choice", flat=True)) == ["abstain"]
    assert ballots.filter(effective=False, superseded_at__isnull=False).count() == 2


def test_no_change_when_the_meeting_forbids_it(vw):
    meeting = make_meeting(vw, allow_change=False)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    motion = meeting.motions.get()
    kw = {"user": vw.world.people.owner_unit_101, "meeting": meeting, "owner": vw.single[0]}
    services.cast_own(**kw, choices={motion.pk: "yes"}, now=DURING)
    with pytest.raises(DomainError):
        services.cast_own(**kw, choices={motion.pk: "no"}, now=DURING)
    assert Ballot.objects.get(motion=motion).choice == "yes"


def test_ballots_outside_the_window_are_refused(vw, open_meeting):
    motion = open_meeting.motions.get()
    with pytest.raises(DomainError):
        services.cast_own(
            user=vw.world.people.owner_unit_101,
            meeting=open_meeting,
            owner=vw.single[0],
            choices={motion.pk: "yes"},
            now=CLOSES,
        )


def test_proxy_precedence_cap_and_revocation(vw):
    meeting = make_meeting(vw, proxy_cap=1)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    motion = meeting.motions.get()
    holder_id = "510104199001011234"
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[1],
        holder_name="赵代理",
        holder_id_number=holder_id,
        now=DURING,
    )
    with pytest.raises(DomainError, match="1"):
        services.record_proxy(
            actor=vw.counter,
            meeting=meeting,
            owner=vw.single[2],
            holder_name="赵代理",
            holder_id_number=holder_id,
            now=DURING,
        )
    with pytest.raises(DomainError):
        services.cast_by_proxy(
            actor=vw.counter,
            proxy=proxy,
            holder_id_number="x",
            choices={motion.pk: "no"},
            now=DURING,
        )
    services.cast_by_proxy(
        actor=vw.counter,
        proxy=proxy,
        holder_id_number=holder_id,
        choices={motion.pk: "no"},
        now=DURING,
    )
    # The owner's own vote overrides the proxy's; a later proxy ballot cannot undo it.
    user = _owner_user(vw, vw.units_a_1) if hasattr(vw, "units_a_1") else None
    user = user or _owner_user(vw, vw.world.units_a[1])
    services.cast_own(
        user=user, meeting=meeting, owner=vw.single[1], choices={motion.pk: "yes"}, now=DURING
    )
    with pytest.raises(DomainError, match="in person"):
        services.cast_by_proxy(
            actor=vw.counter,
            proxy=proxy,
            holder_id_number=holder_id,
            choices={motion.pk: "no"},
            now=DURING,
        )
    effective = Ballot.objects.get(motion=motion, effective=True)
    assert (effective.choice, effective.channel) == ("yes", BallotChannel.ONLINE)
    services.revoke_proxy(actor=vw.counter, proxy=proxy, now=DURING)
    with pytest.raises(DomainError):
        services.cast_by_proxy(
            actor=vw.counter,
            proxy=proxy,
            holder_id_number=holder_id,
            choices={motion.pk: "no"},
            now=DURING,
        )
    # With the first entrustment revoked, the holder may take another owner.
    services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[2],
        holder_name="赵代理",
        holder_id_number=holder_id,
        now=DURING,
    )


def test_expired_proxy_is_refused(vw, open_meeting):
    motion = open_meeting.motions.get()
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=open_meeting,
        owner=vw.single[1],
        holder_name="赵代理",
        holder_id_number="510104199001011234",
        valid_until=DURING + timedelta(hours=1),
        now=DURING,
    )
    with pytest.raises(DomainError, match="expired"):
        services.cast_by_proxy(
            actor=vw.counter,
            proxy=proxy,
            holder_id_number="510104199001011234",
            choices={motion.pk: "yes"},
            now=DURING + timedelta(hours=2),
        )


def test_paper_double_entry_matches_or_flags_a_mismatch(vw, open_meeting):
    motion = open_meeting.motions.get()
    key = f"owner:{vw.single[2].pk}"
    other = vw.world.people.street_a_officer
    sheet = services.enter_paper(
        actor=vw.counter, meeting=open_meeting, number="001", voter_key=key,
        choices={motion.pk: "yes"}, now=DURING,
    )  # fmt: skip
    assert sheet.state == PaperSheet.State.FIRST
    assert not Ballot.objects.exists()
    with pytest.raises(DomainError, match="different officer"):
        services.enter_paper(
            actor=vw.counter, meeting=open_meeting, number="001", voter_key=key,
            choices={motion.pk: "yes"}, now=DURING,
        )  # fmt: skip
    sheet = services.enter_paper(
        actor=other, meeting=open_meeting, number="001", voter_key=key,
        choices={motion.pk: "no"}, now=DURING,
    )  # fmt: skip
    assert (sheet.state, sheet.mismatches) == (PaperSheet.State.MISMATCH, 1)
    assert not Ballot.objects.exists()
    with pytest.raises(DomainError, match="second entry"):
        services.close_voting(actor=vw.organiser, meeting=open_meeting, now=AFTER)
    sheet = services.enter_paper(
        actor=other, meeting=open_meeting, number="001", voter_key=key,
        choices={motion.pk: "yes"}, now=DURING,
    )  # fmt: skip
    assert sheet.state == PaperSheet.State.MATCHED
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.choice, ballot.sheet_id) == ("paper", "yes", sheet.pk)


def test_paper_ballot_overrides_online_by_default(vw, open_meeting):
    motion = open_meeting.motions.get()
    owner = vw.single[0]
    key = f"owner:{owner.pk}"
    for actor in (vw.counter, vw.organiser):
        services.enter_paper(
            actor=actor, meeting=open_meeting, number="007", voter_key=key,
            choices={motion.pk: "no"}, now=DURING,
        )  # fmt: skip
    with pytest.raises(DomainError, match="paper"):
        services.cast_own(
            user=vw.world.people.owner_unit_101,
            meeting=open_meeting,
            owner=owner,
            choices={motion.pk: "yes"},
            now=DURING,
        )
    assert Ballot.objects.get(effective=True).choice == "no"


def test_paper_counts_must_reconcile_at_close(vw, open_meeting):
    motion = open_meeting.motions.get()
    for actor in (vw.counter, vw.organiser):
        services.enter_paper(
            actor=actor, meeting=open_meeting, number="1", voter_key=f"owner:{vw.single[0].pk}",
            choices={motion.pk: "yes"}, now=DURING,
        )  # fmt: skip
    services.set_paper_counts(actor=vw.organiser, meeting=open_meeting, issued=5, returned=0)
    with pytest.raises(DomainError, match="reconcile"):
        services.close_voting(actor=vw.organiser, meeting=open_meeting, now=AFTER)
    services.set_paper_counts(actor=vw.organiser, meeting=open_meeting, issued=5, returned=1)
    services.close_voting(actor=vw.organiser, meeting=open_meeting, now=AFTER)


def _vote(vw, meeting, owner, unit, choice):
    user = _owner_user(vw, unit)
    motion = meeting.motions.get()
    services.cast_own(
        user=user, meeting=meeting, owner=owner, choices={motion.pk: choice}, now=DURING
    )


def test_close_counts_both_dimensions_and_builds_a_chained_board(vw, open_meeting):
    units = vw.world.units_a
    _vote(vw, open_meeting, vw.single[0], units[0], "yes")
    _vote(vw, open_meeting, vw.single[1], units[1], "yes")
    _vote(vw, open_meeting, vw.single[2], units[2], "no")
    _vote(vw, open_meeting, vw.multi, vw.units["201"], "yes")
    _vote(vw, open_meeting, vw.rep, vw.units["203"], "abstain")
    services.close_voting(actor=vw.organiser, meeting=open_meeting, now=AFTER)
    motion = open_meeting.motions.get()
    # 5 of 7 persons (≥ 2/3: 3·5 = 15 ≥ 14) and 26850+15025+12000 = 53875 of 74875 cents·…
    assert motion.result["passed"] is True
    assert motion.passed is True
    board = list(motion.board.order_by("seq"))
    assert len(board) == 5
    prev = services.board_genesis(motion)
    for row in board:
        assert row.prev_hash == prev
        assert row.hash == services.board_hash(prev, row.__dict__)
        assert "**" in row.voter
        assert vw.single[0].name not in row.voter
        prev = row.hash
    assert motion.board_head == prev


def test_close_without_quorum_fails_the_motion(vw, open_meeting):
    _vote(vw, open_meeting, vw.single[0], vw.world.units_a[0], "yes")
    services.close_voting(actor=vw.organiser, meeting=open_meeting, now=AFTER)
    motion = open_meeting.motions.get()
    assert motion.passed is False
    assert motion.result["quorum_met"] is False


def test_deemed_consent_is_reported_beside_the_strict_result(vw):
    meeting = make_meeting(vw, deemed_consent=True, deemed_clause="议事规则第十八条")
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    _vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes")
    _vote(vw, meeting, vw.multi, vw.units["201"], "yes")
    _vote(vw, meeting, vw.single[1], vw.world.units_a[1], "no")
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    motion = meeting.motions.get()
    assert motion.passed is False  # 3 of 7 persons: no quorum
    deemed = motion.deemed_result
    # Delivered non-voters: 李代表 and the developer had SMS notices; 206 had none; one single
    # owner too — 3 voters added to the majority (yes by persons 2:1 and by area).
    assert deemed["direction"] == "yes"
    assert deemed["added"]["persons"] == 3
    assert deemed["deemed"]["passed"] is True


def test_two_officers_and_the_owner_racing_leave_one_effective_ballot(vw, open_meeting):
    motion = open_meeting.motions.get()
    entry = motion.roll.get(key=f"owner:{vw.single[0].pk}")
    for choice in ("yes", "no", "yes", "abstain"):
        services.cast(motion=motion, entry=entry, choice=choice, channel="online", now=DURING)
    assert Ballot.objects.filter(entry=entry, effective=True).count() == 1


def test_reminders_reach_only_non_voters(vw, open_meeting):
    _vote(vw, open_meeting, vw.single[0], vw.world.units_a[0], "yes")
    sent = services.remind(actor=vw.counter, meeting=open_meeting, now=DURING)
    assert sent == 5
    reminded = set(Delivery.objects.filter(kind="reminder").values_list("voter_key", flat=True))
    assert f"owner:{vw.single[0].pk}" not in reminded


def test_holder_digest_is_stored_not_the_id(vw, open_meeting):
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=open_meeting,
        owner=vw.single[1],
        holder_name="赵代理",
        holder_id_number="510104199001011234",
        now=DURING,
    )
    assert proxy.holder_digest == digest("510104199001011234")


CHANNELS = [BallotChannel.ONLINE, BallotChannel.PAPER, BallotChannel.ASSISTED, BallotChannel.PROXY]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    casts=st.lists(
        st.tuples(st.sampled_from(CHANNELS), st.sampled_from(["yes", "no", "abstain"])),
        min_size=1,
        max_size=8,
    ),
    allow_change=st.booleans(),
    paper_first=st.booleans(),
)
def test_precedence_leaves_the_highest_ranked_ballot(
    vw, open_meeting, casts, allow_change, paper_first
):
    Ballot.objects.all().delete()
    open_meeting.allow_change = allow_change
    open_meeting.paper_overrides_online = paper_first
    open_meeting.save()
    motion = open_meeting.motions.get()
    entry = motion.roll.get(key=f"owner:{vw.single[0].pk}")
    accepted = []
    for channel, choice in casts:
        try:
            services.cast(motion=motion, entry=entry, choice=choice, channel=channel, now=DURING)
        except DomainError:
            continue
        accepted.append((services._rank(open_meeting, channel), choice))
    effective = list(Ballot.objects.filter(entry=entry, effective=True))
    assert len(effective) == 1
    assert Ballot.objects.filter(entry=entry).count() == len(accepted)
    top = max(rank for rank, _choice in accepted)
    # The first cast is always accepted; a later one only at a higher rank, or at the same
    # rank when changes are allowed, so the effective ballot is the last accepted one.
    assert services._rank(open_meeting, effective[0].channel) == top
    assert effective[0].choice == accepted[-1][1]
    ranks = [rank for rank, _choice in accepted]
    assert ranks == sorted(ranks)
    if not allow_change:
        assert len(set(ranks)) == len(ranks)


def test_identity_checks_are_limited(vw, open_meeting):
    user = vw.world.people.owner_unit_101
    for _ in range(services.IDENTITY_TRIES):
        with pytest.raises(DomainError, match="ID number"):
            services.verify_owner(user=user, meeting=open_meeting, id_number="510104000000000000")
    with pytest.raises(DomainError, match="Too many"):
        services.verify_owner(user=user, meeting=open_meeting, id_number=vw.single[0].id_number)


def test_bad_settings_are_refused_with_a_message(vw):
    for bad in ({"convener": "mayor"}, {"objection_days": 0}, {"notice_days": 3}):
        with pytest.raises(DomainError):
            make_meeting(vw, **bad)
    meeting = make_meeting(vw)
    with pytest.raises(DomainError, match="who votes"):
        services.add_motion(
            actor=vw.organiser, meeting=meeting, title="x", matter=5, electorate="street"
        )


def test_client_ip_trusts_only_the_proxy_entry(rf, settings):
    from anju.core.http import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.9", REMOTE_ADDR="127.0.0.1")
    settings.ANJU_BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.ANJU_BEHIND_PROXY = True
    assert client_ip(request) == "10.0.0.9"
