"""The open verifier: a genuine export passes; every kind of tampering is caught, also through
the management command's exit status."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from anju.voting import evidence, roll, services, verify
from anju.voting.tests.test_documents import closed_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(vw):
    meeting = closed_meeting(vw)
    motion = meeting.motions.get(number=1)
    return json.loads(evidence.export_json(evidence.motion_export(motion)))


def rechain(data: dict) -> dict:
    """What a careful forger does after editing lines: renumber, rehash, republish the head."""
    prev = verify.board_genesis(data["motion"]["id"], data["roll_hash"])
    for seq, row in enumerate(data["board"], start=1):
        row["seq"] = seq
        row["prev_hash"] = prev
        row["hash"] = prev = verify.board_line_hash(prev, row)
    data["board_head"] = prev
    return data


def failing(data: dict) -> list[str]:
    report = verify.verify_export(data)
    assert not report.ok
    return [c.en for c in report.problems]


def _any(problems: list[str], *words: str) -> bool:
    return any(all(w in p for w in words) for p in problems)


# -- the genuine export ----------------------------------------------------------------------


def test_a_genuine_export_passes(export):
    report = verify.verify_export(export)
    assert report.ok, report.text()
    assert "通过" in report.text()
    assert "Verdict: every check passed." in report.text()


def test_the_verifier_restates_the_live_hash_functions(vw):
    motion = closed_meeting(vw).motions.get(number=2)
    data = evidence.motion_export(motion)
    assert verify.roll_digest(motion.pk, data["roll"]) == roll.roll_hash(motion)
    assert verify.board_genesis(motion.pk, motion.roll_hash) == services.board_genesis(motion)
    row = data["board"][0]
    assert verify.board_line_hash("x", row) == services.board_hash("x", row)


def test_a_genuine_export_with_deemed_consent_passes(vw):
    meeting = closed_meeting(vw, deemed_consent=True, deemed_clause="议事规则第十八条")
    data = json.loads(evidence.export_json(evidence.motion_export(meeting.motions.first())))
    assert data["deemed_result"] is not None
    report = verify.verify_export(data)
    assert report.ok, report.text()
    # The delivered voters who did not vote are the deemed base: claiming one more breaks it.
    data["deemed_result"]["added"]["persons"] += 1
    assert _any(failing(data), "deemed")


# -- tampering -----------------------------------------------------------------------------------


def test_a_changed_choice_breaks_the_chain(export):
    row = next(r for r in export["board"] if r["choice"] == "no")
    row["choice"] = "yes"
    problems = failing(export)
    assert _any(problems, f"hash chain broken at lines [{row['seq']}]")


def test_a_changed_choice_with_a_rebuilt_chain_changes_the_count(export):
    row = next(r for r in export["board"] if r["choice"] == "no")
    row["choice"] = "yes"
    problems = failing(rechain(export))
    assert not _any(problems, "hash chain")
    assert _any(problems, "recomputed tally differs")
    assert _any(problems, "recomputed decision differs")


def test_a_removed_line_is_caught(export):
    del export["board"][1]
    problems = failing(export)
    assert _any(problems, "not 1..n")
    assert _any(problems, "hash chain broken")


def test_a_removed_line_with_a_rebuilt_chain_changes_the_count(export):
    del export["board"][1]
    problems = failing(rechain(export))
    assert _any(problems, "recomputed tally differs")


def test_an_inserted_line_is_caught(export):
    voted = {r["voter_key"] for r in export["board"]}
    silent = next(r for r in export["roll"] if r["key"] not in voted)
    forged = {
        "seq": len(export["board"]) + 1,
        "voter_key": silent["key"],
        "voter": "某** 2-2**",
        "persons": silent["persons"],
        "area": silent["area"],
        "choice": "yes",
        "receipt": "FORGED000000000000000",
        "prev_hash": export["board_head"],
    }
    forged["hash"] = verify.board_line_hash(export["board_head"], forged)
    export["board"].append(forged)
    problems = failing(export)
    assert _any(problems, "board head differs")
    # Republishing the head does not help: the count no longer matches the result.
    export["board_head"] = forged["hash"]
    assert _any(failing(export), "recomputed tally differs")


def test_a_line_for_someone_off_the_roll_is_caught(export):
    export["board"][0]["voter_key"] = "owner:999999"
    problems = failing(rechain(export))
    assert _any(problems, "not on roll", "owner:999999")


def test_a_duplicated_voter_is_caught(export):
    export["board"].append(copy.deepcopy(export["board"][0]))
    problems = failing(rechain(export))
    assert _any(problems, "several lines")


def test_a_changed_area_on_the_board_is_caught(export):
    export["board"][0]["area"] += 100
    problems = failing(rechain(export))
    assert _any(problems, "persons/area differ from the roll")
    assert _any(problems, "recomputed tally differs")


def test_an_altered_roll_is_caught(export):
    export["roll"][0]["area"] += 1
    problems = failing(export)
    assert _any(problems, "roll hash differs")


def test_an_altered_roll_with_a_new_roll_hash_breaks_the_genesis(export):
    export["roll"][0]["excluded"] = True
    export["roll_hash"] = verify.roll_digest(export["motion"]["id"], export["roll"])
    problems = failing(export)
    assert _any(problems, "hash chain broken at lines [1")


def test_a_duplicate_roll_entry_is_caught(export):
    export["roll"].append(copy.deepcopy(export["roll"][0]))
    problems = failing(export)
    assert _any(problems, "duplicate voters")
    assert _any(problems, "roll hash differs")


def test_a_changed_stored_result_is_caught(export):
    export["result"]["passed"] = not export["result"]["passed"]
    problems = failing(export)
    assert _any(problems, "recomputed decision differs", "passed")
    assert _any(problems, "contradicts its own tally")


def test_a_changed_stored_tally_is_caught(export):
    export["result"]["tally"]["yes"]["area"] += 5000
    problems = failing(export)
    assert _any(problems, "recomputed tally differs", "yes.area")


def test_a_changed_published_verdict_is_caught(export):
    export["passed"] = not export["passed"]
    assert _any(failing(export), "published pass/fail differs")


def test_a_broken_chain_is_caught(export):
    export["board"][2]["prev_hash"] = "0" * 64
    problems = failing(export)
    assert _any(problems, "hash chain broken at lines [3]")


def test_garbage_is_refused(export):
    assert not verify.verify_export([]).ok
    assert not verify.verify_export({"format": "other", "version": 1}).ok
    export["board"][0].pop("receipt")
    assert _any(failing(export), "lack fields")


# -- the management command ----------------------------------------------------------------------


def _write(tmp_path: Path, data: dict, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_command_passes_a_genuine_export(export, tmp_path, capsys):
    call_command("voting_verify", str(_write(tmp_path, export)))
    out = capsys.readouterr().out
    assert "Verdict: every check passed." in out


def test_the_command_fails_a_tampered_export(export, tmp_path, capsys):
    export["board"][0]["choice"] = "no" if export["board"][0]["choice"] == "yes" else "yes"
    with pytest.raises(CommandError, match="verification failed"):
        call_command("voting_verify", str(_write(tmp_path, export)))
    assert "[失败 FAIL]" in capsys.readouterr().out


def test_the_command_reports_json(export, tmp_path, capsys):
    call_command("voting_verify", str(_write(tmp_path, export)), "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_the_exit_status_of_the_command_and_the_module(export, tmp_path):
    good = _write(tmp_path, export, "good.json")
    tampered = copy.deepcopy(export)
    tampered["result"]["passed"] = not tampered["result"]["passed"]
    bad = _write(tmp_path, tampered, "bad.json")
    manage = Path(settings.BASE_DIR) / "manage.py"
    env = os.environ.copy()

    def run(*args):
        return subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run(str(manage), "voting_verify", str(good)).returncode == 0
    result = run(str(manage), "voting_verify", str(bad))
    assert result.returncode != 0
    assert "recomputed decision differs" in result.stdout
    # The module runs without Django settings: stdlib and the rule engine only.
    bare = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.clear()
    env.update(bare)
    assert run("-m", "anju.voting.verify", str(good)).returncode == 0
    assert run("-m", "anju.voting.verify", str(bad)).returncode == 1
    assert run("-m", "anju.voting.verify", str(tmp_path / "missing.json")).returncode == 1
