"""Writes to the registry. Views, the API and imports all call these."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.audit import audit_record
from anju.core.errors import DomainError
from anju.core.pii import digest
from anju.core.services import model_create, model_update
from anju.estates.models import Building, Compound, Estate, Owner, Ownership, Resident, Unit
from anju.estates.permissions import estate_policy, owner_policy, unit_policy
from anju.regions.models import Region


def _require_region(actor, region: Region) -> None:
    if region.level != Region.Level.COMMUNITY:
        raise DomainError(_("An estate must belong to a community."), field="region")
    if not covers_region(scope_of(actor), Action.REGISTRY_CHANGE, region.code):
        raise PermissionDenied


def estate_create(*, actor, data: dict[str, Any]) -> Estate:
    """Register an estate in a community within the actor's scope."""
    _require_region(actor, data["region"])
    data = {**data, "region_code": data["region"].code}
    return model_create(actor=actor, model=Estate, data=data, action="estate.create")


def estate_update(*, actor, estate: Estate, data: dict[str, Any]) -> Estate:
    estate_policy.require(actor, Action.REGISTRY_CHANGE, estate)
    if "region" in data:
        _require_region(actor, data["region"])
        data = {**data, "region_code": data["region"].code}
    return model_update(actor=actor, instance=estate, data=data, action="estate.update")


def building_create(*, actor, estate: Estate, data: dict[str, Any]) -> Building:
    estate_policy.require(actor, Action.REGISTRY_CHANGE, estate)
    return model_create(
        actor=actor, model=Building, data={**data, "estate": estate}, action="building.create"
    )


def building_update(*, actor, building: Building, data: dict[str, Any]) -> Building:
    estate_policy.require(actor, Action.REGISTRY_CHANGE, building.estate)
    return model_update(actor=actor, instance=building, data=data, action="building.update")


def compound_create(*, actor, estate: Estate, data: dict[str, Any]) -> Compound:
    """Record an old compound grouped into this 物业管理区域 (S0: adjacent compounds)."""
    estate_policy.require(actor, Action.REGISTRY_CHANGE, estate)
    return model_create(
        actor=actor,
        model=Compound,
        data={**data, "estate": estate},
        action="compound.create",
        region_code=estate.region_code,
    )


def unit_create(*, actor, estate: Estate, data: dict[str, Any]) -> Unit:
    estate_policy.require(actor, Action.REGISTRY_CHANGE, estate)
    building = data.get("building")
    if building is not None and building.estate_id != estate.pk:
        raise DomainError(_("The building belongs to another estate."), field="building")
    return model_create(
        actor=actor, model=Unit, data={**data, "estate": estate}, action="unit.create"
    )


def unit_update(*, actor, unit: Unit, data: dict[str, Any]) -> Unit:
    unit_policy.require(actor, Action.REGISTRY_CHANGE, unit)
    building = data.get("building")
    if building is not None and building.estate_id != unit.estate_id:
        raise DomainError(_("The building belongs to another estate."), field="building")
    return model_update(actor=actor, instance=unit, data=data, action="unit.update")


def _owner_data(data: dict[str, Any]) -> dict[str, Any]:
    if "id_number" in data:
        data = {**data, "id_number": (data["id_number"] or "").strip().upper()}
        data["id_number_digest"] = digest(data["id_number"])
    return data


def owner_find_by_id_number(id_number: str) -> Owner | None:
    """Return the owner registered with this ID number, found through its keyed digest."""
    if not id_number:
        return None
    return Owner.objects.filter(id_number_digest=digest(id_number)).first()


def owner_create(
    *,
    actor,
    unit: Unit,
    data: dict[str, Any],
    share: Decimal = Decimal(1),
    is_representative: bool = True,
) -> Owner:
    """Register an owner and their ownership of unit (the owner must be tied to a unit)."""
    unit_policy.require(actor, Action.OWNERS_CHANGE, unit)
    data = _owner_data(data)
    if (
        data.get("id_number_digest")
        and Owner.objects.filter(id_number_digest=data["id_number_digest"]).exists()
    ):
        raise DomainError(
            _("An owner with this ID number is already registered."), field="id_number"
        )
    with transaction.atomic():
        owner = model_create(
            actor=actor,
            model=Owner,
            data=data,
            action="owner.create",
            region_code=unit.estate.region_code,
        )
        ownership_add(
            actor=actor, unit=unit, owner=owner, share=share, is_representative=is_representative
        )
    return owner


def owner_update(*, actor, owner: Owner, data: dict[str, Any]) -> Owner:
    owner_policy.require(actor, Action.OWNERS_CHANGE, owner)
    data = _owner_data(data)
    digest_value = data.get("id_number_digest")
    if (
        digest_value
        and Owner.objects.filter(id_number_digest=digest_value).exclude(pk=owner.pk).exists()
    ):
        raise DomainError(
            _("An owner with this ID number is already registered."), field="id_number"
        )
    first = owner.ownerships.select_related("unit__estate").first()
    return model_update(
        actor=actor,
        instance=owner,
        data=data,
        action="owner.update",
        region_code=first.unit.estate.region_code if first else "",
    )


def ownership_add(
    *, actor, unit: Unit, owner: Owner, share: Decimal = Decimal(1), is_representative: bool = False
) -> Ownership:
    """Add a co-owner to unit; making them representative demotes the previous one."""
    unit_policy.require(actor, Action.OWNERS_CHANGE, unit)
    if Ownership.objects.filter(unit=unit, owner=owner).exists():
        raise DomainError(_("This owner already holds this unit."), field="owner")
    existing = Ownership.objects.filter(unit=unit)
    total = sum((o.share for o in existing), Decimal(0)) + share
    if total > 1:
        raise DomainError(
            _("The shares of a unit's owners add up to more than 100%."), field="share"
        )
    with transaction.atomic():
        if is_representative or not existing.exists():
            existing.filter(is_representative=True).update(is_representative=False)
            is_representative = True
        return model_create(
            actor=actor,
            model=Ownership,
            data={
                "unit": unit,
                "owner": owner,
                "share": share,
                "is_representative": is_representative,
            },
            action="ownership.create",
        )


def ownership_set_representative(*, actor, ownership: Ownership) -> Ownership:
    """Make this co-owner the unit's only voting representative."""
    unit_policy.require(actor, Action.OWNERS_CHANGE, ownership.unit)
    with transaction.atomic():
        Ownership.objects.filter(unit_id=ownership.unit_id, is_representative=True).exclude(
            pk=ownership.pk
        ).update(is_representative=False)
        ownership.is_representative = True
        ownership.save(update_fields=["is_representative", "updated_at"])
        audit_record(
            actor=actor,
            action="ownership.representative",
            target=ownership,
            region_code=ownership.unit.estate.region_code,
        )
    return ownership


def ownership_remove(*, actor, ownership: Ownership) -> None:
    """Remove a co-owner; if they represented the unit, the next co-owner takes over."""
    unit = ownership.unit
    unit_policy.require(actor, Action.OWNERS_CHANGE, unit)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="ownership.delete",
            target=ownership,
            region_code=unit.estate.region_code,
        )
        was_representative = ownership.is_representative
        ownership.delete()
        if was_representative:
            successor = Ownership.objects.filter(unit=unit).order_by("id").first()
            if successor is not None:
                successor.is_representative = True
                successor.save(update_fields=["is_representative", "updated_at"])


def resident_create(*, actor, unit: Unit, data: dict[str, Any]) -> Resident:
    unit_policy.require(actor, Action.OWNERS_CHANGE, unit)
    return model_create(
        actor=actor, model=Resident, data={**data, "unit": unit}, action="resident.create"
    )
