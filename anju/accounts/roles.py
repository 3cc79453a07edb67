"""Roles and the one role -> action table (ARCHITECTURE.md §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DISTRICT_STAFF = "district_staff", _("District staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    COMPANY_MANAGER = "company_manager", _("Company manager")
    COMPANY_STAFF = "company_staff", _("Company staff")
    COMMITTEE_MEMBER = "committee_member", _("Owners' committee member")
    OWNER = "owner", _("Owner")
    AUDITOR = "auditor", _("Auditor (read-only)")


class Action:
    REGIONS_VIEW = "regions.view"
    REGIONS_CHANGE = "regions.change"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_CHANGE = "registry.change"
    OWNERS_VIEW = "owners.view"
    OWNERS_CHANGE = "owners.change"
    PII_REVEAL = "pii.reveal"
    COMPANIES_VIEW = "companies.view"
    COMPANIES_CHANGE = "companies.change"
    CONTRACTS_VIEW = "contracts.view"
    CONTRACTS_CHANGE = "contracts.change"
    LEDGER_IMPORT = "ledger.import"
    LEDGER_EXPORT = "ledger.export"
    AUDIT_VIEW = "audit.view"
    # The working-day calendar (holidays, 调休, working hours) is shared by every district.
    CALENDAR_VIEW = "calendar.view"
    CALENDAR_CHANGE = "calendar.change"
    # Work orders (complaints, reports, requests). Who may act on one order also depends on
    # their relation to it (its handling unit, its complainant): see anju.workorders.access.
    ORDERS_VIEW = "orders.view"
    ORDERS_SUBMIT = "orders.submit"  # an owner's own complaint
    ORDERS_INTAKE = "orders.intake"
    ORDERS_DISPATCH = "orders.dispatch"
    ORDERS_HANDLE = "orders.handle"
    ORDERS_LEAD = "orders.lead"  # approve the unit's feedback and returns
    ORDERS_SUPERVISE = "orders.supervise"
    ORDERS_VISIT = "orders.visit"
    ORDERS_MEDIATE = "orders.mediate"
    ORDERS_CONFIGURE = "orders.configure"  # the responsibility matrix (shared by all districts)
    # Owners' joint decisions by vote (anju.voting).
    VOTES_VIEW = "votes.view"
    VOTES_ORGANISE = "votes.organise"  # meetings, motions, roll corrections, open and close
    VOTES_COUNT = "votes.count"  # paper ballots, proxies and delivery proofs
    VOTES_CAST = "votes.cast"  # an owner's own ballot
    VOTES_SUPERVISE = "votes.supervise"  # every vote in scope and its fraud signals


A = Action
_ORDERS_DISTRICT = {
    A.ORDERS_VIEW,
    A.ORDERS_INTAKE,
    A.ORDERS_DISPATCH,
    A.ORDERS_SUPERVISE,
    A.ORDERS_VISIT,
    A.ORDERS_MEDIATE,
}
_ORDERS_UNIT = {A.ORDERS_VIEW, A.ORDERS_HANDLE, A.ORDERS_LEAD}
_READ_ALL = {
    A.REGIONS_VIEW,
    A.REGISTRY_VIEW,
    A.OWNERS_VIEW,
    A.COMPANIES_VIEW,
    A.CONTRACTS_VIEW,
}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(
        _READ_ALL
        | {
            A.REGIONS_CHANGE,
            A.REGISTRY_CHANGE,
            A.OWNERS_CHANGE,
            A.PII_REVEAL,
            A.COMPANIES_CHANGE,
            A.CONTRACTS_CHANGE,
            A.LEDGER_IMPORT,
            A.LEDGER_EXPORT,
            A.AUDIT_VIEW,
            A.CALENDAR_VIEW,
            A.CALENDAR_CHANGE,
        }
    ),
    Role.DISTRICT_STAFF: frozenset(
        _READ_ALL
        | {
            A.REGISTRY_CHANGE,
            A.OWNERS_CHANGE,
            A.PII_REVEAL,
            A.COMPANIES_CHANGE,
            A.CONTRACTS_CHANGE,
            A.LEDGER_IMPORT,
            A.LEDGER_EXPORT,
            A.CALENDAR_VIEW,
        }
    ),
    Role.STREET_OFFICER: frozenset(
        _READ_ALL
        | {
            A.REGISTRY_CHANGE,
            A.OWNERS_CHANGE,
            A.PII_REVEAL,
            A.CONTRACTS_CHANGE,
            A.LEDGER_IMPORT,
            A.LEDGER_EXPORT,
            A.CALENDAR_VIEW,
        }
    ),
    Role.COMMUNITY_WORKER: frozenset(_READ_ALL | {A.OWNERS_CHANGE, A.PII_REVEAL, A.LEDGER_EXPORT}),
    Role.GRID_WORKER: frozenset({A.REGIONS_VIEW, A.REGISTRY_VIEW, A.OWNERS_VIEW}),
    Role.DEPARTMENT_HANDLER: frozenset(
        {A.REGIONS_VIEW, A.REGISTRY_VIEW, A.COMPANIES_VIEW, A.CONTRACTS_VIEW, A.CALENDAR_VIEW}
    ),
    Role.COMPANY_MANAGER: frozenset(
        {
            A.REGISTRY_VIEW,
            A.OWNERS_VIEW,
            A.COMPANIES_VIEW,
            A.CONTRACTS_VIEW,
            A.LEDGER_EXPORT,
        }
    ),
    Role.COMPANY_STAFF: frozenset({A.REGISTRY_VIEW, A.OWNERS_VIEW, A.COMPANIES_VIEW}),
    Role.COMMITTEE_MEMBER: frozenset(
        {A.REGISTRY_VIEW, A.OWNERS_VIEW, A.COMPANIES_VIEW, A.CONTRACTS_VIEW}
    ),
    Role.OWNER: frozenset({A.REGISTRY_VIEW, A.OWNERS_VIEW, A.COMPANIES_VIEW, A.CONTRACTS_VIEW}),
    Role.AUDITOR: frozenset(_READ_ALL | {A.AUDIT_VIEW, A.LEDGER_EXPORT, A.CALENDAR_VIEW}),
}

# The work-order column of the same table, kept together so the complaint duties of every
# role read at a glance (complaints.md §2.1: intake, dispatch, handling unit, supervision).
_ORDER_ACTIONS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: _ORDERS_DISTRICT | {A.ORDERS_CONFIGURE},
    Role.DISTRICT_STAFF: _ORDERS_DISTRICT - {A.ORDERS_SUPERVISE},
    Role.STREET_OFFICER: (_ORDERS_DISTRICT - {A.ORDERS_SUPERVISE}) | _ORDERS_UNIT,
    Role.COMMUNITY_WORKER: {A.ORDERS_VIEW, A.ORDERS_INTAKE, A.ORDERS_VISIT} | _ORDERS_UNIT,
    Role.GRID_WORKER: {A.ORDERS_VIEW, A.ORDERS_INTAKE},
    Role.DEPARTMENT_HANDLER: _ORDERS_UNIT,
    Role.COMPANY_MANAGER: _ORDERS_UNIT,
    Role.COMPANY_STAFF: {A.ORDERS_VIEW, A.ORDERS_HANDLE},
    Role.OWNER: {A.ORDERS_VIEW, A.ORDERS_SUBMIT},
    Role.AUDITOR: {A.ORDERS_VIEW},
}
# The voting column: a street or the owners' committee convenes and counts, the owner votes,
# the district and the street supervise (voting.md §3).
_VOTES_RUN = {A.VOTES_VIEW, A.VOTES_ORGANISE, A.VOTES_COUNT}
_VOTE_ACTIONS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {A.VOTES_VIEW, A.VOTES_SUPERVISE},
    Role.DISTRICT_STAFF: {A.VOTES_VIEW, A.VOTES_SUPERVISE},
    Role.STREET_OFFICER: _VOTES_RUN | {A.VOTES_SUPERVISE},
    Role.COMMUNITY_WORKER: _VOTES_RUN,
    Role.COMMITTEE_MEMBER: _VOTES_RUN,
    Role.OWNER: {A.VOTES_VIEW, A.VOTES_CAST},
    Role.AUDITOR: {A.VOTES_VIEW, A.VOTES_SUPERVISE},
}
ROLE_ACTIONS = {
    role: actions | frozenset(_ORDER_ACTIONS.get(role, ())) | frozenset(_VOTE_ACTIONS.get(role, ()))
    for role, actions in ROLE_ACTIONS.items()
}

# Which scope a membership of each role must name.
ROLE_SCOPE_FIELD = {
    Role.DISTRICT_ADMIN: "region",
    Role.DISTRICT_STAFF: "region",
    Role.STREET_OFFICER: "region",
    Role.COMMUNITY_WORKER: "region",
    Role.GRID_WORKER: "grid",
    Role.DEPARTMENT_HANDLER: "department",
    Role.COMPANY_MANAGER: "company",
    Role.COMPANY_STAFF: "company",
    Role.COMMITTEE_MEMBER: "estate",
    Role.OWNER: "unit",
    Role.AUDITOR: "region",
}
