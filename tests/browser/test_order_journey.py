"""A complaint's journey in Chromium: an owner files it on a phone, the responsibility matrix
sends it to the fire brigade, the brigade signs, calls the owner and answers, the district
approves the answer and closes the order with the owner's rating.

Assertions rest on data (order numbers, unit names, states in the database) and data-testid
attributes, not on the wording of our own strings, which the translators may change.
"""

import pytest
from playwright.sync_api import expect

from anju.workorders.machine import State
from anju.workorders.models import Category, ResponsibilityRule, WorkOrder
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

RESULT_ROWS = "[data-testid=results] tbody tr"


@pytest.fixture
def fire_exit(world):
    """A category and matrix row of the test's own: browser tests run on a database that
    earlier live-server tests may have emptied of the seeded matrix."""
    group = Category.objects.create(code="b-fire", name="消防安全（测试）")
    leaf = Category.objects.create(
        code="b-fire.exit", name="消防通道堵塞（测试）", parent=group, deadline_class="general"
    )
    ResponsibilityRule.objects.create(
        category=leaf, lead="dept:fire", co=["street"], basis="消防救援机构负责查处", source="S0"
    )
    return leaf


def act(page, action: str, fill=None) -> None:
    """Open one action's form on the order page, fill it and send it."""
    box = page.get_by_test_id(f"action-{action}")
    # A form with fields sits in a <details>, open already when it is the only move.
    if box.evaluate("el => el.tagName === 'DETAILS' && !el.open"):
        box.locator("summary").click()
    if fill:
        fill(box)
    with page.expect_navigation():
        box.get_by_test_id(f"submit-{action}").click()
    expect(page.locator(".alert-success")).to_have_count(1)


def test_owner_complaint_from_phone_to_rated_close(pages, world, fire_exit, no_horizontal_scroll):
    # given the owner of unit 101 on a phone
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")

    # when they file a complaint about a blocked fire exit
    owner.goto("/orders/report/")
    form = owner.get_by_test_id("form")
    form.locator("#id_category").select_option(label=fire_exit.name)
    assert form.locator("#id_building").input_value() == str(world.building_a.pk)
    form.locator("#id_title").fill("1栋消防通道被电动车堵死")
    form.locator("#id_content").fill("1栋一楼消防通道停满电动车，已经一周。")
    form.locator("#id_complainant_phone").fill("13912345678")
    pages.shot(owner, "owner-report")
    no_horizontal_scroll(owner)
    with owner.expect_navigation():
        form.get_by_test_id("submit").click()

    # then it is registered and dispatched to the fire brigade by the matrix
    order = WorkOrder.objects.get(title="1栋消防通道被电动车堵死")
    assert order.state == State.DISPATCHED
    expect(owner.get_by_test_id("order-number")).to_have_text(order.number)
    expect(owner.locator(".alert-success")).to_contain_text(world.fire.name)
    expect(owner.get_by_test_id("units")).to_contain_text(world.fire.name)
    expect(owner.get_by_test_id("complainant-phone")).to_have_text("139****5678")
    pages.shot(owner, "owner-order")
    no_horizontal_scroll(owner)
    owner.goto("/orders/mine/")
    expect(owner.get_by_test_id("my-order")).to_have_count(1)
    expect(owner.get_by_test_id("my-order")).to_contain_text(order.number)
    pages.shot(owner, "owner-mine")
    no_horizontal_scroll(owner)

    # when the fire brigade's handler finds it in the unit's inbox
    handler = pages.new()
    pages.login(handler, "fire_handler")
    handler.locator(".navbar-vertical a[href='/orders/']").click()
    handler.get_by_test_id("inbox").click()
    expect(handler.locator(RESULT_ROWS)).to_have_count(1)
    pages.shot(handler, "handler-inbox")
    handler.locator(RESULT_ROWS).get_by_role("link", name=order.number).click()
    expect(handler.get_by_test_id("order-number")).to_have_text(order.number)
    handler.get_by_test_id("due-explanation").locator("summary").click()
    expect(handler.get_by_test_id("explanation-contact").locator("li").first).to_be_visible()
    pages.shot(handler, "handler-order")

    # and signs, records the call to the owner, and answers
    act(handler, "sign")
    act(handler, "contact", lambda box: box.locator("select").select_option("phone"))

    def feedback(box):
        box.locator("select").select_option("solved")
        box.locator("textarea").fill("已联系物业清理通道，现场复查畅通。")

    act(handler, "submit_feedback", feedback)
    order.refresh_from_db()
    assert order.state == State.FEEDBACK_SUBMITTED
    expect(handler.get_by_test_id("order-reply")).to_contain_text("现场复查畅通")
    pages.shot(handler, "handler-feedback")

    # when the district administrator approves the answer and records the return visit
    admin = pages.new()
    pages.login(admin, "district_admin")
    admin.goto(f"/orders/{order.pk}/")
    act(admin, "approve_feedback")
    order.refresh_from_db()
    assert order.state == State.PENDING_VISIT
    # the approval texted the owner their return-visit link (the log backend in tests)
    expect(admin.get_by_test_id("visit-sms-sent")).to_contain_text("139****5678")
    pages.shot(admin, "admin-visit-link")

    def rating(box):
        box.locator("select[name=solved]").select_option("yes")
        box.locator("select[name=rating]").select_option("satisfied")

    act(admin, "close", rating)
    pages.shot(admin, "admin-closed")

    # then the order is closed with the owner's rating, every move on the timeline
    order.refresh_from_db()
    assert order.state == State.CLOSED
    assert order.events.get(action="close").payload["rating"] == "satisfied"
    # 7 moves and the text message with the return-visit link
    expect(admin.get_by_test_id("event")).to_have_count(8)
    expect(admin.get_by_test_id("action-close")).to_have_count(0)

    # and the owner sees it closed, with the answer
    owner.goto(f"/orders/{order.pk}/")
    expect(owner.get_by_test_id("order-reply")).to_contain_text("现场复查畅通")
    expect(owner.get_by_test_id("event")).to_have_count(8)
    pages.shot(owner, "owner-closed")
    no_horizontal_scroll(owner)


def test_intake_desk_registers_a_hotline_order_after_fixing_errors(pages, world, fire_exit):
    page = pages.new()
    pages.login(page, "street_a_officer")
    page.locator(".navbar-vertical a[href='/orders/new/']").click()
    form = page.get_by_test_id("form")

    # when the form is sent without a subject and with a phone that is no number
    form.locator("#id_channel").select_option("hotline")
    form.locator("#id_source_ref").fill("12345-20260302-0007")
    form.locator("#id_category").select_option(label=fire_exit.name)
    form.locator("#id_content").fill("2栋楼下消防通道停满车辆。")
    form.locator("#id_estate").select_option(label="红星花园")
    form.locator("#id_building").fill(world.building_a.number)
    form.locator("#id_complainant_name").fill("张三")
    form.locator("#id_complainant_phone").fill("电话")
    with page.expect_navigation() as navigation:
        form.get_by_test_id("submit").click()

    # then it comes back with both errors, what was typed kept, and nothing saved
    assert navigation.value.status == 400
    expect(form.get_by_test_id("error-title")).to_have_count(1)
    expect(form.get_by_test_id("error-complainant_phone")).to_have_count(1)
    assert form.locator("#id_content").input_value() == "2栋楼下消防通道停满车辆。"
    pages.shot(page, "errors")
    assert not WorkOrder.objects.exists()

    # when the mistakes are fixed
    form.locator("#id_title").fill("2栋消防通道被占")
    form.locator("#id_complainant_phone").fill("13812345678")
    with page.expect_navigation():
        form.get_by_test_id("submit").click()

    # then the order is registered, dispatched by the matrix, and shown
    order = WorkOrder.objects.get(source_ref="12345-20260302-0007")
    assert order.state == State.DISPATCHED
    expect(page.get_by_test_id("order-number")).to_have_text(order.number)
    expect(page.get_by_test_id("complainant-name")).to_have_text("张三")
    expect(page.get_by_test_id("complainant-phone")).to_have_text("138****5678")
    pages.shot(page, "registered")
