"""Ledger import benchmark, run by bench/run.py in subprocesses against a scratch database.

    python -m bench.imports generate DIR ROWS   -> DIR/units.xlsx and DIR/owners.xlsx (JSON)
    python -m bench.imports import KIND FILE    -> rows/s and peak memory of one import (JSON)

The files follow the headers of `anju.core.imports.ledger_template(kind)` (first row of the
first sheet) and fill ROWS new units (new buildings of the database's first estate) and one
new owner per unit, with valid ID numbers. Each import runs in its own process so that its
peak resident set size (getrusage ru_maxrss) belongs to that import alone.
"""

import json
import os
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from openpyxl import Workbook, load_workbook  # noqa: E402

from anju.accounts.models import User  # noqa: E402
from anju.core.demo import id_check_char  # noqa: E402
from anju.estates.models import Estate  # noqa: E402

UNITS_PER_BUILDING = 250
AREA_CODE = "510107"  # not the demo district's, so no ID number can clash with its owners
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def template_headers(kind: str) -> list[str]:
    from anju.core.imports import ledger_template

    wb = load_workbook(BytesIO(ledger_template(kind)), read_only=True)
    ws = wb.worksheets[0]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    wb.close()
    return [str(h) for h in header if h not in (None, "")]


def header_keys(kind: str, headers: list[str]) -> list[str]:
    """Map each template header to its column key through the ledger's own aliases."""
    from anju.core.imports import get_ledger
    from anju.core.ledger_cells import normalize

    aliases = get_ledger(kind).header_aliases()
    return [aliases[normalize(h)] for h in headers]


def unit_rows(estate: Estate, rows: int):
    """Yield dicts of column key -> cell value for `rows` new units of estate."""
    per_floor, entrances = 4, 2
    floors = UNITS_PER_BUILDING // (per_floor * entrances)
    n = 0
    building = 0
    while n < rows:
        building += 1
        for entrance in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for position in range(1, per_floor + 1):
                    if n >= rows:
                        return
                    n += 1
                    yield {
                        "community": estate.region_code,
                        "estate": estate.name,
                        "building": f"导入{building}栋",
                        "entrance": str(entrance),
                        "number": f"{floor}{position:02d}",
                        "floor": floor,
                        "unit_kind": "residential",
                        "area": Decimal(6000 + (n * 37) % 9000).scaleb(-2),
                        "area_source": "registered",
                        "delivery": "delivered",
                    }


def id_numbers():
    """Yield distinct valid ID numbers (GB 11643) of people born 1950-1999."""
    day = date(1950, 1, 1)
    while True:
        for serial in range(1, 1000):
            body = f"{AREA_CODE}{day:%Y%m%d}{serial:03d}"
            yield body + id_check_char(body)
        day += timedelta(days=1)


def owner_rows(estate: Estate, rows: int):
    ids = id_numbers()
    for n, unit in enumerate(unit_rows(estate, rows)):
        yield {
            "community": unit["community"],
            "estate": unit["estate"],
            "building": unit["building"],
            "entrance": unit["entrance"],
            "number": unit["number"],
            "name": SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)],
            "owner_kind": "person",
            "id_number": next(ids),
            "phone": f"139{n:08d}",
            "share": Decimal(1),
            "representative": True,
            "since": date(2015, 1, 1) + timedelta(days=n % 3000),
            "developer": False,
        }


def write_xlsx(path: Path, kind: str, rows) -> int:
    headers = template_headers(kind)
    keys = header_keys(kind, headers)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(headers)
    count = 0
    for row in rows:
        ws.append([row.get(key) for key in keys])
        count += 1
    wb.save(path)
    return count


def generate(directory: str, rows: int) -> dict:
    estate = Estate.objects.order_by("id").first()
    target = Path(directory)
    started = time.monotonic()
    units = write_xlsx(target / "units.xlsx", "units", unit_rows(estate, rows))
    owners = write_xlsx(target / "owners.xlsx", "owners", owner_rows(estate, rows))
    return {
        "estate": estate.name,
        "units": units,
        "owners": owners,
        "seconds": round(time.monotonic() - started, 1),
        "bytes": {p.name: p.stat().st_size for p in target.glob("*.xlsx")},
    }


def run_import(kind: str, path: str) -> dict:
    from anju.core.imports import import_workbook

    actor = User.objects.get(username="district_admin")
    baseline = rss_mib()
    started = time.monotonic()
    with open(path, "rb") as handle:
        outcome = import_workbook(actor=actor, kind=kind, file=handle)
    seconds = time.monotonic() - started
    return {
        "rows": outcome.rows,
        "ok": outcome.ok,
        "created": outcome.created,
        "errors": [str(e) for e in outcome.errors[:3]],
        "seconds": round(seconds, 2),
        "rows_per_s": outcome.rows / seconds if seconds else 0,
        "baseline_rss_mib": round(baseline, 1),
        "peak_rss_mib": round(rss_mib(), 1),
    }


def main(argv: list[str]) -> None:
    if argv[1] == "generate":
        output = generate(argv[2], int(argv[3]))
    elif argv[1] == "import":
        output = run_import(argv[2], argv[3])
    else:
        raise SystemExit(f"unknown command {argv[1]!r}")
    json.dump(output, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(sys.argv)
