"""The vote rule engine: rule sets, exact thresholds, deemed consent (voting.md §1.1–§1.7)."""

import itertools
import json
import os
import subprocess
import sys
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.voting.rules import (
    CIVIL_CODE,
    FLAG_ABSTENTIONS_MAJORITY,
    FLAG_DIMENSIONS_DISAGREE,
    FLAG_NO_RETURNED_BALLOTS,
    FLAG_TIE,
    ORDER_165_LITERAL,
    PROPERTY_LAW_2007,
    RULE_SETS,
    ZERO,
    Counts,
    Decision,
    DeemedDecision,
    Matter,
    Options,
    Tally,
    Threshold,
    area_from_m2,
    decide,
    decide_deemed,
    format_area,
    rule_set,
    rule_set_in_force,
    verify_decision,
    verify_deemed,
)

MAJORITY_MATTERS = [m for m in Matter if m not in (6, 7, 8)]
THREE_QUARTER_MATTERS = [Matter.RAISE_FUND, Matter.REBUILD, Matter.CHANGE_USE]


def c(persons, m2):
    return Counts.of(persons, m2)


def dim(decision, test, measure):
    d = decision.dimension(test, measure)
    assert d is not None
    return d


# --- §1.7 Compound A: 1,000 units, 100,000.00 m² ---------------------------------------------

COMPOUND_A = c(931, "100000.00")


def test_compound_a_electorate_merges_developer_stock_and_multi_unit_owners():
    developer = c(1, "4000.00")  # 40 unsold or undelivered units: one person (R9a)
    double_owners = c(30, "6000.00")  # 30 owners of 2 units each: one person each (R9b, R10)
    single = c(900, "90000.00")
    assert developer + double_owners + single == COMPOUND_A


def _participation(persons, m2, *, yes=None, matter=Matter.HIRE_MANAGER):
    """A Compound A tally where ``persons``/``m2`` took part, by default all voting yes."""
    participants = c(persons, m2)
    yes = participants if yes is None else yes
    return decide(
        CIVIL_CODE, matter, Tally(COMPOUND_A, yes=yes, no=participants - yes, abstain=ZERO)
    )


def test_compound_a_quorum_boundaries_621_persons_and_66666_67_m2():
    d = _participation(621, "66666.67")
    assert dim(d, "quorum", "persons").boundary == 621
    assert dim(d, "quorum", "area").boundary == area_from_m2("66666.67")
    assert d.quorum_met
    assert d.passed


def test_compound_a_620_persons_fail_whatever_the_area():
    d = _participation(620, "99000.00")
    assert not dim(d, "quorum", "persons").passed
    assert dim(d, "quorum", "area").passed
    assert not d.quorum_met
    assert not d.passed


def test_compound_a_66666_66_m2_fails_the_quorum():
    # 66,666.66 × 3 = 199,999.98 < 200,000
    d = _participation(700, "66666.66")
    assert dim(d, "quorum", "persons").passed
    assert not dim(d, "quorum", "area").passed
    assert not d.quorum_met
    assert not d.passed


def test_compound_a_item_4_exactly_half_the_area_fails():
    d = _participation(650, "68000.00", yes=c(326, "34000.00"))
    assert d.quorum_met
    persons, area = dim(d, "approval", "persons"), dim(d, "approval", "area")
    assert (persons.numerator, persons.denominator, persons.boundary) == (326, 650, 326)
    assert persons.passed
    assert (area.numerator, area.denominator) == (3400000, 6800000)
    assert area.boundary == area_from_m2("34000.01")
    assert not area.passed
    assert not d.passed


def test_compound_a_item_4_passes_one_hundredth_of_a_m2_above_half():
    d = _participation(650, "68000.00", yes=c(326, "34000.01"))
    assert d.passed


def test_compound_a_item_4_with_651_participants_still_needs_326():
    d = _participation(651, "68000.00", yes=c(326, "40000.00"))
    assert dim(d, "approval", "persons").boundary == 326
    assert d.passed
    assert not _participation(651, "68000.00", yes=c(325, "40000.00")).passed


def test_compound_a_item_6_passes_exactly_at_488_and_51000_m2():
    d = _participation(650, "68000.00", yes=c(488, "51000.00"), matter=Matter.RAISE_FUND)
    persons, area = dim(d, "approval", "persons"), dim(d, "approval", "area")
    assert persons.boundary == 488  # ⌈487.5⌉
    assert area.boundary == area_from_m2("51000.00")
    assert persons.passed
    assert area.passed
    assert d.passed


@pytest.mark.parametrize(("yes_persons", "yes_m2"), [(487, "51000.00"), (488, "50999.99")])
def test_compound_a_item_6_one_below_either_boundary_fails(yes_persons, yes_m2):
    d = _participation(650, "68000.00", yes=c(yes_persons, yes_m2), matter=Matter.RAISE_FUND)
    assert d.quorum_met
    assert not d.passed


DEEMED_TALLY = Tally(
    COMPOUND_A,
    yes=c(300, "32000.00"),
    no=c(180, "18000.00"),
    abstain=c(20, "2000.00"),
)
DELIVERED_NON_VOTERS = c(431, "48000.00")  # all 931 received the ballot; 500 returned it


@pytest.mark.parametrize("matter", [Matter.HIRE_MANAGER, Matter.USE_FUND])
def test_compound_a_deemed_consent_strict_fails_deemed_passes(matter):
    result = decide_deemed(CIVIL_CODE, matter, DEEMED_TALLY, DELIVERED_NON_VOTERS)
    strict = result.strict
    assert strict == decide(CIVIL_CODE, matter, DEEMED_TALLY)
    assert strict.participants == c(500, "52000.00")
    assert dim(strict, "quorum", "persons").boundary == 621
    assert not strict.quorum_met
    assert not strict.passed

    assert result.flags == ()
    assert result.direction == "yes"
    assert result.added == DELIVERED_NON_VOTERS
    deemed = result.decision
    assert deemed is not None
    assert deemed.tally.yes == c(731, "80000.00")
    assert deemed.participants == COMPOUND_A
    assert deemed.quorum_met
    assert deemed.passed


def test_compound_a_deemed_report_shows_both_results():
    result = decide_deemed(CIVIL_CODE, Matter.HIRE_MANAGER, DEEMED_TALLY, DELIVERED_NON_VOTERS)
    with translation.override("en"):
        lines = result.explain()
    text = "\n".join(lines)
    assert "431 persons and 48,000.00 m²" in text
    assert "Result under Civil Code art. 278 (from 1 January 2021): passed." in lines
    assert lines[-1] == "For comparison, the strict result: not passed."
    stored = result.as_dict()
    assert stored["strict"]["passed"] is False
    assert stored["deemed"]["passed"] is True


# --- §1.7 Building 3 lift (item 5, 列支范围 = Building 3) ----------------------------------

BUILDING_3 = c(118, "12000.00")  # 120 units, one owner of 3 units


def _building_3(rules, yes, participants):
    return decide(
        rules, Matter.USE_FUND, Tally(BUILDING_3, yes=yes, no=participants - yes, abstain=ZERO)
    )


def test_building_3_quorum_needs_79_persons_and_8000_m2():
    d = _building_3(CIVIL_CODE, c(79, "8000.00"), c(79, "8000.00"))
    assert dim(d, "quorum", "persons").boundary == 79
    assert dim(d, "quorum", "area").boundary == area_from_m2("8000.00")
    assert d.quorum_met
    assert not _building_3(CIVIL_CODE, c(78, "8000.00"), c(78, "8000.00")).quorum_met
    assert not _building_3(CIVIL_CODE, c(79, "7999.99"), c(79, "7999.99")).quorum_met


def test_building_3_civil_code_needs_41_persons_and_4050_01_m2():
    took_part = c(80, "8100.00")
    d = _building_3(CIVIL_CODE, c(41, "4050.01"), took_part)
    assert dim(d, "approval", "persons").boundary == 41
    assert dim(d, "approval", "area").boundary == area_from_m2("4050.01")
    assert d.passed
    assert not _building_3(CIVIL_CODE, c(40, "4050.01"), took_part).passed
    assert not _building_3(CIVIL_CODE, c(41, "4050.00"), took_part).passed


def test_building_3_literal_order_165_needs_79_persons_and_8000_m2_voting_yes():
    took_part = c(80, "8100.00")
    literal = _building_3(ORDER_165_LITERAL, c(79, "8000.00"), took_part)
    assert [d.test for d in literal.dimensions] == ["approval", "approval"]  # no quorum
    persons, area = dim(literal, "approval", "persons"), dim(literal, "approval", "area")
    assert (persons.denominator, persons.boundary) == (118, 79)
    assert (area.denominator, area.boundary) == (1200000, 800000)
    assert persons.threshold.article.startswith("住宅专项维修资金管理办法")
    assert literal.passed
    # What passes under the Civil Code fails the literal text.
    assert not _building_3(ORDER_165_LITERAL, c(41, "4050.01"), took_part).passed
    assert not _building_3(ORDER_165_LITERAL, c(78, "8000.00"), took_part).passed
    assert not _building_3(ORDER_165_LITERAL, c(79, "7999.99"), took_part).passed


# --- own boundaries: each dimension failing alone -----------------------------------------

NINE = c(9, "900.00")  # 2/3 = 6 persons and 600.00 m²


def _quorum(persons, m2):
    took_part = c(persons, m2)
    return decide(CIVIL_CODE, Matter.OTHER, Tally(NINE, yes=took_part, no=ZERO, abstain=ZERO))


def test_exactly_two_thirds_meets_the_quorum():
    d = _quorum(6, "600.00")
    assert dim(d, "quorum", "persons").boundary == 6
    assert dim(d, "quorum", "area").boundary == 60000
    assert d.quorum_met


@pytest.mark.parametrize(
    ("persons", "m2", "failing"), [(5, "900.00", "persons"), (9, "599.99", "area")]
)
def test_quorum_fails_on_one_dimension_alone(persons, m2, failing):
    d = _quorum(persons, m2)
    quorum = [x for x in d.dimensions if x.test == "quorum"]
    assert [x.measure for x in quorum if not x.passed] == [failing]
    assert not d.quorum_met
    assert not d.passed
    # Approval itself is unanimous: only the quorum fails.
    assert all(x.passed for x in d.dimensions if x.test == "approval")


FOUR = c(4, "400.00")  # everyone takes part


def _vote(matter, yes):
    return decide(CIVIL_CODE, matter, Tally(FOUR, yes=yes, no=FOUR - yes, abstain=ZERO))


@pytest.mark.parametrize("matter", MAJORITY_MATTERS)
def test_exactly_half_fails_a_majority_matter(matter):
    assert not _vote(matter, c(2, "200.00")).passed
    assert _vote(matter, c(3, "200.01")).passed


@pytest.mark.parametrize("matter", MAJORITY_MATTERS)
@pytest.mark.parametrize(
    ("yes", "failing"), [(c(2, "300.00"), "persons"), (c(3, "200.00"), "area")]
)
def test_exactly_half_in_one_dimension_alone_fails(matter, yes, failing):
    d = _vote(matter, yes)
    assert d.quorum_met
    approval = [x for x in d.dimensions if x.test == "approval"]
    assert [x.measure for x in approval if not x.passed] == [failing]
    assert not d.passed


@pytest.mark.parametrize("matter", THREE_QUARTER_MATTERS)
def test_exactly_three_quarters_passes(matter):
    d = _vote(matter, c(3, "300.00"))
    assert dim(d, "approval", "persons").boundary == 3
    assert dim(d, "approval", "area").boundary == 30000
    assert d.passed


@pytest.mark.parametrize("matter", THREE_QUARTER_MATTERS)
@pytest.mark.parametrize(
    ("yes", "failing"), [(c(2, "400.00"), "persons"), (c(4, "299.99"), "area")]
)
def test_three_quarters_fails_on_one_dimension_alone(matter, yes, failing):
    d = _vote(matter, yes)
    approval = [x for x in d.dimensions if x.test == "approval"]
    assert [x.measure for x in approval if not x.passed] == [failing]
    assert not d.passed


def test_three_quarters_is_not_needed_for_fund_use():
    # The pitfall in §1.2: using the fund is a simple majority under the Civil Code.
    yes = c(3, "201.00")
    assert _vote(Matter.USE_FUND, yes).passed
    assert not _vote(Matter.RAISE_FUND, yes).passed


# --- abstentions and invalid ballots (R5) -----------------------------------------------------


def test_abstentions_count_as_participants_but_not_as_yes():
    tally = Tally(NINE, yes=c(3, "300.00"), no=ZERO, abstain=c(3, "300.00"))
    d = decide(CIVIL_CODE, Matter.OTHER, tally)
    assert d.participants == c(6, "600.00")
    assert d.quorum_met
    assert dim(d, "approval", "persons").denominator == 6
    assert not d.passed  # 3 of 6 is exactly half


def test_invalid_ballots_count_as_participation_only_when_the_rules_say_so():
    tally = Tally(NINE, yes=c(4, "400.00"), no=ZERO, abstain=ZERO, invalid=c(2, "200.00"))
    strict = decide(CIVIL_CODE, Matter.OTHER, tally)
    assert strict.participants == c(4, "400.00")
    assert not strict.quorum_met
    counted = decide(CIVIL_CODE, Matter.OTHER, tally, Options(invalid_counts_as_participation=True))
    assert counted.participants == c(6, "600.00")
    assert counted.quorum_met
    assert dim(counted, "approval", "persons").denominator == 6
    assert counted.passed  # 4 of 6
    assert counted.as_dict()["options"] == {"invalid_counts_as_participation": True}


# --- the Property Law rule set ----------------------------------------------------------------


@pytest.mark.parametrize("matter", [Matter.USE_FUND, Matter.RAISE_FUND, Matter.REBUILD])
def test_property_law_fund_and_rebuild_need_two_thirds_of_all_owners(matter):
    tally = Tally(NINE, yes=c(6, "600.00"), no=ZERO, abstain=ZERO)
    d = decide(PROPERTY_LAW_2007, matter, tally)
    assert [x.test for x in d.dimensions] == ["approval", "approval"]
    assert dim(d, "approval", "persons").denominator == 9
    assert d.passed
    assert not decide(PROPERTY_LAW_2007, matter, Tally(NINE, c(5, "600.00"), ZERO, ZERO)).passed
    assert not decide(PROPERTY_LAW_2007, matter, Tally(NINE, c(6, "599.99"), ZERO, ZERO)).passed


@pytest.mark.parametrize(
    "matter", [m for m in Matter if m not in (Matter.USE_FUND, Matter.RAISE_FUND, Matter.REBUILD)]
)
def test_property_law_other_matters_need_more_than_half_of_all_owners(matter):
    ten = c(10, "1000.00")
    half = Tally(ten, yes=c(5, "600.00"), no=ZERO, abstain=ZERO)
    more = Tally(ten, yes=c(6, "500.01"), no=ZERO, abstain=ZERO)
    assert not decide(PROPERTY_LAW_2007, matter, half).passed
    assert decide(PROPERTY_LAW_2007, matter, more).passed


def test_property_law_counts_yes_against_the_whole_electorate_not_the_participants():
    # Everyone who took part agreed, but that is not half of all owners.
    tally = Tally(c(10, "1000.00"), yes=c(4, "400.00"), no=ZERO, abstain=ZERO)
    assert decide(CIVIL_CODE, Matter.OTHER, tally).quorum_met is False
    assert decide(PROPERTY_LAW_2007, Matter.OTHER, tally).passed is False


# --- rule set registry and selection (R0) ----------------------------------------------------


def test_rule_sets_thresholds_as_encoded():
    q = CIVIL_CODE.quorum
    assert (q.num, q.den, q.inclusive, q.base) == (2, 3, True, "electorate")
    for matter in Matter:
        t = CIVIL_CODE.approval[matter]
        expected = (3, 4, True) if matter in THREE_QUARTER_MATTERS else (1, 2, False)
        assert (t.num, t.den, t.inclusive, t.base) == (*expected, "participants")
        assert t.article == "民法典第二百七十八条第二款"
    assert PROPERTY_LAW_2007.quorum is None
    assert set(PROPERTY_LAW_2007.approval) == set(Matter)
    assert all(t.base == "electorate" for t in PROPERTY_LAW_2007.approval.values())
    # Before 2021 use and raising were one item (筹集和使用) with one threshold.
    assert (
        PROPERTY_LAW_2007.approval[Matter.USE_FUND] == PROPERTY_LAW_2007.approval[Matter.RAISE_FUND]
    )
    assert set(ORDER_165_LITERAL.approval) == {Matter.USE_FUND, Matter.RAISE_FUND}
    assert ORDER_165_LITERAL.family == "fund"


def test_recalled_texts_are_marked():
    assert "[M]" in PROPERTY_LAW_2007.source
    assert "[M]" in ORDER_165_LITERAL.source


def test_rule_set_registry_is_consistent():
    keys = [(rs.code, rs.version) for rs in RULE_SETS]
    assert len(keys) == len(set(keys))
    for family in {rs.family for rs in RULE_SETS}:
        periods = sorted(
            (rs.effective_from, rs.effective_to or date.max)
            for rs in RULE_SETS
            if rs.family == family
        )
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end < start, f"overlapping rule sets in family {family}"


def test_rule_set_lookup():
    assert rule_set("civil-code") is CIVIL_CODE
    assert rule_set("civil-code", 1) is CIVIL_CODE
    with pytest.raises(ValueError, match=r"unknown rule set 'nope'.*civil-code"):
        rule_set("nope")
    with pytest.raises(ValueError, match="version 99"):
        rule_set("civil-code", 99)


@pytest.mark.parametrize(
    ("on", "family", "code"),
    [
        (date(2007, 10, 1), "general", "property-law-2007"),
        (date(2020, 12, 31), "general", "property-law-2007"),
        (date(2021, 1, 1), "general", "civil-code"),
        (date(2026, 5, 1), "general", "civil-code"),
        (date(2008, 1, 31), "fund", "property-law-2007"),
        (date(2008, 2, 1), "fund", "order-165-literal"),
        (date(2020, 12, 31), "fund", "order-165-literal"),
        (date(2021, 1, 1), "fund", "civil-code"),  # the Civil Code prevails (R0)
    ],
)
def test_rule_set_in_force_on_the_notice_date(on, family, code):
    assert rule_set_in_force(on, family).code == code


def test_rule_set_in_force_defaults_to_the_general_family():
    assert rule_set_in_force(date(2024, 3, 1)) is CIVIL_CODE


def test_rule_set_in_force_refuses_bad_input():
    with pytest.raises(ValueError, match="no rule set is in force on 2007-09-30"):
        rule_set_in_force(date(2007, 9, 30))
    with pytest.raises(ValueError, match="unknown rule set family"):
        rule_set_in_force(date(2024, 3, 1), "parking")
    with pytest.raises(TypeError):
        rule_set_in_force(datetime(2024, 3, 1, 12, 0))  # noqa: DTZ001 - refused either way


def test_decide_refuses_a_matter_the_rule_set_does_not_cover():
    tally = Tally(NINE, yes=c(9, "900.00"), no=ZERO, abstain=ZERO)
    with pytest.raises(ValueError, match="'order-165-literal' does not cover matter HIRE_MANAGER"):
        decide(ORDER_165_LITERAL, Matter.HIRE_MANAGER, tally)
    with pytest.raises(ValueError):
        decide(CIVIL_CODE, 10, tally)


def test_decide_accepts_a_plain_integer_matter():
    tally = Tally(NINE, yes=c(9, "900.00"), no=ZERO, abstain=ZERO)
    assert decide(CIVIL_CODE, 6, tally).matter is Matter.RAISE_FUND


# --- counts, areas, validation ----------------------------------------------------------------


def test_area_conversion_is_exact():
    assert area_from_m2("66666.67") == 6666667
    assert area_from_m2("100,000.00") == 10000000
    assert area_from_m2(12) == 1200
    assert format_area(6666667) == "66,666.67"
    assert format_area(5) == "0.05"
    with pytest.raises(ValueError, match="at most 2 decimals"):
        area_from_m2("1.005")
    with pytest.raises(ValueError):
        area_from_m2("ten")
    with pytest.raises(TypeError):
        area_from_m2(66666.67)


def test_counts_and_tallies_are_validated():
    with pytest.raises(ValueError):
        Counts(-1, 0)
    with pytest.raises(TypeError):
        Counts(1, 1.5)
    with pytest.raises(TypeError):
        Counts(True, 1)
    with pytest.raises(ValueError):
        c(1, "1.00") - c(2, "1.00")
    with pytest.raises(ValueError, match="exceed the electorate"):
        Tally(c(2, "200.00"), yes=c(2, "200.00"), no=c(1, "0.00"), abstain=ZERO)
    with pytest.raises(ValueError, match="exceed the electorate"):
        Tally(c(2, "200.00"), yes=c(1, "200.00"), no=ZERO, abstain=ZERO, invalid=c(1, "0.01"))


def test_tally_from_ballots():
    tally = Tally.from_ballots(
        NINE, [("yes", c(1, "100.00")), ("no", c(1, "50.00")), ("yes", c(2, "300.00"))]
    )
    assert tally == Tally(NINE, yes=c(3, "400.00"), no=c(1, "50.00"), abstain=ZERO)
    with pytest.raises(ValueError, match="unknown ballot choice"):
        Tally.from_ballots(NINE, [("maybe", c(1, "1.00"))])


def test_zero_denominators_never_pass():
    empty = decide(CIVIL_CODE, Matter.OTHER, Tally(ZERO, ZERO, ZERO, ZERO))
    assert not any(d.passed for d in empty.dimensions)
    assert all(d.boundary == 1 for d in empty.dimensions)
    assert not empty.passed
    nobody = decide(CIVIL_CODE, Matter.OTHER, Tally(NINE, ZERO, ZERO, ZERO))
    assert dim(nobody, "approval", "persons").denominator == 0
    assert not dim(nobody, "approval", "persons").passed
    with translation.override("en"):
        assert nobody.explain()[2] == (
            "Approval by headcount: the base is zero, so this test cannot pass "
            "(民法典第二百七十八条第二款)."
        )
    assert dim(nobody, "approval", "persons").percent() == "—"


def test_percent_is_rounded_display_only():
    d = _participation(620, "66666.66")
    assert dim(d, "quorum", "persons").percent() == "66.60%"
    # Shown as 66.67% yet below 2/3: the verdict never comes from the percentage (R6).
    assert dim(d, "quorum", "area").percent() == "66.67%"
    assert not dim(d, "quorum", "area").passed
    assert dim(d, "quorum", "area").percent(0) == "67%"
    assert dim(d, "quorum", "area").shortfall == 1
    assert dim(d, "quorum", "persons").shortfall == 1


def test_explain_names_numbers_boundary_outcome_and_article():
    d = _participation(650, "68000.00", yes=c(326, "34000.00"))
    with translation.override("en"):
        lines = d.explain()
    assert lines == [
        "Quorum by headcount: 650 of 931 persons took part (69.82%); at least 2/3 is "
        "required, that is at least 621 persons: met (民法典第二百七十八条第二款).",
        "Quorum by area: 68,000.00 m² of 100,000.00 m² took part (68.00%); at least 2/3 is "
        "required, that is at least 66,666.67 m²: met (民法典第二百七十八条第二款).",
        "Approval by headcount: 326 of the 650 participating persons agreed (50.15%); more "
        "than 1/2 is required, that is at least 326 persons: passed (民法典第二百七十八条第二款).",
        "Approval by area: 34,000.00 m² of the 68,000.00 m² taking part agreed (50.00%); more "
        "than 1/2 is required, that is at least 34,000.01 m²: failed (民法典第二百七十八条第二款).",
        "Result under Civil Code art. 278 (from 1 January 2021): not passed, because the "
        "required approval was not reached.",
    ]


def test_explain_verdict_names_a_missing_quorum_and_the_electorate_base():
    with translation.override("en"):
        lines = _participation(620, "99000.00").explain()
        literal = _building_3(ORDER_165_LITERAL, c(79, "8000.00"), c(80, "8100.00")).explain()
    assert lines[-1].endswith("not passed, because the quorum was not met.")
    assert literal[0].startswith("Approval by headcount: 79 of all 118 persons agreed")
    assert literal[1].startswith("Approval by area: 8,000.00 m² of the total 12,000.00 m² agreed")
    assert literal[-1].endswith(": passed.")


# --- deemed consent flags (R21) ---------------------------------------------------------------

HUNDRED = c(100, "10000.00")


def _deemed(yes, no, abstain=ZERO, invalid=ZERO, delivered=None):
    tally = Tally(HUNDRED, yes=yes, no=no, abstain=abstain, invalid=invalid)
    delivered = tally.not_returned if delivered is None else delivered
    return decide_deemed(CIVIL_CODE, Matter.OTHER, tally, delivered)


@pytest.mark.parametrize(
    ("kwargs", "flags"),
    [
        ({"yes": c(30, "2000.00"), "no": c(20, "3000.00")}, (FLAG_DIMENSIONS_DISAGREE,)),
        ({"yes": c(20, "2000.00"), "no": c(20, "1000.00")}, (FLAG_TIE,)),
        ({"yes": c(30, "2000.00"), "no": c(10, "2000.00")}, (FLAG_TIE,)),
        (
            {"yes": c(10, "1000.00"), "no": c(5, "500.00"), "abstain": c(16, "100.00")},
            (FLAG_ABSTENTIONS_MAJORITY,),
        ),
        (
            {"yes": c(10, "1000.00"), "no": c(5, "500.00"), "abstain": c(1, "1500.01")},
            (FLAG_ABSTENTIONS_MAJORITY,),
        ),
        (
            {
                "yes": c(10, "1000.00"),
                "no": c(5, "500.00"),
                "abstain": c(8, "100.00"),
                "invalid": c(8, "100.00"),
            },
            (FLAG_ABSTENTIONS_MAJORITY,),
        ),
        ({"yes": ZERO, "no": ZERO}, (FLAG_NO_RETURNED_BALLOTS,)),
        (
            {"yes": ZERO, "no": ZERO, "abstain": c(5, "500.00")},
            (FLAG_TIE, FLAG_ABSTENTIONS_MAJORITY),
        ),
    ],
)
def test_deemed_votes_are_not_added_without_a_clear_majority(kwargs, flags):
    result = _deemed(**kwargs)
    assert result.flags == flags
    assert result.decision is None
    assert result.added == ZERO
    assert result.direction is None
    assert result.strict.passed is False
    with translation.override("en"):
        lines = result.explain()
    assert "No deemed votes were added; the meeting needs review." in lines
    assert result.as_dict()["deemed"] is None
    assert verify_deemed(json.loads(json.dumps(result.as_dict()))) == []


def test_abstentions_exactly_half_do_not_block_deemed_votes():
    result = _deemed(yes=c(10, "1000.00"), no=c(5, "500.00"), abstain=c(15, "1500.00"))
    assert result.flags == ()
    assert result.direction == "yes"


def test_deemed_votes_follow_a_no_majority():
    result = _deemed(yes=c(10, "1000.00"), no=c(30, "3000.00"))
    assert result.direction == "no"
    assert result.decision is not None
    assert result.decision.tally.no == HUNDRED - c(10, "1000.00")
    assert not result.decision.passed


def test_only_delivered_non_voters_are_added():
    result = _deemed(yes=c(40, "4000.00"), no=c(10, "1000.00"), delivered=c(10, "1000.00"))
    assert result.decision is not None
    assert result.decision.participants == c(60, "6000.00")
    assert not result.decision.quorum_met  # 60 < 67
    with pytest.raises(ValueError, match="delivered non-voters exceed"):
        _deemed(yes=c(40, "4000.00"), no=c(10, "1000.00"), delivered=c(51, "1000.00"))


# --- stored results and the verifier ----------------------------------------------------------


def test_as_dict_has_stable_keys():
    stored = _participation(650, "68000.00", yes=c(326, "34000.00")).as_dict()
    assert list(stored) == [
        "schema",
        "rule_set",
        "matter",
        "options",
        "tally",
        "participants",
        "dimensions",
        "quorum_met",
        "passed",
    ]
    assert stored["rule_set"] == {"code": "civil-code", "version": 1}
    assert stored["matter"] == 4
    assert stored["dimensions"][3] == {
        "test": "approval",
        "measure": "area",
        "numerator": 3400000,
        "denominator": 6800000,
        "threshold": {
            "num": 1,
            "den": 2,
            "inclusive": False,
            "base": "participants",
            "article": "民法典第二百七十八条第二款",
        },
        "boundary": 3400001,
        "passed": False,
    }


def test_verifier_detects_a_tampered_result():
    stored = json.loads(
        json.dumps(_participation(650, "68000.00", yes=c(326, "34000.00")).as_dict())
    )
    assert verify_decision(stored) == []
    stored["passed"] = True
    stored["dimensions"][3]["boundary"] = 3400000
    assert verify_decision(stored) == ["dimensions[3].boundary", "passed"]
    stored["tally"]["yes"]["area"] = 3400001  # a changed input changes the recomputation
    assert "dimensions[3].numerator" in verify_decision(stored)


def test_verifier_refuses_unknown_schemas_and_versions():
    stored = _participation(650, "68000.00").as_dict()
    with pytest.raises(ValueError, match="schema"):
        Decision.from_dict({**stored, "schema": 2})
    with pytest.raises(ValueError, match="version 7"):
        Decision.from_dict({**stored, "rule_set": {"code": "civil-code", "version": 7}})


def test_verifier_runs_without_django_settings(tmp_path):
    stored = tmp_path / "result.json"
    stored.write_text(json.dumps(_participation(650, "68000.00").as_dict()))
    script = (
        "import json, sys\n"
        "from anju.voting.rules import verify_decision\n"
        "print(verify_decision(json.load(open(sys.argv[1]))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", script, str(stored)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


# --- properties -------------------------------------------------------------------------------

RULES_AND_MATTERS = [(rs, m) for rs in RULE_SETS for m in rs.approval]
VOTER_CHOICES = ("yes", "no", "abstain", "invalid", None)  # None: returned no ballot
# Weighted towards yes so that passing results are common enough to test.
WEIGHTED_CHOICES = ("yes", "yes", "yes", "yes", *VOTER_CHOICES[1:])

voters = st.lists(
    st.tuples(st.sampled_from(WEIGHTED_CHOICES), st.integers(min_value=0, max_value=50_000)),
    max_size=40,
)
options = st.builds(Options, st.booleans())
rules_and_matters = st.sampled_from(RULES_AND_MATTERS)


def tally_of(voter_list):
    """One person per voter, with that voter's area; non-voters count only in the electorate."""
    electorate = Counts(len(voter_list), sum(area for _, area in voter_list))
    ballots = [(choice, Counts(1, area)) for choice, area in voter_list if choice is not None]
    return Tally.from_ballots(electorate, ballots)


@settings(max_examples=300, deadline=None)
@given(voters, rules_and_matters, options, st.data())
def test_a_further_yes_never_turns_pass_into_fail(voter_list, rm, opts, data):
    rs, matter = rm
    movable = [i for i, (choice, _) in enumerate(voter_list) if choice != "yes"]
    if not movable:
        return
    i = data.draw(st.sampled_from(movable))
    before = decide(rs, matter, tally_of(voter_list), opts)
    moved = list(voter_list)
    moved[i] = ("yes", voter_list[i][1])
    after = decide(rs, matter, tally_of(moved), opts)
    assert not (before.passed and not after.passed)
    assert not (before.quorum_met and not after.quorum_met)


@settings(max_examples=300, deadline=None)
@given(voters, rules_and_matters, options)
def test_passing_requires_every_dimension(voter_list, rm, opts):
    rs, matter = rm
    d = decide(rs, matter, tally_of(voter_list), opts)
    assert d.passed == all(x.passed for x in d.dimensions)
    approval = [x for x in d.dimensions if x.test == "approval"]
    assert sorted(x.measure for x in approval) == ["area", "persons"]
    if rs.quorum is not None:
        assert d.quorum_met == all(x.passed for x in d.dimensions if x.test == "quorum")
    if not d.quorum_met:
        assert not d.passed  # the strict result never passes without a quorum


@settings(max_examples=200, deadline=None)
@given(voters, rules_and_matters, options, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_ballot_order(voter_list, rm, opts, rnd):
    rs, matter = rm
    shuffled = list(voter_list)
    rnd.shuffle(shuffled)
    assert decide(rs, matter, tally_of(shuffled), opts) == decide(
        rs, matter, tally_of(voter_list), opts
    )


thresholds = st.builds(
    lambda den, num, inclusive, base: Threshold(
        min(num, den), den, inclusive=inclusive, base=base, article="test"
    ),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=12),
    st.booleans(),
    st.sampled_from(["electorate", "participants"]),
)


@given(thresholds, st.integers(min_value=0, max_value=10**12))
def test_boundary_is_the_smallest_passing_numerator(t, denominator):
    b = t.boundary(denominator)
    if denominator == 0:
        assert not t.passes(0, 0)
        assert not t.passes(b, 0)
        return
    assert t.passes(b, denominator)
    assert not t.passes(b - 1, denominator)
    share = Fraction(t.num, t.den)
    assert (
        (Fraction(b, denominator) >= share) if t.inclusive else (Fraction(b, denominator) > share)
    )
    assert not (
        Fraction(b - 1, denominator) >= share
        if t.inclusive
        else Fraction(b - 1, denominator) > share
    )


@settings(max_examples=200, deadline=None)
@given(voters, rules_and_matters, options)
def test_every_dimension_passes_exactly_from_its_boundary(voter_list, rm, opts):
    rs, matter = rm
    for d in decide(rs, matter, tally_of(voter_list), opts).dimensions:
        assert d.boundary == d.threshold.boundary(d.denominator)
        if d.denominator > 0:
            assert d.passed == (d.numerator >= d.boundary)
            assert d.threshold.passes(d.boundary, d.denominator)
            assert not d.threshold.passes(d.boundary - 1, d.denominator)
        else:
            assert not d.passed


@settings(max_examples=200, deadline=None)
@given(voters, rules_and_matters, options)
def test_as_dict_round_trips_through_json(voter_list, rm, opts):
    rs, matter = rm
    d = decide(rs, matter, tally_of(voter_list), opts)
    stored = json.loads(json.dumps(d.as_dict()))
    assert stored == d.as_dict()
    assert Decision.from_dict(stored) == d
    assert verify_decision(stored) == []


@settings(max_examples=200, deadline=None)
@given(voters, rules_and_matters, options, st.data())
def test_deemed_result_sits_beside_an_unchanged_strict_result(voter_list, rm, opts, data):
    rs, matter = rm
    tally = tally_of(voter_list)
    non_voters = [area for choice, area in voter_list if choice is None]
    picked = data.draw(st.lists(st.booleans(), min_size=len(non_voters), max_size=len(non_voters)))
    chosen = [area for area, take in zip(non_voters, picked, strict=True) if take]
    delivered = Counts(len(chosen), sum(chosen))
    result = decide_deemed(rs, matter, tally, delivered, opts)
    assert result.strict == decide(rs, matter, tally, opts)
    if result.flags:
        assert result.decision is None
        assert result.added == ZERO
    else:
        assert result.decision is not None
        assert result.added == delivered
        deemed_side = getattr(result.decision.tally, result.direction)
        assert deemed_side == getattr(tally, result.direction) + delivered
        assert result.decision.participants == result.strict.participants + delivered
        if result.direction == "yes" and result.strict.passed:
            assert result.decision.passed
    stored = json.loads(json.dumps(result.as_dict()))
    assert DeemedDecision.from_dict(stored) == result
    assert verify_deemed(stored) == []
