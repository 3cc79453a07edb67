"""The Excel import journey in Chromium: template, a refused upload, the marked-up workbook,
a corrected upload and the export, as a district administrator does it.
"""

from io import BytesIO
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from anju.core.imports import get_ledger, normalize
from anju.estates.models import Building, Unit

pytestmark = pytest.mark.browser

COMMUNITY_A1 = "510104001001"  # 红星社区, see tests/conftest.py
UNKNOWN_ESTATE = "无此小区"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def column_positions(ws) -> dict[str, int]:
    """Map the units ledger's column keys to their positions in the sheet's header row."""
    aliases = get_ledger("units").header_aliases()
    header = next(ws.iter_rows(max_row=1, values_only=True))
    return {aliases[normalize(text)]: i for i, text in enumerate(header) if text}


def unit_row(positions: dict[str, int], **values) -> list:
    row = [None] * (max(positions.values()) + 1)
    for key, value in values.items():
        row[positions[key]] = value
    return row


def saved(download, tmp_path: Path) -> Path:
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def upload(page, path: Path) -> None:
    form = page.get_by_test_id("import-form")
    form.locator("select[name=kind]").select_option("units")
    form.get_by_test_id("import-file").set_input_files(path)
    with page.expect_navigation():
        form.get_by_test_id("import-submit").click()


def test_district_admin_imports_units_from_excel(pages, world, tmp_path, media_root):
    page = pages.new()
    pages.login(page, "district_admin")
    units_before = Unit.objects.count()
    buildings_before = Building.objects.count()
    with translation.override("zh-hans"):
        residential = str(Unit.Kind.RESIDENTIAL.label)  # as picked from the template's list

    # given the units template, downloaded from the imports page
    page.locator(".navbar-vertical a[href='/imports/']").click()
    expect(page.get_by_test_id("import-form")).to_be_visible()
    pages.shot(page, "imports")
    with page.expect_download() as download_info:
        page.get_by_test_id("template-units").click()
    workbook = load_workbook(saved(download_info.value, tmp_path))
    ws = workbook.worksheets[0]
    positions = column_positions(ws)
    assert {"community", "estate", "building", "number", "unit_kind", "area"} <= set(positions)

    # filled in with three good rows and two bad ones (area 0; an estate that does not exist)
    common = {"community": COMMUNITY_A1, "building": "2栋", "unit_kind": residential, "floor": 2}
    for number, estate, area in [
        ("201", "红星花园", 88.5),
        ("202", "红星花园", 92),
        ("203", "红星花园", 76.25),
        ("204", "红星花园", 0),
        ("205", UNKNOWN_ESTATE, 101),
    ]:
        ws.append(unit_row(positions, estate=estate, number=number, area=area, **common))
    first = tmp_path / "units-first.xlsx"
    workbook.save(first)

    # when it is uploaded
    upload(page, first)

    # then the job page lists both bad rows, and nothing was imported
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(2)
    excel_rows = error_rows.locator("td:nth-child(2)").all_inner_texts()
    assert excel_rows == ["5", "6"]  # the header is row 1, so the 4th and 5th data rows
    assert error_rows.locator("td:nth-child(4)").all_inner_texts() == ["0", UNKNOWN_ESTATE]
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    assert Unit.objects.count() == units_before
    assert Building.objects.count() == buildings_before
    pages.shot(page, "errors")

    # when the workbook with the errors marked is downloaded and its two rows corrected
    with page.expect_download() as download_info:
        page.get_by_test_id("import-annotated").click()
    annotated = load_workbook(saved(download_info.value, tmp_path))
    sheet = annotated.worksheets[0]
    marked = sheet.cell(row=5, column=positions["area"] + 1)
    assert marked.value == 0
    assert marked.comment is not None  # the bad cell carries the reason
    assert sheet.cell(row=6, column=positions["estate"] + 1).comment is not None
    marked.value = 64.8
    sheet.cell(row=6, column=positions["estate"] + 1).value = "红星花园"
    second = tmp_path / "units-fixed.xlsx"
    annotated.save(second)

    # and uploaded again
    page.goto("/imports/")
    upload(page, second)

    # then every row is imported: one new building and five units
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible()
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert result.get_by_test_id("import-count").all_inner_texts() == ["1", "5"]
    assert Unit.objects.count() == units_before + 5
    assert Building.objects.filter(estate=world.estate_a, number="2栋").exists()
    pages.shot(page, "imported")

    # and the units appear in the estate's unit list
    page.goto(f"/estates/units/?estate={world.estate_a.pk}&q=20")
    rows = page.locator("[data-testid=results] tbody tr")
    expect(rows).to_have_count(5)
    numbers = rows.locator("td:nth-child(4)").all_inner_texts()
    assert sorted(numbers) == ["201", "202", "203", "204", "205"]
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"2栋"}
    pages.shot(page, "units")

    # and in the units ledger exported in the template's columns
    page.goto("/imports/")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-units").click()
    exported = load_workbook(BytesIO(Path(download_info.value.path()).read_bytes()))
    export_ws = exported.worksheets[0]
    assert column_positions(export_ws) == positions
    lines = list(export_ws.iter_rows(min_row=2, values_only=True))
    new = {
        line[positions["number"]]: line[positions["area"]]
        for line in lines
        if line[positions["building"]] == "2栋"
    }
    assert {k: float(v) for k, v in new.items()} == {
        "201": 88.5,
        "202": 92,
        "203": 76.25,
        "204": 64.8,
        "205": 101,
    }
