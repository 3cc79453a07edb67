"""Downloads of a counted meeting and the public board: in scope 200, out of scope 404, the
board public without a login and only once the meeting is counted."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from docx import Document

from anju.voting import services, verify
from anju.voting.download_views import RECEIPT_SHOWN, choice_commitment
from anju.voting.models import BoardEntry
from anju.voting.tests.conftest import AFTER, NOTICE, make_meeting
from anju.voting.tests.test_documents import closed_meeting, opened

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def counted(vw):
    return closed_meeting(vw)


def _get(client, user, url, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


# -- the Word documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["voting:result_docx", "voting:certificate_docx", "voting:notice_docx"]
)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("street_a_officer", 200),  # organises in street A
        ("committee_a_member", 200),  # the estate's committee
        ("district_admin", 200),  # supervises the district
        ("owner_unit_101", 200),  # an owner of the estate may read the result
        ("street_b_officer", 404),  # the neighbouring street
        ("neighbour_admin", 404),  # another district
        ("owner_other_estate", 404),
        ("company_x_manager", 404),  # no voting role at all
    ],
)
def test_documents_are_scoped(client, vw, counted, name, persona, status):
    user = getattr(vw.world.people, persona)
    response = _get(client, user, reverse(name, args=[counted.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == DOCX
        assert response["Content-Disposition"].startswith("attachment;")
        Document(io.BytesIO(response.content))  # opens


def test_result_notice_names_the_absolute_board_address(client, vw, counted):
    response = _get(client, vw.organiser, reverse("voting:result_docx", args=[counted.pk]))
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"http://testserver/votes/board/{counted.board_token}/" in text


@pytest.mark.parametrize(
    "name", ["voting:result_docx", "voting:certificate_docx", "voting:evidence"]
)
def test_documents_are_404_before_close(client, vw, name):
    meeting = opened(vw)
    assert _get(client, vw.organiser, reverse(name, args=[meeting.pk])).status_code == 404


def test_documents_need_a_login(client, counted):
    response = _get(client, None, reverse("voting:result_docx", args=[counted.pk]))
    assert response.status_code == 302


# -- the motion's export -------------------------------------------------------------------------


def test_export_in_scope_is_a_verifiable_json(client, vw, counted):
    motion = counted.motions.get(number=1)
    response = _get(
        client, vw.world.people.district_admin, reverse("voting:export", args=[motion.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert verify.verify_export(json.loads(response.content)).ok


@pytest.mark.parametrize("persona", ["street_b_officer", "neighbour_admin", "owner_other_estate"])
def test_export_out_of_scope_is_404(client, vw, counted, persona):
    motion = counted.motions.get(number=1)
    user = getattr(vw.world.people, persona)
    assert _get(client, user, reverse("voting:export", args=[motion.pk])).status_code == 404


def test_export_before_close_is_404(client, vw):
    motion = opened(vw).motions.get(number=1)
    assert _get(client, vw.organiser, reverse("voting:export", args=[motion.pk])).status_code == 404


def test_export_of_hidden_choices_is_for_organisers_and_supervisors(client, vw):
    meeting = closed_meeting(vw, board_shows_choice=False)
    url = reverse("voting:export", args=[meeting.motions.get(number=1).pk])
    assert _get(client, vw.world.people.owner_unit_101, url).status_code == 404
    assert _get(client, vw.organiser, url).status_code == 200
    assert _get(client, vw.world.people.auditor, url).status_code == 200


# -- the evidence pack ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("street_a_officer", 200),  # organises
        ("committee_a_member", 200),  # organises its own estate
        ("district_admin", 200),  # supervises
        ("auditor", 200),  # supervises
        ("owner_unit_101", 404),  # may view, neither organises nor supervises
        ("community_a1_worker", 200),  # organises in its community
        ("street_b_officer", 404),
        ("neighbour_admin", 404),
    ],
)
def test_evidence_pack_is_for_organisers_and_supervisors(client, vw, counted, persona, status):
    user = getattr(vw.world.people, persona)
    response = _get(client, user, reverse("voting:evidence", args=[counted.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"
        pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        assert "manifest.json" in pack.namelist()
        assert "motions/motion-2-export.json" in pack.namelist()


def test_evidence_pack_of_a_cancelled_meeting(client, vw):
    meeting = opened(vw)
    services.cancel(actor=vw.organiser, meeting=meeting, reason="程序瑕疵", now=AFTER)
    response = _get(client, vw.organiser, reverse("voting:evidence", args=[meeting.pk]))
    assert response.status_code == 200


def test_unknown_meeting_is_404(client, vw):
    for name in ("voting:result_docx", "voting:certificate_docx", "voting:evidence"):
        assert _get(client, vw.organiser, reverse(name, args=[999999])).status_code == 404
    assert _get(client, vw.organiser, reverse("voting:export", args=[999999])).status_code == 404


# -- the public board ----------------------------------------------------------------------------


def _board(meeting) -> str:
    return reverse("voting:board", args=[meeting.board_token])


def test_board_is_public_and_masked(client, vw, counted):
    response = _get(client, None, _board(counted))
    assert response.status_code == 200
    html = response.content.decode()
    for motion in counted.motions.all():
        assert motion.board_head in html
        assert motion.roll_hash in html
        for line in motion.board.all():
            assert line.receipt in html
            assert line.voter in html
            assert line.hash[:12] in html
    for owner in [*vw.single, vw.multi, vw.rep]:
        assert owner.name not in html
        assert owner.phone not in html
    assert "479.25" in html  # the agreeing area of motion 1
    assert 'name="viewport"' in html


def test_board_receipt_search_highlights_the_voters_line(client, vw, counted):
    line = BoardEntry.objects.filter(motion__meeting=counted).order_by("motion__number", "seq")[2]
    response = _get(client, None, _board(counted), receipt=line.receipt.lower())
    html = response.content.decode()
    assert f'id="m{line.motion_id}-{line.seq}" class="mine"' in html
    assert html.count('class="mine"') == 1
    missing = _get(client, None, _board(counted), receipt="NOTAREALRECEIPT").content.decode()
    assert 'class="mine"' not in missing
    assert "notice missing" in missing


def test_board_is_404_before_close_and_for_unknown_tokens(client, vw):
    meeting = opened(vw)
    assert _get(client, None, _board(meeting)).status_code == 404
    assert _get(client, None, reverse("voting:board", args=["nope"])).status_code == 404


def test_board_after_publication(client, vw, counted):
    services.publish(actor=vw.organiser, meeting=counted, now=AFTER)
    assert _get(client, None, _board(counted)).status_code == 200


def test_board_offers_the_export_publicly(client, vw, counted):
    motion = counted.motions.get(number=2)
    response = _get(client, None, _board(counted), format="json", motion=str(motion.pk))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["motion"]["id"] == motion.pk
    assert verify.verify_export(data).ok
    html = _get(client, None, _board(counted)).content.decode()
    assert f"?format=json&amp;motion={motion.pk}" in html
    # A motion of another meeting is not reachable through this board.
    other = closed_meeting(vw).motions.get(number=1)
    assert (
        _get(client, None, _board(counted), format="json", motion=str(other.pk)).status_code == 404
    )


def test_board_hiding_choices_shows_commitments_and_no_public_export(client, vw):
    meeting = closed_meeting(vw, board_shows_choice=False)
    html = _get(client, None, _board(meeting)).content.decode()
    line = BoardEntry.objects.filter(motion__meeting=meeting).first()
    assert choice_commitment(line.choice, line.receipt)[:16] in html
    assert line.receipt not in html
    assert line.receipt[:RECEIPT_SHOWN] in html
    assert "?format=json" not in html
    assert _get(client, None, _board(meeting), format="json").status_code == 404
    # The holder of the receipt sees their own line and its choice.
    mine = _get(client, None, _board(meeting), receipt=line.receipt).content.decode()
    assert 'class="mine"' in mine


def test_the_notice_is_there_once_notice_was_given(client, vw):
    meeting = make_meeting(vw)
    url = reverse("voting:notice_docx", args=[meeting.pk])
    assert _get(client, vw.organiser, url).status_code == 404  # a draft has no notice yet
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    response = _get(client, vw.organiser, url)
    assert response.status_code == 200
    assert "2026年第一次业主大会" in "\n".join(
        p.text for p in Document(io.BytesIO(response.content)).paragraphs
    )
