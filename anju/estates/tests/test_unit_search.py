"""The unit list's search: room numbers by their start, in either case, as index ranges."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.estates.models import Unit
from anju.estates.views import number_prefix
from tests import factories as f

NUMBERS = ["1502", "15021", "1503", "150", "B101", "b102", "A1502", "1502-1", "2"]


@pytest.fixture
def units(db):
    building = f.BuildingFactory(estate=f.EstateFactory(region=f.RegionFactory()))
    return [f.UnitFactory(building=building, number=n) for n in NUMBERS]


def _found(q: str) -> set[str]:
    return set(Unit.objects.filter(number_prefix(q)).values_list("number", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("1502", {"1502", "15021", "1502-1"}),
        ("150", {"1502", "15021", "1503", "150", "1502-1"}),
        ("b1", {"B101", "b102"}),
        ("B10", {"B101", "b102"}),
        ("a15", {"A1502"}),
        ("9", set()),
    ],
)
def test_room_numbers_are_found_by_their_start_in_either_case(units, q, expected):
    assert _found(q) == expected


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.text(alphabet="0159AaBb-\uffff", min_size=1, max_size=4))
def test_a_prefix_finds_exactly_the_numbers_that_start_with_it(units, q):
    variants = {q, q.upper(), q.lower()}
    expected = {n for n in NUMBERS if any(n.startswith(v) for v in variants)}
    assert _found(q) == expected


def test_the_unit_list_searches_by_room_number(units, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get("/estates/units/", {"q": "b10"}).content.decode()
    assert "B101" in page
    assert "b102" in page
    assert "1502" not in page


def test_units_by_street_name_the_street_before_the_scope(world):
    """SQLite walks the first of two lists of estates: the street's, not the district's."""
    from anju.estates.views import UnitListView

    admin = world.people.district_admin
    listing = UnitListView.listing
    qs = listing.queryset(admin, {"street": world.street_a.code[:9]})
    sql = str(qs.query)
    street = sql.index(f"'{world.street_a.code[:9]}'")
    district = sql.index(f"'{world.district.code[:6]}'")
    assert street < district
    expected = set(Unit.objects.filter(estate__region_code__startswith=world.street_a.code[:9]))
    assert set(qs) == expected
    assert expected
