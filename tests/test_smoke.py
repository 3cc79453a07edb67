import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name",
    [
        "core:home",
        "regions:list",
        "estates:list",
        "estates:unit_list",
        "estates:owner_list",
        "companies:list",
        "companies:contract_list",
        "core:audit_list",
    ],
)
def test_district_admin_opens_every_list(world, login, name):
    client = login(world.people.district_admin)
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("estates:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
