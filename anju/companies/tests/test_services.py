"""Company and contract services: scoped, validated, atomic, and audited."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from anju.companies import services
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.companies.rules import uscc_check_char
from anju.core import services as core_services
from anju.core.errors import DomainError
from anju.core.models import AuditEvent

# A real-world-shaped code: 9 (registered with market regulation) 1 (enterprise),
# 510104 (锦江区), a 9-character organisation code, then the check character.
BODY = "91510104MA6CX0Y1B"
USCC = BODY + uscc_check_char(BODY)
PHONE = "13812345678"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _company_data(world, **extra):
    return {
        "name": "锦江物业服务有限公司",
        "uscc": USCC,
        "region": world.district,
        "registered_address": "总府路1号",
        "contact_name": "周经理",
        "contact_phone": PHONE,
        **extra,
    }


def _contract_data(world, **extra):
    return {
        "company": world.company_y,
        "estate": world.estate_a2,
        "kind": ServiceContract.Kind.SELECTED,
        "start_date": date(2025, 1, 1),
        "end_date": date(2027, 12, 31),
        "fee_standard": Decimal("2.80"),
        "service_level": ServiceContract.Level.TWO,
        **extra,
    }


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


# ----------------------------------------------------------------------------- companies


def test_company_create_is_audited_with_the_phone_masked(world):
    actor = world.people.district_staff

    company = services.company_create(actor=actor, data=_company_data(world))

    assert company.region_code == world.district.code
    [event] = _events("company.create")
    assert (event.actor, event.target_id) == (actor, str(company.pk))
    assert event.region_code == world.district.code
    assert event.changes["uscc"] == [None, USCC]
    assert event.changes["contact_phone"] == [None, "138****5678"]
    assert PHONE not in _audit_text()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_phone FROM companies_propertycompany WHERE id = %s", [company.pk]
        )
        [raw] = cursor.fetchone()
    assert PHONE not in raw


def test_company_credit_code_is_normalised_to_upper_case(world):
    company = services.company_create(
        actor=world.people.district_admin, data=_company_data(world, uscc=f" {USCC.lower()} ")
    )
    assert company.uscc == USCC


@pytest.mark.parametrize(
    "uscc",
    [
        BODY + ("0" if USCC[-1] != "0" else "1"),  # wrong check character
        USCC[:-1],  # 17 characters
        USCC.replace("M", "I"),  # I is not in the GB 32100 character set
        "915101AB" + USCC[8:],  # the division code must be digits
    ],
)
def test_invalid_credit_code_is_refused_on_its_field(world, uscc):
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        services.company_create(
            actor=world.people.district_admin, data=_company_data(world, uscc=uscc)
        )
    assert error.value.field == "uscc"
    assert CJK.search(str(error.value.message))
    assert not PropertyCompany.objects.filter(name="锦江物业服务有限公司").exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_credit_code_is_refused(world):
    with pytest.raises(DomainError) as error:
        services.company_create(
            actor=world.people.district_admin,
            data=_company_data(world, uscc=world.company_x.uscc),
        )
    assert error.value.field == "uscc"
    assert PropertyCompany.objects.filter(uscc=world.company_x.uscc).count() == 1


def test_company_is_registered_in_a_district(world):
    with pytest.raises(DomainError) as error:
        services.company_create(
            actor=world.people.district_admin, data=_company_data(world, region=world.street_a)
        )
    assert error.value.field == "region"


def test_company_name_is_required_with_a_chinese_message(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.company_create(
            actor=world.people.district_admin, data=_company_data(world, name="")
        )
    assert error.value.message_dict["name"] == ["此字段不能为空。"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "region"),
    [
        ("neighbour_admin", "district"),
        ("district_admin", "neighbour"),
        ("street_a_officer", "district"),
        ("company_x_manager", "district"),
        ("auditor", "district"),
    ],
)
def test_company_create_outside_scope_or_right_is_refused(world, persona, region):
    data = _company_data(world, region=getattr(world, region))
    with pytest.raises(PermissionDenied):
        services.company_create(actor=getattr(world.people, persona), data=data)
    assert not PropertyCompany.objects.filter(uscc=USCC).exists()
    assert not AuditEvent.objects.exists()


def test_company_update_audits_changes_masked(world):
    company = world.company_x

    services.company_update(
        actor=world.people.district_admin,
        company=company,
        data={"contact_phone": "13698765432", "has_party_org": True},
    )

    [event] = _events("company.update")
    assert event.changes == {
        "contact_phone": ["139****1111", "136****5432"],
        "has_party_org": [False, True],
    }
    assert "13698765432" not in _audit_text()
    assert PropertyCompany.objects.get(pk=company.pk).contact_phone == "13698765432"


@pytest.mark.parametrize("persona", ["neighbour_admin", "company_x_manager", "street_a_officer"])
def test_company_update_outside_scope_or_right_is_refused(world, persona):
    with pytest.raises(PermissionDenied):
        services.company_update(
            actor=getattr(world.people, persona), company=world.company_x, data={"name": "改名"}
        )
    assert PropertyCompany.objects.get(pk=world.company_x.pk).name == "安心物业"


def test_company_update_to_a_taken_credit_code_is_refused(world):
    with pytest.raises(DomainError) as error:
        services.company_update(
            actor=world.people.district_admin,
            company=world.company_x,
            data={"uscc": world.company_y.uscc},
        )
    assert error.value.field == "uscc"


# ----------------------------------------------------------------------------- contracts


def test_contract_create_is_audited_in_the_estates_region(world):
    actor = world.people.street_a_officer

    contract = services.contract_create(actor=actor, data=_contract_data(world))

    [event] = _events("contract.create")
    assert (event.actor, event.target_id) == (actor, str(contract.pk))
    assert event.region_code == world.a2.code
    assert event.changes["fee_standard"] == [None, "2.80"]
    assert event.changes["start_date"] == [None, "2025-01-01"]


@pytest.mark.parametrize("persona", ["street_b_officer", "neighbour_admin", "company_y_manager"])
def test_contract_create_outside_scope_or_right_is_refused(world, persona):
    with pytest.raises(PermissionDenied):
        services.contract_create(actor=getattr(world.people, persona), data=_contract_data(world))
    assert not ServiceContract.objects.filter(estate=world.estate_a2).exists()
    assert not AuditEvent.objects.exists()


def test_contract_end_before_start_is_refused(world):
    data = _contract_data(world, end_date=date(2024, 12, 31))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.contract_create(actor=world.people.district_admin, data=data)
    assert "__all__" in error.value.message_dict
    assert CJK.search(" ".join(error.value.message_dict["__all__"]))
    assert not ServiceContract.objects.filter(estate=world.estate_a2).exists()


def test_contract_fee_cannot_be_negative(world):
    data = _contract_data(world, fee_standard=Decimal("-0.01"))
    with pytest.raises(ValidationError):
        services.contract_create(actor=world.people.district_admin, data=data)
    assert not ServiceContract.objects.filter(estate=world.estate_a2).exists()


def test_contract_service_level_must_be_a_known_choice_in_chinese(world):
    data = _contract_data(world, service_level="9")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.contract_create(actor=world.people.district_admin, data=data)
    assert "不是有效选项" in " ".join(error.value.message_dict["service_level"])


def test_contract_update_is_audited(world):
    contract = ServiceContract.objects.get(estate=world.estate_a)

    services.contract_update(
        actor=world.people.street_a_officer,
        contract=contract,
        data={"filing_status": "filed", "filed_on": date(2024, 2, 1)},
    )

    [event] = _events("contract.update")
    assert event.changes == {
        "filing_status": ["not_filed", "filed"],
        "filed_on": [None, "2024-02-01"],
    }


def test_contract_cannot_be_moved_to_an_estate_outside_the_scope(world):
    contract = ServiceContract.objects.get(estate=world.estate_a)
    with pytest.raises(PermissionDenied):
        services.contract_update(
            actor=world.people.street_a_officer, contract=contract, data={"estate": world.estate_b}
        )
    assert ServiceContract.objects.get(pk=contract.pk).estate_id == world.estate_a.pk


@pytest.mark.parametrize(
    "persona", ["street_b_officer", "company_x_manager", "committee_a_member", "auditor"]
)
def test_contract_update_outside_scope_or_right_is_refused(world, persona):
    contract = ServiceContract.objects.get(estate=world.estate_a)
    with pytest.raises(PermissionDenied):
        services.contract_update(
            actor=getattr(world.people, persona),
            contract=contract,
            data={"fee_standard": Decimal("9.99")},
        )
    assert ServiceContract.objects.get(pk=contract.pk).fee_standard == Decimal("2.50")


def test_contract_write_and_audit_share_one_transaction(world, monkeypatch):
    # given: recording the audit event fails
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(core_services, "audit_record", broken)

    # when
    with pytest.raises(RuntimeError):
        services.contract_create(actor=world.people.district_admin, data=_contract_data(world))

    # then
    assert not ServiceContract.objects.filter(estate=world.estate_a2).exists()


# ---------------------------------------------------------------------- project managers


def test_project_manager_create_encrypts_and_audits_masked(world):
    manager = services.project_manager_create(
        actor=world.people.district_admin,
        company=world.company_x,
        data={"name": "赵项目", "estate": world.estate_a, "phone": PHONE},
    )

    assert ProjectManager.objects.get(pk=manager.pk).phone == PHONE
    [event] = _events("project_manager.create")
    assert event.changes["phone"] == [None, "138****5678"]
    # logged where the district's auditor looks: the region of the estate managed
    assert event.region_code == world.a1.code
    assert PHONE not in _audit_text()


def test_project_manager_create_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.project_manager_create(
            actor=world.people.neighbour_admin, company=world.company_x, data={"name": "赵项目"}
        )
    assert not ProjectManager.objects.exists()


def test_project_manager_without_estate_is_logged_in_the_companys_district(world):
    services.project_manager_create(
        actor=world.people.district_admin, company=world.company_x, data={"name": "钱项目"}
    )
    [event] = _events("project_manager.create")
    assert event.region_code == world.district.code
