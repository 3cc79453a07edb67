"""The 12345 hotline ledger (台账): batches of hotline orders imported from Excel.

Each row is one order of the city's 12345 hotline, keyed by its 12345 order number. A number
already registered is not an error: the row is skipped and counted, so importing the same
file twice creates nothing new. Every other row is checked (category, estate or community in
the actor's area, building, phone, content); if any row is wrong nothing is written. Otherwise
each row is registered through anju.workorders.services.register (numbering, event, audit) and
then dispatched through the responsibility matrix where it names a unit; the orders it cannot
route stay registered for a dispatcher.
"""

import re
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.imports import (
    Column,
    ImportContext,
    Ledger,
    Row,
    chunked_lookup,
    exportable,
    register,
)
from anju.core.ledger_cells import (
    DATE_FORMATS,
    EXCEL_SERIAL_RANGE,
    Cell,
    CellError,
    Choice,
    Code,
    Phone,
    Text,
    YesNo,
    normalize,
)
from anju.estates.models import Building, Estate
from anju.estates.permissions import estate_policy
from anju.regions.models import Region
from anju.workorders import services
from anju.workorders.access import order_policy
from anju.workorders.machine import Act
from anju.workorders.models import Category, Channel, Event, Kind, WorkOrder

TITLE_LENGTH = 40  # a title made from the content when the row has none

# Headers of the 12345 system's own exports, accepted whatever the interface language.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "source_ref": ("12345工单号", "工单号", "工单编号", "12345编号"),
    "accepted_at": ("受理时间",),
    "kind": ("诉求类型",),
    "category": ("分类", "问题分类", "诉求分类"),
    "community": ("社区代码",),
    "estate": ("小区", "小区名称"),
    "building": ("楼栋", "楼栋号"),
    "address": ("地点", "地址", "事发地点"),
    "title": ("标题",),
    "content": ("诉求内容",),
    "complainant_name": ("诉求人",),
    "complainant_phone": ("联系电话",),
    "anonymous": ("匿名",),
    "concerns_company": ("涉及物业企业",),
}

# The 12345 system's words for the request types.
KIND_WORDS = {
    "投诉": Kind.COMPLAINT,
    "举报": Kind.REPORT,
    "求助": Kind.HELP,
    "咨询": Kind.CONSULT,
    "建议": Kind.SUGGEST,
}

MASKED_PHONE_RE = re.compile(r"^[0-9][0-9-]*\*+[0-9-]*$")

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
)


# --------------------------------------------------------------------------------------------
# Cell types


class SourceNumber(Cell):
    """A 12345 order number, kept as text: Excel keeps only 15 digits of a number cell."""

    text_format = True

    def __init__(self):
        super().__init__(64)

    def parse(self, raw: Any) -> str:
        if isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 10**15:
            raise CellError(_("Enter the 12345 order number as text (format the cell as Text)."))
        return re.sub(r"\s+", "", super().parse(raw))

    def describe(self) -> str:
        return _("The order number of the 12345 hotline, at most 64 characters")


class Moment(Cell):
    """A date and time: an Excel date cell, or text like 2024-01-31 09:30."""

    def parse(self, raw: Any) -> datetime:
        if isinstance(raw, datetime):
            value = raw
        elif isinstance(raw, date):
            value = datetime.combine(raw, time())
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            if not EXCEL_SERIAL_RANGE[0] <= raw <= EXCEL_SERIAL_RANGE[1]:
                raise CellError(_("Enter a date and time such as 2024-01-31 09:30."))
            from openpyxl.utils.datetime import from_excel

            value = from_excel(raw)
        else:
            value = _parse_text_moment(Cell.parse(self, raw))
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_current_timezone())
        return value

    def to_cell(self, value: Any) -> Any:
        if value is None:
            return None
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)

    def describe(self) -> str:
        return _("Date and time, e.g. 2024-01-31 09:30")


def _parse_text_moment(text: str) -> datetime:
    for pattern in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    raise CellError(_("Enter a date and time such as 2024-01-31 09:30."))


class ContactPhone(Phone):
    """A phone as the owner ledger checks it, or a masked one as an export shows it.

    A masked phone is accepted only on rows already imported (skipped): an exported file
    can then be imported again, with new rows added, without unmasking every phone.
    """

    def parse(self, raw: Any) -> str:
        value = re.sub(r"\s+", "", str(raw)) if isinstance(raw, str) else ""
        if MASKED_PHONE_RE.match(value):
            return value
        return super().parse(raw)


def is_masked(phone: str | None) -> bool:
    return bool(phone) and "*" in phone


class RequestKind(Choice):
    """诉求类型: a Kind by its label in any language, its code or the 12345 system's word."""

    def __init__(self):
        super().__init__(Kind)

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            lookup = super().lookup()
            for word, value in KIND_WORDS.items():
                lookup.setdefault(word, value)
                lookup.setdefault(normalize(word), value)
        return self._lookup


# --------------------------------------------------------------------------------------------
# Lookups


def _existing_numbers(numbers) -> set[str]:
    return set(
        chunked_lookup(
            numbers,
            lambda chunk: WorkOrder.objects.filter(
                channel=Channel.HOTLINE, source_ref__in=chunk
            ).values_list("source_ref", flat=True),
        )
    )


class CategoryIndex:
    """Every category by its code, its name and "group / name" (the table is small)."""

    def __init__(self):
        categories = list(Category.objects.select_related("parent"))
        self.parents = {c.parent_id for c in categories if c.parent_id}
        self.by_code = {c.code.casefold(): c for c in categories}
        self.by_name: dict[str, list[Category]] = {}
        for c in categories:
            self.by_name.setdefault(normalize(c.name), []).append(c)
            if c.parent_id:
                full = normalize(f"{c.parent.name}/{c.name}")
                self.by_name.setdefault(full, []).append(c)

    def find(self, value: str) -> list[Category]:
        found = self.by_code.get(value.strip().casefold())
        if found is not None:
            return [found]
        return self.by_name.get(normalize(value), [])


def _intake_estates(actor):
    """Estates the actor may both see and take orders for."""
    return estate_policy.visible(actor, Action.ORDERS_INTAKE, estate_policy.visible(actor))


# --------------------------------------------------------------------------------------------


@register
class HotlineLedger(Ledger):
    kind = "hotline"
    title = gettext_lazy("12345 hotline orders")
    description = gettext_lazy(
        "One row per order of the 12345 hotline, by its 12345 order number. Orders already "
        "imported are skipped, so the same file can be imported again. New orders are "
        "dispatched through the responsibility matrix; those it cannot route wait for a "
        "dispatcher."
    )
    action = Action.ORDERS_INTAKE
    view_action = Action.ORDERS_VIEW
    counts = {
        "order": WorkOrder,
        "dispatched": gettext_lazy("dispatched automatically"),
        "skipped": gettext_lazy("already imported (skipped)"),
    }
    columns = (
        Column(
            "source_ref",
            gettext_lazy("12345 order number"),
            SourceNumber(),
            required=True,
            example="2024010500123",
            help=gettext_lazy(
                "Once per file. A number already imported is skipped, not imported twice."
            ),
        ),
        Column(
            "accepted_at",
            gettext_lazy("accepted at"),
            Moment(),
            example=datetime(2024, 1, 5, 9, 30),  # noqa: DTZ001 - wall-clock, as typed
            help=gettext_lazy(
                "When the hotline took the call; recorded as the order's registration. Empty "
                "means the time of the import."
            ),
        ),
        Column(
            "kind",
            gettext_lazy("request type"),
            RequestKind(),
            example=Kind.COMPLAINT,
            help=gettext_lazy("Empty means the category's usual type."),
        ),
        Column(
            "category",
            gettext_lazy("category"),
            Text(100),
            required=True,
            example="service.cleaning",
            help=gettext_lazy(
                "The code or the name of a category of the last level (see the complaint "
                "categories)."
            ),
        ),
        Column(
            "community",
            gettext_lazy("community code"),
            Code(),
            example="510104001001",
            help=gettext_lazy(
                "The 12-digit division code of the estate's community. May be empty when the "
                "estate's name is unique in your area; alone, without an estate, the order "
                "concerns the community."
            ),
        ),
        Column(
            "estate",
            gettext_lazy("estate name"),
            Text(100),
            example="红星花园",
            help=gettext_lazy("Exactly as registered."),
        ),
        Column(
            "building",
            gettext_lazy("building number"),
            Text(32),
            example="1栋",
            help=gettext_lazy("A building registered in the estate, or empty."),
        ),
        Column("address", gettext_lazy("place"), Text(200), example="1栋1单元楼道"),
        Column(
            "title",
            gettext_lazy("subject"),
            Text(200),
            example="楼道垃圾多日未清运",
            help=gettext_lazy("Empty means the beginning of the content."),
        ),
        Column(
            "content",
            gettext_lazy("request content"),
            Text(5000),
            required=True,
            example="1栋1单元楼道垃圾堆放多日，物业未清运。",
        ),
        Column("complainant_name", gettext_lazy("complainant"), Text(50), example="李女士"),
        Column(
            "complainant_phone",
            gettext_lazy("contact phone"),
            ContactPhone(),
            example="13800001111",
            pii=True,
            help=gettext_lazy("A name or a phone is needed unless the order is anonymous."),
        ),
        Column("anonymous", gettext_lazy("anonymous"), YesNo(), example=False),
        Column(
            "concerns_company",
            gettext_lazy("concerns the property company"),
            YesNo(),
            example=True,
            help=gettext_lazy("The property company never sees who filed such an order."),
        ),
    )

    def header_aliases(self) -> dict[str, str]:
        aliases = super().header_aliases()
        for key, words in HEADER_ALIASES.items():
            for word in words:
                aliases.setdefault(normalize(word), key)
        return aliases

    def count_label(self, key: str) -> str:
        label = self.counts.get(key)
        if label is not None and not isinstance(label, type):
            return str(label)
        return super().count_label(key)

    # Checks -------------------------------------------------------------------------------

    def check_row(self, ctx, row):
        accepted = row["accepted_at"]
        if accepted is not None and accepted > timezone.now():
            ctx.error(row, "accepted_at", _("The time of acceptance cannot be in the future."))
        if row["estate"] is None and row["community"] is None and row.fine("estate", "community"):
            ctx.error(
                row,
                "estate",
                _("Give the estate, or the community code when the order concerns no estate."),
            )
        if row["building"] is not None and row["estate"] is None and row.fine("estate"):
            ctx.error(row, "building", _("A building can only be given with its estate."))
        if (
            not row["anonymous"]
            and row["complainant_name"] is None
            and row["complainant_phone"] is None
            and row.fine("anonymous", "complainant_name", "complainant_phone")
        ):
            ctx.error(
                row,
                "complainant_phone",
                _("Give a name or phone, or mark the order anonymous."),
            )

    def check(self, ctx, rows):
        self._check_numbers(ctx, rows)
        new = [r for r in rows if not r["_skip"]]
        ctx.state["skipped"] = len(rows) - len(new)
        # A row already imported is not checked against the database again: it will not be
        # written, and a category retired or an estate moved since must not block new rows.
        # It may also carry the masked phone of an export; a new row may not.
        for row in new:
            if is_masked(row["complainant_phone"]):
                ctx.error(
                    row,
                    "complainant_phone",
                    _("The phone is masked, as exported; enter the whole number."),
                )
        self._locate_categories(ctx, new)
        self._locate_places(ctx, new)

    def _check_numbers(self, ctx: ImportContext, rows: list[Row]) -> None:
        imported = _existing_numbers(r["source_ref"] for r in rows if r["source_ref"])
        seen: dict[str, int] = {}
        for row in rows:
            number = row["source_ref"]
            if number is None:
                continue
            if number in seen:
                ctx.error(
                    row,
                    "source_ref",
                    _("The same 12345 order number is also on row %(row)s.")
                    % {"row": seen[number]},
                )
                continue
            seen[number] = row.number
            if number in imported:
                row["_skip"] = True

    def _locate_categories(self, ctx: ImportContext, rows: list[Row]) -> None:
        if not any(r["category"] for r in rows):
            return
        index = CategoryIndex()
        for row in rows:
            value = row["category"]
            if value is None:
                continue
            found = index.find(value)
            if not found:
                ctx.error(
                    row,
                    "category",
                    _("No category has this code or name; see the complaint categories."),
                )
            elif len(found) > 1:
                ctx.error(row, "category", _("Several categories have this name; give the code."))
            elif found[0].pk in index.parents:
                ctx.error(
                    row,
                    "category",
                    _("“%(name)s” is a group; choose one of its categories.")
                    % {"name": found[0].name},
                )
            elif not found[0].active:
                ctx.error(row, "category", _("This category is no longer in use."))
            else:
                row["_category"] = found[0]

    def _locate_places(self, ctx: ImportContext, rows: list[Row]) -> None:
        """Resolve each row's estate (by community and name, or by a name unique in the
        actor's area), or its community when it names no estate, and its building.

        An estate or community outside the area answers exactly like a missing one.
        """
        by_key: dict[tuple[str, str], int] = {}
        by_name: dict[str, list[int]] = {}
        region_of: dict[int, str] = {}
        for pk, code, name in _intake_estates(ctx.actor).values_list("pk", "region_code", "name"):
            by_key[(code, name)] = pk
            by_name.setdefault(name, []).append(pk)
            region_of[pk] = code
        communities = {
            region.code: region
            for region in chunked_lookup(
                (r["community"] for r in rows if r["community"]),
                lambda chunk: Region.objects.filter(level=Region.Level.COMMUNITY, code__in=chunk),
            )
            if covers_region(ctx.scope, self.action, region.code)
        }
        known = set(communities) | set(region_of.values())
        outside = _("The community code is unknown or outside your area.")
        for row in rows:
            code, name = row["community"], row["estate"]
            if code is not None and code not in known:
                ctx.error(row, "community", outside)
            elif name is None:
                if code is None or not row.fine("estate"):
                    continue
                if code in communities:
                    row["_region"] = communities[code]  # the order concerns the community
                else:
                    ctx.error(row, "community", outside)
            elif code is not None:
                pk = by_key.get((code, name))
                if pk is None:
                    message = _(
                        "The estate “%(name)s” is unknown in this community or outside your area."
                    )
                    ctx.error(row, "estate", message % {"name": name})
                else:
                    row["_estate"] = pk
            else:
                candidates = by_name.get(name, [])
                if len(candidates) == 1:
                    row["_estate"] = candidates[0]
                elif candidates:
                    message = _(
                        "Several estates in your area are called “%(name)s”; give the "
                        "community code."
                    )
                    ctx.error(row, "estate", message % {"name": name})
                else:
                    message = _("The estate “%(name)s” is unknown or outside your area.")
                    ctx.error(row, "estate", message % {"name": name})
            if row["_estate"] is not None and not ctx.region_code:
                ctx.region_code = region_of[row["_estate"]]

        self._locate_buildings(ctx, rows)

    def _locate_buildings(self, ctx: ImportContext, rows: list[Row]) -> None:
        estates = {r["_estate"] for r in rows if r["_estate"] and r["building"]}
        if not estates:
            return
        buildings = {
            (estate_id, number): pk
            for estate_id, number, pk in Building.objects.filter(estate_id__in=estates).values_list(
                "estate_id", "number", "pk"
            )
        }
        for row in rows:
            if row["_estate"] is None or row["building"] is None:
                continue
            pk = buildings.get((row["_estate"], row["building"]))
            if pk is None:
                ctx.error(
                    row,
                    "building",
                    _("Building “%(number)s” is not registered in this estate.")
                    % {"number": row["building"]},
                )
            else:
                row["_building"] = pk

    # Write ------------------------------------------------------------------------------

    def write(self, ctx, rows):
        new = [r for r in rows if not r["_skip"]]
        estates = Estate.objects.in_bulk({r["_estate"] for r in new if r["_estate"]})
        buildings = Building.objects.in_bulk({r["_building"] for r in new if r["_building"]})
        orders = []
        for row in new:
            data = {
                "channel": Channel.HOTLINE,
                "source_ref": row["source_ref"],
                "kind": row["kind"],
                "category": row["_category"],
                "estate": estates.get(row["_estate"]),
                "region": row["_region"],
                "building": buildings.get(row["_building"]),
                "address": row["address"] or "",
                "title": row["title"] or _title_from(row["content"]),
                "content": row["content"],
                "anonymous": bool(row["anonymous"]),
                "complainant_name": row["complainant_name"] or "",
                "complainant_phone": row["complainant_phone"] or "",
                "concerns_company": bool(row["concerns_company"]),
            }
            try:
                orders.append(services.register(actor=ctx.actor, data=data, now=row["accepted_at"]))
            except ValidationError as exc:
                # Every rule register applies was checked above; one failing now means the
                # data changed meanwhile (above all: the same 12345 number imported at the
                # same time by someone else). The framework answers that collision.
                raise IntegrityError(f"row {row.number}: {exc}") from exc
        dispatched = sum(1 for order in orders if services.auto_dispatch(order))
        return {
            "order": len(orders),
            "dispatched": dispatched,
            "skipped": ctx.state.get("skipped", 0),
        }

    # Export -----------------------------------------------------------------------------

    def export_rows(self, actor):
        accepted = (
            Event.objects.filter(order=OuterRef("pk"), action=Act.REGISTER)
            .order_by("at", "id")
            .values("at")[:1]
        )
        orders = (
            exportable(order_policy, actor)
            .filter(channel=Channel.HOTLINE)
            .annotate(accepted_at=Subquery(accepted))
            .order_by("accepted_at", "pk")
            .values_list(
                "source_ref",
                "accepted_at",
                "kind",
                "category__code",
                "region_code",
                "estate__name",
                "building__number",
                "address",
                "title",
                "content",
                "complainant_name",
                "complainant_phone",
                "anonymous",
                "concerns_company",
            )
        )
        # As on the order pages (access.may_see_complainant): a company never sees who
        # complained about it.
        grants = scope_of(actor).grants_for(Action.ORDERS_VIEW)
        sees_complainants = any(g.kind != "company" for g in grants)
        for row in orders.iterator(chunk_size=2000):
            if row[-1] and not sees_complainants:
                row = (*row[:10], None, None, *row[12:])
            yield row


def _title_from(content: str) -> str:
    first = (content or "").strip().splitlines()[0] if content and content.strip() else ""
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"
