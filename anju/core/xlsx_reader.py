"""Stream the cell values of an .xlsx sheet quickly, row by row.

openpyxl opens the workbook (read-only, data-only): the sheet list, the shared strings, the
date styles and the 1900/1904 epoch. The cells are then read straight from the sheet's XML
with lxml's iterparse. openpyxl's own read-only row iterator builds a dict per cell and runs
its descriptor machinery for every inline string; on a 20,000-row ledger it alone took
longer than the whole import budget, while this loop keeps memory flat (each row is
cleared once read) and is several times faster. Values match openpyxl's data_only reading:
numbers (int or float), text, booleans, dates as datetime, cached formula results.
"""

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS

NS = "{%s}" % SHEET_MAIN_NS  # noqa: UP031 - braces are literal here
ROW, CELL, VALUE = f"{NS}row", f"{NS}c", f"{NS}v"
INLINE, TEXT, RUN = f"{NS}is", f"{NS}t", f"{NS}r"
DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+[0-9]+:[A-Z]+([0-9]+)\"")
ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s>]")


DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}


def column_index(reference: str) -> int:
    """0-based column of a cell reference such as "AB12"."""
    letters = reference.rstrip(DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        index = -1
        for char in letters:
            index = (index + 1) * 26 + (ord(char) - 65)
        if len(_COLUMNS) < 16384:
            _COLUMNS[letters] = index
    return index


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _inline_text(cell) -> str:
    # <c t="inlineStr"><is><t>text</t></is></c>, or rich-text runs <r><t>..</t></r>;
    # phonetic hints (<rPh>) are not content. Children are walked directly: lxml's find()
    # goes through its Python ElementPath and costs more than the whole row otherwise.
    parts = []
    for node in cell:
        if node.tag != INLINE:
            continue
        for child in node:
            if child.tag == TEXT:
                parts.append(child.text or "")
            elif child.tag == RUN:
                parts.extend(t.text or "" for t in child if t.tag == TEXT)
    return "".join(parts)


class Workbook:
    """An opened .xlsx file: its sheet titles and a fast row stream for each."""

    def __init__(self, file):
        reader = ExcelReader(file, read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        self._archive = reader.archive
        self._strings = reader.shared_strings
        self._epoch = reader.wb.epoch
        self._dates = frozenset(getattr(reader.wb, "_date_formats", ()) or ())
        self._durations = frozenset(getattr(reader.wb, "_timedelta_formats", ()) or ())
        self._paths = {}
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                self._paths[sheet.name] = rel.target

    @property
    def titles(self) -> list[str]:
        return list(self._paths)

    def close(self) -> None:
        self._archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def count_rows(self, title: str) -> int:
        """The sheet's last row number, from its <dimension> or by counting <row> tags."""
        with self._archive.open(self._paths[title]) as source:
            head = source.read(4096)
            match = DIMENSION_RE.search(head)
            if match:
                return int(match.group(1))
            count, tail, data = 0, b"", head
            while data:
                chunk = tail + data
                count += len(ROW_TAG_RE.findall(chunk))
                tail = chunk[-16:]
                count -= len(ROW_TAG_RE.findall(tail))  # counted again with the next chunk
                data = source.read(1 << 20)
            return count

    def rows(self, title: str) -> Iterator[tuple[int, list[Any]]]:
        """Yield (Excel row number, values by 0-based column) for each non-empty <row>."""
        strings, epoch, dates, durations = self._strings, self._epoch, self._dates, self._durations
        columns = _COLUMNS
        with self._archive.open(self._paths[title]) as source:
            previous = 0
            for _event, row in etree.iterparse(
                source, events=("end",), tag=ROW, resolve_entities=False, no_network=True
            ):
                reference = row.get("r")
                number = int(reference) if reference else previous + 1
                previous = number
                values: list[Any] = []
                for cell in row:
                    if cell.tag != CELL:
                        continue
                    reference = cell.get("r")
                    if reference is not None:
                        column = columns.get(reference.rstrip(DIGITS))
                        if column is None:
                            column = column_index(reference)
                        if column > len(values):
                            values.extend([None] * (column - len(values)))
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        values.append(_inline_text(cell))
                        continue
                    text = None
                    for child in cell:
                        if child.tag == VALUE:
                            text = child.text
                            break
                    if not text:
                        values.append(None)
                    elif kind == "s":
                        values.append(strings[int(text)])
                    elif kind is None or kind == "n":
                        style = cell.get("s")
                        if style is not None and int(style) in dates:
                            values.append(_date(text, epoch, int(style) in durations))
                        else:
                            values.append(_number(text))
                    elif kind == "b":
                        values.append(text not in ("0", "false"))
                    elif kind == "d":
                        values.append(from_ISO8601(text))
                    else:  # "str" (a formula's cached text) or "e" (an error such as #N/A)
                        values.append(text)
                yield number, values
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]


def _date(text: str, epoch, duration: bool) -> Any:
    value = _number(text)
    try:
        return from_excel(value, epoch, timedelta=duration)
    except (OverflowError, ValueError):
        return value
