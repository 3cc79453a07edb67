"""List pages and their exports run a fixed number of queries, however many rows they show.

Each test counts the queries of a page with the small world (a handful of rows), adds enough
rows to fill the page, and counts again: the two counts must be equal (no N+1), and both stay
under a fixed bound so a new per-page query shows up here too.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.core.audit import audit_record
from anju.estates.models import Ownership
from tests import factories as f
from tests.helpers import HTMX, table_rows

EXTRA = 27
# session, user, memberships, page count, page rows, and a filter's choices or two
BOUND = 8


def _more_estates(world):
    for i in range(EXTRA):
        estate = f.EstateFactory(name=f"新增小区{i}", region=world.a1, grid=world.grid_a1)
        f.ContractFactory(company=world.company_x, estate=estate)


def _more_units(world):
    for i in range(EXTRA):
        f.UnitFactory(building=world.building_a, number=f"{201 + i}")


def _more_owners(world):
    for i in range(EXTRA):
        unit = f.UnitFactory(building=world.building_a, number=f"{301 + i}")
        f.OwnershipFactory(unit=unit, owner=f.OwnerFactory())


def _more_companies(world):
    for i in range(EXTRA):
        company = f.CompanyFactory(name=f"新增物业{i}", region=world.district)
        estate = f.EstateFactory(name=f"合同小区{i}", region=world.a1)
        f.ContractFactory(company=company, estate=estate, start_date=date(2023, 1, 1))


def _more_regions(world):
    for i in range(EXTRA):
        f.RegionFactory(
            code=f"510104001{100 + i:03d}",
            name=f"新社区{i}",
            level="community",
            parent=world.street_a,
        )


def _more_audit_events(world):
    for i in range(EXTRA):
        audit_record(
            actor=world.people.district_admin,
            action="estate.update",
            target=world.estate_a,
            changes={"total_households": [i, i + 1]},
        )


def _more_co_owners(world):
    unit = world.units_a[0]
    Ownership.objects.filter(unit=unit).update(share=Decimal("0.03"))
    for _ in range(EXTRA):
        f.OwnershipFactory(
            unit=unit, owner=f.OwnerFactory(), share=Decimal("0.03"), is_representative=False
        )


CASES = [
    # (url name, persona, add rows)
    ("estates:list", "district_admin", _more_estates),
    ("estates:list", "company_x_manager", _more_estates),
    ("estates:unit_list", "district_admin", _more_units),
    ("estates:unit_list", "street_a_officer", _more_units),
    ("estates:owner_list", "street_a_officer", _more_owners),
    ("estates:owner_list", "company_x_manager", _more_owners),
    ("companies:list", "district_admin", _more_companies),
    ("companies:list", "street_a_officer", _more_companies),
    ("companies:contract_list", "district_admin", _more_companies),
    ("companies:contract_list", "company_x_manager", _more_estates),
    ("regions:list", "district_admin", _more_regions),
    ("core:audit_list", "auditor", _more_audit_events),
]


def _count(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("name", "persona", "add_rows"), CASES)
def test_list_queries_do_not_grow_with_rows(
    world, client, django_assert_max_num_queries, name, persona, add_rows
):
    # given
    client.force_login(getattr(world.people, persona))
    url = reverse(name)
    client.get(url)  # warm caches (content types, translations)
    few_rows = len(table_rows(client.get(url)))
    with django_assert_max_num_queries(BOUND):
        few = _count(client, url)
    few_partial = _count(client, url, **HTMX)

    # when
    add_rows(world)

    # then
    with django_assert_max_num_queries(BOUND):
        response = client.get(url)
    assert len(table_rows(response)) > few_rows
    assert _count(client, url) == few
    assert _count(client, url, **HTMX) == few_partial


EXPORTERS = {"district_admin", "street_a_officer", "company_x_manager", "auditor"}


def _export_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "persona", "add_rows"),
    [(name, persona, add_rows) for name, persona, add_rows in CASES if persona in EXPORTERS],
)
def test_export_queries_do_not_grow_with_rows(world, client, name, persona, add_rows):
    client.force_login(getattr(world.people, persona))
    url = reverse(name)
    client.get(url, {"export": "xlsx"})
    few = _export_count(client, url)

    add_rows(world)
    client.get(url, {"export": "xlsx"})  # new regions renew the scope kept in the session

    assert _export_count(client, url) == few


def test_unit_detail_queries_do_not_grow_with_co_owners(world, client):
    client.force_login(world.people.street_a_officer)
    url = reverse("estates:unit_detail", args=[world.units_a[0].pk])
    client.get(url)
    few = _count(client, url)

    _more_co_owners(world)

    assert len(table_rows(client.get(url), "ownerships")) == EXTRA + 1
    assert _count(client, url) == few
