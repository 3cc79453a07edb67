"""Work-order services: register, route and dispatch, then every move of the state machine.

Every service checks the actor's role on the order (anju.workorders.access), applies the move
through anju.workorders.machine, stores the clocks, writes an Event and an audit record, all
in one transaction; a refused move raises IllegalTransition (or PermissionDenied / a
ValidationError for bad input) and writes nothing.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.companies.models import ServiceContract
from anju.core.audit import audit_record
from anju.core.pii import digest
from anju.core.worktime import WorkCalendar, calendar
from anju.estates.models import Estate
from anju.estates.permissions import estate_policy
from anju.regions.models import Department, Region
from anju.workorders import machine, rollups, visit_sms
from anju.workorders.access import actors_for, lead_assignment, order_policy
from anju.workorders.deadlines import DEFAULT_CLASSES, DeadlineClass, Limit, class_for, rework_days
from anju.workorders.duplicates import check_cluster
from anju.workorders.machine import Act, Actor, IllegalTransition, Ledger, State
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    DomainEvent,
    Event,
    Extension,
    Pause,
    ResponsibilityRule,
    Visit,
    WorkOrder,
)
from anju.workorders.models import DeadlineClass as DeadlineClassRow

# -- deadline classes ----------------------------------------------------------------------


def deadline_class(code: str) -> DeadlineClass:
    """The district's figures for a class (the DeadlineClass table), else the defaults."""
    row = DeadlineClassRow.objects.filter(code=code).first()
    if row is None:
        return DEFAULT_CLASSES[code]
    return DeadlineClass(
        code,
        row.get_code_display(),
        Limit(row.sign_amount, row.sign_unit),
        Limit(row.contact_amount, row.contact_unit),
        Limit(row.feedback_amount, row.feedback_unit),
    )


# -- registration --------------------------------------------------------------------------


def _next_number(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    prefix = f"GD{day}"
    last = (
        WorkOrder.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def register(*, actor, data: dict, now: datetime | None = None) -> WorkOrder:
    """Register an order from the intake desk, an owner's form or an import.

    data: channel, category (Category), estate (Estate or None), region (Region, when no
    estate), building, address, title, content, anonymous, complainant_name,
    complainant_phone, concerns_company, source_ref, kind (default: the category's).
    """
    now = now or timezone.now()
    scope = scope_of(actor)
    owner_form = data.get("channel") == Channel.OWNER
    action = Action.ORDERS_SUBMIT if owner_form else Action.ORDERS_INTAKE
    if not scope.allows(action):
        raise PermissionDenied
    category: Category = data["category"]
    if not category.active or category.children.exists():
        raise ValidationError({"category": _("Choose an active category of the last level.")})
    estate: Estate | None = data.get("estate")
    if estate is not None:
        visible = estate_policy.visible(actor).filter(pk=estate.pk).exists()
        if not visible:
            raise ValidationError({"estate": _("This estate is outside your area.")})
        region_code = estate.region_code
    else:
        region: Region | None = data.get("region")
        if region is None or owner_form:
            raise ValidationError({"estate": _("Choose the estate or the community concerned.")})
        if not covers_region(scope, action, region.code):
            raise ValidationError({"region": _("This community is outside your area.")})
        region_code = region.code
    anonymous = bool(data.get("anonymous"))
    name = "" if anonymous else (data.get("complainant_name") or "").strip()
    phone = "" if anonymous else (data.get("complainant_phone") or "").strip()
    if not anonymous and not (name or phone) and not owner_form:
        raise ValidationError(
            {"complainant_phone": _("Give a name or phone, or mark the order anonymous.")}
        )
    channel = data["channel"]
    order = WorkOrder(
        channel=channel,
        kind=data.get("kind") or category.kind,
        category=category,
        estate=estate,
        building=data.get("building"),
        region_code=region_code,
        address=data.get("address", ""),
        title=(data.get("title") or "").strip(),
        content=(data.get("content") or "").strip(),
        anonymous=anonymous,
        complainant_name=name,
        complainant_phone=phone,
        complainant_phone_digest=digest(phone) if phone else "",
        complainant_user=actor if owner_form else None,
        concerns_company=bool(data.get("concerns_company")),
        source_ref=(data.get("source_ref") or "").strip(),
        deadline_class=class_for(category, channel),
        state=State.REGISTERED,
    )
    if order.building is not None and order.building.estate_id != getattr(estate, "pk", None):
        raise ValidationError({"building": _("This building is not in the chosen estate.")})
    for attempt in range(5):
        order.number = _next_number(now)
        order.full_clean(validate_constraints=True)
        try:
            with transaction.atomic():
                order.save()
                _event(order, actor, Actor.CITIZEN if owner_form else Actor.INTAKE, "register",
                       "", State.REGISTERED, {"channel": channel}, now)  # fmt: skip
                rollups.mark_stale({rollups.day_of(order.created_at)})
                audit_record(
                    actor=actor,
                    action="workorders.register",
                    target=order,
                    changes={"number": [None, order.number], "category": [None, category.code]},
                    region_code=region_code,
                )
                check_cluster(order, now)
            return order
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# -- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """A concrete handling unit: a street or community, a department or a company."""

    kind: str
    region: Region | None = None
    department: Department | None = None
    company_id: int | None = None

    def fields(self) -> dict:
        return {
            "unit_kind": self.kind,
            "region": self.region,
            "department": self.department,
            "company_id": self.company_id,
        }


def rule_for(order: WorkOrder) -> ResponsibilityRule | None:
    """The most specific matrix row: category × estate type, category, then its group."""
    estate_kind = order.estate.kind if order.estate else ""
    categories = [order.category]
    if order.category.parent_id:
        categories.append(order.category.parent)
    rules = {
        (r.category_id, r.estate_kind): r
        for r in ResponsibilityRule.objects.filter(category__in=categories)
    }
    for category in categories:
        for kind in ([estate_kind] if estate_kind else []) + [""]:
            rule = rules.get((category.pk, kind))
            if rule is not None:
                return rule
    return None


def resolve_unit(kind: str, order: WorkOrder, now: datetime | None = None) -> UnitRef | None:
    """The unit of a kind responsible for the order's place, or None if there is none."""
    code = order.region_code
    if kind == "street":
        region = Region.objects.filter(code=code[:9] + "000").first()
        return UnitRef(kind, region=region) if region else None
    if kind == "community":
        region = Region.objects.filter(code=code, level=Region.Level.COMMUNITY).first()
        return UnitRef(kind, region=region) if region else None
    if kind == "company":
        if order.estate_id is None:
            return None
        today = timezone.localdate(now)
        contract = (
            ServiceContract.objects.filter(estate_id=order.estate_id, start_date__lte=today)
            .exclude(end_date__lt=today)
            .order_by("-start_date")
            .first()
        )
        return UnitRef(kind, company_id=contract.company_id) if contract else None
    if kind.startswith("dept:"):
        department = (
            Department.objects.filter(district__code=code[:6] + "000000", kind=kind[5:])
            .order_by("id")
            .first()
        )
        return UnitRef(kind, department=department) if department else None
    return None  # committee, developer: not a handling unit in the system (yet)


def suggest_units(
    order: WorkOrder,
) -> tuple[UnitRef | None, list[UnitRef], ResponsibilityRule | None]:
    rule = rule_for(order)
    if rule is None:
        return None, [], None
    lead = resolve_unit(rule.lead, order)
    co = [u for u in (resolve_unit(k, order) for k in rule.co) if u is not None]
    return lead, co, rule


def auto_dispatch(order: WorkOrder, now: datetime | None = None) -> bool:
    """Dispatch without a dispatcher when the matrix names a lead unit that exists."""
    lead, co, rule = suggest_units(order)
    if lead is None:
        return False
    dispatch(actor=None, order=order, lead=lead, co=co, now=now, basis=rule.basis if rule else "")
    return True


# -- moves -----------------------------------------------------------------------------------


def _event(order, actor, as_role, action, from_state, to_state, payload, now) -> Event:
    return Event.objects.create(
        order=order,
        actor=actor,
        as_role=as_role,
        action=action,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        at=now,
    )


def _ledger(order: WorkOrder) -> Ledger:
    lead = lead_assignment(order)
    open_pause = order.pauses.filter(ended_at__isnull=True).first()
    return Ledger(
        state=order.state,
        state_before_merge=order.state_before_merge or None,
        returns_refused=order.returns_refused,
        reworks=order.reworks,
        level=order.dispute_level,
        closed_at=order.closed_at,
        contacted=bool(lead and lead.contacted_at),
        feedback=bool(lead and lead.feedback_at),
        pauses=[[open_pause.started_at, None]] if open_pause else [],
    )


def _choose_role(action: str, state: str, roles: set[str]) -> str:
    """The role the move is recorded under: the first of the user's roles the table allows."""
    for t in machine.TRANSITIONS:
        if t.action == action and state in t.sources:
            for role in Actor:
                if role in roles and role in t.actors:
                    return role
    # No role fits: let the machine explain why.
    machine.find(action, state, next(iter(roles)) if roles else Actor.CITIZEN)
    raise IllegalTransition(_("You may not do this."))


WARN_SHARE = 0.8  # the sweep warns at 80 % of the feedback time


def warn_instant(start: datetime, due: datetime, limit: Limit, cal: WorkCalendar) -> datetime:
    """80 % of the way from start to due, measured in the limit's own time base."""
    if limit.unit in ("clock_minutes", "natural_days"):
        return start + (due - start) * WARN_SHARE
    total = cal.working_minutes_between(start, due)
    return cal.add_working_minutes(start, int(total * WARN_SHARE)).at


def _clocks(order: WorkOrder, start: datetime, cal: WorkCalendar) -> dict:
    cls = deadline_class(order.deadline_class)
    dues = cls.dues(start, cal)
    return {
        "sign_due": dues["sign"].at,
        "contact_due": dues["contact"].at,
        "feedback_due": dues["feedback"].at,
        "warn_at": warn_instant(start, dues["feedback"].at, cls.feedback, cal),
        "_trace": {
            k: {"at": v.at.isoformat(), "provisional": v.provisional, "steps": v.trace()}
            for k, v in dues.items()
        },
        "_provisional": any(v.provisional for v in dues.values()),
    }


def _assign(order: WorkOrder, role: str, unit: UnitRef, clocks: dict) -> Assignment:
    """Give the order to a unit; a new lead is also copied onto the order (order.lead_*,
    saved by the caller)."""
    if role == Assignment.Role.LEAD:
        order.lead_region = unit.region
        order.lead_department = unit.department
        order.lead_company_id = unit.company_id
    return Assignment.objects.create(
        order=order,
        role=role,
        sign_due=clocks["sign_due"],
        contact_due=clocks["contact_due"],
        feedback_due=clocks["feedback_due"],
        warn_at=clocks["warn_at"],
        **unit.fields(),
    )


def dispatch(
    *, actor, order: WorkOrder, lead: UnitRef, co=(), now=None, basis: str = ""
) -> WorkOrder:
    """Send a registered order to a lead unit (and co-units); all clocks start now."""
    now = now or timezone.now()
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        as_role = Actor.SYSTEM if actor is None else _role(actor, order, Act.DISPATCH)
        ledger = _ledger(order)
        machine.fire(ledger, Act.DISPATCH, as_role, now, {})
        clocks = _clocks(order, now, calendar())
        _assign(order, Assignment.Role.LEAD, lead, clocks)
        for unit in co:
            _assign(order, Assignment.Role.CO, unit, clocks)
        order.state = ledger.state
        order.dispatched_at = now
        order.feedback_due = clocks["feedback_due"]
        order.due_provisional = clocks["_provisional"]
        order.due_trace = clocks["_trace"]
        order.save()
        payload = {"lead": _unit_label(lead), "co": [_unit_label(u) for u in co], "basis": basis}
        _event(order, actor, as_role, Act.DISPATCH, State.REGISTERED, order.state, payload, now)
        _audit(actor, order, Act.DISPATCH, payload)
        _copy_state(order)
        rollups.touch(order)
    return order


def _unit_label(unit: UnitRef) -> str:
    if unit.department is not None:
        return unit.department.name
    if unit.region is not None:
        return unit.region.name
    if unit.company_id is not None:
        from anju.companies.models import PropertyCompany

        return (
            PropertyCompany.objects.filter(pk=unit.company_id)
            .values_list("name", flat=True)
            .first()
            or ""
        )
    return unit.kind


def _role(actor, order: WorkOrder, action: str) -> str:
    roles = actors_for(actor, order)
    if not roles:
        raise PermissionDenied
    return _choose_role(action, order.state, roles)


def _audit(actor, order: WorkOrder, action: str, payload: dict) -> None:
    audit_record(
        actor=actor,
        action=f"workorders.{action}",
        target=order,
        changes={k: [None, v] for k, v in payload.items() if k != "basis"},
        region_code=order.region_code,
    )


def act(*, actor, order: WorkOrder, action: str, payload: dict | None = None, now=None):
    """Apply one move (other than register and dispatch) as the actor's role on the order."""
    payload = {k: v for k, v in (payload or {}).items() if v not in (None, "")}
    now = now or timezone.now()
    with transaction.atomic():
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("estate", "category")
            .get(pk=order.pk)
        )
        if actor is None:
            as_role = Actor.SYSTEM
        else:
            if not order_policy.visible(actor).filter(pk=order.pk).exists():
                raise PermissionDenied
            as_role = _role(actor, order, action)
        days = rollups.order_days(order)
        ledger = _ledger(order)
        before = order.state
        machine.fire(ledger, action, as_role, now, payload)
        _apply_effects(order, action, payload, now, before)
        order.state = ledger.state
        order.state_before_merge = ledger.state_before_merge or ""
        order.returns_refused = ledger.returns_refused
        order.reworks = ledger.reworks
        order.dispute_level = ledger.level
        order.closed_at = ledger.closed_at
        order.save()
        _track_pause(order, before, order.state, payload, now)
        stored = {k: v for k, v in payload.items() if isinstance(v, str | int | float | bool)}
        _event(order, actor, as_role, action, before, order.state, stored, now)
        _audit(actor, order, action, stored)
        _copy_state(order)
        rollups.touch(order, days)
    return order


def _copy_state(order: WorkOrder) -> None:
    """Copy the order's state onto its assignments (a unit's inbox reads it there, see
    anju.workorders.access)."""
    order.assignments.exclude(order_state=order.state).update(order_state=order.state)


def _apply_effects(order: WorkOrder, action: str, payload: dict, now, before: str) -> None:
    lead = lead_assignment(order)
    if action == Act.SIGN and lead:
        lead.signed_at = now
        lead.save(update_fields=["signed_at", "updated_at"])
    elif action == Act.CONTACT and lead:
        lead.contacted_at = now
        lead.save(update_fields=["contacted_at", "updated_at"])
    elif action in (Act.SUBMIT_FEEDBACK, Act.SETTLE) and lead:
        lead.feedback_at = now
        lead.save(update_fields=["feedback_at", "updated_at"])
        order.result = payload.get("result", order.result)
        order.reply = payload.get("reply", payload.get("outcome", order.reply))
    elif action in (Act.SEND_BACK, Act.REWORK, Act.REOPEN) and lead:
        lead.feedback_at = None
        if action in (Act.REWORK, Act.REOPEN):
            cal = calendar()
            days = rework_days()  # configured on the deadlines page (deadlines.rework_days)
            lead.feedback_due = cal.add_working_days(now, days).at
            lead.warn_at = warn_instant(now, lead.feedback_due, Limit(days, "working_days"), cal)
            # A new deadline: its warnings and escalations may fire again.
            lead.warned_at = lead.overdue_at = lead.urged_at = lead.report_at = None
            lead.reported_at = None
            order.feedback_due = lead.feedback_due
        lead.save()
    elif action == Act.APPROVE_RETURN:
        unit = payload.get("unit")
        if not isinstance(unit, UnitRef):
            raise ValidationError({"unit": _("Choose the unit the order goes to.")})
        if lead:
            lead.active = False
            lead.save(update_fields=["active", "updated_at"])
        # The new unit's clocks start now; the returning unit is not penalised.
        clocks = _clocks(order, now, calendar())
        _assign(order, Assignment.Role.LEAD, unit, clocks)
        order.feedback_due = clocks["feedback_due"]
        order.due_provisional = clocks["_provisional"]
        order.due_trace = clocks["_trace"]
        payload["unit"] = _unit_label(unit)
    elif action == Act.APPROVE_FEEDBACK:
        visit = Visit.objects.create(
            order=order,
            token=secrets.token_urlsafe(32),
            exempt=Visit.Exemption.ANONYMOUS if order.anonymous else "",
        )
        visit_sms.send_on_commit(visit)  # the personal link, by text message
    elif action == Act.CLOSE:
        _fill_visit(order, payload, now)
        unsatisfied = payload.get("rating") == "unsatisfied"
        emit(
            order,
            DomainEvent.Type.ORDER_CLOSED_UNSATISFIED
            if unsatisfied
            else DomainEvent.Type.ORDER_CLOSED,
            lead,
            now,
            {"rating": payload.get("rating", ""), "exempt": payload.get("exempt", "")},
            key_suffix=str(order.reworks) + ":" + now.isoformat(),
        )
    elif action == Act.REFUSE_RETURN and lead:
        reason = {"reason": payload.get("reason", "")}
        emit(order, DomainEvent.Type.RETURN_REFUSED, lead, now, reason,
             key_suffix=str(order.returns_refused))  # fmt: skip
    elif action == Act.MERGE:
        master = payload.get("master")
        if not isinstance(master, WorkOrder) or master.pk == order.pk:
            raise ValidationError({"master": _("Choose the order this one duplicates.")})
        order.master = master
        payload["master"] = master.number
    elif action == Act.UNMERGE:
        order.master = None


def _fill_visit(order: WorkOrder, payload: dict, now) -> None:
    visit = order.visits.filter(answered_at__isnull=True).order_by("-id").first()
    if visit is None:
        visit = Visit(order=order, token=secrets.token_urlsafe(32))
    rating = payload.get("rating", "")
    if rating and rating not in Visit.Satisfaction.values:
        raise ValidationError(
            {"rating": _("Choose satisfied, basically satisfied or unsatisfied.")}
        )
    exempt = payload.get("exempt", "") or visit.exempt
    if exempt and exempt not in Visit.Exemption.values:
        raise ValidationError({"exempt": _("Unknown reason for exemption.")})
    visit.satisfaction = rating
    visit.solved = payload.get("solved") if isinstance(payload.get("solved"), bool) else None
    visit.exempt = "" if rating else exempt
    visit.method = payload.get("method", visit.method or "")
    visit.comment = payload.get("comment", visit.comment)
    visit.visitor = payload.get("visitor")
    visit.answered_at = now
    visit.save()


def answer_visit(*, token: str, solved: bool, satisfaction: str, comment: str = "", now=None):
    """The complainant's answer through their personal link (no login). A satisfied or
    basically satisfied answer closes the order; an unsatisfied one waits for the
    supervisor, who orders a rework or closes it."""
    now = now or timezone.now()
    visit = Visit.objects.select_related("order").filter(token=token).first()
    if visit is None:
        raise Visit.DoesNotExist
    if visit.answered_at is not None or visit.order.state != State.PENDING_VISIT:
        raise ValidationError(_("This return visit has already been answered."))
    if satisfaction not in Visit.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied you are.")})
    payload = {
        "rating": satisfaction,
        "solved": bool(solved),
        "comment": comment.strip()[:2000],
        "method": Visit.Method.LINK,
    }
    if satisfaction != Visit.Satisfaction.UNSATISFIED:
        return act(actor=None, order=visit.order, action=Act.CLOSE, payload=payload, now=now)
    with transaction.atomic():
        visit.satisfaction = satisfaction
        visit.solved = bool(solved)
        visit.comment = payload["comment"]
        visit.method = Visit.Method.LINK
        visit.save()
        state = visit.order.state
        answer = {"rating": satisfaction, "solved": bool(solved)}
        _event(visit.order, None, Actor.CITIZEN, "visit_answered", state, state, answer, now)
    return visit.order


@transaction.atomic
def record_call(*, actor, order: WorkOrder, reached: bool, solved: bool | None = None,
                satisfaction: str = "", comment: str = "", now=None) -> WorkOrder:  # fmt: skip
    """A visitor's phone call, all or nothing (a refused close leaves no counted attempt).
    Reached: the answers close the order (or, unsatisfied, wait
    for the supervisor). Not reached: counted; the third failed try closes the order as
    unreachable (complaints.md §2.3 #16)."""
    now = now or timezone.now()
    visit = order.visits.filter(answered_at__isnull=True).order_by("-id").first()
    if visit is None or order.state != State.PENDING_VISIT:
        raise IllegalTransition(_("This order is not awaiting a return visit."))
    if Actor.VISITOR not in actors_for(actor, order):
        raise PermissionDenied
    if not reached:
        visit.attempts += 1
        visit.method = Visit.Method.PHONE
        visit.save(update_fields=["attempts", "method", "updated_at"])
        if visit.attempts >= 3:
            return act(actor=actor, order=order, action=Act.CLOSE, now=now,
                       payload={"exempt": Visit.Exemption.UNREACHABLE, "method": "phone",
                                "visitor": actor})  # fmt: skip
        _event(order, actor, Actor.VISITOR, "visit_attempt", order.state, order.state,
               {"attempts": visit.attempts}, now)  # fmt: skip
        return order
    payload = {"rating": satisfaction, "solved": solved, "comment": comment, "method": "phone",
               "visitor": actor}  # fmt: skip
    if satisfaction != Visit.Satisfaction.UNSATISFIED:
        return act(actor=actor, order=order, action=Act.CLOSE, payload=payload, now=now)
    visit.satisfaction, visit.solved, visit.comment = satisfaction, solved, comment
    visit.method, visit.visitor = Visit.Method.PHONE, actor
    visit.save()
    _event(order, actor, Actor.VISITOR, "visit_answered", order.state, order.state,
           {"rating": satisfaction, "solved": solved}, now)  # fmt: skip
    return order


def emit(order, type_, assignment, now, data=None, key_suffix: str = "") -> None:
    """Record a typed domain event once (the key makes repeats no-ops)."""
    key = f"{type_}:{order.pk}:{assignment.pk if assignment else ''}:{key_suffix}"[:80]
    DomainEvent.objects.bulk_create(
        [
            DomainEvent(
                type=type_,
                order=order,
                company_id=getattr(assignment, "company_id", None),
                department_id=getattr(assignment, "department_id", None),
                region_code=order.region_code,
                data=data or {},
                at=now,
                key=key,
            )
        ],
        ignore_conflicts=True,
    )


def _track_pause(order: WorkOrder, before: str, after: str, payload: dict, now) -> None:
    """Open a pause when the handling clock stops; on resuming, move the deadlines on by
    the working time the pause took away."""
    paused_before, paused_after = before in machine.PAUSED, after in machine.PAUSED
    if paused_after and not paused_before:
        Pause.objects.create(
            order=order, started_at=now, reason=str(payload.get("reason", ""))[:200]
        )
    elif paused_before and not paused_after:
        pause = order.pauses.filter(ended_at__isnull=True).first()
        if pause is None:
            return
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        _extend_deadlines(order, pause.started_at, now)


def _extend_deadlines(order: WorkOrder, started: datetime, ended: datetime) -> None:
    cal = calendar()
    limit = deadline_class(order.deadline_class).feedback
    for a in order.assignments.filter(active=True, feedback_at__isnull=True):
        if a.feedback_due is None or a.feedback_due <= started:
            continue
        if limit.unit in ("clock_minutes", "natural_days"):
            a.feedback_due = a.feedback_due + (ended - started)
        else:
            remaining = cal.working_minutes_between(started, a.feedback_due)
            a.feedback_due = cal.add_working_minutes(ended, remaining).at
        if a.warned_at is None:
            a.warn_at = warn_instant(ended, a.feedback_due, limit, cal)
        a.save(update_fields=["feedback_due", "warn_at", "updated_at"])
        if a.role == Assignment.Role.LEAD:
            order.feedback_due = a.feedback_due
            order.save(update_fields=["feedback_due", "updated_at"])


def pause_total(order: WorkOrder, until: datetime | None = None) -> timedelta:
    until = until or timezone.now()
    return sum(((p.ended_at or until) - p.started_at for p in order.pauses.all()), timedelta(0))


# -- extensions (延期) -----------------------------------------------------------------------

MAX_EXTENSION_DAYS = 15


def request_extension(*, actor, order: WorkOrder, days: int, reason: str, now=None) -> Extension:
    """The lead unit asks for more time: once, before the deadline, with a reason."""
    now = now or timezone.now()
    roles = actors_for(actor, order)
    if not roles & {Actor.HANDLER, Actor.UNIT_LEAD}:
        raise PermissionDenied
    lead = lead_assignment(order)
    if lead is None or order.state not in (State.SIGNED, State.IN_PROGRESS):
        raise IllegalTransition(_("Only an order being handled can be extended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}}
        )
    if lead.feedback_due is None or now >= lead.feedback_due:
        raise IllegalTransition(_("An extension must be asked for before the deadline."))
    if Extension.objects.filter(assignment=lead).exists():
        raise IllegalTransition(_("This unit has already asked for an extension once."))
    with transaction.atomic():
        extension = Extension.objects.create(
            order=order, assignment=lead, days=days, reason=reason.strip(), requested_by=actor,
            requested_at=now, old_due=lead.feedback_due,
        )  # fmt: skip
        _event(order, actor, Actor.UNIT_LEAD if Actor.UNIT_LEAD in roles else Actor.HANDLER,
               "request_extension", order.state, order.state,
               {"days": int(days), "reason": reason.strip()}, now)  # fmt: skip
        _audit(actor, order, "request_extension", {"days": int(days)})
    return extension


def decide_extension(*, actor, extension: Extension, approve: bool, now=None) -> Extension:
    """A supervisor approves (the deadline moves by the days asked, in working days from the
    old deadline) or refuses (nothing moves)."""
    now = now or timezone.now()
    order = extension.order
    if Actor.SUPERVISOR not in actors_for(actor, order):
        raise PermissionDenied
    if extension.decided_at is not None:
        raise IllegalTransition(_("This extension has already been decided."))
    with transaction.atomic():
        extension.approved = bool(approve)
        extension.decided_by = actor
        extension.decided_at = now
        lead = extension.assignment
        if approve and lead.feedback_due:
            old_due = lead.feedback_due
            cal = calendar()
            lead.feedback_due = cal.add_working_days(
                lead.feedback_due, extension.days, end_of_day=False
            ).at
            lead.warn_at = warn_instant(now, lead.feedback_due, Limit(1, "working_days"), cal)
            lead.warned_at = None
            lead.save(update_fields=["feedback_due", "warn_at", "warned_at", "updated_at"])
            order.feedback_due = lead.feedback_due
            order.save(update_fields=["feedback_due", "updated_at"])
            extension.new_due = lead.feedback_due
            rollups.mark_stale({rollups.day_of(old_due), rollups.day_of(lead.feedback_due)})
        extension.save()
        _event(order, actor, Actor.SUPERVISOR, "decide_extension", order.state, order.state,
               {"approved": bool(approve), "days": extension.days}, now)  # fmt: skip
        _audit(actor, order, "decide_extension", {"approved": bool(approve)})
    return extension
