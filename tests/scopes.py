"""Who sees what in the world of tests/conftest.py: one table per kind of row.

The page, API and query-count tests all derive their expectations from these tables, so a
change of scope rules shows up as one edit here.
"""

ESTATES_OF = {
    "district_admin": "a a2 b",
    "district_staff": "a a2 b",
    "auditor": "a a2 b",
    "fire_handler": "a a2 b",
    "neighbour_admin": "n",
    "fire_n_handler": "n",
    "street_a_officer": "a a2",
    "street_b_officer": "b",
    "community_a1_worker": "a",
    "grid_a1_worker": "a",
    "company_x_manager": "a",
    "company_y_manager": "b",
    "committee_a_member": "a",
    "owner_unit_101": "a",
    "owner_other_estate": "b",
}
# Owners see their own unit only, not the whole estate.
OWN_UNIT = {"owner_unit_101": ("a", 0), "owner_other_estate": ("b", 0)}
CAN_EXPORT = {
    "district_admin",
    "district_staff",
    "auditor",
    "neighbour_admin",
    "street_a_officer",
    "street_b_officer",
    "community_a1_worker",
    "company_x_manager",
    "company_y_manager",
}
REGIONS_OF = {
    "district_admin": "锦江区 春熙路街道 书院街街道 红星社区 和平社区 东风社区",
    "district_staff": "锦江区 春熙路街道 书院街街道 红星社区 和平社区 东风社区",
    "auditor": "锦江区 春熙路街道 书院街街道 红星社区 和平社区 东风社区",
    "fire_handler": "锦江区 春熙路街道 书院街街道 红星社区 和平社区 东风社区",
    "neighbour_admin": "青羊区 草堂街道 浣花社区",
    "fire_n_handler": "青羊区 草堂街道 浣花社区",
    "street_a_officer": "春熙路街道 红星社区 和平社区",
    "street_b_officer": "书院街街道 东风社区",
    "community_a1_worker": "红星社区",
}
COMPANY_OF_ESTATE = {"a": "company_x", "b": "company_y", "n": "company_n"}


def estates_of(world, persona):
    return [getattr(world, f"estate_{k}") for k in ESTATES_OF[persona].split()]


def units_of(world, persona):
    if persona in OWN_UNIT:
        key, index = OWN_UNIT[persona]
        return [getattr(world, f"units_{key}")[index]]
    return [u for k in ESTATES_OF[persona].split() for u in getattr(world, f"units_{k}")]


def owners_of(world, persona):
    if persona in OWN_UNIT:
        key, index = OWN_UNIT[persona]
        return [world.owners[key][index]]
    return [o for k in ESTATES_OF[persona].split() for o in world.owners[k]]


def companies_of(world, persona):
    if persona in {"district_admin", "district_staff", "auditor", "fire_handler"}:
        # Companies registered in the district are visible even without a contract there.
        return [world.company_x, world.company_y]
    keys = [COMPANY_OF_ESTATE[k] for k in ESTATES_OF[persona].split() if k in COMPANY_OF_ESTATE]
    return [getattr(world, k) for k in keys]


def contracts_of(world, persona):
    from anju.companies.models import ServiceContract

    return [
        ServiceContract.objects.get(
            estate=getattr(world, f"estate_{k}"), company=getattr(world, COMPANY_OF_ESTATE[k])
        )
        for k in ESTATES_OF[persona].split()
        if k in COMPANY_OF_ESTATE
    ]


def regions_of(persona):
    return REGIONS_OF[persona].split()


# Joint meetings and cluster alerts: one per convening region or estate, named after it.
MEETINGS_HELD_BY = {
    "district_admin": "A B D",
    "district_staff": "A B D",
    "street_a_officer": "A",
    "street_b_officer": "B",
    "neighbour_admin": "N",
}
ALERTS_OF = {
    "district_admin": "红星花园 东风苑",
    "district_staff": "红星花园 东风苑",
    "street_a_officer": "红星花园",
    "street_b_officer": "东风苑",
    "neighbour_admin": "浣花苑",
}
