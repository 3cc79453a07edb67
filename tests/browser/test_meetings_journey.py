"""A street joint meeting in Chromium: from an escalated order's dispute section the street
officer schedules a meeting with two orders on its agenda, then records what the meeting
decided on one of them; the meeting list shows it.

Assertions rest on data and data-testid attributes, not on the wording of our own strings.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.workorders import disputes, services
from anju.workorders.machine import Act, State
from anju.workorders.models import Category, Channel, JointMeeting, ResponsibilityRule

pytestmark = pytest.mark.browser


@pytest.fixture
def escalated_orders(world):
    """Two fee disputes in estate A, led by company X and taken to the street joint meeting.
    The category and matrix row are the test's own: earlier live-server tests may have
    emptied the seeded matrix."""
    group = Category.objects.create(code="b-fee", name="物业收费（测试）")
    leaf = Category.objects.create(code="b-fee.standard", name="收费标准争议（测试）",
                                   parent=group)  # fmt: skip
    ResponsibilityRule.objects.create(category=leaf, lead="company", basis="物业服务合同")
    p = world.people
    orders = []
    for title in ("物业费上涨未经业主大会", "停车费收取标准不明"):
        order = services.register(
            actor=p.street_a_officer,
            data={"channel": Channel.PHONE, "category": leaf, "estate": world.estate_a,
                  "title": title, "content": "业主与物业就收费发生争议。",
                  "complainant_name": "赵六"},
        )  # fmt: skip
        services.auto_dispatch(order)
        for action in (Act.SIGN, Act.CONTACT):
            order = services.act(actor=p.company_x_manager, order=order, action=action)
        disputes.escalate(actor=p.district_admin, order=order, reason="双方分歧较大")
        order.refresh_from_db()
        orders.append(order)
    return orders


def test_street_schedules_a_joint_meeting_and_records_an_outcome(
    pages, world, escalated_orders, no_horizontal_scroll
):
    first, second = escalated_orders
    page = pages.new()
    pages.login(page, "street_a_officer")

    # given the first order's dispute section
    page.goto(f"/orders/{first.pk}/")
    expect(page.get_by_test_id("disputes")).to_be_visible()

    # when the officer schedules a street joint meeting from it, adding the second order
    with page.expect_navigation():
        page.get_by_test_id("schedule-meeting").click()
    form = page.get_by_test_id("meeting-form")
    assert form.locator("#id_region option").count() == 1  # street A only
    expect(form.locator(f"input[name=orders][value='{first.pk}']")).to_be_checked()
    when = timezone.localtime() - timedelta(hours=1)
    form.locator("#id_scheduled_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_place").fill("春熙路街道二楼会议室")
    form.locator("#id_participants").fill("街道物业办、红星社区、安心物业、业委会代表")
    form.locator(f"input[name=orders][value='{second.pk}']").check()
    pages.shot(page, "schedule")
    no_horizontal_scroll(page)
    with page.expect_navigation():
        form.get_by_test_id("submit-meeting").click()

    # then the meeting exists with both orders on its agenda
    meeting = JointMeeting.objects.get()
    assert meeting.level == 1
    assert set(meeting.agenda.all()) == {first, second}
    expect(page.locator(".alert-success")).to_have_count(1)
    expect(page.get_by_test_id("agenda-item")).to_have_count(2)
    expect(page.get_by_test_id("meeting-place")).to_have_text("春熙路街道二楼会议室")
    pages.shot(page, "meeting")
    no_horizontal_scroll(page)

    # when the officer records the agreement reached on the first order
    box = page.get_by_test_id(f"outcome-{first.pk}")
    box.locator("summary").click()
    box.locator("select[name=outcome]").select_option("agreed")
    box.locator("textarea[name=agreement]").fill("物业暂缓调价，提交业主大会表决。")
    with page.expect_navigation():
        box.get_by_test_id(f"submit-outcome-{first.pk}").click()

    # then the order is settled and the meeting counts as held
    first.refresh_from_db()
    assert first.state == State.FEEDBACK_SUBMITTED
    step = first.dispute_steps.get()
    assert (step.meeting, step.outcome) == (meeting, "agreed")
    expect(page.get_by_test_id("agenda-outcome-agreed")).to_have_count(1)
    expect(page.get_by_test_id("meeting-held")).to_be_visible()
    expect(page.get_by_test_id(f"outcome-{second.pk}")).to_be_visible()  # still to decide
    pages.shot(page, "outcome")

    # and the meeting list shows it, the order page links it
    page.goto("/orders/meetings/")
    expect(page.locator("[data-testid=results] tbody tr")).to_have_count(1)
    pages.shot(page, "list")
    page.goto(f"/orders/{first.pk}/")
    expect(page.get_by_test_id("dispute-meeting")).to_have_count(1)


def test_district_admin_edits_the_rework_deadline_and_handles_a_cluster_alert(
    pages, world, escalated_orders
):
    from anju.workorders.deadlines import rework_days
    from anju.workorders.models import ClusterAlert

    alert = ClusterAlert.objects.create(
        estate=world.estate_a, category=escalated_orders[0].category.parent,
        region_code=world.estate_a.region_code, day=timezone.localdate(), count=6,
    )  # fmt: skip
    alert.orders.add(*escalated_orders)
    page = pages.new()
    pages.login(page, "district_admin")

    # the category tree, then the deadline classes, where the rework deadline is changed
    page.goto("/orders/categories/")
    expect(page.get_by_test_id("category-b-fee.standard")).to_be_visible()
    pages.shot(page, "categories")
    page.goto("/orders/deadlines/")
    expect(page.get_by_test_id("class-urgent")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("edit-rework").click()
    page.get_by_test_id("form").locator("#id_rework_days").fill("5")
    with page.expect_navigation():
        page.get_by_test_id("form").locator("button[type=submit]").click()
    assert rework_days() == 5
    expect(page.get_by_test_id("rework-days")).to_contain_text("5")
    pages.shot(page, "deadlines")

    # the cluster alert: listed, opened, handled with a note
    page.goto("/orders/clusters/")
    expect(page.locator("[data-testid=results] tbody tr")).to_have_count(1)
    pages.shot(page, "clusters")
    with page.expect_navigation():
        page.locator("[data-testid=results] tbody tr a").first.click()
    expect(page.get_by_test_id("alert-orders").locator("tbody tr")).to_have_count(2)
    form = page.get_by_test_id("handle-form")
    form.locator("textarea[name=note]").fill("已约谈安心物业，暂缓调价并召开业主大会。")
    with page.expect_navigation():
        form.get_by_test_id("submit-handle").click()
    expect(page.get_by_test_id("alert-handled")).to_be_visible()
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    pages.shot(page, "cluster-handled")
