"""factory-boy factories for the registry, companies and accounts."""

from datetime import date
from decimal import Decimal

import factory

from anju.accounts.models import Membership, User
from anju.companies.models import PropertyCompany, ServiceContract
from anju.companies.rules import USCC_CHARSET, uscc_check_char
from anju.estates.models import Building, Estate, Owner, Ownership, Unit
from anju.regions.models import Department, Grid, Region


def make_uscc(n: int) -> str:
    body = f"91510104{n:09d}"[:17]
    body = "".join(c if c in USCC_CHARSET else "0" for c in body)
    return body + uscc_check_char(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "510104000000"
    name = factory.Sequence(lambda n: f"区{n}")
    level = Region.Level.DISTRICT


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    kind = Department.Kind.FIRE
    name = factory.Sequence(lambda n: f"消防救援大队{n}")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"第{n}网格")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"锦绣花园{n}期")
    address = factory.Sequence(lambda n: f"幸福路{n}号")
    kind = Estate.Kind.COMMERCIAL
    management_mode = Estate.ManagementMode.PROFESSIONAL
    built_year = 2010
    total_households = 100
    total_floor_area = Decimal("10000.00")
    region_code = factory.LazyAttribute(lambda o: o.region.code)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    number = factory.Sequence(lambda n: f"{n + 1}栋")
    floors = 18


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    estate = factory.LazyAttribute(lambda o: o.building.estate)
    number = factory.Sequence(lambda n: f"{n + 101}")
    floor = 1
    area = Decimal("89.50")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Sequence(lambda n: f"业主{n}")
    id_number = factory.Sequence(lambda n: f"51010419800101{n:04d}")
    id_number_digest = factory.LazyAttribute(
        lambda o: __import__("anju.core.pii", fromlist=["digest"]).digest(o.id_number)
    )
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ownership

    share = Decimal(1)
    is_representative = True


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"安心物业服务有限公司{n}")
    uscc = factory.Sequence(make_uscc)
    region_code = factory.LazyAttribute(lambda o: o.region.code)
    contact_name = "张经理"
    contact_phone = "13900001111"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceContract

    kind = ServiceContract.Kind.SELECTED
    start_date = date(2024, 1, 1)
    end_date = None
    fee_standard = Decimal("2.50")
    service_level = ServiceContract.Level.TWO


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Anju-2026")


def member(username: str, role: str, **scope) -> User:
    user = UserFactory(username=username)
    Membership.objects.create(user=user, role=role, **scope)
    return user
