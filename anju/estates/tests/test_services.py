"""Registry services: scoped, validated, atomic, and audited in the same transaction."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from anju.core import services as core_services
from anju.core.errors import DomainError
from anju.core.models import AuditEvent
from anju.core.pii import digest
from anju.estates import services
from anju.estates.models import Building, Estate, Owner, Ownership, Resident, Unit
from tests import factories as f

ID_NUMBER = "510104199001011234"
CJK = re.compile(r"[\u4e00-\u9fff]")
PHONE = "13912345678"


def _estate_data(world, **extra):
    return {
        "name": "锦城花园",
        "region": world.a1,
        "kind": Estate.Kind.COMMERCIAL,
        "management_mode": Estate.ManagementMode.PROFESSIONAL,
        "total_households": 200,
        "total_floor_area": Decimal("20000.00"),
        **extra,
    }


def _unit_data(world, **extra):
    return {"building": world.building_a, "number": "201", "area": Decimal("88.50"), **extra}


def _events(action=None):
    qs = AuditEvent.objects.all()
    return list(qs.filter(action=action) if action else qs)


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


# ------------------------------------------------------------------------------- estates


def test_estate_create_records_the_region_and_an_audit_event(world):
    actor = world.people.street_a_officer

    estate = services.estate_create(actor=actor, data=_estate_data(world))

    assert estate.region_code == world.a1.code
    [event] = _events("estate.create")
    assert event.actor == actor
    assert event.target_id == str(estate.pk)
    assert event.region_code == world.a1.code
    assert event.changes["name"] == [None, "锦城花园"]
    assert event.changes["region"] == [None, str(world.a1.pk)]
    assert event.changes["region_code"] == [None, world.a1.code]


@pytest.mark.parametrize(
    ("persona", "community"),
    [
        ("street_b_officer", "a1"),
        ("neighbour_admin", "a1"),
        ("district_admin", "n1"),
        ("company_x_manager", "a1"),
        ("auditor", "a1"),
        ("community_a1_worker", "a1"),
    ],
)
def test_estate_create_outside_the_scope_is_refused(world, persona, community):
    data = _estate_data(world, region=getattr(world, community))

    with pytest.raises(PermissionDenied):
        services.estate_create(actor=getattr(world.people, persona), data=data)

    assert not Estate.objects.filter(name="锦城花园").exists()
    assert not AuditEvent.objects.exists()


def test_estate_must_belong_to_a_community(world):
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        services.estate_create(
            actor=world.people.district_admin, data=_estate_data(world, region=world.street_a)
        )
    assert error.value.field == "region"
    assert CJK.search(str(error.value.message))
    assert not AuditEvent.objects.exists()


def test_estate_name_is_unique_in_its_community_with_a_chinese_message(world):
    data = _estate_data(world, name=world.estate_a.name)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.estate_create(actor=world.people.district_admin, data=data)

    assert "已经存在" in " ".join(error.value.messages)
    assert Estate.objects.filter(name=world.estate_a.name).count() == 1


def test_estate_negative_area_is_refused_on_the_field(world):
    data = _estate_data(world, total_floor_area=Decimal("-1.00"))

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.estate_create(actor=world.people.district_admin, data=data)

    assert error.value.message_dict  # names the field or the constraint
    assert not Estate.objects.filter(name="锦城花园").exists()


def test_estate_update_audits_only_what_changed(world):
    estate = world.estate_a
    actor = world.people.district_staff

    services.estate_update(
        actor=actor,
        estate=estate,
        data={"name": estate.name, "total_households": 321, "region": estate.region},
    )

    [event] = _events("estate.update")
    assert event.actor == actor
    assert event.changes == {"total_households": [100, 321]}
    estate.refresh_from_db()
    assert estate.total_households == 321


def test_estate_update_without_change_records_nothing(world):
    estate = world.estate_a
    services.estate_update(
        actor=world.people.district_admin,
        estate=estate,
        data={"name": estate.name, "total_floor_area": Decimal("10000")},
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["street_b_officer", "neighbour_admin", "company_x_manager"])
def test_estate_update_outside_the_scope_is_refused(world, persona):
    with pytest.raises(PermissionDenied):
        services.estate_update(
            actor=getattr(world.people, persona), estate=world.estate_a, data={"name": "改名"}
        )
    assert Estate.objects.get(pk=world.estate_a.pk).name == "红星花园"
    assert not AuditEvent.objects.exists()


def test_street_officer_cannot_move_an_estate_to_another_street(world):
    with pytest.raises(PermissionDenied):
        services.estate_update(
            actor=world.people.street_a_officer, estate=world.estate_a, data={"region": world.b1}
        )
    assert Estate.objects.get(pk=world.estate_a.pk).region_code == world.a1.code


def test_moving_an_estate_updates_its_region_code(world):
    services.estate_update(
        actor=world.people.district_admin, estate=world.estate_a, data={"region": world.b1}
    )
    estate = Estate.objects.get(pk=world.estate_a.pk)
    assert estate.region_code == world.b1.code
    [event] = _events("estate.update")
    assert event.changes["region_code"] == [world.a1.code, world.b1.code]


def test_write_and_audit_share_one_transaction(world, monkeypatch):
    # given: recording the audit event fails
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(core_services, "audit_record", broken)

    # when
    with pytest.raises(RuntimeError):
        services.estate_create(actor=world.people.district_admin, data=_estate_data(world))

    # then: the estate was not written either
    assert not Estate.objects.filter(name="锦城花园").exists()


# ------------------------------------------------------------------------ buildings, units


def test_building_create_is_audited(world):
    building = services.building_create(
        actor=world.people.street_a_officer, estate=world.estate_a, data={"number": "2栋"}
    )
    [event] = _events("building.create")
    assert event.target_id == str(building.pk)
    assert event.region_code == world.a1.code


def test_building_number_is_unique_in_its_estate(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.building_create(
            actor=world.people.district_admin, estate=world.estate_a, data={"number": "1栋"}
        )
    assert "已经存在" in " ".join(error.value.messages)
    assert Building.objects.filter(estate=world.estate_a).count() == 1


def test_building_create_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.building_create(
            actor=world.people.street_b_officer, estate=world.estate_a, data={"number": "2栋"}
        )
    assert not AuditEvent.objects.exists()


def test_unit_create_is_audited(world):
    actor = world.people.street_a_officer
    unit = services.unit_create(actor=actor, estate=world.estate_a, data=_unit_data(world))

    [event] = _events("unit.create")
    assert (event.actor, event.target_id) == (actor, str(unit.pk))
    assert event.changes["number"] == [None, "201"]
    assert event.changes["area"] == [None, "88.50"]
    assert event.region_code == world.a1.code


def test_unit_number_is_unique_in_its_building(world):
    # given: 1栋 101 exists
    data = _unit_data(world, number="101")

    # when
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.unit_create(actor=world.people.district_admin, estate=world.estate_a, data=data)

    # then: Django's own message, in Chinese
    assert "已经存在" in " ".join(error.value.messages)
    assert Unit.objects.filter(building=world.building_a, number="101").count() == 1
    assert not AuditEvent.objects.exists()


def test_same_number_in_another_entrance_or_building_is_fine(world):
    actor = world.people.district_admin
    other = services.building_create(actor=actor, estate=world.estate_a, data={"number": "2栋"})
    services.unit_create(
        actor=actor, estate=world.estate_a, data=_unit_data(world, number="101", building=other)
    )
    services.unit_create(
        actor=actor,
        estate=world.estate_a,
        data=_unit_data(world, number="101", entrance="2"),
    )
    assert Unit.objects.filter(estate=world.estate_a, number="101").count() == 3


def test_unit_without_building_is_unique_in_the_estate(world):
    actor = world.people.district_admin
    data = {"building": None, "number": "车位1", "area": Decimal("12.00"), "kind": "parking"}
    services.unit_create(actor=actor, estate=world.estate_a, data=data)

    with pytest.raises(ValidationError):
        services.unit_create(actor=actor, estate=world.estate_a, data=data)

    assert Unit.objects.filter(number="车位1").count() == 1


def test_unit_area_must_be_positive_with_a_chinese_message(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.unit_create(
            actor=world.people.district_admin,
            estate=world.estate_a,
            data=_unit_data(world, area=Decimal("0.00")),
        )
    assert "area" in error.value.message_dict
    assert "确保该值大于或等于" in " ".join(error.value.message_dict["area"])


def test_unit_kind_must_be_a_known_choice_with_a_chinese_message(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.unit_create(
            actor=world.people.district_admin,
            estate=world.estate_a,
            data=_unit_data(world, kind="castle"),
        )
    assert "不是有效选项" in " ".join(error.value.message_dict["kind"])


def test_unit_building_must_belong_to_the_estate(world):
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        services.unit_create(
            actor=world.people.district_admin,
            estate=world.estate_a,
            data=_unit_data(world, building=world.building_b),
        )
    assert error.value.field == "building"
    assert CJK.search(str(error.value.message))
    assert not Unit.objects.filter(number="201").exists()


def test_unit_update_audits_changes_and_respects_scope(world):
    unit = world.units_a[0]
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=world.people.owner_unit_101, unit=unit, data={"floor": 9})

    services.unit_update(actor=world.people.street_a_officer, unit=unit, data={"floor": 9})

    [event] = _events("unit.update")
    assert event.changes == {"floor": [1, 9]}


def test_unit_update_cannot_move_to_another_estates_building(world):
    unit = world.units_a[0]
    with pytest.raises(DomainError) as error:
        services.unit_update(
            actor=world.people.district_admin, unit=unit, data={"building": world.building_b}
        )
    assert error.value.field == "building"
    assert Unit.objects.get(pk=unit.pk).building_id == world.building_a.pk


# ------------------------------------------------------------------------------- owners


def _empty_unit(world, number="909"):
    return f.UnitFactory(building=world.building_a, number=number)


def _owner_data(**extra):
    return {"name": "陈业主", "id_number": ID_NUMBER, "phone": PHONE, **extra}


def test_owner_create_encrypts_and_audits_masked(world):
    # given
    unit = _empty_unit(world)
    actor = world.people.community_a1_worker

    # when
    owner = services.owner_create(actor=actor, unit=unit, data=_owner_data())

    # then: the owner is found by digest and the audit log holds only masked values
    assert owner.id_number_digest == digest(ID_NUMBER)
    assert services.owner_find_by_id_number(ID_NUMBER.lower()) == owner
    [event] = _events("owner.create")
    assert event.actor == actor
    assert event.region_code == world.a1.code
    assert event.changes["id_number"] == [None, "5101**********1234"]
    assert event.changes["phone"] == [None, "139****5678"]
    assert ID_NUMBER not in _audit_text()
    assert PHONE not in _audit_text()
    # and the new owner represents the empty unit
    [ownership] = Ownership.objects.filter(unit=unit)
    assert (ownership.owner, ownership.is_representative) == (owner, True)
    assert len(_events("ownership.create")) == 1


def test_owner_id_number_is_normalised(world):
    owner = services.owner_create(
        actor=world.people.district_admin,
        unit=_empty_unit(world),
        data=_owner_data(id_number=" 51010419900101123x "),
    )
    assert Owner.objects.get(pk=owner.pk).id_number == "51010419900101123X"


def test_owner_with_a_registered_id_number_is_refused(world):
    existing = world.owners["b"][0]
    with pytest.raises(DomainError) as error:
        services.owner_create(
            actor=world.people.street_a_officer,
            unit=_empty_unit(world),
            data=_owner_data(id_number=existing.id_number),
        )
    assert error.value.field == "id_number"
    assert not Owner.objects.filter(name="陈业主").exists()


def test_owner_create_with_too_large_a_share_writes_nothing(world):
    # given: unit 101 is wholly held by its owner
    unit = world.units_a[0]

    # when
    with pytest.raises(DomainError) as error:
        services.owner_create(
            actor=world.people.district_admin,
            unit=unit,
            data=_owner_data(),
            share=Decimal("0.5"),
        )

    # then: neither the owner nor any audit event was written
    assert error.value.field == "share"
    assert not Owner.objects.filter(name="陈业主").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "persona", ["street_b_officer", "company_x_manager", "fire_handler", "owner_unit_101"]
)
def test_owner_create_outside_scope_or_right_is_refused(world, persona):
    with pytest.raises(PermissionDenied):
        services.owner_create(
            actor=getattr(world.people, persona), unit=_empty_unit(world), data=_owner_data()
        )
    assert not Owner.objects.filter(name="陈业主").exists()


def test_owner_update_records_masked_changes(world):
    owner = world.owners["a"][0]
    old_phone = owner.phone

    services.owner_update(
        actor=world.people.street_a_officer, owner=owner, data={"phone": "13700009999"}
    )

    [event] = _events("owner.update")
    assert event.changes == {"phone": [old_phone[:3] + "****" + old_phone[-4:], "137****9999"]}
    assert "13700009999" not in _audit_text()
    assert event.region_code == world.a1.code


def test_owner_update_to_a_registered_id_number_is_refused(world):
    owner, other = world.owners["a"][0], world.owners["a"][1]
    with pytest.raises(DomainError) as error:
        services.owner_update(
            actor=world.people.district_admin, owner=owner, data={"id_number": other.id_number}
        )
    assert error.value.field == "id_number"
    assert Owner.objects.get(pk=owner.pk).id_number != other.id_number


def test_owner_update_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.owner_update(
            actor=world.people.street_b_officer, owner=world.owners["a"][0], data={"name": "x"}
        )


# --------------------------------------------------------------------------- ownerships


def _representatives(unit):
    return list(Ownership.objects.filter(unit=unit, is_representative=True))


def _half_unit(world):
    """units_a[1] with its owner's share cut to one half, leaving room for a co-owner."""
    unit = world.units_a[1]
    Ownership.objects.filter(unit=unit).update(share=Decimal("0.5"))
    return unit


def test_ownership_add_as_representative_demotes_the_old_one(world):
    # given
    unit = _half_unit(world)
    first = Ownership.objects.get(unit=unit)
    newcomer = f.OwnerFactory()

    # when
    added = services.ownership_add(
        actor=world.people.district_admin,
        unit=unit,
        owner=newcomer,
        share=Decimal("0.5"),
        is_representative=True,
    )

    # then
    assert _representatives(unit) == [added]
    first.refresh_from_db()
    assert first.is_representative is False
    [event] = _events("ownership.create")
    assert event.changes["is_representative"] == [None, True]


def test_ownership_add_as_co_owner_keeps_the_representative(world):
    unit = _half_unit(world)
    first = Ownership.objects.get(unit=unit)

    added = services.ownership_add(
        actor=world.people.district_admin,
        unit=unit,
        owner=f.OwnerFactory(),
        share=Decimal("0.5"),
    )

    assert _representatives(unit) == [first]
    assert added.is_representative is False


def test_first_owner_of_a_unit_becomes_its_representative(world):
    unit = _empty_unit(world)
    added = services.ownership_add(
        actor=world.people.district_admin, unit=unit, owner=f.OwnerFactory()
    )
    assert added.is_representative is True


def test_shares_above_one_are_refused(world):
    unit = _half_unit(world)
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        services.ownership_add(
            actor=world.people.district_admin,
            unit=unit,
            owner=f.OwnerFactory(),
            share=Decimal("0.5001"),
        )
    assert error.value.field == "share"
    assert CJK.search(str(error.value.message))
    assert Ownership.objects.filter(unit=unit).count() == 1


def test_the_same_owner_cannot_hold_a_unit_twice(world):
    unit = _half_unit(world)
    owner = Ownership.objects.get(unit=unit).owner
    with pytest.raises(DomainError) as error:
        services.ownership_add(
            actor=world.people.district_admin, unit=unit, owner=owner, share=Decimal("0.1")
        )
    assert error.value.field == "owner"


def test_ownership_add_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.ownership_add(
            actor=world.people.street_b_officer,
            unit=_empty_unit(world),
            owner=world.owners["b"][0],
        )
    assert not AuditEvent.objects.exists()


def test_removing_the_representative_promotes_the_next_co_owner(world):
    # given: three co-owners, the first represents the unit
    unit = world.units_a[2]
    Ownership.objects.filter(unit=unit).update(share=Decimal("0.4"))
    first = Ownership.objects.get(unit=unit)
    actor = world.people.street_a_officer
    second = services.ownership_add(
        actor=actor, unit=unit, owner=f.OwnerFactory(), share=Decimal("0.3")
    )
    services.ownership_add(actor=actor, unit=unit, owner=f.OwnerFactory(), share=Decimal("0.3"))

    # when
    removed_pk = first.pk
    services.ownership_remove(actor=actor, ownership=first)

    # then
    assert _representatives(unit) == [Ownership.objects.get(pk=second.pk)]
    assert Ownership.objects.filter(unit=unit).count() == 2
    [event] = _events("ownership.delete")
    assert (event.actor, event.target_id) == (actor, str(removed_pk))


def test_removing_a_co_owner_keeps_the_representative(world):
    unit = _half_unit(world)
    first = Ownership.objects.get(unit=unit)
    second = services.ownership_add(
        actor=world.people.district_admin,
        unit=unit,
        owner=f.OwnerFactory(),
        share=Decimal("0.5"),
    )
    services.ownership_remove(actor=world.people.district_admin, ownership=second)
    assert _representatives(unit) == [first]


def test_set_representative_moves_the_vote(world):
    unit = _half_unit(world)
    first = Ownership.objects.get(unit=unit)
    second = services.ownership_add(
        actor=world.people.district_admin,
        unit=unit,
        owner=f.OwnerFactory(),
        share=Decimal("0.5"),
    )

    services.ownership_set_representative(actor=world.people.community_a1_worker, ownership=second)

    assert _representatives(unit) == [Ownership.objects.get(pk=second.pk)]
    first.refresh_from_db()
    assert first.is_representative is False
    assert len(_events("ownership.representative")) == 1


def test_ownership_remove_outside_the_scope_is_refused(world):
    ownership = Ownership.objects.get(unit=world.units_a[0])
    with pytest.raises(PermissionDenied):
        services.ownership_remove(actor=world.people.street_b_officer, ownership=ownership)
    assert Ownership.objects.filter(pk=ownership.pk).exists()
    assert not AuditEvent.objects.exists()


def test_database_refuses_a_second_representative(world):
    unit = _half_unit(world)
    second = Ownership(
        unit=unit, owner=f.OwnerFactory(), share=Decimal("0.5"), is_representative=True
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        second.full_clean()
    assert CJK.search(" ".join(error.value.messages))


# ----------------------------------------------------------------------------- residents


def test_resident_create_encrypts_the_phone_and_audits_it_masked(world):
    resident = services.resident_create(
        actor=world.people.community_a1_worker,
        unit=world.units_a[0],
        data={"name": "租客丙", "kind": Resident.Kind.TENANT, "phone": PHONE},
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM estates_resident WHERE id = %s", [resident.pk])
        [raw] = cursor.fetchone()
    assert raw != PHONE
    assert PHONE not in raw
    assert Resident.objects.get(pk=resident.pk).phone == PHONE
    [event] = _events("resident.create")
    assert event.changes["phone"] == [None, "139****5678"]
    assert PHONE not in _audit_text()


def test_resident_create_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.resident_create(
            actor=world.people.owner_other_estate,
            unit=world.units_a[0],
            data={"name": "租客丁", "kind": Resident.Kind.TENANT},
        )
    assert not Resident.objects.exists()
