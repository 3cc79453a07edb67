"""A motion with options (选聘 among candidate companies) through the whole product: the
organiser's form and the API, the owner's ballot, paper and proxy ballots, the count at close,
the public board, the result notice and the open verifier."""

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from anju.core.errors import DomainError
from anju.voting import evidence, services, verify
from anju.voting.models import Ballot, BallotChannel, Meeting
from anju.voting.rules import Matter
from anju.voting.tests.conftest import AFTER, DURING, NOTICE, OPENS, make_meeting
from anju.voting.tests.test_api import Api, owner_user, refused
from anju.voting.tests.test_documents import HOLDER_ID, docx_text

pytestmark = pytest.mark.django_db

OPTIONS = ["甲物业服务有限公司", "乙物业服务有限公司", "丙物业服务有限公司"]


def choice_meeting(vw, *, opens=OPENS, closes=None, notice=NOTICE, **settings) -> Meeting:
    """A draft meeting whose only motion chooses one of three companies."""
    data = {"opens_at": opens} | ({"closes_at": closes} if closes else {})
    meeting = make_meeting(vw, matters=(), **data, **settings)
    services.add_motion(
        actor=vw.organiser,
        meeting=meeting,
        title="选聘物业服务企业",
        matter=Matter.HIRE_MANAGER,
        option_labels=OPTIONS,
    )
    return meeting


def opened(vw, **settings) -> Meeting:
    meeting = choice_meeting(vw, **settings)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    meeting.refresh_from_db()
    return meeting


def vote(motion, key, choice, *, channel=BallotChannel.ONLINE, **kw):
    return services.cast(
        motion=motion,
        entry=motion.roll.get(key=key),
        choice=choice,
        channel=channel,
        now=DURING,
        **kw,
    )


def cast_scenario(vw, meeting):
    """6 of 7 voters: 甲 by single 0, single 1, 王多套 and the developer (on paper), 乙 by
    single 2 through a proxy, 李代表 abstains; 206 (no owner) does not vote."""
    motion = meeting.motions.get()
    s0, s1, _s2 = (f"owner:{o.pk}" for o in vw.single)
    vote(motion, s0, "o2")
    vote(motion, s0, "o1")  # changed their mind
    vote(motion, s1, "o1")
    vote(motion, f"owner:{vw.multi.pk}", "o1")
    vote(motion, f"owner:{vw.rep.pk}", "abstain", channel=BallotChannel.ASSISTED)
    proxy = services.record_proxy(
        actor=vw.counter,
        meeting=meeting,
        owner=vw.single[2],
        holder_name="赵代理",
        holder_id_number=HOLDER_ID,
        now=DURING,
    )
    services.cast_by_proxy(
        actor=vw.counter,
        proxy=proxy,
        holder_id_number=HOLDER_ID,
        choices={motion.pk: "o2"},
        now=DURING,
    )
    services.set_paper_counts(actor=vw.organiser, meeting=meeting, issued=1, returned=1)
    for actor in (vw.counter, vw.organiser):
        services.enter_paper(
            actor=actor,
            meeting=meeting,
            number="P-001",
            voter_key="developer",
            choices={motion.pk: "o1"},
            now=DURING,
        )
    return motion


@pytest.fixture
def counted(vw):
    meeting = opened(vw, deemed_consent=True, deemed_clause="议事规则第十八条")
    cast_scenario(vw, meeting)
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    meeting.refresh_from_db()
    return meeting


# -- setting a motion up -----------------------------------------------------------------------


def test_options_are_trimmed_and_blank_lines_dropped(vw):
    meeting = make_meeting(vw, matters=())
    motion = services.add_motion(
        actor=vw.organiser,
        meeting=meeting,
        title="选聘物业",
        matter=Matter.HIRE_MANAGER,
        option_labels="  甲公司 \n\n乙公司\n",
    )
    assert motion.option_labels == ["甲公司", "乙公司"]
    assert motion.is_choice
    assert [v for v, _label in motion.ballot_choices()] == ["o1", "o2", "abstain"]
    assert [v for v, _label in motion.ballot_choices(paper=True)][-1] == "invalid"
    plain = services.add_motion(actor=vw.organiser, meeting=meeting, title="续聘", matter=4)
    assert not plain.is_choice
    assert [v for v, _label in plain.ballot_choices()] == ["yes", "no", "abstain"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["甲公司"], "at least two"),
        (["甲公司", "甲公司"], "listed twice"),
        ([f"公司{i}" for i in range(10)], "at most 9"),
        (["甲公司", "乙" * 101], "longer than 100"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(vw, labels, message):
    meeting = make_meeting(vw, matters=())
    with translation.override("en"), pytest.raises(DomainError, match=message) as caught:
        services.add_motion(
            actor=vw.organiser,
            meeting=meeting,
            title="选聘物业",
            matter=Matter.HIRE_MANAGER,
            option_labels=labels,
        )
    assert caught.value.field == "option_labels"
    assert not meeting.motions.exists()


# -- ballots -----------------------------------------------------------------------------------


def test_a_ballot_must_name_one_of_the_options_or_abstain(vw):
    meeting = opened(vw)
    motion = meeting.motions.get()
    key = f"owner:{vw.single[0].pk}"
    for wrong in ("yes", "no", "o4", "o0", "invalid"):
        with pytest.raises(DomainError, match=str(motion.number)):
            vote(motion, key, wrong)
    assert not Ballot.objects.exists()
    ballot = vote(motion, key, "o3")
    assert ballot.get_choice_display() == f"3. {OPTIONS[2]}"


def test_the_owner_casts_through_the_api_with_the_options_it_lists(vw, settings):
    now = timezone.now()
    meeting = choice_meeting(vw, opens=now - timedelta(hours=1), closes=now + timedelta(days=2))
    services.give_notice(actor=vw.organiser, meeting=meeting, now=now - timedelta(days=20))
    services.open_voting(actor=vw.organiser, meeting=meeting, now=now - timedelta(hours=1))
    motion = meeting.motions.get()
    owner = vw.single[0]
    client = Api(owner_user(vw, vw.world.units_a[0]))

    identity = client.post(f"/votes/{meeting.pk}/identity", {"id_number": owner.id_number})
    assert identity.status_code == 200, identity.content
    offered = [c["value"] for c in identity.json()["motions"][0]["choices"]]
    assert offered == ["o1", "o2", "o3", "abstain"]
    wrong = client.post(
        f"/votes/{meeting.pk}/ballots",
        {"id_number": owner.id_number, "choices": {str(motion.pk): "yes"}},
    )
    refused(wrong, 400, field="choice")
    cast = client.post(
        f"/votes/{meeting.pk}/ballots",
        {"id_number": owner.id_number, "choices": {str(motion.pk): "o2"}},
    )
    assert cast.status_code == 201, cast.content
    assert cast.json()["ballots"][0]["choice_label"] == f"2. {OPTIONS[1]}"
    assert Ballot.objects.get(effective=True).choice == "o2"


def test_paper_sheets_may_be_blank_on_a_choice_motion(vw):
    meeting = opened(vw)
    motion = meeting.motions.get()
    with translation.override("en"), pytest.raises(DomainError, match="options"):
        services.enter_paper(
            actor=vw.counter,
            meeting=meeting,
            number="9",
            voter_key=f"owner:{vw.single[0].pk}",
            choices={motion.pk: "yes"},
            now=DURING,
        )
    for actor in (vw.counter, vw.organiser):
        services.enter_paper(
            actor=actor,
            meeting=meeting,
            number="9",
            voter_key=f"owner:{vw.single[0].pk}",
            choices={motion.pk: "invalid"},
            now=DURING,
        )
    assert Ballot.objects.get().choice == "invalid"


# -- the count ---------------------------------------------------------------------------------


def test_close_adopts_the_option_with_a_majority_in_both_dimensions(vw, counted):
    motion = counted.motions.get()
    roll = {e.key: e for e in motion.roll.all()}
    for_first = [f"owner:{vw.single[0].pk}", f"owner:{vw.single[1].pk}", f"owner:{vw.multi.pk}"]
    first_area = sum(roll[k].area for k in for_first) + roll["developer"].area
    result = motion.result
    assert result["kind"] == "choice"
    assert result["labels"] == OPTIONS
    assert result["tally"]["options"][0] == {"persons": 4, "area": first_area}
    assert result["tally"]["options"][1]["persons"] == 1
    assert result["tally"]["options"][2] == {"persons": 0, "area": 0}
    assert result["tally"]["abstain"]["persons"] == 1
    assert result["participants"]["persons"] == 6
    assert (result["chosen"], result["passed"], motion.passed) == (0, True, True)
    # Deemed consent has no yes or no to join on a choice motion: strict result only.
    assert motion.deemed_result is None
    assert services.turnout(motion).participants.persons == 6


def test_the_meeting_page_shows_each_option_and_the_adopted_one(vw, counted, client):
    client.force_login(vw.organiser)
    page = client.get(reverse("voting:meeting", args=[counted.pk]))
    body = page.content.decode()
    assert 'data-testid="chosen-option"' in body
    assert f"1. {OPTIONS[0]}" in body
    for code in ("o1", "o2", "o3"):
        assert f'data-testid="tally-{code}"' in body
        assert f'data-testid="dimension-approval-{code}-persons"' in body
    assert 'data-testid="dimension-quorum-area"' in body


def test_the_public_board_names_the_options(vw, counted, client):
    response = client.get(reverse("voting:board", args=[counted.board_token]))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"1. {OPTIONS[0]}" in body
    assert f"2. {OPTIONS[1]}" in body


def test_the_result_notice_lists_the_options_and_the_adopted_one(vw, counted):
    from anju.voting import documents

    with translation.override("en"):
        text = docx_text(documents.result_notice_docx(counted))
        notice = docx_text(documents.meeting_notice_docx(counted))
    assert f"option 1 «{OPTIONS[0]}» is adopted" in text
    assert f"3. {OPTIONS[2]} · Approval by area" in text
    assert f"2. {OPTIONS[1]}" in notice
    assert Document(io.BytesIO(documents.certificate_docx(counted))).paragraphs


def test_the_result_api_gives_each_option_and_the_adopted_one(vw, counted):
    motion = counted.motions.get()
    body = Api(vw.organiser).get(f"/votes/motions/{motion.pk}/result").json()
    assert body["strict"] is None
    assert body["verified"] is True
    choice = body["choice"]
    assert (choice["chosen"], choice["chosen_label"], choice["passed"]) == (1, OPTIONS[0], True)
    assert [o["value"] for o in choice["options"]] == ["o1", "o2", "o3"]
    assert [o["passed"] for o in choice["options"]] == [True, False, False]
    assert choice["options"][0]["votes"]["persons"] == 4
    assert {d["measure"] for d in choice["quorum"]} == {"persons", "area"}
    assert choice["explanation"][-1]


def test_the_api_adds_a_motion_with_options_and_refuses_bad_ones(vw):
    now = timezone.now()
    meeting = make_meeting(
        vw, matters=(), opens_at=now + timedelta(days=17), closes_at=now + timedelta(days=20)
    )
    client = Api(vw.organiser)
    path = f"/votes/{meeting.pk}/motions"
    good = {"title": "选聘物业", "matter": Matter.HIRE_MANAGER, "option_labels": OPTIONS[:2]}
    made = client.post(path, good)
    assert made.status_code == 201, made.content
    assert made.json()["option_labels"] == OPTIONS[:2]
    assert [c["value"] for c in made.json()["choices"]] == ["o1", "o2", "abstain"]
    refused(
        client.post(path, good | {"option_labels": ["甲"]}),
        400,
        "A motion with options needs at least two; leave them empty for agree / disagree.",
        "option_labels",
    )
    assert meeting.motions.count() == 1


def test_the_verifier_recounts_a_choice_motion_and_catches_a_moved_ballot(vw, counted):
    motion = counted.motions.get()
    data = json.loads(evidence.export_json(evidence.motion_export(motion)))
    assert data["motion"]["option_labels"] == OPTIONS
    report = verify.verify_export(data)
    assert report.ok, report.text()

    forged = json.loads(json.dumps(data))
    line = next(row for row in forged["board"] if row["choice"] == "o2")
    line["choice"] = "o3"
    prev = verify.board_genesis(forged["motion"]["id"], forged["roll_hash"], OPTIONS)
    for row in forged["board"]:  # a careful forger rechains the board
        row["prev_hash"] = prev
        row["hash"] = prev = verify.board_line_hash(prev, row)
    forged["board_head"] = prev
    problems = [c.en for c in verify.verify_export(forged).problems]
    assert any("tally" in p for p in problems)

    relabelled = json.loads(json.dumps(data))
    relabelled["motion"]["option_labels"] = OPTIONS[:2]
    assert not verify.verify_export(relabelled).ok

    # swapping two companies' names everywhere the export states them breaks the chain: the
    # options are hashed into its start
    swapped = json.loads(json.dumps(data))
    labels = [OPTIONS[1], OPTIONS[0], OPTIONS[2]]
    swapped["motion"]["option_labels"] = labels
    swapped["result"]["labels"] = labels
    for record in swapped["result"]["per_option"]:
        assert "labels" not in record
    problems = [c.en for c in verify.verify_export(swapped).problems]
    assert any("hash chain" in p for p in problems), problems


def test_the_evidence_pack_proves_the_count_of_a_choice_motion(vw, counted):
    import zipfile

    motion = counted.motions.get()
    pack = zipfile.ZipFile(io.BytesIO(evidence.evidence_pack(counted)))
    proofs = [n for n in pack.namelist() if "tally" in n and n.endswith(".json")]
    assert proofs, pack.namelist()
    proof = json.loads(pack.read(proofs[0]))
    assert proof["recount_matches_stored"] is True
    assert proof["recount_from_ballots"]["options"][0]["persons"] == 4
    assert proof["verification"]["ok"] is True
    assert proof["result"]["chosen"] == 0
    assert motion.board.count() == 6


# -- pages -------------------------------------------------------------------------------------


def test_the_organiser_adds_options_on_the_motion_form(vw, client):
    meeting = make_meeting(vw, matters=())
    client.force_login(vw.organiser)
    url = reverse("voting:motion_create", args=[meeting.pk])
    assert 'data-testid="option-labels"' in client.get(url).content.decode()
    bad = client.post(
        url, {"title": "选聘", "matter": "4", "electorate": "estate", "option_labels": "甲\n甲"}
    )
    assert bad.status_code == 400
    assert 'data-testid="error-option_labels"' in bad.content.decode()
    assert not meeting.motions.exists()
    made = client.post(
        url,
        {"title": "选聘", "matter": "4", "electorate": "estate", "option_labels": "甲\n乙\n"},
    )
    assert made.status_code == 302
    assert meeting.motions.get().option_labels == ["甲", "乙"]


def test_the_owner_chooses_an_option_on_the_ballot_page(vw, client):
    now = timezone.now()
    meeting = choice_meeting(vw, opens=now - timedelta(hours=1), closes=now + timedelta(days=2))
    services.give_notice(actor=vw.organiser, meeting=meeting, now=now - timedelta(days=20))
    services.open_voting(actor=vw.organiser, meeting=meeting, now=now - timedelta(hours=1))
    motion = meeting.motions.get()
    client.force_login(vw.world.people.owner_unit_101)
    url = reverse("voting:ballot", args=[meeting.pk])
    client.post(url, {"step": "verify", "id_number": vw.single[0].id_number})

    page = client.get(url).content.decode()
    for i, label in enumerate(OPTIONS, start=1):
        assert f'data-testid="choice-o{i}"' in page
        assert f"{i}. {label}" in page
    assert 'data-testid="choice-yes"' not in page
    wrong = client.post(url, {"step": "cast", f"motion_{motion.pk}": "yes"})
    assert wrong.status_code == 400
    assert not Ballot.objects.exists()
    client.post(url, {"step": "cast", f"motion_{motion.pk}": "o3"})
    assert Ballot.objects.get(effective=True).choice == "o3"
    assert f"3. {OPTIONS[2]}" in client.get(reverse("voting:mine")).content.decode()
