"""The hook a maintenance-fund application will use: passed, published fund-use decisions."""

from anju.voting import services
from anju.voting.rules import Matter
from anju.voting.selectors import fund_use_decisions
from anju.voting.tests.conftest import AFTER, NOTICE, OPENS, make_meeting
from anju.voting.tests.test_documents import cast_scenario


def _counted(vw):
    meeting = make_meeting(vw, matters=(Matter.USE_FUND, Matter.RAISE_FUND))
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    cast_scenario(vw, meeting)
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    meeting.refresh_from_db()
    return meeting


def test_only_published_passed_fund_use_motions_count(vw):
    meeting = _counted(vw)
    use, raise_ = meeting.motions.order_by("number")
    assert (use.passed, raise_.passed) == (True, False)  # the 3/4 matter fails
    officer = vw.world.people.street_a_officer
    assert list(fund_use_decisions(officer)) == []  # counted but not yet published

    services.publish(actor=vw.organiser, meeting=meeting, now=AFTER)

    assert list(fund_use_decisions(officer)) == [use]
    assert list(fund_use_decisions(officer, estate_id=vw.estate.pk)) == [use]
    assert list(fund_use_decisions(officer, estate_id=vw.world.estate_b.pk)) == []


def test_fund_use_decisions_follow_the_scope(vw):
    meeting = _counted(vw)
    services.publish(actor=vw.organiser, meeting=meeting, now=AFTER)
    people = vw.world.people
    assert fund_use_decisions(people.district_admin).count() == 1
    assert fund_use_decisions(people.street_b_officer).count() == 0
    assert fund_use_decisions(people.neighbour_admin).count() == 0
