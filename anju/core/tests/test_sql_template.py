"""Queries compiled once and rerun with new values (core/sql_template.py): the rows always equal
the ORM's own, whatever the values, and a query the markers cannot stand in for is compiled
every time instead of being kept."""

from datetime import date

import pytest
from django.core.exceptions import EmptyResultSet
from django.db.models import DateField, Q, Value

from anju.accounts.models import User
from anju.accounts.roles import Action
from anju.accounts.scope import Scope, estate_filter, estate_filter_key, scope_of
from anju.core import sql_template
from anju.estates.models import Estate, Unit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    sql_template.clear()
    yield
    sql_template.clear()


def units_of(estate_id, numbers):
    return (
        Unit.objects.filter(estate_id=estate_id, number__in=numbers)
        .order_by("id")
        .values("id", "number", "area", "building__number")
    )


def test_rows_equal_the_querysets_for_any_values(world):
    estate = world.estate_a
    numbers = list(Unit.objects.filter(estate=estate).values_list("number", flat=True))
    for wanted in (numbers[:1], numbers[:2], numbers[1:3], ["nope", numbers[0]]):
        got = sql_template.rows(("units",), units_of, estate_id=estate.pk, numbers=wanted)
        assert got == list(units_of(estate.pk, wanted))
    other = world.estate_b
    wanted = list(Unit.objects.filter(estate=other).values_list("number", flat=True))[:2]
    got = sql_template.rows(("units",), units_of, estate_id=other.pk, numbers=wanted)
    assert got == list(units_of(other.pk, wanted))
    assert got  # the second estate's units, not the first's


def test_one_compilation_per_key_and_shape(world, django_assert_num_queries):
    calls = []

    def build(estate_id, numbers):
        calls.append(len(numbers))
        return units_of(estate_id, numbers)

    for numbers in (["101"], ["102"], ["101", "102"], ["103", "101"], ["103"]):
        with django_assert_num_queries(1):
            sql_template.rows(("units",), build, estate_id=world.estate_a.pk, numbers=numbers)
    assert calls == [1, 2]  # one build per list length, none afterwards


def test_converted_values_come_back_as_the_orm_gives_them(world):
    """Decimals (area), dates and the like go through the ORM's converters."""

    def build(pk):
        return (
            Unit.objects.filter(pk=pk)
            .annotate(day=Value(date(2026, 12, 3), output_field=DateField()))
            .values("area", "day", "estate__name")
        )

    unit = world.units_a[0]
    (row,) = sql_template.rows(("converted",), build, pk=unit.pk)
    assert row == {"area": unit.area, "day": date(2026, 12, 3), "estate__name": unit.estate.name}


def test_a_like_pattern_is_kept_and_escapes_each_new_value(world):
    """contains/icontains build "%text%" around the marker: the ends are kept and every new
    value is escaped as the ORM escapes it (%, _ and backslashes match themselves)."""
    calls = []

    def build(fragment):
        calls.append(fragment)
        return Estate.objects.filter(name__icontains=fragment).order_by("id").values("name")

    f.EstateFactory(name="百分之%百_花园\\东", region=world.a1)
    for fragment in ("红星", "书院", "%", "_", "\\", "%百_", "不存在"):
        got = sql_template.rows(("contains",), build, fragment=fragment)
        assert got == list(build(fragment)), fragment
    assert len(calls) == 1 + 7  # one build to compile, then only the comparisons here


def test_a_value_the_orm_repeats_is_never_kept(world):
    """The same marker twice among the parameters: no template, the query built every time."""
    calls = []

    def build(text):
        calls.append(text)
        return Estate.objects.filter(Q(name=text) | Q(address=text)).values("name")

    for text in ("红星花园", "东风苑"):
        assert sql_template.rows(("twice",), build, text=text) == list(build(text))
    assert "红星花园" in calls
    assert "东风苑" in calls


def test_an_empty_query_runs_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        rows = sql_template.rows(("none",), lambda pk: Unit.objects.none().values("id"), pk=1)
    assert rows == []


def test_booleans_belong_in_the_key():
    with pytest.raises(TypeError, match="boolean"):
        sql_template.rows(("bool",), lambda flag: Unit.objects.values("id"), flag=True)


def test_an_instance_is_loaded_with_the_rest_deferred(world):
    unit = world.units_a[0]
    loaded = sql_template.instance(Unit, "default", {"id": unit.pk, "number": unit.number})
    assert (loaded.pk, loaded.number, loaded._state.adding) == (unit.pk, unit.number, False)
    assert loaded.get_deferred_fields() >= {"area", "estate_id"}
    assert loaded.area == unit.area  # fetched on first use, like only()


# -- the key of an estate filter -----------------------------------------------------------


def _filter_sql(user) -> str:
    qs = Estate.objects.filter(estate_filter(scope_of(user), Action.VOTES_VIEW)).values("id")
    return str(qs.query)


def test_owners_of_one_estate_share_a_key_and_its_filter(world):
    from anju.accounts.roles import Role
    from tests.factories import member

    first, second = world.units_a[0], world.units_a[1]
    a = member("owner_first", Role.OWNER, unit=first)
    b = member("owner_second", Role.OWNER, unit=second)
    c = member("owner_elsewhere", Role.OWNER, unit=world.units_b[0])
    key = estate_filter_key
    assert key(scope_of(a), Action.VOTES_VIEW) == key(scope_of(b), Action.VOTES_VIEW)
    assert _filter_sql(a) == _filter_sql(b)
    assert key(scope_of(a), Action.VOTES_VIEW) != key(scope_of(c), Action.VOTES_VIEW)


@pytest.mark.parametrize("action", [Action.VOTES_VIEW, Action.REGISTRY_VIEW, Action.VOTES_CAST])
def test_equal_keys_mean_equal_filters_for_every_pair_of_personas(world, action):
    """Any two personas with one key get the same filter SQL, so SQL kept for one serves the
    other."""
    users = list(User.objects.filter(pk__in=[u.pk for u in vars(world.people).values()]))

    def sql(user):
        scope = Scope(scope_of(user).grants)  # the filter, without the user's own rows
        qs = Estate.objects.filter(estate_filter(scope, action)).values("id")
        try:
            return str(qs.query)
        except EmptyResultSet:  # a scope that reaches nothing
            return ""

    by_key: dict[tuple, set[str]] = {}
    for user in users:
        by_key.setdefault(estate_filter_key(scope_of(user), action), set()).add(sql(user))
    assert all(len(sqls) == 1 for sqls in by_key.values())
    assert len(by_key) >= 3  # at least: owners of two estates, and those without the action
