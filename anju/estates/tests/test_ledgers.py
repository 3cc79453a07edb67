"""Registry ledgers: estates, buildings + units, owners + ownerships."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from anju.core.imports import get_ledger, import_workbook, ledger_export
from anju.core.pii import digest
from anju.core.tests.ledger_workbooks import errors_at, headers, id_number, run
from anju.estates.models import Building, Estate, Owner, Ownership, Unit

A1 = "510104001001"
B1 = "510104002001"
N1 = "510105001001"
UNKNOWN_COMMUNITY = "The community code is unknown or outside your area."


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.ANJU_TASKS_EAGER = True


def estate_row(**cells):
    return {
        "community": A1,
        "name": "新世纪花园",
        "kind": str(Estate.Kind.COMMERCIAL.label),
        "management_mode": str(Estate.ManagementMode.PROFESSIONAL.label),
        **cells,
    }


def unit_row(**cells):
    return {
        "community": A1,
        "estate": "红星花园",
        "building": "2栋",
        "number": "201",
        "unit_kind": "住宅",
        "area": 88.5,
        **cells,
    }


def owner_row(n: int = 0, **cells):
    return {
        "community": A1,
        "estate": "红星花园",
        "building": "2栋",
        "number": "201",
        "name": f"新业主{n}",
        "id_number": id_number(f"51010419850601{n:03d}"),
        "phone": f"1390000{n:04d}",
        **cells,
    }


def with_valid_id(owner: Owner) -> Owner:
    """The fixture's owners have made-up ID numbers; give this one a valid number."""
    owner.id_number = id_number(f"11010519491231{owner.pk % 1000:03d}")
    owner.id_number_digest = digest(owner.id_number)
    owner.save()
    return owner


def make_units(world, numbers=("201", "202", "203"), building="2栋"):
    rows = [unit_row(building=building, number=n) for n in numbers]
    outcome = run(world.people.district_admin, "units", rows)
    assert outcome.ok, outcome.errors


# --------------------------------------------------------------------------------------------
# Estates


def test_estates_import(world):
    officer = world.people.street_a_officer
    rows = [
        estate_row(address="春熙路9号", built_year=1998, total_households="320", red_property="是"),
        estate_row(
            community="510104001002",
            name="老院子",
            kind="old",  # the code works as well as the label
            management_mode="community",
            total_floor_area="12000.5",
            longitude=104.081234,
            latitude="30.657689",
        ),
    ]
    outcome = run(officer, "estates", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"estate": 2}
    first = Estate.objects.get(name="新世纪花园")
    assert first.region == world.a1
    assert first.region_code == A1
    assert (first.kind, first.management_mode) == ("commercial", "professional")
    assert (first.built_year, first.total_households, first.red_property) == (1998, 320, True)
    second = Estate.objects.get(name="老院子")
    assert second.region == world.a2
    assert second.total_floor_area == Decimal("12000.50")
    assert second.longitude == Decimal("104.081234")


def test_estates_validation(world):
    officer = world.people.street_a_officer
    rows = [
        estate_row(community=B1),  # street B: outside the officer's area
        estate_row(community="510104001999"),  # no such community
        estate_row(community="5101"),  # malformed
        estate_row(name="红星花园"),  # already registered in A1
        estate_row(name="重复"),
        estate_row(name="重复"),  # twice in the file
        estate_row(name="类型", kind="别墅", management_mode=None),
        estate_row(name="面积", total_floor_area=-5, built_year=1998.5),
    ]
    before = Estate.objects.count()
    outcome = run(officer, "estates", rows)
    assert not outcome.ok
    assert Estate.objects.count() == before
    community = errors_at(outcome, "community", "estates")
    assert community[0] == (2, _(UNKNOWN_COMMUNITY))
    assert community[1] == (3, _(UNKNOWN_COMMUNITY))  # the same message: existence not leaked
    assert community[2] == (4, _("Enter a 12-digit division code."))
    assert errors_at(outcome, "name", "estates") == [
        (5, _("An estate with this name is already registered here.")),
        (7, _("The same estate is also on row %(row)s.") % {"row": 6}),
    ]
    assert [r for r, _m in errors_at(outcome, "kind", "estates")] == [8]
    assert errors_at(outcome, "management_mode", "estates") == [(8, _("This cell is required."))]
    assert errors_at(outcome, "total_floor_area", "estates") == [(9, _("Cannot be negative."))]
    assert errors_at(outcome, "built_year", "estates") == [(9, _("Enter a whole number."))]


# --------------------------------------------------------------------------------------------
# Buildings and units


def test_units_create_buildings_on_the_fly(world):
    rows = [
        unit_row(building="1栋", number="104"),  # an existing building
        unit_row(building="2栋", entrance="1", number="201", floor=2),
        unit_row(building="2栋", entrance="2", number="201", floor=2),  # another entrance
        unit_row(building="3栋", number="301", unit_kind="商业", area_source="实测"),
        unit_row(building=None, number="P-001", unit_kind="车位", area=12, delivery="未售或未交付"),
    ]
    buildings = Building.objects.count()
    outcome = run(world.people.street_a_officer, "units", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"building": 2, "unit": 5}
    assert Building.objects.count() == buildings + 2
    assert Unit.objects.get(building=world.building_a, number="104").area == Decimal("88.50")
    assert Unit.objects.filter(building__number="2栋", estate=world.estate_a).count() == 2
    shop = Unit.objects.get(building__number="3栋")
    assert (shop.kind, shop.area_source, shop.delivery) == ("commercial", "surveyed", "delivered")
    parking = Unit.objects.get(number="P-001")
    assert parking.building is None
    assert (parking.kind, parking.delivery) == ("parking", "unsold")


def test_units_validation(world):
    rows = [
        unit_row(building="1栋", number="101"),  # 2: already registered
        unit_row(number="201"),  # 3
        unit_row(number="201"),  # 4: duplicate of row 3
        unit_row(number="202", area=0),  # 5: area must be > 0
        unit_row(number="203", area=-10),  # 6
        unit_row(number="204", area=88.555),  # 7: three decimals
        unit_row(number="205", area="大"),  # 8
        unit_row(number="206", floor=2.5),  # 9
        unit_row(number=None),  # 10: required
        unit_row(estate="没有这个小区"),  # 11: unknown estate
        unit_row(community=B1, estate="东风苑"),  # 12: another street's estate
        unit_row(community="510104001999", estate="红星花园"),  # 13: no such community
        unit_row(number="207", unit_kind="别墅"),  # 14
    ]
    before = (Building.objects.count(), Unit.objects.count())
    outcome = run(world.people.street_a_officer, "units", rows)
    assert not outcome.ok
    assert (Building.objects.count(), Unit.objects.count()) == before
    assert errors_at(outcome, "number", "units") == [
        (2, _("This unit is already registered.")),
        (4, _("The same unit is also on row %(row)s.") % {"row": 3}),
        (10, _("This cell is required.")),
    ]
    area = dict(errors_at(outcome, "area", "units"))
    assert area[5] == _("Must be greater than %(min)s.") % {"min": 0}
    assert area[6] == area[5]
    assert area[7] == _("Enter a number with at most %(places)s decimal places.") % {"places": 2}
    assert area[8] == _("Enter a number.")
    assert errors_at(outcome, "floor", "units") == [(9, _("Enter a whole number."))]
    assert [r for r, _m in errors_at(outcome, "estate", "units")] == [11]
    assert errors_at(outcome, "community", "units") == [
        (12, _(UNKNOWN_COMMUNITY)),
        (13, _(UNKNOWN_COMMUNITY)),
    ]
    assert [r for r, _m in errors_at(outcome, "unit_kind", "units")] == [14]


def test_unknown_estate_and_another_streets_estate_read_the_same(world):
    officer = world.people.street_a_officer
    foreign = run(officer, "units", [unit_row(community=B1, estate="东风苑")])
    missing = run(officer, "units", [unit_row(community="510104002999", estate="东风苑")])
    assert [(e.column, e.message) for e in foreign.errors] == [
        (e.column, e.message) for e in missing.errors
    ]
    # A district administrator may import into street B's estate.
    assert run(world.people.district_admin, "units", [unit_row(community=B1, estate="东风苑")]).ok
    # A neighbouring district's administrator may not import into this district.
    outcome = run(world.people.neighbour_admin, "units", [unit_row()])
    assert [e.message for e in outcome.errors] == [_(UNKNOWN_COMMUNITY)]


# --------------------------------------------------------------------------------------------
# Owners and ownerships


def test_owners_import_links_units_and_encrypts(world):
    make_units(world)
    existing = with_valid_id(world.owners["a"][0])  # owns 1栋 101; now also 2栋 203
    rows = [
        owner_row(1, number="201", representative="是", since="2020-05-01", share="0.5"),
        owner_row(2, number="201", representative="否", share=0.5, phone="028-85551234"),
        owner_row(3, number="202"),  # a unit's only owner represents it when left empty
        owner_row(
            4,
            number="203",
            name=existing.name,
            id_number=existing.id_number,
            representative="是",
            share="0.3",
        ),
        owner_row(
            5,
            number="203",
            name="某某开发公司",
            owner_kind="单位",
            id_number="91510104MA61XKQD4Y",
            developer="是",
            share="0.7",
        ),
    ]
    owners = Owner.objects.count()
    outcome = run(world.people.street_a_officer, "owners", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"owner": 4, "ownership": 5}
    assert Owner.objects.count() == owners + 4

    unit = Unit.objects.get(building__number="2栋", number="201")
    first, second = Ownership.objects.filter(unit=unit).select_related("owner").order_by("id")
    assert first.is_representative
    assert not second.is_representative
    assert (first.share, second.share) == (Decimal("0.5000"), Decimal("0.5000"))
    assert first.since == date(2020, 5, 1)
    assert second.owner.phone == "028-85551234"
    assert first.owner.id_number == rows[0]["id_number"]
    assert Owner.objects.filter(id_number=rows[0]["id_number"]).count() == 0  # encrypted
    assert first.owner.id_number_digest == digest(rows[0]["id_number"])
    only = Ownership.objects.get(unit__number="202", unit__building__number="2栋")
    assert only.is_representative
    linked = Ownership.objects.get(unit__number="203", owner=existing)
    assert linked.is_representative
    assert linked.share == Decimal("0.3000")
    developer = Owner.objects.get(name="某某开发公司")
    assert developer.kind == "organisation"
    assert developer.is_developer


def test_same_id_number_in_the_file_is_one_owner(world):
    make_units(world)
    person = owner_row(7)
    rows = [person | {"number": n} for n in ("201", "202", "203")]
    outcome = run(world.people.street_a_officer, "owners", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"owner": 1, "ownership": 3}

    renamed = [owner_row(8, number="201"), owner_row(8, number="202", name="另一个名字")]
    Ownership.objects.filter(unit__building__number="2栋").delete()
    outcome = run(world.people.street_a_officer, "owners", renamed)
    assert errors_at(outcome, "name", "owners") == [
        (3, _("Row %(row)s has the same ID number under another name.") % {"row": 2})
    ]


def test_owners_validation(world):
    make_units(world, numbers=("201", "202", "203", "204", "205", "206"))
    officer = world.people.street_a_officer
    taken = with_valid_id(world.owners["a"][0])
    rows = [
        owner_row(1, number="999"),  # 2: no such unit
        owner_row(2, building="9栋"),  # 3: no such building
        owner_row(3, id_number="510104198506010000"),  # 4: bad check digit
        owner_row(4, number="202", id_number=510104198506010004),  # 5: typed as a number
        owner_row(5, number="203", phone="1380000"),  # 6: bad mobile
        owner_row(6, number="204", share="0.6", representative="是"),  # 7 \
        owner_row(7, number="204", share="0.6", representative="否"),  # 8  > shares 1.2
        owner_row(8, number="205", representative="是"),  # 9  \
        owner_row(9, number="205", representative="是", share="0"),  # 10 two reps; share 0
        owner_row(10, number="206", representative="否", share="0.5"),  # 11 \
        owner_row(11, number="206", share="0.5"),  # 12 no representative at all
        owner_row(
            12, building="1栋", number="101", name=taken.name, id_number=taken.id_number
        ),  # 13: already holds 1栋 101 (and the unit's shares and representative are taken)
        owner_row(13, estate="东风苑", community=B1),  # 14: another street
        owner_row(14, number=None, name=None),  # 15: required cells
    ]
    before = (Owner.objects.count(), Ownership.objects.count())
    outcome = run(officer, "owners", rows)
    assert not outcome.ok
    assert (Owner.objects.count(), Ownership.objects.count()) == before

    h = {c.key: c.header() for c in get_ledger("owners").columns}
    found = {(e.row, e.column) for e in outcome.errors}
    assert (2, h["number"]) in found
    assert (3, h["building"]) in found
    assert errors_at(outcome, "id_number", "owners")[:2] == [
        (
            4,
            _(
                "The ID number is invalid: 18 characters, the last may be X, with a correct "
                "check digit (GB 11643)."
            ),
        ),
        (5, _("Enter the ID number as text (format the cell as Text).")),
    ]
    assert (6, h["phone"]) in found
    shares = dict(errors_at(outcome, "share", "owners"))
    assert shares[7] == _("The shares of this unit add up to %(total)s, more than 1.") % {
        "total": "1.2"
    }
    assert shares[8] == shares[7]
    assert shares[10] == _("Must be greater than %(min)s.") % {"min": 0}
    reps = dict(errors_at(outcome, "representative", "owners"))
    two = _("This unit would have %(count)s voting representatives; mark exactly one.")
    assert reps[9] == two % {"count": 2}
    assert reps[10] == reps[9]  # its share cell failed; the representative rule still ran
    none = _(
        "This unit would have owners but no voting representative; mark one owner with “%(yes)s”."
    ) % {"yes": _("Yes")}
    assert reps[11] == reps[12] == none
    assert dict(errors_at(outcome, "id_number", "owners"))[13] == _(
        "This owner already holds this unit."
    )
    assert shares[13] == _("The shares of this unit add up to %(total)s, more than 1.") % {
        "total": "2"
    }
    assert 13 not in reps  # left empty: the unit keeps its registered representative
    assert dict(errors_at(outcome, "community", "owners"))[14] == _(UNKNOWN_COMMUNITY)
    assert (15, h["number"]) in found
    assert (15, h["name"]) in found
    assert all(
        e.value == "" or "*" in e.value for e in outcome.errors if e.column == h["id_number"]
    )


def test_duplicate_owner_for_a_unit_in_the_file(world):
    make_units(world)
    rows = [owner_row(1, share="0.5", representative="是"), owner_row(1, share="0.5")]
    outcome = run(world.people.street_a_officer, "owners", rows)
    assert errors_at(outcome, "id_number", "owners") == [
        (3, _("The same owner is listed for this unit on row %(row)s.") % {"row": 2})
    ]


def test_organisation_owner_needs_a_credit_code(world):
    make_units(world)
    rows = [owner_row(1, owner_kind="单位", id_number=id_number("51010419850601234"))]
    outcome = run(world.people.street_a_officer, "owners", rows)
    assert errors_at(outcome, "id_number", "owners") == [
        (2, _("The unified social credit code is invalid (GB 32100 checksum)."))
    ]


def test_owners_of_another_streets_unit_are_refused(world):
    outcome = run(
        world.people.street_a_officer,
        "owners",
        [owner_row(1, community=B1, estate="东风苑", building="1栋", number="101")],
    )
    assert [e.message for e in outcome.errors] == [_(UNKNOWN_COMMUNITY)]


# --------------------------------------------------------------------------------------------
# Round trips: export -> edit -> import


def _workbook(content: bytes):
    wb = load_workbook(BytesIO(content))
    return wb, wb.worksheets[0]


def _save(wb) -> BytesIO:
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_units_round_trip(world):
    admin = world.people.district_admin
    make_units(world, numbers=("901", "902"), building="9栋")
    Unit.objects.filter(number="902").update(floor=9, kind="storage", area=Decimal("7.25"))
    snapshot = sorted(
        Unit.objects.filter(building__number="9栋").values_list(
            "number", "floor", "kind", "area", "area_source", "delivery", "entrance"
        )
    )
    wb, ws = _workbook(ledger_export(actor=admin, kind="units"))
    assert [c.value for c in ws[1]] == headers("units")
    building = headers("units").index(get_ledger("units").column("building").header())
    keep = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[building] == "9栋"]
    assert len(keep) == 2
    ws.delete_rows(2, ws.max_row)
    for row in keep:
        ws.append(row)
    Unit.objects.filter(building__number="9栋").delete()
    Building.objects.filter(number="9栋").delete()

    outcome = import_workbook(actor=admin, kind="units", file=_save(wb))
    assert outcome.ok, outcome.errors
    assert outcome.created == {"building": 1, "unit": 2}
    again = sorted(
        Unit.objects.filter(building__number="9栋").values_list(
            "number", "floor", "kind", "area", "area_source", "delivery", "entrance"
        )
    )
    assert again == snapshot


def test_owners_round_trip(world):
    admin = world.people.district_admin
    make_units(world, numbers=("901", "902"), building="9栋")
    people = [
        owner_row(1, building="9栋", number="901", share="0.5", representative="是"),
        owner_row(2, building="9栋", number="901", share="0.5", since=date(2019, 1, 2)),
        owner_row(3, building="9栋", number="902", developer="是"),
    ]
    assert run(admin, "owners", people).ok
    fields = ("unit__number", "owner__name", "share", "is_representative", "since")
    snapshot = sorted(Ownership.objects.filter(unit__building__number="9栋").values_list(*fields))

    wb, ws = _workbook(ledger_export(actor=admin, kind="owners"))
    h = headers("owners")
    ledger = get_ledger("owners")
    col = {c.key: h.index(c.header()) for c in ledger.columns}
    keep = [
        list(r) for r in ws.iter_rows(min_row=2, values_only=True) if r[col["building"]] == "9栋"
    ]
    assert len(keep) == 3
    by_name = {p["name"]: p for p in people}
    for row in keep:  # the export masks personal information: type it in again
        assert "*" in row[col["id_number"]]
        assert "*" in row[col["phone"]]
        row[col["id_number"]] = by_name[row[col["name"]]]["id_number"]
        row[col["phone"]] = by_name[row[col["name"]]]["phone"]
    ws.delete_rows(2, ws.max_row)
    for row in keep:
        ws.append(row)
    Ownership.objects.filter(unit__building__number="9栋").delete()
    Owner.objects.filter(name__in=by_name).delete()

    outcome = import_workbook(actor=admin, kind="owners", file=_save(wb))
    assert outcome.ok, outcome.errors
    assert outcome.created == {"owner": 3, "ownership": 3}
    again = sorted(Ownership.objects.filter(unit__building__number="9栋").values_list(*fields))
    assert again == snapshot
    assert Owner.objects.get(name="新业主3").is_developer
