"""The GB 32100-2015 unified social credit code (统一社会信用代码) and its check character."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anju.companies.rules import USCC_CHARSET, uscc_check_char, uscc_is_valid

# Codes as printed on public business licences; their check characters are real-world data,
# so they cross-check the weights and the character set against the standard.
PUBLISHED = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "91310000132149237G",
    "9144030071526726XG",
    "91110108551385082Q",
]

# Bodies of 17 characters in the standard's layout: registration authority (1 char), kind
# (1 char), 6-digit division code, 9-character organisation code.
BODIES = [
    "91510104MA6CX0Y1B",  # 9 market regulation, 1 enterprise, 锦江区
    "92510104MA62U8LQ0",  # 9, 2 individual business
    "12100000400000626",  # 1 government body, 2 public institution
    "51110000500000000",  # 5 civil affairs, 1 social organisation
    "Y1510104MA6CX0Y10",  # Y other authorities
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc_is_valid(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("body", BODIES)
def test_a_body_with_its_check_character_is_valid(body):
    code = body + uscc_check_char(body)
    assert uscc_is_valid(code)
    assert code[17] in USCC_CHARSET


def test_worked_example_of_the_check_character():
    # Σ value(c_i)·w_i over the body, then C = 31 − (Σ mod 31), with 31 written as 0.
    body = "91350100M000100Y4"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body, weights, strict=True))
    assert total % 31 == 28
    assert uscc_check_char(body) == "3"  # 31 − 28


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_charset_are_refused(letter):
    code = PUBLISHED[0]
    for position in (0, 1, 8, 12, 17):
        assert not uscc_is_valid(code[:position] + letter + code[position + 1 :])
    assert letter not in USCC_CHARSET


@pytest.mark.parametrize(
    "code",
    [
        "",
        PUBLISHED[0][:17],
        PUBLISHED[0] + "0",
        PUBLISHED[0].lower(),  # the service upper-cases input; the rule does not guess
        " " + PUBLISHED[0][1:],
        "91AB0100M000100Y43",  # the division code must be digits
    ],
)
def test_malformed_codes_are_refused(code):
    assert not uscc_is_valid(code)


# ------------------------------------------------------------------------- properties

charset = st.sampled_from(USCC_CHARSET)
digits = st.sampled_from("0123456789")


@st.composite
def bodies(draw):
    head = draw(charset) + draw(charset)
    division = "".join(draw(digits) for _ in range(6))
    organisation = "".join(draw(charset) for _ in range(9))
    return head + division + organisation


@given(bodies())
def test_every_body_completed_with_its_check_character_is_valid(body):
    assert uscc_is_valid(body + uscc_check_char(body))


@given(bodies(), st.integers(0, 17), charset)
def test_any_single_character_change_is_detected(body, position, replacement):
    code = body + uscc_check_char(body)
    if code[position] == replacement:
        return
    corrupted = code[:position] + replacement + code[position + 1 :]
    assert not uscc_is_valid(corrupted)


@given(bodies(), st.integers(0, 16))
def test_any_swap_of_neighbouring_characters_is_detected(body, position):
    code = body + uscc_check_char(body)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not uscc_is_valid(swapped)


@given(bodies(), st.integers(0, 17), st.sampled_from("IOZSV"))
def test_a_forbidden_letter_anywhere_is_refused(body, position, letter):
    code = body + uscc_check_char(body)
    assert not uscc_is_valid(code[:position] + letter + code[position + 1 :])


@given(st.text(max_size=20))
def test_validation_never_raises(text):
    assert uscc_is_valid(text) in {True, False}
