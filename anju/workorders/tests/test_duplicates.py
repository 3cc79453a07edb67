"""Likely duplicates at intake, and cluster alerts to the street."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from anju.workorders import duplicates, services
from anju.workorders.models import Category, Channel, ClusterAlert

TZ = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def report(world, when, *, code="service.cleaning", estate=None, phone="13911112222"):
    return services.register(
        actor=world.people.street_a_officer,
        data={
            "channel": Channel.PHONE,
            "category": Category.objects.get(code=code),
            "estate": estate or world.estate_a,
            "title": "问题",
            "content": "内容",
            "complainant_phone": phone,
        },
        now=when,
    )


def test_same_estate_and_category_or_same_phone(world):
    first = report(world, MON)
    other_category = report(world, MON, code="fee.property", phone="13900000000")
    same_phone_elsewhere = report(world, MON, code="fee.property", estate=world.estate_a2)
    newest = report(world, MON)
    found = list(duplicates.candidates(newest))
    assert first in found
    assert same_phone_elsewhere in found  # the same complainant
    assert other_category not in found
    assert newest not in found


def test_a_cluster_alerts_the_street_once_a_day(world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: MON)
    orders = [
        report(world, MON - timedelta(hours=i), phone=f"1390000{i:04d}")
        for i in range(duplicates.CLUSTER_THRESHOLD)
    ]
    alert = ClusterAlert.objects.get()
    assert alert.count == duplicates.CLUSTER_THRESHOLD
    assert alert.region_code == world.estate_a.region_code
    assert set(alert.orders.all()) == set(orders)
    report(world, MON, phone="13988889999")
    alert.refresh_from_db()
    assert ClusterAlert.objects.count() == 1
    assert alert.count == duplicates.CLUSTER_THRESHOLD + 1
