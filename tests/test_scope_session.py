"""A page request keeps the user's memberships and region choices in the session.

What is kept must never outlive what it was built from: a membership granted or taken away,
a region renamed or added, a deploy that changes what is kept, or simply time.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.accounts import scope as scope_module
from anju.accounts.models import Membership, User
from anju.accounts.roles import Role
from anju.accounts.scope import SNAPSHOT_KEY, scope_of
from tests import factories as f
from tests.helpers import table_rows

ESTATES = reverse("estates:list")


def _sql(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries]


def _touches(sql: list[str], table: str) -> bool:
    return any(f'"{table}"' in statement for statement in sql)


def _reads_region_choices(sql: list[str]) -> bool:
    # The choices read the level; the estate list itself only joins the community's name.
    return any('"regions_region"."level"' in statement for statement in sql)


def _estate_names(response) -> set[str]:
    return {row[0] for row in table_rows(response)}


def test_the_second_page_reads_no_memberships_or_regions(world, client):
    client.force_login(world.people.street_a_officer)
    _response, first = _sql(client, ESTATES)
    response, second = _sql(client, ESTATES)

    assert _touches(first, "accounts_membership")
    assert _reads_region_choices(first)
    assert not _touches(second, "accounts_membership")
    assert not _reads_region_choices(second)
    assert _estate_names(response) == {"红星花园", "和平小区"}
    assert "春熙路街道" in response.content.decode()


def test_a_new_membership_shows_on_the_next_page(world, client):
    officer = world.people.street_a_officer
    client.force_login(officer)
    assert "东风苑" not in _estate_names(client.get(ESTATES))

    Membership.objects.create(user=officer, role=Role.STREET_OFFICER, region=world.street_b)

    assert _estate_names(client.get(ESTATES)) == {"红星花园", "和平小区", "东风苑"}


def test_a_removed_membership_is_gone_on_the_next_page(world, client):
    officer = world.people.street_a_officer
    client.force_login(officer)
    detail = reverse("estates:detail", args=[world.estate_a.pk])
    assert client.get(detail).status_code == 200

    officer.memberships.get().delete()

    assert client.get(detail).status_code == 404
    assert client.get(ESTATES).status_code in {403, 404}


def test_a_changed_membership_role_takes_its_rights_with_it(world, client):
    staff = world.people.district_staff
    client.force_login(staff)
    client.get(ESTATES)
    membership = staff.memberships.get()
    membership.region = world.street_b
    membership.save()

    assert _estate_names(client.get(ESTATES)) == {"东风苑"}


def test_a_renamed_or_new_region_shows_in_the_filters(world, client):
    client.force_login(world.people.district_admin)
    assert "春熙路街道" in client.get(ESTATES).content.decode()

    world.street_a.name = "春熙新街道"
    world.street_a.save()
    f.RegionFactory(code="510104001009", name="新建社区", level="community", parent=world.street_a)

    page = client.get(ESTATES).content.decode()
    assert "春熙新街道" in page
    assert "春熙路街道" not in page
    assert "新建社区" in page


def test_a_bulk_change_behind_the_signals_shows_after_the_ttl(world, client, monkeypatch):
    officer = world.people.street_a_officer
    client.force_login(officer)
    client.get(ESTATES)
    # A queryset update sends no signal: only the time limit catches it.
    Membership.objects.filter(user=officer).update(region=world.street_b)
    assert "东风苑" not in _estate_names(client.get(ESTATES))

    session = client.session
    snapshot = session[SNAPSHOT_KEY]
    snapshot["t"] -= scope_module.SNAPSHOT_TTL + 1
    session[SNAPSHOT_KEY] = snapshot
    session.save()

    assert _estate_names(client.get(ESTATES)) == {"东风苑"}


@pytest.mark.parametrize(
    "broken",
    [
        "not a dict",
        {"v": 0, "t": 0, "memberships": [["nonsense"]]},
        {"v": "x", "f": "old", "t": 1e12, "memberships": [[1, 2]]},
    ],
)
def test_a_snapshot_of_another_shape_is_rebuilt(world, client, broken):
    client.force_login(world.people.street_a_officer)
    session = client.session
    session[SNAPSHOT_KEY] = broken
    session.save()

    response = client.get(ESTATES)

    assert response.status_code == 200
    assert _estate_names(response) == {"红星花园", "和平小区"}


def test_a_snapshot_only_counts_for_the_version_it_was_built_for(world, client):
    officer = world.people.street_a_officer
    client.force_login(officer)
    client.get(ESTATES)
    version = User.objects.get(pk=officer.pk).scope_version
    assert client.session[SNAPSHOT_KEY]["v"] == version

    Membership.objects.create(user=officer, role=Role.COMMUNITY_WORKER, region=world.b1)

    assert User.objects.get(pk=officer.pk).scope_version > version
    _response, sql = _sql(client, ESTATES)
    assert _touches(sql, "accounts_membership")
    assert client.session[SNAPSHOT_KEY]["v"] == User.objects.get(pk=officer.pk).scope_version


def test_api_clients_and_code_without_a_session_read_the_database(world):
    officer = User.objects.get(pk=world.people.street_a_officer.pk)
    with CaptureQueriesContext(connection) as queries:
        scope = scope_of(officer)
    assert _touches([q["sql"] for q in queries], "accounts_membership")
    assert scope.roles == {Role.STREET_OFFICER}


def test_large_region_lists_are_not_kept(world, client, monkeypatch):
    monkeypatch.setattr(scope_module, "SNAPSHOT_MAX_ROWS", 2)
    client.force_login(world.people.district_admin)
    client.get(ESTATES)
    _response, sql = _sql(client, ESTATES)

    assert "regions" not in client.session[SNAPSHOT_KEY]
    assert "memberships" in client.session[SNAPSHOT_KEY]
    assert _reads_region_choices(sql)
    assert not _touches(sql, "accounts_membership")
