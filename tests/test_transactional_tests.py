"""A rule of the suite itself: every transactional test restores a serialized database.

A flush after a transactional test that is not serialized lets the migrations' signal recreate
the content types; a serialized test that runs after it on the same xdist worker then restores
them a second time and fails at its setup. Which tests share a worker changes as files come
and go, so the rule is checked here rather than left to luck."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"django_db\(([^)]*)\)")


def test_every_transactional_test_is_serialized():
    offenders = []
    for path in [*ROOT.joinpath("anju").rglob("test_*.py"), *ROOT.joinpath("tests").rglob("*.py")]:
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            arguments = match.group(1)
            if "transaction=True" in arguments and "serialized_rollback=True" not in arguments:
                offenders.append(f"{path.relative_to(ROOT)}: django_db({arguments})")
    assert offenders == []


def test_live_server_journeys_are_serialized():
    conftest = ROOT.joinpath("tests", "browser", "conftest.py").read_text(encoding="utf-8")
    assert "django_db_serialized_rollback" in conftest
