"""Fraud signals: each fires on a constructed case and stays silent on a clean meeting; the
evidence never shows an ID number or a phone."""

from datetime import timedelta

import pytest

from anju.voting import fraud, services
from anju.voting.models import BallotChannel
from anju.voting.tests.conftest import AFTER, CLOSES, DURING, NOTICE, OPENS, make_meeting
from tests import factories as f

pytestmark = pytest.mark.django_db

HOLDER_ID = "510104199001011234"


@pytest.fixture
def extra_owners(vw):
    """12 more single owners in building 1 of estate A (19 voters in all)."""
    extra = []
    for i in range(12):
        unit = f.UnitFactory(building=vw.b1, number=f"{201 + i}")
        owner = f.OwnerFactory()
        f.OwnershipFactory(unit=unit, owner=owner)
        extra.append(owner)
    return [*vw.single, *extra]


def _open(vw, owners, **settings):
    meeting = make_meeting(vw, **settings)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    meeting.refresh_from_db()
    meeting.owners = owners
    return meeting


@pytest.fixture
def crowd(vw, extra_owners):
    """The 19 voters of estate A, open for voting from OPENS to CLOSES (a week)."""
    return _open(vw, extra_owners)


def _keys(meeting):
    return [f"owner:{o.pk}" for o in meeting.owners]


def cast(meeting, key, choice="yes", *, now=DURING, channel=BallotChannel.ONLINE, **kw):
    motion = meeting.motions.get()
    return services.cast(
        motion=motion,
        entry=motion.roll.get(key=key),
        choice=choice,
        channel=channel,
        now=now,
        **kw,
    )


def clean_votes(meeting, n=12):
    """n owners vote from their own addresses and phones, spread over five days."""
    for i, key in enumerate(_keys(meeting)[:n]):
        cast(
            meeting, key, now=OPENS + timedelta(hours=2 + 10 * i), ip=f"10.8.{i}.1", device=f"d{i}"
        )


def codes(meeting, **kw):
    return {s.code for s in fraud.signals(meeting, **kw)}


def _no_personal_data(meeting, found):
    text = "\n".join([s.detail for s in found] + [line for s in found for line in s.evidence])
    for owner in meeting.owners:
        assert owner.id_number not in text
        assert owner.phone not in text
        assert owner.name not in text
    assert HOLDER_ID not in text


# -- a clean meeting -----------------------------------------------------------------------------


def test_a_clean_meeting_raises_no_signal(vw, crowd):
    clean_votes(crowd)
    # Two owners of one household share the router and one phone: below every threshold.
    cast(crowd, _keys(crowd)[12], ip="10.8.0.1", device="d0")
    assert fraud.signals(crowd, now=AFTER) == []
    services.close_voting(actor=vw.organiser, meeting=crowd, now=AFTER)
    assert fraud.signals(crowd, now=AFTER) == []


# -- one IP address, one device ------------------------------------------------------------------


def test_many_voters_from_one_ip_address(crowd):
    clean_votes(crowd, n=3)
    for i, key in enumerate(_keys(crowd)[3 : 3 + fraud.SHARED_IP_VOTERS]):
        cast(crowd, key, ip="203.0.113.9", device=f"other{i}")
    found = fraud.signals(crowd, now=AFTER)
    assert [s.code for s in found] == ["shared_ip"]
    signal = found[0]
    assert signal.severity == "warning"
    assert "203.0.113.9" in signal.detail
    assert len(signal.evidence) == fraud.SHARED_IP_VOTERS
    receipts = set(
        crowd.motions.get().ballots.filter(ip="203.0.113.9").values_list("receipt", flat=True)
    )
    assert {line.split(" · ")[1] for line in signal.evidence} == receipts
    assert all("**" in line for line in signal.evidence)
    _no_personal_data(crowd, found)


def test_one_voter_changing_their_vote_from_one_address_is_not_many_voters(crowd):
    key = _keys(crowd)[0]
    for choice in ("yes", "no", "yes", "no", "abstain", "yes"):
        cast(crowd, key, choice, ip="203.0.113.9", device="same")
    assert codes(crowd, now=AFTER) == set()


def test_many_voters_from_one_device(crowd):
    for i, key in enumerate(_keys(crowd)[: fraud.SHARED_DEVICE_VOTERS]):
        cast(crowd, key, ip=f"10.9.{i}.1", device="fp-0badc0de")
    found = fraud.signals(crowd, now=AFTER)
    assert [s.code for s in found] == ["shared_device"]
    assert "fp-0badc0de" in found[0].detail
    _no_personal_data(crowd, found)


# -- a burst before close ------------------------------------------------------------------------


def test_a_burst_of_ballots_shortly_before_close(crowd):
    clean_votes(crowd, n=2)
    late = _keys(crowd)[2 : 2 + fraud.BURST_MIN_VOTES]
    for i, key in enumerate(late):
        cast(
            crowd, key, now=CLOSES - timedelta(minutes=50 - 4 * i), ip=f"10.7.{i}.1", device=f"b{i}"
        )
    found = fraud.signals(crowd, now=AFTER)
    assert [s.code for s in found] == ["late_burst"]
    signal = found[0]
    assert f"{len(late)} " in signal.detail
    assert len(signal.evidence) == len(late)
    assert signal.evidence[0].startswith("2026-11-27 17:10")
    _no_personal_data(crowd, found)


def test_a_few_late_votes_are_no_burst(crowd):
    for i, key in enumerate(_keys(crowd)[: fraud.BURST_MIN_VOTES - 1]):
        cast(
            crowd,
            key,
            now=CLOSES - timedelta(minutes=100 - 10 * i),
            ip=f"10.7.{i}.1",
            device=f"b{i}",
        )
    assert codes(crowd, now=AFTER) == set()


def test_late_votes_at_the_meetings_usual_rate_are_no_burst(vw, extra_owners):
    # A three-hour meeting: twelve votes in its last two hours are its normal pace.
    short = _open(vw, extra_owners, closes_at=OPENS + timedelta(hours=3))
    closes = short.closes_at
    for i, key in enumerate(_keys(short)[:12]):
        cast(
            short,
            key,
            now=closes - timedelta(minutes=110 - 9 * i),
            ip=f"10.7.{i}.1",
            device=f"b{i}",
        )
    assert codes(short, now=closes + timedelta(hours=1)) == set()


def test_paper_ballots_keyed_in_at_the_end_are_no_burst(vw, crowd):
    motion = crowd.motions.get()
    for i, key in enumerate(_keys(crowd)[: fraud.BURST_MIN_VOTES + 2]):
        for actor in (vw.counter, vw.organiser):
            services.enter_paper(
                actor=actor,
                meeting=crowd,
                number=f"S{i}",
                voter_key=key,
                choices={motion.pk: "yes"},
                now=CLOSES - timedelta(minutes=30),
            )
    assert codes(crowd, now=AFTER) == set()


# -- proxies -------------------------------------------------------------------------------------


def _proxy(vw, meeting, owner, *, holder_id=HOLDER_ID):
    return services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=owner,
        holder_name="赵代理",
        holder_id_number=holder_id,
        now=DURING,
    )


def test_one_holder_with_many_owners(vw, crowd):
    motion = crowd.motions.get()
    proxies = [_proxy(vw, crowd, o) for o in crowd.owners[: fraud.PROXY_HOLDER_OWNERS]]
    services.cast_by_proxy(
        actor=vw.counter,
        proxy=proxies[0],
        holder_id_number=HOLDER_ID,
        choices={motion.pk: "yes"},
        now=DURING,
    )
    # A revoked entrustment still counts: revoking and recording again evades a cap.
    services.revoke_proxy(actor=vw.counter, proxy=proxies[1], now=DURING)
    found = fraud.signals(crowd, now=AFTER)
    assert [s.code for s in found] == ["proxy_concentration"]
    signal = found[0]
    assert f"{fraud.PROXY_HOLDER_OWNERS} " in signal.detail
    assert "5101**********1234" in signal.detail
    assert "赵**" in signal.detail
    receipt = motion.ballots.get(proxy=proxies[0]).receipt
    assert any(receipt in line for line in signal.evidence)
    _no_personal_data(crowd, found)


def test_a_few_proxies_per_holder_are_normal(vw, crowd):
    for i, owner in enumerate(crowd.owners[:8]):
        _proxy(vw, crowd, owner, holder_id=f"51010419900101{i // 2:04d}")
    assert codes(crowd, now=AFTER) == set()


# -- the roll ------------------------------------------------------------------------------------


def test_roll_changes_after_notice(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    meeting.owners = list(vw.single)
    assert codes(meeting) == set()
    entry = meeting.motions.get().roll.get(key=f"unit:{vw.units['206'].pk}")
    services.correct_roll(actor=vw.organiser, entry=entry, reason="重复登记", excluded=True)
    found = fraud.signals(meeting)
    assert [(s.code, s.severity) for s in found] == [("roll_after_notice", "info")]
    assert "重复登记" in found[0].evidence[0]
    assert "street_a_officer" in found[0].evidence[0]
    _no_personal_data(meeting, found)


def test_many_roll_changes_after_notice_are_a_warning(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    entry = meeting.motions.get().roll.get(key=f"owner:{vw.multi.pk}")
    for i in range(fraud.ROLL_CHANGES_WARNING):
        services.correct_roll(
            actor=vw.organiser, entry=entry, reason=f"面积更正{i}", area=15000 + i
        )
    (signal,) = fraud.signals(meeting)
    assert (signal.code, signal.severity) == ("roll_after_notice", "warning")
    assert len(signal.evidence) == fraud.ROLL_CHANGES_WARNING


# -- officers casting for others -----------------------------------------------------------------


def test_one_officer_casting_for_many_voters(vw, crowd):
    for key in _keys(crowd)[: fraud.OFFICER_VOTERS]:
        cast(crowd, key, channel=BallotChannel.ASSISTED, actor=vw.counter)
    found = fraud.signals(crowd, now=AFTER)
    assert [s.code for s in found] == ["officer_ballots"]
    assert "community_a1_worker" in found[0].detail
    assert len(found[0].evidence) == fraud.OFFICER_VOTERS
    _no_personal_data(crowd, found)


def test_a_few_assisted_ballots_are_normal(vw, crowd):
    for key in _keys(crowd)[:3]:
        cast(crowd, key, channel=BallotChannel.ASSISTED, actor=vw.counter)
    assert codes(crowd, now=AFTER) == set()


def test_evidence_is_clipped(vw, crowd, monkeypatch):
    monkeypatch.setattr(fraud, "EVIDENCE_LINES", 4)
    for key in _keys(crowd)[: fraud.OFFICER_VOTERS]:
        cast(crowd, key, channel=BallotChannel.ASSISTED, actor=vw.counter)
    (signal,) = fraud.signals(crowd, now=AFTER)
    assert len(signal.evidence) == 5
    assert str(fraud.OFFICER_VOTERS - 4) in signal.evidence[-1]


def test_signals_take_a_fixed_number_of_queries(vw, crowd, django_assert_max_num_queries):
    clean_votes(crowd)
    for key in _keys(crowd)[:4]:
        cast(crowd, key, channel=BallotChannel.ASSISTED, actor=vw.counter)
    with django_assert_max_num_queries(4):
        fraud.signals(crowd, now=AFTER)
