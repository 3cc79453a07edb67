"""The figures page beyond the live month: published (frozen) versions, the district's
weights by month, and the year's orders by channel with its Excel export."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from anju.core.models import AuditEvent
from anju.workorders import snapshots, weights
from anju.workorders.machine import State
from anju.workorders.metrics import Weights
from anju.workorders.models import Channel, MetricWeights, WorkOrder
from anju.workorders.tests.test_metrics import month, order, t  # noqa: F401 - the month
from anju.workorders.tests.test_metrics_pages import MARCH, STREET_A, STREET_B
from tests.helpers import table_rows, workbook_rows

URL = reverse("workorders:figures")
MARCH_DAY = date(2026, 3, 1)


def save_weights(world, *, effective=MARCH_DAY, basic="1", response="0.1", solve="0.45",
                 satisfy="0.45", min_sample=5, actor=None):  # fmt: skip
    return weights.weights_save(
        actor=actor or world.people.district_admin,
        district=world.district,
        effective_from=effective,
        basic=Decimal(basic),
        response=Decimal(response),
        solve=Decimal(solve),
        satisfy=Decimal(satisfy),
        min_sample=min_sample,
        today=effective,
    )


# -- weights ---------------------------------------------------------------------------------


def test_weights_by_month_with_defaults_before(world):
    assert weights.in_force(world.district.code, MARCH_DAY) == Weights()
    row = save_weights(world, basic="1")
    assert weights.in_force(world.district.code, date(2026, 3, 31)).basic == Decimal(1)
    assert weights.in_force(world.district.code, date(2026, 2, 1)) == Weights()
    assert weights.in_force(world.neighbour.code, MARCH_DAY) == Weights()
    audit = AuditEvent.objects.get(action="metrics.weights")
    assert audit.target_id == str(row.pk)
    assert audit.region_code == world.district.code


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"response": "0.2"}, "satisfy"),  # 0.2 + 0.45 + 0.45 != 1
        ({"basic": "1.5"}, "basic"),
        ({"solve": "-0.1", "satisfy": "0.1", "response": "1"}, "solve"),
        ({"min_sample": 0}, "min_sample"),
    ],
)
def test_bad_weights_name_the_field_and_write_nothing(world, values, field):
    with pytest.raises(ValidationError) as error:
        save_weights(world, **values)
    assert field in error.value.message_dict
    assert not MetricWeights.objects.exists()
    assert not AuditEvent.objects.filter(action="metrics.weights").exists()


def test_past_months_keep_their_weights(world):
    with pytest.raises(ValidationError) as error:
        weights.weights_save(actor=world.people.district_admin, district=world.district,
                             effective_from=MARCH_DAY, basic=Decimal(1), response=Decimal("0.1"),
                             solve=Decimal("0.45"), satisfy=Decimal("0.45"), min_sample=5,
                             today=date(2026, 5, 10))  # fmt: skip
    assert "month" in error.value.message_dict
    save_weights(world)
    with pytest.raises(ValidationError):  # one version per month
        save_weights(world, basic="0.9")


def test_only_the_districts_administrator_sets_weights(world):
    with pytest.raises(PermissionDenied):
        save_weights(world, actor=world.people.district_staff)
    with pytest.raises(PermissionDenied):
        save_weights(world, actor=world.people.neighbour_admin)


def test_the_figures_use_the_weights_in_force(world, client, month):  # noqa: F811
    client.force_login(world.people.district_admin)
    before = {row[1]: row for row in table_rows(client.get(URL, MARCH), "figures")}
    assert before["书院街街道"][6] == "80.0%"  # one basically satisfied at 0.8

    save_weights(world, basic="1", min_sample=1)
    response = client.get(URL, MARCH)

    after = {row[1]: row for row in table_rows(response, "figures")}
    assert after["书院街街道"][6] == "100.0%"
    assert after["书院街街道"][0] == "1"  # ranked now that one rating is enough
    page = response.content.decode()
    assert 'data-testid="edit-weights"' in page
    assert "2026-03" in page.split('data-testid="weights-source"')[1][:300]
    # A street officer of the district is judged with the same weights.
    client.force_login(world.people.street_b_officer)
    rows = table_rows(client.get(URL, MARCH), "figures")
    assert rows[0][6] == "100.0%"
    assert 'data-testid="edit-weights"' not in client.get(URL, MARCH).content.decode()


def test_the_weights_page(world, client):
    url = reverse("workorders:weights", args=[world.district.pk])
    client.force_login(world.people.district_admin)
    assert client.get(url).status_code == 200
    today = timezone.localdate().replace(day=1)
    data = {"month": f"{today:%Y-%m}", "basic": "0.9", "response": "0.2", "solve": "0.4",
            "satisfy": "0.4", "min_sample": "3", "note": "2027年考核口径"}  # fmt: skip

    bad = client.post(url, data | {"satisfy": "0.5"})
    assert bad.status_code == 400
    assert 'data-testid="error-satisfy"' in bad.content.decode()
    assert not MetricWeights.objects.exists()

    saved = client.post(url, data)
    assert saved.status_code == 302
    row = MetricWeights.objects.get()
    assert (row.basic, row.min_sample, row.note) == (Decimal("0.9"), 3, "2027年考核口径")
    history = table_rows(client.get(url), "weights-history")
    assert history[0][0].startswith(f"{today:%Y-%m}")
    assert history[0][1:6] == ["0.9000", "0.2000", "0.4000", "0.4000", "3"]

    client.force_login(world.people.district_staff)
    assert client.get(url).status_code == 403
    client.force_login(world.people.neighbour_admin)
    assert client.get(url).status_code == 404


def test_snapshots_store_the_weights_in_force(world, month):  # noqa: F811
    save_weights(world, basic="1")
    snapshot = snapshots.take(actor=world.people.district_admin, region=world.district,
                              year=2026, month=3, group="street")  # fmt: skip
    assert snapshot.weights["basic"] == "1.0000"
    assert snapshots.stored_weights(snapshot).basic == Decimal(1)


# -- published figures -----------------------------------------------------------------------


def publish(world, note=""):
    admin = world.people.district_admin
    snapshot = snapshots.take(actor=admin, region=world.district, year=2026, month=3,
                              group="street", note=note)  # fmt: skip
    return snapshots.publish(actor=admin, snapshot=snapshot)


def test_a_published_month_shows_its_frozen_figures(world, client, month):  # noqa: F811
    first = publish(world)
    # Later the month changes: a new closed order in street B.
    order(world, 20, world.estate_b, company=world.company_y, dispatched=t(3, 9),
          signed=t(3, 9, 11), contacted=t(3, 9, 12), feedback=t(3, 10), closed=t(3, 11),
          visit=(False, "unsatisfied", t(3, 11)))  # fmt: skip
    client.force_login(world.people.district_admin)

    frozen = client.get(URL, MARCH)

    assert sorted(table_rows(frozen, "figures")) == sorted([STREET_A, STREET_B])
    page = frozen.content.decode()
    assert 'data-testid="published-banner"' in page
    assert 'data-testid="published-version"' in page
    assert frozen.context["published"] == first
    assert frozen.context["headline"]["complaints"] == 4  # the stored total, not today's 5

    live = client.get(URL, MARCH | {"live": "1"})

    live_rows = {row[1]: row for row in table_rows(live, "figures")}
    assert live_rows["书院街街道"][2] == "2"  # the new order counts live
    assert live.context["headline"]["complaints"] == 5
    assert 'data-testid="live-banner"' in live.content.decode()

    export = client.get(URL, MARCH | {"export": "xlsx"})
    exported = {row[1]: row for row in workbook_rows(export)}
    assert exported["书院街街道"][2] == 1  # the export follows the published figures


def test_an_appeal_is_a_new_version_and_each_can_be_shown(world, client, month):  # noqa: F811
    publish(world)
    WorkOrder.objects.filter(number="T0004").update(state=State.CLOSED)  # appeal upheld
    second = publish(world, note="申诉复核")
    client.force_login(world.people.district_admin)

    newest = client.get(URL, MARCH)
    assert newest.context["published"] == second
    page = newest.content.decode()
    assert 'data-testid="version-1"' in page
    assert 'data-testid="version-2"' in page
    assert "申诉复核" in page
    assert newest.context["headline"]["rejected"] == "0.0%"

    older = client.get(URL, MARCH | {"version": "1"})
    assert older.context["published"].version == 1
    assert older.context["headline"]["rejected"] == "16.7%"


def test_drafts_and_other_groupings_stay_live(world, client, month):  # noqa: F811
    admin = world.people.district_admin
    snapshots.take(actor=admin, region=world.district, year=2026, month=3, group="street")
    client.force_login(admin)
    assert client.get(URL, MARCH).context["published"] is None  # a draft is not shown
    publish(world)
    assert client.get(URL, MARCH | {"group": "estate"}).context["published"] is None
    # A street's officer has the street's figures, not the district's snapshot.
    client.force_login(world.people.street_a_officer)
    assert client.get(URL, MARCH).context["published"] is None


# -- orders by channel -----------------------------------------------------------------------


def test_the_years_orders_by_channel_and_their_export(world, client, month):  # noqa: F811
    order(world, 30, world.estate_a, state=State.REJECTED, created=t(11, 20), channel="directive")
    order(world, 31, world.estate_n, created=t(6, 1), channel="onsite")  # another district
    client.force_login(world.people.district_admin)

    response = client.get(URL, MARCH)

    rows = {row[0]: row[1:] for row in table_rows(response, "channel-table")}
    assert rows["电话"] == ["5", "71.4%"]
    assert rows["12345热线"][0] == "1"
    assert rows["领导批示"][0] == "1"
    assert rows["现场"][0] == "0"
    assert response.context["channels"]["total"] == 7
    chart = response.context["channel_chart"]
    assert sum(chart["series"][0]["data"]) == 7

    export = client.get(URL, MARCH | {"export": "channels"})
    assert export["Content-Disposition"].endswith('orders-by-channel-2026.xlsx"')
    sheet = workbook_rows(export)
    assert len(sheet) == len(Channel.choices) + 1  # each channel, then the total
    assert {r[0]: r[1] for r in sheet}["电话"] == 5
    assert sheet[-1][1] == 7

    client.force_login(world.people.neighbour_admin)
    other = client.get(URL, MARCH)
    assert other.context["channels"]["total"] == 1
