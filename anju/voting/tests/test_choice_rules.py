"""Motions that choose one of several options: each option is tested against the matter's
approval threshold in both dimensions, counting its own votes against all participants; the
option that passes is adopted (worked examples, boundaries and properties)."""

from dataclasses import replace

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.voting import rules
from anju.voting.rules import Counts, Matter, OptionsTally

CC = rules.CIVIL_CODE
LABELS = ("甲物业", "乙物业", "丙物业")


def verdict(decision) -> str:
    with translation.override("en"):
        return decision.explain()[-1]


def c(persons: int, m2: int) -> Counts:
    return Counts.of(persons, m2)


def tally(*options: Counts, abstain=rules.ZERO, invalid=rules.ZERO, electorate=None):
    return OptionsTally(
        electorate=electorate or c(100, 10_000),
        options=tuple(options),
        abstain=abstain,
        invalid=invalid,
    )


# -- worked examples -------------------------------------------------------------------------


def test_the_option_with_more_than_half_of_participants_in_both_dimensions_is_adopted():
    # 100 owners, 10,000 m². 75 take part with 8,000 m² (quorum: 75 ≥ 66.7, 8,000 ≥ 6,666.7).
    # 甲: 40 of 75 persons (> 37.5) and 4,500 of 8,000 m² (> 4,000): adopted.
    t = tally(c(40, 4500), c(30, 3000), c(0, 0), abstain=c(5, 500))
    d = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS, t)
    assert d.quorum_met
    assert d.participants == c(75, 8000)
    assert d.chosen == 0
    assert d.passed
    assert not d.tied
    assert [o.passed for o in d.decisions] == [True, False, False]
    assert "甲物业" in verdict(d)


def test_a_headcount_majority_without_an_area_majority_adopts_nothing():
    # 甲 has 40 of 75 persons but only 3,500 of 8,000 m² (not > 4,000); 乙 has neither.
    t = tally(c(40, 3500), c(30, 4000), c(0, 0), abstain=c(5, 500))
    d = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS, t)
    assert d.quorum_met
    assert d.chosen is None
    assert not d.passed
    assert not d.tied
    approval = {(x.measure, x.passed) for x in d.decisions[0].dimensions if x.test == "approval"}
    assert approval == {("persons", True), ("area", False)}
    assert "no option" in verdict(d)


def test_exactly_half_of_the_participants_is_not_more_than_half():
    # 80 take part with 8,000 m²; 甲 has exactly 40 and 4,000 m²: 过半数 is strict.
    t = tally(c(40, 4000), c(40, 4000), c(0, 0))
    d = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS, t)
    assert d.quorum_met
    assert d.chosen is None
    one_more = tally(c(41, 4001), c(39, 3999), c(0, 0))
    assert rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS, one_more).chosen == 0


def test_a_special_matter_needs_three_quarters_inclusive_for_the_option():
    # Raising the fund between two plans: 80 take part with 8,000 m²; plan B has exactly 60
    # persons and 6,000 m² (= 3/4, 以上 includes the boundary).
    t = tally(c(20, 2000), c(60, 6000))
    d = rules.decide_choice(CC, Matter.RAISE_FUND, ("方案一", "方案二"), t)
    assert d.chosen == 1
    short = tally(c(21, 2000), c(59, 6000))
    assert rules.decide_choice(CC, Matter.RAISE_FUND, ("方案一", "方案二"), short).chosen is None


def test_without_the_quorum_no_option_is_adopted_however_unanimous():
    # 60 of 100 persons take part (< 2/3), all for 甲.
    t = tally(c(60, 9000), c(0, 0))
    d = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS[:2], t)
    assert not d.quorum_met
    assert d.chosen is None
    assert d.decisions[0].dimension("approval", "persons").passed
    assert "quorum" in verdict(d)


def test_abstentions_take_part_but_choose_no_option():
    # 70 take part: 36 for 甲 (> 35), 34 abstain; area 3,600 of 7,000 (> 3,500).
    t = tally(c(36, 3600), c(0, 0), abstain=c(34, 3400))
    assert rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS[:2], t).chosen == 0
    t = tally(c(35, 3600), c(0, 0), abstain=c(35, 3400))
    assert rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS[:2], t).chosen is None


def test_invalid_ballots_count_as_participation_only_when_the_rules_say_so():
    t = tally(c(36, 3600), c(30, 3000), invalid=c(4, 400))
    strict = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS[:2], t)
    assert strict.participants == c(66, 6600)
    assert not strict.quorum_met
    counting = rules.Options(invalid_counts_as_participation=True)
    d = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS[:2], t, counting)
    assert d.participants == c(70, 7000)
    assert d.quorum_met
    assert d.chosen == 0


def test_a_rule_set_that_lets_two_options_pass_adopts_neither():
    third = rules.Threshold(1, 3, inclusive=True, base="participants", article="test")
    loose = replace(CC, approval={**CC.approval, Matter.OTHER: third})
    t = tally(c(40, 4000), c(40, 4000), c(0, 0))
    d = rules.decide_choice(loose, Matter.OTHER, LABELS, t)
    assert d.tied
    assert d.chosen is None
    assert not d.passed
    assert "more than one option" in verdict(d)


def test_the_stored_record_recomputes_and_a_tampered_one_does_not():
    t = tally(c(40, 4500), c(30, 3000), c(0, 0), abstain=c(5, 500))
    data = rules.decide_choice(CC, Matter.HIRE_MANAGER, LABELS, t).as_dict()
    assert data["kind"] == "choice"
    assert rules.verify_decision(data) == []
    assert rules.decision_from_dict(data).chosen == 0
    forged = {**data, "chosen": 1}
    assert rules.verify_decision(forged) == ["chosen"]
    moved = {**data, "tally": {**data["tally"], "options": data["tally"]["options"][::-1]}}
    assert "chosen" in rules.verify_decision(moved)


def test_option_codes_round_trip_and_reject_what_is_not_an_option():
    assert [rules.option_code(i) for i in range(3)] == ["o1", "o2", "o3"]
    assert [rules.option_index(code, 3) for code in ("o1", "o3")] == [0, 2]
    for code in ("o0", "o4", "o", "oo", "yes", "abstain", "o01", ""):
        assert rules.option_index(code, 3) is None
    assert rules.option_choices(2) == ("o1", "o2", "abstain", "invalid")
    with pytest.raises(ValueError, match="unknown ballot choice"):
        OptionsTally.from_ballots(c(10, 100), 2, [("yes", c(1, 10))])


def test_a_choice_motion_has_two_to_nine_options():
    for n in (0, 1, rules.MAX_OPTIONS + 1):
        with pytest.raises(ValueError, match="2 to 9"):
            OptionsTally(electorate=c(10, 100), options=(rules.ZERO,) * n)
    with pytest.raises(ValueError, match="labels"):
        rules.decide_choice(CC, Matter.OTHER, LABELS, tally(c(1, 1), c(1, 1)))


# -- properties ------------------------------------------------------------------------------

MATTERS = st.sampled_from(list(Matter))


@st.composite
def option_tallies(draw, min_options=2, max_options=5):
    """An electorate of voters with 1–300 m² each, each voter choosing an option, abstaining,
    spoiling the ballot or not voting."""
    n = draw(st.integers(min_options, max_options))
    voters = draw(
        st.lists(st.tuples(st.integers(1, 30_000), st.integers(-3, n - 1)), min_size=1, max_size=40)
    )
    electorate = rules.ZERO
    sums = [rules.ZERO] * n
    abstain = invalid = rules.ZERO
    for area, choice in voters:
        one = Counts(1, area)
        electorate += one
        if choice >= 0:
            sums[choice] += one
        elif choice == -1:
            abstain += one
        elif choice == -2:
            invalid += one
    return OptionsTally(electorate, tuple(sums), abstain, invalid)


def _labels(t: OptionsTally) -> tuple[str, ...]:
    return tuple(f"选项{i}" for i in range(len(t.options)))


@settings(max_examples=300, deadline=None)
@given(option_tallies(), MATTERS)
def test_the_adopted_option_passes_every_test_and_is_the_only_one(t, matter):
    d = rules.decide_choice(CC, matter, _labels(t), t)
    passing = [i for i, o in enumerate(d.decisions) if o.passed]
    assert len(passing) <= 1  # every threshold of the Civil Code is above half
    if d.chosen is not None:
        assert passing == [d.chosen]
        assert d.quorum_met
        assert all(x.passed for x in d.decisions[d.chosen].dimensions)
    else:
        assert passing == []


@settings(max_examples=300, deadline=None)
@given(option_tallies(), MATTERS)
def test_each_option_is_decided_as_a_yes_against_everyone_else_taking_part(t, matter):
    d = rules.decide_choice(CC, matter, _labels(t), t)
    for i, option in enumerate(d.decisions):
        others = rules.ZERO
        for j, counts in enumerate(t.options):
            if j != i:
                others += counts
        plain = rules.Tally(t.electorate, t.options[i], others, t.abstain, t.invalid)
        assert option == rules.decide(CC, matter, plain)


@settings(max_examples=200, deadline=None)
@given(option_tallies(), MATTERS, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_options(t, matter, rnd):
    labels = _labels(t)
    order = list(range(len(labels)))
    rnd.shuffle(order)
    shuffled = OptionsTally(t.electorate, tuple(t.options[i] for i in order), t.abstain, t.invalid)
    a = rules.decide_choice(CC, matter, labels, t)
    b = rules.decide_choice(CC, matter, tuple(labels[i] for i in order), shuffled)
    chosen_a = None if a.chosen is None else labels[a.chosen]
    chosen_b = None if b.chosen is None else b.labels[b.chosen]
    assert chosen_a == chosen_b


@settings(max_examples=200, deadline=None)
@given(option_tallies(), MATTERS, st.integers(1, 30_000))
def test_one_more_ballot_for_the_adopted_option_never_unseats_it(t, matter, area):
    d = rules.decide_choice(CC, matter, _labels(t), t)
    if d.chosen is None:
        return
    one = Counts(1, area)
    options = list(t.options)
    options[d.chosen] += one
    more = OptionsTally(t.electorate + one, tuple(options), t.abstain, t.invalid)
    assert rules.decide_choice(CC, matter, _labels(t), more).chosen == d.chosen


@settings(max_examples=200, deadline=None)
@given(option_tallies(), MATTERS)
def test_every_record_recomputes_to_itself(t, matter):
    data = rules.decide_choice(CC, matter, _labels(t), t).as_dict()
    assert rules.verify_decision(data) == []
