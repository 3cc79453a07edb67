from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.core.lookups import next_code
from anju.estates.models import Estate, Unit
from tests import factories as f


def test_codeprefix_matches_exactly_the_codes_sharing_the_prefix(world):
    # given: estates in streets 001 and 002 of district 510104, and one in district 510105
    def names(prefix):
        return set(
            Estate.objects.filter(region_code__codeprefix=prefix).values_list("name", flat=True)
        )

    # then a street prefix matches its estates only, a district prefix its district only
    assert names("510104001") == {"红星花园", "和平小区"}
    assert names("510104002") == {"东风苑"}
    assert names("510104") == {"红星花园", "和平小区", "东风苑"}
    assert names("510105001001") == {"浣花苑"}
    # and nonsense or empty prefixes match nothing / everything
    assert names("51010x") == set()
    assert names("") == {"红星花园", "和平小区", "东风苑", "浣花苑"}


def test_codeprefix_at_the_top_of_the_range(world):
    region = f.RegionFactory(code="999999000000", name="边界区", level="district")
    f.EstateFactory(
        name="边界苑",
        region=f.RegionFactory(code="999999999999", name="边界社区", level="community"),
    )
    assert region.prefix == "999999"
    assert list(
        Estate.objects.filter(region_code__codeprefix="999999").values_list("name", flat=True)
    ) == ["边界苑"]


DIGITS = "0123456789"


@given(
    st.text(alphabet=DIGITS, min_size=1, max_size=12),
    st.text(alphabet=DIGITS, min_size=12, max_size=12),
)
def test_range_agrees_with_startswith_on_12_digit_codes(prefix, code):
    # The lookup's range test and a plain prefix test agree on every 12-digit code.
    in_range = code >= prefix if set(prefix) == {"9"} else prefix <= code < next_code(prefix)
    assert in_range == code.startswith(prefix)


@given(st.text(alphabet=DIGITS, min_size=1, max_size=11), st.text(alphabet=DIGITS, max_size=3))
def test_codes_near_the_prefix_are_classified_correctly(prefix, tail):
    # Codes built from the prefix, and from its neighbours, land on the right side.
    inside = (prefix + tail).ljust(12, "0")
    assert prefix <= inside
    if set(prefix) != {"9"}:
        assert inside < next_code(prefix)
        assert not next_code(prefix).ljust(12, "0").startswith(prefix)


def test_codeprefix_writes_only_ascii_digits_into_the_sql(world):
    # Other digits (full-width, Arabic-Indic) and anything else match nothing, before any SQL.
    for prefix in ("５１０１", "٥١٠", "510104' OR '1'='1", "510104%"):
        assert not Estate.objects.filter(region_code__codeprefix=prefix).exists()
    sql = str(Estate.objects.filter(region_code__codeprefix="510104").query)
    assert "'510104'" in sql
    assert "'510105'" in sql


TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789AaBbZz-_.:#()[]{}+ '\\%\"~|栋号楼")),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=TEXT, others=st.lists(TEXT, min_size=1, max_size=6))
def test_textprefix_matches_what_startswith_matches(world, prefix, others):
    # given units numbered with every kind of character, quotes and backslashes included (each
    # example removes the previous one's units first)
    building = world.building_a
    Unit.objects.filter(building=building, number__startswith="x").delete()
    numbers = {f"x{n}" for n in [prefix, *others, prefix + "1"]}
    for number in numbers:
        f.UnitFactory(building=building, number=number)
    scoped = Unit.objects.filter(building=building, number__startswith="x")

    # then the range lookup finds exactly the prefix matches
    found = set(scoped.filter(number__textprefix="x" + prefix).values_list("number", flat=True))
    assert found == {n for n in numbers if n.startswith("x" + prefix)}


def test_textprefix_writes_plain_ascii_as_literals_and_anything_else_as_parameters(world):
    plain = Unit.objects.filter(number__textprefix="A-1502").query.sql_with_params()
    assert "'A-1502'" in plain[0]
    assert "'A-1503'" in plain[0]
    assert plain[1] == ()
    for risky in ("1' OR '1'='1", "15\\", "3栋", "15%"):
        sql, params = Unit.objects.filter(number__textprefix=risky).query.sql_with_params()
        assert risky not in sql
        assert risky in params
