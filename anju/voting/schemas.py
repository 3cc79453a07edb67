"""Schemas of the voting API (anju.voting.api).

Areas leave the API twice: `area` as an integer in 0.01 m² (exact, what every threshold is
decided on, voting.md R6) and `area_m2` as a display string ("1,502.50"). Owners' names are
masked for callers who only view or cast; holders' ID numbers are always masked.
"""

from datetime import date, datetime

from ninja import Field, Schema

from anju.voting.models import Motion

AREA = "Area in 0.01 m² (an exact integer: 15025 is 150.25 m²)"


# -- shared ----------------------------------------------------------------------------------


class CountsOut(Schema):
    """One group of voters in both dimensions (persons R9, area R8/R10)."""

    persons: int
    area: int = Field(description=AREA)
    area_m2: str = Field(description="The area in m² for display, e.g. 1,502.50")


# -- meetings --------------------------------------------------------------------------------


class MeetingFilters(Schema):
    state: str = Field("", description="draft | noticed | open | closed | published | cancelled")
    estate_id: int | None = Field(None, description="Only meetings of this estate")


class MeetingIn(Schema):
    """A new meeting in draft. Unset settings take the defaults of the rules of procedure."""

    estate_id: int
    title: str = Field("", max_length=200)
    convener: str = Field(
        "committee",
        description="committee | preparatory | interim | street",
    )
    convener_name: str = Field("", max_length=100)
    description: str = ""
    count_parking: bool = Field(False, description="Parking spaces count toward the vote (R13)")
    count_storage: bool = Field(False, description="Storage rooms count toward the vote (R13)")
    invalid_counts_as_participation: bool = Field(
        False, description="Invalid or blank ballots count as participation (R5)"
    )
    allow_change: bool = Field(True, description="Owners may change their ballot before close")
    paper_overrides_online: bool = Field(
        True, description="A signed paper ballot prevails over an online one"
    )
    proxy_cap: int | None = Field(
        None, ge=0, description="Most owners one proxy holder may represent; null: no limit"
    )
    deemed_consent: bool = Field(
        False, description="Delivered non-voters count with the majority (R18–R21)"
    )
    deemed_clause: str = Field(
        "", description="The clause of the rules of procedure allowing deemed consent"
    )
    board_shows_choice: bool = Field(
        True, description="The public board shows each choice (named ballots, R17)"
    )
    notice_days: int = Field(15, ge=0, le=365, description="Notice period in days (≥ 15)")
    objection_days: int = Field(7, ge=0, le=365, description="Objection period of the roll")
    opens_at: datetime | None = Field(None, description="Voting opens (local time if naive)")
    closes_at: datetime | None = Field(None, description="Voting closes (local time if naive)")


class MeetingPatch(Schema):
    """Change a meeting in draft: only the fields sent change."""

    title: str = Field("", max_length=200)
    convener: str = ""
    convener_name: str = Field("", max_length=100)
    description: str = ""
    count_parking: bool = False
    count_storage: bool = False
    invalid_counts_as_participation: bool = False
    allow_change: bool = True
    paper_overrides_online: bool = True
    proxy_cap: int | None = Field(None, ge=0)
    deemed_consent: bool = False
    deemed_clause: str = ""
    board_shows_choice: bool = True
    notice_days: int = Field(15, ge=0, le=365)
    objection_days: int = Field(7, ge=0, le=365)
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class CancelIn(Schema):
    reason: str = Field("", description="Why the meeting is cancelled (required)")


class RemindOut(Schema):
    sent: int = Field(description="Reminders texted to voters who have not voted yet")


class ChoiceOptionOut(Schema):
    value: str = Field(description="yes | no | abstain, or o1, o2… on a motion with options")
    label: str


class MotionOut(Schema):
    id: int
    number: int
    title: str
    body: str
    matter: int = Field(description="民法典 art. 278 ¶1 item 1–9")
    matter_label: str
    electorate: str = Field(description="estate | buildings | units (列支范围)")
    electorate_label: str
    building_ids: list[int]
    unit_ids: list[int]
    roll_hash: str = Field(description="Hash of the frozen roll (set when voting opens)")
    board_head: str = Field(description="Head hash of the public board (set at close)")
    passed: bool | None = Field(description="The strict result; null until voting closes")
    option_labels: list[str] = Field(
        description="The options owners choose from; empty: agree / disagree / abstain"
    )
    choices: list[ChoiceOptionOut] = Field(
        description="What a ballot on this motion may say (value → label)"
    )

    @staticmethod
    def resolve_choices(obj):
        return [{"value": v, "label": str(label)} for v, label in obj.ballot_choices()]

    @staticmethod
    def resolve_matter_label(obj):
        return obj.get_matter_display()

    @staticmethod
    def resolve_electorate_label(obj):
        return obj.get_electorate_display()

    @staticmethod
    def resolve_building_ids(obj):
        return [b.pk for b in obj.buildings.all()]

    @staticmethod
    def resolve_unit_ids(obj):
        return [u.pk for u in obj.units.all()]


class MeetingItemOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    region_code: str
    title: str
    convener: str
    convener_label: str
    state: str
    state_label: str
    opens_at: datetime | None
    closes_at: datetime | None
    motion_count: int
    created_at: datetime

    @staticmethod
    def resolve_estate_name(obj):
        return obj.estate.name

    @staticmethod
    def resolve_convener_label(obj):
        return obj.get_convener_display()

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_motion_count(obj):
        count = getattr(obj, "n_motions", None)
        return obj.motions.count() if count is None else count


class MeetingPage(Schema):
    count: int
    capped: bool
    items: list[MeetingItemOut]


class MeetingOut(MeetingItemOut):
    convener_name: str
    description: str
    rule_set_code: str = Field(description="The rule set fixed at notice (R0); empty in draft")
    count_parking: bool
    count_storage: bool
    invalid_counts_as_participation: bool
    allow_change: bool
    paper_overrides_online: bool
    proxy_cap: int | None
    deemed_consent: bool
    deemed_clause: str
    board_shows_choice: bool
    notice_days: int
    objection_days: int
    paper_issued: int
    paper_returned: int
    noticed_at: datetime | None
    objection_until: date | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    precedence: str = Field(description="Which ballot counts when a voter has several")
    board_url: str | None = Field(
        description="The public, masked board of the counted meeting (no login); null before"
    )
    motions: list[MotionOut]
    allowed_moves: list[str] = Field(
        description="What the caller may do now: notice, open, close, publish, cancel, remind"
    )


class MotionIn(Schema):
    title: str = Field("", max_length=200)
    matter: int = Field(description="民法典 art. 278 ¶1 item 1–9, e.g. 4 hire a manager")
    body: str = Field("", description="The text of the motion")
    electorate: str = Field(
        Motion.Electorate.ESTATE, description="estate | buildings | units (列支范围, R26)"
    )
    building_ids: list[int] = Field(default_factory=list, description="For electorate buildings")
    unit_ids: list[int] = Field(default_factory=list, description="For electorate units")
    option_labels: list[str] = Field(
        default_factory=list,
        description="2 to 9 options owners choose one of (选聘 among candidates, one of several "
        "plans); empty: owners agree, disagree or abstain",
    )


# -- roll --------------------------------------------------------------------------------------


class RollUnitOut(Schema):
    unit_id: int
    label: str
    area: int = Field(description=AREA)
    area_m2: str
    area_source: str = Field(description="registered | surveyed | contract (R8)")


class RollEntryOut(Schema):
    id: int
    key: str = Field(description="Voter key: owner:<id>, developer or unit:<id>")
    name: str = Field(description="The voter; masked (张**) for callers who only view or cast")
    owner_id: int | None = Field(description="Null when masked")
    units_label: str
    unit_count: int
    persons: int
    area: int = Field(description=AREA)
    area_m2: str
    is_developer: bool
    excluded: bool = Field(description="Removed from the roll by a correction")
    note: str
    units: list[RollUnitOut]


class RollTotalsOut(Schema):
    voters: int = Field(description="Entries counted (not excluded)")
    excluded: int
    electorate: CountsOut


class RollPage(Schema):
    motion_id: int
    roll_hash: str
    masked: bool = Field(description="Names are masked for this caller")
    totals: RollTotalsOut
    count: int
    capped: bool
    items: list[RollEntryOut]


class RollCorrectionIn(Schema):
    reason: str = Field("", description="Why the roll is corrected (required, logged)")
    excluded: bool | None = Field(None, description="Remove (true) or restore (false) the voter")
    area: str | None = Field(None, description="Corrected area in m², e.g. 88.50")


# -- turnout, result, board ----------------------------------------------------------------


class TurnoutOut(Schema):
    """Participation against the quorum, never the yes/no split (voting.md §3.9)."""

    motion_id: int
    meeting_state: str
    electorate: CountsOut
    participants: CountsOut
    quorum: CountsOut | None = Field(
        description="The smallest participation meeting the quorum; null without a quorum"
    )
    percent_persons: str
    percent_area: str
    quorum_met_persons: bool | None
    quorum_met_area: bool | None


class DimensionOut(Schema):
    test: str = Field(description="quorum | approval")
    measure: str = Field(description="persons | area")
    numerator: int
    denominator: int
    boundary: int = Field(description="The smallest numerator that passes")
    threshold: str = Field(description="A fraction, e.g. 2/3")
    inclusive: bool = Field(description="true: 以上 (≥); false: 过半数 (>)")
    base: str = Field(description="electorate | participants")
    article: str = Field(description="The legal article the threshold comes from")
    percent: str = Field(description="numerator/denominator rounded, display only (R6)")
    passed: bool


class TallyOut(Schema):
    electorate: CountsOut
    yes: CountsOut
    no: CountsOut
    abstain: CountsOut
    invalid: CountsOut


class DecisionOut(Schema):
    rule_set_code: str
    rule_set_version: int
    rule_set_name: str
    quorum_met: bool
    passed: bool
    participants: CountsOut
    tally: TallyOut
    dimensions: list[DimensionOut] = Field(description="Every test in both dimensions")
    explanation: list[str] = Field(description="One sentence per dimension, then the verdict")


class DeemedOut(Schema):
    direction: str | None = Field(description="yes | no: the side delivered non-voters join")
    added: CountsOut = Field(description="Delivered non-voters added to that side")
    delivered_non_voters: CountsOut = Field(
        description="Voters with a proof of delivery who returned no ballot (R19, R21)"
    )
    flags: list[str] = Field(
        description="Why no deemed votes were added (the meeting needs review): "
        "no_returned_ballots | dimensions_disagree | tie | abstentions_majority"
    )
    decision: DecisionOut | None = Field(description="Null when flagged")
    explanation: list[str]


class OptionResultOut(Schema):
    number: int = Field(description="1, 2…: the option's place on the ballot")
    value: str = Field(description="The ballot choice naming it: o1, o2…")
    label: str
    votes: CountsOut = Field(description="The ballots that chose it")
    dimensions: list[DimensionOut] = Field(description="Its approval in both dimensions")
    passed: bool


class ChoiceResultOut(Schema):
    rule_set_code: str
    rule_set_version: int
    rule_set_name: str
    quorum_met: bool
    passed: bool = Field(description="An option was adopted")
    chosen: int | None = Field(description="The adopted option's number; null: none")
    chosen_label: str | None
    tied: bool = Field(description="More than one option reached the threshold (none adopted)")
    electorate: CountsOut
    participants: CountsOut
    abstain: CountsOut
    invalid: CountsOut
    quorum: list[DimensionOut] = Field(description="The quorum in both dimensions")
    options: list[OptionResultOut]
    explanation: list[str] = Field(description="The quorum, each option's approval, the verdict")


class ResultOut(Schema):
    motion_id: int
    number: int
    title: str
    matter: int
    matter_label: str
    passed: bool = Field(description="The strict result")
    strict: DecisionOut | None = Field(
        description="The strict result of an agree / disagree motion; null for a motion with "
        "options (see `choice`)"
    )
    choice: ChoiceResultOut | None = Field(
        None, description="The result of a motion with options; null otherwise"
    )
    deemed: DeemedOut | None = Field(
        description="The deemed-consent result beside the strict one; null when not enabled"
    )
    verified: bool = Field(description="The stored result recomputes to the same record")
    record: dict = Field(description="The stored result as counted at close (for verifiers)")
    deemed_record: dict | None


class BoardRowOut(Schema):
    seq: int
    voter: str = Field(description="Masked name and units, e.g. 张** 1栋-1**")
    voter_key: str
    persons: int
    area: int = Field(description=AREA)
    area_m2: str
    choice: str | None = Field(description="Null when the meeting's board hides choices")
    receipt: str
    prev_hash: str
    hash: str


class BoardPage(Schema):
    motion_id: int
    genesis: str = Field(description="The hash the chain starts from")
    head: str = Field(description="The last row's hash, as stored on the motion")
    shows_choice: bool
    count: int
    capped: bool
    items: list[BoardRowOut]


# -- ballots ---------------------------------------------------------------------------------


class IdentityIn(Schema):
    id_number: str = Field(description="The owner's ID number, checked against the registry")


class BallotIn(Schema):
    id_number: str = Field(description="The owner's ID number, checked in the same request")
    choices: dict[int, str] = Field(
        description="Motion id → yes | no | abstain (o1, o2… on a motion with options, see "
        '`choices` of the motion), e.g. {"12": "yes", "13": "o2"}'
    )
    device: str = Field("", max_length=64, description="Device fingerprint (fraud signals)")


class BallotOut(Schema):
    id: int
    motion_id: int
    motion_number: int
    choice: str
    choice_label: str
    channel: str = Field(description="online | paper | assisted | proxy")
    channel_label: str
    receipt: str = Field(description="The receipt code, found again on the public board")
    cast_at: datetime
    effective: bool = Field(description="This ballot counts (false once superseded)")
    superseded_at: datetime | None


class ReceiptsOut(Schema):
    voter: str = Field(description="The owner voted for (masked)")
    ballots: list[BallotOut]
    precedence: str


class IdentityMotionOut(Schema):
    motion_id: int
    number: int
    title: str
    matter_label: str
    choices: list[ChoiceOptionOut] = Field(description="What the owner may choose")
    ballot: BallotOut | None = Field(description="The owner's counted ballot so far")


class IdentityOut(Schema):
    owner: str = Field(description="The verified owner (masked)")
    voter_keys: list[str]
    motions: list[IdentityMotionOut] = Field(description="The motions the owner votes on")
    precedence: str


# -- proxies ---------------------------------------------------------------------------------


class ProxyIn(Schema):
    owner_id: int = Field(description="The owner who entrusts")
    holder_name: str = Field("", max_length=100)
    holder_id_number: str = Field("", description="The holder's ID number (stored encrypted)")
    motion_id: int | None = Field(None, description="One motion; null: every motion")
    valid_until: datetime | None = None


class ProxyOut(Schema):
    id: int
    meeting_id: int
    motion_id: int | None
    owner_id: int
    owner_name: str
    holder_name: str
    holder_id_masked: str
    has_holder_account: bool
    valid_until: datetime | None
    revoked_at: datetime | None
    active: bool = Field(description="Neither revoked nor expired")
    has_document: bool = Field(description="A scan of the signed entrustment is on file")
    created_at: datetime


class ProxyPage(Schema):
    count: int
    capped: bool
    items: list[ProxyOut]


class ProxyBallotIn(Schema):
    holder_id_number: str = Field(description="The holder's ID number, checked")
    choices: dict[int, str] = Field(description="Motion id → yes | no | abstain")
    device: str = Field("", max_length=64)


# -- paper -----------------------------------------------------------------------------------


class PaperIn(Schema):
    number: str = Field("", max_length=32, description="The sheet's number")
    voter_key: str = Field("", max_length=32, description="The voter key on the roll")
    choices: dict[int, str] = Field(
        description="Motion id → yes | no | abstain | invalid, as marked on the sheet"
    )


class SheetOut(Schema):
    id: int
    meeting_id: int
    number: str
    voter_key: str
    owner_id: int | None
    owner_name: str | None
    state: str = Field(description="first | matched | mismatch | rejected")
    state_label: str
    first_by: str | None
    second_by: str | None
    mismatches: int
    choices: dict[str, str] | None = Field(
        description="Only for a counted sheet: earlier entries stay hidden so that the second "
        "officer keys the sheet independently"
    )
    has_scan: bool
    created_at: datetime
    updated_at: datetime


class PaperPage(Schema):
    issued: int
    returned: int
    entered: int = Field(description="Sheets entered and not rejected")
    matched: int = Field(description="Sheets counted")
    count: int
    capped: bool
    items: list[SheetOut]


class RejectIn(Schema):
    reason: str = Field("", description="Why the sheet is rejected (required)")


class PaperCountsIn(Schema):
    issued: int = Field(ge=0, description="Paper ballots handed out")
    returned: int = Field(ge=0, description="Paper ballots returned")


class PaperCountsOut(Schema):
    issued: int
    returned: int
    entered: int
    matched: int


# -- deliveries -----------------------------------------------------------------------------


class DeliveryFilters(Schema):
    kind: str = Field("", description="notice | reminder")
    voter_key: str = ""


class DeliveryIn(Schema):
    voter_key: str = Field("", max_length=32)
    channel: str = Field("", description="in_app | sms | paper | posted")
    sent_at: datetime | None = Field(None, description="Default: now")
    note: str = Field("", max_length=200)


class DeliveryOut(Schema):
    id: int
    voter_key: str
    owner_id: int | None
    owner_name: str | None
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    sent_at: datetime
    read_at: datetime | None
    note: str
    has_evidence: bool
    recorded_by: str | None


class DeliveryPage(Schema):
    count: int
    capped: bool
    items: list[DeliveryOut]


# -- fund-use decisions --------------------------------------------------------------------------


class FundUseOut(Schema):
    """A published owners' decision to use the maintenance fund, as an application cites it."""

    motion_id: int
    number: int
    title: str
    body: str
    meeting_id: int
    meeting_title: str
    estate_id: int
    estate_name: str
    electorate: str = Field(description="estate | buildings | units: the 列支范围 sharing the cost")
    electorate_label: str
    building_ids: list[int]
    unit_ids: list[int]
    adopted_option: str | None = Field(description="The adopted option of a motion with options")
    approved: CountsOut = Field(description="The persons and area that approved it")
    electorate_counts: CountsOut = Field(description="Everyone on the motion's roll")
    closed_at: datetime | None
    published_at: datetime | None
    roll_hash: str
    board_head: str = Field(description="Head hash of the public board, to verify the count")
    board_url: str = Field(description="The public board of the meeting (no login)")


class FundUsePage(Schema):
    count: int
    capped: bool
    items: list[FundUseOut]
