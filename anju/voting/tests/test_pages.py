"""Voting pages: the list and overview, the organiser's wizard and its moves, the roll with its
corrections, the owner's ballot, the counting desk (paper, proxies, deliveries), the fraud
signals and the files.

The pages call the services without `now=`, so the meetings here are built around the real
clock (`live`): voting opened an hour ago, or closed a minute ago. Assertions rest on data and
data-testid attributes, not on the wording of our own strings.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from anju.core.models import AuditEvent
from anju.voting import services
from anju.voting.models import (
    Ballot,
    BallotChannel,
    Delivery,
    Meeting,
    MeetingState,
    Motion,
    PaperSheet,
    Proxy,
    RollChange,
)
from anju.voting.roll import mask_name
from anju.voting.rules import Matter
from anju.voting.tests.conftest import make_meeting
from tests.helpers import HTMX, table_rows, workbook_rows

pytestmark = pytest.mark.django_db

HOLDER_ID = "510104199001011234"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def live(vw, state=MeetingState.OPEN, matters=(Matter.HIRE_MANAGER,), **settings):
    """A meeting in `state` around the real clock: open now, or closed a minute ago."""
    now = timezone.now()
    if state in (MeetingState.CLOSED, MeetingState.PUBLISHED):
        opens, closes = now - timedelta(days=2), now - timedelta(minutes=1)
    else:
        opens, closes = now - timedelta(hours=1), now + timedelta(days=3)
    meeting = make_meeting(vw, matters=matters, opens_at=opens, closes_at=closes, **settings)
    if state == MeetingState.DRAFT:
        return meeting
    services.give_notice(actor=vw.organiser, meeting=meeting, now=opens - timedelta(days=17))
    if state != MeetingState.NOTICED:
        services.open_voting(actor=vw.organiser, meeting=meeting, now=opens)
    meeting.refresh_from_db()
    return meeting


def cast(vw, meeting, owner, choice, when=None):
    entry = services.voters(meeting)
    entry = next(e for e in entry if e.owner_id == owner.pk)
    for motion in meeting.motions.all():
        motion_entry = motion.roll.get(key=entry.key)
        services.cast(
            motion=motion,
            entry=motion_entry,
            choice=choice,
            channel=BallotChannel.ONLINE,
            now=when or meeting.opens_at + timedelta(minutes=30),
        )


def close(vw, meeting):
    services.close_voting(actor=vw.organiser, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.content[:500]
    page = client.get(response["Location"])
    return messages_of(page)


def meeting_form(**extra):
    now = timezone.localtime()
    opens = (now + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "estate": "",
        "title": "2027年第一次业主大会",
        "convener": "committee",
        "convener_name": "红星花园业主委员会",
        "description": "选聘物业服务企业。",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "notice_days": "15",
        "objection_days": "7",
        "allow_change": "on",
        "paper_overrides_online": "on",
        "board_shows_choice": "on",
        "proxy_cap": "3",
        "deemed_clause": "",
    }
    data.update(extra)
    return data


# -- the list ----------------------------------------------------------------------------------


def test_list_shows_the_meetings_in_scope_with_turnout(vw, client):
    meeting = live(vw)
    cast(vw, meeting, vw.single[0], "yes")
    draft = make_meeting(vw, title="草稿会议")
    client.force_login(vw.organiser)

    response = client.get(reverse("voting:list"))

    assert response.status_code == 200
    rows = {row[0]: row for row in table_rows(response)}
    assert set(rows) == {meeting.title, draft.title}
    assert rows[meeting.title][1] == vw.estate.name
    assert rows[meeting.title][5] == "1"
    # One of the 7 voters has voted: participation only, never the choices.
    assert rows[meeting.title][6] == "1/7 (14.3%)"
    assert rows[draft.title][6] == "—"
    assert 'data-testid="create"' in html(response)


def test_list_filters_searches_and_exports(vw, client):
    meeting = live(vw)
    make_meeting(vw, title="草稿会议")
    client.force_login(vw.organiser)
    url = reverse("voting:list")

    by_state = client.get(url, {"state": "open"}, **HTMX)
    by_search = client.get(url, {"q": "草稿"})
    by_estate = client.get(url, {"q": vw.estate.name})
    export = client.get(url, {"export": "xlsx", "state": "open"})

    assert b"<html" not in by_state.content
    assert [row[0] for row in table_rows(by_state)] == [meeting.title]
    assert [row[0] for row in table_rows(by_search)] == ["草稿会议"]
    assert len(table_rows(by_estate)) == 2
    assert [row[0] for row in workbook_rows(export)] == [meeting.title]


def test_supervisor_list_counts_fraud_signals(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    entry = meeting.motions.get().roll.get(key=f"owner:{vw.single[0].pk}")
    services.correct_roll(actor=vw.organiser, entry=entry, reason="重复登记", excluded=True)
    client.force_login(vw.world.people.district_admin)

    response = client.get(reverse("voting:list"))

    row = table_rows(response)[0]
    assert len(row) == 8  # the signals column is the supervisor's
    assert row[7] == "1"
    client.force_login(vw.counter)
    assert len(table_rows(client.get(reverse("voting:list")))[0]) == 7


def test_list_queries_do_not_grow_with_the_meetings(vw, client, django_assert_max_num_queries):
    for i in range(30):
        Meeting.objects.create(estate=vw.estate, title=f"会议{i}", state=MeetingState.OPEN)
    client.force_login(vw.committee)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("voting:list"))
    assert len(table_rows(response)) == 25


def test_list_refuses_roles_without_votes(vw, client):
    client.force_login(vw.world.people.company_x_manager)
    assert client.get(reverse("voting:list")).status_code == 403


def test_committee_sees_no_export(vw, client):
    live(vw)
    client.force_login(vw.committee)
    response = client.get(reverse("voting:list"))
    assert response.status_code == 200
    assert 'data-testid="export"' not in html(response)
    assert client.get(reverse("voting:list"), {"export": "xlsx"}).status_code == 403


# -- the organiser's wizard --------------------------------------------------------------------


def test_organiser_creates_a_meeting_with_its_rules(vw, client):
    client.force_login(vw.organiser)
    assert client.get(reverse("voting:create")).status_code == 200

    response = client.post(
        reverse("voting:create"),
        meeting_form(
            estate=vw.estate.pk,
            count_parking="on",
            deemed_consent="on",
            deemed_clause="议事规则第十八条：未投票视为同意多数意见。",
        ),
    )

    meeting = Meeting.objects.get(title="2027年第一次业主大会")
    assert response.status_code == 302
    assert response["Location"] == reverse("voting:meeting", args=[meeting.pk])
    assert (meeting.count_parking, meeting.deemed_consent, meeting.proxy_cap) == (True, True, 3)
    assert meeting.opens_at.astimezone(timezone.get_current_timezone()).hour == 9
    assert AuditEvent.objects.filter(action="voting.meeting.create").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"notice_days": "10"}, "notice_days"),
        ({"deemed_consent": "on", "deemed_clause": " "}, "deemed_clause"),
        ({"title": ""}, "title"),
        ({"opens_at": "2027-01-10T09:00", "closes_at": "2027-01-09T09:00"}, "closes_at"),
        ({"proxy_cap": "0"}, "proxy_cap"),
        ({"opens_at": "明天"}, "opens_at"),
    ],
)
def test_create_refuses_bad_settings_and_writes_nothing(vw, client, extra, field):
    client.force_login(vw.organiser)

    response = client.post(reverse("voting:create"), meeting_form(estate=vw.estate.pk, **extra))

    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in html(response)
    assert not Meeting.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_offers_only_estates_the_actor_organises(vw, client):
    client.force_login(vw.committee)
    form = client.get(reverse("voting:create")).context["form"]
    assert {int(str(pk)) for pk, _label in form.fields["estate"].choices if pk} == {vw.estate.pk}
    client.force_login(vw.world.people.district_admin)
    assert client.get(reverse("voting:create")).status_code == 403


def test_edit_changes_a_draft_only(vw, client):
    meeting = live(vw, state=MeetingState.DRAFT)
    client.force_login(vw.organiser)
    page = client.get(reverse("voting:edit", args=[meeting.pk]))
    assert page.status_code == 200
    assert 'name="estate"' not in html(page)
    # The saved times come back in local time, as the datetime-local inputs expect them.
    opens = timezone.localtime(meeting.opens_at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{opens}"' in html(page)

    data = meeting_form(title="改名后的会议", allow_change="")
    response = client.post(reverse("voting:edit", args=[meeting.pk]), data)

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.title, meeting.allow_change) == ("改名后的会议", False)
    opened = live(vw)
    refused = client.get(reverse("voting:edit", args=[opened.pk]))
    assert refused.status_code == 302
    assert follow_messages(client, refused)


def test_edit_is_refused_to_roles_that_do_not_organise(vw, client):
    meeting = live(vw, state=MeetingState.DRAFT)
    client.force_login(vw.world.people.owner_unit_101)
    assert client.get(reverse("voting:edit", args=[meeting.pk])).status_code == 403
    client.force_login(vw.world.people.street_b_officer)
    assert client.get(reverse("voting:edit", args=[meeting.pk])).status_code == 404


def test_motions_are_added_with_an_electorate_and_removed(vw, client):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)
    url = reverse("voting:motion_create", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert vw.b2.number in html(page)  # the building picker
    assert 'data-testid="pick-units"' in html(page)

    client.post(url, {"title": "选聘物业", "matter": "4", "electorate": "estate"})
    response = client.post(
        url,
        {
            "title": "2栋电梯维修使用维修资金",
            "matter": str(Matter.USE_FUND),
            "electorate": "buildings",
            "buildings": [vw.b2.pk],
            "body": "预算12万元，按面积分摊。",
        },
    )
    units = client.post(
        url,
        {
            "title": "2栋屋面防水",
            "matter": str(Matter.USE_FUND),
            "electorate": "units",
            "units": [vw.units["201"].pk, vw.units["202"].pk],
        },
    )

    assert response.status_code == 302
    assert units.status_code == 302
    first, second, third = meeting.motions.order_by("number")
    assert (first.number, first.electorate) == (1, Motion.Electorate.ESTATE)
    assert list(second.buildings.all()) == [vw.b2]
    assert third.units.count() == 2
    deleted = client.post(reverse("voting:motion_delete", args=[first.pk]))
    assert deleted.status_code == 302
    assert not Motion.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "电梯", "matter": "5", "electorate": "buildings"}, "buildings"),
        ({"title": "电梯", "matter": "5", "electorate": "units"}, "units"),
        ({"title": "", "matter": "5", "electorate": "estate"}, "title"),
        ({"title": "电梯", "matter": "12", "electorate": "estate"}, "matter"),
    ],
)
def test_motion_form_refuses_bad_input(vw, client, data, field):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)

    response = client.post(reverse("voting:motion_create", args=[meeting.pk]), data)

    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in html(response)
    assert not meeting.motions.exists()


def test_motion_of_another_estate_building_is_refused(vw, client):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)
    other = vw.world.building_b
    response = client.post(
        reverse("voting:motion_create", args=[meeting.pk]),
        {"title": "电梯", "matter": "5", "electorate": "buildings", "buildings": [other.pk]},
    )
    assert response.status_code == 400
    assert not meeting.motions.exists()


# -- the meeting page and its moves ------------------------------------------------------------


def test_draft_page_shows_the_step_bar_and_what_blocks_the_notice(vw, client):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)

    response = client.get(reverse("voting:meeting", args=[meeting.pk]))

    page = html(response)
    assert response.status_code == 200
    for step in ("meeting", "motions", "roll", "notice", "voting", "count", "publish"):
        assert f'data-testid="step-{step}"' in page
    assert response.context["steps"][1]["active"]
    assert 'data-testid="blockers"' in page
    assert 'data-testid="move-notice"' in page
    assert 'data-testid="move-cancel"' in page
    assert 'data-testid="move-close"' not in page
    assert escape(services.precedence_text(meeting)) in page


def test_notice_builds_the_roll_and_a_refusal_is_a_message(vw, client):
    empty = make_meeting(vw, matters=())
    meeting = live(vw, state=MeetingState.DRAFT)
    # Voting must open at least 15 full days after today's notice.
    Meeting.objects.filter(pk=meeting.pk).update(
        opens_at=timezone.now() + timedelta(days=20), closes_at=timezone.now() + timedelta(days=27)
    )
    client.force_login(vw.organiser)

    refused = client.post(reverse("voting:move", args=[empty.pk, "notice"]))
    done = client.post(reverse("voting:move", args=[meeting.pk, "notice"]))

    assert follow_messages(client, refused)
    empty.refresh_from_db()
    meeting.refresh_from_db()
    assert empty.state == MeetingState.DRAFT
    assert meeting.state == MeetingState.NOTICED
    assert meeting.motions.get().roll.count() == 7
    page = client.get(reverse("voting:meeting", args=[meeting.pk]))
    assert page.context["rows"][0]["totals"]["persons"] == 7
    assert 'data-testid="move-open"' in html(page)
    assert done.status_code == 302


def test_moves_follow_the_states_and_refuse_with_messages(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    Meeting.objects.filter(pk=meeting.pk).update(opens_at=timezone.now() + timedelta(hours=2))
    client.force_login(vw.organiser)
    move = lambda step, **data: client.post(  # noqa: E731
        reverse("voting:move", args=[meeting.pk, step]), data
    )

    early = move("open")
    assert follow_messages(client, early)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTICED
    Meeting.objects.filter(pk=meeting.pk).update(opens_at=timezone.now() - timedelta(minutes=5))
    move("open")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.OPEN
    assert meeting.motions.get().roll_hash
    assert follow_messages(client, move("close"))  # before the closing time
    assert follow_messages(client, move("remind"))
    assert follow_messages(client, move("publish"))  # not closed yet
    assert follow_messages(client, move("cancel"))  # no reason
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.OPEN
    move("cancel", reason="业主委员会决定延期")
    meeting.refresh_from_db()
    assert (meeting.state, meeting.cancel_reason) == (MeetingState.CANCELLED, "业主委员会决定延期")
    assert client.post(reverse("voting:move", args=[meeting.pk, "nonsense"])).status_code == 404


def test_close_and_publish_from_the_page(vw, client):
    meeting = live(vw, state=MeetingState.CLOSED)
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.OPEN)
    client.force_login(vw.organiser)
    client.post(reverse("voting:move", args=[meeting.pk, "close"]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED
    client.post(reverse("voting:move", args=[meeting.pk, "publish"]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PUBLISHED


def test_owner_cannot_move_a_meeting(vw, client):
    meeting = live(vw, state=MeetingState.DRAFT)
    client.force_login(vw.world.people.owner_unit_101)
    assert client.post(reverse("voting:move", args=[meeting.pk, "notice"])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT


@pytest.mark.parametrize(
    "persona", ["organiser", "counter", "committee", "district_admin", "owner_unit_101"]
)
def test_open_meeting_shows_turnout_never_the_running_split(vw, client, persona):
    meeting = live(vw)
    cast(vw, meeting, vw.single[0], "yes")
    cast(vw, meeting, vw.single[1], "no")
    cast(vw, meeting, vw.multi, "abstain")
    user = getattr(vw, persona, None) or getattr(vw.world.people, persona)
    client.force_login(user)

    response = client.get(reverse("voting:meeting", args=[meeting.pk]))

    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="turnout-persons"' in page
    assert 'data-testid="turnout-area"' in page
    assert 'data-testid="tally"' not in page
    assert 'data-testid="result"' not in page
    row = response.context["rows"][0]
    assert "result" not in row
    persons = row["turnout"]["rows"][0]
    assert (persons["part"], persons["total"], persons["need"]) == ("3", "7", "5")


def test_closed_meeting_shows_both_dimensions_and_the_deemed_result(vw, client):
    meeting = live(
        vw, state=MeetingState.CLOSED, deemed_consent=True, deemed_clause="议事规则第十八条"
    )
    for owner in (vw.single[0], vw.single[1], vw.multi, vw.rep):
        cast(vw, meeting, owner, "yes")
    cast(vw, meeting, vw.single[2], "no")
    close(vw, meeting)
    client.force_login(vw.world.people.owner_unit_101)

    response = client.get(reverse("voting:meeting", args=[meeting.pk]))

    page = html(response)
    result = response.context["rows"][0]["result"]
    assert {(d["test"], d["measure"]) for d in result["dimensions"]} == {
        ("quorum", "persons"),
        ("quorum", "area"),
        ("approval", "persons"),
        ("approval", "area"),
    }
    assert result["passed"] is True
    assert 'data-testid="motion-passed"' in page
    assert 'data-testid="dimension-approval-area"' in page
    assert 'data-testid="deemed"' in page
    strict, _deemed = services.decide_motion(meeting.motions.get())
    for line in strict.explain():
        assert line in response.context["rows"][0]["result"]["explain"]
    assert reverse("voting:board", args=[meeting.board_token]) in page
    assert reverse("voting:result_docx", args=[meeting.pk]) in page
    # The evidence pack is for organisers and supervisors only.
    assert reverse("voting:evidence", args=[meeting.pk]) not in page


# -- the roll ----------------------------------------------------------------------------------


def test_roll_is_full_for_organisers_and_masked_for_owners(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    motion = meeting.motions.get()
    url = reverse("voting:roll", args=[motion.pk])

    client.force_login(vw.organiser)
    full = client.get(url)
    client.force_login(vw.world.people.owner_unit_101)
    masked = client.get(url)

    names = {row[0].split(" ")[0] for row in table_rows(full, "roll")}
    assert vw.multi.name in names
    assert full.context["totals"] == {"persons": 7, "area": "748.75"}
    shown = html(masked)
    assert vw.multi.name not in shown
    assert mask_name(vw.multi.name) in shown
    assert "201" not in " ".join(row[1] for row in table_rows(masked, "roll"))
    # The owner's own line is shown in full, marked as theirs.
    own = [row for row in table_rows(masked, "roll") if "you" in row[0] or "您" in row[0]]
    assert 'data-testid="own-entry"' in shown
    assert len(own) <= 1
    assert vw.single[0].name in shown
    assert 'data-testid="changes"' not in shown
    # Owners search by room only.
    assert table_rows(client.get(url, {"q": vw.multi.name}), "roll") == []


def test_roll_correction_during_the_objection_period(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    motion = meeting.motions.get()
    entry = motion.roll.get(key=f"unit:{vw.units['206'].pk}")
    client.force_login(vw.organiser)
    url = reverse("voting:roll_correct", args=[entry.pk])

    assert follow_messages(client, client.post(url, {"change": "exclude", "reason": ""}))
    assert follow_messages(client, client.post(url, {"change": "area", "reason": "实测面积"}))
    assert not RollChange.objects.filter(entry=entry).exists()
    excluded = client.post(url, {"change": "exclude", "reason": "重复登记"})
    area = client.post(url, {"change": "area", "area": "61.25", "reason": "按实测面积"})

    entry.refresh_from_db()
    assert (entry.excluded, entry.area) == (True, 6125)
    assert excluded.status_code == area.status_code == 302
    kinds = list(
        RollChange.objects.filter(entry=entry).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["removed", "area"]
    page = client.get(reverse("voting:roll", args=[motion.pk]))
    assert "按实测面积" in html(page)
    assert "61.25" in html(page)
    assert page.context["totals"]["persons"] == 6


def test_roll_cannot_be_corrected_once_frozen(vw, client):
    meeting = live(vw)
    motion = meeting.motions.get()
    entry = motion.roll.first()
    client.force_login(vw.organiser)

    response = client.post(
        reverse("voting:roll_correct", args=[entry.pk]), {"change": "exclude", "reason": "x"}
    )

    assert follow_messages(client, response)
    entry.refresh_from_db()
    assert not entry.excluded
    page = html(client.get(reverse("voting:roll", args=[motion.pk])))
    assert motion.roll_hash in page
    assert 'data-testid="submit-correct"' not in page


def test_roll_correction_is_refused_to_owners(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    entry = meeting.motions.get().roll.first()
    client.force_login(vw.world.people.owner_unit_101)
    response = client.post(
        reverse("voting:roll_correct", args=[entry.pk]), {"change": "exclude", "reason": "x"}
    )
    assert response.status_code == 403


def test_roll_export(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    motion = meeting.motions.get()
    url = reverse("voting:roll", args=[motion.pk])
    client.force_login(vw.organiser)
    full = load_workbook(BytesIO(client.get(url, {"export": "xlsx"}).content))
    client.force_login(vw.world.people.owner_unit_101)
    masked = load_workbook(BytesIO(client.get(url, {"export": "xlsx"}).content))

    full_names = {row[1] for row in list(full.worksheets[0].values)[1:]}
    masked_names = {row[1] for row in list(masked.worksheets[0].values)[1:]}
    assert vw.multi.name in full_names
    assert vw.multi.name not in masked_names
    assert mask_name(vw.multi.name) in masked_names
    assert len(full_names) == 7


# -- the owner's ballot ------------------------------------------------------------------------


def test_owner_verifies_votes_and_gets_receipts(vw, client):
    meeting = live(vw, matters=(Matter.HIRE_MANAGER, Matter.USE_FUND))
    user = vw.world.people.owner_unit_101
    owner = vw.single[0]
    client.force_login(user)
    url = reverse("voting:ballot", args=[meeting.pk])

    first = client.get(url)
    assert 'data-testid="identity-form"' in html(first)
    wrong = client.post(url, {"step": "verify", "id_number": vw.single[1].id_number})
    assert wrong.status_code == 400
    assert 'data-testid="error-id_number"' in html(wrong)
    verified = client.post(url, {"step": "verify", "id_number": owner.id_number.lower()})
    assert verified.status_code == 302
    assert Delivery.objects.filter(
        meeting=meeting, voter_key=f"owner:{owner.pk}", read_at__isnull=False
    ).exists()

    page = client.get(url)
    assert len(page.context["cards"]) == 2
    first_motion, second_motion = meeting.motions.order_by("number")
    voted = client.post(
        url,
        {"step": "cast", f"motion_{first_motion.pk}": "yes", f"motion_{second_motion.pk}": "no"},
    )
    assert voted.status_code == 302
    receipts = client.get(url)
    codes = set(Ballot.objects.filter(effective=True).values_list("receipt", flat=True))
    assert len(codes) == 2
    for code in codes:
        assert code in html(receipts)
    ballot = Ballot.objects.get(motion=first_motion)
    assert (ballot.channel, ballot.choice, ballot.cast_by) == ("online", "yes", user)
    assert ballot.ip == "127.0.0.1"
    assert len(ballot.device) == 16
    mine = client.get(reverse("voting:mine"))
    for code in codes:
        assert code in html(mine)


def test_owner_changes_their_choice(vw, client):
    meeting = live(vw)
    motion = meeting.motions.get()
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})

    client.post(url, {"step": "cast", f"motion_{motion.pk}": "yes"})
    client.post(url, {"step": "cast", f"motion_{motion.pk}": "no"})

    ballots = Ballot.objects.filter(motion=motion).order_by("id")
    assert [(b.choice, b.effective) for b in ballots] == [("yes", False), ("no", True)]
    page = client.get(url)
    assert page.context["cards"][0]["current"].choice == "no"
    assert page.context["form"][f"motion_{motion.pk}"].value() == "no"


def test_no_change_when_the_meeting_forbids_it(vw, client):
    meeting = live(vw, allow_change=False)
    motion = meeting.motions.get()
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})
    client.post(url, {"step": "cast", f"motion_{motion.pk}": "yes"})

    page = client.get(url)
    refused = client.post(url, {"step": "cast", f"motion_{motion.pk}": "no"})

    assert 'data-testid="locked"' in html(page)
    assert 'data-testid="submit-ballot"' not in html(page)
    assert refused.status_code == 400
    assert 'data-testid="form-errors"' in html(refused)
    assert Ballot.objects.get(motion=motion).choice == "yes"


def test_empty_ballot_is_refused(vw, client):
    meeting = live(vw)
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})
    response = client.post(url, {"step": "cast"})
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_deemed_consent_warning_is_on_the_ballot(vw, client):
    meeting = live(vw, deemed_consent=True, deemed_clause="议事规则第十八条")
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})
    page = html(client.get(url))
    assert 'data-testid="deemed-warning"' in page
    assert "议事规则第十八条" in page


def test_wrong_id_numbers_pause_the_check(vw, client):
    meeting = live(vw)
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    for _ in range(services.IDENTITY_TRIES):
        client.post(url, {"step": "verify", "id_number": "110101199001010000"})

    response = client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})

    assert response.status_code == 400
    assert 'data-testid="form-errors"' in html(response)
    assert not client.session.get(f"voting.owner.{meeting.pk}")


def test_co_owner_who_is_not_the_representative_is_refused(vw, client):
    from anju.accounts.roles import Role
    from tests.factories import member

    meeting = live(vw)
    spouse = member("spouse_203", Role.OWNER, unit=vw.units["203"])
    client.force_login(spouse)
    response = client.post(
        reverse("voting:ballot", args=[meeting.pk]),
        {"step": "verify", "id_number": vw.spouse.id_number},
    )
    assert response.status_code == 400
    assert 'data-testid="error-id_number"' in html(response)


def test_ballot_page_needs_the_owner_role(vw, client):
    meeting = live(vw)
    client.force_login(vw.organiser)
    assert client.get(reverse("voting:ballot", args=[meeting.pk])).status_code == 403
    client.force_login(vw.world.people.owner_other_estate)
    assert client.get(reverse("voting:ballot", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("voting:mine")).status_code == 200
    client.force_login(vw.organiser)
    assert client.get(reverse("voting:mine")).status_code == 403


def test_ballot_after_close_shows_receipts_and_the_board(vw, client):
    meeting = live(vw, state=MeetingState.CLOSED)
    cast(vw, meeting, vw.single[0], "yes")
    close(vw, meeting)
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})

    page = client.get(url)

    assert 'data-testid="board-link"' in html(page)
    assert Ballot.objects.get().receipt in html(page)
    assert 'data-testid="submit-ballot"' not in html(page)


# -- paper ballots -----------------------------------------------------------------------------


def test_paper_ballot_is_keyed_twice_by_different_officers(vw, client):
    meeting = live(vw, matters=(Matter.HIRE_MANAGER, Matter.USE_FUND))
    first_motion, second_motion = meeting.motions.order_by("number")
    key = f"owner:{vw.single[2].pk}"
    url = reverse("voting:paper", args=[meeting.pk])
    client.force_login(vw.counter)

    found = client.get(url, {"q": vw.single[2].name})
    assert 'data-testid="voter-hit"' in html(found)
    chosen = client.get(url, {"voter": key})
    assert 'data-testid="paper-form"' in html(chosen)
    data = {
        "voter_key": key,
        "number": "A-001",
        f"motion_{first_motion.pk}": "yes",
        f"motion_{second_motion.pk}": "invalid",
        "scan": SimpleUploadedFile("sheet.png", PNG, content_type="image/png"),
    }
    first = client.post(url, data)
    assert first.status_code == 302
    sheet = PaperSheet.objects.get()
    assert sheet.state == PaperSheet.State.FIRST
    # The first entry stays hidden on the page until the second is in.
    listing = client.get(url)
    assert listing.context["groups"][0]["rows"][0]["first"] == []

    again = client.post(url, {**data, "scan": ""})
    assert again.status_code == 400
    assert 'data-testid="form-errors"' in html(again)

    client.force_login(vw.organiser)
    second = client.post(url, {**data, "scan": ""})
    assert second.status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == PaperSheet.State.MATCHED
    ballots = Ballot.objects.filter(channel=BallotChannel.PAPER).order_by("motion__number")
    assert [b.choice for b in ballots] == ["yes", "invalid"]
    scan = client.get(reverse("voting:file", args=["sheet", sheet.pk]))
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content) == PNG


def test_paper_mismatch_and_reject(vw, client):
    meeting = live(vw)
    motion = meeting.motions.get()
    key = f"owner:{vw.single[2].pk}"
    url = reverse("voting:paper", args=[meeting.pk])
    client.force_login(vw.counter)
    client.post(url, {"voter_key": key, "number": "7", f"motion_{motion.pk}": "yes"})
    client.force_login(vw.organiser)
    client.post(url, {"voter_key": key, "number": "7", f"motion_{motion.pk}": "no"})
    sheet = PaperSheet.objects.get()
    assert sheet.state == PaperSheet.State.MISMATCH
    page = client.get(url)
    mismatch = next(g for g in page.context["groups"] if g["state"] == "mismatch")
    assert mismatch["rows"][0]["first"]
    assert mismatch["rows"][0]["second"]

    no_reason = client.post(reverse("voting:paper_reject", args=[sheet.pk]), {"reason": ""})
    assert follow_messages(client, no_reason)
    sheet.refresh_from_db()
    assert sheet.state == PaperSheet.State.MISMATCH
    client.post(reverse("voting:paper_reject", args=[sheet.pk]), {"reason": "签名不清"})
    sheet.refresh_from_db()
    assert sheet.state == PaperSheet.State.REJECTED
    assert not Ballot.objects.exists()


def test_paper_entry_refuses_bad_input(vw, client):
    meeting = live(vw)
    motion = meeting.motions.get()
    key = f"owner:{vw.single[2].pk}"
    url = reverse("voting:paper", args=[meeting.pk])
    client.force_login(vw.counter)

    no_choice = client.post(url, {"voter_key": key, "number": "9"})
    no_number = client.post(url, {"voter_key": key, f"motion_{motion.pk}": "yes"})
    assert follow_messages(client, client.post(url, {"voter_key": "owner:0", "number": "9"}))
    bad_scan = client.post(
        url,
        {
            "voter_key": key,
            "number": "9",
            f"motion_{motion.pk}": "yes",
            "scan": SimpleUploadedFile("sheet.exe", b"MZ"),
        },
    )

    assert no_choice.status_code == no_number.status_code == bad_scan.status_code == 400
    assert 'data-testid="error-scan"' in html(bad_scan)
    assert not PaperSheet.objects.exists()


def test_paper_counts(vw, client):
    meeting = live(vw)
    client.force_login(vw.counter)
    url = reverse("voting:paper_counts", args=[meeting.pk])

    assert follow_messages(client, client.post(url, {"issued": "3", "returned": "5"}))
    assert follow_messages(client, client.post(url, {"issued": "-1", "returned": "0"}))
    meeting.refresh_from_db()
    assert (meeting.paper_issued, meeting.paper_returned) == (0, 0)
    good = client.post(url, {"issued": "30", "returned": "12"})

    assert good.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.paper_issued, meeting.paper_returned) == (30, 12)
    page = client.get(reverse("voting:paper", args=[meeting.pk]))
    assert page.context["counts"]["issued"] == 30


def test_paper_page_needs_the_count_action(vw, client):
    meeting = live(vw)
    client.force_login(vw.world.people.district_admin)
    assert client.get(reverse("voting:paper", args=[meeting.pk])).status_code == 403
    client.force_login(vw.world.people.owner_unit_101)
    assert client.get(reverse("voting:paper", args=[meeting.pk])).status_code == 403


# -- proxies -----------------------------------------------------------------------------------


def test_proxy_recorded_used_and_revoked(vw, client):
    meeting = live(vw, proxy_cap=1)
    motion = meeting.motions.get()
    url = reverse("voting:proxies", args=[meeting.pk])
    client.force_login(vw.counter)
    key = f"owner:{vw.single[1].pk}"
    assert 'data-testid="voter-hit"' in html(client.get(url, {"q": vw.single[1].name}))

    recorded = client.post(
        url,
        {
            "voter_key": key,
            "holder_name": "赵代理",
            "holder_id_number": HOLDER_ID,
            "motion": "",
            "valid_until": "",
            "document": SimpleUploadedFile("entrust.pdf", b"%PDF-1.4", "application/pdf"),
        },
    )
    assert recorded.status_code == 302
    proxy = Proxy.objects.get()
    assert proxy.owner == vw.single[1]
    capped = client.post(
        url,
        {
            "voter_key": f"owner:{vw.single[2].pk}",
            "holder_name": "赵代理",
            "holder_id_number": HOLDER_ID,
        },
    )
    assert capped.status_code == 400
    assert 'data-testid="form-errors"' in html(capped)
    assert Proxy.objects.count() == 1
    listing = html(client.get(url))
    assert HOLDER_ID not in listing  # masked
    assert reverse("voting:file", args=["proxy", proxy.pk]) in listing

    vote_url = reverse("voting:proxy_vote", args=[proxy.pk])
    assert client.get(vote_url).status_code == 200
    wrong = client.post(vote_url, {"holder_id_number": "x", f"motion_{motion.pk}": "no"})
    assert wrong.status_code == 400
    assert 'data-testid="error-holder_id_number"' in html(wrong)
    voted = client.post(vote_url, {"holder_id_number": HOLDER_ID, f"motion_{motion.pk}": "no"})
    assert voted.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.choice, ballot.proxy) == ("proxy", "no", proxy)

    client.post(reverse("voting:proxy_revoke", args=[proxy.pk]))
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    again = client.post(reverse("voting:proxy_revoke", args=[proxy.pk]))
    assert follow_messages(client, again)


def test_proxy_form_refuses_bad_input(vw, client):
    meeting = live(vw)
    url = reverse("voting:proxies", args=[meeting.pk])
    client.force_login(vw.counter)
    key = f"owner:{vw.single[1].pk}"

    no_holder = client.post(url, {"voter_key": key, "holder_name": "", "holder_id_number": ""})
    own = client.post(
        url,
        {"voter_key": key, "holder_name": "自己", "holder_id_number": vw.single[1].id_number},
    )
    expired = client.post(
        url,
        {
            "voter_key": key,
            "holder_name": "赵代理",
            "holder_id_number": HOLDER_ID,
            "valid_until": "2020-01-01T09:00",
        },
    )
    no_owner = client.post(url, {"voter_key": "developer", "holder_name": "x"})

    assert no_holder.status_code == own.status_code == expired.status_code == 400
    assert 'data-testid="error-valid_until"' in html(expired)
    assert no_owner.status_code in (302, 400)
    assert not Proxy.objects.exists()


# -- delivery proofs ---------------------------------------------------------------------------


def test_deliveries_list_and_record_a_paper_receipt(vw, client):
    meeting = live(vw)
    client.force_login(vw.counter)
    url = reverse("voting:deliveries", args=[meeting.pk])
    key = f"unit:{vw.units['206'].pk}"

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["summary"] == {"voters": 7, "notified": 6, "read": 0, "paper": 0}
    no_photo = client.post(url, {"voter_key": key, "channel": "paper"})
    assert no_photo.status_code == 400
    assert 'data-testid="error-evidence"' in html(no_photo)
    recorded = client.post(
        url,
        {
            "voter_key": key,
            "channel": "paper",
            "note": "门卫代收",
            "evidence": SimpleUploadedFile("receipt.jpg", PNG, content_type="image/jpeg"),
        },
    )
    assert recorded.status_code == 302
    delivery = Delivery.objects.get(voter_key=key)
    assert (delivery.channel, delivery.recorded_by) == ("paper", vw.counter)
    after = client.get(url)
    assert after.context["summary"]["paper"] == 1
    photo = reverse("voting:file", args=["delivery", delivery.pk])
    assert photo in html(after)
    assert client.get(photo).status_code == 200
    client.force_login(vw.world.people.owner_unit_101)
    assert client.get(photo).status_code == 403


def test_deliveries_search_and_refusals(vw, client):
    meeting = live(vw)
    client.force_login(vw.counter)
    url = reverse("voting:deliveries", args=[meeting.pk])
    found = client.get(url, {"q": vw.multi.name})
    assert len(table_rows(found, "deliveries")) == 1
    unknown = client.post(url, {"voter_key": "owner:0", "channel": "posted"})
    assert follow_messages(client, unknown)
    client.force_login(vw.world.people.district_admin)
    assert client.get(url).status_code == 403


# -- fraud signals and files -------------------------------------------------------------------


def test_signals_page_for_supervisors(vw, client):
    meeting = live(vw, state=MeetingState.NOTICED)
    entry = meeting.motions.get().roll.get(key=f"owner:{vw.single[0].pk}")
    services.correct_roll(actor=vw.organiser, entry=entry, reason="重复登记", excluded=True)
    url = reverse("voting:signals", args=[meeting.pk])

    client.force_login(vw.world.people.district_admin)
    response = client.get(url)
    client.force_login(vw.counter)
    refused = client.get(url)

    assert response.status_code == 200
    assert html(response).count('data-testid="signal"') == len(response.context["signals"]) == 1
    assert refused.status_code == 403


def test_files_of_unknown_kind_or_without_a_file_are_404(vw, client):
    meeting = live(vw)
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[1],
        holder_name="赵代理",
        holder_id_number=HOLDER_ID,
    )
    client.force_login(vw.counter)
    assert client.get(reverse("voting:file", args=["proxy", proxy.pk])).status_code == 404
    assert client.get(reverse("voting:file", args=["secret", proxy.pk])).status_code == 404


def test_motion_attachment_is_uploaded_and_served_to_owners(vw, client):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)
    url = reverse("voting:motion_create", args=[meeting.pk])
    bad = client.post(
        url,
        {
            "title": "选聘物业",
            "matter": "4",
            "electorate": "estate",
            "attachment": SimpleUploadedFile("plan.exe", b"MZ"),
        },
    )
    assert bad.status_code == 400
    assert not meeting.motions.exists()
    client.post(
        url,
        {
            "title": "选聘物业",
            "matter": "4",
            "electorate": "estate",
            "attachment": SimpleUploadedFile("方案.png", PNG, content_type="image/png"),
        },
    )
    motion = meeting.motions.get()
    attachment = motion.attachments.get()
    assert attachment.name == "方案.png"
    assert attachment.file.read() == PNG
