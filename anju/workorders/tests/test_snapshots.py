"""Monthly snapshots: drafts are replaced, publications frozen, appeals are new versions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anju.core.models import AuditEvent
from anju.workorders import snapshots
from anju.workorders.models import MetricSnapshot, WorkOrder
from anju.workorders.tests.test_metrics import month  # noqa: F401 - the hand-built month


def test_draft_publish_and_appeal(world, month):  # noqa: F811
    admin = world.people.district_admin
    first = snapshots.take(actor=admin, region=world.district, year=2026, month=3, group="street")
    assert first.version == 1
    streets = {f["key"]: f for f in first.figures}
    assert streets[world.street_a.code[:9]]["complaints"] == 3
    assert streets[world.street_a.code[:9]]["rates"]["response"] == "0.5000"
    again = snapshots.take(actor=admin, region=world.district, year=2026, month=3, group="street")
    assert again.pk == first.pk  # an unpublished draft is replaced
    snapshots.publish(actor=admin, snapshot=again)
    with pytest.raises(ValidationError):
        snapshots.publish(actor=admin, snapshot=again)
    # New facts after publication (an appeal): the published figures do not move.
    WorkOrder.objects.filter(number="T0004").delete()
    appeal = snapshots.take(actor=admin, region=world.district, year=2026, month=3,
                            group="street", note="申诉复核")  # fmt: skip
    assert appeal.version == 2
    published = MetricSnapshot.objects.get(pk=first.pk)
    assert {f["key"]: f for f in published.figures}[world.street_a.code[:9]]["created"] == 5
    assert {f["key"]: f for f in appeal.figures}[world.street_a.code[:9]]["created"] == 4
    latest = snapshots.latest_published(world.district.code, first.month, "street")
    assert latest.pk == first.pk
    assert AuditEvent.objects.filter(action="metrics.publish").count() == 1


def test_only_supervisors_of_the_region(world, month):  # noqa: F811
    with pytest.raises(PermissionDenied):
        snapshots.take(actor=world.people.neighbour_admin, region=world.district, year=2026,
                       month=3, group="street")  # fmt: skip
    with pytest.raises(PermissionDenied):
        snapshots.take(actor=world.people.street_a_officer, region=world.district, year=2026,
                       month=3, group="street")  # fmt: skip
