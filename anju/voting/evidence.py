"""What a meeting leaves behind for verification and for court (voting.md §3 items 4 and 11).

- ``motion_export``: one motion's frozen roll, public board and stored result as plain JSON,
  the only input of the open verifier (``anju.voting.verify``). It holds voter keys, persons,
  areas, unit ids, choices and receipts — no names, ID numbers or phones — so it may be
  published with the board.
- ``evidence_pack``: a zip of everything needed to defend or challenge a decision within the
  revocation period (R7, at least one year): the roll and its corrections, notices and delivery
  proofs, every ballot (superseded ones too), proxies, paper entries, the audit log, the rule
  set, each motion's export and its tally proof, the two Word documents and the stored
  scans. Personal data is minimised (PIPL): names masked, ID numbers masked, IP addresses cut
  to the network. ``manifest.json`` and ``SHA256SUMS`` give the SHA-256 of every file.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.core.excel import safe_cell, workbook_bytes
from anju.core.models import AuditEvent
from anju.core.pii import mask
from anju.voting import documents, rules, services, verify
from anju.voting.models import (
    Ballot,
    BoardEntry,
    Delivery,
    Meeting,
    Motion,
    MotionAttachment,
    PaperSheet,
    Proxy,
    RollChange,
    RollEntry,
    RollUnit,
)
from anju.voting.roll import mask_name

EXPORT_FORMAT = verify.EXPORT_FORMAT
EXPORT_VERSION = verify.EXPORT_VERSION
PACK_FORMAT = "anju-vote-evidence"
PACK_VERSION = 1


# -- small helpers ---------------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def mask_ip(ip: str | None) -> str:
    """Keep the network, hide the host: 10.1.2.3 → 10.1.2.*, 2001:db8:1:2:… → 2001:db8:1:2:*."""
    if not ip:
        return ""
    if "." in ip:
        return ".".join([*ip.split(".")[:3], "*"])
    return ":".join([*ip.split(":")[:4], "*"])


_LONG_NUMBER = re.compile(r"\d{7,}")


def user_label(user) -> str:
    """An account as the record names it; a username that is a phone or ID number is masked."""
    if user is None:
        return ""
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), str(user))


def masked_voter(entry: RollEntry) -> str:
    return f"{mask_name(entry.name)} {services.mask_units(entry.units_label)}".strip()


def rule_set_dict(code: str, version: int | None = None) -> dict[str, Any] | None:
    if not code:
        return None
    rs = rules.rule_set(code, version)
    return {
        "code": rs.code,
        "version": rs.version,
        "name": str(rs.name),
        "family": rs.family,
        "effective_from": rs.effective_from.isoformat(),
        "effective_to": rs.effective_to.isoformat() if rs.effective_to else None,
        "quorum": rs.quorum.as_dict() if rs.quorum else None,
        "approval": {str(int(m)): t.as_dict() for m, t in rs.approval.items()},
        "source": rs.source,
    }


def _rule_set_version(motion: Motion) -> int | None:
    if motion.result and "rule_set" in motion.result:
        return motion.result["rule_set"]["version"]
    code = motion.meeting.rule_set_code
    return rules.rule_set(code).version if code else None


# -- the verifier's input ----------------------------------------------------------------------


def roll_rows(motion: Motion) -> list[dict[str, Any]]:
    """The frozen roll in the order its hash was taken (``roll.roll_hash``: by key)."""
    units = defaultdict(list)
    for entry_id, unit_id in RollUnit.objects.filter(entry__motion=motion).values_list(
        "entry_id", "unit_id"
    ):
        units[entry_id].append(unit_id)
    return [
        {
            "key": key,
            "persons": persons,
            "area": area,
            "excluded": excluded,
            "units": sorted(units[pk]),
        }
        for pk, key, persons, area, excluded in sorted(
            motion.roll.values_list("id", "key", "persons", "area", "excluded"),
            key=lambda r: r[1],
        )
    ]


def board_rows(motion: Motion) -> list[dict[str, Any]]:
    return [
        {
            "seq": b.seq,
            "voter_key": b.voter_key,
            "voter": b.voter,
            "persons": b.persons,
            "area": b.area,
            "choice": b.choice,
            "receipt": b.receipt,
            "prev_hash": b.prev_hash,
            "hash": b.hash,
        }
        for b in BoardEntry.objects.filter(motion=motion).order_by("seq")
    ]


def motion_export(motion: Motion) -> dict[str, Any]:
    """The verifier's input for one motion: JSON-serialisable, masked, self-contained."""
    meeting = motion.meeting
    code = meeting.rule_set_code
    delivered = sorted(
        set(
            Delivery.objects.filter(meeting=meeting, kind=Delivery.Kind.NOTICE).values_list(
                "voter_key", flat=True
            )
        )
        & set(motion.roll.values_list("key", flat=True))
    )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": _iso(timezone.now()),
        "meeting": {
            "id": meeting.pk,
            "estate": meeting.estate.name,
            "title": meeting.title,
            "state": meeting.state,
            "opens_at": _iso(meeting.opens_at),
            "closes_at": _iso(meeting.closes_at),
            "closed_at": _iso(meeting.closed_at),
            "rule_set_code": code,
            "deemed_consent": meeting.deemed_consent,
            "deemed_clause": meeting.deemed_clause,
            "board_shows_choice": meeting.board_shows_choice,
        },
        "motion": {
            "id": motion.pk,
            "number": motion.number,
            "title": motion.title,
            "matter": int(motion.matter),
            "electorate": motion.electorate,
            # Empty: agree / disagree; otherwise the options, chosen on the board as o1, o2…
            "option_labels": list(motion.option_labels),
            "rule_set": {"code": code, "version": _rule_set_version(motion)},
            "options": rules.Options(
                invalid_counts_as_participation=meeting.invalid_counts_as_participation
            ).as_dict(),
        },
        "roll": roll_rows(motion),
        "roll_hash": motion.roll_hash,
        "board": board_rows(motion),
        "board_head": motion.board_head,
        "result": motion.result,
        "passed": motion.passed,
        "deemed_result": motion.deemed_result,
        # Voters with proof that the notice reached them (R21): the deemed-consent base.
        "delivered_keys": delivered,
    }


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False).encode()


# -- the evidence pack -----------------------------------------------------------------------


class _Pack:
    """A zip being written, remembering the SHA-256 of each file for the manifest."""

    def __init__(self, fileobj: IO[bytes]):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.files: list[dict[str, Any]] = []

    def add(self, name: str, content: bytes, *, listed: bool = True) -> None:
        self.zip.writestr(name, content)
        if listed:
            self.files.append(
                {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            )

    def add_json(self, name: str, data: Any) -> None:
        self.add(name, json.dumps(data, ensure_ascii=False, indent=1, default=str).encode())

    def add_csv(self, name: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([safe_cell(_cell(v)) for v in row])
        # A byte-order mark so Excel opens the Chinese text as UTF-8.
        self.add(name, buffer.getvalue().encode("utf-8-sig"))

    def close(self) -> None:
        self.zip.close()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return _iso(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None:
        return ""
    return value


# Tables of the pack: (file stem, title, headers, rows) built per meeting.


def _roll_table(meeting: Meeting):
    headers = [
        "motion",
        "voter_key",
        "voter",
        "units",
        "unit_count",
        "persons",
        "area_m2",
        "area_cents",
        "developer",
        "excluded",
        "note",
    ]
    rows = [
        [
            e.motion.number,
            e.key,
            mask_name(e.name),
            services.mask_units(e.units_label),
            e.unit_count,
            e.persons,
            rules.format_area(e.area),
            e.area,
            e.is_developer,
            e.excluded,
            e.note,
        ]
        for e in RollEntry.objects.filter(motion__meeting=meeting)
        .select_related("motion")
        .order_by("motion__number", "key")
    ]
    return "roll", _("Roll"), headers, rows


def _roll_units_table(meeting: Meeting):
    headers = ["motion", "voter_key", "unit_id", "unit", "area_cents", "area_source"]
    rows = [
        [u.entry.motion.number, u.entry.key, u.unit_id, u.label, u.area, u.area_source]
        for u in RollUnit.objects.filter(entry__motion__meeting=meeting)
        .select_related("entry__motion")
        .order_by("entry__motion__number", "entry__key", "id")
    ]
    return "roll_units", _("Units on the roll"), headers, rows


def _roll_changes_table(meeting: Meeting):
    headers = [
        "motion",
        "at",
        "kind",
        "voter_key",
        "before",
        "after",
        "reason",
        "after_notice",
        "by",
    ]
    rows = [
        [
            c.motion.number,
            c.at,
            c.kind,
            c.entry.key if c.entry else "",
            c.before,
            c.after,
            c.reason,
            c.after_notice,
            user_label(c.actor),
        ]
        for c in RollChange.objects.filter(motion__meeting=meeting)
        .select_related("motion", "entry", "actor")
        .order_by("at", "id")
    ]
    return "roll_changes", _("Roll changes"), headers, rows


def _deliveries_table(meeting: Meeting):
    headers = [
        "voter_key",
        "owner",
        "kind",
        "channel",
        "sent_at",
        "read_at",
        "evidence_file",
        "note",
        "recorded_by",
    ]
    rows = [
        [
            d.voter_key,
            mask_name(d.owner.name) if d.owner else "",
            d.kind,
            d.channel,
            d.sent_at,
            d.read_at,
            d.evidence.name if d.evidence else "",
            d.note,
            user_label(d.recorded_by),
        ]
        for d in Delivery.objects.filter(meeting=meeting)
        .select_related("owner", "recorded_by")
        .order_by("sent_at", "id")
    ]
    return "deliveries", _("Delivery proofs"), headers, rows


def _ballots_table(meeting: Meeting):
    headers = [
        "motion",
        "receipt",
        "voter_key",
        "voter",
        "choice",
        "channel",
        "cast_at",
        "cast_by",
        "proxy_id",
        "paper_sheet",
        "ip_network",
        "device",
        "effective",
        "superseded_at",
    ]
    rows = [
        [
            b.motion.number,
            b.receipt,
            b.entry.key,
            masked_voter(b.entry),
            b.choice,
            b.channel,
            b.cast_at,
            user_label(b.cast_by),
            b.proxy_id or "",
            b.sheet.number if b.sheet else "",
            mask_ip(b.ip),
            b.device,
            b.effective,
            b.superseded_at,
        ]
        for b in Ballot.objects.filter(motion__meeting=meeting)
        .select_related("motion", "entry", "cast_by", "sheet")
        .order_by("motion__number", "id")
    ]
    return "ballots", _("Ballots"), headers, rows


def _proxies_table(meeting: Meeting):
    headers = [
        "proxy_id",
        "owner",
        "motion",
        "holder",
        "holder_id_number",
        "holder_digest",
        "valid_until",
        "revoked_at",
        "document_file",
        "recorded_by",
        "recorded_at",
    ]
    rows = [
        [
            p.pk,
            mask_name(p.owner.name),
            p.motion.number if p.motion else "",
            mask_name(p.holder_name),
            mask(p.holder_id_number),
            p.holder_digest[:16],
            p.valid_until,
            p.revoked_at,
            p.document.name if p.document else "",
            user_label(p.created_by),
            p.created_at,
        ]
        for p in Proxy.objects.filter(meeting=meeting)
        .select_related("owner", "motion", "created_by")
        .order_by("id")
    ]
    return "proxies", _("Proxies"), headers, rows


def _paper_table(meeting: Meeting):
    headers = [
        "number",
        "voter_key",
        "state",
        "first_by",
        "first_choices",
        "second_by",
        "second_choices",
        "mismatches",
        "scan_file",
        "created_at",
        "updated_at",
    ]
    rows = [
        [
            s.number,
            s.voter_key,
            s.state,
            user_label(s.first_by),
            s.first_choices,
            user_label(s.second_by),
            s.second_choices,
            s.mismatches,
            s.scan.name if s.scan else "",
            s.created_at,
            s.updated_at,
        ]
        for s in PaperSheet.objects.filter(meeting=meeting)
        .select_related("first_by", "second_by")
        .order_by("number")
    ]
    return "paper_sheets", _("Paper ballot entries"), headers, rows


def audit_events(meeting: Meeting):
    """The audit log of the meeting and of its motions, paper sheets and proxies."""
    targets = Q(target_type="voting.meeting", target_id=str(meeting.pk))
    for model, ids in (
        (Motion, meeting.motions.values_list("pk", flat=True)),
        (PaperSheet, meeting.paper_sheets.values_list("pk", flat=True)),
        (Proxy, meeting.proxies.values_list("pk", flat=True)),
    ):
        keys = [str(pk) for pk in ids]
        if keys:
            targets |= Q(target_type=model._meta.label_lower, target_id__in=keys)
    return AuditEvent.objects.filter(targets).select_related("actor").order_by("created_at", "id")


def _audit_target(event: AuditEvent) -> tuple[str, Any]:
    """A proxy's label and changes name the owner and the holder: mask them."""
    if event.target_type != "voting.proxy":
        return event.target_repr, event.changes
    changes = dict(event.changes)
    if "holder" in changes:
        changes["holder"] = [mask_name(str(v)) if v else v for v in changes["holder"]]
    return f"#{event.target_id}", changes


def _audit_table(meeting: Meeting):
    headers = ["id", "at", "actor", "action", "target_type", "target_id", "target", "changes"]
    rows = [
        [
            e.pk,
            e.created_at,
            user_label(e.actor),
            e.action,
            e.target_type,
            e.target_id,
            *_audit_target(e),
        ]
        for e in audit_events(meeting)
    ]
    return "audit_log", _("Audit log"), headers, rows


def _board_table(motion: Motion):
    headers = ["seq", "voter", "persons", "area_cents", "choice", "receipt", "prev_hash", "hash"]
    rows = [
        [
            r[h]
            for h in ("seq", "voter", "persons", "area", "choice", "receipt", "prev_hash", "hash")
        ]
        for r in board_rows(motion)
    ]
    return headers, rows


def meeting_record(meeting: Meeting) -> dict[str, Any]:
    """The meeting as noticed: settings of the rules of procedure, window, motions."""
    fields = [
        "title",
        "convener",
        "convener_name",
        "description",
        "state",
        "rule_set_code",
        "count_parking",
        "count_storage",
        "invalid_counts_as_participation",
        "allow_change",
        "paper_overrides_online",
        "proxy_cap",
        "deemed_consent",
        "deemed_clause",
        "board_shows_choice",
        "notice_days",
        "objection_days",
        "paper_issued",
        "paper_returned",
        "opens_at",
        "closes_at",
        "noticed_at",
        "objection_until",
        "opened_at",
        "closed_at",
        "published_at",
        "cancelled_at",
        "cancel_reason",
    ]
    return {
        "id": meeting.pk,
        "estate": meeting.estate.name,
        "region_code": meeting.region_code,
        **{name: _cell_json(getattr(meeting, name)) for name in fields},
        "precedence": services.precedence_text(meeting),
        "motions": [
            {
                "id": m.pk,
                "number": m.number,
                "title": m.title,
                "body": m.body,
                "matter": int(m.matter),
                "matter_label": str(rules.Matter(m.matter).label),
                "electorate": m.electorate,
                "buildings": [b.number for b in m.buildings.all()],
                "units": list(m.units.values_list("pk", flat=True)),
                "roll_hash": m.roll_hash,
                "board_head": m.board_head,
                "passed": m.passed,
            }
            for m in meeting.motions.order_by("number")
        ],
    }


def _cell_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return _iso(value)
    return value


def tally_proof(motion: Motion, export: dict[str, Any]) -> dict[str, Any]:
    """The recount from the ballot table next to the stored result, and the verifier's report."""
    recount = services.tally(motion).as_dict()
    stored = (motion.result or {}).get("tally")
    report = verify.verify_export(export)
    return {
        "motion": {"id": motion.pk, "number": motion.number, "title": motion.title},
        "recount_from_ballots": recount,
        "stored_tally": stored,
        "recount_matches_stored": recount == stored,
        "result": motion.result,
        "deemed_result": motion.deemed_result,
        "roll_hash": motion.roll_hash,
        "board_head": motion.board_head,
        "verification": report.as_dict(),
    }


def _stored_files(meeting: Meeting):
    """(folder, record id, FieldFile) of every scan, receipt photo and signed document."""
    for d in Delivery.objects.filter(meeting=meeting).exclude(evidence=""):
        yield "deliveries", d.pk, d.evidence
    for s in PaperSheet.objects.filter(meeting=meeting).exclude(scan=""):
        yield "paper", s.pk, s.scan
    for p in Proxy.objects.filter(meeting=meeting).exclude(document=""):
        yield "proxies", p.pk, p.document
    for a in MotionAttachment.objects.filter(motion__meeting=meeting).exclude(file=""):
        yield "attachments", a.pk, a.file


def _readme(meeting: Meeting, described: list[tuple[str, str]], missing: list[str]) -> str:
    lines = [
        _("Evidence pack of the owners' meeting"),
        "",
        _("Estate: %(estate)s") % {"estate": meeting.estate.name},
        _("Meeting: %(title)s") % {"title": meeting.title},
        _("Generated at: %(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "",
        _(
            "Keep this pack for at least one year after the decision, the period in which an "
            "owner may ask a court to revoke it; keeping it permanently is better."
        ),
        _(
            "Personal data is minimised: names and ID numbers are masked and IP addresses are "
            "cut to their network. The full records stay in the system."
        ),
        _(
            "manifest.json and SHA256SUMS list the SHA-256 of every file; check them with "
            "“sha256sum -c SHA256SUMS”. Each motions/motion-N-export.json can be checked on its "
            "own with “manage.py voting_verify motions/motion-N-export.json”."
        ),
        "",
        _("Files:"),
    ]
    lines.extend(f"- {name}: {text}" for name, text in described)
    if missing:
        lines += ["", _("Stored files that could not be read:"), *(f"- {m}" for m in missing)]
    return "\n".join(lines) + "\n"


def write_evidence_pack(meeting: Meeting, fileobj: IO[bytes]) -> None:
    """Write the evidence pack of a meeting as a zip into ``fileobj``."""
    pack = _Pack(fileobj)
    described: list[tuple[str, str]] = []

    def note(name: str, text: str) -> None:
        described.append((name, text))

    pack.add_json("meeting.json", meeting_record(meeting))
    note("meeting.json", _("the meeting, its settings, window, precedence rule and motions"))
    if meeting.rule_set_code:
        pack.add_json("rule_set.json", rule_set_dict(meeting.rule_set_code))
        note("rule_set.json", _("the rule set the meeting was judged by, with its thresholds"))

    tables = [
        (_roll_table(meeting), _("the voter roll of every motion")),
        (_roll_units_table(meeting), _("each unit counted on the roll, with its area source")),
        (_roll_changes_table(meeting), _("every change of the roll, with reason and officer")),
        (_deliveries_table(meeting), _("proof that notices and reminders reached each voter")),
        (_ballots_table(meeting), _("every ballot, including superseded ones")),
        (_proxies_table(meeting), _("written entrustments, holder ID numbers masked")),
        (_paper_table(meeting), _("both entries of every paper ballot sheet")),
        (_audit_table(meeting), _("the audit log of the meeting, motions, sheets and proxies")),
    ]
    sheets = []
    for (stem, title, headers, rows), text in tables:
        pack.add_csv(f"{stem}.csv", headers, rows)
        note(f"{stem}.csv", text)
        sheets.append((str(title), headers, [[_cell(v) for v in row] for row in rows]))
    pack.add("evidence.xlsx", workbook_bytes(sheets))
    note("evidence.xlsx", _("the same tables as one workbook"))

    for motion in meeting.motions.order_by("number"):
        n = motion.number
        export = motion_export(motion)
        pack.add(f"motions/motion-{n}-export.json", export_json(export))
        note(
            f"motions/motion-{n}-export.json",
            _("input of the open verifier for motion %(n)d") % {"n": n},
        )
        pack.add_json(f"motions/motion-{n}-tally-proof.json", tally_proof(motion, export))
        note(
            f"motions/motion-{n}-tally-proof.json",
            _("recount, stored result and verifier report of motion %(n)d") % {"n": n},
        )
        headers, rows = _board_table(motion)
        pack.add_csv(f"motions/motion-{n}-board.csv", headers, rows)
        note(f"motions/motion-{n}-board.csv", _("the public board of motion %(n)d") % {"n": n})

    if meeting.noticed_at:
        pack.add("meeting-notice.docx", documents.meeting_notice_docx(meeting))
        note("meeting-notice.docx", _("the notice of the meeting as given to the owners"))
    if meeting.closed_at:
        pack.add("result-notice.docx", documents.result_notice_docx(meeting))
        note("result-notice.docx", _("the notice of the voting result"))
        pack.add("certificate.docx", documents.certificate_docx(meeting))
        note("certificate.docx", _("the certificate of counting and scrutiny, to be signed"))

    missing = []
    for folder, pk, stored in _stored_files(meeting):
        name = f"files/{folder}/{pk}-{PurePosixPath(stored.name).name}"
        try:
            with stored.open("rb") as fh:
                content = fh.read()
        except OSError:
            missing.append(stored.name)
            continue
        pack.add(name, content)
        note(name, _("stored file"))

    pack.add("README.txt", _readme(meeting, described, missing).encode("utf-8-sig"))
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "meeting": meeting.pk,
        "generated_at": _iso(timezone.now()),
        "files": sorted(pack.files, key=_name),
    }
    pack.add_json("manifest.json", manifest)
    sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in sorted(pack.files, key=_name))
    pack.add("SHA256SUMS", sums.encode(), listed=False)
    pack.close()


def _name(listed: dict[str, Any]) -> str:
    return listed["name"]


def evidence_pack(meeting: Meeting) -> bytes:
    """The evidence pack of a meeting as zip bytes."""
    buffer = io.BytesIO()
    write_evidence_pack(meeting, buffer)
    return buffer.getvalue()
