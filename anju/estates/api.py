from datetime import date
from decimal import Decimal

from ninja import Router, Schema, Status

from anju.accounts.roles import Action
from anju.core.api import apply_patch, page_of
from anju.core.pii import mask
from anju.core.services import pii_reveal
from anju.estates import services
from anju.estates.permissions import (
    building_policy,
    estate_policy,
    owner_policy,
    ownership_policy,
    unit_policy,
)
from anju.regions.models import Region
from anju.regions.permissions import region_policy

router = Router(tags=["registry"])


class EstateOut(Schema):
    id: int
    name: str
    address: str
    kind: str
    management_mode: str
    built_year: int | None
    total_households: int
    total_floor_area: Decimal
    red_property: bool
    region_id: int
    region_code: str
    longitude: Decimal | None
    latitude: Decimal | None


class EstateIn(Schema):
    name: str
    region_id: int
    kind: str
    management_mode: str
    address: str = ""
    built_year: int | None = None
    total_households: int = 0
    total_floor_area: Decimal = Decimal("0")
    red_property: bool = False
    longitude: Decimal | None = None
    latitude: Decimal | None = None


class EstatePatch(Schema):
    name: str | None = None
    region_id: int | None = None
    kind: str | None = None
    management_mode: str | None = None
    address: str | None = None
    built_year: int | None = None
    total_households: int | None = None
    total_floor_area: Decimal | None = None
    red_property: bool | None = None


class EstatePage(Schema):
    count: int
    capped: bool
    items: list[EstateOut]


def _with_region(actor, data: dict) -> dict:
    if "region_id" in data:
        region_id = data.pop("region_id")
        data["region"] = region_policy.get(
            actor, region_id, qs=Region.objects.filter(level=Region.Level.COMMUNITY)
        )
    return data


@router.get("/estates", response=EstatePage, summary="List estates in scope")
def estate_list(
    request,
    q: str = "",
    region_code: str = "",
    kind: str = "",
    management_mode: str = "",
    limit: int = 50,
    offset: int = 0,
):
    estate_policy.require_action(request.user)
    qs = estate_policy.visible(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    if region_code:
        qs = qs.filter(region_code__codeprefix=region_code)
    if kind:
        qs = qs.filter(kind=kind)
    if management_mode:
        qs = qs.filter(management_mode=management_mode)
    return page_of(qs, limit=limit, offset=offset, out=EstateOut)


@router.post("/estates", response={201: EstateOut}, summary="Register an estate")
def estate_create(request, payload: EstateIn):
    estate_policy.require_action(request.user, Action.REGISTRY_CHANGE)
    data = _with_region(request.user, payload.dict())
    return Status(201, services.estate_create(actor=request.user, data=data))


@router.get("/estates/{estate_id}", response=EstateOut, summary="One estate")
def estate_get(request, estate_id: int):
    return estate_policy.get(request.user, estate_id)


@router.patch("/estates/{estate_id}", response=EstateOut, summary="Change an estate")
def estate_update(request, estate_id: int, payload: EstatePatch):
    estate = estate_policy.get(request.user, estate_id)
    estate_policy.require(request.user, Action.REGISTRY_CHANGE, estate)
    data = _with_region(request.user, apply_patch(payload))
    return services.estate_update(actor=request.user, estate=estate, data=data)


class BuildingOut(Schema):
    id: int
    estate_id: int
    number: str
    floors: int | None
    has_lift: bool


class BuildingIn(Schema):
    number: str
    floors: int | None = None
    has_lift: bool = False


@router.get(
    "/estates/{estate_id}/buildings", response=list[BuildingOut], summary="Buildings of an estate"
)
def building_list(request, estate_id: int):
    estate = estate_policy.get(request.user, estate_id)
    return building_policy.visible(request.user).filter(estate=estate).order_by("number")


@router.post(
    "/estates/{estate_id}/buildings", response={201: BuildingOut}, summary="Add a building"
)
def building_create(request, estate_id: int, payload: BuildingIn):
    estate = estate_policy.get(request.user, estate_id)
    return Status(
        201, services.building_create(actor=request.user, estate=estate, data=payload.dict())
    )


class UnitOut(Schema):
    id: int
    estate_id: int
    building_id: int | None
    entrance: str
    floor: int | None
    number: str
    kind: str
    area: Decimal
    area_source: str
    delivery: str


class UnitIn(Schema):
    building_id: int | None = None
    entrance: str = ""
    floor: int | None = None
    number: str
    kind: str = "residential"
    area: Decimal
    area_source: str = "registered"
    delivery: str = "delivered"


class UnitPatch(Schema):
    entrance: str | None = None
    floor: int | None = None
    number: str | None = None
    kind: str | None = None
    area: Decimal | None = None
    area_source: str | None = None
    delivery: str | None = None


class UnitPage(Schema):
    count: int
    capped: bool
    items: list[UnitOut]


@router.get("/units", response=UnitPage, summary="List units in scope")
def unit_list(
    request,
    estate_id: int | None = None,
    building_id: int | None = None,
    kind: str = "",
    delivery: str = "",
    q: str = "",
    limit: int = 50,
    offset: int = 0,
):
    unit_policy.require_action(request.user)
    qs = unit_policy.visible(request.user)
    if estate_id:
        qs = qs.filter(estate_id=estate_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if kind:
        qs = qs.filter(kind=kind)
    if delivery:
        qs = qs.filter(delivery=delivery)
    if q:
        qs = qs.filter(number__icontains=q)
    return page_of(qs, limit=limit, offset=offset, out=UnitOut)


@router.post("/estates/{estate_id}/units", response={201: UnitOut}, summary="Add a unit")
def unit_create(request, estate_id: int, payload: UnitIn):
    estate = estate_policy.get(request.user, estate_id)
    data = payload.dict()
    building_id = data.pop("building_id")
    data["building"] = (
        building_policy.get(request.user, building_id) if building_id is not None else None
    )
    return Status(201, services.unit_create(actor=request.user, estate=estate, data=data))


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def unit_get(request, unit_id: int):
    return unit_policy.get(request.user, unit_id)


@router.patch("/units/{unit_id}", response=UnitOut, summary="Change a unit")
def unit_update(request, unit_id: int, payload: UnitPatch):
    unit = unit_policy.get(request.user, unit_id)
    return services.unit_update(actor=request.user, unit=unit, data=apply_patch(payload))


class OwnerOut(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str
    phone_masked: str
    is_developer: bool

    @staticmethod
    def resolve_id_number_masked(obj):
        return mask(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone)


class OwnerPage(Schema):
    count: int
    capped: bool
    items: list[OwnerOut]


class OwnerIn(Schema):
    kind: str = "person"
    name: str
    id_number: str = ""
    phone: str = ""
    is_developer: bool = False
    share: Decimal = Decimal(1)
    is_representative: bool = True


class OwnershipOut(Schema):
    id: int
    unit_id: int
    owner_id: int
    share: Decimal
    is_representative: bool
    since: date | None


@router.get("/owners", response=OwnerPage, summary="List owners in scope (masked)")
def owner_list(
    request, q: str = "", estate_id: int | None = None, limit: int = 50, offset: int = 0
):
    owner_policy.require_action(request.user)
    qs = owner_policy.visible(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    if estate_id:
        qs = qs.filter(ownerships__unit__estate_id=estate_id).distinct()
    return page_of(qs, limit=limit, offset=offset, out=OwnerOut)


@router.get("/owners/{owner_id}", response=OwnerOut, summary="One owner (masked)")
def owner_get(request, owner_id: int):
    return owner_policy.get(request.user, owner_id)


class RevealOut(Schema):
    field: str
    value: str


@router.post(
    "/owners/{owner_id}/reveal/{field}",
    response=RevealOut,
    summary="Reveal an owner's ID number or phone (logged)",
)
def owner_reveal(request, owner_id: int, field: str):
    value = pii_reveal(actor=request.user, kind="owner", pk=owner_id, field=field)
    return {"field": field, "value": value}


@router.get("/units/{unit_id}/ownerships", response=list[OwnershipOut], summary="Owners of a unit")
def ownership_list(request, unit_id: int):
    unit = unit_policy.get(request.user, unit_id)
    ownership_policy.require_action(request.user)
    return ownership_policy.visible(request.user).filter(unit=unit)


@router.post(
    "/units/{unit_id}/owners",
    response={201: OwnershipOut},
    summary="Register an owner of a unit (or add an existing one by ID number)",
)
def owner_create(request, unit_id: int, payload: OwnerIn):
    unit = unit_policy.get(request.user, unit_id)
    data = payload.dict()
    share = data.pop("share")
    is_representative = data.pop("is_representative")
    existing = services.owner_find_by_id_number(data["id_number"])
    if existing is not None:
        ownership = services.ownership_add(
            actor=request.user,
            unit=unit,
            owner=existing,
            share=share,
            is_representative=is_representative,
        )
        return Status(201, ownership)
    owner = services.owner_create(
        actor=request.user, unit=unit, data=data, share=share, is_representative=is_representative
    )
    return Status(201, owner.ownerships.get(unit=unit))
