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


def test_login_page_speaks_chinese_by_default_and_english_on_request(client, db):
    chinese = client.get(reverse("accounts:login"))
    assert "登录" in chinese.content.decode()
    english = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in english.content.decode()
    assert "登录" not in english.content.decode().replace("简体中文", "")


def test_chinese_validation_message_on_estate_form(world, login):
    client = login(world.people.district_admin)
    response = client.post(reverse("estates:create"), {"name": "", "total_floor_area": "-1"})
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()


def test_home_chart_counts_estates_per_street_in_scope(world, login):
    response = login(world.people.district_admin).get(reverse("core:home"))
    chart = response.context["chart"]
    assert chart["categories"] == ["春熙路街道", "书院街街道"]
    totals = [sum(series["data"][i] for series in chart["series"]) for i in range(2)]
    assert totals == [2, 1]  # street A: 红星花园 + 和平小区; street B: 东风苑

    street_b = login(world.people.street_b_officer).get(reverse("core:home"))
    assert street_b.context["chart"]["categories"] == ["书院街街道"]


def test_unit_search_by_room_prefix_or_estate_name(world, login):
    client = login(world.people.district_admin)
    by_room = client.get(reverse("estates:unit_list"), {"q": "10"})
    rooms = {row["obj"].number for row in by_room.context["table"]}
    assert rooms == {"101", "102", "103"}  # every room number starts with 10
    by_estate = client.get(reverse("estates:unit_list"), {"q": "东风"})
    estates = {row["obj"].estate.name for row in by_estate.context["table"]}
    assert estates == {"东风苑"}
    # the middle of a room number is no prefix
    assert client.get(reverse("estates:unit_list"), {"q": "02"}).context["table"] == []
