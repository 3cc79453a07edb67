"""A voting world on top of tests/conftest.py's `world`: estate A ("红星花园") grows to two
buildings with owners of one or several units, a co-owned unit, developer stock, a parking
space and a unit with no registered owner."""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from anju.estates.models import Unit
from anju.voting import services
from anju.voting.rules import Matter
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
NOTICE = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
OPENS = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
DURING = datetime(2026, 11, 22, 10, 0, tzinfo=SH)
CLOSES = datetime(2026, 11, 27, 18, 0, tzinfo=SH)
AFTER = datetime(2026, 11, 28, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Identity-check failures are counted in the cache; keys reuse database ids."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def vw(world):
    """Estate A with building 1 (the world's 101–103, one owner each) and building 2:
    201+202 held by one owner, 203 co-owned (representative + spouse), 204 and 205 unsold
    developer stock, 206 delivered with no owner, and parking space P1."""
    estate = world.estate_a
    b2 = f.BuildingFactory(estate=estate, number="2栋")

    def unit(number, area, **kw):
        return f.UnitFactory(building=b2, number=number, area=Decimal(area), **kw)

    u201, u202, u203 = unit("201", "100.00"), unit("202", "50.25"), unit("203", "120.00")
    u204 = unit("204", "80.00", delivery=Unit.Delivery.UNSOLD)
    u205 = unit("205", "70.00", delivery=Unit.Delivery.UNSOLD)
    u206 = unit("206", "60.00")
    p1 = unit("P1", "12.50", kind=Unit.Kind.PARKING)
    multi = f.OwnerFactory(name="王多套")
    f.OwnershipFactory(unit=u201, owner=multi)
    f.OwnershipFactory(unit=u202, owner=multi)
    rep = f.OwnerFactory(name="李代表")
    spouse = f.OwnerFactory(name="李配偶")
    f.OwnershipFactory(unit=u203, owner=rep, share=Decimal("0.5"))
    f.OwnershipFactory(unit=u203, owner=spouse, share=Decimal("0.5"), is_representative=False)
    developer = f.OwnerFactory(name="锦城置业", is_developer=True, kind="organisation")
    f.OwnershipFactory(unit=u204, owner=developer)
    f.OwnershipFactory(unit=p1, owner=multi)
    return SimpleNamespace(
        world=world,
        estate=estate,
        b1=world.building_a,
        b2=b2,
        units={
            "201": u201,
            "202": u202,
            "203": u203,
            "204": u204,
            "205": u205,
            "206": u206,
            "P1": p1,
        },
        multi=multi,
        rep=rep,
        spouse=spouse,
        developer=developer,
        single=world.owners["a"],
        organiser=world.people.street_a_officer,
        counter=world.people.community_a1_worker,
        committee=world.people.committee_a_member,
    )


def make_meeting(vw, *, matters=(Matter.HIRE_MANAGER,), actor=None, **settings):
    actor = actor or vw.organiser
    data = {"title": "2026年第一次业主大会", "opens_at": OPENS, "closes_at": CLOSES} | settings
    meeting = services.create_meeting(actor=actor, estate=vw.estate, **data)
    for i, matter in enumerate(matters, start=1):
        services.add_motion(actor=actor, meeting=meeting, title=f"议题{i}", matter=matter)
    return meeting


@pytest.fixture
def open_meeting(vw):
    meeting = make_meeting(vw)
    services.give_notice(actor=vw.organiser, meeting=meeting, now=NOTICE)
    services.open_voting(actor=vw.organiser, meeting=meeting, now=OPENS)
    meeting.refresh_from_db()
    return meeting
