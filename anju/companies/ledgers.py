"""Company ledgers (台账): property companies and service contracts."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region
from anju.companies.models import PropertyCompany, ServiceContract
from anju.companies.permissions import company_policy, contract_policy
from anju.companies.rules import uscc_is_valid
from anju.core.imports import (
    Column,
    Ledger,
    bulk_insert,
    chunked_lookup,
    exportable,
    register,
)
from anju.core.ledger_cells import Cell, CellError, Choice, Code, Day, Number, Phone, Text, YesNo
from anju.estates.ledgers import locate_estates
from anju.regions.models import Region

EXAMPLE_USCC = "91510104MA61XKQD4Y"


class CreditCode(Cell):
    """A unified social credit code (GB 32100: 18 characters with a check character)."""

    text_format = True

    def __init__(self):
        super().__init__(18)

    def parse(self, raw: Any) -> str:
        value = super().parse(raw).upper()
        if not uscc_is_valid(value):
            raise CellError(_("The unified social credit code is invalid (GB 32100 checksum)."))
        return value

    def describe(self) -> str:
        return _("18 characters with a valid check character (GB 32100)")


def _known_companies(usccs) -> dict[str, int]:
    return dict(
        chunked_lookup(
            usccs,
            lambda chunk: PropertyCompany.objects.filter(uscc__in=chunk).values_list("uscc", "pk"),
        )
    )


@register
class CompanyLedger(Ledger):
    kind = "companies"
    title = gettext_lazy("Property companies")
    description = gettext_lazy("One row per property service company, by its credit code.")
    action = Action.COMPANIES_CHANGE
    view_action = Action.COMPANIES_VIEW
    counts = {"company": PropertyCompany}
    columns = (
        Column(
            "name",
            gettext_lazy("company name"),
            Text(100),
            required=True,
            example="安心物业服务有限公司",
        ),
        Column(
            "uscc",
            gettext_lazy("unified social credit code"),
            CreditCode(),
            required=True,
            example=EXAMPLE_USCC,
        ),
        Column(
            "district",
            gettext_lazy("district code"),
            Code(),
            required=True,
            example="510104000000",
            help=gettext_lazy("The 12-digit division code of the district of registration."),
        ),
        Column(
            "registered_address",
            gettext_lazy("registered address"),
            Text(200),
            example="锦江区春熙路8号",
        ),
        Column("contact_name", gettext_lazy("contact person"), Text(50), example="张经理"),
        Column(
            "contact_phone",
            gettext_lazy("contact phone"),
            Phone(),
            example="028-85551234",
            pii=True,
        ),
        Column("has_party_org", gettext_lazy("has party organisation"), YesNo(), example=False),
    )

    def check(self, ctx, rows):
        codes = {r["district"] for r in rows if r["district"]}
        districts = {
            code: pk
            for code, pk in Region.objects.filter(
                level=Region.Level.DISTRICT, code__in=codes
            ).values_list("code", "pk")
            if covers_region(ctx.scope, self.action, code)
        }
        registered = _known_companies(r["uscc"] for r in rows if r["uscc"])
        seen: dict[str, int] = {}
        for row in rows:
            code = row["district"]
            if code is not None:
                if code in districts:
                    row["_region"] = districts[code]
                    ctx.region_code = ctx.region_code or code
                else:
                    ctx.error(
                        row, "district", _("The district code is unknown or outside your area.")
                    )
            uscc = row["uscc"]
            if uscc is None:
                continue
            if uscc in registered:
                ctx.error(row, "uscc", _("A company with this credit code is already registered."))
            elif uscc in seen:
                ctx.error(
                    row,
                    "uscc",
                    _("The same credit code is also on row %(row)s.") % {"row": seen[uscc]},
                )
            else:
                seen[uscc] = row.number

    def write(self, ctx, rows):
        companies = (
            PropertyCompany(
                name=r["name"],
                uscc=r["uscc"],
                region_id=r["_region"],
                region_code=r["district"],
                registered_address=r["registered_address"] or "",
                contact_name=r["contact_name"] or "",
                contact_phone=r["contact_phone"] or "",
                has_party_org=bool(r["has_party_org"]),
            )
            for r in rows
        )
        return {"company": bulk_insert(PropertyCompany, companies)}

    def export_rows(self, actor):
        return (
            exportable(company_policy, actor)
            .order_by("name", "pk")
            .values_list(
                "name",
                "uscc",
                "region_code",
                "registered_address",
                "contact_name",
                "contact_phone",
                "has_party_org",
            )
            .iterator(chunk_size=2000)
        )


@register
class ContractLedger(Ledger):
    kind = "contracts"
    title = gettext_lazy("Service contracts")
    description = gettext_lazy(
        "One row per service contract between a registered company and an estate."
    )
    action = Action.CONTRACTS_CHANGE
    view_action = Action.CONTRACTS_VIEW
    counts = {"contract": ServiceContract}
    columns = (
        Column(
            "community",
            gettext_lazy("community code"),
            Code(),
            required=True,
            example="510104001001",
            help=gettext_lazy("The 12-digit division code of the estate's community."),
        ),
        Column("estate", gettext_lazy("estate name"), Text(100), required=True, example="红星花园"),
        Column(
            "company",
            gettext_lazy("company credit code"),
            CreditCode(),
            required=True,
            example=EXAMPLE_USCC,
            help=gettext_lazy("The unified social credit code of a registered company."),
        ),
        Column(
            "contract_kind",
            gettext_lazy("contract type"),
            Choice(ServiceContract.Kind),
            required=True,
            example=ServiceContract.Kind.SELECTED,
        ),
        Column(
            "start_date", gettext_lazy("start date"), Day(), required=True, example=date(2024, 1, 1)
        ),
        Column("end_date", gettext_lazy("end date"), Day(), example=date(2026, 12, 31)),
        Column(
            "fee_standard",
            gettext_lazy("fee (yuan/m²/month)"),
            Number(2, minimum=0, maximum=Decimal("999999.99")),
            example=Decimal("2.50"),
        ),
        Column(
            "service_level",
            gettext_lazy("service level"),
            Choice(ServiceContract.Level),
            required=True,
            example=ServiceContract.Level.TWO,
        ),
        Column(
            "filing_status",
            gettext_lazy("filing status"),
            Choice(ServiceContract.Filing),
            example=ServiceContract.Filing.NOT_FILED,
            help=gettext_lazy("Empty means not filed."),
        ),
        Column("filed_on", gettext_lazy("filed on"), Day(), example=None),
    )

    def check_row(self, ctx, row):
        start, end = row["start_date"], row["end_date"]
        if start is not None and end is not None and end < start:
            ctx.error(row, "end_date", _("The end date cannot be before the start date."))

    def check(self, ctx, rows):
        estates = locate_estates(ctx, rows, self.action)
        companies = _known_companies(r["company"] for r in rows if r["company"])
        existing = set(
            ServiceContract.objects.filter(estate_id__in=estates).values_list(
                "estate_id", "company_id", "start_date"
            )
        )
        seen: dict[tuple, int] = {}
        for row in rows:
            uscc = row["company"]
            if uscc is None:
                continue
            company = companies.get(uscc)
            if company is None:
                ctx.error(row, "company", _("No company with this credit code is registered."))
                continue
            row["_company"] = company
            if row["_estate"] is None or row["start_date"] is None:
                continue
            key = (row["_estate"], company, row["start_date"])
            if key in existing:
                ctx.error(
                    row,
                    "start_date",
                    _(
                        "A contract of this company for this estate from this date is already "
                        "registered."
                    ),
                )
            elif key in seen:
                ctx.error(
                    row,
                    "start_date",
                    _("The same contract is also on row %(row)s.") % {"row": seen[key]},
                )
            else:
                seen[key] = row.number

    def write(self, ctx, rows):
        contracts = (
            ServiceContract(
                estate_id=r["_estate"],
                company_id=r["_company"],
                kind=r["contract_kind"],
                start_date=r["start_date"],
                end_date=r["end_date"],
                fee_standard=r["fee_standard"] or Decimal("0.00"),
                service_level=r["service_level"],
                filing_status=r["filing_status"] or ServiceContract.Filing.NOT_FILED,
                filed_on=r["filed_on"],
            )
            for r in rows
        )
        return {"contract": bulk_insert(ServiceContract, contracts)}

    def export_rows(self, actor):
        return (
            exportable(contract_policy, actor)
            .order_by("estate__region_code", "estate__name", "start_date", "pk")
            .values_list(
                "estate__region_code",
                "estate__name",
                "company__uscc",
                "kind",
                "start_date",
                "end_date",
                "fee_standard",
                "service_level",
                "filing_status",
                "filed_on",
            )
            .iterator(chunk_size=2000)
        )
