"""Cluster alerts: the street lists them, opens one, and marks it handled with a note."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.core.models import AuditEvent
from anju.workorders import duplicates, services
from anju.workorders.models import Category, Channel, ClusterAlert

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def cluster(world, estate=None, actor=None):
    """Enough cleaning complaints from one estate in one day to raise an alert."""
    orders = [
        services.register(
            actor=actor or world.people.district_admin,
            data={
                "channel": Channel.PHONE,
                "category": Category.objects.get(code="service.cleaning"),
                "estate": estate or world.estate_a,
                "title": "垃圾未清运",
                "content": "多日未清运。",
                "complainant_phone": f"1390000{i:04d}",
            },
            now=MON - timedelta(minutes=i),
        )
        for i in range(duplicates.CLUSTER_THRESHOLD)
    ]
    AuditEvent.objects.all().delete()
    return ClusterAlert.objects.get(estate=estate or world.estate_a), orders


def test_the_street_handles_an_alert_once_with_a_note(world):
    alert, _orders = cluster(world)
    officer = world.people.street_a_officer
    with pytest.raises(ValidationError) as error:
        duplicates.cluster_alert_handle(actor=officer, alert=alert, note="  ")
    assert "note" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        duplicates.cluster_alert_handle(actor=world.people.street_b_officer, alert=alert,
                                        note="已处理")  # fmt: skip
    assert not AuditEvent.objects.exists()

    alert = duplicates.cluster_alert_handle(actor=officer, alert=alert,
                                            note="约谈物业，增加清运频次", now=MON)  # fmt: skip

    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.handled_by, alert.note) == (
        MON,
        officer,
        "约谈物业，增加清运频次",
    )
    event = AuditEvent.objects.get(action="workorders.cluster_handle")
    assert event.region_code == world.estate_a.region_code
    with pytest.raises(ValidationError):
        duplicates.cluster_alert_handle(actor=officer, alert=alert, note="再次处理")


def test_the_list_and_the_alert_page(world, login):
    alert, orders = cluster(world)
    cluster(world, estate=world.estate_b)
    client = login(world.people.street_a_officer)

    listing = client.get(reverse("workorders:clusters"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert world.estate_a.name in html
    assert world.estate_b.name not in html  # street B's estate
    detail = client.get(reverse("workorders:cluster_detail", args=[alert.pk]))
    assert all(o.number in detail.content.decode() for o in orders)
    assert 'data-testid="handle-form"' in detail.content.decode()

    empty = client.post(reverse("workorders:cluster_handle", args=[alert.pk]), {"note": ""})
    assert empty.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    done = client.post(
        reverse("workorders:cluster_handle", args=[alert.pk]), {"note": "已约谈"}, follow=True
    )
    assert 'data-testid="alert-handled"' in done.content.decode()
    open_only = client.get(reverse("workorders:clusters"), {"open": "1"}).content.decode()
    assert world.estate_a.name not in open_only


def test_the_list_needs_no_query_per_alert(world, login):
    client = login(world.people.district_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("workorders:clusters")).status_code == 200
        return len(captured)

    cluster(world)
    client.get(reverse("workorders:clusters"))  # warm the session
    one = queries()
    for estate in (world.estate_a2, world.estate_b):
        cluster(world, estate=estate)
    assert ClusterAlert.objects.count() == 3
    assert queries() == one
