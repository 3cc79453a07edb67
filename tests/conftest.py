"""Named personas over a small world: district D with streets A and B, a neighbouring district N.

Street A has community A1 with estate "A1 Garden" (company X) and community A2; street B has
community B1 with estate "B1 Court" (company Y). District N has its own street and estate.
"""

from types import SimpleNamespace

import pytest

from anju.accounts.roles import Role
from tests import factories as f


@pytest.fixture
def world(db, _fast_passwords):
    d = f.RegionFactory(code="510104000000", name="锦江区", level="district")
    street_a = f.RegionFactory(code="510104001000", name="春熙路街道", level="street", parent=d)
    street_b = f.RegionFactory(code="510104002000", name="书院街街道", level="street", parent=d)
    a1 = f.RegionFactory(code="510104001001", name="红星社区", level="community", parent=street_a)
    a2 = f.RegionFactory(code="510104001002", name="和平社区", level="community", parent=street_a)
    b1 = f.RegionFactory(code="510104002001", name="东风社区", level="community", parent=street_b)
    n = f.RegionFactory(code="510105000000", name="青羊区", level="district")
    n_street = f.RegionFactory(code="510105001000", name="草堂街道", level="street", parent=n)
    n1 = f.RegionFactory(code="510105001001", name="浣花社区", level="community", parent=n_street)
    grid_a1 = f.GridFactory(community=a1, name="红星一网格")
    fire = f.DepartmentFactory(district=d, kind="fire", name="锦江区消防救援大队")
    fire_n = f.DepartmentFactory(district=n, kind="fire", name="青羊区消防救援大队")

    estate_a = f.EstateFactory(name="红星花园", region=a1, grid=grid_a1)
    estate_a2 = f.EstateFactory(name="和平小区", region=a2, kind="old")
    estate_b = f.EstateFactory(name="东风苑", region=b1)
    estate_n = f.EstateFactory(name="浣花苑", region=n1)

    def units_for(estate, count=3):
        building = f.BuildingFactory(estate=estate, number="1栋")
        units = [f.UnitFactory(building=building, number=f"{101 + i}") for i in range(count)]
        return building, units

    building_a, units_a = units_for(estate_a)
    _building_a2, units_a2 = units_for(estate_a2)
    building_b, units_b = units_for(estate_b)
    building_n, units_n = units_for(estate_n)

    owners = {}
    for key, units in {"a": units_a, "a2": units_a2, "b": units_b, "n": units_n}.items():
        owners[key] = []
        for unit in units:
            owner = f.OwnerFactory()
            f.OwnershipFactory(unit=unit, owner=owner)
            owners[key].append(owner)

    company_x = f.CompanyFactory(name="安心物业", region=d)
    company_y = f.CompanyFactory(name="宜居物业", region=d)
    company_n = f.CompanyFactory(name="青羊物业", region=n)
    f.ContractFactory(company=company_x, estate=estate_a)
    f.ContractFactory(company=company_y, estate=estate_b)
    f.ContractFactory(company=company_n, estate=estate_n)

    people = SimpleNamespace(
        district_admin=f.member("district_admin", Role.DISTRICT_ADMIN, region=d),
        district_staff=f.member("district_staff", Role.DISTRICT_STAFF, region=d),
        auditor=f.member("auditor", Role.AUDITOR, region=d),
        neighbour_admin=f.member("neighbour_admin", Role.DISTRICT_ADMIN, region=n),
        street_a_officer=f.member("street_a_officer", Role.STREET_OFFICER, region=street_a),
        street_b_officer=f.member("street_b_officer", Role.STREET_OFFICER, region=street_b),
        community_a1_worker=f.member("community_a1_worker", Role.COMMUNITY_WORKER, region=a1),
        grid_a1_worker=f.member("grid_a1_worker", Role.GRID_WORKER, grid=grid_a1),
        fire_handler=f.member("fire_handler", Role.DEPARTMENT_HANDLER, department=fire),
        fire_n_handler=f.member("fire_n_handler", Role.DEPARTMENT_HANDLER, department=fire_n),
        company_x_manager=f.member("company_x_manager", Role.COMPANY_MANAGER, company=company_x),
        company_y_manager=f.member("company_y_manager", Role.COMPANY_MANAGER, company=company_y),
        committee_a_member=f.member("committee_a_member", Role.COMMITTEE_MEMBER, estate=estate_a),
        owner_unit_101=f.member("owner_unit_101", Role.OWNER, unit=units_a[0]),
        owner_other_estate=f.member("owner_other_estate", Role.OWNER, unit=units_b[0]),
    )
    return SimpleNamespace(
        district=d,
        street_a=street_a,
        street_b=street_b,
        a1=a1,
        a2=a2,
        b1=b1,
        neighbour=n,
        n_street=n_street,
        n1=n1,
        grid_a1=grid_a1,
        fire=fire,
        estate_a=estate_a,
        estate_a2=estate_a2,
        estate_b=estate_b,
        estate_n=estate_n,
        building_a=building_a,
        building_b=building_b,
        building_n=building_n,
        units_a=units_a,
        units_a2=units_a2,
        units_b=units_b,
        units_n=units_n,
        owners=owners,
        company_x=company_x,
        company_y=company_y,
        company_n=company_n,
        people=people,
    )


@pytest.fixture
def people(world):
    return world.people


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def _uses_database(request) -> bool:
    return request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _seed_rows(request):
    """Put back the rows the migrations seed (calendar, category tree, matrix) when a
    transactional or live-server test that ran earlier on this worker emptied the database."""
    if not _uses_database(request):
        return
    request.getfixturevalue("_django_db_helper")
    from anju.core.models import CalendarDay, CalendarYear, WorkSchedule
    from anju.core.worktime import seed_calendar
    from anju.workorders.models import Category, DeadlineClass, ResponsibilityRule
    from anju.workorders.seeds import seed_matrix

    if not CalendarYear.objects.exists():
        seed_calendar(CalendarYear, CalendarDay, WorkSchedule)
    seed_matrix(Category, ResponsibilityRule, DeadlineClass)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """A rolled-back test leaves no calendar change behind in the process's snapshot."""
    from anju.core import worktime

    worktime._snapshot = None
    yield
    worktime._snapshot = None


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
