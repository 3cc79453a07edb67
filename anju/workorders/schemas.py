"""Schemas of the work-order API (anju.workorders.api).

Output schemas read model rows; the fields that depend on who asks (the complainant's name,
the caller's allowed actions, who made a move) resolve with the request from the context.
Phones always leave the API masked.
"""

import enum
from datetime import datetime

from ninja import Field, Schema

from anju.core.pii import mask
from anju.core.worktime import explain
from anju.workorders.access import actors_for, lead_assignment, may_see_complainant
from anju.workorders.machine import Act, Actor, allowed_actions
from anju.workorders.matrix_data import UNIT_KINDS

# Every move except those with operations of their own: registration, dispatch, and the
# dispute moves (escalate, next level, settle, refer), which go through /disputes so that each
# level is recorded.
OWN_OPERATIONS = (
    Act.REGISTER,
    Act.DISPATCH,
    Act.ESCALATE,
    Act.ESCALATE_FURTHER,
    Act.SETTLE,
    Act.REFER,
)
MoveAction = enum.Enum(
    "MoveAction", [(a.name, a.value) for a in Act if a not in OWN_OPERATIONS], type=str
)


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def unit_kind_label(kind: str) -> str:
    return UNIT_KINDS.get(kind, kind)


def assignment_label(assignment) -> str:
    unit = assignment.unit
    return unit.name if unit is not None else unit_kind_label(assignment.unit_kind)


def _explained(order, clock: str) -> list[str]:
    steps = ((order.due_trace or {}).get(clock) or {}).get("steps") or []
    return explain(steps)


def _user(context):
    return context["request"].user


# -- categories ------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str = Field(description="Dotted code, e.g. fire.exit_blocked (消防通道堵塞)")
    name: str
    parent: str | None = Field(description="The group's code; null for a group (一级分类)")
    leaf: bool = Field(description="Only leaves (二级分类) may be chosen for an order")
    deadline_class: str = Field(description="urgent | timely | general | complex | directive")
    deadline_class_label: str
    kind: str = Field(description="Default order type: complaint | report | help | ...")
    kind_label: str
    active: bool

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_leaf(obj):
        return obj.n_children == 0

    @staticmethod
    def resolve_deadline_class_label(obj):
        return obj.get_deadline_class_display()

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


# -- handling units --------------------------------------------------------------------------


class UnitIn(Schema):
    """A handling unit, as the suggestion names it: pass a suggested unit back unchanged."""

    kind: str = Field(
        description=(
            "street | community (region_id), company (company_id), "
            "dept or dept:<kind> such as dept:fire (department_id)"
        )
    )
    region_id: int | None = None
    department_id: int | None = None
    company_id: int | None = None


class UnitOut(Schema):
    kind: str
    kind_label: str
    label: str = Field(description="The unit's name (街道, 社区, 职能部门 or 物业企业)")
    region_id: int | None = None
    department_id: int | None = None
    company_id: int | None = None


class SuggestionOut(Schema):
    lead: UnitOut | None = Field(description="主办单位 by the responsibility matrix")
    co: list[UnitOut] = Field(description="协办单位")
    basis: str = Field(description="Legal basis (职责依据) quoted by the matrix rule")
    source: str
    rule_category: str | None = Field(description="Code of the category the rule is written for")
    rule_estate_kind: str = ""
    unresolved: list[str] = Field(
        description="Unit kinds the rule names that have no unit here (e.g. no such department)"
    )


class DispatchIn(Schema):
    lead: UnitIn = Field(description="主办单位")
    co: list[UnitIn] = Field(default_factory=list, description="协办单位")
    basis: str = Field(
        "", description="Why this unit (default: the matrix rule's basis when the lead matches)"
    )


class ActIn(Schema):
    """The inputs of a move; each action reads the ones it needs (see the operation)."""

    reason: str = Field("", description="Reason: reject, unmerge, returns, suspend, send back...")
    legal_basis: str = Field("", description="Legal basis of a return request (退单依据)")
    master_number: str = Field("", description="Merge: the number of the order duplicated")
    unit: UnitIn | None = Field(None, description="Approve a return: the unit it goes to")
    result: str = Field("", max_length=16, description="Feedback: the result, e.g. solved")
    reply: str = Field("", description="Feedback: the reply to the complainant")
    rating: str = Field("", description="Return visit (回访): satisfied | basic | unsatisfied")
    exempt: str = Field(
        "", description="Return visit without a rating: anonymous | declined | unreachable"
    )
    solved: bool | None = Field(None, description="Return visit: is the matter solved?")
    comment: str = Field("", description="Return visit: what the complainant said")
    outcome: str = Field("", description="Settle a dispute: the outcome reached")


# -- orders ----------------------------------------------------------------------------------


class OrderFilters(Schema):
    state: str = Field("", description="State, e.g. dispatched, in_progress, closed")
    channel: str = Field("", description="Channel: onsite, phone, online, hotline, ...")
    category: str = Field("", description="Category code or group code (prefix), e.g. fire")
    estate_id: int | None = Field(None, description="Only orders about this estate")
    overdue: bool | None = Field(
        None, description="true: feedback still owed and past due (超期); false: the others"
    )
    q: str = Field("", description="Order number or words of the subject")


class RegisterIn(Schema):
    """An order as the intake desk (or an owner, with channel "owner") records it."""

    channel: str = Field(
        "", description="onsite | phone | online | hotline (12345) | directive | owner"
    )
    category: str = Field("", description="A leaf category code, e.g. fire.exit_blocked")
    estate_id: int | None = None
    building_id: int | None = None
    region_id: int | None = Field(
        None, description="Without an estate: the community (or street) concerned"
    )
    address: str = ""
    title: str = Field("", description="Subject (标题)")
    content: str = Field("", description="What the complainant reports (诉求内容)")
    anonymous: bool = False
    complainant_name: str = ""
    complainant_phone: str = ""
    concerns_company: bool = Field(
        False, description="The complaint is about the estate's property company"
    )
    source_ref: str = Field("", description="Source number, e.g. the 12345 order number")
    kind: str = Field("", description="Order type; default: the category's")
    auto_dispatch: bool = Field(
        True, description="Send the order to the units the responsibility matrix names (派单)"
    )


class OrderItemOut(Schema):
    id: int
    number: str = Field(description="Order number (工单编号), GDyyyymmddNNNNN")
    title: str
    state: str
    state_label: str
    channel: str
    channel_label: str
    kind: str
    kind_label: str
    category_code: str
    category_name: str
    estate_id: int | None
    estate_name: str | None
    region_code: str
    feedback_due: datetime | None = Field(description="The lead unit's feedback deadline")
    due_provisional: bool = Field(
        description="The deadline crosses a year whose holidays are not published yet"
    )
    created_at: datetime
    lead_unit: str | None = Field(description="The current lead unit (主办单位)")

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_channel_label(obj):
        return obj.get_channel_display()

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_category_code(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.name

    @staticmethod
    def resolve_estate_name(obj):
        return obj.estate.name if obj.estate_id else None

    @staticmethod
    def resolve_lead_unit(obj):
        lead = lead_assignment(obj)
        return assignment_label(lead) if lead is not None else None


class OrderPage(Schema):
    count: int
    capped: bool
    items: list[OrderItemOut]


class ComplainantOut(Schema):
    name: str | None = Field(
        description="Null when anonymous, or for the company the complaint concerns"
    )
    phone_masked: str
    anonymous: bool


class AssignmentOut(Schema):
    id: int
    role: str = Field(description="lead (主办) or co (协办)")
    unit_kind: str
    unit: str
    region_id: int | None
    department_id: int | None
    company_id: int | None
    active: bool = Field(description="False once the unit's return was approved")
    sign_due: datetime | None = Field(description="签收 deadline")
    contact_due: datetime | None = Field(description="Deadline to contact the complainant")
    feedback_due: datetime | None = Field(description="Feedback (办结反馈) deadline")
    signed_at: datetime | None
    contacted_at: datetime | None
    feedback_at: datetime | None
    overdue_at: datetime | None

    @staticmethod
    def resolve_unit(obj):
        return assignment_label(obj)


class EventOut(Schema):
    id: int
    at: datetime
    action: str
    action_label: str
    as_role: str
    as_role_label: str
    actor: str | None = Field(description="Who moved; null for the system or a hidden complainant")
    from_state: str
    to_state: str
    payload: dict


class AllowedActionOut(Schema):
    action: str
    label: str


class OrderOut(OrderItemOut):
    content: str
    address: str
    building_id: int | None
    deadline_class: str
    concerns_company: bool = Field(description="The complaint concerns the property company")
    source_ref: str = Field(description="Source number, e.g. the 12345 order number")
    master_id: int | None = Field(description="The order this one was merged into")
    reworks: int
    dispute_level: int
    result: str
    reply: str
    dispatched_at: datetime | None
    closed_at: datetime | None
    complainant: ComplainantOut
    assignments: list[AssignmentOut]
    due_explanation: list[str] = Field(
        description=(
            "Why the feedback deadline falls when it does, day by day (empty for a deadline "
            "counted around the clock or in calendar days)"
        )
    )
    due_explanations: dict[str, list[str]] = Field(
        description="The same for each clock: sign (签收), contact (响应) and feedback"
    )
    events: list[EventOut] = Field(description="Timeline: every move, oldest first")
    allowed_actions: list[AllowedActionOut] = Field(description="What the caller may do now")

    @staticmethod
    def resolve_complainant(obj, context):
        shown = may_see_complainant(_user(context), obj)
        return {
            "name": (obj.complainant_name or None) if shown else None,
            "phone_masked": mask(obj.complainant_phone),
            "anonymous": obj.anonymous,
        }

    @staticmethod
    def resolve_assignments(obj):
        return list(obj.assignments.all())

    @staticmethod
    def resolve_due_explanation(obj):
        return _explained(obj, "feedback")

    @staticmethod
    def resolve_due_explanations(obj):
        return {clock: _explained(obj, clock) for clock in ("sign", "contact", "feedback")}

    @staticmethod
    def resolve_events(obj, context):
        shown = may_see_complainant(_user(context), obj)
        return [
            {
                "id": e.id,
                "at": e.at,
                "action": e.action,
                "action_label": _label(Act, e.action),
                "as_role": e.as_role,
                "as_role_label": _label(Actor, e.as_role),
                "actor": (
                    str(e.actor)
                    if e.actor is not None and (shown or e.as_role != Actor.CITIZEN)
                    else None
                ),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "payload": e.payload,
            }
            for e in obj.events.all()
        ]

    @staticmethod
    def resolve_allowed_actions(obj, context):
        actions = allowed_actions(obj.state, actors_for(_user(context), obj))
        return [{"action": a, "label": _label(Act, a)} for a in actions]


# -- extensions (延期) -----------------------------------------------------------------------


class ExtensionIn(Schema):
    days: int = Field(description="Working days asked for (1 to 15)")
    reason: str = Field("", description="Why the unit needs more time")


class ExtensionDecisionIn(Schema):
    approve: bool = Field(description="true: the deadline moves by the days asked; false: not")


class ExtensionOut(Schema):
    id: int
    order_id: int
    unit: str = Field(description="The lead unit that asked")
    days: int
    reason: str
    requested_by: str | None
    requested_at: datetime
    approved: bool | None = Field(description="Null until a supervisor decides")
    decided_by: str | None
    decided_at: datetime | None
    old_due: datetime | None = Field(description="The feedback deadline when asked")
    new_due: datetime | None = Field(description="The feedback deadline after approval")

    @staticmethod
    def resolve_unit(obj):
        return assignment_label(obj.assignment)

    @staticmethod
    def resolve_requested_by(obj):
        return str(obj.requested_by) if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by(obj):
        return str(obj.decided_by) if obj.decided_by_id else None


# -- disputes (纠纷调处) ---------------------------------------------------------------------


class EscalateIn(Schema):
    reason: str = Field("", description="Why the order goes to the street joint meeting")


class DisputeRecordIn(Schema):
    """The outcome of the current dispute level."""

    outcome: str = Field("", description="agreed | failed | withdrawn")
    met_at: datetime | None = Field(None, description="When the parties met")
    participants: str = ""
    minutes: str = Field("", description="Minutes of the meeting (会议纪要)")
    agreement: str = Field("", description="Agreed: what was agreed (调解协议)")
    mediation: str = Field(
        "", description="At the mediation level: people | administrative | judicial"
    )
    judicial_confirmation: bool = Field(False, description="The agreement was confirmed by a court")
    next_reason: str = Field("", description="Failed: why the dispute goes to the next level")


class PerformanceIn(Schema):
    performance: str = Field(description="pending | performed | breached")


class DisputeStepOut(Schema):
    id: int
    order_id: int
    level: int = Field(description="1 street meeting, 2 district meeting, 3 mediation, 4 court")
    level_label: str
    due: datetime | None
    meeting_id: int | None
    met_at: datetime | None
    participants: str
    minutes: str
    outcome: str = Field(description="Empty while the level is open")
    outcome_label: str
    agreement: str
    mediation: str
    mediation_label: str
    judicial_confirmation: bool
    performance: str
    performance_label: str
    next_reason: str

    @staticmethod
    def resolve_level_label(obj):
        return obj.get_level_display()

    @staticmethod
    def resolve_outcome_label(obj):
        return obj.get_outcome_display() if obj.outcome else ""

    @staticmethod
    def resolve_mediation_label(obj):
        return obj.get_mediation_display() if obj.mediation else ""

    @staticmethod
    def resolve_performance_label(obj):
        return obj.get_performance_display() if obj.performance else ""


# -- return visits (回访) --------------------------------------------------------------------


class VisitCallIn(Schema):
    reached: bool = Field(description="Whether the complainant answered the call")
    solved: bool | None = Field(None, description="Reached: is the matter solved?")
    satisfaction: str = Field("", description="Reached: satisfied | basic | unsatisfied")
    comment: str = Field("", description="What the complainant said")


# -- figures (三率) --------------------------------------------------------------------------


class FigureOut(Schema):
    key: str | None = Field(
        description="Street code prefix, estate, company or department id; null for the whole"
    )
    label: str
    counts: dict[str, int] = Field(description="created, complaints, dispatched, closed, ...")
    rates: dict[str, str | None] = Field(
        description='Decimal fractions as strings (e.g. "0.8500"); null without a denominator'
    )
    sample: int = Field(description="Ratings counted; too small a sample is not ranked")
    rank: int | None


class FiguresOut(Schema):
    month: str = Field(description="YYYY-MM")
    group: str
    start: datetime
    end: datetime
    items: list[FigureOut] = Field(description="Ranked first, then the unranked by label")


# -- reference data: categories, deadlines, the responsibility matrix ------------------------


class CategoryIn(Schema):
    code: str = Field(description="Dotted code: group.category, e.g. fire.exit_blocked")
    name: str
    parent: str | None = Field(None, description="The group's code; null to add a group")
    deadline_class: str = Field("general", description="urgent | timely | general | ...")
    kind: str = Field("complaint", description="Default order type")
    active: bool = True


class CategoryPatch(Schema):
    code: str | None = None
    name: str | None = None
    parent: str | None = Field(None, description="The group's code; an empty string: none")
    deadline_class: str | None = None
    kind: str | None = None
    active: bool | None = Field(None, description="false: no longer offered at intake")


class DeadlineClassFigures(Schema):
    code: str = Field(description="urgent | timely | general | complex | directive")
    sign_amount: int | None = None
    sign_unit: str | None = Field(
        None, description="clock_minutes | working_minutes | working_days | natural_days"
    )
    contact_amount: int | None = None
    contact_unit: str | None = None
    feedback_amount: int | None = None
    feedback_unit: str | None = None


class DeadlineClassOut(Schema):
    code: str
    label: str
    sign_amount: int
    sign_unit: str
    contact_amount: int
    contact_unit: str
    feedback_amount: int
    feedback_unit: str


class DeadlineChoiceIO(Schema):
    category: str = Field(description="The category's (or group's) code")
    channel: str = Field(description="onsite | phone | online | hotline | directive | owner")
    deadline_class: str = Field(
        "", description="The class for this channel; empty: the category's own class again"
    )


class DeadlineConfigOut(Schema):
    classes: list[DeadlineClassOut]
    rework_days: int = Field(description="Working days a reworked order gets for its feedback")
    choices: list[DeadlineChoiceIO] = Field(description="Classes by category and channel")


class DeadlineConfigIn(Schema):
    rework_days: int | None = None
    classes: list[DeadlineClassFigures] = Field(default_factory=list)
    choices: list[DeadlineChoiceIO] = Field(default_factory=list)


class RuleOut(Schema):
    id: int
    category: str = Field(description="The category's code")
    category_name: str
    estate_kind: str = Field(description="Empty: any estate type")
    lead: str = Field(description="Lead unit kind, e.g. dept:fire, street, company")
    lead_label: str
    co: list[str]
    basis: str
    source: str

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return str(obj.category)

    @staticmethod
    def resolve_lead_label(obj):
        return unit_kind_label(obj.lead)


class RulePage(Schema):
    count: int
    capped: bool
    items: list[RuleOut]


class RuleIn(Schema):
    category: str = Field(description="The category's code")
    estate_kind: str = ""
    lead: str
    co: list[str] = Field(default_factory=list)
    basis: str
    source: str = ""


class RulePatch(Schema):
    category: str | None = None
    estate_kind: str | None = None
    lead: str | None = None
    co: list[str] | None = None
    basis: str | None = None
    source: str | None = None


# -- joint meetings (联席会议) and cluster alerts ----------------------------------------------


class MeetingItemOut(Schema):
    id: int
    level: int = Field(description="1 street joint meeting, 2 district joint meeting")
    level_label: str
    region_id: int
    region_name: str
    scheduled_at: datetime
    place: str
    participants: str
    held: bool
    agenda_count: int


class MeetingPage(Schema):
    count: int
    capped: bool
    items: list[MeetingItemOut]


class AgendaItemOut(Schema):
    order_id: int
    number: str
    title: str
    state: str
    dispute_level: int
    outcome: str = Field(description="What this meeting decided; empty while not recorded")


class MeetingOut(MeetingItemOut):
    agenda: list[AgendaItemOut]


class MeetingIn(Schema):
    region_id: int = Field(description="The street (street meeting) or district convening it")
    scheduled_at: datetime
    place: str = ""
    participants: str = ""
    order_ids: list[int] = Field(default_factory=list, description="The agenda")


class AgendaIn(Schema):
    order_ids: list[int]


class MeetingOutcomeIn(Schema):
    order_id: int
    outcome: str = Field("", description="agreed | failed | withdrawn")
    minutes: str = ""
    agreement: str = Field("", description="Agreed: what was agreed")
    judicial_confirmation: bool = False
    next_reason: str = Field("", description="Failed: why the dispute goes to the next level")


class ClusterAlertOut(Schema):
    id: int
    day: str
    estate_id: int
    estate_name: str
    category: str = Field(description="The category group's code")
    category_name: str
    count: int
    order_numbers: list[str]
    handled: bool
    handled_at: datetime | None
    note: str


class ClusterAlertPage(Schema):
    count: int
    capped: bool
    items: list[ClusterAlertOut]


class ClusterHandleIn(Schema):
    note: str = Field(description="What was done")


# -- photos and the return-visit text message -------------------------------------------------


class PhotoOut(Schema):
    id: int
    stage: str = Field(description="intake (with the complaint) | evidence (the unit's, on site)")
    stage_label: str
    name: str = Field(description="The file name it was uploaded with")
    content_type: str
    size: int = Field(description="Bytes")
    width: int
    height: int
    uploaded_by: str | None = Field(
        description="Who uploaded it; null for the complainant's photos when the caller is the "
        "company the complaint concerns"
    )
    created_at: datetime
    url: str = Field(description="The photo (same authentication as this API)")
    thumbnail_url: str

    @staticmethod
    def resolve_stage_label(obj):
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_uploaded_by(obj, context):
        if obj.stage == "intake" and not may_see_complainant(_user(context), obj.order):
            return None
        return str(obj.uploaded_by) if obj.uploaded_by_id else None

    @staticmethod
    def resolve_url(obj):
        return f"/api/v1/orders/photos/{obj.pk}/file"

    @staticmethod
    def resolve_thumbnail_url(obj):
        return f"/api/v1/orders/photos/{obj.pk}/file?thumbnail=true"


class VisitMessageOut(Schema):
    status: str = Field(description="sent | failed")
    phone_masked: str
    sent_at: datetime
