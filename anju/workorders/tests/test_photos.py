"""Photos on work orders: checked by content, size and count, stored all or nothing, shown
as thumbnails on the order page and served only to those who may see the order."""

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from anju.accounts.models import ApiToken
from anju.core.models import AuditEvent
from anju.workorders import attachments, services
from anju.workorders.machine import Act
from anju.workorders.models import Attachment, Category, Channel, Event, WorkOrder
from anju.workorders.tests.test_pages import make_order, owner_order


def image_bytes(kind="JPEG", size=(800, 600), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def photo(name="现场.jpg", kind="JPEG", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(kind, **kwargs), content_type="image/jpeg")


def not_a_photo(name="evil.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


REPORT = reverse("workorders:report")


def report_form(world, **extra):
    return {
        "category": str(Category.objects.get(code="service.cleaning").pk),
        "building": str(world.building_a.pk),
        "title": "楼道垃圾堆积",
        "content": "三天没人清运。",
        "complainant_phone": "13912345678",
    } | extra


# -- the checks --------------------------------------------------------------------------------


def test_images_pass_by_their_content_whatever_their_name():
    photos = attachments.check_photos(
        [photo("a.jpg"), photo("b.png", kind="PNG"), photo("no-extension", kind="WEBP")]
    )
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png", "image/webp"]
    assert [(p.width, p.height) for p in photos] == [(800, 600)] * 3
    thumb = Image.open(io.BytesIO(photos[0].thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == attachments.THUMBNAIL_PX


def test_every_bad_file_is_named(settings):
    settings.ANJU_PHOTO_MAX_BYTES = 20_000
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = SimpleUploadedFile("大图.png", out.getvalue())
    assert big.size > settings.ANJU_PHOTO_MAX_BYTES
    with pytest.raises(ValidationError) as error:
        attachments.check_photos([not_a_photo("假图.jpg"), photo("ok.jpg", size=(100, 100)), big])
    messages = error.value.message_dict["photos"]
    assert len(messages) == 2
    assert "假图.jpg" in messages[0]
    assert "大图.png" in messages[1]
    assert "ok.jpg" not in " ".join(messages)


def test_a_truncated_image_is_refused():
    data = image_bytes()[:2000]
    with pytest.raises(ValidationError):
        attachments.check_photos([SimpleUploadedFile("cut.jpg", data)])


def test_the_count_is_limited_per_order(settings):
    settings.ANJU_PHOTO_MAX_COUNT = 2
    with pytest.raises(ValidationError) as error:
        attachments.check_photos([photo(), photo(), photo()])
    assert "2" in error.value.message_dict["photos"][0]
    with pytest.raises(ValidationError):
        attachments.check_photos([photo()], already=2)
    assert len(attachments.check_photos([photo()], already=1)) == 1


# -- the owner's form and the intake desk ----------------------------------------------------


def test_owner_reports_with_photos_from_a_phone(world, client, media_root):
    client.force_login(world.people.owner_unit_101)
    page = client.get(REPORT).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*"' in page
    assert "multiple" in page

    response = client.post(REPORT, report_form(world, photos=[photo("1.jpg"), photo("2.jpg")]))

    assert response.status_code == 302
    order = WorkOrder.objects.get(title="楼道垃圾堆积")
    rows = list(order.attachments.order_by("id"))
    assert [(a.stage, a.name, a.content_type) for a in rows] == [
        ("intake", "1.jpg", "image/jpeg"),
        ("intake", "2.jpg", "image/jpeg"),
    ]
    assert all(a.uploaded_by == world.people.owner_unit_101 for a in rows)
    assert len(stored_files(media_root)) == 4  # two photos, two thumbnails
    assert Event.objects.filter(order=order, action="attach").get().payload["photos"] == 2
    assert AuditEvent.objects.filter(action="workorders.attach", target_id=str(order.pk)).exists()


def test_a_bad_photo_leaves_no_order_and_no_file(world, client, media_root):
    client.force_login(world.people.owner_unit_101)

    response = client.post(REPORT, report_form(world, photos=[photo(), not_a_photo("病毒.jpg")]))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-photos"' in html
    assert "病毒.jpg" in html
    assert not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_too_many_photos_are_refused_with_the_limit(world, client, settings, media_root):
    settings.ANJU_PHOTO_MAX_COUNT = 2
    client.force_login(world.people.owner_unit_101)
    response = client.post(REPORT, report_form(world, photos=[photo(), photo(), photo()]))
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()
    assert stored_files(media_root) == []


def test_a_storage_failure_removes_the_files_already_written(world, media_root, monkeypatch):
    order = owner_order(world)
    real_create = Attachment.objects.create
    calls = []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(Attachment.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        attachments.attach(actor=world.people.owner_unit_101, order=order,
                           uploads=[photo(), photo()])  # fmt: skip
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_the_intake_desk_attaches_photos(world, client):
    client.force_login(world.people.street_a_officer)
    data = {
        "channel": Channel.PHONE,
        "category": str(Category.objects.get(code="fire.exit_blocked").pk),
        "title": "消防通道被占",
        "content": "电动车堆放。",
        "estate": str(world.estate_a.pk),
        "complainant_name": "张三",
        "photos": [photo("desk.png", kind="PNG")],
    }
    response = client.post(reverse("workorders:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = WorkOrder.objects.get(title="消防通道被占")
    assert order.attachments.get().uploaded_by == world.people.street_a_officer


# -- the order page and the file view ---------------------------------------------------------


def test_thumbnails_on_the_order_page_and_the_scoped_file(world, client):
    order = owner_order(world)
    [shot] = attachments.attach(actor=world.people.owner_unit_101, order=order, uploads=[photo()])
    url = reverse("workorders:photo", args=[shot.pk])

    client.force_login(world.people.owner_unit_101)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="thumbnail"' in page
    assert f"{url}?thumb=1" in page
    full = client.get(url)
    assert full.status_code == 200
    assert full["Content-Type"] == "image/jpeg"
    assert full["Content-Disposition"].startswith("inline")
    assert b"".join(full.streaming_content) == image_bytes()
    thumb = client.get(url, {"thumb": "1"})
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size[0] <= 320

    for neighbour in ("owner_other_estate", "street_b_officer", "neighbour_admin", "fire_handler"):
        client.force_login(getattr(world.people, neighbour))
        assert client.get(url).status_code == 404, neighbour
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, never the file


def test_the_company_complained_about_sees_the_photos_not_who_took_them(world, client):
    order = owner_order(world, concerns_company=True)
    attachments.attach(actor=world.people.owner_unit_101, order=order, uploads=[photo()])
    owner_name = str(world.people.owner_unit_101)

    client.force_login(world.people.company_x_manager)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="thumbnail"' in page
    assert owner_name not in page
    shot = order.attachments.get()
    assert client.get(reverse("workorders:photo", args=[shot.pk])).status_code == 200

    client.force_login(world.people.district_admin)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert owner_name in page


def test_the_lead_unit_adds_on_site_evidence_while_handling(world, client):
    order = make_order(world, code="service.cleaning")  # company X leads
    upload = reverse("workorders:photo_upload", args=[order.pk])
    client.force_login(world.people.company_x_manager)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="photo-form"' not in page  # not signed yet

    services.act(actor=world.people.company_x_manager, order=order, action=Act.SIGN)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="photo-form"' in page
    response = client.post(upload, {"photos": [photo("现场1.jpg")]}, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    shot = order.attachments.get()
    assert (shot.stage, shot.uploaded_by) == ("evidence", world.people.company_x_manager)

    bad = client.post(upload, {"photos": [not_a_photo()]}, follow=True)
    assert [m.level_tag for m in bad.context["messages"]] == ["error"]
    assert order.attachments.count() == 1


def test_no_role_no_photos(world, client):
    order = make_order(world, code="service.cleaning")
    with pytest.raises(PermissionDenied):
        attachments.attach(actor=world.people.auditor, order=order, uploads=[photo()])
    client.force_login(world.people.street_b_officer)
    upload = reverse("workorders:photo_upload", args=[order.pk])
    assert client.post(upload, {"photos": [photo()]}).status_code == 404
    assert not Attachment.objects.exists()


def test_a_closed_order_takes_no_more_photos(world):
    order = owner_order(world)
    services.act(actor=world.people.owner_unit_101, order=order, action=Act.WITHDRAW,
                 payload={"reason": "已解决"})  # fmt: skip
    order.refresh_from_db()
    with pytest.raises(ValidationError):
        attachments.attach(actor=world.people.owner_unit_101, order=order, uploads=[photo()])


# -- the API ---------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_upload_list_and_file(world, client, media_root):
    order = owner_order(world)
    owner = bearer(world.people.owner_unit_101)
    path = f"/api/v1/orders/{order.pk}/photos"

    created = client.post(path, {"files": [photo("a.jpg"), photo("b.png", kind="PNG")]}, **owner)

    assert created.status_code == 201, created.content
    body = created.json()
    assert [p["name"] for p in body] == ["a.jpg", "b.png"]
    assert body[1]["content_type"] == "image/png"
    listed = client.get(path, **owner).json()
    assert [p["id"] for p in listed] == [p["id"] for p in body]
    file = client.get(body[0]["url"], **owner)
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == image_bytes()
    thumb = client.get(body[0]["thumbnail_url"], **owner)
    assert thumb.status_code == 200

    neighbour = bearer(world.people.owner_other_estate)
    assert client.get(body[0]["url"], **neighbour).status_code == 404
    assert client.get(path, **neighbour).status_code == 404
    assert client.post(path, {"files": [photo()]}, **neighbour).status_code == 404


def test_api_bad_upload_is_400_and_stores_nothing(world, client, media_root):
    order = owner_order(world)
    path = f"/api/v1/orders/{order.pk}/photos"
    response = client.post(
        path, {"files": [photo(), not_a_photo("x.gif")]}, **bearer(world.people.owner_unit_101)
    )
    assert response.status_code == 400
    assert "x.gif" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_api_hides_the_uploader_from_the_company_complained_about(world, client):
    order = owner_order(world, concerns_company=True)
    attachments.attach(actor=world.people.owner_unit_101, order=order, uploads=[photo()])
    path = f"/api/v1/orders/{order.pk}/photos"
    [item] = client.get(path, **bearer(world.people.company_x_manager)).json()
    assert item["uploaded_by"] is None
    [item] = client.get(path, **bearer(world.people.district_admin)).json()
    assert item["uploaded_by"] == str(world.people.owner_unit_101)


def test_after_the_answer_photos_wait_for_the_return_visit(world):
    from anju.workorders.tests.test_visits import awaiting_visit

    order = awaiting_visit(world)
    assert attachments.stage_for(world.people.district_admin, order) is None
    with pytest.raises(ValidationError):
        attachments.attach(actor=world.people.street_a_officer, order=order, uploads=[photo()])
    assert not Attachment.objects.exists()
