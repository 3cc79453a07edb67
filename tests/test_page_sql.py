"""Lists that keep their compiled page SQL (Listing.compiled) must show exactly the page the
queryset would, for any scope, filters, sort and page, and compile it only once."""

import datetime

import pytest
from django.db.models import Q
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.core import page_sql
from anju.estates.views import EstateListView, UnitListView

LISTINGS = {"estates": EstateListView.listing, "units": UnitListView.listing}
PERSONAS = ["district_admin", "street_a_officer", "company_x_manager", "owner_unit_101"]


def _params(data: dict):
    return RequestFactory().get("/", {k: v for k, v in data.items() if v is not None}).GET


def _same(a, b) -> None:
    assert [r.pk for r in a.rows] == [r.pk for r in b.rows]
    assert [r.__dict__ for r in a.rows] == [r.__dict__ for r in b.rows]
    assert (a.total, a.capped, a.has_next, a.has_previous, a.number) == (
        b.total,
        b.capped,
        b.has_next,
        b.has_previous,
        b.number,
    )


@pytest.fixture(autouse=True)
def _fresh_memo():
    page_sql._PAGES.clear()
    yield
    page_sql._PAGES.clear()


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(sorted(LISTINGS)),
    persona=st.sampled_from(PERSONAS),
    data=st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["residential", "parking", "old", "commercial"]),
            "street": st.sampled_from(["510104001", "510104002", "510105001", "x"]),
            "community": st.sampled_from(["510104001001", "510104002001"]),
            "estate": st.sampled_from(["1", "2", "abc"]),
            "sort": st.sampled_from(["name", "-number", "area", "bogus"]),
            "q": st.sampled_from(["花园", "幸福", "东风", "10", "102", "%", "_"]),
        },
    ),
    number=st.integers(1, 4),
    cap=st.sampled_from([1, 2, 1000]),
)
def test_a_compiled_page_is_the_querysets_page(world, settings, which, persona, data, number, cap):
    settings.ANJU_PAGE_SIZE = 2
    listing, actor = LISTINGS[which], getattr(world.people, persona)
    params = _params(data)

    expected = listing.page(listing.queryset(actor, params), number, cap=cap)
    first = listing.compiled_page(actor, params, number, cap)
    again = listing.compiled_page(actor, params, number, cap)  # from the kept SQL

    _same(first, expected)
    _same(again, expected)


def test_the_sql_is_compiled_once_per_key(world, settings, monkeypatch):
    listing, actor = LISTINGS["units"], world.people.street_a_officer
    params = _params({"kind": "residential"})
    listing.compiled_page(actor, params, 1, 1000)

    def fail(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(page_sql, "compile_page", fail)
    assert listing.compiled_page(actor, params, 1, 1000).rows
    with pytest.raises(AssertionError, match="compiled again"):
        listing.compiled_page(actor, _params({"kind": "parking"}), 1, 1000)


def test_a_search_is_kept_with_what_it_read_from_the_database(world):
    actor = world.people.district_admin
    units = LISTINGS["units"]

    def names(q):
        return {r.estate.name for r in units.compiled_page(actor, _params({"q": q}), 1, 1000).rows}

    assert names("红星") == {"红星花园"}  # estates named like q: all their units
    assert names("101") == {"红星花园", "和平小区", "东风苑"}  # room numbers starting with q
    assert len(page_sql._PAGES) == 2
    # A rename changes what the search reads, so the page is compiled again, not reused.
    world.estate_b.name = "红星东苑"
    world.estate_b.save()
    assert names("红星") == {"红星花园", "红星东苑"}
    assert len(page_sql._PAGES) == 3


def test_a_custom_search_without_its_data_is_never_kept(world, monkeypatch):
    units = LISTINGS["units"]
    monkeypatch.setattr(units, "search_data", None)
    monkeypatch.setattr(units, "search", lambda q: Q(number__startswith=q))
    assert units.compiled_page(world.people.district_admin, _params({"q": "10"}), 1, 1000) is None
    assert page_sql._PAGES == {}


def test_the_key_holds_the_date_and_the_scope(world, monkeypatch):
    listing = LISTINGS["estates"]
    params = _params({})
    admin, officer = world.people.district_admin, world.people.street_a_officer
    today = page_sql.key(listing, admin, params, 1, 25, 1000, "default")
    assert today != page_sql.key(listing, officer, params, 1, 25, 1000, "default")
    tomorrow = page_sql.timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_sql.timezone, "localdate", lambda: tomorrow)
    assert page_sql.key(listing, admin, params, 1, 25, 1000, "default") != today


def test_the_page_follows_the_data(world, client):
    # Kept SQL, not kept rows: a new estate shows on the next request.
    from tests import factories as f

    client.force_login(world.people.district_admin)
    client.get("/estates/")
    f.EstateFactory(name="新建花园", region=world.a1)
    assert "新建花园" in client.get("/estates/").content.decode()
