"""Downloads of a counted meeting and its public, masked bulletin board (voting.md §3 item 4).

- The result notice and the counting certificate (Word) and a motion's export (JSON): for
  anyone who may view the meeting, once it is closed.
- The evidence pack (zip): for those who organise or supervise the meeting.
- The board: public, no login; the unguessable token in the address is the key. It shows
  masked voters, receipts and the hash chain, and offers the export so anyone can run the
  verifier. When the meeting keeps choices off the board, the board shows a commitment to
  each choice and only the start of each receipt, and the export is not public.
"""

import hashlib
import tempfile

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from anju.accounts.roles import Action
from anju.voting import documents, evidence, rules
from anju.voting.access import meeting_policy
from anju.voting.models import Meeting, MeetingState, Motion

COUNTED = (MeetingState.CLOSED, MeetingState.PUBLISHED)
FINISHED = (*COUNTED, MeetingState.CANCELLED)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECEIPT_SHOWN = 6  # characters of a receipt shown when the board hides choices


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _counted(request, pk) -> Meeting:
    meeting = meeting_policy.get(request.user, pk, qs=Meeting.objects.select_related("estate"))
    if meeting.state not in COUNTED:
        raise Http404
    return meeting


def _reviews(user, meeting: Meeting) -> bool:
    """Organisers and supervisors see the full records of a meeting in their scope."""
    return meeting_policy.can(user, Action.VOTES_ORGANISE, meeting) or meeting_policy.can(
        user, Action.VOTES_SUPERVISE, meeting
    )


def _board_url(request, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("voting:board", args=[meeting.board_token]))


@require_safe
def notice_docx(request, pk: int):
    """The notice of the meeting, for everyone who sees the meeting, once it was noticed."""
    meeting = meeting_policy.get(request.user, pk, qs=Meeting.objects.select_related("estate"))
    if meeting.noticed_at is None:
        raise Http404
    return _download(
        documents.meeting_notice_docx(meeting), DOCX, f"meeting-{meeting.pk}-notice.docx"
    )


@require_safe
def result_docx(request, pk: int):
    meeting = _counted(request, pk)
    content = documents.result_notice_docx(meeting, board_url=_board_url(request, meeting))
    return _download(content, DOCX, f"meeting-{meeting.pk}-result.docx")


@require_safe
def certificate_docx(request, pk: int):
    meeting = _counted(request, pk)
    return _download(
        documents.certificate_docx(meeting), DOCX, f"meeting-{meeting.pk}-certificate.docx"
    )


def _export_response(motion: Motion) -> HttpResponse:
    content = evidence.export_json(evidence.motion_export(motion))
    name = f"meeting-{motion.meeting_id}-motion-{motion.number}-export.json"
    return _download(content, "application/json", name)


@require_safe
def motion_export(request, pk: int):
    meetings = meeting_policy.visible(request.user)
    motion = (
        Motion.objects.select_related("meeting__estate")
        .filter(meeting__in=meetings, meeting__state__in=COUNTED, pk=pk)
        .first()
    )
    if motion is None:
        raise Http404
    if not motion.meeting.board_shows_choice and not _reviews(request.user, motion.meeting):
        raise Http404
    return _export_response(motion)


@require_safe
def evidence_pack(request, pk: int):
    meeting = Meeting.objects.select_related("estate").filter(pk=pk).first()
    if meeting is None or meeting.state not in FINISHED or not _reviews(request.user, meeting):
        raise Http404
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    evidence.write_evidence_pack(meeting, spool)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"meeting-{meeting.pk}-evidence.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# -- the public board ---------------------------------------------------------------------------


def choice_commitment(choice: str, receipt: str) -> str:
    """What the board shows instead of a hidden choice: SHA-256 of "choice|receipt". Only the
    holder of the full receipt can tie it to a choice, since the board shows a receipt's
    start only."""
    return hashlib.sha256(f"{choice}|{receipt}".encode()).hexdigest()


def _board_rows(motion: Motion, meeting: Meeting, receipt: str) -> tuple[list[dict], dict | None]:
    rows, hit = [], None
    for entry in motion.board.order_by("seq"):
        mine = bool(receipt) and entry.receipt == receipt
        row = {
            "seq": entry.seq,
            "voter": entry.voter,
            "area": rules.format_area(entry.area),
            "hash": entry.hash[:12],
            "mine": mine,
        }
        if meeting.board_shows_choice:
            row["choice"] = motion.choice_label(entry.choice)
            row["receipt"] = entry.receipt
        else:
            row["commitment"] = choice_commitment(entry.choice, entry.receipt)[:16]
            row["receipt"] = entry.receipt[:RECEIPT_SHOWN] + "…"
            if mine:
                # The receipt's holder may see the choice the commitment hides.
                row["choice"] = motion.choice_label(entry.choice)
        if mine:
            hit = {"motion": motion, "row": row}
        rows.append(row)
    return rows, hit


def _summary(motion: Motion) -> dict | None:
    result = motion.result
    if result is None:
        return None
    tally = result["tally"]
    if result.get("kind") == "choice":
        sums = documents.choice_sums(result)
        dims = documents.choice_dimensions(result)
    else:
        sums = [(documents.choice_label(c), tally[c]) for c in documents.CHOICE_ORDER]
        dims = [("", d) for d in result["dimensions"]]
    return {
        "verdict": documents.verdict_text(result),
        "passed": result["passed"],
        "lines": [
            {
                "label": label,
                "persons": f"{counts['persons']:,}",
                "area": rules.format_area(counts["area"]),
            }
            for label, counts in sums
        ],
        "participants": {
            "persons": f"{result['participants']['persons']:,}",
            "area": rules.format_area(result["participants"]["area"]),
        },
        "electorate": {
            "persons": f"{tally['electorate']['persons']:,}",
            "area": rules.format_area(tally["electorate"]["area"]),
        },
        "dimensions": [
            {
                "label": prefix + documents.dimension_label(d["test"], d["measure"]),
                "rule": documents.rule_text(d["threshold"]),
                "counted": documents.measure_text(d["measure"], d["numerator"]),
                "base": documents.measure_text(d["measure"], d["denominator"]),
                "boundary": documents.measure_text(d["measure"], d["boundary"]),
                "outcome": documents.outcome_text(d["test"], d["passed"]),
                "passed": d["passed"],
            }
            for prefix, d in dims
        ],
    }


@login_not_required
@require_safe
def board(request, token: str):
    meeting = Meeting.objects.select_related("estate").filter(board_token=token).first()
    if meeting is None or meeting.state not in COUNTED:
        raise Http404
    motions = list(meeting.motions.order_by("number"))
    if request.GET.get("format") == "json":
        if not meeting.board_shows_choice:
            raise Http404
        wanted = request.GET.get("motion")
        if wanted is None and len(motions) == 1:
            return _export_response(motions[0])
        motion = next((m for m in motions if str(m.pk) == wanted), None)
        if motion is None:
            raise Http404
        return _export_response(motion)
    receipt = request.GET.get("receipt", "").strip().upper()[:24]
    sections, hit = [], None
    for motion in motions:
        rows, found = _board_rows(motion, meeting, receipt)
        hit = hit or found
        sections.append(
            {
                "motion": motion,
                "matter": rules.Matter(motion.matter).label,
                "summary": _summary(motion),
                "deemed": documents.deemed_text(motion.deemed_result)
                if meeting.deemed_consent
                else "",
                "rows": rows,
                "export": f"?format=json&motion={motion.pk}" if meeting.board_shows_choice else "",
            }
        )
    context = {
        "meeting": meeting,
        "sections": sections,
        "receipt": receipt,
        "hit": hit,
        "rule_set": documents.rule_set_name(meeting.rule_set_code),
        "shows_choice": meeting.board_shows_choice,
    }
    return render(request, "voting/board.html", context)
