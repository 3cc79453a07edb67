"""The API of the reference data, joint meetings and cluster alerts: what each operation
returns, and bad input answered 400 naming the field, with nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders import disputes
from anju.workorders.models import (
    Category,
    ClusterAlert,
    DeadlineChoice,
    DeadlineSettings,
    JointMeeting,
    ResponsibilityRule,
)
from anju.workorders.tests.test_meetings import escalated

V1 = "/api/v1"


@pytest.fixture
def api(client):
    def _as(user):
        client.force_login(user)

        def call(method, path, payload=None, **params):
            if method == "get":
                return client.get(V1 + path, params)
            return getattr(client, method)(
                V1 + path, payload or {}, content_type="application/json"
            )

        return call

    return _as


def test_the_deadline_configuration_reads_and_changes_all_or_nothing(world, api):
    admin = api(world.people.district_admin)
    config = admin("get", "/orders/deadline-config").json()
    assert config["rework_days"] == 3
    assert {c["code"] for c in config["classes"]} == {
        "urgent",
        "timely",
        "general",
        "complex",
        "directive",
    }

    bad = admin(
        "patch",
        "/orders/deadline-config",
        {"rework_days": 5, "classes": [{"code": "urgent", "feedback_amount": 0,
                                        "feedback_unit": "clock_minutes"}]},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "feedback_amount" in bad.json()["errors"]
    assert not DeadlineSettings.objects.exists()  # the valid part was not kept either
    assert not AuditEvent.objects.exists()

    good = admin(
        "patch",
        "/orders/deadline-config",
        {"rework_days": 5, "choices": [{"category": "service.cleaning", "channel": "hotline",
                                        "deadline_class": "timely"}]},
    )  # fmt: skip
    assert good.status_code == 200, good.content
    assert good.json()["rework_days"] == 5
    assert good.json()["choices"] == [
        {"category": "service.cleaning", "channel": "hotline", "deadline_class": "timely"}
    ]
    assert DeadlineChoice.objects.count() == 1
    unknown = admin("patch", "/orders/deadline-config",
                    {"choices": [{"category": "nope", "channel": "hotline"}]})  # fmt: skip
    assert unknown.status_code == 400
    assert "category" in unknown.json()["errors"]


def test_categories_through_the_api(world, api):
    admin = api(world.people.district_admin)
    created = admin("post", "/orders/categories",
                    {"code": "service.lawn", "name": "绿化养护", "parent": "service"})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["parent"], body["leaf"], body["deadline_class"]) == ("service", True, "general")

    duplicate = admin("post", "/orders/categories", {"code": "service.lawn", "name": "重复"})
    assert duplicate.status_code == 400
    assert "code" in duplicate.json()["errors"]
    under_leaf = admin("post", "/orders/categories",
                       {"code": "service.x", "name": "x", "parent": "service.lawn"})  # fmt: skip
    assert under_leaf.status_code == 400
    assert "parent" in under_leaf.json()["errors"]

    lawn = Category.objects.get(code="service.lawn")
    off = admin("patch", f"/orders/categories/{lawn.pk}", {"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False
    listed = admin("get", "/orders/categories").json()
    assert "service.lawn" not in {c["code"] for c in listed}
    assert admin("patch", "/orders/categories/999999", {"name": "x"}).status_code == 404


def test_matrix_rules_through_the_api(world, api):
    admin = api(world.people.district_admin)
    fire = admin("get", "/orders/matrix", category="fire").json()
    assert fire["items"]
    assert all(item["category"].startswith("fire") for item in fire["items"])
    count = ResponsibilityRule.objects.count()

    lead_twice = admin("post", "/orders/matrix", {"category": "service.cleaning",
                       "estate_kind": "commercial", "lead": "company", "co": ["company"],
                       "basis": "x"})  # fmt: skip
    assert lead_twice.status_code == 400
    assert lead_twice.json()["errors"]["co"] == ["主办单位不能同时作为协办单位。"]
    no_basis = admin("post", "/orders/matrix", {"category": "service.cleaning", "lead": "company",
                     "basis": " "})  # fmt: skip
    assert no_basis.status_code == 400
    assert "basis" in no_basis.json()["errors"]
    assert ResponsibilityRule.objects.count() == count
    assert not AuditEvent.objects.exists()

    rule = ResponsibilityRule.objects.order_by("pk").first()
    changed = admin("patch", f"/orders/matrix/{rule.pk}", {"co": ["street"]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["co"] == ["street"]


def test_meetings_through_the_api(world, api):
    street = api(world.people.street_a_officer)
    order = escalated(world)
    later = escalated(world)
    created = street("post", "/orders/meetings", {
        "region_id": world.street_a.pk,
        "scheduled_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "place": "街道会议室", "order_ids": [order.pk],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert (meeting["level"], meeting["agenda_count"]) == (1, 1)
    assert meeting["agenda"][0]["number"] == order.number

    added = street("post", f"/orders/meetings/{meeting['id']}/agenda", {"order_ids": [later.pk]})
    assert added.json()["agenda_count"] == 2
    missing = street("post", f"/orders/meetings/{meeting['id']}/outcomes",
                     {"order_id": order.pk, "outcome": "agreed"})  # fmt: skip
    assert missing.status_code == 400
    assert "agreement" in missing.json()["errors"]
    done = street("post", f"/orders/meetings/{meeting['id']}/outcomes",
                  {"order_id": order.pk, "outcome": "agreed", "agreement": "退费"})  # fmt: skip
    assert done.status_code == 200
    outcomes = {a["order_id"]: a["outcome"] for a in done.json()["agenda"]}
    assert outcomes == {order.pk: "agreed", later.pk: ""}
    assert done.json()["held"] is True
    assert street("get", "/orders/meetings", upcoming="true").json()["items"] == []

    foreign = escalated(world, estate=world.estate_b)
    refused = street("post", f"/orders/meetings/{meeting['id']}/agenda",
                     {"order_ids": [foreign.pk]})  # fmt: skip
    assert refused.status_code == 400  # not an order of street A's area
    assert JointMeeting.objects.get().agenda.count() == 2


def test_a_meeting_ahead_takes_no_outcome(world, api):
    order = escalated(world)
    meeting = disputes.schedule_meeting(actor=world.people.street_a_officer,
                                        region=world.street_a,
                                        scheduled_at=timezone.now() + timedelta(days=1),
                                        orders=[order])  # fmt: skip
    response = api(world.people.street_a_officer)(
        "post", f"/orders/meetings/{meeting.pk}/outcomes",
        {"order_id": order.pk, "outcome": "failed", "next_reason": "区级"},
    )  # fmt: skip
    assert response.status_code == 400
    assert order.dispute_steps.get().outcome == ""


def test_cluster_alerts_through_the_api(world, api):
    alert = ClusterAlert.objects.create(estate=world.estate_a,
                                        category=Category.objects.get(code="service"),
                                        region_code=world.estate_a.region_code,
                                        day=timezone.localdate(), count=5)  # fmt: skip
    street = api(world.people.street_a_officer)
    listed = street("get", "/orders/cluster-alerts", handled="false").json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    empty = street("post", f"/orders/cluster-alerts/{alert.pk}/handle", {"note": ""})
    assert empty.status_code == 400
    assert "note" in empty.json()["errors"]
    done = street("post", f"/orders/cluster-alerts/{alert.pk}/handle", {"note": "已约谈物业"})
    assert done.status_code == 200
    assert (done.json()["handled"], done.json()["note"]) == (True, "已约谈物业")
    assert street("get", "/orders/cluster-alerts", handled="false").json()["items"] == []
    twice = street("post", f"/orders/cluster-alerts/{alert.pk}/handle", {"note": "再次"})
    assert twice.status_code == 400
