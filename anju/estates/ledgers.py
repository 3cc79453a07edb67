"""Registry ledgers (台账): estates, buildings + units, owners + ownerships.

Rows name their estate by community code and estate name; an estate the actor may not
change answers exactly like a missing one.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region
from anju.companies.rules import uscc_is_valid
from anju.core.imports import (
    Column,
    ImportContext,
    Ledger,
    Row,
    batched,
    bulk_insert,
    bulk_insert_returning,
    chunked_lookup,
    exportable,
    register,
)
from anju.core.ledger_cells import (
    Choice,
    Code,
    Day,
    IdNumber,
    Integer,
    Number,
    Phone,
    Text,
    YesNo,
    id_number_is_valid,
)
from anju.core.pii import digest
from anju.estates.models import Building, Estate, Owner, Ownership, Unit
from anju.estates.permissions import estate_policy, ownership_policy, unit_policy
from anju.regions.models import Region

EXAMPLE_COMMUNITY = "510104001001"
EXAMPLE_ESTATE = "红星花园"


def _community_column() -> Column:
    return Column(
        "community",
        gettext_lazy("community code"),
        Code(),
        required=True,
        example=EXAMPLE_COMMUNITY,
        help=gettext_lazy(
            "The 12-digit division code of the estate's community (see the Regions page)."
        ),
    )


def _estate_column() -> Column:
    return Column(
        "estate",
        gettext_lazy("estate name"),
        Text(100),
        required=True,
        example=EXAMPLE_ESTATE,
        help=gettext_lazy("Exactly as registered in that community."),
    )


def _unit_columns(*, building_help) -> list[Column]:
    return [
        _community_column(),
        _estate_column(),
        Column(
            "building",
            gettext_lazy("building number"),
            Text(32),
            example="1栋",
            help=building_help,
        ),
        Column(
            "entrance",
            gettext_lazy("entrance"),
            Text(16),
            example="1",
            help=gettext_lazy("Leave empty when the building has a single entrance."),
        ),
        Column("number", gettext_lazy("room number"), Text(32), required=True, example="101"),
    ]


def locate_estates(ctx: ImportContext, rows: list[Row], action: str) -> dict[int, str]:
    """Resolve each row's (community code, estate name) to an estate the actor may change.

    Sets row["_estate"]; returns {estate id: region code} of the estates found. A community
    or estate outside the actor's scope gets the same message as a missing one.
    """
    index: dict[tuple[str, str], int] = {}
    region_of: dict[int, str] = {}
    for pk, code, name in estate_policy.visible(ctx.actor, action).values_list(
        "pk", "region_code", "name"
    ):
        index[(code, name)] = pk
        region_of[pk] = code
    known = {code for code, _name in index}
    wanted = {r["community"] for r in rows if r["community"]} - known
    if wanted:
        communities = Region.objects.filter(level=Region.Level.COMMUNITY, code__in=wanted)
        known |= {
            code
            for code in communities.values_list("code", flat=True)
            if covers_region(ctx.scope, action, code)
        }
    found: dict[int, str] = {}
    for row in rows:
        code, name = row["community"], row["estate"]
        if code is None or name is None:
            continue
        if code not in known:
            ctx.error(row, "community", _("The community code is unknown or outside your area."))
            continue
        pk = index.get((code, name))
        if pk is None:
            ctx.error(
                row,
                "estate",
                _("The estate “%(name)s” is unknown in this community or outside your area.")
                % {"name": name},
            )
            continue
        row["_estate"] = pk
        found[pk] = region_of[pk]
    if found and not ctx.region_code:
        ctx.region_code = next(iter(found.values()))
    return found


def _unit_key(estate_id: int, building: str | None, entrance: str | None, number: str):
    return (estate_id, building or "", entrance or "", number)


def _existing_units(estate_ids) -> dict[tuple, int]:
    rows = Unit.objects.filter(estate_id__in=estate_ids).values_list(
        "pk", "estate_id", "building__number", "entrance", "number"
    )
    return {_unit_key(e, b, en, n): pk for pk, e, b, en, n in rows}


def _existing_buildings(estate_ids) -> dict[tuple[int, str], int]:
    rows = Building.objects.filter(estate_id__in=estate_ids).values_list(
        "estate_id", "number", "pk"
    )
    return {(e, n): pk for e, n, pk in rows}


# --------------------------------------------------------------------------------------------


@register
class EstateLedger(Ledger):
    kind = "estates"
    title = gettext_lazy("Estates")
    description = gettext_lazy("One row per estate (物业管理区域), registered in a community.")
    action = Action.REGISTRY_CHANGE
    view_action = Action.REGISTRY_VIEW
    counts = {"estate": Estate}
    columns = (
        Column(
            "community",
            gettext_lazy("community code"),
            Code(),
            required=True,
            example=EXAMPLE_COMMUNITY,
            help=gettext_lazy(
                "The 12-digit division code of a community in your area (see the Regions page)."
            ),
        ),
        Column(
            "name",
            gettext_lazy("estate name"),
            Text(100),
            required=True,
            example="锦绣花园",
            help=gettext_lazy("Unique within the community."),
        ),
        Column("address", gettext_lazy("address"), Text(200), example="春熙路1号"),
        Column(
            "kind",
            gettext_lazy("estate type"),
            Choice(Estate.Kind),
            required=True,
            example=Estate.Kind.COMMERCIAL,
        ),
        Column(
            "management_mode",
            gettext_lazy("management mode"),
            Choice(Estate.ManagementMode),
            required=True,
            example=Estate.ManagementMode.PROFESSIONAL,
        ),
        Column("built_year", gettext_lazy("year built"), Integer(1800, 2100), example=2010),
        Column("total_households", gettext_lazy("households"), Integer(0, 1_000_000), example=500),
        Column(
            "total_floor_area",
            gettext_lazy("total floor area (m²)"),
            Number(2, minimum=0, maximum=Decimal("999999999999.99")),
            example=Decimal("52000.50"),
        ),
        Column("red_property", gettext_lazy("red property"), YesNo(), example=False),
        Column(
            "longitude",
            gettext_lazy("longitude"),
            Number(6, minimum=-180, maximum=180),
            example=Decimal("104.080989"),
        ),
        Column(
            "latitude",
            gettext_lazy("latitude"),
            Number(6, minimum=-90, maximum=90),
            example=Decimal("30.657689"),
        ),
    )

    def check(self, ctx, rows):
        codes = {r["community"] for r in rows if r["community"]}
        regions = {
            code: pk
            for code, pk in Region.objects.filter(
                level=Region.Level.COMMUNITY, code__in=codes
            ).values_list("code", "pk")
            if covers_region(ctx.scope, self.action, code)
        }
        existing = set(
            Estate.objects.filter(region_id__in=regions.values()).values_list("region_code", "name")
        )
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            code, name = row["community"], row["name"]
            if code is None:
                continue
            if code not in regions:
                ctx.error(
                    row, "community", _("The community code is unknown or outside your area.")
                )
                continue
            row["_region"] = regions[code]
            if name is None:
                continue
            if (code, name) in existing:
                ctx.error(row, "name", _("An estate with this name is already registered here."))
            elif (code, name) in seen:
                ctx.error(
                    row,
                    "name",
                    _("The same estate is also on row %(row)s.") % {"row": seen[(code, name)]},
                )
            else:
                seen[(code, name)] = row.number
        if regions:
            ctx.region_code = next(iter(regions))

    def write(self, ctx, rows):
        estates = (
            Estate(
                region_id=r["_region"],
                region_code=r["community"],
                name=r["name"],
                address=r["address"] or "",
                kind=r["kind"],
                management_mode=r["management_mode"],
                built_year=r["built_year"],
                total_households=r["total_households"] or 0,
                total_floor_area=r["total_floor_area"] or Decimal("0.00"),
                red_property=bool(r["red_property"]),
                longitude=r["longitude"],
                latitude=r["latitude"],
            )
            for r in rows
        )
        return {"estate": bulk_insert(Estate, estates)}

    def export_rows(self, actor):
        return (
            exportable(estate_policy, actor)
            .order_by("region_code", "name")
            .values_list(
                "region_code",
                "name",
                "address",
                "kind",
                "management_mode",
                "built_year",
                "total_households",
                "total_floor_area",
                "red_property",
                "longitude",
                "latitude",
            )
            .iterator(chunk_size=2000)
        )


# --------------------------------------------------------------------------------------------


@register
class UnitLedger(Ledger):
    kind = "units"
    title = gettext_lazy("Buildings and units")
    description = gettext_lazy(
        "One row per unit (专有部分). A building is registered on the fly when a row names a "
        "building number that the estate does not have yet."
    )
    action = Action.REGISTRY_CHANGE
    view_action = Action.REGISTRY_VIEW
    counts = {"building": Building, "unit": Unit}
    columns = (
        *_unit_columns(
            building_help=gettext_lazy(
                "A new building number registers the building. Leave empty for units outside "
                "any building (e.g. surface parking)."
            )
        ),
        Column("floor", gettext_lazy("floor"), Integer(-10, 200), example=1),
        Column(
            "unit_kind",
            gettext_lazy("unit kind"),
            Choice(Unit.Kind),
            required=True,
            example=Unit.Kind.RESIDENTIAL,
        ),
        Column(
            "area",
            gettext_lazy("floor area (m²)"),
            Number(2, minimum=0, positive=True, maximum=Decimal("9999999999.99")),
            required=True,
            example=Decimal("89.50"),
        ),
        Column(
            "area_source",
            gettext_lazy("area source"),
            Choice(Unit.AreaSource),
            example=Unit.AreaSource.REGISTERED,
            help=gettext_lazy("Registered > surveyed > contract. Empty means registered."),
        ),
        Column(
            "delivery",
            gettext_lazy("delivery status"),
            Choice(Unit.Delivery),
            example=Unit.Delivery.DELIVERED,
            help=gettext_lazy("Empty means delivered."),
        ),
    )

    def check(self, ctx, rows):
        estates = locate_estates(ctx, rows, self.action)
        existing = _existing_units(estates)
        seen: dict[tuple, int] = {}
        for row in rows:
            estate_id = row["_estate"]
            if estate_id is None or not row.fine("building", "entrance", "number"):
                continue
            if row["number"] is None:
                continue
            key = _unit_key(estate_id, row["building"], row["entrance"], row["number"])
            if key in existing:
                ctx.error(row, "number", _("This unit is already registered."))
            elif key in seen:
                ctx.error(
                    row, "number", _("The same unit is also on row %(row)s.") % {"row": seen[key]}
                )
            else:
                seen[key] = row.number

    def write(self, ctx, rows):
        estate_ids = {r["_estate"] for r in rows}
        buildings = _existing_buildings(estate_ids)
        wanted = sorted({(r["_estate"], r["building"]) for r in rows if r["building"]})
        new = [Building(estate_id=e, number=n) for e, n in wanted if (e, n) not in buildings]
        bulk_insert_returning(Building, new)
        buildings.update({(b.estate_id, b.number): b.pk for b in new})
        units = (
            Unit(
                estate_id=r["_estate"],
                building_id=buildings[(r["_estate"], r["building"])] if r["building"] else None,
                entrance=r["entrance"] or "",
                floor=r["floor"],
                number=r["number"],
                kind=r["unit_kind"],
                area=r["area"],
                area_source=r["area_source"] or Unit.AreaSource.REGISTERED,
                delivery=r["delivery"] or Unit.Delivery.DELIVERED,
            )
            for r in rows
        )
        return {"building": len(new), "unit": bulk_insert(Unit, units)}

    def export_rows(self, actor):
        return (
            exportable(unit_policy, actor)
            .order_by("estate__region_code", "estate__name", "building__number", "entrance", "pk")
            .values_list(
                "estate__region_code",
                "estate__name",
                "building__number",
                "entrance",
                "number",
                "floor",
                "kind",
                "area",
                "area_source",
                "delivery",
            )
            .iterator(chunk_size=2000)
        )


# --------------------------------------------------------------------------------------------


@register
class OwnerLedger(Ledger):
    kind = "owners"
    title = gettext_lazy("Owners and ownerships")
    description = gettext_lazy(
        "One row per owner's share of one unit. Rows with the same ID number are the same "
        "owner; an owner already registered with that ID number is linked, not duplicated. "
        "Each unit needs exactly one voting representative and shares of at most 1 in total."
    )
    action = Action.OWNERS_CHANGE
    view_action = Action.OWNERS_VIEW
    counts = {"owner": Owner, "ownership": Ownership}
    columns = (
        *_unit_columns(
            building_help=gettext_lazy("The unit's building, as registered. Empty if none.")
        ),
        Column("name", gettext_lazy("owner name"), Text(100), required=True, example="张三"),
        Column(
            "owner_kind",
            gettext_lazy("owner type"),
            Choice(Owner.Kind),
            example=Owner.Kind.PERSON,
            help=gettext_lazy("Empty means a natural person."),
        ),
        Column(
            "id_number",
            gettext_lazy("ID number"),
            IdNumber(),
            example="11010519491231002X",
            pii=True,
            help=gettext_lazy("Format the column as Text so Excel keeps every digit."),
        ),
        Column("phone", gettext_lazy("phone"), Phone(), example="13800001111", pii=True),
        Column(
            "share",
            gettext_lazy("share"),
            Number(4, minimum=0, positive=True, maximum=1),
            example=Decimal("1"),
            help=gettext_lazy(
                "Fraction of the unit, e.g. 0.5. Empty means 1. The shares of a unit add up "
                "to at most 1."
            ),
        ),
        Column(
            "representative",
            gettext_lazy("voting representative"),
            YesNo(),
            example=True,
            help=gettext_lazy(
                "Exactly one owner per unit. A unit's only owner is its representative when "
                "this is empty."
            ),
        ),
        Column("since", gettext_lazy("owner since"), Day(), example=date(2015, 6, 30)),
        Column("developer", gettext_lazy("developer"), YesNo(), example=False),
    )

    def check_row(self, ctx, row):
        id_number = row["id_number"]
        if id_number is None or not row.fine("owner_kind"):
            return
        organisation = row["owner_kind"] == Owner.Kind.ORGANISATION
        if (uscc_is_valid if organisation else id_number_is_valid)(id_number):
            row["_digest"] = digest(id_number)
        elif organisation:
            message = _("The unified social credit code is invalid (GB 32100 checksum).")
            ctx.error(row, "id_number", message)
        else:
            message = _(
                "The ID number is invalid: 18 characters, the last may be X, with a correct "
                "check digit (GB 11643)."
            )
            ctx.error(row, "id_number", message)

    def check(self, ctx, rows):
        estates = locate_estates(ctx, rows, self.action)
        self._locate_units(ctx, rows, estates)
        self._check_identities(ctx, rows)
        self._check_units(ctx, rows, estates)

    def _locate_units(self, ctx, rows, estates) -> None:
        buildings = _existing_buildings(estates)
        units = _existing_units(estates)
        for row in rows:
            estate_id = row["_estate"]
            if estate_id is None or not row.fine("building", "entrance", "number"):
                continue
            if row["number"] is None:
                continue
            if row["building"] and (estate_id, row["building"]) not in buildings:
                ctx.error(
                    row,
                    "building",
                    _("Building “%(number)s” is not registered in this estate.")
                    % {"number": row["building"]},
                )
                continue
            unit = units.get(_unit_key(estate_id, row["building"], row["entrance"], row["number"]))
            if unit is None:
                ctx.error(row, "number", _("This unit is not registered in this estate."))
                continue
            row["_unit"] = unit

    def _check_identities(self, ctx, rows) -> None:
        """Same ID number, same name (within the file); find owners already registered."""
        first: dict[str, Row] = {}
        for row in rows:
            key = row["_digest"]
            if key is None or row["name"] is None:
                continue
            other = first.setdefault(key, row)
            if other is not row and other["name"] != row["name"]:
                ctx.error(
                    row,
                    "name",
                    _("Row %(row)s has the same ID number under another name.")
                    % {"row": other.number},
                )
        ctx.state["owners"] = dict(
            chunked_lookup(
                first,
                lambda chunk: Owner.objects.filter(id_number_digest__in=chunk).values_list(
                    "id_number_digest", "pk"
                ),
            )
        )

    def _check_units(self, ctx, rows, estates) -> None:
        """Duplicate holdings, shares adding up to more than 1, and one representative."""
        registered: dict[str, int] = ctx.state["owners"]
        by_unit: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            if row["_unit"] is not None:
                by_unit[row["_unit"]].append(row)
        shares: dict[int, Decimal] = defaultdict(Decimal)
        representatives: dict[int, int] = defaultdict(int)
        holders: dict[int, set[int]] = defaultdict(set)
        existing = Ownership.objects.filter(unit__estate_id__in=estates).values_list(
            "unit_id", "owner_id", "share", "is_representative"
        )
        for unit, owner, share, is_representative in existing.iterator(chunk_size=5000):
            if unit in by_unit:
                shares[unit] += share
                representatives[unit] += bool(is_representative)
                holders[unit].add(owner)

        for unit, unit_rows in by_unit.items():
            seen: dict[str, int] = {}
            for row in unit_rows:
                key = row["_digest"]
                if key is None:
                    continue
                if registered.get(key) in holders[unit]:
                    ctx.error(row, "id_number", _("This owner already holds this unit."))
                elif key in seen:
                    ctx.error(
                        row,
                        "id_number",
                        _("The same owner is listed for this unit on row %(row)s.")
                        % {"row": seen[key]},
                    )
                else:
                    seen[key] = row.number

            if all(r.fine("share") for r in unit_rows):
                total = shares[unit] + sum(
                    (r["share"] or Decimal(1) for r in unit_rows), Decimal(0)
                )
                if total > 1:
                    message = _("The shares of this unit add up to %(total)s, more than 1.") % {
                        "total": _plain_decimal(total)
                    }
                    for row in unit_rows:
                        ctx.error(row, "share", message, row["share"] or Decimal(1))

            if not all(r.fine("representative") for r in unit_rows):
                continue
            marked = [r for r in unit_rows if r["representative"]]
            count = representatives[unit] + len(marked)
            if count > 1:
                message = _(
                    "This unit would have %(count)s voting representatives; mark exactly one."
                ) % {"count": count}
                for row in marked:
                    ctx.error(row, "representative", message)
            elif count == 0:
                blank = [r for r in unit_rows if r["representative"] is None]
                if not holders[unit] and len(unit_rows) == 1 and blank:
                    blank[0]["representative"] = True  # a unit's only owner represents it
                else:
                    message = _(
                        "This unit would have owners but no voting representative; mark one "
                        "owner with “%(yes)s”."
                    ) % {"yes": _("Yes")}
                    for row in unit_rows:
                        ctx.error(row, "representative", message)

    def write(self, ctx, rows):
        owner_ids: dict[str, int] = dict(ctx.state["owners"])
        created_owners = created_ownerships = 0
        for batch in batched(rows):
            new: list[Owner] = []
            pending: dict[str, Owner] = {}
            holders: list[int | Owner] = []
            for r in batch:
                key = r["_digest"]
                if key is not None and key in owner_ids:
                    holders.append(owner_ids[key])
                    continue
                if key is not None and key in pending:
                    holders.append(pending[key])
                    continue
                owner = Owner(
                    kind=r["owner_kind"] or Owner.Kind.PERSON,
                    name=r["name"],
                    id_number=r["id_number"] or "",
                    id_number_digest=key or "",
                    phone=r["phone"] or "",
                    is_developer=bool(r["developer"]),
                )
                new.append(owner)
                if key is not None:
                    pending[key] = owner
                holders.append(owner)
            bulk_insert_returning(Owner, new)
            created_owners += len(new)
            owner_ids.update({key: owner.pk for key, owner in pending.items()})
            ownerships = [
                Ownership(
                    unit_id=r["_unit"],
                    owner_id=holder if isinstance(holder, int) else holder.pk,
                    share=r["share"] or Decimal(1),
                    is_representative=bool(r["representative"]),
                    since=r["since"],
                )
                for r, holder in zip(batch, holders, strict=True)
            ]
            created_ownerships += bulk_insert(Ownership, ownerships)
        return {"owner": created_owners, "ownership": created_ownerships}

    def export_rows(self, actor):
        return (
            exportable(ownership_policy, actor)
            .order_by(
                "unit__estate__region_code",
                "unit__estate__name",
                "unit__building__number",
                "unit__entrance",
                "unit__number",
                "-is_representative",
                "pk",
            )
            .values_list(
                "unit__estate__region_code",
                "unit__estate__name",
                "unit__building__number",
                "unit__entrance",
                "unit__number",
                "owner__name",
                "owner__kind",
                "owner__id_number",
                "owner__phone",
                "share",
                "is_representative",
                "since",
                "owner__is_developer",
            )
            .iterator(chunk_size=2000)
        )


def _plain_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")
