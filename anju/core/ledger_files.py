"""Ledger workbooks written out: templates, exports and annotated copies of uploads.

The public entry points are ledger_template, ledger_export and annotated_workbook in
anju.core.imports; this module builds the files (write-only, streaming rows).
"""

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from anju.core.excel import HEADER_FILL, safe_cell
from anju.core.imports import Ledger, RowError, is_blank, sheet_name
from anju.core.ledger_cells import display
from anju.core.pii import mask
from anju.core.xlsx_reader import Workbook as XlsxWorkbook

LISTS_SHEET = "_lists"
EXCEL_LAST_ROW = 1_048_576
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
EXAMPLE_FONT = Font(italic=True, color="808080")


def ledger_workbook(ledger: Ledger, rows: Iterable[Sequence[Any]]) -> bytes:
    """Build a ledger's workbook: the data sheet (headers, drop-downs, rows), the
    instructions and the hidden sheet of drop-down lists."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ledger.sheet_title())
    instructions = wb.create_sheet(sheet_name(_("Instructions")))
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    option_columns: list[list[str]] = []
    for index, column in enumerate(ledger.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(12, len(column.header()) * 2 + 4)
        if column.cell.text_format:
            ws.column_dimensions[letter].number_format = "@"
        options = column.cell.options()
        if options:
            option_columns.append(options)
            list_letter = get_column_letter(len(option_columns))
            validation = DataValidation(
                type="list",
                formula1=f"'{LISTS_SHEET}'!${list_letter}$1:${list_letter}${len(options)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the drop-down list."),
            )
            validation.add(f"{letter}2:{letter}{EXCEL_LAST_ROW}")
            ws.data_validations.append(validation)
    ws.freeze_panes = "A2"

    header = []
    for column in ledger.columns:
        cell = WriteOnlyCell(ws, value=column.header())
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    cells = [c.cell for c in ledger.columns]
    pii = [c.pii for c in ledger.columns]
    for values in rows:
        out = []
        for cell, is_pii, value in zip(cells, pii, values, strict=True):
            shown = cell.to_cell(value)
            if is_pii and shown not in (None, ""):
                shown = mask(str(shown))
            out.append(safe_cell(shown))
        ws.append(out)

    depth = max((len(o) for o in option_columns), default=0)
    for i in range(depth):
        lists.append([o[i] if i < len(o) else None for o in option_columns])

    _write_instructions(instructions, ledger)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_instructions(ws, ledger: Ledger) -> None:
    for letter, width in zip("ABCDE", (22, 10, 48, 24, 60), strict=True):
        ws.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")

    def bold(value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=str(value))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        return cell

    def wrapped(value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=safe_cell(value))
        cell.alignment = wrap
        return cell

    ws.append([bold(ledger.title)])
    if ledger.description:
        ws.append([wrapped(str(ledger.description))])
    ws.append(
        [
            wrapped(
                _(
                    "Fill in the first sheet, one row per record, below its header row. "
                    "If any row is wrong nothing is imported: every error is listed and the "
                    "workbook can be downloaded with the wrong cells marked."
                )
            )
        ]
    )
    ws.append([])
    ws.append(
        [
            bold(_("Column")),
            bold(_("Required")),
            bold(_("Allowed values / format")),
            bold(_("Example")),
            bold(_("Notes")),
        ]
    )
    for column in ledger.columns:
        example = column.cell.to_cell(column.example) if column.example is not None else ""
        ws.append(
            [
                wrapped(column.header()),
                wrapped(_("Yes") if column.required else _("No")),
                wrapped(str(column.cell.describe())),
                wrapped(display(example)),
                wrapped(str(column.help)),
            ]
        )
    ws.append([])
    ws.append([bold(_("Example row (do not copy this sheet; fill in the first sheet)"))])
    ws.append([bold(c.header()) for c in ledger.columns])
    example_row = []
    for column in ledger.columns:
        value = column.cell.to_cell(column.example) if column.example is not None else None
        cell = WriteOnlyCell(ws, value=safe_cell(value))
        cell.font = EXAMPLE_FONT
        example_row.append(cell)
    ws.append(example_row)


def annotate(file, errors: list[RowError]) -> bytes:
    """The workbook in file with the cells named by errors marked (see annotated_workbook)."""
    by_sheet: dict[str, dict[int, list[RowError]]] = {}
    for error in errors:
        by_sheet.setdefault(error.sheet, {}).setdefault(error.row, []).append(error)
    out = Workbook(write_only=True)
    author = _("Anju")
    with XlsxWorkbook(file) as book:
        for title in book.titles:
            target = out.create_sheet(title)
            _annotate_sheet(book.rows(title), target, by_sheet.get(title, {}), author)
    buffer = BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _annotate_sheet(lines, target, row_errors: dict[int, list[RowError]], author: str) -> None:
    columns: dict[str, int] = {}
    width = 0
    file_level = row_errors.pop(0, [])
    annotate = bool(row_errors or file_level)
    written = 0
    for number, values in lines:
        for _gap in range(written + 1, number):
            target.append([])  # keep every row where it was, so row numbers still match
        written = number
        if number == 1:
            width = len(values)
            columns = {str(v).strip(): i for i, v in enumerate(values) if not is_blank(v)}
        if not annotate:
            target.append([safe_cell(v) for v in values])
            continue
        errors = row_errors.get(number, [])
        if number == 1:
            errors = file_level + errors
        marked: dict[int, list[str]] = {}
        for error in errors:
            index = columns.get(error.column)
            if index is None and number == 1:
                index = 0  # a missing column or a file-level problem: mark the first cell
            if index is not None:
                marked.setdefault(index, []).append(error.message)
        values += [None] * (max(width, max(marked, default=-1) + 1) - len(values))
        cells: list[Any] = []
        for index, value in enumerate(values):
            if index in marked:
                cell = WriteOnlyCell(target, value=safe_cell(value))
                cell.fill = ERROR_FILL
                cell.comment = Comment("\n".join(marked[index]), author, width=300, height=120)
                cells.append(cell)
            else:
                cells.append(safe_cell(value))
        if number == 1:
            header = WriteOnlyCell(target, value=_("Errors"))
            header.font = REQUIRED_FONT
            cells.append(header)
        elif errors:
            text = "\n".join(
                _("%(column)s: %(message)s") % {"column": e.column, "message": e.message}
                for e in errors
            )
            cells.append(safe_cell(text))
        target.append(cells)
