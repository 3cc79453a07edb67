"""An owner on a phone attaches photos to a complaint; the order page shows the thumbnails
and the photo opens only for those who may see the order."""

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from anju.workorders.models import Attachment, Category, ResponsibilityRule, WorkOrder
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def cleaning(world):
    """A category and matrix row of the test's own (earlier live-server tests may have
    emptied the seeded ones): company X leads."""
    group = Category.objects.create(code="b-svc", name="物业服务（测试）")
    leaf = Category.objects.create(code="b-svc.clean", name="保洁不到位（测试）", parent=group)
    ResponsibilityRule.objects.create(
        category=leaf, lead="company", basis="物业服务合同", source="S0"
    )
    return leaf


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot_photo(path, color):
    """A photo-like picture: a wall, a doorway and a heap of bags in front of it."""
    image = Image.new("RGB", (1200, 900), (210, 205, 195))
    draw = ImageDraw.Draw(image)
    draw.rectangle((450, 150, 750, 800), fill=(90, 70, 50))
    for i in range(6):
        draw.ellipse((300 + i * 90, 620 - (i % 2) * 40, 420 + i * 90, 820), fill=color)
    image.save(path, "JPEG", quality=85)
    return path


def test_owner_attaches_photos_from_a_phone(pages, world, cleaning, media_root, tmp_path,
                                            no_horizontal_scroll):  # fmt: skip
    # given the owner of unit 101 on a phone, with two pictures from the camera
    first = snapshot_photo(tmp_path / "IMG_0001.jpg", (40, 40, 40))
    second = snapshot_photo(tmp_path / "IMG_0002.jpg", (30, 90, 30))
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")

    # when they file the complaint with the photos
    owner.goto("/orders/report/")
    form = owner.get_by_test_id("form")
    form.locator("#id_category").select_option(label=cleaning.name)
    form.locator("#id_title").fill("楼道垃圾三天没人清运")
    form.locator("#id_content").fill("1栋一楼楼道堆满垃圾袋，已经三天。")
    photos = form.locator("#id_photos")
    assert photos.get_attribute("accept") == "image/*"
    photos.set_input_files([str(first), str(second)])
    pages.shot(owner, "owner-report-photos")
    no_horizontal_scroll(owner)
    with owner.expect_navigation():
        form.get_by_test_id("submit").click()

    # then the order holds both photos and its page shows their thumbnails
    order = WorkOrder.objects.get(title="楼道垃圾三天没人清运")
    assert order.attachments.count() == 2
    thumbs = owner.get_by_test_id("thumbnail")
    expect(thumbs).to_have_count(2)
    for i in range(2):
        thumbs.nth(i).scroll_into_view_if_needed()
        owner.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle()
        )
        assert thumbs.nth(i).evaluate("img => img.naturalWidth") <= 320
    no_horizontal_scroll(owner)
    pages.shot(owner, "owner-order-photos")

    # and a neighbour's owner cannot open them
    photo = Attachment.objects.filter(order=order).first()
    other = pages.new(PHONE)
    pages.login(other, "owner_other_estate")
    response = other.goto(f"/orders/photos/{photo.pk}/")
    assert response.status == 404


def test_a_file_that_is_no_photo_is_refused_on_the_phone(pages, world, cleaning, media_root,
                                                          tmp_path):  # fmt: skip
    fake = tmp_path / "照片.jpg"
    fake.write_text("not an image")
    owner = pages.new(PHONE)
    pages.login(owner, "owner_unit_101")
    owner.goto("/orders/report/")
    form = owner.get_by_test_id("form")
    form.locator("#id_category").select_option(label=cleaning.name)
    form.locator("#id_title").fill("假照片")
    form.locator("#id_content").fill("内容")
    form.locator("#id_photos").set_input_files(str(fake))
    with owner.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(owner.get_by_test_id("error-photos")).to_contain_text("照片.jpg")
    assert not WorkOrder.objects.filter(title="假照片").exists()
    pages.shot(owner, "owner-report-bad-photo")
