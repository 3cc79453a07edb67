"""The voting API: every operation allowed and refused, and a whole meeting through the API.

The API passes the real time to the services, so each meeting here is set up with its clock
around now: `stage()` builds one through the services with instants in the past, and
`time_passes()` moves a meeting's recorded instants back as if the days had gone by.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from anju.accounts.models import ApiToken
from anju.accounts.roles import Role
from anju.core.models import AuditEvent
from anju.estates.models import Ownership
from anju.voting import services
from anju.voting.models import (
    Ballot,
    BoardEntry,
    Delivery,
    Meeting,
    MeetingState,
    Motion,
    PaperSheet,
    Proxy,
    RollChange,
)
from anju.voting.rules import Matter
from anju.voting.tests.conftest import make_meeting
from tests.factories import member

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
HOLDER_ID = "510104199001011234"


class Api:
    """JSON requests as one user (browser session)."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    def get(self, path, **params):
        return self.client.get(V1 + path, params)

    def _send(self, method, path, payload):
        return getattr(self.client, method)(
            V1 + path, payload or {}, content_type="application/json"
        )

    def post(self, path, payload=None):
        return self._send("post", path, payload)

    def patch(self, path, payload=None):
        return self._send("patch", path, payload)

    def put(self, path, payload=None):
        return self._send("put", path, payload)

    def delete(self, path):
        return self._send("delete", path, None)


@pytest.fixture
def api(vw):
    def _as(who) -> Api:
        user = getattr(vw.world.people, who) if isinstance(who, str) else who
        return Api(user)

    return _as


def zh(message: str) -> str:
    """A message as the API words it (the default language)."""
    with translation.override("zh-hans"):
        return gettext(message)


def owner_user(vw, unit):
    return member(f"owner_{unit.pk}", Role.OWNER, unit=unit)


def stage(vw, name: str, **settings) -> Meeting:
    """A meeting of estate A with its clock set around the real time.

    draft: voting 17 to 20 days ahead, so notice may be given now. noticed: noticed 20 days
    ago, voting opened an hour ago and runs 3 more days (openable now). open: the same, opened.
    due: voting ran from 10 days ago to an hour ago (closable now). closed: due, then closed.
    """
    now = timezone.now()
    if name == "draft":
        meeting = make_meeting(
            vw, opens_at=now + timedelta(days=17), closes_at=now + timedelta(days=20), **settings
        )
        AuditEvent.objects.all().delete()
        return meeting
    if name in ("noticed", "open"):
        opens, closes, noticed = now - timedelta(hours=1), now + timedelta(days=3), 20
    else:
        opens, closes, noticed = now - timedelta(days=10), now - timedelta(hours=1), 30
    meeting = make_meeting(vw, opens_at=opens, closes_at=closes, **settings)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=now - timedelta(days=noticed))
    if name != "noticed":
        services.open_voting(actor=vw.organiser, meeting=meeting, now=opens)
    if name == "closed":
        services.close_voting(actor=vw.organiser, meeting=meeting, now=now)
    meeting.refresh_from_db()
    AuditEvent.objects.all().delete()
    return meeting


def time_passes(meeting: Meeting, delta: timedelta) -> None:
    """Every instant the meeting recorded moves back by delta, as if delta had gone by."""
    meeting.refresh_from_db()
    for name in ("opens_at", "closes_at", "noticed_at", "opened_at"):
        if getattr(meeting, name) is not None:
            setattr(meeting, name, getattr(meeting, name) - delta)
    if meeting.objection_until is not None:
        meeting.objection_until -= timedelta(days=delta.days + 1)
    meeting.save()
    for ballot in Ballot.objects.filter(motion__meeting=meeting):
        ballot.cast_at -= delta
        ballot.save(update_fields=["cast_at"])


def motion_of(meeting) -> Motion:
    return meeting.motions.get()


def vote(vw, meeting, owner, unit, choice, *, now=None):
    services.cast_own(
        user=owner_user(vw, unit),
        meeting=meeting,
        owner=owner,
        choices={motion_of(meeting).pk: choice},
        now=now,
    )


def audited(action, user) -> int:
    return AuditEvent.objects.filter(action=action, actor=user).count()


def refused(response, status, message=None, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    if message is not None:
        assert body["detail"] == zh(message)
    if field is not None:
        assert body["field"] == field
    return body


def page_ids(response):
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["items"])


# -- meetings --------------------------------------------------------------------------------


def test_meeting_list_is_scoped_filtered_and_paginated(vw, api):
    draft = stage(vw, "draft")
    live = stage(vw, "open")
    other = services.create_meeting(
        actor=vw.world.people.street_b_officer, estate=vw.world.estate_b, title="东风苑业主大会"
    )

    assert page_ids(api("street_a_officer").get("/votes")) == sorted([draft.pk, live.pk])
    assert page_ids(api("owner_unit_101").get("/votes")) == sorted([draft.pk, live.pk])
    assert page_ids(api("district_admin").get("/votes")) == sorted([draft.pk, live.pk, other.pk])
    assert page_ids(api("street_b_officer").get("/votes")) == [other.pk]
    assert page_ids(api("neighbour_admin").get("/votes")) == []
    client = api("street_a_officer")
    assert page_ids(client.get("/votes", state="open")) == [live.pk]
    assert page_ids(client.get("/votes", estate_id=vw.world.estate_b.pk)) == []
    page = client.get("/votes", limit=1).json()
    assert (page["count"], len(page["items"])) == (2, 1)
    [item] = client.get("/votes", state="draft").json()["items"]
    assert item["motion_count"] == 1
    assert item["estate_name"] == vw.estate.name
    assert item["state_label"]
    refused(api("company_x_manager").get("/votes"), 403)


def test_create_meeting_in_draft(vw, api):
    client = api("street_a_officer")
    opens = timezone.now() + timedelta(days=20)
    payload = {
        "estate_id": vw.estate.pk,
        "title": "2026年第二次业主大会",
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(days=5)).isoformat(),
        "proxy_cap": 3,
        "deemed_consent": True,
        "deemed_clause": "议事规则第十八条",
    }

    response = client.post("/votes", payload)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == MeetingState.DRAFT
    assert (body["proxy_cap"], body["deemed_consent"], body["notice_days"]) == (3, True, 15)
    assert body["motions"] == []
    assert body["allowed_moves"] == ["notice", "cancel"]
    assert body["region_code"] == vw.estate.region_code
    assert audited("voting.meeting.create", vw.organiser) == 1


def test_create_meeting_refusals_write_nothing(vw, api):
    client = api("street_a_officer")
    base = {"estate_id": vw.estate.pk, "title": "业主大会"}

    refused(
        client.post("/votes", base | {"notice_days": 10}),
        400,
        "The notice period is at least 15 days (物业管理条例 art. 14).",
        "notice_days",
    )
    refused(client.post("/votes", base | {"title": " "}), 400, "A meeting needs a title.", "title")
    refused(
        client.post("/votes", base | {"convener": "mayor"}),
        400,
        "Choose who convenes the meeting.",
        "convener",
    )
    refused(client.post("/votes", base | {"deemed_consent": True}), 400, field="deemed_clause")
    refused(client.post("/votes", base | {"estate_id": vw.world.estate_b.pk}), 404)
    refused(api("street_b_officer").post("/votes", base), 404)
    refused(api("owner_unit_101").post("/votes", base), 403)
    refused(api("district_admin").post("/votes", base), 403)
    assert client.post("/votes", base | {"notice_days": "many"}).status_code == 422
    assert not Meeting.objects.exists()
    assert not AuditEvent.objects.exists()


def test_get_meeting_shows_motions_and_the_callers_moves(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)

    body = api("street_a_officer").get(f"/votes/{meeting.pk}").json()
    owners = api("owner_unit_101").get(f"/votes/{meeting.pk}").json()
    counter = api("community_a1_worker").get(f"/votes/{meeting.pk}").json()

    assert body["rule_set_code"] == "civil-code"
    [m] = body["motions"]
    assert (m["id"], m["matter"], m["electorate"]) == (motion.pk, Matter.HIRE_MANAGER, "estate")
    assert m["roll_hash"]
    assert m["passed"] is None
    assert body["allowed_moves"] == ["close", "cancel", "remind"]
    assert owners["allowed_moves"] == []
    assert counter["allowed_moves"] == ["close", "cancel", "remind"]
    assert body["precedence"]
    assert body["board_url"] is None
    refused(api("neighbour_admin").get(f"/votes/{meeting.pk}"), 404)
    refused(api("owner_other_estate").get(f"/votes/{meeting.pk}"), 404)
    refused(api("street_a_officer").get("/votes/999999"), 404)


def test_update_meeting_in_draft_only(vw, api):
    meeting = stage(vw, "draft")
    client = api("street_a_officer")
    path = f"/votes/{meeting.pk}"

    response = client.patch(path, {"title": "改名后的大会", "count_parking": True})

    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["count_parking"]) == ("改名后的大会", True)
    assert audited("voting.meeting.update", vw.organiser) == 1
    closes = (meeting.opens_at - timedelta(days=1)).isoformat()
    refused(client.patch(path, {"closes_at": closes}), 400, "Voting must close after it opens.")
    refused(client.patch(path, {"proxy_cap": 0}), 400, "Leave the proxy limit empty for no limit.")
    refused(api("owner_unit_101").patch(path, {"title": "x"}), 403)
    refused(api("district_admin").patch(path, {"title": "x"}), 403)
    refused(api("street_b_officer").patch(path, {"title": "x"}), 404)
    meeting.refresh_from_db()
    assert (meeting.title, meeting.proxy_cap) == ("改名后的大会", None)
    noticed = stage(vw, "noticed")
    refused(api("street_a_officer").patch(f"/votes/{noticed.pk}", {"title": "x"}), 400)
    assert Meeting.objects.get(pk=noticed.pk).title != "x"


# -- motions ---------------------------------------------------------------------------------


def test_add_motion_for_the_estate_or_some_buildings(vw, api):
    meeting = stage(vw, "draft")
    client = api("committee_a_member")

    response = client.post(
        f"/votes/{meeting.pk}/motions",
        {
            "title": "2栋电梯使用维修资金",
            "matter": Matter.USE_FUND,
            "electorate": "buildings",
            "building_ids": [vw.b2.pk],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["matter"], body["building_ids"]) == (2, 5, [vw.b2.pk])
    assert body["matter_label"]
    assert audited("voting.motion.create", vw.committee) == 1


def test_add_motion_refusals_write_nothing(vw, api):
    meeting = stage(vw, "draft")
    client = api("street_a_officer")
    path = f"/votes/{meeting.pk}/motions"
    good = {"title": "续聘物业", "matter": Matter.HIRE_MANAGER}

    refused(client.post(path, good | {"matter": 42}), 400, "Choose the matter the motion decides.")
    refused(client.post(path, good | {"title": ""}), 400, "A motion needs a title.", "title")
    refused(client.post(path, good | {"electorate": "city"}), 400, field="electorate")
    refused(
        client.post(path, good | {"electorate": "buildings"}),
        400,
        "Choose the buildings whose owners vote.",
    )
    refused(
        client.post(
            path, good | {"electorate": "buildings", "building_ids": [vw.world.building_b.pk]}
        ),
        400,
        "Buildings and units must belong to the meeting's estate.",
    )
    refused(
        client.post(path, good | {"electorate": "units", "unit_ids": [999999]}),
        400,
        "Buildings and units must belong to the meeting's estate.",
    )
    refused(api("owner_unit_101").post(path, good), 403)
    refused(api("neighbour_admin").post(path, good), 404)
    assert meeting.motions.count() == 1
    assert not AuditEvent.objects.exists()


def test_delete_motion_in_draft_only(vw, api):
    meeting = stage(vw, "draft")
    motion = motion_of(meeting)
    path = f"/votes/motions/{motion.pk}"

    refused(api("owner_unit_101").delete(path), 403)
    refused(api("street_b_officer").delete(path), 404)
    response = api("street_a_officer").delete(path)

    assert response.status_code == 204, response.content
    assert not meeting.motions.exists()
    assert audited("voting.motion.delete", vw.organiser) == 1
    noticed = stage(vw, "noticed")
    refused(api("street_a_officer").delete(f"/votes/motions/{motion_of(noticed).pk}"), 400)
    assert noticed.motions.count() == 1


# -- moves -----------------------------------------------------------------------------------


def test_notice_fixes_the_rule_set_and_publishes_the_roll(vw, api):
    meeting = stage(vw, "draft")
    path = f"/votes/{meeting.pk}/notice"

    refused(api("district_admin").post(path), 403)
    refused(api("owner_unit_101").post(path), 403)
    refused(api("neighbour_admin").post(path), 404)
    response = api("street_a_officer").post(path)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["rule_set_code"]) == ("noticed", "civil-code")
    assert body["noticed_at"]
    assert body["objection_until"]
    assert motion_of(meeting).roll.count() == 7
    assert audited("voting.meeting.notice", vw.organiser) == 1


def test_notice_too_close_to_opening_is_refused(vw, api):
    now = timezone.now()
    meeting = make_meeting(
        vw, opens_at=now + timedelta(days=10), closes_at=now + timedelta(days=12)
    )
    AuditEvent.objects.all().delete()

    body = refused(api("street_a_officer").post(f"/votes/{meeting.pk}/notice"), 400)

    assert body["field"] == "opens_at"
    assert "15" in body["detail"]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.DRAFT
    assert not motion_of(meeting).roll.exists()
    assert not AuditEvent.objects.exists()


def test_open_freezes_the_roll(vw, api):
    meeting = stage(vw, "noticed")
    path = f"/votes/{meeting.pk}/open"

    refused(api("owner_unit_101").post(path), 403)
    refused(api("street_b_officer").post(path), 404)
    response = api("street_a_officer").post(path)

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "open"
    assert response.json()["motions"][0]["roll_hash"]
    assert RollChange.objects.filter(kind=RollChange.Kind.FROZEN).count() == 1
    refused(api("street_a_officer").post(path), 400)


def test_open_before_the_opening_time_is_refused(vw, api):
    meeting = stage(vw, "noticed")
    Meeting.objects.filter(pk=meeting.pk).update(opens_at=timezone.now() + timedelta(hours=2))

    refused(api("street_a_officer").post(f"/votes/{meeting.pk}/open"), 400)

    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.NOTICED
    assert not AuditEvent.objects.exists()


def test_close_counts_and_publish_follows(vw, api):
    meeting = stage(vw, "due")
    vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes", now=meeting.opens_at)
    client = api("street_a_officer")

    refused(client.post(f"/votes/{meeting.pk}/publish"), 400)
    refused(api("district_admin").post(f"/votes/{meeting.pk}/close"), 403)
    refused(api("neighbour_admin").post(f"/votes/{meeting.pk}/close"), 404)
    closed = client.post(f"/votes/{meeting.pk}/close")

    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    assert closed.json()["allowed_moves"] == ["publish"]
    assert closed.json()["motions"][0]["passed"] is False  # 1 of 7 persons: no quorum
    assert closed.json()["motions"][0]["board_head"]
    assert closed.json()["board_url"] == f"/votes/board/{meeting.board_token}/"
    refused(api("owner_unit_101").post(f"/votes/{meeting.pk}/publish"), 403)
    published = client.post(f"/votes/{meeting.pk}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["state"] == "published"
    assert audited("voting.meeting.close", vw.organiser) == 1
    assert audited("voting.meeting.publish", vw.organiser) == 1


def test_close_before_the_closing_time_is_refused(vw, api):
    meeting = stage(vw, "open")

    body = refused(api("street_a_officer").post(f"/votes/{meeting.pk}/close"), 400)

    assert timezone.localtime(meeting.closes_at).strftime("%Y-%m-%d %H:%M") in body["detail"]
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.OPEN
    assert not BoardEntry.objects.exists()


def test_cancel_needs_a_reason(vw, api):
    meeting = stage(vw, "open")
    path = f"/votes/{meeting.pk}/cancel"

    refused(api("street_a_officer").post(path, {"reason": " "}), 400, field="reason")
    refused(api("owner_unit_101").post(path, {"reason": "x"}), 403)
    refused(api("street_b_officer").post(path, {"reason": "x"}), 404)
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.OPEN
    response = api("street_a_officer").post(path, {"reason": "业主委员会改选，延期举行"})

    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["cancel_reason"]) == (
        "cancelled",
        "业主委员会改选，延期举行",
    )
    assert response.json()["allowed_moves"] == []
    refused(api("street_a_officer").post(path, {"reason": "再次"}), 400)


def test_remind_texts_only_non_voters_while_open(vw, api):
    meeting = stage(vw, "open")
    vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes")
    path = f"/votes/{meeting.pk}/remind"

    refused(api("owner_unit_101").post(path), 403)
    refused(api("neighbour_admin").post(path), 404)
    response = api("community_a1_worker").post(path)

    assert response.status_code == 200, response.content
    assert response.json() == {"sent": 5}
    assert Delivery.objects.filter(kind="reminder").count() == 5
    draft = stage(vw, "draft")
    refused(
        api("community_a1_worker").post(f"/votes/{draft.pk}/remind"), 400, "Voting is not open."
    )


# -- roll ------------------------------------------------------------------------------------


def test_roll_for_staff_is_named_with_totals(vw, api):
    meeting = stage(vw, "noticed")
    motion = motion_of(meeting)

    body = api("community_a1_worker").get(f"/votes/motions/{motion.pk}/roll").json()

    assert body["masked"] is False
    assert body["totals"]["voters"] == 7
    assert body["totals"]["electorate"] == {
        "persons": 7,
        "area": 74875,
        "area_m2": "748.75",
    }
    rows = {r["key"]: r for r in body["items"]}
    multi = rows[f"owner:{vw.multi.pk}"]
    assert (multi["name"], multi["owner_id"], multi["area"], multi["unit_count"]) == (
        "王多套",
        vw.multi.pk,
        15025,
        2,
    )
    assert {u["label"] for u in multi["units"]} == {"2栋-201", "2栋-202"}
    assert multi["units"][0]["area_source"]
    page = api("street_a_officer").get(f"/votes/motions/{motion.pk}/roll", limit=2).json()
    assert (page["count"], len(page["items"])) == (7, 2)
    searched = api("street_a_officer").get(f"/votes/motions/{motion.pk}/roll", q="王多").json()
    assert [r["name"] for r in searched["items"]] == ["王多套"]


def test_roll_for_owners_is_masked_and_not_searchable_by_name(vw, api):
    meeting = stage(vw, "noticed")
    motion = motion_of(meeting)
    path = f"/votes/motions/{motion.pk}/roll"

    body = api("owner_unit_101").get(path).json()

    assert body["masked"] is True
    names = {r["name"] for r in body["items"]}
    assert "王多套" not in names
    assert "王**" in names
    assert all(r["owner_id"] is None for r in body["items"])
    assert api("owner_unit_101").get(path, q="王多").json()["items"] == []
    assert len(api("owner_unit_101").get(path, q="2栋-201").json()["items"]) == 1
    refused(api("owner_other_estate").get(path), 404)
    refused(api("neighbour_admin").get(path), 404)


def test_roll_correction_during_the_objection_period(vw, api):
    meeting = stage(vw, "noticed")
    entry = motion_of(meeting).roll.get(key=f"unit:{vw.units['206'].pk}")
    path = f"/votes/roll/{entry.pk}/correct"

    refused(
        api("street_a_officer").post(path, {"reason": "实测面积", "area": "6x.00"}),
        400,
        "Give the area in square metres with at most two decimals, e.g. 88.50.",
        "area",
    )
    refused(api("street_a_officer").post(path, {"reason": "x", "area": "60.001"}), 400)
    refused(api("street_a_officer").post(path, {"reason": "x", "area": "Infinity"}), 400)
    refused(api("street_a_officer").post(path, {"excluded": True}), 400, field="reason")
    refused(api("street_a_officer").post(path, {"reason": "x"}), 400, "Nothing to change.")
    refused(api("owner_unit_101").post(path, {"reason": "x", "excluded": True}), 403)
    refused(api("street_b_officer").post(path, {"reason": "x", "excluded": True}), 404)
    assert not RollChange.objects.filter(entry=entry).exists()
    response = api("street_a_officer").post(path, {"reason": "实测面积更正", "area": "61.50"})

    assert response.status_code == 200, response.content
    assert (response.json()["area"], response.json()["area_m2"]) == (6150, "61.50")
    assert RollChange.objects.get(entry=entry).reason == "实测面积更正"
    assert audited("voting.roll.correct", vw.organiser) == 1
    live = stage(vw, "open")
    frozen = motion_of(live).roll.first()
    refused(api("street_a_officer").post(f"/votes/roll/{frozen.pk}/correct",
                                         {"reason": "x", "excluded": True}), 400)  # fmt: skip


# -- turnout, result, board ------------------------------------------------------------------


def test_turnout_shows_participation_never_the_split(vw, api):
    meeting = stage(vw, "open")
    vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes")
    vote(vw, meeting, vw.multi, vw.units["201"], "no")
    path = f"/votes/motions/{motion_of(meeting).pk}/turnout"

    body = api("owner_unit_101").get(path).json()

    assert body["participants"] == {"persons": 2, "area": 8950 + 15025, "area_m2": "239.75"}
    assert body["electorate"]["persons"] == 7
    # Quorum: at least 2/3 of 7 persons (5) and of 748.75 m² (499.17 m²).
    assert body["quorum"] == {"persons": 5, "area": 49917, "area_m2": "499.17"}
    assert (body["quorum_met_persons"], body["quorum_met_area"]) == (False, False)
    assert body["percent_persons"] == "28.6%"
    assert not {"yes", "no", "tally"} & set(body)
    assert "yes" not in str(body)
    refused(api("owner_other_estate").get(path), 404)


def test_result_after_close_in_both_dimensions_with_deemed_consent(vw, api):
    meeting = stage(vw, "due", deemed_consent=True, deemed_clause="议事规则第十八条")
    during = meeting.opens_at + timedelta(hours=1)
    path = f"/votes/motions/{motion_of(meeting).pk}/result"
    vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes", now=during)
    vote(vw, meeting, vw.multi, vw.units["201"], "yes", now=during)
    vote(vw, meeting, vw.single[1], vw.world.units_a[1], "no", now=during)
    refused(api("owner_unit_101").get(path), 400, "The result is known once voting has closed.")

    services.close_voting(actor=vw.organiser, meeting=meeting)
    body = api("owner_unit_101").get(path).json()

    assert body["passed"] is False
    strict = body["strict"]
    assert strict["quorum_met"] is False
    assert {(d["test"], d["measure"]) for d in strict["dimensions"]} == {
        ("quorum", "persons"),
        ("quorum", "area"),
        ("approval", "persons"),
        ("approval", "area"),
    }
    quorum_persons = next(d for d in strict["dimensions"] if d["measure"] == "persons")
    assert (quorum_persons["numerator"], quorum_persons["denominator"]) == (3, 7)
    assert (quorum_persons["boundary"], quorum_persons["threshold"]) == (5, "2/3")
    assert quorum_persons["article"]
    assert strict["tally"]["yes"] == {"persons": 2, "area": 23975, "area_m2": "239.75"}
    assert len(strict["explanation"]) == 5
    deemed = body["deemed"]
    assert deemed["direction"] == "yes"
    assert deemed["added"]["persons"] == 3
    assert deemed["decision"]["passed"] is True
    assert deemed["flags"] == []
    assert len(deemed["explanation"]) > 2
    assert body["verified"] is True
    assert body["record"] == motion_of(meeting).result
    refused(api("neighbour_admin").get(path), 404)


def test_board_of_a_closed_motion_is_masked_and_chained(vw, api):
    meeting = stage(vw, "due", board_shows_choice=False)
    motion = motion_of(meeting)
    during = meeting.opens_at + timedelta(hours=1)
    vote(vw, meeting, vw.single[0], vw.world.units_a[0], "yes", now=during)
    vote(vw, meeting, vw.multi, vw.units["201"], "no", now=during)
    path = f"/votes/motions/{motion.pk}/board"
    refused(api("owner_unit_101").get(path), 400, "The board is published once voting has closed.")

    services.close_voting(actor=vw.organiser, meeting=meeting)
    body = api("owner_unit_101").get(path).json()

    assert body["count"] == 2
    assert body["shows_choice"] is False
    prev = body["genesis"]
    for row in body["items"]:
        assert row["prev_hash"] == prev
        assert "**" in row["voter"]
        assert row["choice"] is None
        prev = row["hash"]
    assert body["head"] == prev
    assert "王多套" not in str(body)
    receipts = {b.receipt for b in Ballot.objects.filter(motion=motion)}
    assert {row["receipt"] for row in body["items"]} == receipts
    refused(api("owner_other_estate").get(path), 404)


# -- owners' ballots -------------------------------------------------------------------------


def test_identity_check_lists_the_owners_motions(vw, api):
    meeting = stage(vw, "open")
    path = f"/votes/{meeting.pk}/identity"
    owner = vw.single[0]

    response = api("owner_unit_101").post(path, {"id_number": owner.id_number})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["voter_keys"] == [f"owner:{owner.pk}"]
    assert [m["motion_id"] for m in body["motions"]] == [motion_of(meeting).pk]
    assert body["motions"][0]["ballot"] is None
    assert owner.name not in str(body)
    assert Delivery.objects.filter(voter_key=f"owner:{owner.pk}", read_at__isnull=False).exists()
    refused(
        api("owner_unit_101").post(path, {"id_number": vw.single[1].id_number}),
        400,
        "The ID number does not match a registered owner of your unit.",
        "id_number",
    )
    refused(api("street_a_officer").post(path, {"id_number": owner.id_number}), 403)
    refused(api("owner_other_estate").post(path, {"id_number": owner.id_number}), 404)


def test_casting_by_token_costs_a_bounded_number_of_queries(vw, django_assert_max_num_queries):
    # given: an owner's API client voting on two motions
    meeting = stage(vw, "open", matters=(Matter.HIRE_MANAGER, Matter.USE_FUND))
    first, second = meeting.motions.order_by("number")
    user = vw.world.people.owner_unit_101
    token, raw = ApiToken.issue(user=user, name="phone")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"id_number": vw.single[0].id_number, "choices": {first.pk: "yes", second.pk: "no"}}

    # when: the first request stamps the token; the second (a change: one more UPDATE) does not.
    # Each: the token, the voter's roll rows with the meeting (locked), the counted ballots,
    # the new ballots, the audit row; the first also stamps the token, a change also marks
    # the replaced ballots (and the test's transaction adds a savepoint and its release).
    with django_assert_max_num_queries(8):
        response = client.post(
            f"{V1}/votes/{meeting.pk}/ballots", body, content_type="application/json"
        )
    token.refresh_from_db()
    stamped = token.last_used_at
    body["choices"] = {first.pk: "no"}
    with django_assert_max_num_queries(8):
        again = client.post(
            f"{V1}/votes/{meeting.pk}/ballots", body, content_type="application/json"
        )

    # then
    assert (response.status_code, again.status_code) == (201, 201), again.content
    assert stamped is not None
    token.refresh_from_db()
    assert token.last_used_at == stamped
    assert Ballot.objects.filter(motion=first).count() == 2
    assert Ballot.objects.get(motion=first, effective=True).choice == "no"
    assert Ballot.objects.get(motion=second, effective=True).choice == "no"
    assert audited("voting.ballot.cast", user) == 2


def test_an_owner_in_two_estates_votes_only_where_their_account_is_bound(vw, api):
    # given: the representative of unit 101 (estate A) also owns a unit of estate B, and their
    # account is bound to the estate-B unit only
    meeting = stage(vw, "open")
    owner = vw.single[0]
    unit_b = vw.world.units_b[0]
    Ownership.objects.create(unit=unit_b, owner=owner, is_representative=False)
    bound_to_b = owner_user(vw, unit_b)
    body = {"id_number": owner.id_number, "choices": {motion_of(meeting).pk: "yes"}}

    # when / then: estate A's meeting is out of their account's scope
    refused(api(bound_to_b).post(f"/votes/{meeting.pk}/ballots", body), 404)
    assert not Ballot.objects.exists()


def test_casting_checks_identity_on_every_path(vw):
    # given: an open meeting and the accounts of the developer (unit 204), the co-owner who
    # is not the representative (203) and the owner of 101
    meeting = stage(vw, "open")
    motion = meeting.motions.get()
    path = f"{V1}/votes/{meeting.pk}/ballots"

    def cast(user, id_number):
        client = Client()
        client.force_login(user)
        body = {"id_number": id_number, "choices": {motion.pk: "yes"}}
        return client.post(path, body, content_type="application/json")

    developer = member("dev_204", Role.OWNER, unit=vw.units["204"])
    spouse = member("spouse_203", Role.OWNER, unit=vw.units["203"])
    owner = vw.world.people.owner_unit_101

    # when / then: the developer votes for all its stock as one voter
    response = cast(developer, vw.developer.id_number)
    assert response.status_code == 201, response.content
    ballot = Ballot.objects.get(receipt=response.json()["ballots"][0]["receipt"])
    assert ballot.entry.key == "developer"
    # a co-owner who is not the representative is refused, nothing cast
    refused(cast(spouse, vw.spouse.id_number), 400, field="id_number")
    # wrong ID numbers count as failed tries; then even the right one is refused
    for _ in range(services.IDENTITY_TRIES):
        refused(cast(owner, vw.single[1].id_number), 400, field="id_number")
    refused(
        cast(owner, vw.single[0].id_number),
        400,
        "Too many failed identity checks; try again in an hour or ask the community.",
    )
    assert Ballot.objects.filter(motion=motion).count() == 1


def test_token_use_older_than_a_minute_is_stamped_again(vw):
    user = vw.world.people.owner_unit_101
    token, raw = ApiToken.issue(user=user, name="phone")
    long_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    Client().get(f"{V1}/votes", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at > long_ago + timedelta(minutes=1)


def test_owner_casts_and_changes_ballots_with_receipts(vw, api):
    meeting = stage(vw, "open", matters=(Matter.HIRE_MANAGER, Matter.USE_FUND))
    first, second = meeting.motions.order_by("number")
    path = f"/votes/{meeting.pk}/ballots"
    id_number = vw.single[0].id_number

    response = api("owner_unit_101").post(
        path, {"id_number": id_number, "choices": {str(first.pk): "yes", str(second.pk): "no"}}
    )
    again = api("owner_unit_101").post(path, {"id_number": id_number, "choices": {first.pk: "no"}})

    assert response.status_code == 201, response.content
    body = response.json()
    assert [(b["motion_number"], b["choice"], b["channel"]) for b in body["ballots"]] == [
        (1, "yes", "online"),
        (2, "no", "online"),
    ]
    assert all(len(b["receipt"]) == 20 and b["effective"] for b in body["ballots"])
    assert body["voter"] != vw.single[0].name
    assert again.status_code == 201, again.content
    assert Ballot.objects.get(motion=first, effective=True).choice == "no"
    ballot = Ballot.objects.get(receipt=body["ballots"][0]["receipt"])
    assert (ballot.effective, ballot.ip) == (False, "127.0.0.1")
    assert audited("voting.ballot.cast", vw.world.people.owner_unit_101) == 2
    mine = api("owner_unit_101").get(f"/votes/{meeting.pk}/ballots/mine").json()
    assert [(b["motion_number"], b["choice"], b["effective"]) for b in mine] == [
        (1, "yes", False),
        (1, "no", True),
        (2, "no", True),
    ]


def test_ballot_refusals_cast_nothing(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)
    path = f"/votes/{meeting.pk}/ballots"
    owner = vw.single[0]
    good = {"id_number": owner.id_number, "choices": {motion.pk: "yes"}}
    client = api("owner_unit_101")

    refused(
        client.post(path, good | {"id_number": vw.single[1].id_number}),
        400,
        "The ID number does not match a registered owner of your unit.",
        "id_number",
    )
    refused(
        client.post(path, good | {"choices": {motion.pk: "maybe"}}),
        400,
        "Choose agree, disagree or abstain.",
        "choice",
    )
    refused(
        client.post(path, good | {"choices": {}}), 400, "Choose at least one motion to vote on."
    )
    refused(client.post(path, good | {"choices": {motion.pk: "yes", 999999: "no"}}), 400)
    refused(client.post(path, good | {"id_number": "  "}), 400, field="id_number")
    refused(api("street_a_officer").post(path, good), 403)
    refused(api("owner_other_estate").post(path, good), 404)
    noticed = stage(vw, "noticed")
    refused(
        client.post(
            f"/votes/{noticed.pk}/ballots", good | {"choices": {motion_of(noticed).pk: "yes"}}
        ),
        400,
        "Voting is not open.",
    )
    assert not Ballot.objects.exists()
    assert not AuditEvent.objects.exists()
    refused(api("street_a_officer").get(f"/votes/{meeting.pk}/ballots/mine"), 403)
    refused(api("owner_other_estate").get(f"/votes/{meeting.pk}/ballots/mine"), 404)


def test_co_owner_who_is_not_the_representative_cannot_vote(vw, api):
    meeting = stage(vw, "open")
    spouse = owner_user(vw, vw.units["203"])

    body = refused(
        api(spouse).post(
            f"/votes/{meeting.pk}/ballots",
            {"id_number": vw.spouse.id_number, "choices": {motion_of(meeting).pk: "yes"}},
        ),
        400,
        field="id_number",
    )

    assert not Ballot.objects.exists()
    assert body["detail"] == zh(
        "Only the unit's voting representative votes for it (co-owners name one). "
        "Ask the community to record you as the representative."
    )


# -- proxies ---------------------------------------------------------------------------------


def _proxy_in(vw, **extra):
    return {
        "owner_id": vw.single[1].pk,
        "holder_name": "赵代理",
        "holder_id_number": HOLDER_ID,
    } | extra


def test_record_list_and_revoke_proxies(vw, api):
    meeting = stage(vw, "open", proxy_cap=1)
    path = f"/votes/{meeting.pk}/proxies"
    counter = api("community_a1_worker")

    refused(api("owner_unit_101").post(path, _proxy_in(vw)), 403)
    refused(api("district_admin").post(path, _proxy_in(vw)), 403)
    refused(api("street_b_officer").post(path, _proxy_in(vw)), 404)
    response = counter.post(path, _proxy_in(vw))

    assert response.status_code == 201, response.content
    proxy = response.json()
    assert proxy["holder_id_masked"] == "5101**********1234"
    assert HOLDER_ID not in str(proxy)
    assert proxy["active"] is True
    assert audited("voting.proxy.record", vw.counter) == 1
    refused(
        counter.post(path, _proxy_in(vw)),
        400,
        "This owner already has a proxy for it; revoke it first.",
    )
    refused(counter.post(path, _proxy_in(vw, owner_id=vw.single[2].pk)), 400)  # the cap of 1
    refused(
        counter.post(path, _proxy_in(vw, owner_id=vw.world.owners["b"][0].pk)),
        400,
        "This owner is not on the meeting's roll.",
    )
    refused(counter.post(path, _proxy_in(vw, owner_id=999999)), 400, field="owner_id")
    refused(counter.post(path, _proxy_in(vw, motion_id=999999)), 400, "Unknown motion.")
    refused(counter.post(path, _proxy_in(vw, holder_name=" ")), 400)
    assert Proxy.objects.count() == 1

    listed = api("district_admin").get(path).json()
    assert [p["id"] for p in listed["items"]] == [proxy["id"]]
    refused(api("owner_unit_101").get(path), 403)
    refused(api("neighbour_admin").get(path), 404)

    revoke = f"/votes/proxies/{proxy['id']}/revoke"
    refused(api("owner_unit_101").post(revoke), 403)
    refused(api("neighbour_admin").post(revoke), 404)
    revoked = counter.post(revoke)
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["active"] is False
    refused(counter.post(revoke), 400, "This entrustment is already revoked.")


def test_vote_by_proxy_and_the_owner_prevails(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[1],
        holder_name="赵代理",
        holder_id_number=HOLDER_ID,
    )
    AuditEvent.objects.all().delete()
    path = f"/votes/proxies/{proxy.pk}/ballots"
    counter = api("community_a1_worker")
    good = {"holder_id_number": HOLDER_ID, "choices": {motion.pk: "no"}}

    refused(
        counter.post(path, good | {"holder_id_number": "x"}),
        400,
        "The ID number is not the proxy holder's.",
        "holder_id_number",
    )
    refused(counter.post(path, good | {"choices": {}}), 400)
    refused(api("owner_unit_101").post(path, good), 403)
    refused(api("neighbour_admin").post(path, good), 404)
    assert not Ballot.objects.exists()
    response = counter.post(path, good)

    assert response.status_code == 201, response.content
    assert [(b["channel"], b["choice"]) for b in response.json()["ballots"]] == [("proxy", "no")]
    assert audited("voting.ballot.proxy", vw.counter) == 1
    vote(vw, meeting, vw.single[1], vw.world.units_a[1], "yes")
    refused(
        counter.post(path, good),
        400,
        "The owner has voted in person; a proxy's ballot is not counted.",
    )
    effective = Ballot.objects.get(motion=motion, effective=True)
    assert (effective.channel, effective.choice) == ("online", "yes")


# -- paper -----------------------------------------------------------------------------------


def test_paper_double_entry_through_the_api(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)
    path = f"/votes/{meeting.pk}/paper"
    key = f"owner:{vw.single[2].pk}"
    sheet = {"number": "001", "voter_key": key, "choices": {motion.pk: "yes"}}

    refused(api("owner_unit_101").post(path, sheet), 403)
    refused(api("street_b_officer").post(path, sheet), 404)
    first = api("community_a1_worker").post(path, sheet)
    assert first.status_code == 201, first.content
    assert (first.json()["state"], first.json()["choices"]) == ("first", None)
    refused(
        api("community_a1_worker").post(path, sheet),
        400,
        "The second entry must be made by a different officer.",
    )
    listed = api("street_a_officer").get(path).json()
    assert "yes" not in str(listed["items"])  # the second officer keys the sheet blind
    mismatch = api("street_a_officer").post(path, sheet | {"choices": {motion.pk: "no"}})
    assert (mismatch.status_code, mismatch.json()["state"]) == (200, "mismatch")
    assert not Ballot.objects.exists()
    matched = api("street_a_officer").post(path, sheet)

    assert matched.status_code == 200, matched.content
    assert matched.json()["state"] == "matched"
    assert matched.json()["choices"] == {str(motion.pk): "yes"}
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.choice) == ("paper", "yes")
    refused(
        api("community_a1_worker").post(path, sheet | {"number": "002"}),
        400,
        "This owner's paper ballot has already been entered.",
    )
    refused(
        api("community_a1_worker").post(path, sheet | {"number": "003", "voter_key": "owner:0"}),
        400,
        "This voter is not on the meeting's roll.",
        "voter_key",
    )
    listed = api("street_a_officer").get(path).json()
    assert (listed["entered"], listed["matched"], listed["count"]) == (1, 1, 1)
    refused(api("owner_unit_101").get(path), 403)
    refused(api("neighbour_admin").get(path), 404)


def test_reject_sheets_and_set_paper_counts(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)
    sheet = services.enter_paper(
        actor=vw.counter, meeting=meeting, number="009", voter_key=f"owner:{vw.single[0].pk}",
        choices={motion.pk: "no"},
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    reject = f"/votes/paper/{sheet.pk}/reject"

    refused(api("street_a_officer").post(reject, {"reason": ""}), 400, field="reason")
    refused(api("owner_unit_101").post(reject, {"reason": "签名不符"}), 403)
    refused(api("street_b_officer").post(reject, {"reason": "签名不符"}), 404)
    response = api("street_a_officer").post(reject, {"reason": "签名不符"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "rejected"
    assert audited("voting.paper.reject", vw.organiser) == 1

    counts = f"/votes/{meeting.pk}/paper/counts"
    refused(
        api("street_a_officer").put(counts, {"issued": 3, "returned": 5}),
        400,
        "Returned sheets cannot exceed the sheets issued.",
    )
    refused(api("district_admin").put(counts, {"issued": 5, "returned": 3}), 403)
    refused(api("neighbour_admin").put(counts, {"issued": 5, "returned": 3}), 404)
    assert api("street_a_officer").put(counts, {"issued": -1, "returned": 0}).status_code == 422
    ok = api("street_a_officer").put(counts, {"issued": 5, "returned": 3})
    assert ok.status_code == 200, ok.content
    assert ok.json() == {"issued": 5, "returned": 3, "entered": 0, "matched": 0}
    assert audited("voting.paper.counts", vw.organiser) == 1


def test_a_counted_sheet_cannot_be_rejected(vw, api):
    meeting = stage(vw, "open")
    motion = motion_of(meeting)
    for actor in (vw.counter, vw.organiser):
        sheet = services.enter_paper(
            actor=actor, meeting=meeting, number="010", voter_key=f"owner:{vw.single[0].pk}",
            choices={motion.pk: "yes"},
        )  # fmt: skip

    refused(
        api("street_a_officer").post(f"/votes/paper/{sheet.pk}/reject", {"reason": "x"}),
        400,
        "This sheet has already been counted.",
    )

    assert PaperSheet.objects.get(pk=sheet.pk).state == PaperSheet.State.MATCHED


# -- deliveries ------------------------------------------------------------------------------


def test_deliveries_list_and_record(vw, api):
    meeting = stage(vw, "open")
    path = f"/votes/{meeting.pk}/deliveries"
    key = f"unit:{vw.units['206'].pk}"

    listed = api("community_a1_worker").get(path).json()
    assert listed["count"] == 6  # the SMS notices: every voter with a phone
    assert {d["channel"] for d in listed["items"]} == {"sms"}
    refused(api("owner_unit_101").get(path), 403)
    refused(api("neighbour_admin").get(path), 404)
    refused(
        api("community_a1_worker").post(path, {"voter_key": key, "channel": "pigeon"}),
        400,
        "Choose how the notice was delivered.",
        "channel",
    )
    refused(
        api("community_a1_worker").post(path, {"voter_key": "owner:0", "channel": "paper"}),
        400,
        "This voter is not on the meeting's roll.",
    )
    refused(api("owner_unit_101").post(path, {"voter_key": key, "channel": "paper"}), 403)
    refused(api("street_b_officer").post(path, {"voter_key": key, "channel": "paper"}), 404)
    response = api("community_a1_worker").post(
        path, {"voter_key": key, "channel": "paper", "note": "门卫代收，签收单已存档"}
    )

    assert response.status_code == 201, response.content
    assert (response.json()["voter_key"], response.json()["channel"]) == (key, "paper")
    assert audited("voting.delivery.record", vw.counter) == 1
    only = api("street_a_officer").get(path, voter_key=key).json()
    assert [d["note"] for d in only["items"]] == ["门卫代收，签收单已存档"]


# -- a whole meeting through the API -----------------------------------------------------------


def test_a_meeting_from_draft_to_published_through_the_api(vw, api):
    # given: an organiser convenes a meeting and adds a motion
    organiser, counter = api("street_a_officer"), api("community_a1_worker")
    now = timezone.now()
    created = organiser.post(
        "/votes",
        {
            "estate_id": vw.estate.pk,
            "title": "2026年第三次业主大会",
            "opens_at": (now + timedelta(days=17)).isoformat(),
            "closes_at": (now + timedelta(days=20)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    added = organiser.post(
        f"/votes/{meeting_id}/motions", {"title": "续聘安心物业", "matter": Matter.HIRE_MANAGER}
    )
    assert added.status_code == 201, added.content
    motion_id = added.json()["id"]

    # when: notice now; 17 days later voting opens
    assert organiser.post(f"/votes/{meeting_id}/notice").json()["state"] == "noticed"
    meeting = Meeting.objects.get(pk=meeting_id)
    time_passes(meeting, timedelta(days=17, minutes=1))
    assert organiser.post(f"/votes/{meeting_id}/open").json()["state"] == "open"

    # online: owner 101 and 王多套 (201+202) agree, 李代表 (203) abstains
    receipts = []
    for user, owner, choice in (
        (vw.world.people.owner_unit_101, vw.single[0], "yes"),
        (owner_user(vw, vw.units["201"]), vw.multi, "yes"),
        (owner_user(vw, vw.units["203"]), vw.rep, "abstain"),
    ):
        cast = api(user).post(
            f"/votes/{meeting_id}/ballots",
            {"id_number": owner.id_number, "choices": {motion_id: choice}},
        )
        assert cast.status_code == 201, cast.content
        receipts += [b["receipt"] for b in cast.json()["ballots"]]
    # by proxy: owner 102's holder agrees
    proxy = counter.post(
        f"/votes/{meeting_id}/proxies",
        {"owner_id": vw.single[1].pk, "holder_name": "赵代理", "holder_id_number": HOLDER_ID},
    )
    assert proxy.status_code == 201, proxy.content
    by_proxy = counter.post(
        f"/votes/proxies/{proxy.json()['id']}/ballots",
        {"holder_id_number": HOLDER_ID, "choices": {motion_id: "yes"}},
    )
    assert by_proxy.status_code == 201, by_proxy.content
    receipts += [b["receipt"] for b in by_proxy.json()["ballots"]]
    # on paper: owner 103 disagrees, keyed in by two officers
    sheet = {
        "number": "P-001",
        "voter_key": f"owner:{vw.single[2].pk}",
        "choices": {motion_id: "no"},
    }
    assert counter.post(f"/votes/{meeting_id}/paper", sheet).status_code == 201
    assert organiser.post(f"/votes/{meeting_id}/paper", sheet).json()["state"] == "matched"
    counts = organiser.put(f"/votes/{meeting_id}/paper/counts", {"issued": 2, "returned": 1})
    assert counts.json() == {"issued": 2, "returned": 1, "entered": 1, "matched": 1}

    # during voting: turnout only
    turnout = api("owner_unit_101").get(f"/votes/motions/{motion_id}/turnout").json()
    assert turnout["participants"]["persons"] == 5
    assert (turnout["quorum_met_persons"], turnout["quorum_met_area"]) == (True, True)
    refused(api("owner_unit_101").get(f"/votes/motions/{motion_id}/result"), 400)

    # then: three days on, voting closes and the result is counted and published
    time_passes(meeting, timedelta(days=3))
    closed = organiser.post(f"/votes/{meeting_id}/close")
    assert closed.status_code == 200, closed.content
    assert organiser.post(f"/votes/{meeting_id}/publish").json()["state"] == "published"

    result = api("owner_unit_101").get(f"/votes/motions/{motion_id}/result").json()
    assert result["passed"] is True
    strict = result["strict"]
    dims = {(d["test"], d["measure"]): d for d in strict["dimensions"]}
    # 5 of 7 persons and 538.75 of 748.75 m² took part; 3 persons and 329.25 m² agreed.
    assert (dims["quorum", "persons"]["numerator"], dims["quorum", "persons"]["passed"]) == (
        5,
        True,
    )
    assert (dims["quorum", "area"]["numerator"], dims["quorum", "area"]["denominator"]) == (
        53875,
        74875,
    )
    assert dims["approval", "persons"]["numerator"] == 3
    assert dims["approval", "persons"]["boundary"] == 3  # more than half of 5
    assert dims["approval", "area"]["numerator"] == 8950 + 8950 + 15025
    assert dims["approval", "area"]["boundary"] == 53875 // 2 + 1
    assert all(d["passed"] for d in dims.values())
    assert strict["tally"]["no"]["persons"] == 1
    assert strict["tally"]["abstain"] == {"persons": 1, "area": 12000, "area_m2": "120.00"}
    assert result["deemed"] is None
    assert result["verified"] is True

    board = api("owner_other_estate")
    refused(board.get(f"/votes/motions/{motion_id}/board"), 404)
    rows = api("owner_unit_101").get(f"/votes/motions/{motion_id}/board").json()["items"]
    assert sorted(r["receipt"] for r in rows) == sorted(
        receipts + list(Ballot.objects.filter(channel="paper").values_list("receipt", flat=True))
    )
    assert {r["choice"] for r in rows} == {"yes", "no", "abstain"}
    assert Ballot.objects.filter(motion_id=motion_id, effective=True).count() == 5


# -- schema ----------------------------------------------------------------------------------

VOTING_OPERATIONS = {
    ("get", "/votes"),
    ("post", "/votes"),
    ("get", "/votes/{meeting_id}"),
    ("patch", "/votes/{meeting_id}"),
    ("post", "/votes/{meeting_id}/motions"),
    ("delete", "/votes/motions/{motion_id}"),
    ("post", "/votes/{meeting_id}/notice"),
    ("post", "/votes/{meeting_id}/open"),
    ("post", "/votes/{meeting_id}/close"),
    ("post", "/votes/{meeting_id}/publish"),
    ("post", "/votes/{meeting_id}/cancel"),
    ("post", "/votes/{meeting_id}/remind"),
    ("get", "/votes/motions/{motion_id}/roll"),
    ("post", "/votes/roll/{entry_id}/correct"),
    ("get", "/votes/motions/{motion_id}/turnout"),
    ("get", "/votes/motions/{motion_id}/result"),
    ("get", "/votes/motions/{motion_id}/board"),
    ("post", "/votes/{meeting_id}/identity"),
    ("post", "/votes/{meeting_id}/ballots"),
    ("get", "/votes/{meeting_id}/ballots/mine"),
    ("get", "/votes/{meeting_id}/proxies"),
    ("post", "/votes/{meeting_id}/proxies"),
    ("post", "/votes/proxies/{proxy_id}/revoke"),
    ("post", "/votes/proxies/{proxy_id}/ballots"),
    ("get", "/votes/{meeting_id}/paper"),
    ("post", "/votes/{meeting_id}/paper"),
    ("post", "/votes/paper/{sheet_id}/reject"),
    ("put", "/votes/{meeting_id}/paper/counts"),
    ("get", "/votes/{meeting_id}/deliveries"),
    ("post", "/votes/{meeting_id}/deliveries"),
    ("get", "/votes/fund-use-decisions"),
}


def test_openapi_lists_the_voting_operations(client, db):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    listed = {
        (method, path.removeprefix(V1))
        for path, ops in schema["paths"].items()
        if path.startswith(V1 + "/votes")
        for method, op in ops.items()
        if "votes" in op["tags"]
    }
    assert listed == VOTING_OPERATIONS
    ballot = schema["paths"][V1 + "/votes/{meeting_id}/ballots"]["post"]
    assert set(ballot["responses"]) >= {"201", "400", "403", "404"}
    assert all(op["summary"] for path, ops in schema["paths"].items() for op in ops.values()
               if path.startswith(V1 + "/votes"))  # fmt: skip
