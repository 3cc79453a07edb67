"""Company ledgers: property companies and service contracts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from anju.companies.models import PropertyCompany, ServiceContract
from anju.core.imports import get_ledger, import_workbook, ledger_export
from anju.core.tests.ledger_workbooks import errors_at, headers, run, sheet_rows, xlsx
from tests.factories import make_uscc

DISTRICT = "510104000000"


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.ANJU_TASKS_EAGER = True


def company_row(n: int, **cells):
    return {
        "name": f"新物业公司{n}",
        "uscc": make_uscc(900 + n),
        "district": DISTRICT,
        **cells,
    }


def contract_row(**cells):
    return {
        "community": "510104001001",
        "estate": "红星花园",
        "company": None,
        "contract_kind": str(ServiceContract.Kind.PRELIMINARY.label),
        "start_date": date(2025, 1, 1),
        "service_level": "3",
        **cells,
    }


def test_companies_import(world):
    rows = [
        company_row(1, contact_phone="13900002222", has_party_org="是", contact_name="李四"),
        company_row(2, registered_address="书院街1号", uscc=make_uscc(902).lower()),
    ]
    outcome = run(world.people.district_admin, "companies", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"company": 2}
    first = PropertyCompany.objects.get(uscc=make_uscc(901))
    assert first.region == world.district
    assert first.region_code == DISTRICT
    assert first.contact_phone == "13900002222"
    assert first.has_party_org
    assert PropertyCompany.objects.filter(uscc=make_uscc(902)).exists()  # upper-cased


def test_companies_validation(world):
    bad_check = make_uscc(903)[:-1] + ("0" if make_uscc(903)[-1] != "0" else "1")
    rows = [
        company_row(1, uscc=bad_check),  # 2: wrong check character
        company_row(2, uscc=world.company_x.uscc),  # 3: already registered
        company_row(4),  # 4
        company_row(5, uscc=make_uscc(904)),  # 5: same code as row 4
        company_row(6, district="510105000000"),  # 6: the neighbouring district
        company_row(7, district="510104999000"),  # 7: no such district
        company_row(8, name=None, contact_phone="12"),  # 8
    ]
    before = PropertyCompany.objects.count()
    outcome = run(world.people.district_admin, "companies", rows)
    assert not outcome.ok
    assert PropertyCompany.objects.count() == before
    assert errors_at(outcome, "uscc", "companies") == [
        (2, _("The unified social credit code is invalid (GB 32100 checksum).")),
        (3, _("A company with this credit code is already registered.")),
        (5, _("The same credit code is also on row %(row)s.") % {"row": 4}),
    ]
    unknown = _("The district code is unknown or outside your area.")
    assert errors_at(outcome, "district", "companies") == [(6, unknown), (7, unknown)]
    assert errors_at(outcome, "name", "companies") == [(8, _("This cell is required."))]
    assert [r for r, _m in errors_at(outcome, "contact_phone", "companies")] == [8]


def test_companies_need_the_right_to_change_companies(world):
    with pytest.raises(PermissionDenied):
        run(world.people.street_a_officer, "companies", [company_row(1)])


def test_contracts_import(world):
    rows = [
        contract_row(
            company=world.company_x.uscc,
            end_date="2027-12-31",
            fee_standard="2.8",
            filing_status=str(ServiceContract.Filing.FILED.label),
            filed_on=date(2025, 2, 1),
        ),
        contract_row(company=world.company_y.uscc, service_level="一级"),
    ]
    outcome = run(world.people.street_a_officer, "contracts", rows)
    assert outcome.ok, outcome.errors
    assert outcome.created == {"contract": 2}
    first = ServiceContract.objects.get(company=world.company_x, start_date=date(2025, 1, 1))
    assert first.estate == world.estate_a
    assert first.kind == ServiceContract.Kind.PRELIMINARY
    assert first.fee_standard == Decimal("2.80")
    assert first.filing_status == "filed"
    assert first.end_date == date(2027, 12, 31)
    second = ServiceContract.objects.get(company=world.company_y, estate=world.estate_a)
    assert second.service_level == "1"
    assert second.filing_status == "not_filed"


def test_contracts_validation(world):
    x = world.company_x.uscc
    rows = [
        contract_row(company=make_uscc(999)),  # 2: valid code, no such company
        contract_row(company=x, end_date=date(2024, 12, 31)),  # 3: ends before it starts
        contract_row(company=x, start_date=date(2024, 1, 1)),  # 4: already registered
        contract_row(company=x, start_date=date(2025, 6, 1)),  # 5
        contract_row(company=x, start_date="2025-06-01"),  # 6: same as row 5
        contract_row(
            company=x, start_date=date(2025, 9, 1), fee_standard="2.555", service_level="六级"
        ),  # 7
        contract_row(company=x, community="510104002001", estate="东风苑"),  # 8: street B
        contract_row(company=x, start_date="someday"),  # 9
    ]
    before = ServiceContract.objects.count()
    outcome = run(world.people.street_a_officer, "contracts", rows)
    assert not outcome.ok
    assert ServiceContract.objects.count() == before
    assert errors_at(outcome, "company", "contracts") == [
        (2, _("No company with this credit code is registered."))
    ]
    assert errors_at(outcome, "end_date", "contracts") == [
        (3, _("The end date cannot be before the start date."))
    ]
    starts = dict(errors_at(outcome, "start_date", "contracts"))
    assert set(starts) == {4, 6, 9}
    assert starts[6] == _("The same contract is also on row %(row)s.") % {"row": 5}
    assert [r for r, _m in errors_at(outcome, "fee_standard", "contracts")] == [7]
    assert [r for r, _m in errors_at(outcome, "service_level", "contracts")] == [7]
    assert errors_at(outcome, "community", "contracts") == [
        (8, _("The community code is unknown or outside your area."))
    ]


def test_company_export_masks_the_phone_and_keeps_the_template_columns(world):
    world.company_x.name = "@SUM(1+1)*cmd"
    world.company_x.save()
    rows = sheet_rows(ledger_export(actor=world.people.district_admin, kind="companies"))
    assert list(rows[0]) == headers("companies")
    names = [r[0] for r in rows[1:]]
    assert "'@SUM(1+1)*cmd" in names
    phones = [r[5] for r in rows[1:]]
    assert "13900001111" not in phones
    assert all(p.startswith("139") and "*" in p for p in phones)
    assert {r[2] for r in rows[1:]} == {DISTRICT}  # the neighbouring district's is not listed


def test_contracts_round_trip(world):
    officer = world.people.street_a_officer
    rows = sheet_rows(ledger_export(actor=officer, kind="contracts"))
    assert list(rows[0]) == headers("contracts")
    assert len(rows) == 2  # street A has one contract
    ServiceContract.objects.filter(estate=world.estate_a).delete()
    keys = [c.key for c in get_ledger("contracts").columns]
    cells = dict(zip(keys, rows[1], strict=True))
    outcome = import_workbook(actor=officer, kind="contracts", file=xlsx("contracts", [cells]))
    assert outcome.ok, outcome.errors
    contract = ServiceContract.objects.get(estate=world.estate_a)
    assert contract.company == world.company_x
    assert contract.fee_standard == Decimal("2.50")
    assert contract.service_level == "2"
