"""The demo data generator: a small district built from a seed, and one persona per role."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q, Sum

from anju.accounts.models import Membership, User
from anju.accounts.roles import Role
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.companies.rules import uscc_is_valid
from anju.core.demo import PERSONA_USERNAMES, active_contracts, build_demo_data, flush_demo_data
from anju.core.pii import digest
from anju.estates.models import Building, Estate, Owner, Ownership, Resident, Unit
from anju.estates.permissions import estate_policy, owner_policy, unit_policy
from anju.regions.models import Department, Grid, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(_fast_passwords):
    return build_demo_data("tiny", 2026)


def id_number_is_valid(code: str) -> bool:
    """GB 11643: 17 digits weighted 2^(17-i) mod 11, then the check character."""
    if len(code) != 18 or not code[:17].isdigit():
        return False
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(code[:17]))
    return "10X98765432"[total % 11] == code[17]


def fingerprint():
    return [
        (e.name, e.region.code, e.kind, e.management_mode, e.total_households, e.n)
        for e in Estate.objects.select_related("region").annotate(n=Count("units")).order_by("id")
    ]


def test_tiny_scale_builds_a_small_district(demo):
    district = Region.objects.get(level=Region.Level.DISTRICT)
    assert district.code == "510104000000"
    streets = Region.objects.filter(level=Region.Level.STREET)
    communities = Region.objects.filter(level=Region.Level.COMMUNITY)
    assert streets.count() == 2
    assert communities.count() == 4
    assert all(s.code.startswith("510104") and s.code.endswith("000") for s in streets)
    assert all(c.code.startswith(c.parent.code[:9]) for c in communities)
    assert all(c.name.endswith("社区") for c in communities)
    assert Grid.objects.count() >= 4
    assert set(Department.objects.values_list("kind", flat=True)) == set(Department.Kind.values)
    assert Estate.objects.count() == 6
    assert 150 <= Unit.objects.count() <= 500
    assert demo.counts["units"] == Unit.objects.count()
    assert not Estate.objects.exclude(region_code=F("region__code")).exists()


def test_registry_is_plausible(demo):
    assert not Building.objects.filter(Q(floors__lt=6) | Q(floors__gt=33)).exists()
    assert not Building.objects.filter(floors__gt=7, has_lift=False).exists()
    assert not Building.objects.filter(floors__lte=7, has_lift=True).exists()
    assert set(Unit.objects.values_list("area_source", flat=True)) == set(Unit.AreaSource.values)
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert {Unit.Kind.RESIDENTIAL, Unit.Kind.PARKING} <= kinds
    assert not Unit.objects.filter(
        kind__in=[Unit.Kind.PARKING, Unit.Kind.STORAGE], building__isnull=False
    ).exists()
    assert not Unit.objects.filter(kind=Unit.Kind.COMMERCIAL).exclude(floor=1).exists()
    for area in Unit.objects.values_list("area", flat=True)[:200]:
        assert area == area.quantize(Decimal("0.01"))
        assert area > 0
    for estate in Estate.objects.annotate(area=Sum("units__area")):
        assert 1985 <= estate.built_year <= 2022
        assert estate.total_floor_area == estate.area
        assert estate.name[-1] in "园区苑寓庭府城村院里舍居期" or estate.name.endswith("生活区")
        assert 103.5 < estate.longitude < 104.6
    assert Resident.objects.filter(kind=Resident.Kind.TENANT).exists()
    assert Resident.objects.filter(kind=Resident.Kind.FAMILY).exists()


def test_same_seed_builds_the_same_district(demo):
    first = fingerprint()
    flush_demo_data()
    assert not Estate.objects.exists()
    build_demo_data("tiny", 2026)
    assert fingerprint() == first
    flush_demo_data()
    build_demo_data("tiny", 7)
    assert fingerprint() != first


def test_every_owned_unit_has_exactly_one_representative(demo):
    units = Unit.objects.filter(ownerships__isnull=False).distinct()
    assert units.exists()
    reps = Unit.objects.annotate(
        reps=Count("ownerships", filter=Q(ownerships__is_representative=True)),
        owners=Count("ownerships"),
        share=Sum("ownerships__share"),
    ).filter(owners__gt=0)
    assert not reps.exclude(reps=1).exists()
    assert not reps.exclude(share=Decimal(1)).exists()
    co_owned = reps.filter(owners=2)
    assert co_owned.exists()
    assert not Ownership.objects.filter(unit__in=co_owned).exclude(share=Decimal("0.5")).exists()
    several = Owner.objects.annotate(n=Count("ownerships")).filter(n__gte=2, is_developer=False)
    assert several.exists()


def test_id_numbers_are_valid_and_digested(demo):
    people = Owner.objects.filter(kind=Owner.Kind.PERSON)
    assert people.count() > 100
    for owner in people:
        code = owner.id_number
        assert id_number_is_valid(code), code
        assert code.startswith("510104")
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
        assert date(1940, 1, 1) <= born <= date(2000, 12, 31)
        assert owner.id_number_digest == digest(code)
        assert len(owner.phone) == 11
        assert owner.phone.startswith("1")
    assert len(set(people.values_list("id_number_digest", flat=True))) == people.count()


def test_usccs_are_valid(demo):
    assert PropertyCompany.objects.count() == 4
    for company in PropertyCompany.objects.all():
        assert uscc_is_valid(company.uscc), company.uscc
    developers = Owner.objects.filter(is_developer=True)
    assert developers.exists()
    for developer in developers:
        assert developer.kind == Owner.Kind.ORGANISATION
        assert uscc_is_valid(developer.id_number)


def test_developer_holds_the_unsold_units(demo):
    unsold = Unit.objects.filter(delivery=Unit.Delivery.UNSOLD)
    assert unsold.exists()
    holders = Ownership.objects.filter(unit__in=unsold)
    assert holders.count() == unsold.count()
    assert not holders.filter(owner__is_developer=False).exists()


def test_contracts_follow_the_estates(demo):
    professional = Estate.objects.filter(management_mode=Estate.ManagementMode.PROFESSIONAL)
    assert professional.exists()
    for estate in professional:
        current = active_contracts().filter(estate=estate)
        assert current.count() == 1
        contract = current.get()
        assert Decimal("0.80") <= contract.fee_standard <= Decimal("3.50")
        if estate.kind == Estate.Kind.COMMERCIAL and estate.built_year >= 2019:
            assert contract.kind == ServiceContract.Kind.PRELIMINARY
        else:
            assert contract.kind == ServiceContract.Kind.SELECTED
    assert not ServiceContract.objects.exclude(estate__in=professional).exists()
    assert ProjectManager.objects.count() == professional.count()


def visible_codes(username):
    user = User.objects.get(username=username)
    return set(estate_policy.visible(user).values_list("region_code", flat=True)), user


def test_every_persona_sees_its_own_part(demo):
    assert set(User.objects.values_list("username", flat=True)) >= set(PERSONA_USERNAMES)
    for username in PERSONA_USERNAMES:
        user = User.objects.get(username=username)
        assert user.check_password("anju2026")
        assert user.display_name
        assert Membership.objects.filter(user=user).count() == 1
        assert estate_policy.visible(user).exists(), username

    everything = Estate.objects.count()
    for username in ("district_admin", "district_staff", "auditor", "fire_handler"):
        assert estate_policy.visible(User.objects.get(username=username)).count() == everything

    street_a, street_b = Region.objects.filter(level=Region.Level.STREET).order_by("code")
    codes_a, officer_a = visible_codes("street_officer")
    codes_b, _officer_b = visible_codes("street_b_officer")
    assert all(code.startswith(street_a.code[:9]) for code in codes_a)
    assert all(code.startswith(street_b.code[:9]) for code in codes_b)
    in_street_a = Estate.objects.filter(region_code__startswith=street_a.code[:9]).count()
    assert estate_policy.visible(officer_a).count() == in_street_a < everything

    worker = User.objects.get(username="community_worker")
    community = worker.memberships.get().region
    assert community.level == Region.Level.COMMUNITY
    assert community.code.startswith(street_a.code[:9])
    assert set(estate_policy.visible(worker).values_list("region_code", flat=True)) == {
        community.code
    }

    grid_worker = User.objects.get(username="grid_worker")
    grid = grid_worker.memberships.get().grid
    assert set(estate_policy.visible(grid_worker).values_list("grid_id", flat=True)) == {grid.pk}

    fire = User.objects.get(username="fire_handler")
    assert fire.memberships.get().department.kind == Department.Kind.FIRE
    assert not owner_policy.visible(fire).exists()

    manager = User.objects.get(username="company_manager")
    company = manager.memberships.get().company
    served = set(active_contracts().filter(company=company).values_list("estate_id", flat=True))
    assert set(estate_policy.visible(manager).values_list("pk", flat=True)) == served
    assert Estate.objects.filter(pk__in=served, region_code__startswith=street_a.code[:9])
    staff = User.objects.get(username="company_staff")
    assert staff.memberships.get().company == company

    member = User.objects.get(username="committee_member")
    estate = member.memberships.get().estate
    assert list(estate_policy.visible(member)) == [estate]

    owner_user = User.objects.get(username="owner")
    unit = owner_user.memberships.get().unit
    representative = unit.ownerships.get(is_representative=True).owner
    assert owner_user.display_name == representative.name
    assert representative.kind == Owner.Kind.PERSON
    assert list(unit_policy.visible(owner_user)) == [unit]
    assert list(estate_policy.visible(owner_user)) == [unit.estate]
    assert {m.role for m in Membership.objects.all()} == set(Role.values)


@pytest.mark.usefixtures("_fast_passwords")
def test_commands():
    out = StringIO()
    call_command("demo_data", "--scale", "tiny", stdout=out)
    assert "tiny" in out.getvalue()
    estates = Estate.objects.count()

    out = StringIO()
    call_command("demo_data", "--scale", "tiny", "--if-empty", stdout=out)
    assert Estate.objects.count() == estates
    with pytest.raises(CommandError):
        call_command("demo_data", "--scale", "tiny", stdout=StringIO())
    call_command("demo_data", "--scale", "tiny", "--flush", stdout=StringIO())
    assert Estate.objects.count() == estates
    assert User.objects.filter(username__in=PERSONA_USERNAMES).count() == len(PERSONA_USERNAMES)

    out = StringIO()
    call_command("personas", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert "anju2026" in text
    for username in PERSONA_USERNAMES:
        assert username in text
    assert "街道物业办" in text
