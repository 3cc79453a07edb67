"""The district's figures in Chromium: a published month shows its frozen figures with a
switch to the live ones, the year's orders by channel, and the district admin's weights."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.workorders import snapshots
from anju.workorders.models import Category, MetricWeights
from anju.workorders.tests.test_metrics import order, t

pytestmark = pytest.mark.browser


@pytest.fixture
def march(world):
    """A few orders of March 2026 in both streets (the category is the test's own: earlier
    live-server tests may have emptied the seeded tree)."""
    if not Category.objects.filter(code="service.cleaning").exists():
        group = Category.objects.create(code="b-fig", name="物业服务（测试）")
        Category.objects.create(code="service.cleaning", name="保洁（测试）", parent=group)
    a, b, x, y = world.estate_a, world.estate_b, world.company_x, world.company_y
    order(world, 1, a, company=x, dispatched=t(3, 2), signed=t(3, 2, 11), contacted=t(3, 2, 16),
          feedback=t(3, 6), closed=t(3, 10), visit=(True, "satisfied", t(3, 10)))  # fmt: skip
    order(world, 2, a, company=x, dispatched=t(3, 3), signed=t(3, 3, 16), contacted=t(3, 5),
          feedback=t(3, 12), closed=t(3, 20), channel="hotline",
          visit=(False, "unsatisfied", t(3, 20)))  # fmt: skip
    order(world, 3, b, company=y, dispatched=t(3, 2), signed=t(3, 2, 11), contacted=t(3, 2, 12),
          feedback=t(3, 4), closed=t(3, 6), channel="directive",
          visit=(True, "basic", t(3, 6)))  # fmt: skip
    admin = world.people.district_admin
    snapshot = snapshots.take(actor=admin, region=world.district, year=2026, month=3,
                              group="street")  # fmt: skip
    snapshots.publish(actor=admin, snapshot=snapshot)
    # After publication another order of March arrives: only the live figures count it.
    order(world, 4, b, company=y, dispatched=t(3, 9), channel="onsite")


def test_published_figures_channels_and_weights(pages, world, march):
    admin = pages.new()
    pages.login(admin, "district_admin")

    admin.goto("/orders/figures/?month=2026-03&group=street")
    expect(admin.get_by_test_id("published-banner")).to_be_visible()
    expect(admin.get_by_test_id("complaints")).to_have_text("3")
    expect(admin.get_by_test_id("channel-total")).to_have_text("4")
    expect(admin.get_by_test_id("channel-onsite")).to_have_text("1")
    pages.shot(admin, "figures-published")

    with admin.expect_navigation():
        admin.get_by_test_id("show-live").click()
    expect(admin.get_by_test_id("live-banner")).to_be_visible()
    expect(admin.get_by_test_id("complaints")).to_have_text("4")
    pages.shot(admin, "figures-live")

    with admin.expect_navigation():
        admin.get_by_test_id("edit-weights").click()
    form = admin.get_by_test_id("form")
    form.locator("#id_basic").fill("1")
    form.locator("#id_response").fill("0.2")
    form.locator("#id_solve").fill("0.4")
    form.locator("#id_satisfy").fill("0.3")  # adds up to 0.9: refused
    with admin.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(admin.get_by_test_id("error-satisfy")).to_be_visible()
    assert not MetricWeights.objects.exists()
    form.locator("#id_satisfy").fill("0.4")
    with admin.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(admin.locator(".alert-success")).to_have_count(1)
    expect(admin.locator("[data-testid=weights-history] tbody tr")).to_have_count(1)
    pages.shot(admin, "weights")
    row = MetricWeights.objects.get()
    assert row.effective_from == timezone.localdate().replace(day=1)
