"""The metric dashboard: figures of the user's scope, the Excel export, snapshots."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders.models import MetricSnapshot
from anju.workorders.tests.test_metrics import month  # noqa: F401 - the hand-built month
from tests.helpers import table_rows, workbook_rows

URL = reverse("workorders:figures")
MARCH = {"month": "2026-03", "group": "street"}

# Rank, street, created, complaints, response, solve, satisfaction, score, sign, on time,
# overdue, return, rework, rejected, merged, per 10,000 households (test_metrics.py's month).
STREET_A = ["样本不足", "春熙路街道", "5", "3", "50.0%", "50.0%", "50.0%", "50.0%", "66.7%",
            "33.3%", "66.7%", "0.0%", "50.0%", "20.0%", "20.0%", "150.0"]  # fmt: skip
STREET_B = ["样本不足", "书院街街道", "1", "1", "100.0%", "100.0%", "80.0%", "91.0%", "100.0%",
            "100.0%", "0.0%", "0.0%", "0.0%", "0.0%", "0.0%", "100.0"]  # fmt: skip


def test_district_admin_sees_the_street_rows_of_the_month(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)

    response = client.get(URL, MARCH)

    assert response.status_code == 200
    assert sorted(table_rows(response, "figures")) == sorted([STREET_A, STREET_B])
    page = response.content.decode()
    assert 'data-testid="score-chart"' in page
    assert 'data-testid="channel-chart"' in page
    assert 'id="channel-chart"' in page  # the json_script the chart reads
    assert 'data-testid="take-snapshot"' in page
    # The whole district: 4 complaints against 2 in March 2025 (+100 %, the target missed).
    assert response.context["headline"]["complaints"] == 4
    assert response.context["headline"]["complaints_last_year"] == 2
    assert response.context["headline"]["yoy"] == "100.0%"
    assert response.context["headline"]["yoy_met"] is False
    assert response.context["headline"]["rejected"] == "16.7%"
    assert response.context["headline"]["merged"] == "16.7%"


@pytest.mark.parametrize("persona", ["company_x_manager", "owner_unit_101", "auditor"])
def test_roles_without_dispatch_or_supervision_are_refused(world, client, month, persona):  # noqa: F811
    client.force_login(getattr(world.people, persona))
    assert client.get(URL, MARCH).status_code == 403
    assert client.get(URL, {**MARCH, "export": "xlsx"}).status_code == 403


def test_street_officer_counts_only_their_street(world, client, month):  # noqa: F811
    client.force_login(world.people.street_a_officer)

    response = client.get(URL, MARCH)

    assert response.status_code == 200
    assert table_rows(response, "figures") == [STREET_A]
    assert response.context["headline"]["complaints"] == 3
    # A street officer does not supervise: no snapshot panel.
    assert 'data-testid="take-snapshot"' not in response.content.decode()


def test_export_holds_the_rows(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)

    response = client.get(URL, {**MARCH, "export": "xlsx"})

    assert response.status_code == 200
    rows = sorted(workbook_rows(response), key=lambda r: r[1])
    assert [r[1] for r in rows] == sorted(["春熙路街道", "书院街街道"])
    by_street = {r[1]: r for r in rows}
    assert by_street["春熙路街道"][2:4] == [5, 3]
    assert by_street["春熙路街道"][7] == "50.0%"
    assert by_street["书院街街道"][7] == "91.0%"


def test_other_groupings(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)

    estates = client.get(URL, {"month": "2026-03", "group": "estate"})
    companies = client.get(URL, {"month": "2026-03", "group": "company"})

    assert {r[1] for r in table_rows(estates, "figures")} == {"红星花园", "东风苑"}
    assert {"安心物业", "宜居物业"} <= {r[1] for r in table_rows(companies, "figures")}


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13", "group": "street"},
        {"month": "garbage", "group": "nonsense"},
        {"month": "2999-01"},
        {"month": "0000-00", "group": ""},
        {"month": "2026-3-1"},
        {},
    ],
)
def test_bad_parameters_fall_back_to_the_defaults(world, client, month, params):  # noqa: F811
    client.force_login(world.people.district_admin)

    response = client.get(URL, params)

    assert response.status_code == 200
    assert response.context["group"] == "street"
    previous = timezone.localdate().replace(day=1) - timedelta(days=1)
    assert response.context["month_value"] == f"{previous:%Y-%m}"  # the last full month


def test_default_month_is_the_last_full_month():
    from datetime import date

    from anju.workorders.metrics_views import parse_month

    assert parse_month(None, date(2026, 1, 5)) == (2025, 12)
    assert parse_month("2026-02", date(2026, 3, 1)) == (2026, 2)
    assert parse_month("2026-03", date(2026, 3, 31)) == (2026, 3)  # the running month
    assert parse_month("2026-04", date(2026, 3, 31)) == (2026, 2)  # not yet begun


def test_snapshot_save_and_publish(world, client, month):  # noqa: F811
    admin = world.people.district_admin
    client.force_login(admin)

    saved = client.post(reverse("workorders:figures_snapshot"), MARCH)

    assert saved.status_code == 302
    snapshot = MetricSnapshot.objects.get()
    assert (snapshot.region_code, snapshot.group, snapshot.version) == (
        world.district.code,
        "street",
        1,
    )
    assert str(snapshot.month) == "2026-03-01"
    assert AuditEvent.objects.filter(action="metrics.snapshot", actor=admin).count() == 1
    page = client.get(saved["Location"])
    assert 'data-testid="publish"' in page.content.decode()

    published = client.post(reverse("workorders:figures_publish", args=[snapshot.pk]))

    assert published.status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.published_at is not None
    assert snapshot.published_by == admin
    assert AuditEvent.objects.filter(action="metrics.publish", actor=admin).count() == 1
    page = client.get(published["Location"]).content.decode()
    assert 'data-testid="frozen"' in page
    assert 'data-testid="publish"' not in page


def test_publish_twice_shows_an_error_and_changes_nothing(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)
    client.post(reverse("workorders:figures_snapshot"), MARCH, follow=True)
    snapshot = MetricSnapshot.objects.get()
    url = reverse("workorders:figures_publish", args=[snapshot.pk])
    client.post(url, follow=True)  # the success messages are shown (and consumed) here
    snapshot.refresh_from_db()
    before = (snapshot.published_at, snapshot.updated_at, AuditEvent.objects.count())

    again = client.post(url, follow=True)

    assert again.status_code == 200
    shown = [(m.level_tag, str(m)) for m in again.context["messages"]]
    assert shown == [("error", "该快照已发布，不能修改。")]
    snapshot.refresh_from_db()
    assert (snapshot.published_at, snapshot.updated_at, AuditEvent.objects.count()) == before


def test_a_new_snapshot_after_publication_is_the_next_version(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)
    client.post(reverse("workorders:figures_snapshot"), MARCH)
    first = MetricSnapshot.objects.get()
    client.post(reverse("workorders:figures_publish", args=[first.pk]))

    client.post(reverse("workorders:figures_snapshot"), MARCH)

    assert list(MetricSnapshot.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_snapshots_need_supervision(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)
    client.post(reverse("workorders:figures_snapshot"), MARCH)
    snapshot = MetricSnapshot.objects.get()
    AuditEvent.objects.all().delete()

    client.force_login(world.people.district_staff)  # dispatches, does not supervise
    assert client.post(reverse("workorders:figures_snapshot"), MARCH).status_code == 403
    publish = reverse("workorders:figures_publish", args=[snapshot.pk])
    assert client.post(publish).status_code == 403
    client.force_login(world.people.neighbour_admin)  # supervises another district
    assert client.post(publish).status_code == 404
    client.force_login(world.people.district_admin)
    assert client.get(publish).status_code == 405  # POST only

    snapshot.refresh_from_db()
    assert snapshot.published_at is None
    assert MetricSnapshot.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_navigation_entry(world, client):
    client.force_login(world.people.street_a_officer)
    assert URL in client.get(reverse("core:home")).content.decode()
    client.force_login(world.people.company_x_manager)
    assert URL not in client.get(reverse("core:home")).content.decode()
