"""Registry journeys in Chromium: the lists, details, scope and forms as people use them.

Assertions rest on data (estate names, unit numbers, counts) and data-testid attributes, not on
the wording of our own strings, which the translators may change.
"""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from anju.estates.models import Estate
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

RESULT_ROWS = "[data-testid=results] tbody tr"


def first_column(page) -> list[str]:
    return page.locator(f"{RESULT_ROWS} td:first-child").all_inner_texts()


def search_for(page, text: str) -> None:
    """Type into the list's search box as a person does; HTMX refreshes #results once.

    fill() sends no key events, so one key press (End) makes HTMX see the keyup it debounces;
    pressing Enter instead would also submit the form and race a second, unsorted refresh.
    """
    search = page.get_by_test_id("filters").locator("input[name=q]")
    search.fill(text)
    search.press("End")


def workbook_rows(download) -> list[tuple]:
    workbook = load_workbook(BytesIO(download.path().read_bytes()), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_district_admin_browses_and_exports_estates(pages, world):
    page = pages.new()

    # given a district administrator logging in through the form
    pages.login(page, "district_admin")

    # then the overview counts what the district holds
    counts = page.get_by_test_id("card-count").all_inner_texts()
    assert "3" in counts  # estates in district D (the neighbour's is not counted)
    assert "9" in counts  # units in district D
    pages.shot(page, "home")

    # when they open the estate list
    page.locator(".navbar-vertical a[href='/estates/']").click()
    expect(page.locator(RESULT_ROWS)).to_have_count(3)
    assert "浣花苑" not in first_column(page)
    pages.shot(page, "estates")

    # and search by name (the filter form refreshes #results through HTMX)
    search_for(page, "红星")
    expect(page.locator(RESULT_ROWS)).to_have_count(1)
    assert first_column(page) == ["红星花园"]
    expect(page).to_have_url(re.compile(r"[?&]q=%E7%BA%A2%E6%98%9F"))  # pushed to history
    pages.shot(page, "search")

    # and sort the whole list by name, ascending then descending
    search_for(page, "")
    expect(page.locator(RESULT_ROWS)).to_have_count(3)
    by_name = page.locator("[data-testid=results] thead a[href*='sort=name']")
    by_name.click()
    expect(page.locator(f"{RESULT_ROWS} td:first-child").first).to_have_text("东风苑")
    assert first_column(page) == ["东风苑", "和平小区", "红星花园"]
    page.locator("[data-testid=results] thead a[href*='sort=-name']").click()
    expect(page.locator(f"{RESULT_ROWS} td:first-child").first).to_have_text("红星花园")
    assert first_column(page) == ["红星花园", "和平小区", "东风苑"]
    pages.shot(page, "sorted")

    # and open an estate, then its units
    page.locator(RESULT_ROWS).get_by_role("link", name="红星花园").click()
    expect(page.get_by_test_id("estate-name")).to_have_text("红星花园")
    expect(page.get_by_test_id("buildings")).to_contain_text("1栋")
    pages.shot(page, "estate")
    page.get_by_test_id("estate-units").click()
    expect(page.locator(RESULT_ROWS)).to_have_count(3)
    assert set(first_column(page)) == {"红星花园"}
    pages.shot(page, "units")

    # and a unit, where they reveal the owner's masked ID number
    unit = world.units_a[0]
    owner = world.owners["a"][0]
    page.locator(RESULT_ROWS).get_by_role("link", name=unit.number, exact=True).click()
    expect(page.get_by_test_id("unit-label")).to_have_text(unit.label)
    ownerships = page.get_by_test_id("ownerships")
    expect(ownerships).to_contain_text(owner.name)
    expect(ownerships).not_to_contain_text(owner.id_number)
    ownerships.get_by_test_id("reveal-id_number").click()
    expect(ownerships.get_by_test_id("revealed")).to_have_text(owner.id_number)
    pages.shot(page, "unit-revealed")

    # and finally export the estate list to Excel
    page.goto("/estates/?sort=name")
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    header, *rows = workbook_rows(download)
    assert len(header) == 9
    assert [row[0] for row in rows] == ["东风苑", "和平小区", "红星花园"]
    assert {row[4] for row in rows} == {100}  # households stay numbers in the sheet


def test_export_follows_filters_applied_through_htmx(pages, world):
    page = pages.new()
    pages.login(page, "district_admin")
    page.goto("/estates/")

    # when the list is narrowed through the HTMX filter form (no full page load)
    search_for(page, "东风")
    expect(page.locator(RESULT_ROWS)).to_have_count(1)

    # then the export holds what the list shows
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    _header, *rows = workbook_rows(download_info.value)
    assert [row[0] for row in rows] == ["东风苑"]


def test_street_officer_sees_only_their_street(pages, world):
    page = pages.new()

    # given the street A officer
    pages.login(page, "street_a_officer")

    # then the estate list holds street A's estates only
    page.goto("/estates/")
    expect(page.locator(RESULT_ROWS)).to_have_count(2)
    assert set(first_column(page)) == {"红星花园", "和平小区"}
    pages.shot(page, "estates")

    # and street B's estate and unit are not found, even by their address
    response = page.goto(f"/estates/{world.estate_b.pk}/")
    assert response.status == 404
    pages.shot(page, "other-street-estate")
    response = page.goto(f"/estates/units/{world.units_b[0].pk}/")
    assert response.status == 404

    # while their own estate opens
    response = page.goto(f"/estates/{world.estate_a.pk}/")
    assert response.status == 200
    expect(page.get_by_test_id("estate-name")).to_have_text("红星花园")


def test_district_admin_creates_an_estate_after_fixing_errors(pages, world):
    page = pages.new()
    pages.login(page, "district_admin")
    page.goto("/estates/")
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form")

    # when the form is sent without a name and with a negative total floor area
    form.locator("#id_region").select_option(label="和平社区")
    form.locator("#id_kind").select_option("old")
    form.locator("#id_management_mode").select_option("community")
    form.locator("#id_address").fill("和平路8号")
    form.locator("#id_total_households").fill("120")
    form.locator("#id_total_floor_area").fill("-5")
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()

    # then it comes back with both errors and nothing is saved
    assert navigation.value.status == 400
    name_errors = form.locator("#id_name ~ .invalid-feedback")
    expect(name_errors).to_have_count(1)
    area_errors = form.locator("#id_total_floor_area ~ .invalid-feedback, .alert-danger")
    expect(area_errors).to_have_count(1)
    assert form.locator("#id_address").input_value() == "和平路8号"  # what was typed is kept
    pages.shot(page, "errors")
    assert not Estate.objects.filter(address="和平路8号").exists()

    # when the mistakes are fixed
    form.locator("#id_name").fill("和平新村")
    form.locator("#id_total_floor_area").fill("8600.50")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # then the estate is saved and shown
    expect(page.get_by_test_id("estate-name")).to_have_text("和平新村")
    estate = Estate.objects.get(name="和平新村")
    assert estate.region == world.a2
    assert str(estate.total_floor_area) == "8600.50"
    pages.shot(page, "saved")

    # and it appears in the list
    page.goto("/estates/?q=和平")
    assert set(first_column(page)) == {"和平小区", "和平新村"}
    pages.shot(page, "listed")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_owner_sees_own_unit_only(pages, world, viewport, no_horizontal_scroll):
    page = pages.new(PHONE) if viewport == "phone" else pages.new()
    unit = world.units_a[0]
    other = world.units_b[0]

    # given the owner of unit 101 logging in
    page.goto("/accounts/login/")
    pages.shot(page, "login")
    pages.login(page, "owner_unit_101")

    # then the overview lists their own unit and no other
    my_units = page.get_by_test_id("my-units")
    expect(my_units.locator("a")).to_have_count(1)
    expect(my_units).to_contain_text("红星花园")
    expect(my_units).to_contain_text(unit.label)
    pages.shot(page, "home")
    if viewport == "phone":
        no_horizontal_scroll(page)

    # and their unit opens
    my_units.locator("a").click()
    expect(page.get_by_test_id("unit-label")).to_have_text(unit.label)
    expect(page.get_by_test_id("ownerships")).to_contain_text(world.owners["a"][0].name)
    pages.shot(page, "unit")
    if viewport == "phone":
        no_horizontal_scroll(page)

    # but a unit of another estate is not found
    response = page.goto(f"/estates/units/{other.pk}/")
    assert response.status == 404
    # nor a neighbour's unit in the same building
    response = page.goto(f"/estates/units/{world.units_a[1].pk}/")
    assert response.status == 404


def test_a_long_list_fetches_its_count_after_the_page(pages, world, settings):
    # The live server runs in this process: a list longer than two rows counts in a second
    # request, which HTMX sends when the placeholder loads (and again after a filter swap).
    settings.ANJU_QUICK_COUNT = 2
    page = pages.new()
    pages.login(page, "district_admin")

    page.goto("/estates/units/")

    expect(page.locator(RESULT_ROWS)).to_have_count(9)
    expect(page.get_by_test_id("total")).to_have_text("9")

    search_for(page, "101")
    expect(page.locator(RESULT_ROWS)).to_have_count(3)
    expect(page.get_by_test_id("total")).to_have_text("3")
    pages.shot(page, "counted")
