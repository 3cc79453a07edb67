"""Work-order pages: the list (which is also a unit's inbox), the intake desk, an owner's own
report and their "my complaints", the order page with its clocks, timeline and action forms,
and dispatch. Every page fetches through order_policy; every write goes through services."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.companies.models import PropertyCompany
from anju.core.forms import apply_service_errors, mark_invalid
from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.core.pii import mask
from anju.core.worktime import explain
from anju.estates.models import Estate, Unit
from anju.regions.models import Department, Region
from anju.regions.permissions import street_choices
from anju.workorders import attachments, disputes, services, visit_sms
from anju.workorders.access import (
    actors_for,
    lead_assignment,
    may_see_complainant,
    order_policy,
    unit_orders,
)
from anju.workorders.deadlines import Unit as TimeUnit
from anju.workorders.forms import (
    ACTION_FIELDS,
    DANGER,
    PAYLOAD_LABELS,
    ActionForm,
    DispatchForm,
    DisputeRecordForm,
    ExtensionRequestForm,
    IntakeForm,
    OwnerReportForm,
    PerformanceForm,
)
from anju.workorders.machine import (
    OPEN,
    TERMINAL,
    Act,
    Actor,
    IllegalTransition,
    State,
    allowed_actions,
)
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    DisputeStep,
    Extension,
    WorkOrder,
)
from anju.workorders.services import UnitRef

# -- presentation helpers ----------------------------------------------------------------------

STATE_CSS = {
    State.REGISTERED: "bg-secondary-lt",
    State.DISPATCHED: "bg-blue-lt",
    State.RETURN_REQUESTED: "bg-orange-lt",
    State.SIGNED: "bg-blue-lt",
    State.IN_PROGRESS: "bg-blue-lt",
    State.SUSPENDED: "bg-orange-lt",
    State.FEEDBACK_SUBMITTED: "bg-cyan-lt",
    State.PENDING_VISIT: "bg-cyan-lt",
    State.ESCALATED: "bg-orange-lt",
    State.CLOSED: "bg-green-lt",
    State.ANSWERED: "bg-green-lt",
}


def state_css(state: str) -> str:
    return STATE_CSS.get(state, "bg-secondary-lt")


class Marked(str):
    """A cell text that the page shows styled (a badge, a red due) and Excel shows plain."""

    __slots__ = ("css", "testid")

    def __new__(cls, text: str, css: str, testid: str = ""):
        obj = super().__new__(cls, text)
        obj.css = css
        obj.testid = testid
        return obj

    def __html__(self) -> str:
        return format_html(
            '<span class="{}" data-testid="{}">{}</span>', self.css, self.testid, str(self)
        )


def _local(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def is_overdue(order: WorkOrder, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(order.feedback_due and order.state in OPEN and order.feedback_due < now)


def _due_cell(order: WorkOrder):
    if order.feedback_due is None:
        return ""
    text = _local(order.feedback_due)
    if is_overdue(order):
        return Marked(
            gettext("%(due)s (overdue)") % {"due": text}, "text-danger fw-bold", "overdue"
        )
    return text


def _state_cell(order: WorkOrder):
    return Marked(order.get_state_display(), f"badge {state_css(order.state)}", "state")


def _leads():
    """The active lead of each order on a page, in one query."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(role=Assignment.Role.LEAD, active=True).select_related(
            "region", "department", "company"
        ),
        to_attr="active_leads",
    )


def _lead_name(order: WorkOrder) -> str:
    leads = getattr(order, "active_leads", None)
    return str(leads[0].unit) if leads else ""


def _group_choices(actor):
    groups = Category.objects.filter(parent__isnull=True, active=True).order_by("code")
    return [(str(pk), name) for pk, name in groups.values_list("pk", "name")]


def my_unit_filter(actor) -> Q:
    """The open orders one of the actor's handling units holds (as lead or co-unit)."""
    condition: Q | None = None
    for g in scope_of(actor).grants_for(Action.ORDERS_HANDLE):
        if g.kind == "all":
            return Q(state__in=OPEN)
        if g.department_id:
            department = g.department_id
            q = unit_orders(
                Q(department_id=department), {"lead_department_id": department}, open_only=True
            )
        elif g.kind == "company":
            company = int(g.value)
            q = unit_orders(Q(company_id=company), {"lead_company_id": company}, open_only=True)
        elif g.kind == "prefix":
            # A street or community holds assignments to its own region node.
            code = str(g.value).ljust(12, "0")
            region = Region.objects.filter(code=code).values_list("pk", flat=True).first()
            if region is None:
                continue
            q = unit_orders(Q(region_id=region), {"lead_region_id": region}, open_only=True)
        else:
            continue
        condition = q if condition is None else condition | q
    if condition is None:
        return Q(pk__in=[])
    return condition


# -- the list ----------------------------------------------------------------------------------


@dataclass
class ConditionFilter(Filter):
    """A filter whose condition needs more than one lookup or the actor (overdue, my unit)."""

    condition: Callable[[Any, str], Q] | None = None


class OrderListing(Listing):
    def queryset(self, actor, params):
        special = [f for f in self.filters if isinstance(f, ConditionFilter)]
        plain = params.copy()
        for f in special:
            plain.pop(f.param, None)
        qs = super().queryset(actor, plain).prefetch_related(_leads())
        for f in special:
            raw = (params.get(f.param) or "").strip()
            if raw and f.condition is not None:
                qs = qs.filter(f.condition(actor, raw))
        return qs


def _search(q: str) -> Q:
    return Q(number__startswith=q.upper()) | Q(title__icontains=q)


def _overdue(actor, raw) -> Q:
    return Q(feedback_due__lt=timezone.now(), state__in=OPEN)


class OrderListView(ListingView):
    listing = OrderListing(
        policy=order_policy,
        title=_("Work orders"),
        columns=[
            Column("number", _("order number"), lambda o: o.number, sort="number", link=True),
            Column("title", _("subject"), lambda o: o.title),
            Column("category", _("category"), lambda o: o.category.name, sort="category__code"),
            Column("estate", _("estate"), lambda o: o.estate.name if o.estate_id else o.address),
            Column("channel", _("channel"), choice_label(WorkOrder, "channel"), sort="channel"),
            Column("state", _("state"), _state_cell, sort="state"),
            Column("lead", _("lead unit"), _lead_name),
            Column("due", _("feedback due"), _due_cell, sort="feedback_due"),
            Column("created", _("registered at"), lambda o: o.created_at, sort="created_at"),
        ],
        search=_search,
        search_help=_("Order number or subject"),
        filters=[
            Filter("state", _("state"), "state", choices=State.choices),
            Filter("channel", _("channel"), "channel", choices=Channel.choices),
            Filter(
                "group",
                _("category group"),
                "category__parent_id",
                choices=_group_choices,
                transform=int,
            ),
            ConditionFilter(
                "overdue",
                _("overdue"),
                "",
                choices=[("1", _("Overdue only"))],
                condition=_overdue,
            ),
            Filter("street", _("Street"), "region_code__codeprefix", choices=street_choices),
            ConditionFilter(
                "unit",
                _("My unit"),
                "",
                hidden=True,
                describe=lambda actor, raw: str(_("open orders")),
                condition=lambda actor, raw: my_unit_filter(actor),
            ),
        ],
        select_related=["category", "estate"],
        export_name="orders",
        detail_url=detail_link("workorders:detail"),
        create_url="workorders:create",
        create_action=Action.ORDERS_INTAKE,
    )

    def get(self, request):
        if scope_of(request.user).allows(Action.ORDERS_HANDLE):
            self.extra_links = [(_("My unit's open orders"), "?unit=1", "inbox")]
        return super().get(request)


# -- intake ------------------------------------------------------------------------------------


def _auto_dispatch(request, order: WorkOrder) -> None:
    """Dispatch by the matrix when it names a unit, and say where the order went."""
    try:
        dispatched = services.auto_dispatch(order)
    except (IllegalTransition, ValidationError):
        dispatched = False
    if dispatched:
        order = WorkOrder.objects.prefetch_related("assignments").get(pk=order.pk)
        lead = lead_assignment(order)
        messages.success(
            request,
            gettext(
                "Registered as %(number)s and dispatched by the responsibility matrix to %(unit)s."
            )
            % {"number": order.number, "unit": lead.unit if lead else ""},
        )
    else:
        messages.warning(
            request,
            gettext(
                "Registered as %(number)s. The responsibility matrix names no unit for it: "
                "it awaits manual dispatch."
            )
            % {"number": order.number},
        )


def order_create(request):
    """The intake desk: register an order from any channel, then dispatch it by the matrix."""
    actor = request.user
    order_policy.require_action(actor, Action.ORDERS_INTAKE)
    form = IntakeForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            photos = data.pop("photos", [])
            order = attachments.register_with_photos(actor=actor, data=data, uploads=photos)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            _auto_dispatch(request, order)
            return redirect("workorders:detail", order.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    return render(request, "workorders/intake.html", {"form": form}, status=status)


def _own_estates(actor) -> tuple[list[Estate], int | None]:
    """The estates of the actor's own units, and the building of their first unit."""
    grants = [g for g in scope_of(actor).grants_for(Action.ORDERS_SUBMIT) if g.kind == "unit"]
    estates = list(
        Estate.objects.filter(pk__in=[g.estate_id for g in grants if g.estate_id]).order_by("name")
    )
    unit_ids = [int(g.value) for g in grants]
    building = (
        Unit.objects.filter(pk__in=unit_ids).order_by("pk").values_list("building_id", flat=True)
    ).first()
    return estates, building


def order_report(request):
    """An owner files a complaint about their own estate (mobile first)."""
    actor = request.user
    order_policy.require_action(actor, Action.ORDERS_SUBMIT)
    estates, building = _own_estates(actor)
    form = OwnerReportForm(
        request.POST or None, request.FILES or None, estates=estates, initial={"building": building}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = attachments.register_with_photos(
                actor=actor,
                uploads=data.get("photos", []),
                data={
                    "channel": Channel.OWNER,
                    "category": data["category"],
                    "estate": data["estate"],
                    "building": data.get("building"),
                    "title": data["title"],
                    "content": data["content"],
                    "complainant_name": actor.display_name or actor.get_full_name(),
                    "complainant_phone": data.get("complainant_phone", ""),
                    "concerns_company": data.get("concerns_company", False),
                },
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            _auto_dispatch(request, order)
            return redirect("workorders:detail", order.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {"form": form, "estates": estates}
    return render(request, "workorders/report.html", context, status=status)


def my_orders(request):
    """An owner's own complaints, newest first."""
    actor = request.user
    order_policy.require_action(actor, Action.ORDERS_SUBMIT)
    orders = (
        order_policy.visible(actor)
        .filter(complainant_user=actor)
        .select_related("category", "estate")
        .prefetch_related(_leads())
        .order_by("-created_at", "-id")[:200]
    )
    rows = [
        {
            "order": o,
            "css": state_css(o.state),
            "lead": _lead_name(o),
            "overdue": is_overdue(o),
        }
        for o in orders
    ]
    return render(request, "workorders/mine.html", {"rows": rows})


# -- units an order may go to ------------------------------------------------------------------


def unit_key(ref: UnitRef) -> str:
    if ref.department is not None:
        return f"department:{ref.department.pk}"
    if ref.company_id is not None:
        return f"company:{ref.company_id}"
    if ref.region is not None:
        return f"region:{ref.region.pk}"
    return ref.kind


def unit_options(order: WorkOrder) -> dict[str, tuple[str, UnitRef]]:
    """The units of the order's district it may be sent to: its street and community, the
    district's departments (every matrix kind among them) and the estate's company."""
    refs = [services.resolve_unit(kind, order) for kind in ("street", "community")]
    district = order.region_code[:6] + "000000"
    departments = Department.objects.filter(district__code=district).order_by("kind", "name")
    refs += [UnitRef(f"dept:{d.kind}", department=d) for d in departments]
    refs.append(services.resolve_unit("company", order))
    company_ids = [r.company_id for r in refs if r is not None and r.company_id]
    companies = dict(PropertyCompany.objects.filter(pk__in=company_ids).values_list("pk", "name"))
    kinds = {
        "street": gettext("Street"),
        "community": gettext("Community"),
        "company": gettext("Property company"),
    }
    options: dict[str, tuple[str, UnitRef]] = {}
    for ref in refs:
        if ref is None:
            continue
        if ref.department is not None:
            label = gettext("Department · %(name)s") % {"name": ref.department.name}
        elif ref.company_id is not None:
            name = companies.get(ref.company_id, "")
            label = "%s · %s" % (kinds["company"], name)  # noqa: UP031 - two names, no sentence
        else:
            label = "%s · %s" % (kinds.get(ref.kind, ref.kind), ref.region.name)  # noqa: UP031
        options.setdefault(unit_key(ref), (label, ref))
    return options


# -- the order page ----------------------------------------------------------------------------


def _order_qs():
    return WorkOrder.objects.select_related(
        "category__parent", "estate", "building", "complainant_user", "master"
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("region", "department", "company"),
        )
    )


def _clock(due, done, running: bool, now) -> dict:
    if done is not None:
        status = "late" if due is not None and done > due else "done"
    elif due is not None and running and due < now:
        status = "overdue"
    else:
        status = "pending"
    return {"due": due, "done": done, "status": status}


def _units(order: WorkOrder) -> list[dict]:
    now = timezone.now()
    running = order.state not in TERMINAL
    rows = []
    for a in sorted(order.assignments.all(), key=lambda a: (not a.active, a.role != "lead", a.pk)):
        live = running and a.active
        rows.append(
            {
                "assignment": a,
                "unit": a.unit,
                "role": a.get_role_display(),
                "lead": a.role == Assignment.Role.LEAD,
                "active": a.active,
                "clocks": [
                    (_("sign"), _clock(a.sign_due, a.signed_at, live, now)),
                    (_("contact"), _clock(a.contact_due, a.contacted_at, live, now)),
                    (_("feedback"), _clock(a.feedback_due, a.feedback_at, live, now)),
                ],
            }
        )
    return rows


CLOCK_NAMES = {"sign": _("sign"), "contact": _("contact"), "feedback": _("feedback")}


def _explanations(order: WorkOrder) -> list[dict]:
    """Why each clock is due when it is: the class's rule, then the working days it counted."""
    if not order.due_trace or order.dispatched_at is None:
        return []
    figures = services.deadline_class(order.deadline_class)
    sections = []
    for name in ("feedback", "sign", "contact"):
        trace = order.due_trace.get(name)
        if not trace:
            continue
        limit = getattr(figures, name)
        rule = gettext(
            "%(cls)s: %(clock)s within %(amount)s %(unit)s, counted from the dispatch at %(start)s."
        ) % {
            "cls": figures.label,
            "clock": CLOCK_NAMES[name],
            "amount": limit.amount,
            "unit": TimeUnit(limit.unit).label if limit.unit in TimeUnit.values else limit.unit,
            "start": _local(order.dispatched_at),
        }
        at = datetime.fromisoformat(trace["at"]) if trace.get("at") else None
        moved = name == "feedback" and at is not None and order.feedback_due not in (None, at)
        sections.append(
            {
                "name": name,
                "label": CLOCK_NAMES[name],
                "at": at,
                "rule": rule,
                "lines": explain(trace.get("steps") or []),
                "provisional": trace.get("provisional", False),
                "moved": moved,
            }
        )
    return sections


PAYLOAD_FIELDS = [
    ("channel", _("channel")),
    ("lead", _("lead unit")),
    ("co", _("co-units")),
    ("unit", _("new lead unit")),
    ("master", _("master order number")),
    ("method", _("contact method")),
    ("result", _("result")),
    ("reply", _("reply")),
    ("solved", _("solved?")),
    ("rating", _("satisfaction")),
    ("exempt", _("no visit possible")),
    ("outcome", _("outcome")),
    ("reason", _("reason")),
    ("legal_basis", _("legal basis")),
    ("note", _("note")),
    ("basis", _("basis")),
    ("photos", _("photos")),
]


def _payload_lines(payload: dict) -> list[tuple[str, str]]:
    lines = []
    for key, label in PAYLOAD_FIELDS:
        value = payload.get(key)
        if value in (None, "", []):
            continue
        if key == "channel":
            value = Channel(value).label if value in Channel.values else value
        elif key in PAYLOAD_LABELS:
            value = PAYLOAD_LABELS[key].get(value, value)
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        lines.append((label, str(value)))
    return lines


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# Notes on the timeline that are not moves of the state machine.
SIDE_EVENTS = {
    "attach": _("Photos added"),
    "visit_sms": _("Return-visit link sent by text message"),
}


def _timeline(order: WorkOrder, show_complainant: bool) -> list[dict]:
    rows = []
    for e in order.events.select_related("actor").order_by("at", "id"):
        if e.as_role == Actor.CITIZEN and not show_complainant:
            who = gettext("Complainant")  # the company complained about never learns who
        elif e.actor is None:
            who = gettext("System")
        else:
            who = str(e.actor)
        as_role = _label(Actor, e.as_role)
        rows.append(
            {
                "at": e.at,
                "who": who,
                "as_role": "" if as_role == who else as_role,
                "action": SIDE_EVENTS.get(e.action) or _label(Act, e.action),
                "from": _label(State, e.from_state) if e.from_state else "",
                "to": _label(State, e.to_state) if e.to_state else "",
                "details": _payload_lines(e.payload or {}),
            }
        )
    return rows


def _complainant(order: WorkOrder, show: bool) -> dict:
    if order.anonymous:
        return {"anonymous": True}
    if not show:
        return {"hidden": True}
    return {
        "name": order.complainant_name,
        # Phones stay masked for every unit and desk.
        "phone": mask(order.complainant_phone),
        "account": order.complainant_user_id is not None,
    }


# The moves of the dispute track: on the page they go through the dispute card
# (disputes.record), never through the generic action forms.
DISPUTE_ACTS = {Act.SETTLE, Act.ESCALATE_FURTHER, Act.REFER}


def _extension_context(actor, order: WorkOrder, roles: set[str]) -> dict:
    """The extension history, the lead unit's request form while it may still ask, and the
    supervisor's pending decisions."""
    extensions = list(order.extensions.select_related("requested_by", "decided_by"))
    lead = lead_assignment(order)
    may_request = bool(
        roles & {Actor.HANDLER, Actor.UNIT_LEAD}
        and lead is not None
        and order.state in (State.SIGNED, State.IN_PROGRESS)
        and lead.feedback_due is not None
        and lead.feedback_due > timezone.now()
        and not any(e.assignment_id == lead.pk for e in extensions)
    )
    return {
        "extensions": extensions,
        "extension_form": ExtensionRequestForm() if may_request else None,
        "may_decide_extension": Actor.SUPERVISOR in roles,
    }


def _dispute_context(actor, order: WorkOrder, roles: set[str]) -> dict:
    steps = list(order.dispute_steps.order_by("level", "id"))
    current = next((s for s in reversed(steps) if not s.outcome), None)
    may_record = (
        order.state == State.ESCALATED
        and current is not None
        and bool(roles & {Actor.MEDIATOR, Actor.SUPERVISOR})
    )
    form = None
    if may_record:
        form = DisputeRecordForm(initial={"met_at": timezone.localtime().replace(second=0)})
    return {
        "dispute_steps": steps,
        "dispute_current": current,
        "dispute_form": form,
        "may_record_performance": Actor.MEDIATOR in roles,
        "performance_form": PerformanceForm(),
    }


def _detail_context(actor, order: WorkOrder) -> dict:
    roles = actors_for(actor, order)
    allowed = [
        a
        for a in allowed_actions(order.state, roles)
        if a != Act.REGISTER and a not in DISPUTE_ACTS
    ]
    units = unit_options(order) if Act.APPROVE_RETURN in allowed else {}
    action_forms = [
        {
            "action": action,
            "label": Act(action).label,
            "form": ActionForm(action=action, order=order, actor=actor, units=units),
            "danger": action in DANGER,
        }
        for action in allowed
        if action in ACTION_FIELDS
    ]
    show = may_see_complainant(actor, order)
    return {
        "order": order,
        "state_css": state_css(order.state),
        "overdue": is_overdue(order),
        "roles": [Actor(r).label for r in Actor if r in roles],
        "can_dispatch": Act.DISPATCH in allowed,
        "action_forms": action_forms,
        "complainant": _complainant(order, show),
        "units": _units(order),
        "explanations": _explanations(order),
        "timeline": _timeline(order, show),
        "lead": lead_assignment(order),
        "visit_link": _visit_link(order, roles),
        "photos": attachments.photo_rows(actor, order),
        "photo_stage": attachments.stage_for(actor, order),
        **visit_sms.detail_context(order, roles),
        **_extension_context(actor, order, roles),
        **_dispute_context(actor, order, roles),
    }


def _visit_link(order, roles) -> str:
    """The complainant's personal return-visit link, for the visitor to send (SMS/WeChat)."""
    if Actor.VISITOR not in roles or order.state != State.PENDING_VISIT:
        return ""
    visit = order.visits.filter(answered_at__isnull=True, satisfaction="").order_by("-id").first()
    if visit is None or visit.exempt:
        return ""
    return reverse("workorders:visit", args=[visit.token])


def order_detail(request, pk):
    actor = request.user
    order = order_policy.get(actor, pk, qs=_order_qs())
    return render(request, "workorders/detail.html", _detail_context(actor, order))


def _form_errors(request, form) -> None:
    """Each error of a posted form as a message: "field label：error"."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            text = f"{field.label}：{error}" if field is not None else error
            messages.error(request, text)


def _service_errors(request, error: Exception) -> None:
    if isinstance(error, IllegalTransition):
        messages.error(request, error.message)
    else:
        for message in error.messages:
            messages.error(request, message)


@require_POST
def order_act(request, pk, action):
    """Apply one move from the order page; a refused move comes back as a message. An
    escalation opens the dispute track; its later moves go through dispute_record."""
    actor = request.user
    if action not in ACTION_FIELDS or action in DISPUTE_ACTS:
        raise Http404
    order = order_policy.get(actor, pk, qs=_order_qs())
    units = unit_options(order) if action == Act.APPROVE_RETURN else {}
    form = ActionForm(request.POST, action=action, order=order, actor=actor, units=units)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("workorders:detail", order.pk)
    try:
        if action == Act.ESCALATE:
            reason = form.payload().get("reason", "")
            disputes.escalate(actor=actor, order=order, reason=reason)
        else:
            services.act(actor=actor, order=order, action=action, payload=form.payload())
    except (IllegalTransition, ValidationError) as error:
        _service_errors(request, error)
    else:
        messages.success(request, gettext("Done: %(action)s.") % {"action": Act(action).label})
    return redirect("workorders:detail", order.pk)


# -- extensions (延期) and the dispute track (纠纷调处) on the order page -----------------------


@require_POST
def extension_request(request, pk):
    """The lead unit asks for more time; the service decides whether it still may."""
    actor = request.user
    order = order_policy.get(actor, pk, qs=_order_qs())
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("workorders:detail", order.pk)
    try:
        services.request_extension(
            actor=actor,
            order=order,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
        )
    except (IllegalTransition, ValidationError) as error:
        _service_errors(request, error)
    else:
        messages.success(request, gettext("Extension requested; a supervisor will decide."))
    return redirect("workorders:detail", order.pk)


@require_POST
def extension_decide(request, pk):
    """A supervisor approves (approve=1) or refuses (approve=0) a pending extension."""
    actor = request.user
    extension = get_object_or_404(
        Extension.objects.select_related("order", "assignment"),
        pk=pk,
        order__in=order_policy.visible(actor),
    )
    approve = request.POST.get("approve")
    if approve not in ("0", "1"):
        messages.error(request, gettext("Choose to approve or refuse the extension."))
        return redirect("workorders:detail", extension.order_id)
    try:
        services.decide_extension(actor=actor, extension=extension, approve=approve == "1")
    except (IllegalTransition, ValidationError) as error:
        _service_errors(request, error)
    else:
        if approve == "1":
            messages.success(request, gettext("Extension approved: the deadline has moved."))
        else:
            messages.success(request, gettext("Extension refused: the deadline stays."))
    return redirect("workorders:detail", extension.order_id)


@require_POST
def dispute_record(request, pk):
    """A mediator or supervisor records the outcome of the current dispute level."""
    actor = request.user
    order = order_policy.get(actor, pk, qs=_order_qs())
    if not actors_for(actor, order) & {Actor.MEDIATOR, Actor.SUPERVISOR}:
        raise PermissionDenied
    form = DisputeRecordForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("workorders:detail", order.pk)
    data = form.cleaned_data
    try:
        disputes.record(
            actor=actor,
            order=order,
            outcome=data["outcome"],
            met_at=data["met_at"],
            participants=data["participants"],
            minutes=data["minutes"],
            agreement=data["agreement"],
            mediation=data["mediation"],
            judicial_confirmation=data["judicial_confirmation"],
            next_reason=data["next_reason"],
        )
    except (IllegalTransition, ValidationError) as error:
        _service_errors(request, error)
    else:
        messages.success(request, gettext("Dispute outcome recorded."))
    return redirect("workorders:detail", order.pk)


@require_POST
def dispute_performance(request, pk):
    """Follow up an agreement of the dispute track: performed or not."""
    actor = request.user
    step = get_object_or_404(
        DisputeStep.objects.select_related("order"),
        pk=pk,
        order__in=order_policy.visible(actor),
    )
    form = PerformanceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("workorders:detail", step.order_id)
    try:
        disputes.record_performance(
            actor=actor, step=step, performance=form.cleaned_data["performance"]
        )
    except ValidationError as error:
        _service_errors(request, error)
    else:
        messages.success(request, gettext("Performance of the agreement recorded."))
    return redirect("workorders:detail", step.order_id)


def order_dispatch(request, pk):
    """Confirm the matrix's suggestion or choose other units, then dispatch."""
    actor = request.user
    order = order_policy.get(actor, pk, Action.ORDERS_DISPATCH, qs=_order_qs())
    if order.state != State.REGISTERED:
        messages.info(request, gettext("This order has already been dispatched."))
        return redirect("workorders:detail", order.pk)
    if Actor.DISPATCHER not in actors_for(actor, order):
        raise PermissionDenied
    lead, co, rule = services.suggest_units(order)
    options = unit_options(order)
    choices = [(key, label) for key, (label, _ref) in options.items()]
    initial = {
        "lead": unit_key(lead) if lead else "",
        "co": [unit_key(u) for u in co if unit_key(u) in options],
    }
    form = DispatchForm(request.POST or None, options=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follows_matrix = rule is not None and data["lead"] == initial["lead"]
        basis = "\n".join(
            part for part in (rule.basis if follows_matrix else "", data.get("note", "")) if part
        )
        try:
            services.dispatch(
                actor=actor,
                order=order,
                lead=options[data["lead"]][1],
                co=[options[key][1] for key in data.get("co") or []],
                basis=basis,
            )
        except IllegalTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, gettext("Dispatched to %(unit)s.") % {"unit": options[data["lead"]][0]}
            )
        return redirect("workorders:detail", order.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {
        "order": order,
        "form": form,
        "rule": rule,
        "suggested_lead": options.get(initial["lead"], ("", None))[0] if lead else "",
        "suggested_co": [options[k][0] for k in initial["co"]],
        "cancel_url": reverse("workorders:detail", args=[order.pk]),
    }
    return render(request, "workorders/dispatch.html", context, status=status)
