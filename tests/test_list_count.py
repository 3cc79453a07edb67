"""A list counts a few rows with its page; a longer one fetches its count on its own."""

import re

from django.urls import reverse

from tests.helpers import HTMX, table_rows

ESTATES = reverse("estates:list")


def _total(response) -> str:
    match = re.search(r'<span data-testid="total"([^>]*)>([^<]*)</span>', response.content.decode())
    assert match, "no total on the page"
    return match.group(2)


def _count_url(response) -> str:
    match = re.search(r'data-testid="total" hx-get="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else ""


def test_a_short_list_counts_with_its_page(world, client, settings):
    settings.ANJU_QUICK_COUNT = 10
    client.force_login(world.people.district_admin)

    response = client.get(ESTATES)

    assert _total(response) == "3"
    assert _count_url(response) == ""


def test_a_long_list_shows_a_floor_and_fetches_its_count(world, client, settings):
    settings.ANJU_QUICK_COUNT = 2
    client.force_login(world.people.district_admin)

    response = client.get(ESTATES, {"sort": "name"})

    assert _total(response) == "2+"
    assert len(table_rows(response)) == 3
    url = _count_url(response)
    assert url == "?sort=name&count=1"
    counted = client.get(ESTATES + url, **HTMX)
    assert counted.status_code == 200
    assert counted.content.decode() == '<span data-testid="total">3</span>'


def test_the_count_follows_the_filters_and_the_cap(world, client, settings):
    client.force_login(world.people.district_admin)
    assert _total(client.get(ESTATES, {"kind": "old", "count": "1"})) == "1"
    settings.ANJU_COUNT_CAP = 2
    assert _total(client.get(ESTATES, {"count": "1"})) == "2+"


def test_the_count_is_scoped(world, client):
    client.force_login(world.people.street_b_officer)
    assert _total(client.get(ESTATES, {"count": "1"})) == "1"
    client.force_login(world.people.neighbour_admin)
    assert _total(client.get(ESTATES, {"count": "1"})) == "1"
    # A filter naming another street's community counts nothing of it.
    assert _total(client.get(ESTATES, {"community": world.a1.code, "count": "1"})) == "0"
    client.force_login(world.people.owner_unit_101)
    units = reverse("estates:unit_list")
    assert _total(client.get(units, {"count": "1"})) == "1"


def test_the_count_of_a_list_the_user_may_not_see_is_refused(world, client):
    client.force_login(world.people.owner_unit_101)
    response = client.get(reverse("core:audit_list"), {"count": "1"})
    assert response.status_code in {403, 404}


def test_a_search_counts_past_its_page_in_the_second_request(world, client, settings):
    settings.ANJU_PAGE_SIZE = 2
    client.force_login(world.people.district_admin)
    units = reverse("estates:unit_list")

    first = client.get(units, {"q": "10"})  # the 9 units 101-103 of district D
    assert _total(first) == "2+"
    assert _count_url(first) == "?q=10&count=1"
    assert _total(client.get(units + _count_url(first))) == "9"

    second = client.get(units, {"q": "10", "page": "2"})
    assert len(table_rows(second)) == 2
    assert _total(second) == "4+"  # never fewer than the rows shown so far

    last = client.get(units, {"q": "10", "page": "5"})
    assert len(table_rows(last)) == 1
    assert _total(last) == "9"
    assert _count_url(last) == ""

    few = client.get(units, {"q": "101"})  # three units: more than a page
    assert _total(few) == "2+"
    one = client.get(units, {"q": "10", "estate": str(world.estate_a.pk), "kind": "parking"})
    assert _total(one) == "0"
