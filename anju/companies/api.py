from datetime import date
from decimal import Decimal

from ninja import Router, Schema, Status

from anju.accounts.roles import Action
from anju.companies import services
from anju.companies.permissions import company_policy, contract_policy
from anju.core.api import apply_patch, page_of
from anju.core.pii import mask
from anju.estates.permissions import estate_policy
from anju.regions.models import Region
from anju.regions.permissions import region_policy

router = Router(tags=["companies"])


class CompanyOut(Schema):
    id: int
    name: str
    uscc: str
    region_id: int
    registered_address: str
    contact_name: str
    contact_phone_masked: str
    has_party_org: bool

    @staticmethod
    def resolve_contact_phone_masked(obj):
        return mask(obj.contact_phone)


class CompanyIn(Schema):
    name: str
    uscc: str
    region_id: int
    registered_address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    has_party_org: bool = False


class CompanyPatch(Schema):
    name: str | None = None
    uscc: str | None = None
    registered_address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    has_party_org: bool | None = None


class CompanyPage(Schema):
    count: int
    capped: bool
    items: list[CompanyOut]


@router.get("/companies", response=CompanyPage, summary="List property companies in scope")
def company_list(request, q: str = "", limit: int = 50, offset: int = 0):
    company_policy.require_action(request.user)
    qs = company_policy.visible(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    return page_of(qs, limit=limit, offset=offset, out=CompanyOut)


@router.post("/companies", response={201: CompanyOut}, summary="Register a property company")
def company_create(request, payload: CompanyIn):
    company_policy.require_action(request.user, Action.COMPANIES_CHANGE)
    data = payload.dict()
    data["region"] = region_policy.get(
        request.user, data.pop("region_id"), qs=Region.objects.filter(level="district")
    )
    return Status(201, services.company_create(actor=request.user, data=data))


@router.get("/companies/{company_id}", response=CompanyOut, summary="One company")
def company_get(request, company_id: int):
    return company_policy.get(request.user, company_id)


@router.patch("/companies/{company_id}", response=CompanyOut, summary="Change a company")
def company_update(request, company_id: int, payload: CompanyPatch):
    company = company_policy.get(request.user, company_id)
    return services.company_update(actor=request.user, company=company, data=apply_patch(payload))


class ContractOut(Schema):
    id: int
    company_id: int
    estate_id: int
    kind: str
    start_date: date
    end_date: date | None
    fee_standard: Decimal
    service_level: str
    filing_status: str
    filed_on: date | None


class ContractIn(Schema):
    company_id: int
    estate_id: int
    kind: str
    start_date: date
    end_date: date | None = None
    fee_standard: Decimal = Decimal("0")
    service_level: str
    filing_status: str = "not_filed"
    filed_on: date | None = None


class ContractPatch(Schema):
    kind: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    fee_standard: Decimal | None = None
    service_level: str | None = None
    filing_status: str | None = None
    filed_on: date | None = None


class ContractPage(Schema):
    count: int
    capped: bool
    items: list[ContractOut]


@router.get("/contracts", response=ContractPage, summary="List service contracts in scope")
def contract_list(
    request,
    company_id: int | None = None,
    estate_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
):
    contract_policy.require_action(request.user)
    qs = contract_policy.visible(request.user)
    if company_id:
        qs = qs.filter(company_id=company_id)
    if estate_id:
        qs = qs.filter(estate_id=estate_id)
    return page_of(qs, limit=limit, offset=offset, out=ContractOut)


@router.post("/contracts", response={201: ContractOut}, summary="Record a service contract")
def contract_create(request, payload: ContractIn):
    contract_policy.require_action(request.user, Action.CONTRACTS_CHANGE)
    data = payload.dict()
    data["estate"] = estate_policy.get(request.user, data.pop("estate_id"))
    data["company"] = _company_for_contract(data.pop("company_id"))
    return Status(201, services.contract_create(actor=request.user, data=data))


def _company_for_contract(company_id: int):
    from django.http import Http404

    from anju.companies.models import PropertyCompany

    # Any registered company may be contracted for an estate in scope.
    company = PropertyCompany.objects.filter(pk=company_id).first()
    if company is None:
        raise Http404
    return company


@router.get("/contracts/{contract_id}", response=ContractOut, summary="One contract")
def contract_get(request, contract_id: int):
    return contract_policy.get(request.user, contract_id)


@router.patch("/contracts/{contract_id}", response=ContractOut, summary="Change a contract")
def contract_update(request, contract_id: int, payload: ContractPatch):
    contract = contract_policy.get(request.user, contract_id)
    return services.contract_update(
        actor=request.user, contract=contract, data=apply_patch(payload)
    )
