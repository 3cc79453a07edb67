"""Printable Word documents of a counted meeting (voting.md §3 items 1, 4 and 6).

- ``result_notice_docx``: the notice of the voting result (表决结果公告). Per motion it shows
  every tested dimension with numerator, denominator, boundary and outcome, and the
  deemed-consent result beside the strict one when the rules of procedure allow it (§1.5).
- ``certificate_docx``: the certificate of counting and scrutiny (计票监票证明) the counting
  team signs: ballots per channel, the paper reconciliation, the roll hash and board head of
  every motion.

Both are built from the stored results (``Motion.result`` and ``Motion.deemed_result``), never
from a fresh count, so the paper says exactly what was published.
"""

from collections import Counter
from io import BytesIO

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from anju.voting import rules
from anju.voting.models import Ballot, BallotChannel, Choice, Meeting, Motion, PaperSheet

FONT = "SimSun"  # 宋体: present on every Chinese Windows and most print shops
HEADING_FONT = "SimHei"

CHOICE_ORDER = ("yes", "no", "abstain", "invalid")


# -- formatting ------------------------------------------------------------------------------


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _day(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else "—"


def area_text(cents: int) -> str:
    return f"{rules.format_area(cents)} m²"


def measure_text(measure: str, value: int) -> str:
    return area_text(value) if measure == "area" else f"{value:,}"


def dimension_label(test: str, measure: str) -> str:
    labels = {
        ("quorum", "persons"): _("Quorum by headcount"),
        ("quorum", "area"): _("Quorum by area"),
        ("approval", "persons"): _("Approval by headcount"),
        ("approval", "area"): _("Approval by area"),
    }
    return labels[(test, measure)]


def outcome_text(test: str, passed: bool) -> str:
    if test == "quorum":
        return pgettext("vote test", "met") if passed else pgettext("vote test", "not met")
    return pgettext("vote test", "passed") if passed else pgettext("vote test", "failed")


def rule_text(threshold: dict) -> str:
    """'at least 2/3' or 'more than 1/2' of a stored threshold."""
    return rules.Threshold(**threshold).describe()


def choice_label(choice: str) -> str:
    return str(dict(Choice.choices).get(choice, choice))


def verdict_text(result: dict | None) -> str:
    if result is None:
        return _("Not counted.")
    if result.get("kind") == "choice":
        if result["chosen"] is not None:
            return _("Passed: option %(n)d «%(label)s» is adopted.") % {
                "n": result["chosen"] + 1,
                "label": result["labels"][result["chosen"]],
            }
        if result["quorum_met"] and result.get("tied"):
            return _("Not passed: more than one option reached the required approval.")
        if result["quorum_met"]:
            return _("Not passed: no option reached the required approval.")
    if result["passed"]:
        return _("Passed.")
    if not result["quorum_met"]:
        return _("Not passed: the quorum was not met.")
    return _("Not passed: the required approval was not reached.")


def deemed_decision(deemed: dict | None) -> dict | None:
    """The decision inside a stored ``DeemedDecision.as_dict()`` (None: no votes added)."""
    if deemed is None:
        return None
    return deemed.get("deemed")


def deemed_text(deemed: dict | None) -> str:
    """One sentence on the stored deemed-consent result (``DeemedDecision.as_dict()``)."""
    if deemed is None:
        return "—"
    decision = deemed_decision(deemed)
    if decision is None:
        reasons = " ".join(str(rules._FLAG_SENTENCES.get(f, f)) for f in deemed["flags"])
        return " ".join([reasons, _("No deemed votes were added; the meeting needs review.")])
    added = deemed["added"]
    values = {"persons": f"{added['persons']:,}", "area": area_text(added["area"])}
    if deemed["direction"] == "yes":
        side = _("%(persons)s persons and %(area)s added to the agreeing side.") % values
    else:
        side = _("%(persons)s persons and %(area)s added to the disagreeing side.") % values
    return f"{side} {verdict_text(decision)}"


def rule_set_name(code: str) -> str:
    try:
        return str(rules.rule_set(code).name)
    except ValueError:
        return code or "—"


def articles(meeting: Meeting) -> list[str]:
    """The legal articles the meeting's results rest on, in order of first use."""
    seen: dict[str, None] = {}
    for motion in meeting.motions.all():
        result = motion.result or {}
        decisions = result.get("per_option") or [result]
        for dim in (d for decision in decisions for d in decision.get("dimensions", [])):
            seen.setdefault(dim["threshold"]["article"], None)
    if not seen and meeting.rule_set_code:
        rs = rules.rule_set(meeting.rule_set_code)
        if rs.quorum is not None:
            seen.setdefault(rs.quorum.article, None)
        for threshold in rs.approval.values():
            seen.setdefault(threshold.article, None)
    return list(seen)


def board_path(meeting: Meeting) -> str:
    return reverse("voting:board", args=[meeting.board_token])


# -- docx building blocks ----------------------------------------------------------------------


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin = section.bottom_margin = Mm(20)
    for name, font in (("Normal", FONT), ("Title", HEADING_FONT), ("Heading 2", HEADING_FONT)):
        style = doc.styles[name]
        style.font.name = font
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    doc.styles["Normal"].font.size = Pt(10.5)
    return doc


def _title(doc, text: str, subtitle: str = "") -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = HEADING_FONT
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONT)
    if subtitle:
        s = doc.add_paragraph()
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER
        s.add_run(subtitle).font.size = Pt(12)


def _field(doc, label: str, value: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(2)
    p.add_run(f"{label}：").bold = True
    p.add_run(value)


def _heading(doc, text: str) -> None:
    doc.add_heading(text, level=2)


def _table(doc, headers: list[str], rows: list[list[str]], size: float = 9) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text)).font.size = Pt(size)
    doc.add_paragraph()


def _save(doc) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _meeting_header(doc, meeting: Meeting) -> None:
    convener = meeting.get_convener_display()
    if meeting.convener_name:
        convener = f"{convener}（{meeting.convener_name}）"
    _field(doc, _("Estate"), meeting.estate.name)
    _field(doc, _("Meeting"), meeting.title)
    _field(doc, _("Convened by"), convener)
    _field(
        doc,
        _("Voting period"),
        _("%(opens)s to %(closes)s")
        % {"opens": _when(meeting.opens_at), "closes": _when(meeting.closes_at)},
    )


# -- the notice of the meeting ---------------------------------------------------------------


def meeting_notice_docx(meeting: Meeting) -> bytes:
    """The notice of the meeting (业主大会会议公告) as given to the owners: the window, the
    objection period of the roll, each motion with who votes and the thresholds of the rule
    set fixed at notice, and how ballots are counted."""
    doc = _new_document()
    _title(doc, _("Notice of the owners' assembly meeting"), meeting.estate.name)
    _meeting_header(doc, meeting)
    _field(doc, _("Noticed on"), _day(meeting.noticed_at))
    if meeting.objection_until:
        _field(doc, _("Objections to the voter roll until"), f"{meeting.objection_until:%Y-%m-%d}")
    if meeting.description:
        doc.add_paragraph(meeting.description)
    ruleset = rules.rule_set(meeting.rule_set_code) if meeting.rule_set_code else None
    if ruleset is not None:
        _field(doc, _("Rule set"), f"{rule_set_name(ruleset.code)}（{ruleset.code}）")
    for motion in meeting.motions.order_by("number"):
        _heading(doc, f"{motion.number}. {motion.title}")
        _field(doc, _("Matter"), motion.get_matter_display())
        _field(doc, _("Who votes"), motion.get_electorate_display())
        if ruleset is not None and ruleset.covers(motion.matter):
            if ruleset.quorum is not None:
                _field(
                    doc,
                    _("Participation required"),
                    _("%(rule)s of the owners and of the exclusive area")
                    % {"rule": ruleset.quorum.describe()},
                )
            approval = ruleset.approval[rules.Matter(motion.matter)]
            _field(
                doc,
                _("Approval required"),
                _("%(rule)s of the participants, by number and by area (%(article)s)")
                % {"rule": approval.describe(), "article": approval.article},
            )
        if motion.is_choice:
            _field(
                doc,
                _("Options"),
                "；".join(f"{i + 1}. {label}" for i, label in enumerate(motion.option_labels)),
            )
            doc.add_paragraph(
                _(
                    "Each owner chooses one option or abstains. Each option is tested against "
                    "the approval required, counting its own votes against all participants; "
                    "the option that passes on both headcount and area is adopted, otherwise "
                    "none is."
                )
            )
        if motion.body:
            doc.add_paragraph(motion.body)
    _heading(doc, _("How ballots are counted"))
    from anju.voting.services import precedence_text  # services import this module

    doc.add_paragraph(precedence_text(meeting))
    doc.add_paragraph()
    signed = doc.add_paragraph()
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signed.add_run(f"{meeting.convener_name or meeting.get_convener_display()}\n")
    signed.add_run(_day(meeting.noticed_at or timezone.now()))
    return _save(doc)


# -- the notice of the result ----------------------------------------------------------------


def _ratio(measure: str, dim: dict) -> str:
    return (
        f"{measure_text(measure, dim['numerator'])} / {measure_text(measure, dim['denominator'])}"
    )


def _dimension_rows(result: dict, deemed: dict | None, with_deemed: bool) -> list[list[str]]:
    deemed_dims = {}
    decision = deemed_decision(deemed)
    if decision is not None:
        deemed_dims = {(d["test"], d["measure"]): d for d in decision["dimensions"]}
    rows = []
    for dim in result["dimensions"]:
        m = dim["measure"]
        row = [
            dimension_label(dim["test"], m),
            rule_text(dim["threshold"]),
            _ratio(m, dim),
            measure_text(m, dim["boundary"]),
            outcome_text(dim["test"], dim["passed"]),
        ]
        if with_deemed:
            other = deemed_dims.get((dim["test"], m))
            if other is None:
                row += ["—", "—", "—"]
            else:
                row += [
                    _ratio(m, other),
                    measure_text(m, other["boundary"]),
                    outcome_text(other["test"], other["passed"]),
                ]
        rows.append(row)
    return rows


def choice_sums(result: dict) -> list[tuple[str, dict]]:
    """(label, counts) of a stored choice result: each option, then abstain and invalid."""
    tally = result["tally"]
    labels = [f"{i + 1}. {label}" for i, label in enumerate(result["labels"])]
    sums = list(zip(labels, tally["options"], strict=True))
    sums += [(choice_label(key), tally[key]) for key in ("abstain", "invalid")]
    return sums


def choice_dimensions(result: dict) -> list[tuple[str, dict]]:
    """(prefix, dimension) of a stored choice result: the quorum, then each option's
    approval prefixed with the option."""
    first = result["per_option"][0]
    dims = [("", d) for d in first["dimensions"] if d["test"] == "quorum"]
    for i, (label, decision) in enumerate(zip(result["labels"], result["per_option"], strict=True)):
        prefix = f"{i + 1}. {label} · "
        dims += [(prefix, d) for d in decision["dimensions"] if d["test"] == "approval"]
    return dims


def _choice_result(doc, result: dict) -> None:
    """A motion with options: the ballots per option, the quorum, each option's approval."""
    tally = result["tally"]
    rows = [
        [label, f"{counts['persons']:,}", area_text(counts["area"])]
        for label, counts in (
            *choice_sums(result),
            (_("Participants"), result["participants"]),
            (_("All voters on the roll"), tally["electorate"]),
        )
    ]
    _table(doc, [_("Ballots"), _("Persons"), _("Area")], rows)
    headers = [_("Test"), _("Threshold"), _("Counted / base"), _("Boundary"), _("Strict result")]
    rows = [
        [
            prefix + dimension_label(d["test"], d["measure"]),
            rule_text(d["threshold"]),
            _ratio(d["measure"], d),
            measure_text(d["measure"], d["boundary"]),
            outcome_text(d["test"], d["passed"]),
        ]
        for prefix, d in choice_dimensions(result)
    ]
    _table(doc, headers, rows, size=8)
    _field(doc, _("Strict result"), verdict_text(result))


def _motion_result(doc, meeting: Meeting, motion: Motion) -> None:
    _heading(doc, _("Motion %(n)d: %(title)s") % {"n": motion.number, "title": motion.title})
    _field(doc, _("Matter decided"), str(rules.Matter(motion.matter).label))
    result = motion.result
    if result is None:
        doc.add_paragraph(_("Not counted."))
        return
    if result.get("kind") == "choice":
        _choice_result(doc, result)
        return
    tally = result["tally"]
    rows = [
        [choice_label(c), f"{tally[c]['persons']:,}", area_text(tally[c]["area"])]
        for c in CHOICE_ORDER
    ]
    rows.append(
        [
            _("Participants"),
            f"{result['participants']['persons']:,}",
            area_text(result["participants"]["area"]),
        ]
    )
    rows.append(
        [
            _("All voters on the roll"),
            f"{tally['electorate']['persons']:,}",
            area_text(tally["electorate"]["area"]),
        ]
    )
    _table(doc, [_("Ballots"), _("Persons"), _("Area")], rows)
    with_deemed = meeting.deemed_consent
    headers = [_("Test"), _("Threshold"), _("Counted / base"), _("Boundary"), _("Strict result")]
    if with_deemed:
        headers += [_("Deemed: counted / base"), _("Deemed: boundary"), _("Deemed result")]
    _table(doc, headers, _dimension_rows(result, motion.deemed_result, with_deemed), size=8)
    _field(doc, _("Strict result"), verdict_text(result))
    if with_deemed:
        _field(doc, _("Deemed-consent result"), deemed_text(motion.deemed_result))


def result_notice_docx(meeting: Meeting, *, board_url: str | None = None) -> bytes:
    """The notice of the voting result (表决结果公告) as an A4 Word document."""
    doc = _new_document()
    _title(doc, _("Notice of the voting result"), meeting.estate.name)
    _meeting_header(doc, meeting)
    code = meeting.rule_set_code
    _field(doc, _("Rule set"), f"{rule_set_name(code)}（{code}）")
    _field(doc, _("Legal basis"), "；".join(articles(meeting)) or "—")
    if meeting.deemed_consent:
        _field(doc, _("Clause allowing deemed consent"), meeting.deemed_clause)
        doc.add_paragraph(
            _(
                "The strict result decides the motion; the deemed-consent result, which counts "
                "owners who received the notice but did not vote with the majority opinion, is "
                "shown beside it as the rules of procedure require."
            )
        )
    for motion in meeting.motions.order_by("number"):
        _motion_result(doc, meeting, motion)
    _heading(doc, _("Public board"))
    doc.add_paragraph(
        _(
            "Every counted ballot is listed, masked, on the public board with its receipt code "
            "and hash chain. Owners can find their own ballot with their receipt code and anyone "
            "can check the count with the published export: %(url)s"
        )
        % {"url": board_url or board_path(meeting)}
    )
    doc.add_paragraph()
    signed = doc.add_paragraph()
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    convener = meeting.convener_name or meeting.get_convener_display()
    signed.add_run(f"{convener}\n")
    signed.add_run(_day(meeting.published_at or meeting.closed_at or timezone.now()))
    return _save(doc)


# -- the certificate of counting and scrutiny ------------------------------------------------


CHANNELS = (
    BallotChannel.ONLINE,
    BallotChannel.PAPER,
    BallotChannel.ASSISTED,
    BallotChannel.PROXY,
)


def channel_counts(meeting: Meeting) -> dict[int, Counter]:
    """Effective ballots per motion and channel, plus the superseded ones (key "superseded")."""
    counts: dict[int, Counter] = {m.pk: Counter() for m in meeting.motions.all()}
    rows = (
        Ballot.objects.filter(motion__meeting=meeting)
        .values("motion_id", "channel")
        .annotate(
            n_counted=Count("id", filter=Q(effective=True, entry__excluded=False)),
            n_superseded=Count("id", filter=Q(effective=False)),
        )
    )
    for row in rows:
        c = counts.setdefault(row["motion_id"], Counter())
        c[row["channel"]] += row["n_counted"]
        c["superseded"] += row["n_superseded"]
    return counts


def paper_counts(meeting: Meeting) -> dict[str, int]:
    sheets = Counter(meeting.paper_sheets.values_list("state", flat=True))
    return {
        "issued": meeting.paper_issued,
        "returned": meeting.paper_returned,
        "entered": sum(n for s, n in sheets.items() if s != PaperSheet.State.REJECTED),
        "matched": sheets[PaperSheet.State.MATCHED],
        "rejected": sheets[PaperSheet.State.REJECTED],
        "mismatches": sum(meeting.paper_sheets.values_list("mismatches", flat=True)),
    }


def certificate_docx(meeting: Meeting) -> bytes:
    """The certificate of counting and scrutiny (计票监票证明) as an A4 Word document."""
    doc = _new_document()
    _title(doc, _("Certificate of counting and scrutiny"), meeting.estate.name)
    _meeting_header(doc, meeting)
    _field(doc, _("Closed at"), _when(meeting.closed_at))
    _field(doc, _("Rule set"), f"{rule_set_name(meeting.rule_set_code)}（{meeting.rule_set_code}）")

    _heading(doc, _("Ballots by channel"))
    motions = list(meeting.motions.order_by("number"))
    counts = channel_counts(meeting)
    labels = dict(BallotChannel.choices)
    rows = []
    for motion in motions:
        c = counts.get(motion.pk, Counter())
        rows.append(
            [
                str(motion.number),
                *[str(c[ch]) for ch in CHANNELS],
                str(sum(c[ch] for ch in CHANNELS)),
                str(c["superseded"]),
            ]
        )
    _table(
        doc,
        [
            _("Motion"),
            *[str(labels[ch]) for ch in CHANNELS],
            _("Counted"),
            _("Superseded"),
        ],
        rows,
        size=8,
    )

    _heading(doc, _("Paper ballots"))
    paper = paper_counts(meeting)
    _table(
        doc,
        [
            _("Issued"),
            _("Returned"),
            _("Entered"),
            _("Both entries match"),
            _("Rejected"),
            _("Mismatches keyed again"),
        ],
        [
            [
                str(paper["issued"]),
                str(paper["returned"]),
                str(paper["entered"]),
                str(paper["matched"]),
                str(paper["rejected"]),
                str(paper["mismatches"]),
            ]
        ],
    )
    reconciled = paper["issued"] >= paper["returned"] >= paper["entered"]
    doc.add_paragraph(
        _("Issued ≥ returned ≥ entered: reconciled.")
        if reconciled
        else _("Issued ≥ returned ≥ entered: NOT reconciled.")
    )

    _heading(doc, _("Roll and public board"))
    for motion in motions:
        result = motion.result or {}
        _field(
            doc,
            _("Motion %(n)d: %(title)s") % {"n": motion.number, "title": motion.title},
            verdict_text(motion.result),
        )
        if result:
            participants = result["participants"]
            _field(
                doc,
                _("Participants"),
                f"{participants['persons']:,} / {area_text(participants['area'])}",
            )
        _field(doc, _("Roll hash"), motion.roll_hash or "—")
        _field(doc, _("Board head"), motion.board_head or "—")
        _field(doc, _("Board lines"), str(motion.board.count()))
    doc.add_paragraph(
        _(
            "We certify that the ballots were counted from the system's records, that every "
            "paper ballot was keyed in twice by different officers, that the paper ballots "
            "reconcile as shown, and that the public board of each motion ends in the board "
            "head listed above."
        )
    )

    _heading(doc, _("Counting and scrutineering team"))
    roles = [_("Counter")] * 2 + [_("Scrutineer")] * 2 + [_("Convener's representative")]
    _table(
        doc,
        [_("Role"), _("Name"), _("Signature"), _("Date")],
        [[role, "", "", ""] for role in roles],
        size=10.5,
    )
    return _save(doc)
