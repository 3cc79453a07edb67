"""The open verifier of one motion's export (voting.md §3 item 4: universal verifiability).

It reads the JSON written by ``anju.voting.evidence.motion_export`` and checks, from that file
alone, with the standard library and ``anju.voting.rules`` only (no database, no settings):

1. the roll: well-formed rows, no duplicate voter keys, and its digest recomputed exactly the
   way ``anju.voting.roll.roll_hash`` computes it (rows in the export's order, which is the
   order the digest was taken in);
2. the board's hash chain: the genesis from the motion id and the roll hash, every line's
   ``prev_hash`` and ``hash``, consecutive numbers, and the head;
3. the board against the roll: every line's voter is on the roll and not removed, with the
   roll's persons and area, and appears once;
4. the count: the tally recomputed from the board lines and the decision recomputed with
   ``rules.decide`` (``rules.decide_choice`` for a motion with options), compared field by
   field with the stored result (and the stored deemed-consent result, recomputed from the
   voters with proof of delivery).

Run it as ``manage.py voting_verify export.json`` or ``python -m anju.voting.verify
export.json``; the exit status is 0 only when every check passes. The report is bilingual
(Chinese, then English) and needs no translation catalogue, so it runs anywhere.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from anju.voting import rules

EXPORT_FORMAT = "anju-vote-export"
EXPORT_VERSION = 1


# -- the hash functions, restated from the live code so the verifier stands alone ------------


def roll_digest(motion_id: int, roll: Sequence[Mapping[str, Any]]) -> str:
    """``roll.roll_hash``: the motion id, then one line per voter in the stored order."""
    h = hashlib.sha256(f"anju-roll|motion:{motion_id}".encode())
    for row in roll:
        ids = ",".join(str(i) for i in sorted(row["units"]))
        h.update(
            f"\n{row['key']}|{row['persons']}|{row['area']}|{int(row['excluded'])}|{ids}".encode()
        )
    return h.hexdigest()


def board_genesis(motion_id: int, roll_hash: str, option_labels: Sequence[str] = ()) -> str:
    """``services.board_genesis``: the chain starts from the motion, its frozen roll and, on a
    motion with options, the options."""
    seed = f"anju-board|motion:{motion_id}|roll:{roll_hash}"
    if option_labels:
        seed += "|options:" + json.dumps(list(option_labels), ensure_ascii=False)
    return hashlib.sha256(seed.encode()).hexdigest()


BOARD_FIELDS = ("seq", "voter_key", "persons", "area", "choice", "receipt")


def board_line_hash(prev: str, row: Mapping[str, Any]) -> str:
    """``services.board_hash``: the previous hash and the line's canonical JSON."""
    body = json.dumps(
        {k: row[k] for k in BOARD_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


# -- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    ok: bool
    zh: str
    en: str

    def line(self) -> str:
        mark = "[通过 OK]" if self.ok else "[失败 FAIL]"
        return f"{mark} {self.zh} / {self.en}"


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, ok: bool, zh: str, en: str) -> bool:
        self.checks.append(Check(ok, zh, en))
        return ok

    def text(self) -> str:
        lines = [c.line() for c in self.checks]
        if self.ok:
            lines.append("结论：全部检查通过。 / Verdict: every check passed.")
        else:
            n = len(self.problems)
            lines.append(f"结论：发现 {n} 个问题。 / Verdict: {n} problem(s) found.")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [{"ok": c.ok, "zh": c.zh, "en": c.en} for c in self.checks],
        }


def _differences(stored: Any, computed: Any, path: str = "") -> list[str]:
    """Paths where two JSON values differ (types included: 1 is not True)."""
    if isinstance(stored, Mapping) and isinstance(computed, Mapping):
        out = []
        for key in sorted(set(stored) | set(computed), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in computed:
                out.append(where)
            else:
                out.extend(_differences(stored[key], computed[key], where))
        return out
    if isinstance(stored, list | tuple) and isinstance(computed, list | tuple):
        if len(stored) != len(computed):
            return [path or "."]
        out = []
        for i, (a, b) in enumerate(zip(stored, computed, strict=True)):
            out.extend(_differences(a, b, f"{path}[{i}]"))
        return out
    if type(stored) is not type(computed) or stored != computed:
        return [path or "."]
    return []


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _short(paths: list[str], limit: int = 6) -> str:
    text = ", ".join(paths[:limit])
    return text + (" …" if len(paths) > limit else "")


# -- the checks ----------------------------------------------------------------------------------


def _check_roll(report: Report, motion_id: int, data: Mapping[str, Any]) -> dict | None:
    roll = data.get("roll")
    if not isinstance(roll, list):
        report.add(False, "导出文件缺少名册", "the export has no roll")
        return None
    bad = [
        i
        for i, row in enumerate(roll)
        if not isinstance(row, Mapping)
        or not isinstance(row.get("key"), str)
        or not _is_count(row.get("persons"))
        or not _is_count(row.get("area"))
        or not isinstance(row.get("excluded"), bool)
        or not isinstance(row.get("units"), list)
        or not all(_is_count(u) for u in row.get("units", []))
    ]
    if not report.add(
        not bad,
        f"名册共 {len(roll)} 行，格式正确" if not bad else f"名册第 {bad[:5]} 行格式不正确",
        f"roll of {len(roll)} rows is well formed" if not bad else f"roll rows {bad[:5]} malformed",
    ):
        return None
    keys = [row["key"] for row in roll]
    dupes = sorted({k for k in keys if keys.count(k) > 1}) if len(set(keys)) != len(keys) else []
    report.add(
        not dupes,
        "名册无重复投票人" if not dupes else f"名册有重复投票人：{_short(dupes)}",
        "no voter appears twice on the roll" if not dupes else f"duplicate voters: {_short(dupes)}",
    )
    stored = data.get("roll_hash", "")
    computed = roll_digest(motion_id, roll)
    report.add(
        computed == stored,
        "名册哈希与冻结时记录的一致" if computed == stored else "名册哈希不一致（名册被改动）",
        "roll hash matches the hash frozen at opening"
        if computed == stored
        else f"roll hash differs: stored {stored[:16]}…, recomputed {computed[:16]}…",
    )
    return {row["key"]: row for row in roll}


def _check_chain(report: Report, motion_id: int, data: Mapping[str, Any]) -> list | None:
    board = data.get("board")
    if not isinstance(board, list):
        report.add(False, "导出文件缺少公示板", "the export has no board")
        return None
    missing = [
        i
        for i, row in enumerate(board)
        if not isinstance(row, Mapping)
        or any(k not in row for k in (*BOARD_FIELDS, "prev_hash", "hash"))
    ]
    if not report.add(
        not missing,
        f"公示板共 {len(board)} 行，字段完整"
        if not missing
        else f"公示板第 {missing[:5]} 行缺字段",
        f"board of {len(board)} lines is complete"
        if not missing
        else f"board lines {missing[:5]} lack fields",
    ):
        return None
    seqs = [row["seq"] for row in board]
    in_order = seqs == list(range(1, len(board) + 1))
    report.add(
        in_order,
        "公示板序号连续" if in_order else "公示板序号不连续（有删除、插入或调换）",
        "board numbers run 1..n" if in_order else "board numbers are not 1..n",
    )
    # Each line must link to the previous line's published hash and hash its own content;
    # checking both per line names the tampered line instead of everything after it.
    try:
        labels = _labels(data)
    except ValueError:
        labels = []
    prev = board_genesis(motion_id, str(data.get("roll_hash", "")), labels)
    broken = []
    for row in board:
        if row.get("prev_hash") != prev or board_line_hash(row["prev_hash"], row) != row["hash"]:
            broken.append(row["seq"])
        prev = row["hash"]
    report.add(
        not broken,
        "哈希链完整（每行的前哈希与哈希均可重算）"
        if not broken
        else f"哈希链在第 {_short([str(s) for s in broken])} 行断开",
        "hash chain intact" if not broken else f"hash chain broken at lines {broken[:6]}",
    )
    head = data.get("board_head", "")
    report.add(
        prev == head,
        "链头与公布的链头一致" if prev == head else "重算的链头与公布的链头不一致",
        "board head matches" if prev == head else f"board head differs: published {head[:16]}…",
    )
    return board


def _labels(data: Mapping[str, Any]) -> list[str]:
    """The motion's options (empty: an agree / disagree motion)."""
    labels = (data.get("motion") or {}).get("option_labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError("option_labels must be a list of texts")
    return labels


def _valid_choices(data: Mapping[str, Any]) -> tuple[str, ...]:
    try:
        labels = _labels(data)
    except ValueError:
        return ()
    return rules.option_choices(len(labels)) if labels else rules.CHOICES


def _check_voters(report: Report, roll: dict, board: list, valid: tuple[str, ...]) -> None:
    unknown, excluded, weight, seen, repeated = [], [], [], set(), []
    for row in board:
        key = row["voter_key"]
        entry = roll.get(key)
        if key in seen:
            repeated.append(key)
        seen.add(key)
        if entry is None:
            unknown.append(key)
        elif entry["excluded"]:
            excluded.append(key)
        elif (row["persons"], row["area"]) != (entry["persons"], entry["area"]):
            weight.append(key)
    report.add(
        not unknown,
        "公示板上的投票人均在名册上" if not unknown else f"不在名册上的投票人：{_short(unknown)}",
        "every board voter is on the roll" if not unknown else f"not on roll: {_short(unknown)}",
    )
    report.add(
        not excluded,
        "无已移出名册的投票人" if not excluded else f"已移出名册的投票人被计票：{_short(excluded)}",
        "no removed voter counted" if not excluded else f"removed voters: {_short(excluded)}",
    )
    report.add(
        not weight,
        "每行的人数与面积与名册一致" if not weight else f"人数或面积与名册不符：{_short(weight)}",
        "persons and area match the roll"
        if not weight
        else f"persons/area differ from the roll: {_short(weight)}",
    )
    report.add(
        not repeated,
        "每位投票人只有一行" if not repeated else f"投票人出现多次：{_short(repeated)}",
        "one line per voter" if not repeated else f"voters with several lines: {_short(repeated)}",
    )
    choices = [row["seq"] for row in board if row["choice"] not in valid]
    report.add(
        not choices,
        "每行的表决意见有效" if not choices else f"第 {choices[:6]} 行的表决意见无法识别",
        "every choice is valid" if not choices else f"unknown choices at lines {choices[:6]}",
    )


def _electorate(roll: dict) -> rules.Counts:
    rows = [r for r in roll.values() if not r["excluded"]]
    return rules.Counts(sum(r["persons"] for r in rows), sum(r["area"] for r in rows))


def _check_result(report: Report, data: Mapping[str, Any], roll: dict, board: list) -> None:
    motion = data.get("motion") or {}
    stored = data.get("result")
    if stored is None:
        report.add(False, "导出文件没有已存储的表决结果", "the export holds no stored result")
        return
    try:
        rule_set = rules.rule_set(motion["rule_set"]["code"], motion["rule_set"].get("version"))
        options = rules.Options.from_dict(motion["options"])
        matter = rules.Matter(motion["matter"])
        labels = _labels(data)
        valid = rules.option_choices(len(labels)) if labels else rules.CHOICES
        ballots = [
            (row["choice"], rules.Counts(row["persons"], row["area"]))
            for row in board
            if row["choice"] in valid
        ]
        if labels:
            tally = rules.OptionsTally.from_ballots(_electorate(roll), len(labels), ballots)
            decision = rules.decide_choice(rule_set, matter, labels, tally, options)
        else:
            tally = rules.Tally.from_ballots(_electorate(roll), ballots)
            decision = rules.decide(rule_set, matter, tally, options)
    except (KeyError, TypeError, ValueError) as exc:
        report.add(False, f"无法重算表决结果：{exc}", f"cannot recompute the result: {exc}")
        return
    stored_tally = stored.get("tally") if isinstance(stored, Mapping) else None
    tally_diff = _differences(stored_tally, tally.as_dict())
    report.add(
        not tally_diff,
        "由公示板重算的票数与存储的票数一致"
        if not tally_diff
        else f"重算票数与存储票数不符：{_short(tally_diff)}",
        "tally recomputed from the board matches the stored tally"
        if not tally_diff
        else f"recomputed tally differs at {_short(tally_diff)}",
    )
    diff = _differences(stored, decision.as_dict())
    verdict = "通过" if decision.passed else "未通过"
    report.add(
        not diff,
        f"重算的表决结果（{verdict}）与存储的结果完全一致"
        if not diff
        else f"重算结果（{verdict}）与存储结果不符：{_short(diff)}",
        f"recomputed decision ({'passed' if decision.passed else 'not passed'}) equals the "
        "stored result"
        if not diff
        else f"recomputed decision differs from the stored result at {_short(diff)}",
    )
    try:
        self_diff = rules.verify_decision(stored)
    except (KeyError, TypeError, ValueError) as exc:
        self_diff = [str(exc)]
    report.add(
        not self_diff,
        "存储的结果自身一致（按其票数重算无差异）"
        if not self_diff
        else f"存储的结果自相矛盾：{_short(self_diff)}",
        "the stored result is consistent with its own tally"
        if not self_diff
        else f"the stored result contradicts its own tally at {_short(self_diff)}",
    )
    passed = data.get("passed")
    if passed is not None:
        report.add(
            passed is decision.passed,
            "公布的通过与否与重算一致" if passed is decision.passed else "公布的通过与否与重算不符",
            "published pass/fail matches"
            if passed is decision.passed
            else "published pass/fail differs",
        )
    if labels:
        # Deemed consent joins silent owners to a yes or a no; a motion with options has
        # neither, so there is never a deemed-consent result to check.
        if data.get("deemed_result") is not None:
            report.add(
                False,
                "多选项议题不应有视为同意结果",
                "a motion with options cannot have a deemed-consent result",
            )
        return
    _check_deemed(report, data, roll, board, rule_set, matter, tally, options)


def _check_deemed(report, data, roll, board, rule_set, matter, tally, options) -> None:
    stored = data.get("deemed_result")
    if stored is None:
        return
    delivered = set(data.get("delivered_keys") or [])
    voted = {row["voter_key"] for row in board}
    silent = [r for k, r in roll.items() if not r["excluded"] and k in delivered and k not in voted]
    try:
        deemed = rules.decide_deemed(
            rule_set,
            matter,
            tally,
            rules.Counts(sum(r["persons"] for r in silent), sum(r["area"] for r in silent)),
            options,
        )
    except (TypeError, ValueError) as exc:
        report.add(False, f"无法重算视为同意结果：{exc}", f"cannot recompute deemed result: {exc}")
        return
    computed = deemed.as_dict()
    diff = _differences(stored, computed)
    report.add(
        not diff,
        "视为同意结果与重算一致" if not diff else f"视为同意结果与重算不符：{_short(diff)}",
        "deemed-consent result matches"
        if not diff
        else f"deemed-consent result differs at {_short(diff)}",
    )
    try:
        self_diff = rules.verify_deemed(stored)
    except (KeyError, TypeError, ValueError) as exc:
        self_diff = [str(exc)]
    report.add(
        not self_diff,
        "存储的视为同意结果自身一致"
        if not self_diff
        else f"存储的视为同意结果自相矛盾：{_short(self_diff)}",
        "the stored deemed-consent result is self-consistent"
        if not self_diff
        else f"the stored deemed-consent result contradicts itself at {_short(self_diff)}",
    )


def verify_export(data: Any) -> Report:
    """Check one motion's export; the report lists every check, passed or failed."""
    report = Report()
    if not isinstance(data, Mapping):
        report.add(False, "不是有效的导出文件", "not an export object")
        return report
    fmt, version = data.get("format"), data.get("version")
    if not report.add(
        fmt == EXPORT_FORMAT and version == EXPORT_VERSION,
        f"文件格式 {fmt} 版本 {version}",
        f"format {fmt} version {version}"
        + ("" if fmt == EXPORT_FORMAT and version == EXPORT_VERSION else " is not supported"),
    ):
        return report
    motion_id = (data.get("motion") or {}).get("id")
    if not report.add(
        _is_count(motion_id),
        "议题编号有效",
        "motion id present" if _is_count(motion_id) else "no motion id",
    ):
        return report
    roll = _check_roll(report, motion_id, data)
    board = _check_chain(report, motion_id, data)
    if roll is None or board is None:
        return report
    _check_voters(report, roll, board, _valid_choices(data))
    _check_result(report, data, roll, board)
    return report


def verify_file(path: str) -> Report:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        report = Report()
        report.add(False, f"无法读取文件：{exc}", f"cannot read the file: {exc}")
        return report
    return verify_export(data)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m anju.voting.verify export.json\n")
        return 2
    report = verify_file(args[0])
    sys.stdout.write(report.text() + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
