"""Work-order pages: the list and a unit's inbox, intake, an owner's report, the order page with
its action forms, dispatch, and the protection of the complainant.

Assertions rest on data (order numbers, names, states in the database) and data-testid
attributes rather than on the wording of our own strings, which the translators may change.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from anju.core.models import AuditEvent
from anju.core.pii import mask
from anju.core.worktime import explain
from anju.regions.models import Department
from anju.workorders import machine, services
from anju.workorders.machine import Act, Actor, IllegalTransition, State
from anju.workorders.models import Assignment, Category, Channel, Event, WorkOrder
from tests.helpers import HTMX, table_rows, workbook_rows, workbook_text

PHONE = "13812345678"
NAME = "李投诉"


def make_order(world, actor=None, code="fire.exit_blocked", estate=None, dispatch=True, **extra):
    """Register an order through the service (and dispatch it by the matrix)."""
    data = {
        "channel": Channel.PHONE,
        "category": Category.objects.get(code=code),
        "estate": estate or world.estate_a,
        "title": "3栋消防通道被堵",
        "content": "电动车堆满消防通道。",
        "complainant_name": NAME,
        "complainant_phone": PHONE,
    }
    data.update(extra)
    order = services.register(actor=actor or world.people.street_a_officer, data=data)
    if dispatch:
        services.auto_dispatch(order)
    order.refresh_from_db()
    return order


def owner_order(world, **extra):
    extra.setdefault("channel", Channel.OWNER)
    extra.setdefault("code", "service.cleaning")
    return make_order(world, actor=world.people.owner_unit_101, **extra)


@pytest.fixture
def orders(world):
    """One order per place: street A (fire exit), street B (cleaning, company Y), the
    neighbouring district (fire exit), and the owner of 101's own complaint (company X)."""
    return {
        "a": make_order(world),
        "b": make_order(
            world,
            actor=world.people.street_b_officer,
            estate=world.estate_b,
            code="service.cleaning",
            title="东风苑垃圾未清运",
        ),
        "n": make_order(world, actor=world.people.neighbour_admin, estate=world.estate_n),
        "owner": owner_order(world, title="楼道没人打扫"),
    }


def numbers(response) -> set[str]:
    return {row[0] for row in table_rows(response)}


# -- the list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", {"a", "b", "owner"}),
        ("auditor", {"a", "b", "owner"}),
        ("neighbour_admin", {"n"}),
        ("street_a_officer", {"a", "owner"}),
        ("street_b_officer", {"b"}),
        ("community_a1_worker", {"a", "owner"}),
        ("grid_a1_worker", {"a", "owner"}),
        ("fire_handler", {"a"}),
        ("fire_n_handler", {"n"}),
        ("company_x_manager", {"a", "owner"}),  # a co-unit of the fire exit, lead of "owner"
        ("company_y_manager", {"b"}),
        ("owner_unit_101", {"owner"}),
        ("owner_other_estate", set()),
    ],
)
def test_list_shows_only_the_orders_in_scope(world, orders, login, persona, expected):
    client = login(getattr(world.people, persona))
    response = client.get(reverse("workorders:list"))
    assert response.status_code == 200
    assert numbers(response) == {orders[k].number for k in expected}


def test_list_without_orders_view_is_refused(world, login):
    client = login(world.people.committee_a_member)
    assert client.get(reverse("workorders:list")).status_code == 403


def test_list_shows_the_lead_unit_and_marks_overdue_in_red(world, orders, login):
    WorkOrder.objects.filter(pk=orders["a"].pk).update(
        feedback_due=timezone.now() - timedelta(hours=1)
    )
    client = login(world.people.district_admin)
    response = client.get(reverse("workorders:list"))
    rows = {row[0]: row for row in table_rows(response)}
    assert rows[orders["a"].number][6] == world.fire.name
    assert rows[orders["b"].number][6] == world.company_y.name
    html = response.content.decode()
    assert html.count('data-testid="overdue"') == 1
    # Overdue only
    overdue = client.get(reverse("workorders:list"), {"overdue": "1"})
    assert numbers(overdue) == {orders["a"].number}
    # a closed order is never overdue
    WorkOrder.objects.filter(pk=orders["a"].pk).update(state=State.CLOSED)
    assert numbers(client.get(reverse("workorders:list"), {"overdue": "1"})) == set()


def test_list_filters_and_search(world, orders, login):
    client = login(world.people.district_admin)
    url = reverse("workorders:list")
    fire_group = Category.objects.get(code="fire")
    assert numbers(client.get(url, {"group": fire_group.pk})) == {orders["a"].number}
    assert numbers(client.get(url, {"channel": Channel.OWNER})) == {orders["owner"].number}
    assert numbers(client.get(url, {"street": world.street_b.code[:9]})) == {orders["b"].number}
    assert numbers(client.get(url, {"state": State.DISPATCHED})) == {
        orders[k].number for k in ("a", "b", "owner")
    }
    assert numbers(client.get(url, {"q": orders["b"].number})) == {orders["b"].number}
    assert numbers(client.get(url, {"q": "垃圾"})) == {orders["b"].number}
    partial = client.get(url, {"q": "垃圾"}, **HTMX)
    assert b"<html" not in partial.content
    assert numbers(partial) == {orders["b"].number}


def test_a_units_inbox_holds_its_open_orders(world, orders, login):
    # given: company X leads the owner's complaint and co-handles the fire exit
    client = login(world.people.company_x_manager)
    url = reverse("workorders:list")
    page = client.get(url)
    assert 'data-testid="inbox"' in page.content.decode()
    assert numbers(client.get(url, {"unit": "1"})) == {orders["a"].number, orders["owner"].number}

    # when the owner's complaint is closed, it leaves the inbox but stays in the list
    WorkOrder.objects.filter(pk=orders["owner"].pk).update(state=State.CLOSED)
    assert numbers(client.get(url, {"unit": "1"})) == {orders["a"].number}
    assert numbers(client.get(url)) == {orders["a"].number, orders["owner"].number}

    # and the fire brigade's inbox holds only what the brigade holds
    fire = login(world.people.fire_handler)
    assert numbers(fire.get(url, {"unit": "1"})) == {orders["a"].number}


def test_list_and_export_queries_do_not_grow_with_rows(world, orders, login):
    client = login(world.people.district_admin)
    url = reverse("workorders:list")
    client.get(url)

    def count(**params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(queries)

    few, few_export = count(), count(export="xlsx")
    for i in range(12):
        code = "service.cleaning" if i % 2 else "fire.exit_blocked"
        make_order(world, title=f"新增工单{i}", code=code)
    assert len(table_rows(client.get(url))) == 15
    assert count() == few
    assert count(export="xlsx") == few_export


# -- the order page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("street_a_officer", 200),
        ("fire_handler", 200),
        ("company_x_manager", 200),
        ("street_b_officer", 404),
        ("neighbour_admin", 404),
        ("fire_n_handler", 404),
        ("company_y_manager", 404),
        ("owner_unit_101", 404),
    ],
)
def test_detail_is_404_out_of_scope(world, orders, login, persona, status):
    client = login(getattr(world.people, persona))
    response = client.get(reverse("workorders:detail", args=[orders["a"].pk]))
    assert response.status_code == status
    if status == 404:
        assert orders["a"].title not in response.content.decode()


def test_detail_shows_units_clocks_and_timeline(world, orders, login):
    client = login(world.people.street_a_officer)
    response = client.get(reverse("workorders:detail", args=[orders["a"].pk]))
    html = response.content.decode()
    units = table_rows(response, "units")
    assert len(units) == 2
    assert units[0][0].startswith(world.fire.name)  # the lead first
    assert units[1][0].startswith(world.company_x.name)
    assert html.count('data-testid="clock-pending"') == 6  # nothing signed yet, nothing late
    assert html.count('data-testid="event"') == 2  # registered, dispatched
    assert orders["a"].number in html
    assert 'data-testid="due-explanation"' in html


def test_explanation_lines_are_shown(world, login):
    # A leader's directive: five working days, each day explained.
    order = make_order(world, channel=Channel.DIRECTIVE, source_ref="成办批〔2026〕1号")
    client = login(world.people.district_admin)
    html = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    lines = explain(order.due_trace["feedback"]["steps"])
    assert lines
    for line in lines:
        assert line in html
    for line in explain(order.due_trace["contact"]["steps"]):
        assert line in html


def test_the_action_forms_are_the_moves_the_user_may_make(world, orders, login):
    url = reverse("workorders:detail", args=[orders["a"].pk])
    fire = login(world.people.fire_handler).get(url).content.decode()
    assert 'data-testid="action-sign"' in fire
    assert 'data-testid="action-request_return"' in fire
    assert 'data-testid="action-merge"' not in fire
    admin = login(world.people.district_admin).get(url).content.decode()
    assert 'data-testid="action-sign"' not in admin
    assert 'data-testid="action-merge"' in admin
    auditor = login(world.people.auditor).get(url).content.decode()
    assert 'data-testid="actions"' not in auditor


def act(client, order, action, data=None):
    return client.post(reverse("workorders:act", args=[order.pk, action]), data or {}, follow=True)


def test_each_action_form_performs_its_move(world, orders, login):
    order = orders["a"]
    fire = login(world.people.fire_handler)

    act(fire, order, Act.SIGN)
    order.refresh_from_db()
    assert order.state == State.SIGNED

    act(fire, order, Act.CONTACT, {"method": "phone", "note": "已电话联系"})
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS

    response = act(fire, order, Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清理通道"})
    order.refresh_from_db()
    assert order.state == State.FEEDBACK_SUBMITTED
    assert order.reply == "已清理通道"
    assert "已清理通道" in response.content.decode()

    admin = login(world.people.district_admin)
    act(admin, order, Act.APPROVE_FEEDBACK)
    order.refresh_from_db()
    assert order.state == State.PENDING_VISIT

    response = act(admin, order, Act.CLOSE, {"solved": "yes", "rating": "satisfied"})
    order.refresh_from_db()
    assert order.state == State.CLOSED
    close = order.events.get(action=Act.CLOSE)
    assert close.payload["rating"] == "satisfied"
    assert close.actor == world.people.district_admin
    assert response.status_code == 200
    assert 'data-testid="order-state"' in response.content.decode()
    lead = order.assignments.get(role=Assignment.Role.LEAD, active=True)
    assert lead.signed_at
    assert lead.contacted_at
    assert lead.feedback_at
    assert AuditEvent.objects.filter(action="workorders.close").count() == 1


def _snapshot(order):
    order.refresh_from_db()
    return (
        order.state,
        Event.objects.filter(order=order).count(),
        AuditEvent.objects.count(),
        list(order.assignments.values_list("signed_at", "contacted_at", "feedback_at")),
    )


def test_a_refused_move_shows_the_message_and_writes_nothing(world, orders, login):
    order = orders["a"]
    fire = login(world.people.fire_handler)
    act(fire, order, Act.SIGN)
    before = _snapshot(order)

    # when: feedback before the contact with the complainant (the machine refuses)
    response = act(fire, order, Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已处理"})

    # then
    with pytest.raises(IllegalTransition) as refused:
        machine.find(Act.SUBMIT_FEEDBACK, State.SIGNED, Actor.UNIT_LEAD)
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert escape(str(refused.value.message)) in response.content.decode()
    assert _snapshot(order) == before

    # when: a move of another role (the street is only a co-unit)
    street = login(world.people.street_a_officer)
    response = act(street, order, Act.CONTACT, {"method": "phone"})
    assert 'class="alert alert-danger"' in response.content.decode()
    assert _snapshot(order) == before


def test_an_incomplete_form_shows_the_message_and_writes_nothing(world, orders, login):
    order = orders["a"]
    fire = login(world.people.fire_handler)
    before = _snapshot(order)

    # a return without its legal basis
    response = act(fire, order, Act.REQUEST_RETURN, {"reason": "不属我单位职责"})
    assert 'class="alert alert-danger"' in response.content.decode()
    assert _snapshot(order) == before

    # a close without a rating or an exemption
    WorkOrder.objects.filter(pk=order.pk).update(state=State.PENDING_VISIT)
    admin = login(world.people.district_admin)
    before = _snapshot(order)
    response = act(admin, order, Act.CLOSE, {"solved": "yes"})
    assert 'class="alert alert-danger"' in response.content.decode()
    assert _snapshot(order) == before


def test_act_is_post_only_and_knows_its_actions(world, orders, login):
    client = login(world.people.fire_handler)
    url = reverse("workorders:act", args=[orders["a"].pk, Act.SIGN])
    assert client.get(url).status_code == 405
    bad = reverse("workorders:act", args=[orders["a"].pk, "explode"])
    assert client.post(bad).status_code == 404
    other = login(world.people.fire_n_handler)
    assert other.post(url).status_code == 404
    auditor = login(world.people.auditor)
    assert auditor.post(url).status_code == 403
    orders["a"].refresh_from_db()
    assert orders["a"].state == State.DISPATCHED


def test_a_return_is_approved_with_a_new_unit(world, orders, login):
    order = orders["a"]
    fire = login(world.people.fire_handler)
    act(fire, order, Act.REQUEST_RETURN, {"reason": "非消防事项", "legal_basis": "消防法"})
    order.refresh_from_db()
    assert order.state == State.RETURN_REQUESTED

    admin = login(world.people.district_admin)
    page = admin.get(reverse("workorders:detail", args=[order.pk]))
    units = page.content.decode()
    assert f"region:{world.street_a.pk}" in units
    act(admin, order, Act.APPROVE_RETURN, {"unit": f"region:{world.street_a.pk}"})

    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    lead = order.assignments.get(role=Assignment.Role.LEAD, active=True)
    assert lead.region == world.street_a


def test_a_duplicate_is_merged_by_the_master_number(world, orders, login):
    duplicate = make_order(world, dispatch=False)
    admin = login(world.people.district_admin)
    response = act(admin, duplicate, Act.MERGE, {"master": orders["n"].number})
    duplicate.refresh_from_db()
    assert duplicate.state == State.REGISTERED  # the neighbour's order is not in reach
    assert 'class="alert alert-danger"' in response.content.decode()
    act(admin, duplicate, Act.MERGE, {"master": orders["a"].number})
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED
    assert duplicate.master == orders["a"]


# -- intake ------------------------------------------------------------------------------------


def intake_data(world, **extra):
    data = {
        "channel": Channel.HOTLINE,
        "kind": "",
        "source_ref": "12345-2026-0001",
        "category": Category.objects.get(code="fire.exit_blocked").pk,
        "title": "消防通道被占",
        "content": "2栋楼下消防通道长期停放车辆。",
        "estate": world.estate_a.pk,
        "region": "",
        "building": world.building_a.number,
        "address": "2栋楼下",
        "complainant_name": NAME,
        "complainant_phone": PHONE,
    }
    data.update(extra)
    return data


def test_intake_offers_leaf_categories_grouped_and_estates_in_scope(world, login):
    client = login(world.people.street_a_officer)
    response = client.get(reverse("workorders:create"))
    assert response.status_code == 200
    html = response.content.decode()
    group = Category.objects.get(code="fire")
    leaf = Category.objects.get(code="fire.exit_blocked")
    assert f'<optgroup label="{group.name}">' in html
    offered = {
        value for _group, options in response.context["form"].fields["category"].choices[1:]
        for value, _label in options
    }  # fmt: skip
    assert leaf.pk in offered
    assert group.pk not in offered
    estates = {e.pk for e in response.context["form"].fields["estate"].queryset}
    assert estates == {world.estate_a.pk, world.estate_a2.pk}
    assert client.get(reverse("workorders:create")).status_code == 200


def test_intake_registers_and_dispatches_by_the_matrix(world, login):
    client = login(world.people.street_a_officer)
    response = client.post(reverse("workorders:create"), intake_data(world))

    assert response.status_code == 302
    order = WorkOrder.objects.get(source_ref="12345-2026-0001")
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert order.state == State.DISPATCHED
    assert order.channel == Channel.HOTLINE
    assert order.building == world.building_a
    lead = order.assignments.get(role=Assignment.Role.LEAD, active=True)
    assert lead.department == world.fire
    page = client.get(response["Location"])
    assert world.fire.name in page.content.decode()
    assert 'class="alert alert-success"' in page.content.decode()


def test_intake_without_a_rule_awaits_manual_dispatch(world, login):
    # given a leaf category the matrix does not know
    group = Category.objects.create(code="t-group", name="测试类")
    leaf = Category.objects.create(code="t-group.leaf", name="无规则事项", parent=group)
    client = login(world.people.street_a_officer)

    # when
    response = client.post(reverse("workorders:create"), intake_data(world, category=leaf.pk))

    # then it waits, and the detail page links to dispatch
    order = WorkOrder.objects.get(category=leaf)
    assert order.state == State.REGISTERED
    page = client.get(response["Location"])
    assert 'class="alert alert-warning"' in page.content.decode()
    assert 'data-testid="dispatch"' in page.content.decode()

    # when the dispatcher chooses the fire brigade with the street as co-unit
    url = reverse("workorders:dispatch", args=[order.pk])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url, {"lead": f"department:{world.fire.pk}", "co": [f"region:{world.street_a.pk}"]}
    )

    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    units = {(a.role, a.unit.name) for a in order.assignments.all()}
    assert units == {("lead", world.fire.name), ("co", world.street_a.name)}
    event = order.events.get(action=Act.DISPATCH)
    assert event.actor == world.people.street_a_officer
    # a dispatched order cannot be dispatched again
    assert client.get(url).status_code == 302


def test_dispatch_shows_the_matrix_suggestion_and_offers_district_units_only(world, login):
    order = make_order(world, dispatch=False)
    Department.objects.create(district=world.neighbour, kind="police", name="青羊区公安分局")
    police = Department.objects.create(district=world.district, kind="police", name="锦江公安")
    client = login(world.people.district_admin)
    response = client.get(reverse("workorders:dispatch", args=[order.pk]))
    form = response.context["form"]
    keys = {key for key, _label in form.fields["lead"].choices if key}
    assert keys == {
        f"region:{world.street_a.pk}",
        f"region:{world.a1.pk}",
        f"department:{world.fire.pk}",
        f"department:{police.pk}",
        f"company:{world.company_x.pk}",
    }
    assert form.initial["lead"] == f"department:{world.fire.pk}"
    assert world.fire.name in response.content.decode()
    # a unit of the neighbouring district is refused
    other = Department.objects.get(name="青羊区公安分局")
    refused = client.post(
        reverse("workorders:dispatch", args=[order.pk]), {"lead": f"department:{other.pk}"}
    )
    assert refused.status_code == 400
    order.refresh_from_db()
    assert order.state == State.REGISTERED


def test_dispatch_page_is_for_dispatchers_in_scope(world, login):
    order = make_order(world, dispatch=False)
    url = reverse("workorders:dispatch", args=[order.pk])
    assert login(world.people.street_a_officer).get(url).status_code == 200
    assert login(world.people.street_b_officer).get(url).status_code == 404
    assert login(world.people.auditor).get(url).status_code == 404
    assert login(world.people.company_x_manager).get(url).status_code == 404


def test_intake_errors_are_shown_per_field_and_nothing_is_written(world, login):
    client = login(world.people.street_a_officer)
    data = intake_data(
        world,
        title="",
        estate=world.estate_b.pk,  # street B's estate: not a choice for street A
        complainant_phone="abc",
        building="99栋",
    )
    response = client.post(reverse("workorders:create"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"title", "estate", "complainant_phone"}
    html = response.content.decode()
    assert 'data-testid="error-title"' in html
    assert 'data-testid="error-estate"' in html
    assert not WorkOrder.objects.exists()
    assert not AuditEvent.objects.exists()


def test_intake_reports_service_errors_on_the_form(world, login):
    client = login(world.people.street_a_officer)
    # Neither a name nor a phone, and not anonymous: the service refuses.
    data = intake_data(world, complainant_name="", complainant_phone="")
    response = client.post(reverse("workorders:create"), data)
    assert response.status_code == 400
    assert "complainant_phone" in response.context["form"].errors
    # A building not in the estate is refused by the form.
    response = client.post(reverse("workorders:create"), intake_data(world, building="99栋"))
    assert response.status_code == 400
    assert "building" in response.context["form"].errors
    # A 12345 number registered twice.
    assert client.post(reverse("workorders:create"), intake_data(world)).status_code == 302
    again = client.post(reverse("workorders:create"), intake_data(world))
    assert again.status_code == 400
    assert WorkOrder.objects.count() == 1


def test_intake_needs_the_intake_action(world, login):
    for persona in ("company_x_manager", "fire_handler", "owner_unit_101", "auditor"):
        client = login(getattr(world.people, persona))
        assert client.get(reverse("workorders:create")).status_code == 403
        assert client.post(reverse("workorders:create"), intake_data(world)).status_code == 403
    assert not WorkOrder.objects.exists()


# -- the owner's own form and "my complaints" -------------------------------------------------


def report_data(world, **extra):
    data = {
        "category": Category.objects.get(code="service.cleaning").pk,
        "building": world.building_a.pk,
        "title": "楼道垃圾三天没人收",
        "content": "1栋2单元楼道堆满垃圾。",
        "complainant_phone": "13911112222",
    }
    data.update(extra)
    return data


def test_owner_files_a_complaint_on_their_own_estate(world, login):
    owner = world.people.owner_unit_101
    client = login(owner)
    page = client.get(reverse("workorders:report"))
    assert page.status_code == 200
    buildings = {b.pk for b in page.context["form"].fields["building"].queryset}
    assert buildings == {world.building_a.pk}
    assert page.context["form"].initial["building"] == world.building_a.pk

    response = client.post(reverse("workorders:report"), report_data(world))

    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == Channel.OWNER
    assert order.estate == world.estate_a
    assert order.complainant_user == owner
    assert order.state == State.DISPATCHED  # by the matrix, to the estate's company
    assert order.assignments.get(role="lead", active=True).company == world.company_x
    mine = client.get(reverse("workorders:mine"))
    assert order.number in mine.content.decode()
    assert 'data-testid="my-order"' in mine.content.decode()
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert 'data-testid="action-withdraw"' in detail.content.decode()


def test_owner_cannot_report_on_another_estate(world, login):
    client = login(world.people.owner_other_estate)
    response = client.post(reverse("workorders:report"), report_data(world))
    assert response.status_code == 400
    assert "building" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_owner_form_errors_are_shown_and_nothing_is_written(world, login):
    client = login(world.people.owner_unit_101)
    response = client.post(
        reverse("workorders:report"), report_data(world, title="", complainant_phone="x")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "complainant_phone"}
    assert not WorkOrder.objects.exists()


def test_my_complaints_are_the_owners_own(world, orders, login):
    client = login(world.people.owner_unit_101)
    html = client.get(reverse("workorders:mine")).content.decode()
    assert orders["owner"].number in html
    assert orders["a"].number not in html
    other = login(world.people.owner_other_estate)
    assert orders["owner"].number not in other.get(reverse("workorders:mine")).content.decode()
    for persona in ("street_a_officer", "company_x_manager"):
        client = login(getattr(world.people, persona))
        assert client.get(reverse("workorders:mine")).status_code == 403
        assert client.get(reverse("workorders:report")).status_code == 403


def test_owner_withdraws_their_complaint(world, orders, login):
    client = login(world.people.owner_unit_101)
    act(client, orders["owner"], Act.WITHDRAW, {"reason": "已自行解决"})
    orders["owner"].refresh_from_db()
    assert orders["owner"].state == State.WITHDRAWN


# -- protection of the complainant -------------------------------------------------------------


def test_the_company_complained_about_never_sees_the_complainant(world, login):
    # given: a complaint about company X, filed by phone, and one filed by the owner
    by_phone = make_order(world, code="service.cleaning", concerns_company=True)
    owner = world.people.owner_unit_101
    owner.display_name = "王业主"
    owner.save()
    by_owner = owner_order(world, concerns_company=True, complainant_phone="13700009999")
    client = login(world.people.company_x_manager)

    cases = [
        (by_phone, [NAME, PHONE, mask(PHONE)]),
        (by_owner, ["王业主", "13700009999", mask("13700009999")]),
    ]
    for order, secrets in cases:
        # when the company opens the order
        response = client.get(reverse("workorders:detail", args=[order.pk]))
        html = response.content.decode()
        # then it handles it, but neither the name nor the phone is on the page
        assert response.status_code == 200
        assert 'data-testid="complainant-hidden"' in html
        for secret in secrets:
            assert secret not in html

    # nor in the list or its export
    listing = client.get(reverse("workorders:list"))
    export = client.get(reverse("workorders:list"), {"export": "xlsx"})
    assert {row[0] for row in workbook_rows(export)} == {by_phone.number, by_owner.number}
    for secret in (NAME, PHONE, mask(PHONE), "王业主", "13700009999"):
        assert secret not in listing.content.decode()
        assert secret not in workbook_text(export)

    # while the street, which supervises, sees the name (the phone masked)
    street = login(world.people.street_a_officer)
    html = street.get(reverse("workorders:detail", args=[by_phone.pk])).content.decode()
    assert NAME in html
    assert mask(PHONE) in html
    assert PHONE not in html


@pytest.mark.parametrize(
    "persona", ["district_admin", "street_a_officer", "community_a1_worker", "fire_handler"]
)
def test_the_phone_is_masked_for_every_unit(world, orders, login, persona):
    client = login(getattr(world.people, persona))
    html = client.get(reverse("workorders:detail", args=[orders["a"].pk])).content.decode()
    assert PHONE not in html
    assert mask(PHONE) in html
    assert NAME in html


def test_an_anonymous_complaint_shows_no_one(world, login):
    order = make_order(world, anonymous=True)
    client = login(world.people.district_admin)
    html = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert NAME not in html
    assert 'data-testid="complainant-name"' not in html
