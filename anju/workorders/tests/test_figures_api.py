"""The API of the figures' weights and monthly snapshots: what each operation returns, bad
input answered 400 naming the field with nothing written, and a published snapshot frozen."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders.models import MetricSnapshot, MetricWeights, WorkOrder
from anju.workorders.tests.test_metrics import month  # noqa: F401 - the hand-built month

V1 = "/api/v1"


@pytest.fixture
def api(db):
    def _as(user):
        client = Client()  # one each: several personas act in one test
        client.force_login(user)

        def call(method, path, payload=None, **params):
            if method == "get":
                return client.get(V1 + path, params)
            return getattr(client, method)(
                V1 + path, payload or {}, content_type="application/json"
            )

        return call

    return _as


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _weights(**values):
    return {"month": _this_month(), "basic": "0.9", "response": "0.2", "solve": "0.4",
            "satisfy": "0.4", "min_sample": 3, "note": "试行", **values}  # fmt: skip


# -- weights ---------------------------------------------------------------------------------


def test_weights_read_the_defaults_then_a_new_version(world, api):
    path = f"/orders/figures/weights/{world.district.pk}"
    admin = api(world.people.district_admin)

    before = admin("get", path)
    assert before.status_code == 200, before.content
    body = before.json()
    assert body["district_code"] == world.district.code
    assert body["may_change"] is True
    assert body["versions"] == []
    assert body["current"]["version_id"] is None

    created = admin("post", path, _weights())
    assert created.status_code == 201, created.content
    row = MetricWeights.objects.get(region=world.district)
    assert (row.basic, row.min_sample, row.note) == (Decimal("0.9"), 3, "试行")
    body = created.json()
    assert body["current"]["version_id"] == row.pk
    assert Decimal(body["current"]["basic"]) == Decimal("0.9")
    assert [v["id"] for v in body["versions"]] == [row.pk]
    assert AuditEvent.objects.filter(action="metrics.weights").count() == 1

    # district staff dispatch: they read the weights but may not change them
    staff = api(world.people.district_staff)
    read = staff("get", path)
    assert read.status_code == 200
    assert read.json()["may_change"] is False
    assert staff("post", path, _weights(month="2100-01")).status_code == 403
    assert MetricWeights.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"response": "0.3"}, "satisfy"),  # 0.3 + 0.4 + 0.4 != 1
        ({"basic": "1.2"}, "basic"),
        ({"min_sample": 0}, "min_sample"),
        ({"month": "2000-01"}, "month"),  # past months keep their weights
        ({"month": "2026/05"}, "month"),
    ],
)
def test_bad_weights_answer_400_naming_the_field_and_write_nothing(world, api, values, field):
    response = api(world.people.district_admin)(
        "post", f"/orders/figures/weights/{world.district.pk}", _weights(**values)
    )

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"]
    assert body["detail"] == body["errors"][field][0]
    assert not MetricWeights.objects.exists()
    assert not AuditEvent.objects.exists()


def test_weights_of_a_district_out_of_scope_or_not_a_district_are_404(world, api):
    neighbour = api(world.people.neighbour_admin)
    admin = api(world.people.district_admin)

    assert neighbour("get", f"/orders/figures/weights/{world.district.pk}").status_code == 404
    assert (
        neighbour("post", f"/orders/figures/weights/{world.district.pk}", _weights()).status_code
        == 404
    )
    assert admin("get", f"/orders/figures/weights/{world.street_a.pk}").status_code == 404
    assert not MetricWeights.objects.exists()


def test_a_version_per_month_then_400(world, api):
    admin = api(world.people.district_admin)
    path = f"/orders/figures/weights/{world.district.pk}"
    assert admin("post", path, _weights()).status_code == 201

    again = admin("post", path, _weights(basic="0.5"))

    assert again.status_code == 400
    assert "month" in again.json()["errors"]
    assert MetricWeights.objects.get().basic == Decimal("0.9")


# -- snapshots -------------------------------------------------------------------------------


def _street(items, world):
    return {i["key"]: i for i in items}[world.street_a.code[:9]]


def test_take_publish_and_appeal_keep_the_published_figures(world, api, month):  # noqa: F811
    admin = api(world.people.district_admin)

    draft = admin("post", "/orders/figures/snapshots", {"month": "2026-03", "group": "street"})
    assert draft.status_code == 201, draft.content
    body = draft.json()
    assert (body["version"], body["published"]) == (1, False)
    assert body["region_code"] == world.district.code
    assert _street(body["items"], world)["counts"]["created"] == 5
    assert _street(body["items"], world)["rates"]["response"] == "0.5000"
    assert body["weights"]["min_sample"] > 0
    assert body["total"]["counts"]["created"] == 6
    snapshot_id = body["id"]

    published = admin("post", f"/orders/figures/snapshots/{snapshot_id}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["published"] is True
    again = admin("post", f"/orders/figures/snapshots/{snapshot_id}/publish")
    assert again.status_code == 400
    assert again.json()["detail"]

    # New facts after publication (an appeal): a new version, the published one unchanged.
    WorkOrder.objects.filter(number="T0004").delete()
    appeal = admin("post", "/orders/figures/snapshots", {"month": "2026-03", "note": "申诉复核"})
    assert appeal.status_code == 201
    assert appeal.json()["version"] == 2
    assert _street(appeal.json()["items"], world)["counts"]["created"] == 4
    frozen = admin("get", f"/orders/figures/snapshots/{snapshot_id}").json()
    assert _street(frozen["items"], world)["counts"]["created"] == 5
    assert AuditEvent.objects.filter(action="metrics.publish").count() == 1

    listed = admin("get", "/orders/figures/snapshots", month="2026-03", group="street").json()
    assert [(i["version"], i["published"]) for i in listed["items"]] == [(2, False), (1, True)]
    assert admin("get", "/orders/figures/snapshots", group="estate").json()["items"] == []
    assert admin("get", "/orders/figures/snapshots", month="2026-04").json()["items"] == []


def test_dispatchers_see_only_the_published_versions_of_their_district(world, api, month):  # noqa: F811
    admin = api(world.people.district_admin)
    first = admin("post", "/orders/figures/snapshots", {"month": "2026-03"}).json()
    admin("post", f"/orders/figures/snapshots/{first['id']}/publish")
    draft = admin("post", "/orders/figures/snapshots", {"month": "2026-03"}).json()

    staff = api(world.people.district_staff)
    listed = staff("get", "/orders/figures/snapshots").json()

    assert [i["id"] for i in listed["items"]] == [first["id"]]
    assert staff("get", f"/orders/figures/snapshots/{first['id']}").status_code == 200
    assert staff("get", f"/orders/figures/snapshots/{draft['id']}").status_code == 404
    assert staff("post", f"/orders/figures/snapshots/{draft['id']}/publish").status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"month": "2026-3"}, "month"),
        ({"month": "2999-01"}, "month"),  # not begun
        ({"month": "2026-03", "group": "floor"}, "group"),
    ],
)
def test_bad_snapshot_input_answers_400_and_writes_nothing(world, api, payload, field):
    response = api(world.people.district_admin)("post", "/orders/figures/snapshots", payload)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not MetricSnapshot.objects.exists()
    assert not AuditEvent.objects.exists()


def test_snapshots_outside_the_supervised_districts_are_404(world, api):
    admin = api(world.people.district_admin)
    neighbour = api(world.people.neighbour_admin)
    taken = admin("post", "/orders/figures/snapshots", {"month": "2026-03"}).json()

    named = neighbour(
        "post", "/orders/figures/snapshots", {"month": "2026-03", "district_id": world.district.pk}
    )

    assert named.status_code == 404
    assert neighbour("get", f"/orders/figures/snapshots/{taken['id']}").status_code == 404
    assert neighbour("post", f"/orders/figures/snapshots/{taken['id']}/publish").status_code == 404
    assert neighbour("get", "/orders/figures/snapshots").json()["items"] == []
    assert MetricSnapshot.objects.count() == 1
    assert MetricSnapshot.objects.get().published_at is None


def test_refused_weights_answer_in_chinese(world, api):
    response = api(world.people.district_admin)(
        "post", f"/orders/figures/weights/{world.district.pk}", _weights(basic="1.5")
    )

    assert response.status_code == 400
    assert response.json()["errors"]["basic"] == ["请填写 0 至 1 之间的权重。"]
