"""The fast sheet reader gives the same values as openpyxl's read-only, data-only reading."""

import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from anju.core.xlsx_reader import Workbook, column_index


def wall_clock(*parts: int) -> datetime:
    """Excel cells carry no time zone: openpyxl reads dates as naive datetimes."""
    return datetime(*parts)  # noqa: DTZ001 - spreadsheet values are naive by nature


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# Written the way Excel and WPS write: shared strings, a date style, a 1900 epoch,
# rich text with a phonetic hint, cached formula results, gaps and cells without "r".
SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:I3"/><sheetData>
<row r="1">
  <c r="A1" t="s"><v>0</v></c>
  <c r="B1" t="inlineStr"><is><r><t>红星</t></r><r><rPr><b/></rPr><t>花园</t></r>
    <rPh sb="0" eb="2"><t>hongxing</t></rPh></is></c>
  <c r="C1" t="b"><v>1</v></c>
  <c r="D1"><f>1+1</f><v>2</v></c>
  <c r="E1" t="str"><f>"a"&amp;"bc"</f><v>abc</v></c>
  <c r="G1"><v>3.5</v></c>
  <c r="H1" s="1"><v>45352</v></c>
  <c r="I1" t="e"><v>#N/A</v></c>
</row>
<row r="3"><c t="s"><v>1</v></c><c><v>7</v></c><c r="D3" t="s"><v>2</v></c></row>
</sheetData></worksheet>"""

STRINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="3" uniqueCount="3"><si><t>小区名称</t></si>
<si><t xml:space="preserve"> 101 </t></si><si><r><t>A</t></r><r><t>B</t></r></si></sst>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>
<sheet name="台账" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/>
</sheets></workbook>"""

WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="{REL}/styles" Target="styles.xml"/>
</Relationships>"""

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{CT}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>
</Types>"""

ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

SHEET2 = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}"><sheetData/></worksheet>"""


def excel_like() -> BytesIO:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", STRINGS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET)
        archive.writestr("xl/worksheets/sheet2.xml", SHEET2)
    buffer.seek(0)
    return buffer


def openpyxl_rows(file, title) -> dict[int, list]:
    wb = load_workbook(file, read_only=True, data_only=True)
    ws = wb[title]
    ws.reset_dimensions()
    rows = {}
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows[number] = values
    wb.close()
    return rows


def test_excel_like_workbook():
    with Workbook(excel_like()) as book:
        assert book.titles == ["台账", "说明"]
        assert book.count_rows("台账") == 3
        rows = dict(book.rows("台账"))
        assert list(book.rows("说明")) == []
    assert rows[1] == [
        "小区名称",
        "红星花园",  # rich text runs joined; the phonetic hint is not content
        True,
        2,  # the cached result of a formula
        "abc",
        None,  # F1 is missing
        3.5,
        wall_clock(2024, 3, 1),
        "#N/A",
    ]
    assert 2 not in rows
    assert rows[3] == [" 101 ", 7, None, "AB"]
    assert rows == openpyxl_rows(excel_like(), "台账")


def test_openpyxl_written_workbook_and_count_without_dimension():
    wb = OpenpyxlWorkbook(write_only=True)  # write-only files carry no <dimension>
    ws = wb.create_sheet("Data")
    ws.append(["text", 1, 2.25, True, date(2024, 1, 31), wall_clock(2024, 1, 31, 8, 30)])
    for i in range(2500):
        ws.append([f"row {i}", i])
    buffer = BytesIO()
    wb.save(buffer)
    with Workbook(BytesIO(buffer.getvalue())) as book:
        assert book.count_rows("Data") == 2501
        rows = dict(book.rows("Data"))
    first = ["text", 1, 2.25, True, wall_clock(2024, 1, 31), wall_clock(2024, 1, 31, 8, 30)]
    assert rows[1] == first
    assert rows[2501] == ["row 2499", 2499]
    assert rows == openpyxl_rows(BytesIO(buffer.getvalue()), "Data")


@pytest.mark.parametrize(
    ("reference", "index"), [("A1", 0), ("Z9", 25), ("AA10", 26), ("AZ1", 51), ("XFD3", 16383)]
)
def test_column_index(reference, index):
    assert column_index(reference) == index
