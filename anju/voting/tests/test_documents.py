"""The result notice, the counting certificate and the evidence pack of a counted meeting.

``closed_meeting`` builds the scenario the other download and verifier tests share: estate A
with 7 voters, two motions (hire a manager: majority; raise the fund: 3/4), ballots online,
changed online, by proxy, assisted and on paper, then closed and counted.
"""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from anju.voting import documents, evidence, services
from anju.voting.models import BallotChannel, Meeting
from anju.voting.rules import Matter
from anju.voting.tests.conftest import AFTER, DURING, NOTICE, OPENS, make_meeting

pytestmark = pytest.mark.django_db

HOLDER_ID = "510104199001011234"


def opened(vw, **settings) -> Meeting:
    meeting = make_meeting(vw, matters=(Matter.HIRE_MANAGER, Matter.RAISE_FUND), **settings)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    meeting.refresh_from_db()
    return meeting


def entry(meeting: Meeting, motion, key: str):
    return motion.roll.get(key=key)


def vote(motion, key, choice, *, channel=BallotChannel.ONLINE, now=DURING, **kw):
    return services.cast(
        motion=motion,
        entry=motion.roll.get(key=key),
        choice=choice,
        channel=channel,
        now=now,
        **kw,
    )


def cast_scenario(vw, meeting: Meeting) -> None:
    """6 of 7 voters take part on both motions: 4 agree (single 0 after changing their mind,
    single 1, 王多套 and the developer on paper), single 2 disagrees by proxy, 李代表 abstains
    with assistance; 206 (no registered owner) does not vote."""
    m1, m2 = meeting.motions.order_by("number")
    s0, s1, s2 = (f"owner:{o.pk}" for o in vw.single)
    for m in (m1, m2):
        vote(m, s0, "no", ip="10.0.0.1", device="dev-a")
        vote(m, s0, "yes", ip="10.0.0.1", device="dev-a", now=DURING + timedelta(hours=1))
        vote(m, s1, "yes", ip="10.0.0.2", device="dev-b")
        vote(m, f"owner:{vw.multi.pk}", "yes", ip="10.0.0.3", device="dev-c")
        vote(m, f"owner:{vw.rep.pk}", "abstain", channel=BallotChannel.ASSISTED, actor=vw.counter)
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
        choices={m1.pk: "no", m2.pk: "no"},
        now=DURING,
    )
    assert s2
    services.set_paper_counts(actor=vw.organiser, meeting=meeting, issued=3, returned=1)
    for actor in (vw.counter, vw.organiser):
        services.enter_paper(
            actor=actor,
            meeting=meeting,
            number="P-001",
            voter_key="developer",
            choices={m1.pk: "yes", m2.pk: "yes"},
            now=DURING,
        )


def closed_meeting(vw, **settings) -> Meeting:
    meeting = opened(vw, **settings)
    cast_scenario(vw, meeting)
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    meeting.refresh_from_db()
    return meeting


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts.extend(
        " | ".join(cell.text for cell in row.cells) for table in doc.tables for row in table.rows
    )
    return "\n".join(parts)


@pytest.fixture
def counted(vw):
    return closed_meeting(vw)


# -- the scenario itself -------------------------------------------------------------------------


def test_the_scenario_counts_as_expected(counted):
    m1, m2 = counted.motions.order_by("number")
    # 6 of 7 persons take part; 4 agree with 2·8950 + 15025 + 15000 = 47925 of 68875.
    assert m1.result["participants"] == {"persons": 6, "area": 68875}
    assert m1.result["tally"]["yes"] == {"persons": 4, "area": 47925}
    assert (m1.passed, m2.passed) == (True, False)  # 4·4 = 16 < 3·6 = 18 for the 3/4 matter


# -- the notice of the result --------------------------------------------------------------------


def test_result_notice_shows_every_dimension_of_every_motion(counted):
    # when
    content = documents.result_notice_docx(counted, board_url="https://anju.example/b/x/")
    # then
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = docx_text(content)
    for needle in (
        counted.estate.name,
        counted.title,
        "议题1",
        "议题2",
        "civil-code",
        "民法典第二百七十八条第二款",
        "6 / 7",  # quorum by headcount
        "688.75 m² / 748.75 m²",  # quorum by area
        "4 / 6",  # approval by headcount
        "479.25 m² / 688.75 m²",  # approval by area
        "499.17 m²",  # smallest area meeting 2/3 of 748.75 m²
        "344.38 m²",  # more than 1/2 of 688.75 m²: 344.38
        "516.57 m²",  # at least 3/4 of 688.75 m²: 516.5625 rounded up
        "https://anju.example/b/x/",
        "2026-11-28",
    ):
        assert needle in text, needle


def test_result_notice_puts_the_deemed_result_beside_the_strict_one(vw):
    meeting = closed_meeting(vw, deemed_consent=True, deemed_clause="议事规则第十八条")
    m1 = meeting.motions.get(number=1)
    assert m1.deemed_result is not None
    text = docx_text(documents.result_notice_docx(meeting))
    assert "议事规则第十八条" in text
    # Every dimension row carries both results: 8 cells.
    doc = Document(io.BytesIO(documents.result_notice_docx(meeting)))
    widths = {len(t.columns) for t in doc.tables}
    assert 8 in widths
    # Everyone with a delivered notice voted, so nobody is added: the deemed result equals
    # the strict one and is reported all the same.
    deemed = documents.deemed_decision(m1.deemed_result)
    assert m1.deemed_result["direction"] == "yes"
    assert deemed["dimensions"][0]["numerator"] == 6
    assert text.count("6 / 7") >= 2


def test_result_notice_of_an_uncounted_motion_says_so(vw):
    meeting = opened(vw)
    assert documents.verdict_text(None) in docx_text(documents.result_notice_docx(meeting))


# -- the certificate -----------------------------------------------------------------------------


def test_certificate_lists_channels_paper_hashes_and_signature_lines(counted):
    text = docx_text(documents.certificate_docx(counted))
    m1, m2 = counted.motions.order_by("number")
    counts = documents.channel_counts(counted)
    assert counts[m1.pk][BallotChannel.ONLINE] == 3
    assert counts[m1.pk][BallotChannel.PAPER] == 1
    assert counts[m1.pk][BallotChannel.PROXY] == 1
    assert counts[m1.pk][BallotChannel.ASSISTED] == 1
    assert counts[m1.pk]["superseded"] == 1
    # motion | online | paper | assisted | proxy | counted | superseded
    assert "1 | 3 | 1 | 1 | 1 | 6 | 1" in text
    assert "2 | 3 | 1 | 1 | 1 | 6 | 1" in text
    # issued | returned | entered | matched | rejected | mismatches
    assert "3 | 1 | 1 | 1 | 0 | 0" in text
    for motion in (m1, m2):
        assert motion.roll_hash in text
        assert motion.board_head in text
    doc = Document(io.BytesIO(documents.certificate_docx(counted)))
    signatures = doc.tables[-1]
    assert len(signatures.rows) == 6  # header, 2 counters, 2 scrutineers, the convener's


# -- the evidence pack ---------------------------------------------------------------------------


EXPECTED = {
    "README.txt",
    "manifest.json",
    "SHA256SUMS",
    "meeting.json",
    "meeting-notice.docx",
    "rule_set.json",
    "roll.csv",
    "roll_units.csv",
    "roll_changes.csv",
    "deliveries.csv",
    "ballots.csv",
    "proxies.csv",
    "paper_sheets.csv",
    "audit_log.csv",
    "evidence.xlsx",
    "result-notice.docx",
    "certificate.docx",
    *(
        f"motions/motion-{n}-{kind}"
        for n in (1, 2)
        for kind in ("export.json", "tally-proof.json", "board.csv")
    ),
}


def _csv(pack: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(pack.read(name).decode("utf-8-sig"))))


def test_meeting_notice_names_each_motion_with_its_thresholds(counted):
    text = docx_text(documents.meeting_notice_docx(counted))
    assert counted.estate.name in text
    assert "议题1" in text
    assert "议题2" in text
    # The ordinary matter: more than half; raising the fund: at least 3/4; both need 2/3 to
    # take part (Civil Code art. 278).
    assert text.count("2/3") >= 2
    assert "1/2" in text
    assert "3/4" in text
    assert "第二百七十八条" in text
    assert services.precedence_text(counted) in text


def test_evidence_pack_holds_every_file_with_matching_hashes(counted):
    pack = zipfile.ZipFile(io.BytesIO(evidence.evidence_pack(counted)))
    names = set(pack.namelist())
    assert names >= EXPECTED
    manifest = json.loads(pack.read("manifest.json"))
    listed = {f["name"] for f in manifest["files"]}
    assert listed == names - {"manifest.json", "SHA256SUMS"}
    for f in manifest["files"]:
        content = pack.read(f["name"])
        assert hashlib.sha256(content).hexdigest() == f["sha256"], f["name"]
        assert len(content) == f["size"]
    sums = dict(
        reversed(line.split("  ", 1)) for line in pack.read("SHA256SUMS").decode().splitlines()
    )
    assert sums["manifest.json"] == hashlib.sha256(pack.read("manifest.json")).hexdigest()
    readme = pack.read("README.txt").decode("utf-8-sig")
    for name in EXPECTED - {"README.txt", "manifest.json", "SHA256SUMS"}:
        assert name in readme, name


def test_evidence_pack_contents_are_complete_and_masked(counted, vw):
    pack = zipfile.ZipFile(io.BytesIO(evidence.evidence_pack(counted)))
    ballots = _csv(pack, "ballots.csv")
    # 2 motions × (4 online incl. one superseded, assisted, proxy, paper) = 14 ballots.
    assert len(ballots) == 14
    assert sum(b["effective"] == "False" for b in ballots) == 2
    assert {b["ip_network"] for b in ballots if b["ip_network"]} == {"10.0.0.*"}
    proxies = _csv(pack, "proxies.csv")
    assert len(proxies) == 1
    assert proxies[0]["holder_id_number"] == "5101**********1234"
    everything = b"".join(
        pack.read(n) for n in pack.namelist() if not n.endswith((".docx", ".xlsx"))
    )
    assert HOLDER_ID.encode() not in everything
    for owner in vw.single:
        assert owner.id_number.encode() not in everything
        assert owner.phone.encode() not in everything
        assert owner.name.encode() not in everything
    paper = _csv(pack, "paper_sheets.csv")
    assert [p["number"] for p in paper] == ["P-001"]
    audit = {row["action"] for row in _csv(pack, "audit_log.csv")}
    assert {
        "voting.meeting.notice",
        "voting.meeting.open",
        "voting.meeting.close",
        "voting.proxy.record",
        "voting.paper.matched",
        "voting.motion.create",
    } <= audit
    changes = _csv(pack, "roll_changes.csv")
    assert {c["kind"] for c in changes} == {"built", "frozen"}
    assert len(_csv(pack, "deliveries.csv")) == 6
    proof = json.loads(pack.read("motions/motion-1-tally-proof.json"))
    assert proof["recount_matches_stored"] is True
    assert proof["verification"]["ok"] is True
    rule_set = json.loads(pack.read("rule_set.json"))
    assert rule_set["code"] == "civil-code"
    assert rule_set["approval"]["6"]["num"] == 3


def test_evidence_pack_of_a_cancelled_meeting_has_no_result_documents(vw):
    meeting = opened(vw)
    services.cancel(actor=vw.organiser, meeting=meeting, reason="召集程序有误", now=DURING)
    meeting.refresh_from_db()
    pack = zipfile.ZipFile(io.BytesIO(evidence.evidence_pack(meeting)))
    assert "result-notice.docx" not in pack.namelist()
    assert "motions/motion-1-export.json" in pack.namelist()


def test_motion_export_is_json_and_carries_what_the_verifier_needs(counted):
    motion = counted.motions.get(number=1)
    data = json.loads(evidence.export_json(evidence.motion_export(motion)))
    assert data["format"] == "anju-vote-export"
    assert data["motion"]["rule_set"] == {"code": "civil-code", "version": 1}
    assert data["motion"]["options"] == {"invalid_counts_as_participation": False}
    assert len(data["roll"]) == 7
    assert all(set(r) == {"key", "persons", "area", "excluded", "units"} for r in data["roll"])
    assert len(data["board"]) == 6
    assert data["board_head"] == motion.board_head == data["board"][-1]["hash"]
    assert data["result"] == motion.result
    # No names in the export: board voters are masked.
    assert all("**" in row["voter"] for row in data["board"])


def test_evidence_pack_carries_stored_receipts_and_lists_unreadable_ones(vw, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    meeting = opened(vw)
    photo = SimpleUploadedFile("receipt.jpg", b"\xff\xd8photo-of-a-signed-receipt")
    kept = services.record_delivery(
        actor=vw.counter,
        meeting=meeting,
        voter_key=f"owner:{vw.rep.pk}",
        channel="paper",
        evidence=photo,
    )
    lost = services.record_delivery(
        actor=vw.counter,
        meeting=meeting,
        voter_key=f"owner:{vw.multi.pk}",
        channel="paper",
        evidence=SimpleUploadedFile("lost.jpg", b"gone"),
    )
    lost.evidence.storage.delete(lost.evidence.name)
    services.close_voting(actor=vw.organiser, meeting=meeting, now=AFTER)
    pack = zipfile.ZipFile(io.BytesIO(evidence.evidence_pack(meeting)))
    stored = [n for n in pack.namelist() if n.startswith("files/deliveries/")]
    assert stored == [f"files/deliveries/{kept.pk}-{kept.evidence.name.rsplit('/', 1)[-1]}"]
    assert pack.read(stored[0]) == b"\xff\xd8photo-of-a-signed-receipt"
    manifest = {f["name"]: f["sha256"] for f in json.loads(pack.read("manifest.json"))["files"]}
    assert manifest[stored[0]] == hashlib.sha256(pack.read(stored[0])).hexdigest()
    assert lost.evidence.name in pack.read("README.txt").decode("utf-8-sig")
