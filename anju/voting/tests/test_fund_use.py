"""The page and API operation that list published fund-use decisions, as a maintenance-fund
application will cite them: scope, what each row says, filters and export."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anju.voting import services
from anju.voting.models import Motion
from anju.voting.rules import Matter
from anju.voting.tests.conftest import AFTER, NOTICE, OPENS, make_meeting
from anju.voting.tests.test_api import Api
from anju.voting.tests.test_documents import cast_scenario
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db


def published(vw, *, electorate=Motion.Electorate.ESTATE, buildings=()):
    """A published meeting: motion 1 uses the fund (passes), motion 2 raises it (fails)."""
    meeting = make_meeting(vw, matters=())
    services.add_motion(
        actor=vw.organiser,
        meeting=meeting,
        title="电梯更新使用维修资金",
        matter=Matter.USE_FUND,
        electorate=electorate,
        buildings=buildings,
    )
    services.add_motion(
        actor=vw.organiser, meeting=meeting, title="续筹维修资金", matter=Matter.RAISE_FUND
    )
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    cast_scenario(vw, meeting)
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    services.publish(actor=vw.organiser, meeting=meeting, now=AFTER)
    meeting.refresh_from_db()
    return meeting


def test_the_api_lists_each_decision_with_its_scope_approval_and_board(vw):
    meeting = published(vw)
    use = meeting.motions.get(number=1)
    client = Api(vw.world.people.district_admin)

    body = client.get("/votes/fund-use-decisions").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert (item["motion_id"], item["meeting_id"], item["estate_id"]) == (
        use.pk,
        meeting.pk,
        vw.estate.pk,
    )
    assert item["electorate"] == "estate"
    assert item["approved"] == {
        "persons": use.result["tally"]["yes"]["persons"],
        "area": use.result["tally"]["yes"]["area"],
        "area_m2": item["approved"]["area_m2"],
    }
    assert item["electorate_counts"]["persons"] == 7
    assert item["board_head"] == use.board_head
    assert item["board_url"] == reverse("voting:board", args=[meeting.board_token])
    assert item["adopted_option"] is None
    by_estate = client.get("/votes/fund-use-decisions", estate_id=vw.world.estate_b.pk).json()
    assert by_estate["count"] == 0


def test_the_api_answers_only_within_scope(vw):
    published(vw)
    people = vw.world.people
    counts = {
        who: Api(getattr(people, who)).get("/votes/fund-use-decisions").json()["count"]
        for who in ("street_a_officer", "committee_a_member", "owner_unit_101")
    }
    assert counts == {"street_a_officer": 1, "committee_a_member": 1, "owner_unit_101": 1}
    assert Api(people.street_b_officer).get("/votes/fund-use-decisions").json()["count"] == 0
    assert Api(people.neighbour_admin).get("/votes/fund-use-decisions").json()["count"] == 0
    assert Api(people.company_x_manager).get("/votes/fund-use-decisions").status_code == 403


def test_the_page_lists_the_decision_with_its_buildings_and_exports(vw, client):
    meeting = published(vw, electorate=Motion.Electorate.BUILDINGS, buildings=[vw.b1, vw.b2])
    client.force_login(vw.world.people.district_admin)
    url = reverse("voting:fund_use")

    page = client.get(url)

    assert page.status_code == 200
    rows = table_rows(page)
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == vw.estate.name
    assert row[1] == "1. 电梯更新使用维修资金"
    assert vw.b1.number in row[3]
    assert vw.b2.number in row[3]
    assert reverse("voting:meeting", args=[meeting.pk]) in page.content.decode()
    assert table_rows(client.get(url, {"q": "不存在的小区"})) == []
    sheet = load_workbook(BytesIO(client.get(url, {"export": "xlsx"}).content)).worksheets[0]
    assert list(sheet.values)[1][1] == "1. 电梯更新使用维修资金"


def test_the_votes_list_links_to_the_decisions(vw, client):
    client.force_login(vw.organiser)
    page = client.get(reverse("voting:list")).content.decode()
    assert reverse("voting:fund_use") in page


def test_the_page_refuses_roles_without_votes(vw, client):
    client.force_login(vw.world.people.company_x_manager)
    assert client.get(reverse("voting:fund_use")).status_code == 403
