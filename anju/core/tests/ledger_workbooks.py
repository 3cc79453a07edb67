"""Build and read ledger workbooks in memory for the import tests."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

from anju.core.imports import get_ledger, import_workbook
from anju.core.ledger_cells import ID_CHECK_CHARS, ID_WEIGHTS


def headers(kind: str) -> list[str]:
    return [c.header() for c in get_ledger(kind).columns]


def xlsx(kind: str, rows: list[dict[str, Any]], *, header: list[str] | None = None) -> BytesIO:
    """A workbook whose first sheet has the ledger's headers and one line per dict of cells."""
    ledger = get_ledger(kind)
    keys = [c.key for c in ledger.columns]
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.sheet_title()
    ws.append(header if header is not None else headers(kind))
    for row in rows:
        unknown = set(row) - set(keys)
        assert not unknown, unknown
        ws.append([row.get(k) for k in keys])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def run(actor, kind: str, rows: list[dict[str, Any]], **kwargs):
    return import_workbook(actor=actor, kind=kind, file=xlsx(kind, rows), **kwargs)


def id_number(body17: str) -> str:
    """Complete 17 digits with their GB 11643 check character."""
    total = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + ID_CHECK_CHARS[total % 11]


def sheet_rows(content: bytes, sheet: int | str = 0) -> list[tuple]:
    wb = load_workbook(BytesIO(content))
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def errors_at(outcome, column_key: str, kind: str) -> list[tuple[int, str]]:
    """(row, message) of the outcome's errors in the column with this key."""
    header = get_ledger(kind).column(column_key).header()
    return [(e.row, e.message) for e in outcome.errors if e.column == header]
