from datetime import date

from anju.accounts.roles import Action
from anju.companies.permissions import company_policy, contract_policy
from tests import factories as f


def test_company_sees_its_own_contracts_not_its_predecessors(world):
    # given: company Y served estate A before company X
    earlier = f.ContractFactory(
        company=world.company_y,
        estate=world.estate_a,
        kind="preliminary",
        start_date=date(2018, 1, 1),
        end_date=date(2023, 12, 31),
    )
    manager = world.people.company_x_manager
    # then X sees its own contract on estate A but not Y's earlier one
    visible = contract_policy.visible(manager)
    assert visible.filter(estate=world.estate_a, company=world.company_x).exists()
    assert not visible.filter(pk=earlier.pk).exists()
    # while the street still sees the estate's whole contract history
    assert contract_policy.visible(world.people.street_a_officer).filter(pk=earlier.pk).exists()


def test_a_district_sees_but_does_not_edit_a_company_registered_elsewhere(world):
    # given: the neighbouring district's company also serves an estate in district D
    f.ContractFactory(company=world.company_n, estate=world.estate_a2)
    admin = world.people.district_admin
    assert company_policy.visible(admin).filter(pk=world.company_n.pk).exists()
    assert not company_policy.can(admin, Action.COMPANIES_CHANGE, world.company_n)
    assert company_policy.can(
        world.people.neighbour_admin, Action.COMPANIES_CHANGE, world.company_n
    )


def test_grid_worker_sees_their_community_and_grid(world):
    from anju.regions.permissions import grid_policy, region_policy

    worker = world.people.grid_a1_worker
    assert list(region_policy.visible(worker)) == [world.a1]
    assert list(grid_policy.visible(worker)) == [world.grid_a1]
