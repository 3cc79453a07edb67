"""Personal information (PIPL): encrypted at rest, masked by default, revealed only with a log."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from anju.accounts.models import ApiToken
from anju.core.models import AuditEvent
from anju.core.pii import decrypt, digest, encrypt, mask
from anju.estates import services
from anju.estates.models import Owner
from tests import factories as f
from tests.helpers import HTMX, table_rows, workbook_rows, workbook_text

ID_NUMBER = "510104198001011234"
PHONE = "13812345678"


@pytest.fixture
def owner(world):
    """An owner of unit 101 in street A, registered through the service with known values."""
    unit = f.UnitFactory(building=world.building_a, number="808")
    return services.owner_create(
        actor=world.people.district_admin,
        unit=unit,
        data={"name": "林业主", "id_number": ID_NUMBER, "phone": PHONE},
    )


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        [value] = cursor.fetchone()
    return value


# ------------------------------------------------------------------------ at rest, digest


def test_id_number_and_phone_are_encrypted_at_rest(owner):
    raw_id = _raw("estates_owner", "id_number", owner.pk)
    raw_phone = _raw("estates_owner", "phone", owner.pk)

    assert ID_NUMBER not in raw_id
    assert PHONE not in raw_phone
    assert decrypt(raw_id) == ID_NUMBER
    assert decrypt(raw_phone) == PHONE
    assert Owner.objects.get(pk=owner.pk).id_number == ID_NUMBER


def test_equal_values_encrypt_differently(owner):
    # Fernet tokens carry a random IV: equal ID numbers cannot be spotted in the table.
    assert encrypt(ID_NUMBER) != encrypt(ID_NUMBER)


def test_owner_is_found_by_digest_without_decrypting(owner):
    raw_digest = _raw("estates_owner", "id_number_digest", owner.pk)

    assert raw_digest == digest(ID_NUMBER)
    assert ID_NUMBER not in raw_digest
    assert Owner.objects.filter(id_number_digest=digest(ID_NUMBER)).get() == owner
    assert services.owner_find_by_id_number(ID_NUMBER) == owner
    assert services.owner_find_by_id_number("510104198001019999") is None
    assert services.owner_find_by_id_number("") is None


def test_digest_ignores_case_and_surrounding_space():
    assert digest(" 51010419800101123x ") == digest("51010419800101123X")
    assert digest("510104198001011234") != digest("510104198001011235")
    assert digest("") == ""


def test_empty_values_stay_empty_and_bad_tokens_read_as_empty():
    assert encrypt("") == ""
    assert decrypt("") == ""
    assert decrypt("not-a-fernet-token") == ""


@given(st.text(min_size=1, max_size=40))
def test_encryption_round_trips(value):
    assert decrypt(encrypt(value)) == value


# ------------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),  # mobile
        ("510104198001011234", "5101**********1234"),  # resident ID
        ("51010419800101123X", "5101**********123X"),
        ("028-86661234", "028*****1234"),  # landline with area code
        ("86661234", "86****34"),  # landline, 8 digits
        ("8666123", "86***23"),  # landline, 7 digits (the phone field accepts 7 to 12)
        ("12345", "1***5"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_formats(value, masked):
    assert mask(value) == masked


@given(st.text(alphabet="0123456789X-", min_size=3, max_size=20))
def test_mask_hides_at_least_a_third_and_keeps_the_length(value):
    masked = mask(value)
    assert len(masked) == len(value)
    assert masked.count("*") >= len(value) // 3
    assert masked != value


# -------------------------------------------------------------------------------- reveal


def _reveal_url(owner, field="id_number"):
    return reverse("core:pii_reveal", args=["owner", owner.pk, field])


def test_reveal_shows_the_value_and_logs_who_saw_it(world, client, owner):
    # given
    officer = world.people.street_a_officer
    client.force_login(officer)

    # when
    response = client.post(_reveal_url(owner), **HTMX)

    # then
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    [event] = AuditEvent.objects.filter(action="pii.reveal")
    assert event.actor == officer
    assert event.target_type == "estates.owner"
    assert event.target_id == str(owner.pk)
    assert event.changes == {"field": "id_number"}
    assert ID_NUMBER not in str(event.changes)


def test_reveals_appear_in_the_district_audit_log(world, client, owner):
    # given: a street officer reveals a phone number
    client.force_login(world.people.street_a_officer)
    client.post(_reveal_url(owner, "phone"))

    # when: the district's auditor opens the audit log
    client.force_login(world.people.auditor)
    log = client.get(reverse("core:audit_list"), {"action": "pii.reveal"})

    # then
    rows = table_rows(log)
    assert len(rows) == 1
    assert rows[0][2] == "pii.reveal"
    assert "street_a_officer" in rows[0][1]
    assert PHONE not in log.content.decode()


@pytest.mark.parametrize(
    "persona", ["company_x_manager", "committee_a_member", "owner_unit_101", "auditor"]
)
def test_roles_without_the_reveal_right_never_get_the_value(world, client, persona):
    owner = world.owners["a"][0]
    client.force_login(getattr(world.people, persona))

    response = client.post(_reveal_url(owner))

    assert response.status_code in {403, 404}
    assert owner.id_number not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_neighbours_cannot_reveal(world, client):
    owner = world.owners["a"][0]
    for persona in ("street_b_officer", "neighbour_admin"):
        client.force_login(getattr(world.people, persona))
        response = client.post(_reveal_url(owner))
        assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_reveal_needs_post(world, client):
    client.force_login(world.people.district_admin)
    response = client.get(_reveal_url(world.owners["a"][0]))
    assert response.status_code == 405
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "field"), [("owner", "name"), ("owner", "id_number_digest"), ("nobody", "phone")]
)
def test_only_registered_fields_can_be_revealed(world, client, kind, field):
    client.force_login(world.people.district_admin)
    response = client.post(reverse("core:pii_reveal", args=[kind, world.owners["a"][0].pk, field]))
    assert response.status_code == 404


def test_api_reveal_is_logged_like_the_page(world, owner):
    _token, raw = ApiToken.issue(user=world.people.community_a1_worker, name="cli")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/owners/{owner.pk}/reveal/phone", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.json() == {"field": "phone", "value": PHONE}
    [event] = AuditEvent.objects.filter(action="pii.reveal")
    assert event.actor == world.people.community_a1_worker
    assert event.region_code == world.a1.code


def test_api_refuses_reveal_to_company_manager(world, owner):
    client = Client()
    client.force_login(world.people.company_x_manager)
    response = client.post(f"/api/v1/owners/{owner.pk}/reveal/id_number")
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()


# ----------------------------------------------------------- masked in lists and exports


@pytest.mark.parametrize("persona", ["district_admin", "street_a_officer", "company_x_manager"])
def test_owner_list_and_export_show_only_masked_values(world, client, owner, persona):
    client.force_login(getattr(world.people, persona))
    url = reverse("estates:owner_list")

    page = client.get(url, {"q": "林业主"})
    export = client.get(url, {"q": "林业主", "export": "xlsx"})

    [row] = table_rows(page)
    assert (row[0], row[2], row[3]) == ("林业主", "5101**********1234", "138****5678")
    assert ID_NUMBER not in page.content.decode()
    assert PHONE not in page.content.decode()
    [cells] = workbook_rows(export)
    assert cells[2:4] == ["5101**********1234", "138****5678"]
    assert ID_NUMBER not in workbook_text(export)
    assert PHONE not in workbook_text(export)


def test_detail_pages_show_masked_values_with_a_reveal_button_for_those_who_may(
    world, client, owner
):
    unit = owner.ownerships.get().unit
    client.force_login(world.people.street_a_officer)
    officer_page = client.get(reverse("estates:unit_detail", args=[unit.pk])).content.decode()
    client.force_login(world.people.company_x_manager)
    company_page = client.get(reverse("estates:owner_detail", args=[owner.pk])).content.decode()

    for html in (officer_page, company_page):
        assert "5101**********1234" in html
        assert ID_NUMBER not in html
        assert PHONE not in html
    assert 'data-testid="reveal-id_number"' in officer_page
    assert "reveal-" not in company_page


def test_company_contact_phone_is_masked_on_pages_and_in_the_api(world, client):
    company = world.company_x  # contact phone 13900001111
    client.force_login(world.people.district_admin)

    page = client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    export = client.get(reverse("companies:list"), {"export": "xlsx"})
    api = client.get(f"/api/v1/companies/{company.pk}").json()

    assert "13900001111" not in page
    assert "139****1111" in page
    assert "13900001111" not in workbook_text(export)
    assert api["contact_phone_masked"] == "139****1111"
    assert "13900001111" not in str(api)


def test_api_owner_list_is_masked(world, owner):
    client = Client()
    client.force_login(world.people.district_admin)
    body = client.get("/api/v1/owners", {"q": "林业主"}).json()
    assert body["items"][0]["id_number_masked"] == "5101**********1234"
    assert ID_NUMBER not in str(body)
    assert PHONE not in str(body)


def test_audit_log_and_its_export_never_hold_clear_values(world, client, owner):
    services.owner_update(
        actor=world.people.district_admin, owner=owner, data={"phone": "13700001111"}
    )
    client.force_login(world.people.district_admin)

    page = client.get(reverse("core:audit_list"))
    export = client.get(reverse("core:audit_list"), {"export": "xlsx"})

    for text in (page.content.decode(), workbook_text(export)):
        assert ID_NUMBER not in text
        assert PHONE not in text
        assert "13700001111" not in text
        assert "137****1111" in text
