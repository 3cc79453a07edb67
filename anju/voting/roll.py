"""The voter roll (投票权数底册) of a motion, built from the registry (voting.md R8–R14).

- Each exclusive part counts once, through its voting representative (R11: co-owners name
  one person); an owner of several units is one person with the areas summed (R9b, R10).
- All unsold or undelivered units, and every unit still held by the developer, together
  count as one person (R9a).
- Parking spaces and storage rooms count only when the meeting's rules say so (R13).
- A delivered unit with no registered owner still counts, as its own voter (R14: a buyer in
  lawful possession is an owner even before registration); the roll notes it.
- Areas are taken with their source (R8) and kept as integers in 0.01 m².
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.utils.translation import gettext as _

from anju.core.imports import bulk_insert
from anju.estates.models import Ownership, Unit
from anju.voting.models import Meeting, Motion, RollChange, RollEntry, RollUnit

DEVELOPER_KEY = "developer"
MAX_LABELS = 8


def area_cents(area: Decimal) -> int:
    return int((Decimal(area) * 100).to_integral_value())


def unit_label(building: str | None, entrance: str, number: str) -> str:
    return "-".join(p for p in (building or "", entrance, number) if p)


def counted_kinds(meeting: Meeting) -> list[str]:
    kinds = [Unit.Kind.RESIDENTIAL, Unit.Kind.COMMERCIAL]
    if meeting.count_parking:
        kinds.append(Unit.Kind.PARKING)
    if meeting.count_storage:
        kinds.append(Unit.Kind.STORAGE)
    return kinds


def electorate_units(motion: Motion):
    meeting = motion.meeting
    units = Unit.objects.filter(estate_id=meeting.estate_id, kind__in=counted_kinds(meeting))
    if motion.electorate == Motion.Electorate.BUILDINGS:
        units = units.filter(building__in=motion.buildings.all())
    elif motion.electorate == Motion.Electorate.UNITS:
        units = units.filter(pk__in=motion.units.all())
    return units


@dataclass
class _Voter:
    key: str
    name: str
    owner_id: int | None
    is_developer: bool = False
    note: str = ""
    units: list[tuple[int, str, int, str]] = field(default_factory=list)


def compute(motion: Motion) -> list[_Voter]:
    """Return the voters of a motion from the current registry, in a stable order."""
    units = list(
        electorate_units(motion)
        .order_by("building__number", "entrance", "number", "id")
        .values_list(
            "id", "building__number", "entrance", "number", "area", "area_source", "delivery"
        )
    )
    unit_ids = [u[0] for u in units]
    reps: dict[int, tuple[int, str, bool]] = {}
    if unit_ids:
        rows = Ownership.objects.filter(
            unit__in=electorate_units(motion), is_representative=True
        ).values_list("unit_id", "owner_id", "owner__name", "owner__is_developer")
        reps = {unit_id: (owner_id, name, dev) for unit_id, owner_id, name, dev in rows}
    voters: dict[str, _Voter] = {}
    developer_ids: set[int] = set()
    for unit_id, building, entrance, number, area, source, delivery in units:
        row = (unit_id, unit_label(building, entrance, number), area_cents(area), source)
        rep = reps.get(unit_id)
        if delivery == Unit.Delivery.UNSOLD or (rep is not None and rep[2]):
            key = DEVELOPER_KEY
            if rep is not None and rep[2]:
                developer_ids.add(rep[0])
            if key not in voters:
                voters[key] = _Voter(
                    key,
                    _("Developer (unsold or undelivered units)"),
                    None,
                    is_developer=True,
                )
        elif rep is None:
            key = f"unit:{unit_id}"
            voters[key] = _Voter(
                key, _("Owner not registered"), None, note=_("No registered owner")
            )
        else:
            key = f"owner:{rep[0]}"
            if key not in voters:
                voters[key] = _Voter(key, rep[1], rep[0])
        voters[key].units.append(row)
    if DEVELOPER_KEY in voters and len(developer_ids) == 1:
        voters[DEVELOPER_KEY].owner_id = next(iter(developer_ids))
    return list(voters.values())


def _label(units: list) -> str:
    labels = [u[1] for u in units[:MAX_LABELS]]
    text = ", ".join(labels)
    if len(units) > MAX_LABELS:
        text += _(" … (%(n)d units)") % {"n": len(units)}
    return text[:500]


def _clear(motion: Motion) -> None:
    """Delete the motion's roll with two statements (no per-row cascade collection): a roll
    is only rebuilt before voting opens, so no ballot refers to it yet."""
    entries = RollEntry.objects.filter(motion=motion).values("id")
    RollChange.objects.filter(entry__in=entries).update(entry=None)
    sql, params = entries.query.sql_with_params()
    with connection.cursor() as cursor:
        # Table names come from the models' metadata; the values travel as parameters.
        cursor.execute(
            f"DELETE FROM {RollUnit._meta.db_table} WHERE entry_id IN ({sql})",  # noqa: S608
            params,
        )
        cursor.execute(
            f"DELETE FROM {RollEntry._meta.db_table} WHERE motion_id = %s",  # noqa: S608
            [motion.pk],
        )


def build(motion: Motion) -> int:
    """Replace the motion's roll with one computed from the registry; return its size."""
    _clear(motion)
    voters = compute(motion)
    # Plain rows rather than model instances: bulk_insert copies their attributes column by
    # column, and building ten thousand model instances would cost more than inserting them.
    entries = [
        SimpleNamespace(
            _state=SimpleNamespace(adding=True, db=None),
            id=None,
            motion_id=motion.pk,
            key=v.key,
            owner_id=v.owner_id,
            name=v.name[:100],
            units_label=_label(v.units),
            unit_count=len(v.units),
            area=sum(u[2] for u in v.units),
            persons=1,
            is_developer=v.is_developer,
            excluded=False,
            note=v.note,
        )
        for v in voters
    ]
    bulk_insert(RollEntry, entries, returning=True)
    bulk_insert(
        RollUnit,
        (
            SimpleNamespace(
                entry_id=e.id, unit_id=u[0], label=u[1][:100], area=u[2], area_source=u[3]
            )
            for e, v in zip(entries, voters, strict=True)
            for u in v.units
        ),
    )
    return len(entries)


def roll_hash(motion: Motion) -> str:
    """A digest of the roll as counted: every voter's key, persons, area, exclusion and units."""
    units = defaultdict(list)
    for entry_id, unit_id in RollUnit.objects.filter(entry__motion=motion).values_list(
        "entry_id", "unit_id"
    ):
        units[entry_id].append(unit_id)
    h = hashlib.sha256(f"anju-roll|motion:{motion.pk}".encode())
    # Sorted in Python (by code point), not by the database's collation, so any verifier
    # recomputes the same order from the keys alone.
    rows = sorted(
        motion.roll.values_list("id", "key", "persons", "area", "excluded"), key=lambda r: r[1]
    )
    for pk, key, persons, area, excluded in rows:
        ids = ",".join(str(i) for i in sorted(units[pk]))
        h.update(f"\n{key}|{persons}|{area}|{int(excluded)}|{ids}".encode())
    return h.hexdigest()


def mask_name(name: str) -> str:
    """张三丰 → 张**; organisations keep their first four characters."""
    if not name:
        return ""
    if len(name) > 6:
        return name[:4] + "*" * 3
    return name[0] + "*" * max(1, len(name) - 1)
