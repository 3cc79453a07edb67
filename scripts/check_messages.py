"""Fail when a committed .po file does not compile to the .mo beside it (stale translations)."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    status = 0
    for po in sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "django.mo"
            result = subprocess.run(  # noqa: S603 - fixed arguments
                ["msgfmt", "--check-format", "-o", str(out), str(po)],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                print(result.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
