"""The owners' vote rule engine: versioned, dated rule sets and exact threshold decisions.

Pure Python, no database (voting.md §1, §3 item 1). Used by the ballot tally, the result pages
and the stand-alone verifier, which recomputes a stored ``Decision.as_dict()``.

- Areas are integers in hundredths of a square metre ("area cents").
- Every verdict is decided by integer cross-multiplication (R6); percentages are display only.
- A rule set is chosen by the date the meeting was noticed (R0), see ``rule_set_in_force``.
- Counting words follow 民法典 art.1259 (R0a): "以上" includes the boundary (≥), "过半数" is
  strictly more than half (>).
- "Deemed consent" (R18–R21) is computed beside the strict result and never replaces it.

Texts marked [M] in a rule set's ``source`` are recalled, not re-read from the official text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = 1

TESTS = ("quorum", "approval")
MEASURES = ("persons", "area")
BASES = ("electorate", "participants")
CHOICES = ("yes", "no", "abstain", "invalid")

# Machine codes of the reasons for adding no deemed votes (R21 spec).
FLAG_DIMENSIONS_DISAGREE = "dimensions_disagree"
FLAG_TIE = "tie"
FLAG_ABSTENTIONS_MAJORITY = "abstentions_majority"
FLAG_NO_RETURNED_BALLOTS = "no_returned_ballots"
FLAGS = (
    FLAG_NO_RETURNED_BALLOTS,
    FLAG_DIMENSIONS_DISAGREE,
    FLAG_TIE,
    FLAG_ABSTENTIONS_MAJORITY,
)


class Matter(models.IntegerChoices):
    """The matters owners decide jointly, 民法典 art.278 ¶1 items 1–9."""

    RULES_OF_PROCEDURE = 1, _("Make or amend the rules of procedure")
    MANAGEMENT_STATUTE = 2, _("Make or amend the management statute")
    ELECT_COMMITTEE = 3, _("Elect the owners' committee or replace its members")
    HIRE_MANAGER = 4, _("Hire or dismiss the property service company or another manager")
    USE_FUND = 5, _("Use the maintenance fund")
    RAISE_FUND = 6, _("Raise the maintenance fund")
    REBUILD = 7, _("Rebuild or reconstruct buildings and their facilities")
    CHANGE_USE = 8, _("Change the use of common parts or use them for business")
    OTHER = 9, _("Other major matters of co-ownership and joint management")


# --- counts and areas ------------------------------------------------------------------------


def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def area_from_m2(value: Decimal | str | int) -> int:
    """Square metres (a Decimal, a decimal string or an int) as exact area cents.

    Floats are refused: they cannot hold 0.01 m² exactly (R6).
    """
    if isinstance(value, float | bool):
        raise TypeError("pass the area as a Decimal or a string, not a float")
    try:
        cents = Decimal(str(value).replace(",", "")) * 100
    except InvalidOperation as exc:
        raise ValueError(f"not an area: {value!r}") from exc
    if cents != cents.to_integral_value():
        raise ValueError(f"an area has at most 2 decimals (0.01 m²), got {value!r}")
    return int(cents)


def format_area(cents: int) -> str:
    """Area cents as square metres with a thousands separator and 2 decimals: 66,666.67."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{frac:02d}"


@dataclass(frozen=True)
class Counts:
    """One group of voters: how many persons (R9) and how much area (area cents, R8/R10)."""

    persons: int
    area: int

    def __post_init__(self) -> None:
        _check_count("persons", self.persons)
        _check_count("area", self.area)

    @classmethod
    def of(cls, persons: int, area_m2: Decimal | str | int) -> Counts:
        """Build from square metres, e.g. ``Counts.of(931, "100000.00")``."""
        return cls(persons, area_from_m2(area_m2))

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(self.persons + other.persons, self.area + other.area)

    def __sub__(self, other: Counts) -> Counts:
        """Difference; raises ValueError if either dimension would go negative."""
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(self.persons - other.persons, self.area - other.area)

    def get(self, measure: str) -> int:
        if measure not in MEASURES:
            raise ValueError(f"unknown measure {measure!r}; expected one of {MEASURES}")
        return getattr(self, measure)

    def fits_in(self, other: Counts) -> bool:
        """True when neither dimension exceeds the other's."""
        return self.persons <= other.persons and self.area <= other.area

    def as_dict(self) -> dict[str, int]:
        return {"persons": self.persons, "area": self.area}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counts:
        return cls(data["persons"], data["area"])


ZERO = Counts(0, 0)


@dataclass(frozen=True)
class Tally:
    """The counted ballots of one motion against its electorate (T_n, T_a).

    ``invalid`` holds blank or invalid returned ballots; whether they count as participation
    is a per-议事规则 setting (R5, ``Options``). Every returned ballot belongs to the electorate,
    so the returned ballots never exceed it in either dimension.
    """

    electorate: Counts
    yes: Counts
    no: Counts
    abstain: Counts
    invalid: Counts = ZERO

    def __post_init__(self) -> None:
        for name in ("electorate", *CHOICES):
            if not isinstance(getattr(self, name), Counts):
                raise TypeError(f"Tally.{name} must be Counts")
        if not self.returned.fits_in(self.electorate):
            raise ValueError(
                f"the returned ballots ({self.returned.persons} persons, area "
                f"{self.returned.area}) exceed the electorate ({self.electorate.persons} "
                f"persons, area {self.electorate.area})"
            )

    @property
    def returned(self) -> Counts:
        """All returned ballots, including blank or invalid ones."""
        return self.yes + self.no + self.abstain + self.invalid

    @property
    def not_returned(self) -> Counts:
        return self.electorate - self.returned

    def participants(self, options: Options | None = None) -> Counts:
        """P_n and P_a: yes, no and abstentions (R5), plus invalid ballots if the rules say so."""
        options = options or DEFAULT_OPTIONS
        total = self.yes + self.no + self.abstain
        if options.invalid_counts_as_participation:
            total += self.invalid
        return total

    @classmethod
    def from_ballots(cls, electorate: Counts, ballots: Iterable[tuple[str, Counts]]) -> Tally:
        """Sum effective ballots given as ``(choice, Counts)`` with a choice in ``CHOICES``."""
        sums = dict.fromkeys(CHOICES, ZERO)
        for choice, counts in ballots:
            if choice not in sums:
                raise ValueError(f"unknown ballot choice {choice!r}; expected one of {CHOICES}")
            sums[choice] += counts
        return cls(electorate=electorate, **sums)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: getattr(self, name).as_dict() for name in ("electorate", *CHOICES)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tally:
        return cls(**{name: Counts.from_dict(data[name]) for name in ("electorate", *CHOICES)})


# --- thresholds and rule sets ----------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """A fraction of a base: ``inclusive`` is "以上" (≥ num/den), otherwise "过半数" (> num/den)."""

    num: int
    den: int
    inclusive: bool
    base: str
    article: str

    def __post_init__(self) -> None:
        if not (0 < self.num <= self.den):
            raise ValueError(f"a threshold fraction must be in (0, 1], got {self.num}/{self.den}")
        if self.base not in BASES:
            raise ValueError(f"unknown base {self.base!r}; expected one of {BASES}")

    def passes(self, numerator: int, denominator: int) -> bool:
        """Exact cross-multiplication (R6). A zero denominator never passes."""
        if denominator <= 0:
            return False
        if self.inclusive:
            return numerator * self.den >= self.num * denominator
        return numerator * self.den > self.num * denominator

    def boundary(self, denominator: int) -> int:
        """The smallest numerator that passes for this denominator.

        ≥ num/den of D: ceil(num·D/den); > num/den of D: floor(num·D/den) + 1. For a zero
        denominator nothing passes; 1 is returned, which no count of a zero base can reach.
        """
        if denominator <= 0:
            return 1
        if self.inclusive:
            return -(-self.num * denominator // self.den)
        return self.num * denominator // self.den + 1

    @property
    def fraction(self) -> str:
        return f"{self.num}/{self.den}"

    def describe(self) -> str:
        """'at least 2/3' or 'more than 1/2', translated."""
        if self.inclusive:
            return gettext("at least %(fraction)s") % {"fraction": self.fraction}
        return gettext("more than %(fraction)s") % {"fraction": self.fraction}

    def as_dict(self) -> dict[str, Any]:
        return {
            "num": self.num,
            "den": self.den,
            "inclusive": self.inclusive,
            "base": self.base,
            "article": self.article,
        }


@dataclass(frozen=True)
class RuleSet:
    """A dated, versioned set of thresholds from one legal source (R0).

    ``family`` names a line of rule sets that succeed each other in time: "general" for the
    joint decisions of the whole body of owners, "fund" for the maintenance-fund measures.
    ``name`` is presentation only and takes no part in equality or hashing.
    """

    code: str
    version: int
    name: Any = field(compare=False)  # a lazy translatable string
    effective_from: date
    effective_to: date | None
    quorum: Threshold | None
    approval: dict[Matter, Threshold] = field(hash=False)
    source: str
    family: str = "general"

    def __post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"rule set {self.code!r} ends before it starts")
        if self.quorum is not None and self.quorum.base != "electorate":
            raise ValueError(f"rule set {self.code!r}: a quorum is measured on the electorate")
        if not all(isinstance(m, Matter) for m in self.approval):
            raise TypeError(f"rule set {self.code!r}: approval keys must be Matter members")

    def covers(self, matter: Matter | int) -> bool:
        return matter in self.approval

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "version": self.version}


CIVIL_CODE_278 = "民法典第二百七十八条第二款"
PROPERTY_LAW_76 = "物权法第七十六条第二款"
ORDER_165_ART_22 = "住宅专项维修资金管理办法（建设部、财政部令第165号）第二十二条"
ORDER_165_ART_17 = (
    "住宅专项维修资金管理办法（建设部、财政部令第165号）第十七条、物权法第七十六条第二款"
)

_CC_MAJORITY = Threshold(1, 2, inclusive=False, base="participants", article=CIVIL_CODE_278)
_CC_THREE_QUARTERS = Threshold(3, 4, inclusive=True, base="participants", article=CIVIL_CODE_278)
_PL_MAJORITY = Threshold(1, 2, inclusive=False, base="electorate", article=PROPERTY_LAW_76)
_PL_TWO_THIRDS = Threshold(2, 3, inclusive=True, base="electorate", article=PROPERTY_LAW_76)

CIVIL_CODE = RuleSet(
    code="civil-code",
    version=1,
    name=_("Civil Code art. 278 (from 1 January 2021)"),
    effective_from=date(2021, 1, 1),
    effective_to=None,
    quorum=Threshold(2, 3, inclusive=True, base="electorate", article=CIVIL_CODE_278),
    approval={
        Matter.RULES_OF_PROCEDURE: _CC_MAJORITY,
        Matter.MANAGEMENT_STATUTE: _CC_MAJORITY,
        Matter.ELECT_COMMITTEE: _CC_MAJORITY,
        Matter.HIRE_MANAGER: _CC_MAJORITY,
        Matter.USE_FUND: _CC_MAJORITY,
        Matter.RAISE_FUND: _CC_THREE_QUARTERS,
        Matter.REBUILD: _CC_THREE_QUARTERS,
        Matter.CHANGE_USE: _CC_THREE_QUARTERS,
        Matter.OTHER: _CC_MAJORITY,
    },
    source=(
        "民法典第二百七十八条 (in force 2021-01-01) [V]: participation by owners holding "
        "2/3 or more of the exclusive area and 2/3 or more of the persons; items 6-8 need "
        "3/4 or more of the participating area and persons, the other items more than half "
        "of both. Counting words per 民法典第一千二百五十九条 [M]."
    ),
)

PROPERTY_LAW_2007 = RuleSet(
    code="property-law-2007",
    version=1,
    name=_("Property Law art. 76 (1 October 2007 to 31 December 2020)"),
    effective_from=date(2007, 10, 1),
    effective_to=date(2020, 12, 31),
    quorum=None,
    approval={
        Matter.RULES_OF_PROCEDURE: _PL_MAJORITY,
        Matter.MANAGEMENT_STATUTE: _PL_MAJORITY,
        Matter.ELECT_COMMITTEE: _PL_MAJORITY,
        Matter.HIRE_MANAGER: _PL_MAJORITY,
        # Item 5 of art.76 was "筹集和使用" the fund: one item, later split by the Civil Code.
        Matter.USE_FUND: _PL_TWO_THIRDS,
        Matter.RAISE_FUND: _PL_TWO_THIRDS,
        Matter.REBUILD: _PL_TWO_THIRDS,
        # Not a separate item before 2021: an "other major matter" (item 7) [M].
        Matter.CHANGE_USE: _PL_MAJORITY,
        Matter.OTHER: _PL_MAJORITY,
    },
    source=(
        "物权法第七十六条 (2007-10-01 to 2020-12-31) [M]: raising and using the maintenance "
        "fund (one item, 筹集和使用) and rebuilding need the consent of owners holding 2/3 or "
        "more of the total exclusive area and 2/3 or more of all persons; the other items "
        "more than half of both. No separate participation quorum. Changing the use of common "
        "parts was an 'other major matter' (建筑物区分所有权解释 art.7) [M]."
    ),
)

ORDER_165_LITERAL = RuleSet(
    code="order-165-literal",
    version=1,
    name=_("Maintenance fund measures (Order No. 165), literal text"),
    effective_from=date(2008, 2, 1),
    # Superseded where it conflicts with the Civil Code (R0, R23); kept by code for comparison.
    effective_to=date(2020, 12, 31),
    quorum=None,
    approval={
        Matter.USE_FUND: Threshold(
            2, 3, inclusive=True, base="electorate", article=ORDER_165_ART_22
        ),
        Matter.RAISE_FUND: Threshold(
            2, 3, inclusive=True, base="electorate", article=ORDER_165_ART_17
        ),
    },
    source=(
        "住宅专项维修资金管理办法 (建设部、财政部令第165号, in force 2008-02-01) art.22 [V: "
        "lawfaq.cn]: a use needs the consent of owners in the 列支范围 holding 2/3 or more of "
        "the area and 2/3 or more of the persons (the electorate is the 列支范围, R26). "
        "Raising (续交) is left to the owners' assembly by art.17 [M], i.e. 物权法第七十六条 "
        "(2/3) [M]. Since 2021-01-01 the Civil Code governs (R0)."
    ),
    family="fund",
)

RULE_SETS: tuple[RuleSet, ...] = (CIVIL_CODE, PROPERTY_LAW_2007, ORDER_165_LITERAL)
DEFAULT_RULE_SET = CIVIL_CODE.code


def rule_set(code: str, version: int | None = None) -> RuleSet:
    """The rule set with this code (the latest version unless one is named)."""
    matches = [rs for rs in RULE_SETS if rs.code == code]
    if version is not None:
        matches = [rs for rs in matches if rs.version == version]
    if not matches:
        known = ", ".join(sorted({rs.code for rs in RULE_SETS}))
        wanted = code if version is None else f"{code} version {version}"
        raise ValueError(f"unknown rule set {wanted!r}; known rule sets: {known}")
    return max(matches, key=lambda rs: rs.version)


def rule_set_in_force(on: date, family: str = "general") -> RuleSet:
    """The rule set that judges a meeting noticed on ``on`` (R0).

    Where no set of ``family`` is in force on that date, the "general" set in force governs
    (the Civil Code prevails over older lower-level texts). Pass the local calendar date of
    the notice, not a datetime.
    """
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError("rule_set_in_force takes the local calendar date of the notice")
    families = {rs.family for rs in RULE_SETS}
    if family not in families:
        raise ValueError(f"unknown rule set family {family!r}; known: {sorted(families)}")
    for name in (family, "general"):
        in_force = [rs for rs in RULE_SETS if rs.family == name and rs.in_force_on(on)]
        if in_force:
            return max(in_force, key=lambda rs: (rs.effective_from, rs.version))
    earliest = min(rs.effective_from for rs in RULE_SETS if rs.family == "general")
    raise ValueError(
        f"no rule set is in force on {on.isoformat()}; the earliest starts on "
        f"{earliest.isoformat()}"
    )


# --- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """Settings of the estate's rules of procedure (议事规则) that affect counting (R5)."""

    invalid_counts_as_participation: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"invalid_counts_as_participation": self.invalid_counts_as_participation}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Options:
        return cls(invalid_counts_as_participation=bool(data["invalid_counts_as_participation"]))


DEFAULT_OPTIONS = Options()

_LABELS = {
    ("quorum", "persons"): _("Quorum by headcount"),
    ("quorum", "area"): _("Quorum by area"),
    ("approval", "persons"): _("Approval by headcount"),
    ("approval", "area"): _("Approval by area"),
}

_SENTENCES = {
    ("quorum", "electorate", "persons"): _(
        "%(label)s: %(numerator)s of %(denominator)s persons took part (%(percent)s); "
        "%(rule)s is required, that is at least %(boundary)s persons: %(outcome)s "
        "(%(article)s)."
    ),
    ("quorum", "electorate", "area"): _(
        "%(label)s: %(numerator)s m² of %(denominator)s m² took part (%(percent)s); "
        "%(rule)s is required, that is at least %(boundary)s m²: %(outcome)s (%(article)s)."
    ),
    ("approval", "participants", "persons"): _(
        "%(label)s: %(numerator)s of the %(denominator)s participating persons agreed "
        "(%(percent)s); %(rule)s is required, that is at least %(boundary)s persons: "
        "%(outcome)s (%(article)s)."
    ),
    ("approval", "participants", "area"): _(
        "%(label)s: %(numerator)s m² of the %(denominator)s m² taking part agreed "
        "(%(percent)s); %(rule)s is required, that is at least %(boundary)s m²: %(outcome)s "
        "(%(article)s)."
    ),
    ("approval", "electorate", "persons"): _(
        "%(label)s: %(numerator)s of all %(denominator)s persons agreed (%(percent)s); "
        "%(rule)s is required, that is at least %(boundary)s persons: %(outcome)s "
        "(%(article)s)."
    ),
    ("approval", "electorate", "area"): _(
        "%(label)s: %(numerator)s m² of the total %(denominator)s m² agreed (%(percent)s); "
        "%(rule)s is required, that is at least %(boundary)s m²: %(outcome)s (%(article)s)."
    ),
}

_ZERO_BASE_SENTENCE = _("%(label)s: the base is zero, so this test cannot pass (%(article)s).")


@dataclass(frozen=True)
class Dimension:
    """One test (quorum or approval) in one measure (persons or area), with its evidence."""

    test: str
    measure: str
    numerator: int
    denominator: int
    threshold: Threshold
    boundary: int
    passed: bool

    def percent(self, places: int = 2) -> str:
        """numerator/denominator as a rounded percentage, for display only (R6)."""
        if self.denominator <= 0:
            return "—"
        scaled = self.numerator * 100 * 10**places
        rounded = (2 * scaled + self.denominator) // (2 * self.denominator)  # half up
        if places == 0:
            return f"{rounded}%"
        whole, frac = divmod(rounded, 10**places)
        return f"{whole}.{frac:0{places}d}%"

    @property
    def shortfall(self) -> int:
        """How much more numerator this dimension needs to pass (0 when it passes)."""
        if self.denominator <= 0:
            return 0
        return max(0, self.boundary - self.numerator)

    def _format(self, value: int) -> str:
        return format_area(value) if self.measure == "area" else f"{value:,}"

    def explain(self) -> str:
        label = _LABELS[(self.test, self.measure)]
        if self.denominator <= 0:
            return str(_ZERO_BASE_SENTENCE) % {
                "label": label,
                "article": self.threshold.article,
            }
        if self.test == "quorum":
            outcome = (
                pgettext("vote test", "met") if self.passed else pgettext("vote test", "not met")
            )
        else:
            outcome = (
                pgettext("vote test", "passed") if self.passed else pgettext("vote test", "failed")
            )
        sentence = _SENTENCES[(self.test, self.threshold.base, self.measure)]
        return str(sentence) % {
            "label": label,
            "numerator": self._format(self.numerator),
            "denominator": self._format(self.denominator),
            "percent": self.percent(),
            "rule": self.threshold.describe(),
            "boundary": self._format(self.boundary),
            "outcome": outcome,
            "article": self.threshold.article,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "measure": self.measure,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "threshold": self.threshold.as_dict(),
            "boundary": self.boundary,
            "passed": self.passed,
        }


def _dimension(test: str, measure: str, numerator: int, denominator: int, t: Threshold):
    return Dimension(
        test=test,
        measure=measure,
        numerator=numerator,
        denominator=denominator,
        threshold=t,
        boundary=t.boundary(denominator),
        passed=t.passes(numerator, denominator),
    )


@dataclass(frozen=True)
class Decision:
    """The strict result of one motion: every dimension with its evidence, and the verdict."""

    rule_set: RuleSet
    matter: Matter
    tally: Tally
    participants: Counts
    dimensions: tuple[Dimension, ...]
    quorum_met: bool
    passed: bool
    options: Options = field(default_factory=Options)

    def dimension(self, test: str, measure: str) -> Dimension | None:
        for d in self.dimensions:
            if d.test == test and d.measure == measure:
                return d
        return None

    @property
    def failed_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.dimensions if not d.passed)

    def explain(self) -> list[str]:
        """One translated sentence per dimension, then the verdict."""
        lines = [d.explain() for d in self.dimensions]
        name = self.rule_set.name
        if self.passed:
            lines.append(gettext("Result under %(rule_set)s: passed.") % {"rule_set": name})
        elif not self.quorum_met:
            lines.append(
                gettext("Result under %(rule_set)s: not passed, because the quorum was not met.")
                % {"rule_set": name}
            )
        else:
            lines.append(
                gettext(
                    "Result under %(rule_set)s: not passed, because the required approval "
                    "was not reached."
                )
                % {"rule_set": name}
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable record with stable keys; ``Decision.from_dict`` recomputes it."""
        return {
            "schema": SCHEMA_VERSION,
            "rule_set": self.rule_set.as_dict(),
            "matter": int(self.matter),
            "options": self.options.as_dict(),
            "tally": self.tally.as_dict(),
            "participants": self.participants.as_dict(),
            "dimensions": [d.as_dict() for d in self.dimensions],
            "quorum_met": self.quorum_met,
            "passed": self.passed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Recompute a decision from its stored inputs (rule set, matter, options, tally)."""
        _check_schema(data)
        rs = rule_set(data["rule_set"]["code"], data["rule_set"]["version"])
        return decide(
            rs,
            Matter(data["matter"]),
            Tally.from_dict(data["tally"]),
            Options.from_dict(data["options"]),
        )


def decide(
    rule_set: RuleSet, matter: Matter | int, tally: Tally, options: Options = DEFAULT_OPTIONS
) -> Decision:
    """The strict result of ``tally`` on ``matter`` under ``rule_set`` (R1–R6)."""
    matter = Matter(matter)
    if not rule_set.covers(matter):
        covered = ", ".join(f"{m.name} ({int(m)})" for m in rule_set.approval)
        raise ValueError(
            f"rule set {rule_set.code!r} does not cover matter {matter.name} ({int(matter)}); "
            f"it covers: {covered}"
        )
    participants = tally.participants(options)
    dims: list[Dimension] = []
    if rule_set.quorum is not None:
        dims.extend(
            _dimension("quorum", m, participants.get(m), tally.electorate.get(m), rule_set.quorum)
            for m in MEASURES
        )
    quorum_met = all(d.passed for d in dims)
    approval = rule_set.approval[matter]
    base = tally.electorate if approval.base == "electorate" else participants
    dims.extend(
        _dimension("approval", m, tally.yes.get(m), base.get(m), approval) for m in MEASURES
    )
    passed = quorum_met and all(d.passed for d in dims if d.test == "approval")
    return Decision(
        rule_set=rule_set,
        matter=matter,
        tally=tally,
        participants=participants,
        dimensions=tuple(dims),
        quorum_met=quorum_met,
        passed=passed,
        options=options,
    )


# --- motions that choose one of several options ----------------------------------------------

MAX_OPTIONS = 9
ABSTAIN = "abstain"
INVALID = "invalid"


def option_code(index: int) -> str:
    """The ballot choice for option ``index`` (0-based) of a choice motion: "o1", "o2"…"""
    return f"o{index + 1}"


def option_index(code: str, count: int) -> int | None:
    """The 0-based option a ballot choice names, or None (abstain, invalid, unknown)."""
    if len(code) < 2 or code[0] != "o" or not code[1:].isdigit() or code[1] == "0":
        return None
    index = int(code[1:]) - 1
    return index if index < count else None


def option_choices(count: int) -> tuple[str, ...]:
    """The valid choices on a choice motion of ``count`` options, blank sheets included."""
    return (*(option_code(i) for i in range(count)), ABSTAIN, INVALID)


@dataclass(frozen=True)
class OptionsTally:
    """The counted ballots of a motion whose owners choose one of several options (选聘 among
    candidate companies, one of several plans): the sums per option, abstentions and blank or
    invalid ballots, against the electorate."""

    electorate: Counts
    options: tuple[Counts, ...]
    abstain: Counts = ZERO
    invalid: Counts = ZERO

    def __post_init__(self) -> None:
        if not 2 <= len(self.options) <= MAX_OPTIONS:
            raise ValueError(f"a choice motion has 2 to {MAX_OPTIONS} options")
        for value in (self.electorate, self.abstain, self.invalid, *self.options):
            if not isinstance(value, Counts):
                raise TypeError("OptionsTally values must be Counts")
        if not self.returned.fits_in(self.electorate):
            raise ValueError("the returned ballots exceed the electorate")

    @property
    def returned(self) -> Counts:
        total = self.abstain + self.invalid
        for counts in self.options:
            total += counts
        return total

    @property
    def not_returned(self) -> Counts:
        return self.electorate - self.returned

    def participants(self, options: Options | None = None) -> Counts:
        """Every option and abstentions (R5), plus invalid ballots if the rules say so."""
        return self.for_option(0).participants(options)

    def for_option(self, index: int) -> Tally:
        """The tally as a yes/no question on one option: its voters agree, the voters of every
        other option disagree; abstentions and blank ballots stay what they are."""
        others = ZERO
        for i, counts in enumerate(self.options):
            if i != index:
                others += counts
        return Tally(
            electorate=self.electorate,
            yes=self.options[index],
            no=others,
            abstain=self.abstain,
            invalid=self.invalid,
        )

    @classmethod
    def from_ballots(
        cls, electorate: Counts, count: int, ballots: Iterable[tuple[str, Counts]]
    ) -> OptionsTally:
        """Sum effective ballots given as ``(choice, Counts)``, choices from option_choices."""
        sums = [ZERO] * count
        abstain = invalid = ZERO
        for choice, counts in ballots:
            index = option_index(choice, count)
            if index is not None:
                sums[index] += counts
            elif choice == ABSTAIN:
                abstain += counts
            elif choice == INVALID:
                invalid += counts
            else:
                raise ValueError(f"unknown ballot choice {choice!r} on a choice motion")
        return cls(electorate=electorate, options=tuple(sums), abstain=abstain, invalid=invalid)

    def as_dict(self) -> dict[str, Any]:
        return {
            "electorate": self.electorate.as_dict(),
            "options": [c.as_dict() for c in self.options],
            "abstain": self.abstain.as_dict(),
            "invalid": self.invalid.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OptionsTally:
        return cls(
            electorate=Counts.from_dict(data["electorate"]),
            options=tuple(Counts.from_dict(c) for c in data["options"]),
            abstain=Counts.from_dict(data["abstain"]),
            invalid=Counts.from_dict(data["invalid"]),
        )


@dataclass(frozen=True)
class ChoiceDecision:
    """The strict result of a choice motion: the quorum as for any motion, then each option
    tested as if its voters agreed and everyone else taking part did not (the matter's
    approval threshold, both dimensions). The chosen option is the one that passes; the
    thresholds of every rule set are above half, so at most one can, and should a rule set
    ever allow two, none is chosen (``tied``)."""

    rule_set: RuleSet
    matter: Matter
    labels: tuple[str, ...]
    tally: OptionsTally
    decisions: tuple[Decision, ...]
    chosen: int | None
    tied: bool
    options: Options = field(default_factory=Options)

    kind = "choice"

    @property
    def passed(self) -> bool:
        return self.chosen is not None

    @property
    def quorum_met(self) -> bool:
        return self.decisions[0].quorum_met

    @property
    def participants(self) -> Counts:
        return self.decisions[0].participants

    @property
    def quorum_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.decisions[0].dimensions if d.test == "quorum")

    def explain(self) -> list[str]:
        """The quorum sentences, then each option's approval, then the verdict."""
        lines = [d.explain() for d in self.quorum_dimensions]
        for i, (label, decision) in enumerate(zip(self.labels, self.decisions, strict=True)):
            lines.extend(
                gettext("Option %(n)d «%(label)s» — %(sentence)s")
                % {"n": i + 1, "label": label, "sentence": d.explain()}
                for d in decision.dimensions
                if d.test == "approval"
            )
        name = self.rule_set.name
        if self.chosen is not None:
            lines.append(
                gettext("Result under %(rule_set)s: option %(n)d «%(label)s» is adopted.")
                % {"rule_set": name, "n": self.chosen + 1, "label": self.labels[self.chosen]}
            )
        elif not self.quorum_met:
            lines.append(
                gettext("Result under %(rule_set)s: not passed, because the quorum was not met.")
                % {"rule_set": name}
            )
        elif self.tied:
            lines.append(
                gettext(
                    "Result under %(rule_set)s: not passed, because more than one option "
                    "reached the required approval."
                )
                % {"rule_set": name}
            )
        else:
            lines.append(
                gettext(
                    "Result under %(rule_set)s: not passed, because no option reached the "
                    "required approval."
                )
                % {"rule_set": name}
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable record; ``ChoiceDecision.from_dict`` recomputes it."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": self.kind,
            "rule_set": self.rule_set.as_dict(),
            "matter": int(self.matter),
            "options": self.options.as_dict(),
            "labels": list(self.labels),
            "tally": self.tally.as_dict(),
            "participants": self.participants.as_dict(),
            "per_option": [d.as_dict() for d in self.decisions],
            "quorum_met": self.quorum_met,
            "chosen": self.chosen,
            "tied": self.tied,
            "passed": self.passed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChoiceDecision:
        _check_schema(data)
        rs = rule_set(data["rule_set"]["code"], data["rule_set"]["version"])
        return decide_choice(
            rs,
            Matter(data["matter"]),
            tuple(data["labels"]),
            OptionsTally.from_dict(data["tally"]),
            Options.from_dict(data["options"]),
        )


def decide_choice(
    rule_set: RuleSet,
    matter: Matter | int,
    labels: Iterable[str],
    tally: OptionsTally,
    options: Options = DEFAULT_OPTIONS,
) -> ChoiceDecision:
    """The strict result of a choice motion (see ``ChoiceDecision``)."""
    labels = tuple(labels)
    if len(labels) != len(tally.options):
        raise ValueError(f"{len(labels)} labels for {len(tally.options)} options")
    matter = Matter(matter)
    decisions = tuple(
        decide(rule_set, matter, tally.for_option(i), options) for i in range(len(labels))
    )
    passing = [i for i, d in enumerate(decisions) if d.passed]
    return ChoiceDecision(
        rule_set=rule_set,
        matter=matter,
        labels=labels,
        tally=tally,
        decisions=decisions,
        chosen=passing[0] if len(passing) == 1 else None,
        tied=len(passing) > 1,
        options=options,
    )


def decision_from_dict(data: Mapping[str, Any]) -> Decision | ChoiceDecision:
    """Recompute a stored result of either kind."""
    if data.get("kind") == ChoiceDecision.kind:
        return ChoiceDecision.from_dict(data)
    return Decision.from_dict(data)


# --- deemed consent (R18–R21) ----------------------------------------------------------------


_FLAG_SENTENCES = {
    FLAG_NO_RETURNED_BALLOTS: _("No ballots were returned, so there is no majority opinion."),
    FLAG_DIMENSIONS_DISAGREE: _(
        "The returned ballots lean one way by headcount and the other way by area, so there "
        "is no single majority opinion."
    ),
    FLAG_TIE: _(
        "Agreeing and disagreeing returned ballots are tied by headcount or by area, so there "
        "is no majority opinion."
    ),
    FLAG_ABSTENTIONS_MAJORITY: _(
        "More than half of the returned ballots, by headcount or by area, are abstentions or "
        "blank, so there is no clear majority opinion."
    ),
}


@dataclass(frozen=True)
class DeemedDecision:
    """The deemed-consent result, always reported beside the strict one (R18–R21).

    Owners who received the ballot but did not return it are added to the majority opinion of
    the returned ballots, defined per dimension. When there is no clear majority opinion, no
    deemed votes are added (``decision`` is None) and ``flags`` say why.
    """

    decision: Decision | None
    added: Counts
    direction: str | None
    flags: tuple[str, ...]
    strict: Decision
    delivered_non_voters: Counts

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def explain(self) -> list[str]:
        lines = [gettext("Deemed-consent result, reported beside the strict result:")]
        if self.decision is None:
            lines.extend(str(_FLAG_SENTENCES[f]) for f in self.flags)
            lines.append(gettext("No deemed votes were added; the meeting needs review."))
        else:
            values = {
                "persons": f"{self.added.persons:,}",
                "area": format_area(self.added.area),
            }
            if self.direction == "yes":
                lines.append(
                    gettext(
                        "The %(persons)s persons and %(area)s m² who received the ballot but "
                        "did not return it were added to the agreeing side, the majority "
                        "opinion of the returned ballots by headcount and by area."
                    )
                    % values
                )
            else:
                lines.append(
                    gettext(
                        "The %(persons)s persons and %(area)s m² who received the ballot but "
                        "did not return it were added to the disagreeing side, the majority "
                        "opinion of the returned ballots by headcount and by area."
                    )
                    % values
                )
            lines.extend(self.decision.explain())
        if self.strict.passed:
            lines.append(gettext("For comparison, the strict result: passed."))
        else:
            lines.append(gettext("For comparison, the strict result: not passed."))
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "strict": self.strict.as_dict(),
            "delivered_non_voters": self.delivered_non_voters.as_dict(),
            "added": self.added.as_dict(),
            "direction": self.direction,
            "flags": list(self.flags),
            "deemed": None if self.decision is None else self.decision.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeemedDecision:
        """Recompute from the stored strict inputs and the delivered non-voters."""
        _check_schema(data)
        strict = Decision.from_dict(data["strict"])
        return decide_deemed(
            strict.rule_set,
            strict.matter,
            strict.tally,
            Counts.from_dict(data["delivered_non_voters"]),
            strict.options,
        )


def majority_opinion(tally: Tally) -> tuple[str | None, tuple[str, ...]]:
    """The majority opinion of the returned ballots and the flags that block it (R21 spec).

    Per dimension the majority is yes or no, whichever is larger. There is none when no ballot
    was returned, when yes and no tie in either dimension, when the two dimensions disagree,
    or when abstentions (with blank or invalid ballots) are more than half of the returned
    ballots in either dimension.
    """
    returned = tally.returned
    if returned.persons == 0 and returned.area == 0:
        return None, (FLAG_NO_RETURNED_BALLOTS,)
    flags = []
    leanings = set()
    tie = False
    for m in MEASURES:
        yes, no = tally.yes.get(m), tally.no.get(m)
        if yes == no:
            tie = True
        else:
            leanings.add("yes" if yes > no else "no")
    if len(leanings) > 1:
        flags.append(FLAG_DIMENSIONS_DISAGREE)
    if tie:
        flags.append(FLAG_TIE)
    silent = tally.abstain + tally.invalid
    if any(2 * silent.get(m) > returned.get(m) for m in MEASURES):
        flags.append(FLAG_ABSTENTIONS_MAJORITY)
    if flags:
        return None, tuple(flags)
    return leanings.pop(), ()


def decide_deemed(
    rule_set: RuleSet,
    matter: Matter | int,
    tally: Tally,
    delivered_non_voters: Counts,
    options: Options = DEFAULT_OPTIONS,
) -> DeemedDecision:
    """The deemed-consent result beside the strict one (R18–R21).

    ``delivered_non_voters`` are the roll entries with proof of delivery (R21) that returned
    no ballot; they count as participants and are added to the majority opinion.
    """
    strict = decide(rule_set, matter, tally, options)
    if not delivered_non_voters.fits_in(tally.not_returned):
        raise ValueError(
            "the delivered non-voters exceed the electorate members who returned no ballot"
        )
    direction, flags = majority_opinion(tally)
    if direction is None:
        return DeemedDecision(
            decision=None,
            added=ZERO,
            direction=None,
            flags=flags,
            strict=strict,
            delivered_non_voters=delivered_non_voters,
        )
    deemed_tally = Tally(
        electorate=tally.electorate,
        yes=tally.yes + delivered_non_voters if direction == "yes" else tally.yes,
        no=tally.no + delivered_non_voters if direction == "no" else tally.no,
        abstain=tally.abstain,
        invalid=tally.invalid,
    )
    return DeemedDecision(
        decision=decide(rule_set, matter, deemed_tally, options),
        added=delivered_non_voters,
        direction=direction,
        flags=(),
        strict=strict,
        delivered_non_voters=delivered_non_voters,
    )


# --- verification ----------------------------------------------------------------------------


def _check_schema(data: Mapping[str, Any]) -> None:
    if data.get("schema") != SCHEMA_VERSION:
        raise ValueError(
            f"unsupported result schema {data.get('schema')!r}; expected {SCHEMA_VERSION}"
        )


def _differences(stored: Any, computed: Any, path: str = "") -> list[str]:
    if isinstance(stored, Mapping) and isinstance(computed, Mapping):
        out = []
        for key in sorted(set(stored) | set(computed), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in computed:
                out.append(where)
            else:
                out.extend(_differences(stored[key], computed[key], where))
        return out
    if isinstance(stored, list | tuple) and isinstance(computed, list | tuple):
        if len(stored) != len(computed):
            return [path]
        out = []
        for i, (a, b) in enumerate(zip(stored, computed, strict=True)):
            out.extend(_differences(a, b, f"{path}[{i}]"))
        return out
    if type(stored) is not type(computed) or stored != computed:
        return [path]
    return []


def verify_decision(data: Mapping[str, Any]) -> list[str]:
    """Recompute a stored ``Decision.as_dict()`` or ``ChoiceDecision.as_dict()`` and list the
    paths that differ (empty: ok)."""
    return _differences(data, decision_from_dict(data).as_dict())


def verify_deemed(data: Mapping[str, Any]) -> list[str]:
    """Recompute a stored ``DeemedDecision.as_dict()`` and list the paths that differ."""
    return _differences(data, DeemedDecision.from_dict(data).as_dict())
