"""Visibility of owners: the query form depends on the scope's width, the answer must not."""

import pytest

from anju.accounts.models import Membership
from anju.accounts.roles import Action, Role
from anju.estates.models import Owner, Ownership
from anju.estates.permissions import owner_policy, ownership_policy
from tests import factories as f

PERSONAS = [
    "district_admin",
    "neighbour_admin",
    "street_a_officer",
    "street_b_officer",
    "community_a1_worker",
    "grid_a1_worker",
    "fire_handler",
    "company_x_manager",
    "committee_a_member",
    "owner_unit_101",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_owners_visible_are_the_holders_of_visible_ownerships(world, persona):
    # One owner with units in two streets, and one in the neighbouring district only.
    both = f.OwnerFactory(name="两处业主")
    f.OwnershipFactory(owner=both, unit=f.UnitFactory(building=world.building_a, number="901"))
    f.OwnershipFactory(owner=both, unit=f.UnitFactory(building=world.building_b, number="901"))
    f.OwnershipFactory(
        owner=f.OwnerFactory(), unit=f.UnitFactory(building=world.building_n, number="902")
    )
    actor = getattr(world.people, persona)
    expected = set(
        ownership_policy.visible(actor, Action.OWNERS_VIEW).values_list("owner_id", flat=True)
    )
    seen = set(owner_policy.visible(actor).values_list("pk", flat=True))
    assert seen == expected
    assert len(seen) == owner_policy.visible(actor).count()  # no duplicates from a join


def test_a_user_with_a_wide_and_a_narrow_grant_sees_the_union(world):
    user = f.member("two_hats", Role.STREET_OFFICER, region=world.street_a)
    Membership.objects.create(user=user, role=Role.DISTRICT_ADMIN, region=world.neighbour)
    in_n = set(
        Ownership.objects.filter(unit__estate=world.estate_n).values_list("owner_id", flat=True)
    )
    in_a = set(
        Ownership.objects.filter(
            unit__estate__region_code__startswith=world.street_a.code[:9]
        ).values_list("owner_id", flat=True)
    )
    seen = set(owner_policy.visible(user).values_list("pk", flat=True))
    assert seen == in_n | in_a
    assert in_n
    assert in_a
    assert seen < set(Owner.objects.values_list("pk", flat=True))
