"""Writes to companies, service contracts and project managers."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.companies.permissions import company_policy, contract_policy
from anju.companies.rules import uscc_is_valid
from anju.core.errors import DomainError
from anju.core.services import model_create, model_update
from anju.estates.permissions import estate_policy
from anju.regions.models import Region


def _clean_company(data: dict[str, Any]) -> dict[str, Any]:
    if "uscc" in data:
        data = {**data, "uscc": data["uscc"].strip().upper()}
        if not uscc_is_valid(data["uscc"]):
            raise DomainError(
                _("The unified social credit code is invalid (GB 32100 checksum)."), field="uscc"
            )
    if "region" in data:
        region = data["region"]
        if region.level != Region.Level.DISTRICT:
            raise DomainError(_("A company is registered in a district."), field="region")
        data["region_code"] = region.code
    return data


def company_create(*, actor, data: dict[str, Any]) -> PropertyCompany:
    data = _clean_company(data)
    if not covers_region(scope_of(actor), Action.COMPANIES_CHANGE, data["region_code"]):
        raise PermissionDenied
    if PropertyCompany.objects.filter(uscc=data["uscc"]).exists():
        raise DomainError(_("A company with this credit code is already registered."), field="uscc")
    return model_create(actor=actor, model=PropertyCompany, data=data, action="company.create")


def company_update(*, actor, company: PropertyCompany, data: dict[str, Any]) -> PropertyCompany:
    company_policy.require(actor, Action.COMPANIES_CHANGE, company)
    data = _clean_company(data)
    if (
        "uscc" in data
        and PropertyCompany.objects.filter(uscc=data["uscc"]).exclude(pk=company.pk).exists()
    ):
        raise DomainError(_("A company with this credit code is already registered."), field="uscc")
    return model_update(actor=actor, instance=company, data=data, action="company.update")


def contract_create(*, actor, data: dict[str, Any]) -> ServiceContract:
    """Record a service contract between a company and an estate within the actor's scope."""
    estate_policy.require(actor, Action.CONTRACTS_CHANGE, data["estate"])
    return model_create(actor=actor, model=ServiceContract, data=data, action="contract.create")


def contract_update(*, actor, contract: ServiceContract, data: dict[str, Any]) -> ServiceContract:
    contract_policy.require(actor, Action.CONTRACTS_CHANGE, contract)
    if "estate" in data:
        estate_policy.require(actor, Action.CONTRACTS_CHANGE, data["estate"])
    return model_update(actor=actor, instance=contract, data=data, action="contract.update")


def project_manager_create(
    *, actor, company: PropertyCompany, data: dict[str, Any]
) -> ProjectManager:
    company_policy.require(actor, Action.COMPANIES_CHANGE, company)
    return model_create(
        actor=actor,
        model=ProjectManager,
        data={**data, "company": company},
        action="project_manager.create",
    )
