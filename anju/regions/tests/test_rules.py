"""12-digit statistical division codes: levels, prefixes and parent/child links."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anju.regions.rules import is_child_code, level_of, prefix_of

# 四川省成都市锦江区 / 春熙路街道 / 红星社区 (the codes the test world uses)
DISTRICT = "510104000000"
STREET = "510104001000"
COMMUNITY = "510104001001"
OTHER_STREET = "510104002000"
OTHER_COMMUNITY = "510104002001"
NEIGHBOUR_DISTRICT = "510105000000"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (DISTRICT, "district"),
        (STREET, "street"),
        (COMMUNITY, "community"),
        ("110105000000", "district"),  # 北京市朝阳区
        ("110105026000", "street"),  # 朝阳区 建外街道
        ("110105026002", "community"),
        ("000000000000", None),  # no district
        ("000000001001", None),
        ("510104000001", None),  # a community under street 000
        ("51010400100", None),  # 11 digits
        ("5101040010010", None),  # 13 digits
        ("5101040010a1", None),  # not all digits
        ("５１０１０４０００００", None),  # full-width digits
        ("", None),
        (" 510104000000", None),
    ],
)
def test_level_of(code, level):
    assert level_of(code) == level


@pytest.mark.parametrize(
    ("code", "prefix"),
    [(DISTRICT, "510104"), (STREET, "510104001"), (COMMUNITY, "510104001001")],
)
def test_prefix_of(code, prefix):
    assert prefix_of(code) == prefix


@pytest.mark.parametrize("code", ["000000000000", "510104000001", "abc", ""])
def test_prefix_of_a_malformed_code_raises(code):
    with pytest.raises(ValueError):
        prefix_of(code)


def test_prefixes_keep_neighbours_apart():
    # A street's prefix covers its communities and nothing of the next street or district.
    assert COMMUNITY.startswith(prefix_of(STREET))
    assert not OTHER_COMMUNITY.startswith(prefix_of(STREET))
    assert not NEIGHBOUR_DISTRICT.startswith(prefix_of(DISTRICT))


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        (DISTRICT, STREET, True),
        (STREET, COMMUNITY, True),
        (DISTRICT, OTHER_STREET, True),
        (DISTRICT, COMMUNITY, False),  # two levels down
        (STREET, OTHER_COMMUNITY, False),  # the neighbouring street's community
        (NEIGHBOUR_DISTRICT, STREET, False),
        (STREET, DISTRICT, False),  # upwards
        (COMMUNITY, COMMUNITY, False),
        (DISTRICT, DISTRICT, False),
        ("bad", STREET, False),
        (DISTRICT, "bad", False),
    ],
)
def test_is_child_code(parent, child, expected):
    assert is_child_code(parent, child) is expected


# ------------------------------------------------------------------------- properties

district_parts = st.text("0123456789", min_size=6, max_size=6).filter(lambda s: s != "000000")
nonzero3 = st.text("0123456789", min_size=3, max_size=3).filter(lambda s: s != "000")


@st.composite
def communities(draw):
    return draw(district_parts) + draw(nonzero3) + draw(nonzero3)


@given(communities())
def test_every_community_has_a_street_and_a_district_above_it(code):
    street = code[:9] + "000"
    district = code[:6] + "000000"

    assert (level_of(district), level_of(street), level_of(code)) == (
        "district",
        "street",
        "community",
    )
    assert is_child_code(district, street)
    assert is_child_code(street, code)
    assert not is_child_code(district, code)
    assert not is_child_code(code, street)


@given(communities())
def test_prefix_padded_with_zeros_gives_back_the_node(code):
    for node in (code, code[:9] + "000", code[:6] + "000000"):
        prefix = prefix_of(node)
        assert node.startswith(prefix)
        assert prefix.ljust(12, "0") == node


@given(communities(), communities())
def test_a_child_always_shares_its_parents_prefix(a, b):
    for parent in (a[:6] + "000000", a[:9] + "000"):
        for child in (b[:9] + "000", b):
            if is_child_code(parent, child):
                assert child.startswith(prefix_of(parent))
                assert child != parent


@given(communities(), st.integers(0, 11), st.characters(blacklist_categories=["Nd"]))
def test_a_code_with_any_non_digit_is_malformed(code, position, char):
    broken = code[:position] + char + code[position + 1 :]
    assert level_of(broken) is None
    assert not is_child_code(broken[:9] + "000", broken)


@given(st.text(max_size=14))
def test_level_of_never_raises(text):
    assert level_of(text) in {None, "district", "street", "community"}
