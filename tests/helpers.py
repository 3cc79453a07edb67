"""Read what a page or an export shows: table rows as cell texts, workbook rows as values."""

from html.parser import HTMLParser
from io import BytesIO

from openpyxl import load_workbook

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


class _TableReader(HTMLParser):
    """Collect the body rows of the table marked data-testid=<testid>, as lists of cell texts."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.in_table = False
        self.in_body = False
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.placeholder = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == self.testid:
            self.in_table = True
        elif self.in_table and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.row, self.placeholder = [], False
        elif self.row is not None and tag == "td":
            self.cell = []
            # The "nothing found" row is one cell spanning the whole table.
            self.placeholder = self.placeholder or "colspan" in attrs

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if not self.placeholder:
                self.rows.append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.in_table = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid: str = "results") -> list[list[str]]:
    """Return the body rows of a rendered table as lists of cell texts, placeholders left out."""
    reader = _TableReader(testid)
    reader.feed(response.content.decode())
    return reader.rows


def workbook_rows(response) -> list[list]:
    """Return the data rows (header left out) of the first sheet of an xlsx response."""
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    rows = [["" if v is None else v for v in row] for row in workbook.worksheets[0].values]
    return rows[1:]


def workbook_text(response) -> str:
    """Return every cell of every sheet of an xlsx response as one string."""
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    return "\n".join(
        str(v) for ws in workbook.worksheets for row in ws.values for v in row if v is not None
    )
