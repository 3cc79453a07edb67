"""The work-order API: scope, registration, dispatch, every move, protection of complainants."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders.models import Assignment, DisputeStep, Event, Extension, Visit, WorkOrder

V1 = "/api/v1"


class Api:
    """JSON requests as one persona (browser session)."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    def get(self, path, **params):
        return self.client.get(V1 + path, params)

    def post(self, path, payload=None):
        return self.client.post(V1 + path, payload or {}, content_type="application/json")


@pytest.fixture
def api(world):
    def _as(persona: str) -> Api:
        return Api(getattr(world.people, persona))

    return _as


def order_in(world, **extra):
    data = {
        "channel": "phone",
        "category": "fire.exit_blocked",
        "estate_id": world.estate_a.pk,
        "title": "3栋消防通道被堵",
        "content": "电动车堆满消防通道。",
        "complainant_name": "李四",
        "complainant_phone": "13812345678",
    }
    data.update(extra)
    return data


def register(api, world, persona="street_a_officer", **extra):
    response = api(persona).post("/orders", order_in(world, **extra))
    assert response.status_code == 201, response.content
    return response.json()


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["items"])


# -- categories ------------------------------------------------------------------------------


def test_categories_form_a_tree_with_deadline_classes(world, api):
    response = api("owner_unit_101").get("/orders/categories")

    assert response.status_code == 200
    by_code = {c["code"]: c for c in response.json()}
    leaf = by_code["fire.exit_blocked"]
    assert leaf["parent"] == "fire"
    assert leaf["leaf"] is True
    assert leaf["deadline_class"] == "urgent"
    assert leaf["kind"] == "report"
    assert by_code["fire"]["parent"] is None
    assert by_code["fire"]["leaf"] is False


def test_categories_need_the_orders_view(world, api):
    assert api("committee_a_member").get("/orders/categories").status_code == 403


# -- scope -----------------------------------------------------------------------------------


def test_the_list_shows_each_persona_its_own_orders(world, api):
    # given: a fire exit in estate A (fire brigade leads, company X assists), a service
    # complaint in estate B (company Y leads) and a fire exit in the neighbouring district
    fire_a = register(api, world)["id"]
    service_b = register(
        api, world, "street_b_officer", category="service.attitude", estate_id=world.estate_b.pk
    )["id"]
    fire_n = register(api, world, "neighbour_admin", estate_id=world.estate_n.pk)["id"]

    # then
    assert ids(api("district_admin").get("/orders")) == sorted([fire_a, service_b])
    assert ids(api("auditor").get("/orders")) == sorted([fire_a, service_b])
    assert ids(api("street_a_officer").get("/orders")) == [fire_a]
    assert ids(api("street_b_officer").get("/orders")) == [service_b]
    assert ids(api("fire_handler").get("/orders")) == [fire_a]
    assert ids(api("company_x_manager").get("/orders")) == [fire_a]
    assert ids(api("company_y_manager").get("/orders")) == [service_b]
    assert ids(api("neighbour_admin").get("/orders")) == [fire_n]
    assert ids(api("fire_n_handler").get("/orders")) == [fire_n]
    assert ids(api("owner_unit_101").get("/orders")) == []
    assert api("committee_a_member").get("/orders").status_code == 403


def test_list_items_carry_the_summary_fields(world, api):
    created = register(api, world)

    [item] = api("street_a_officer").get("/orders").json()["items"]

    assert item["number"] == created["number"]
    assert item["state"] == "dispatched"
    assert item["category_code"] == "fire.exit_blocked"
    assert item["estate_id"] == world.estate_a.pk
    assert item["estate_name"] == world.estate_a.name
    assert item["region_code"] == world.a1.code
    assert item["lead_unit"] == world.fire.name
    assert item["feedback_due"] is not None


def test_list_filters(world, api):
    fire = register(api, world)
    service = register(api, world, category="service.attitude", title="保安态度恶劣")
    plain = register(api, world, category="service.attitude", title="无人清扫", auto_dispatch=False)
    WorkOrder.objects.filter(pk=fire["id"]).update(feedback_due=timezone.now() - timedelta(hours=1))
    client = api("district_admin")

    assert ids(client.get("/orders", category="fire")) == [fire["id"]]
    assert ids(client.get("/orders", category="service.attitude")) == sorted(
        [service["id"], plain["id"]]
    )
    assert ids(client.get("/orders", state="registered")) == [plain["id"]]
    assert ids(client.get("/orders", q="保安")) == [service["id"]]
    assert ids(client.get("/orders", q=fire["number"])) == [fire["id"]]
    assert ids(client.get("/orders", overdue="true")) == [fire["id"]]
    assert fire["id"] not in ids(client.get("/orders", overdue="false"))
    assert ids(client.get("/orders", estate_id=world.estate_b.pk)) == []
    assert ids(client.get("/orders", channel="hotline")) == []


def test_the_neighbour_gets_404_everywhere_and_nothing_is_written(world, api):
    order = register(api, world, auto_dispatch=False)
    AuditEvent.objects.all().delete()
    events = Event.objects.count()
    neighbour = api("neighbour_admin")
    lead = {"kind": "dept:fire", "department_id": world.fire.pk}

    responses = [
        neighbour.get(f"/orders/{order['id']}"),
        neighbour.get(f"/orders/{order['id']}/suggestion"),
        neighbour.post(f"/orders/{order['id']}/dispatch", {"lead": lead}),
        neighbour.post(f"/orders/{order['id']}/actions/reject", {"reason": "不属实"}),
        neighbour.get("/orders/999999"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert Event.objects.count() == events
    assert not AuditEvent.objects.exists()
    assert WorkOrder.objects.get(pk=order["id"]).state == "registered"


# -- registration ----------------------------------------------------------------------------


def test_register_with_auto_dispatch(world, api):
    body = register(api, world)

    order = WorkOrder.objects.get(pk=body["id"])
    assert order.state == body["state"] == "dispatched"
    assert body["number"].startswith("GD")
    assert body["title"] == "3栋消防通道被堵"
    assert body["content"] == "电动车堆满消防通道。"
    assert body["deadline_class"] == "urgent"
    assert body["complainant"] == {
        "name": "李四",
        "phone_masked": "138****5678",
        "anonymous": False,
    }
    roles = {(a["role"], a["unit"]) for a in body["assignments"]}
    assert roles == {("lead", world.fire.name), ("co", world.company_x.name)}
    lead = next(a for a in body["assignments"] if a["role"] == "lead")
    assert all(lead[clock] for clock in ("sign_due", "contact_due", "feedback_due"))
    assert lead["feedback_due"] == body["feedback_due"]
    # Urgent: two hours around the clock, nothing to explain.
    assert body["due_explanation"] == []
    assert [e["action"] for e in body["events"]] == ["register", "dispatch"]
    assert body["events"][0]["actor"] == str(world.people.street_a_officer)
    assert body["events"][1]["as_role"] == "system"
    # The street's officer registered it: may merge it or withdraw it, not sign it.
    allowed = {a["action"] for a in body["allowed_actions"]}
    assert "sign" not in allowed
    assert "withdraw" in allowed
    assert AuditEvent.objects.filter(action="workorders.dispatch").count() == 1


def test_the_detail_explains_deadlines_counted_in_working_time(world, api):
    directive = register(api, world, channel="directive", category="service.attitude")
    general = register(api, world, category="service.attitude")

    assert directive["deadline_class"] == "directive"  # five working days
    assert directive["due_explanation"]
    assert directive["due_explanations"]["feedback"] == directive["due_explanation"]
    assert general["due_explanations"]["contact"]  # one working day
    assert general["due_explanations"]["sign"]  # four working hours


def test_register_without_auto_dispatch_then_suggest_and_dispatch(world, api):
    body = register(api, world, auto_dispatch=False)
    assert body["state"] == "registered"
    assert body["assignments"] == []
    assert {a["action"] for a in body["allowed_actions"]} >= {"dispatch", "answer", "reject"}
    client = api("street_a_officer")

    suggestion = client.get(f"/orders/{body['id']}/suggestion").json()

    assert suggestion["lead"]["kind"] == "dept:fire"
    assert suggestion["lead"]["department_id"] == world.fire.pk
    assert suggestion["lead"]["label"] == world.fire.name
    assert [u["company_id"] for u in suggestion["co"]] == [world.company_x.pk]
    assert "dept:police" in suggestion["unresolved"]
    assert suggestion["basis"]
    assert suggestion["rule_category"] == "fire.exit_blocked"

    # when: the suggested units, passed back unchanged
    response = client.post(
        f"/orders/{body['id']}/dispatch",
        {"lead": suggestion["lead"], "co": suggestion["co"]},
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "dispatched"
    dispatch = Event.objects.get(order_id=body["id"], action="dispatch")
    assert dispatch.actor == world.people.street_a_officer
    assert dispatch.payload["basis"] == suggestion["basis"]


def test_an_owner_reports_with_the_owner_channel_only(world, api):
    body = register(api, world, "owner_unit_101", channel="owner", complainant_name="")

    assert body["state"] == "dispatched"
    assert WorkOrder.objects.get(pk=body["id"]).complainant_user == world.people.owner_unit_101
    assert ids(api("owner_unit_101").get("/orders")) == [body["id"]]
    assert {a["action"] for a in body["allowed_actions"]} == {"withdraw"}
    refused = api("owner_unit_101").post("/orders", order_in(world))
    assert refused.status_code == 403
    elsewhere = api("owner_unit_101").post(
        "/orders", order_in(world, channel="owner", estate_id=world.estate_b.pk)
    )
    assert elsewhere.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "no.such"}, "category"),
        ({"category": "fire"}, "category"),  # a group, not a leaf
        ({"complainant_name": "", "complainant_phone": ""}, "complainant_phone"),
        ({"title": ""}, "title"),
        ({"channel": "pigeon"}, "channel"),
        ({"estate_id": None}, "estate_id"),
        ({"estate_id": None, "region_id": 999999}, "region_id"),
        ("building_b", "building_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, api, change, field):
    if change == "building_b":  # a building in scope, but not in the estate named
        change = {"building_id": world.building_a.pk, "estate_id": world.estate_a2.pk}
    response = api("street_a_officer").post("/orders", order_in(world, **change))

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"]
    assert body["detail"]
    assert not WorkOrder.objects.exists()
    assert not Event.objects.exists()
    assert not AuditEvent.objects.exists()


def test_field_errors_are_in_chinese(world, api):
    response = api("street_a_officer").post("/orders", order_in(world, title=""))

    assert response.json()["errors"]["title"] == ["此字段不能为空。"]


def test_an_estate_outside_the_area_is_404(world, api):
    response = api("street_b_officer").post("/orders", order_in(world))

    assert response.status_code == 404
    assert not WorkOrder.objects.exists()


def test_a_12345_number_is_registered_once(world, api):
    register(api, world, channel="hotline", source_ref="12345-0001")

    response = api("street_a_officer").post(
        "/orders", order_in(world, channel="hotline", source_ref="12345-0001")
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["source_ref"]
    assert WorkOrder.objects.count() == 1


def test_roles_without_intake_may_not_register(world, api):
    for persona in ("company_x_manager", "auditor", "fire_handler"):
        assert api(persona).post("/orders", order_in(world)).status_code == 403
    assert not WorkOrder.objects.exists()


# -- moves -----------------------------------------------------------------------------------


def test_the_whole_life_of_an_order_over_the_api(world, api):
    # given
    order = register(api, world, auto_dispatch=False)
    path = f"/orders/{order['id']}"
    fire = api("fire_handler")
    admin = api("district_admin")

    # when: dispatched by the street to the fire brigade, with company X assisting
    dispatched = api("street_a_officer").post(
        f"{path}/dispatch",
        {
            "lead": {"kind": "dept:fire", "department_id": world.fire.pk},
            "co": [{"kind": "company", "company_id": world.company_x.pk}],
        },
    )
    assert dispatched.status_code == 200, dispatched.content
    assert {a["action"] for a in fire.get(path).json()["allowed_actions"]} == {
        "sign",
        "request_return",
    }

    # the brigade signs, contacts the complainant and reports back
    assert fire.post(f"{path}/actions/sign").json()["state"] == "signed"
    assert fire.post(f"{path}/actions/contact").json()["state"] == "in_progress"
    feedback = fire.post(
        f"{path}/actions/submit_feedback", {"result": "solved", "reply": "已清理通道"}
    )
    assert feedback.json()["state"] == "feedback_submitted"

    # the district approves, visits and closes
    assert admin.post(f"{path}/actions/approve_feedback").json()["state"] == "pending_visit"
    closed = admin.post(f"{path}/actions/close", {"rating": "satisfied"})

    # then
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["state"] == "closed"
    assert body["closed_at"] is not None
    assert body["reply"] == "已清理通道"
    assert [e["action"] for e in body["events"]] == [
        "register",
        "dispatch",
        "sign",
        "contact",
        "submit_feedback",
        "approve_feedback",
        "close",
    ]
    lead = Assignment.objects.get(order_id=order["id"], role="lead")
    assert all((lead.signed_at, lead.contacted_at, lead.feedback_at))
    assert AuditEvent.objects.filter(action="workorders.close").count() == 1
    assert "reopen" in {a["action"] for a in admin.get(path).json()["allowed_actions"]}


def test_an_illegal_move_is_409_and_writes_nothing(world, api):
    order = register(api, world)
    path = f"/orders/{order['id']}/actions"
    events = Event.objects.count()

    not_the_lead = api("street_a_officer").post(f"{path}/sign")
    too_early = api("fire_handler").post(f"{path}/submit_feedback", {"result": "solved"})
    no_reason = api("fire_handler").post(f"{path}/request_return")

    assert not_the_lead.status_code == 409
    assert not_the_lead.json()["detail"]
    assert too_early.status_code == 409
    assert no_reason.status_code == 409
    assert Event.objects.count() == events
    assert WorkOrder.objects.get(pk=order["id"]).state == "dispatched"


def test_a_dispatch_of_a_dispatched_order_is_409(world, api):
    order = register(api, world)
    lead = {"kind": "dept:fire", "department_id": world.fire.pk}

    response = api("street_a_officer").post(f"/orders/{order['id']}/dispatch", {"lead": lead})

    assert response.status_code == 409


def test_without_a_role_on_the_order_the_move_is_403(world, api):
    order = register(api, world)
    registered = register(api, world, auto_dispatch=False)
    lead = {"kind": "dept:fire", "department_id": world.fire.pk}

    auditor = api("auditor").post(f"/orders/{order['id']}/actions/sign")
    co_unit = api("company_x_manager").post(f"/orders/{order['id']}/actions/sign")
    community = api("community_a1_worker").post(
        f"/orders/{registered['id']}/dispatch", {"lead": lead}
    )
    suggestion = api("company_x_manager").get(f"/orders/{order['id']}/suggestion")

    assert [auditor.status_code, co_unit.status_code, community.status_code] == [403, 403, 403]
    assert suggestion.status_code == 403
    assert WorkOrder.objects.get(pk=registered["id"]).state == "registered"


def test_units_are_checked_against_the_district(world, api):
    order = register(api, world, auto_dispatch=False)
    client = api("street_a_officer")
    path = f"/orders/{order['id']}/dispatch"

    foreign = client.post(path, {"lead": {"kind": "street", "region_id": world.n_street.pk}})
    wrong_kind = client.post(
        path, {"lead": {"kind": "dept:police", "department_id": world.fire.pk}}
    )
    twice = client.post(
        path,
        {
            "lead": {"kind": "street", "region_id": world.street_a.pk},
            "co": [{"kind": "street", "region_id": world.street_a.pk}],
        },
    )

    assert foreign.status_code == 400
    assert "lead" in foreign.json()["errors"]
    assert wrong_kind.status_code == 400
    assert twice.status_code == 400
    assert WorkOrder.objects.get(pk=order["id"]).state == "registered"


def test_a_return_goes_to_the_unit_named(world, api):
    order = register(api, world)
    path = f"/orders/{order['id']}/actions"
    api("fire_handler").post(
        f"{path}/request_return", {"reason": "属物业管理范围", "legal_basis": "《物业管理条例》"}
    )

    response = api("district_admin").post(
        f"{path}/approve_return", {"unit": {"kind": "company", "company_id": world.company_x.pk}}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "dispatched"
    assert body["lead_unit"] == world.company_x.name
    assert "sign" in {a["action"] for a in api("company_x_manager").get(
        f"/orders/{order['id']}").json()["allowed_actions"]}  # fmt: skip


def test_merge_names_the_master_by_number(world, api):
    master = register(api, world)
    duplicate = register(api, world, auto_dispatch=False)
    path = f"/orders/{duplicate['id']}/actions/merge"

    unknown = api("street_a_officer").post(path, {"master_number": "GD000"})
    merged = api("street_a_officer").post(path, {"master_number": master["number"]})

    assert unknown.status_code == 400
    assert "master_number" in unknown.json()["errors"]
    assert merged.status_code == 200, merged.content
    assert merged.json()["state"] == "merged"
    assert merged.json()["master_id"] == master["id"]


def test_an_unknown_action_is_refused(world, api):
    order = register(api, world)

    response = api("fire_handler").post(f"/orders/{order['id']}/actions/teleport")

    assert response.status_code == 422


# -- protecting the complainant --------------------------------------------------------------


def test_the_company_complained_about_never_learns_who_complained(world, api):
    # given: a complaint about company X, which the matrix makes the lead unit
    body = register(
        api,
        world,
        "owner_unit_101",
        channel="owner",
        category="service.attitude",
        concerns_company=True,
        complainant_name="王五",
        complainant_phone="13987654321",
    )
    assert body["lead_unit"] == world.company_x.name

    # when
    response = api("company_x_manager").get(f"/orders/{body['id']}")

    # then
    assert response.status_code == 200
    seen = response.json()
    assert seen["complainant"] == {"name": None, "phone_masked": "139****4321", "anonymous": False}
    assert seen["events"][0]["actor"] is None  # the owner's own registration
    text = response.content.decode()
    assert "王五" not in text
    assert "13987654321" not in text
    assert str(world.people.owner_unit_101) not in text
    assert "sign" in {a["action"] for a in seen["allowed_actions"]}
    # The street sees the name, still not the whole phone.
    street = api("street_a_officer").get(f"/orders/{body['id']}")
    assert street.json()["complainant"]["name"] == "王五"
    assert "13987654321" not in street.content.decode()


def test_phones_are_masked_in_every_answer(world, api):
    body = register(api, world)
    listed = api("district_admin").get("/orders")
    shown = api("district_admin").get(f"/orders/{body['id']}")

    for response in (listed, shown):
        assert "13812345678" not in response.content.decode()
    assert "13812345678" not in str(body)


# -- the schema ------------------------------------------------------------------------------


def test_openapi_lists_the_work_order_operations(client, db):
    schema = client.get("/api/openapi.json").json()

    operations = {
        (method, path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "work orders" in op.get("tags", [])
    }
    assert operations == {
        ("get", "/api/v1/orders/categories"),
        ("get", "/api/v1/orders"),
        ("post", "/api/v1/orders"),
        ("get", "/api/v1/orders/{order_id}"),
        ("get", "/api/v1/orders/{order_id}/suggestion"),
        ("post", "/api/v1/orders/{order_id}/dispatch"),
        ("post", "/api/v1/orders/{order_id}/actions/{action}"),
        ("get", "/api/v1/orders/{order_id}/extensions"),
        ("post", "/api/v1/orders/{order_id}/extensions"),
        ("post", "/api/v1/orders/extensions/{extension_id}/decision"),
        ("get", "/api/v1/orders/{order_id}/disputes"),
        ("post", "/api/v1/orders/{order_id}/disputes/escalate"),
        ("post", "/api/v1/orders/{order_id}/disputes/record"),
        ("post", "/api/v1/orders/disputes/steps/{step_id}/performance"),
        ("post", "/api/v1/orders/{order_id}/visit-calls"),
        ("get", "/api/v1/orders/figures"),
        ("get", "/api/v1/orders/{order_id}/photos"),
        ("post", "/api/v1/orders/{order_id}/photos"),
        ("get", "/api/v1/orders/photos/{photo_id}/file"),
        ("post", "/api/v1/orders/{order_id}/visit-link/send"),
        # Reference data, joint meetings and cluster alerts (config_api, meeting_api).
        ("post", "/api/v1/orders/categories"),
        ("patch", "/api/v1/orders/categories/{category_id}"),
        ("get", "/api/v1/orders/deadline-config"),
        ("patch", "/api/v1/orders/deadline-config"),
        ("get", "/api/v1/orders/matrix"),
        ("post", "/api/v1/orders/matrix"),
        ("patch", "/api/v1/orders/matrix/{rule_id}"),
        ("get", "/api/v1/orders/meetings"),
        ("post", "/api/v1/orders/meetings"),
        ("get", "/api/v1/orders/meetings/{meeting_id}"),
        ("post", "/api/v1/orders/meetings/{meeting_id}/agenda"),
        ("post", "/api/v1/orders/meetings/{meeting_id}/outcomes"),
        ("get", "/api/v1/orders/cluster-alerts"),
        ("post", "/api/v1/orders/cluster-alerts/{alert_id}/handle"),
        # The figures' weights and monthly snapshots (figures_api).
        ("get", "/api/v1/orders/figures/weights/{district_id}"),
        ("post", "/api/v1/orders/figures/weights/{district_id}"),
        ("get", "/api/v1/orders/figures/snapshots"),
        ("post", "/api/v1/orders/figures/snapshots"),
        ("get", "/api/v1/orders/figures/snapshots/{snapshot_id}"),
        ("post", "/api/v1/orders/figures/snapshots/{snapshot_id}/publish"),
    }
    act = schema["paths"]["/api/v1/orders/{order_id}/actions/{action}"]["post"]
    assert "409" in act["responses"]
    assert all(schema["paths"][p][m].get("description") for m, p in operations)


# -- extensions, disputes, return-visit calls, figures -----------------------------------------


def handled(api, world, until="signed"):
    """A cleaning complaint in estate A, led by company X, moved on over the API until the
    state named: signed, in_progress or pending_visit."""
    order = register(api, world, category="service.cleaning", title="楼道垃圾未清运")
    path = f"/orders/{order['id']}/actions"
    company = api("company_x_manager")
    steps = [(company, "sign", {})]
    if until in ("in_progress", "pending_visit"):
        steps.append((company, "contact", {}))
    if until == "pending_visit":
        steps.append((company, "submit_feedback", {"result": "solved", "reply": "已清运"}))
        steps.append((api("district_admin"), "approve_feedback", {}))
    for client, action, payload in steps:
        response = client.post(f"{path}/{action}", payload)
        assert response.status_code == 200, response.content
    assert response.json()["state"] == until
    return order


def written():
    """What a refused request must leave untouched."""
    return (
        Event.objects.count(),
        AuditEvent.objects.count(),
        Extension.objects.count(),
        DisputeStep.objects.count(),
        list(Visit.objects.values_list("attempts", "answered_at")),
        list(WorkOrder.objects.values_list("state", "dispute_level", "feedback_due")),
    )


def test_an_extension_is_asked_for_once_and_decided_by_the_supervisor(world, api):
    order = handled(api, world)
    company = api("company_x_manager")
    path = f"/orders/{order['id']}/extensions"

    asked = company.post(path, {"days": 3, "reason": "需采购配件"})

    assert asked.status_code == 201, asked.content
    extension = asked.json()
    assert extension["days"] == 3
    assert extension["reason"] == "需采购配件"
    assert extension["unit"] == world.company_x.name
    assert extension["approved"] is None
    assert extension["requested_by"] == str(world.people.company_x_manager)
    assert [e["id"] for e in api("street_a_officer").get(path).json()] == [extension["id"]]
    before = written()

    again = company.post(path, {"days": 2, "reason": "再延期"})
    own = company.post(f"/orders/extensions/{extension['id']}/decision", {"approve": True})

    assert again.status_code == 409
    assert again.json()["detail"]
    assert own.status_code == 403
    assert written() == before

    decided = api("district_admin").post(
        f"/orders/extensions/{extension['id']}/decision", {"approve": True}
    )

    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["approved"] is True
    assert body["decided_by"] == str(world.people.district_admin)
    assert body["new_due"] is not None
    stored = WorkOrder.objects.get(pk=order["id"])
    # (JSON carries milliseconds)
    assert abs(stored.feedback_due - datetime.fromisoformat(body["new_due"])) < timedelta(
        milliseconds=1
    )
    assert stored.feedback_due > datetime.fromisoformat(body["old_due"])
    twice = api("district_admin").post(
        f"/orders/extensions/{extension['id']}/decision", {"approve": False}
    )
    assert twice.status_code == 409
    assert Extension.objects.get().approved is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"days": 3, "reason": " "}, "reason"), ({"days": 30, "reason": "x"}, "days")],
)
def test_a_bad_extension_request_is_400_and_writes_nothing(world, api, payload, field):
    order = handled(api, world)
    before = written()

    response = api("company_x_manager").post(f"/orders/{order['id']}/extensions", payload)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert written() == before


def test_an_extension_of_an_order_not_being_handled_is_409(world, api):
    order = register(api, world, category="service.cleaning")  # dispatched, not signed

    response = api("company_x_manager").post(
        f"/orders/{order['id']}/extensions", {"days": 2, "reason": "x"}
    )

    assert response.status_code == 409
    assert not Extension.objects.exists()


def test_a_dispute_goes_up_a_level_then_settles_and_is_followed_up(world, api):
    order = handled(api, world, "in_progress")
    admin = api("district_admin")
    path = f"/orders/{order['id']}/disputes"

    escalated = admin.post(f"{path}/escalate", {"reason": "收费争议，双方分歧大"})

    assert escalated.status_code == 200, escalated.content
    assert escalated.json()["state"] == "escalated"
    [step] = admin.get(path).json()
    assert (step["level"], step["outcome"], step["next_reason"]) == (1, "", "收费争议，双方分歧大")
    assert step["level_label"]
    assert step["due"] is not None

    # a failure needs the reason to go on: 400, nothing written
    before = written()
    met_at = timezone.now().isoformat()
    no_reason = admin.post(f"{path}/record", {"outcome": "failed", "met_at": met_at})
    no_date = admin.post(f"{path}/record", {"outcome": "failed", "next_reason": "x"})
    assert no_reason.status_code == 400
    assert "next_reason" in no_reason.json()["errors"]
    assert no_date.status_code == 400
    assert "met_at" in no_date.json()["errors"]
    assert written() == before

    # the street officer, a mediator of the area, records the street meeting's failure
    failed = api("street_a_officer").post(
        f"{path}/record",
        {
            "outcome": "failed",
            "met_at": met_at,
            "participants": "街道、社区、物业、业委会",
            "minutes": "未达成一致",
            "next_reason": "提交区级联席会议",
        },
    )
    assert failed.status_code == 200, failed.content
    assert failed.json()["dispute_level"] == 2
    agreed = admin.post(
        f"{path}/record",
        {"outcome": "agreed", "met_at": met_at, "agreement": "物业退还多收费用 300 元"},
    )
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["state"] == "feedback_submitted"

    steps = admin.get(path).json()
    assert [(s["level"], s["outcome"]) for s in steps] == [(1, "failed"), (2, "agreed")]
    assert steps[0]["minutes"] == "未达成一致"
    assert steps[1]["performance"] == "pending"
    performance = f"/orders/disputes/steps/{steps[1]['id']}/performance"
    unknown = admin.post(performance, {"performance": "maybe"})
    no_agreement = admin.post(
        f"/orders/disputes/steps/{steps[0]['id']}/performance", {"performance": "performed"}
    )
    performed = admin.post(performance, {"performance": "performed"})
    assert unknown.status_code == 400
    assert no_agreement.status_code == 400
    assert performed.status_code == 200, performed.content
    assert performed.json()["performance"] == "performed"
    assert DisputeStep.objects.get(pk=steps[0]["id"]).performance == ""

    # settled: no longer in a state that can be escalated, nor has an open level
    again = admin.post(f"{path}/escalate", {"reason": "再次升级"})
    closed_level = admin.post(
        f"{path}/record", {"outcome": "failed", "met_at": met_at, "next_reason": "x"}
    )
    assert again.status_code == 409
    assert again.json()["detail"]
    assert closed_level.status_code == 400


def test_an_escalation_needs_a_reason_and_an_order_in_progress(world, api):
    order = handled(api, world, "in_progress")
    registered = register(api, world, category="service.cleaning", auto_dispatch=False)
    before = written()

    blank = api("district_admin").post(f"/orders/{order['id']}/disputes/escalate", {"reason": " "})
    too_early = api("district_admin").post(
        f"/orders/{registered['id']}/disputes/escalate", {"reason": "争议"}
    )

    assert blank.status_code == 400
    assert "reason" in blank.json()["errors"]
    assert too_early.status_code == 409
    assert written() == before


def test_the_visitor_calls_until_the_complainant_answers(world, api):
    order = handled(api, world, "pending_visit")
    visitor = api("community_a1_worker")
    path = f"/orders/{order['id']}/visit-calls"

    missed = visitor.post(path, {"reached": False})
    assert missed.status_code == 200, missed.content
    assert missed.json()["state"] == "pending_visit"
    assert Visit.objects.get(order_id=order["id"]).attempts == 1

    before = written()
    unrated = visitor.post(path, {"reached": True, "solved": True})
    assert unrated.status_code == 400
    assert "satisfaction" in unrated.json()["errors"]
    assert written() == before

    reached = visitor.post(
        path, {"reached": True, "solved": True, "satisfaction": "satisfied", "comment": "满意"}
    )
    assert reached.status_code == 200, reached.content
    assert reached.json()["state"] == "closed"
    visit = Visit.objects.get(order_id=order["id"])
    assert (visit.satisfaction, visit.solved, visit.method) == ("satisfied", True, "phone")
    assert visit.visitor == world.people.community_a1_worker

    late = visitor.post(path, {"reached": False})
    assert late.status_code == 409
    assert late.json()["detail"]


def _dispute_objects(api, world):
    """An order with an extension asked for, one escalated with an agreement to follow up,
    and one awaiting its return visit: ids for every new operation."""
    signed = handled(api, world)
    extension = api("company_x_manager").post(
        f"/orders/{signed['id']}/extensions", {"days": 2, "reason": "需采购配件"}
    )
    disputed = handled(api, world, "in_progress")
    admin = api("district_admin")
    admin.post(f"/orders/{disputed['id']}/disputes/escalate", {"reason": "争议"})
    admin.post(
        f"/orders/{disputed['id']}/disputes/record",
        {"outcome": "agreed", "met_at": timezone.now().isoformat(), "agreement": "退费"},
    )
    visiting = handled(api, world, "pending_visit")
    return {
        "signed": signed["id"],
        "extension": extension.json()["id"],
        "disputed": disputed["id"],
        "step": DisputeStep.objects.get(order_id=disputed["id"]).pk,
        "visiting": visiting["id"],
    }


def _new_operations(o):
    return [
        ("get", f"/orders/{o['signed']}/extensions", None),
        ("post", f"/orders/{o['signed']}/extensions", {"days": 1, "reason": "x"}),
        ("post", f"/orders/extensions/{o['extension']}/decision", {"approve": True}),
        ("get", f"/orders/{o['disputed']}/disputes", None),
        ("post", f"/orders/{o['visiting']}/disputes/escalate", {"reason": "争议"}),
        (
            "post",
            f"/orders/{o['disputed']}/disputes/record",
            {"outcome": "withdrawn", "met_at": timezone.now().isoformat()},
        ),
        ("post", f"/orders/disputes/steps/{o['step']}/performance", {"performance": "breached"}),
        ("post", f"/orders/{o['visiting']}/visit-calls", {"reached": False}),
    ]


@pytest.mark.parametrize("persona", ["neighbour_admin", "fire_n_handler"])
def test_the_neighbour_gets_404_on_the_new_operations_and_nothing_is_written(world, api, persona):
    objects = _dispute_objects(api, world)
    before = written()
    client = api(persona)

    responses = [
        client.get(path) if method == "get" else client.post(path, payload)
        for method, path, payload in _new_operations(objects)
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert written() == before


def test_without_the_right_role_the_new_operations_are_403(world, api):
    o = _dispute_objects(api, world)
    before = written()
    met_at = timezone.now().isoformat()

    refused = [
        api("auditor").post(f"/orders/{o['signed']}/extensions", {"days": 1, "reason": "x"}),
        api("company_x_manager").post(
            f"/orders/extensions/{o['extension']}/decision", {"approve": True}
        ),
        api("auditor").post(f"/orders/{o['visiting']}/disputes/escalate", {"reason": "争议"}),
        api("company_x_manager").post(
            f"/orders/{o['disputed']}/disputes/record", {"outcome": "withdrawn", "met_at": met_at}
        ),
        api("company_x_manager").post(
            f"/orders/disputes/steps/{o['step']}/performance", {"performance": "breached"}
        ),
        api("company_x_manager").post(f"/orders/{o['visiting']}/visit-calls", {"reached": False}),
        api("fire_handler").get("/orders/figures"),
        api("auditor").get("/orders/figures"),
        api("company_x_manager").get("/orders/figures"),
    ]

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all(r.json()["detail"] for r in refused)
    assert written() == before


def test_figures_count_the_orders_in_scope_by_street(world, api):
    register(api, world)
    register(api, world, category="service.attitude")
    register(
        api, world, "street_b_officer", category="service.attitude", estate_id=world.estate_b.pk
    )
    register(api, world, "neighbour_admin", estate_id=world.estate_n.pk)
    month = timezone.localdate().strftime("%Y-%m")

    district = api("district_admin").get("/orders/figures", month=month, group="street")
    street = api("street_a_officer").get("/orders/figures", month=month)
    neighbour = api("neighbour_admin").get("/orders/figures", month=month)

    assert district.status_code == 200, district.content
    body = district.json()
    assert (body["month"], body["group"]) == (month, "street")
    by_key = {item["key"]: item for item in body["items"]}
    assert set(by_key) == {world.street_a.code[:9], world.street_b.code[:9]}
    street_a = by_key[world.street_a.code[:9]]
    assert street_a["label"] == world.street_a.name
    assert street_a["counts"]["created"] == 2
    assert street_a["counts"]["dispatched"] == 2
    assert street_a["rates"]["rejected"] == "0.0000"
    assert street_a["rates"]["satisfaction"] is None
    assert street_a["rank"] is None  # no ratings yet
    assert [i["key"] for i in street.json()["items"]] == [world.street_a.code[:9]]
    assert [i["key"] for i in neighbour.json()["items"]] == [world.n_street.code[:9]]


def test_figures_group_by_company_and_default_to_the_last_full_month(world, api):
    register(api, world, category="service.attitude")
    client = api("district_admin")

    by_company = client.get(
        "/orders/figures", month=timezone.localdate().strftime("%Y-%m"), group="company"
    ).json()
    default = client.get("/orders/figures")

    assert [(i["key"], i["label"]) for i in by_company["items"]] == [
        (str(world.company_x.pk), world.company_x.name)
    ]
    assert default.status_code == 200
    assert default.json()["month"] < timezone.localdate().strftime("%Y-%m")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"month": "2026-13"}, "month"), ({"month": "March"}, "month"), ({"group": "x"}, "group")],
)
def test_figures_refuse_a_bad_month_or_group(world, api, params, field):
    response = api("district_admin").get("/orders/figures", **params)

    assert response.status_code == 400
    assert field in response.json()["errors"]
