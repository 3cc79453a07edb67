"""Voting pages: the meeting list (also the supervisor's overview), the organiser's wizard
(meeting, motions, the step bar with its moves), the roll with its corrections, the owner's
ballot and "my votes", and the counting desk (paper ballots, proxies, delivery proofs), the
fraud signals, and the files attached to them.

Every page fetches through meeting_policy: a meeting outside the actor's scope answers 404
like a missing one, a role lacking the action 403. Every write goes through anju.voting.services;
a refusal comes back as its Chinese message with nothing written."""

import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import estate_filter, scope_of
from anju.core.errors import DomainError
from anju.core.excel import workbook_bytes
from anju.core.forms import apply_service_errors, mark_invalid
from anju.core.http import client_ip
from anju.core.listing import (
    Column,
    Filter,
    Listing,
    ListingView,
    Page,
    detail_link,
    paginate,
)
from anju.core.pii import mask
from anju.estates.models import Estate, Ownership
from anju.regions.permissions import street_choices
from anju.voting import fraud, rules, selectors, services
from anju.voting.access import meeting_policy, motion_policy
from anju.voting.forms import (
    CancelForm,
    ChoicesForm,
    DeliveryForm,
    IdentityForm,
    MeetingForm,
    MotionForm,
    PaperCountsForm,
    PaperForm,
    ProxyForm,
    ProxyVoteForm,
    RejectForm,
    RollCorrectionForm,
)
from anju.voting.models import (
    Ballot,
    BallotChannel,
    Choice,
    Delivery,
    Meeting,
    MeetingState,
    Motion,
    MotionAttachment,
    PaperSheet,
    Proxy,
    RollChange,
    RollEntry,
)
from anju.voting.roll import mask_name

S = MeetingState
ROLL_PAGE_SIZE = 50
VOTER_PAGE_SIZE = 50
SEARCH_LIMIT = 20

STATE_CSS = {
    S.DRAFT: "bg-secondary-lt",
    S.NOTICED: "bg-azure-lt",
    S.OPEN: "bg-green-lt",
    S.CLOSED: "bg-orange-lt",
    S.PUBLISHED: "bg-blue-lt",
    S.CANCELLED: "bg-red-lt",
}
CHOICE_CSS = {
    Choice.YES: "bg-green-lt",
    Choice.NO: "bg-red-lt",
    Choice.ABSTAIN: "bg-secondary-lt",
    Choice.INVALID: "bg-yellow-lt",
}
COUNTED_STATES = (S.CLOSED, S.PUBLISHED)
VOTING_STATES = (S.OPEN, S.CLOSED, S.PUBLISHED)


# -- presentation helpers ----------------------------------------------------------------------


class Marked(str):
    """A cell text that the page shows as a badge and Excel shows plain."""

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


def _local(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def area_text(cents: int | None) -> str:
    return rules.format_area(cents or 0)


def _percent(part: int, total: int) -> str:
    if not total:
        return "—"
    return f"{part * 100 / total:.1f}%"


def _choice_text(choice: str) -> str:
    try:
        return str(Choice(choice).label)
    except ValueError:
        return choice


@dataclass(frozen=True)
class Powers:
    """What the actor may do at one meeting."""

    organise: bool
    count: bool
    supervise: bool
    cast: bool

    @property
    def full_roll(self) -> bool:
        return self.organise or self.count or self.supervise


def powers(actor, meeting: Meeting) -> Powers:
    scope = scope_of(actor)
    allowed = {a for a in (Action.VOTES_ORGANISE, Action.VOTES_COUNT, Action.VOTES_SUPERVISE,
                           Action.VOTES_CAST) if scope.allows(a)}  # fmt: skip
    allowed = {a for a in allowed if meeting_policy.can(actor, a, meeting)}
    return Powers(
        organise=Action.VOTES_ORGANISE in allowed,
        count=Action.VOTES_COUNT in allowed,
        supervise=Action.VOTES_SUPERVISE in allowed,
        cast=Action.VOTES_CAST in allowed,
    )


def _meeting_qs():
    return Meeting.objects.select_related("estate", "created_by")


def get_meeting(actor, pk, action: str | None = None) -> Meeting:
    """The meeting if the actor sees it (404 otherwise), then 403 unless they may do action."""
    meeting = meeting_policy.get(actor, pk, qs=_meeting_qs())
    if action is not None and not meeting_policy.can(actor, action, meeting):
        raise PermissionDenied
    return meeting


def _in_visible_meetings(actor, qs, path: str):
    """Rows of qs whose meeting (reached through path) the actor sees."""
    return qs.filter(**{f"{path}__in": meeting_policy.visible(actor).values("pk")})


def _get_related(actor, qs, pk, path: str, action: str | None):
    try:
        obj = _in_visible_meetings(actor, qs, path).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    meeting = obj if isinstance(obj, Meeting) else _meeting_of(obj)
    if action is not None and not meeting_policy.can(actor, action, meeting):
        raise PermissionDenied
    return obj


def _meeting_of(obj) -> Meeting:
    if isinstance(obj, Motion):
        return obj.meeting
    if isinstance(obj, RollEntry):
        return obj.motion.meeting
    if isinstance(obj, MotionAttachment):
        return obj.motion.meeting
    return obj.meeting


def _refused(request, error: DomainError) -> None:
    messages.error(request, str(error.message))


def _form_errors(request, form) -> None:
    """Each error of a posted form as a message: "field label：error"."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            label = field.label if field is not None and field.label else ""
            messages.error(request, f"{label}：{error}" if label else error)


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _list_page(items: list, number: int, size: int) -> Page:
    offset = (number - 1) * size
    rows = items[offset : offset + size]
    return Page(
        rows=rows,
        number=number,
        has_next=len(items) > offset + size,
        has_previous=number > 1,
        total=len(items),
        capped=False,
        page_size=size,
    )


def _query_without(request, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _voter_search(meeting: Meeting, q: str, *, with_owner: bool = False) -> list[RollEntry]:
    """Voters of the meeting whose name or units match q, one row per voter."""
    q = q.strip()
    if not q:
        return []
    qs = RollEntry.objects.filter(motion__meeting=meeting, excluded=False).filter(
        Q(name__icontains=q) | Q(units_label__icontains=q)
    )
    if with_owner:
        qs = qs.filter(owner__isnull=False)
    seen: dict[str, RollEntry] = {}
    for entry in qs.order_by("key", "motion_id")[:500]:
        seen.setdefault(entry.key, entry)
        if len(seen) >= SEARCH_LIMIT:
            break
    return list(seen.values())


def _voter_entries(meeting: Meeting, key: str) -> dict[int, RollEntry]:
    """The roll entries (one per motion) of one voter of the meeting."""
    if not key:
        return {}
    return {
        e.motion_id: e
        for e in RollEntry.objects.filter(motion__meeting=meeting, key=key, excluded=False)
        .select_related("motion", "owner")
        .order_by("motion__number")
    }


def _voter_names(meeting: Meeting, keys) -> dict[str, RollEntry]:
    rows = RollEntry.objects.filter(motion__meeting=meeting, key__in=set(keys)).order_by(
        "key", "motion_id"
    )
    names: dict[str, RollEntry] = {}
    for entry in rows:
        names.setdefault(entry.key, entry)
    return names


def _client_ip(request) -> str | None:
    return client_ip(request)


def _device(request) -> str:
    """A coarse fingerprint of the browser, kept with online ballots for the fraud signals."""
    raw = "|".join(
        request.META.get(h, "") for h in ("HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE")
    ).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


# -- the list (also the supervisor's overview) -------------------------------------------------


def _count_of(qs, group: str, field: str):
    counted = qs.order_by().values(group).annotate(c=Count(field, distinct=True)).values("c")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class MeetingListing(Listing):
    def queryset(self, actor, params):
        return (
            super()
            .queryset(actor, params)
            .annotate(
                motion_count=_count_of(
                    Motion.objects.filter(meeting=OuterRef("pk")), "meeting", "pk"
                ),
                voter_count=_count_of(
                    RollEntry.objects.filter(motion__meeting=OuterRef("pk"), excluded=False),
                    "motion__meeting",
                    "key",
                ),
                voted_count=_count_of(
                    Ballot.objects.filter(
                        motion__meeting=OuterRef("pk"), effective=True, entry__excluded=False
                    ),
                    "motion__meeting",
                    "entry__key",
                ),
            )
        )


def _state_cell(meeting: Meeting):
    return Marked(meeting.get_state_display(), f"badge {STATE_CSS.get(meeting.state)}", "state")


def _convener_cell(meeting: Meeting) -> str:
    label = meeting.get_convener_display()
    return f"{label} · {meeting.convener_name}" if meeting.convener_name else str(label)


def _window_cell(meeting: Meeting) -> str:
    if not meeting.opens_at or not meeting.closes_at:
        return ""
    return f"{_local(meeting.opens_at)} – {_local(meeting.closes_at)}"


def _turnout_cell(meeting: Meeting) -> str:
    """Voters who cast a ballot on any motion, of all voters: participation, never choices."""
    if meeting.state not in VOTING_STATES:
        return "—"
    voted, total = getattr(meeting, "voted_count", 0), getattr(meeting, "voter_count", 0)
    return f"{voted}/{total} ({_percent(voted, total)})"


def _signals_cell(meeting: Meeting):
    if meeting.state == S.DRAFT:
        return ""
    found = fraud.signals(meeting)
    warnings = sum(1 for s in found if s.severity == "warning")
    if not found:
        return Marked("0", "text-secondary", "signals")
    css = "badge bg-red-lt" if warnings else "badge bg-azure-lt"
    return Marked(str(len(found)), css, "signals")


COLUMNS = [
    Column("title", _("title"), lambda m: m.title, sort="title", link=True),
    Column("estate", _("estate"), lambda m: m.estate.name, sort="estate__name"),
    Column("state", _("state"), _state_cell, sort="state"),
    Column("convener", _("convened by"), _convener_cell),
    Column("window", _("voting window"), _window_cell, sort="opens_at"),
    Column("motions", _("motions"), lambda m: getattr(m, "motion_count", 0)),
    Column("turnout", _("turnout (voters)"), _turnout_cell),
]
SIGNALS_COLUMN = Column("signals", _("fraud signals"), _signals_cell)


def _listing(columns) -> MeetingListing:
    return MeetingListing(
        policy=meeting_policy,
        title=_("Owners' votes"),
        columns=columns,
        search=lambda q: Q(title__icontains=q) | Q(estate__name__icontains=q),
        search_help=_("Meeting title or estate"),
        filters=[
            Filter("state", _("state"), "state", choices=S.choices),
            Filter("street", _("Street"), "region_code__codeprefix", choices=street_choices),
        ],
        select_related=["estate"],
        export_name="votes",
        detail_url=detail_link("voting:meeting"),
        create_url="voting:create",
        create_action=Action.VOTES_ORGANISE,
    )


class MeetingListView(ListingView):
    listing = _listing(COLUMNS)
    supervisor_listing = _listing([*COLUMNS, SIGNALS_COLUMN])

    def get(self, request):
        if scope_of(request.user).allows(Action.VOTES_SUPERVISE):
            self.listing = self.supervisor_listing
        self.extra_links = [
            (_("Fund-use decisions"), reverse("voting:fund_use"), "fund-use"),
        ]
        if scope_of(request.user).allows(Action.VOTES_CAST):
            self.extra_links.append((_("My votes"), reverse("voting:mine"), "mine"))
        return super().get(request)


meeting_list = MeetingListView.as_view()


# -- the fund-use decisions a maintenance-fund application cites -------------------------------


class FundUseListing(Listing):
    def queryset(self, actor, params, search_data=None):
        qs = super().queryset(actor, params, search_data)
        return selectors.only_fund_use_decisions(qs).prefetch_related("buildings")


def _fund_scope_cell(motion: Motion) -> str:
    """The 列支范围: the whole estate, the buildings, or how many units."""
    if motion.electorate == Motion.Electorate.BUILDINGS:
        return "、".join(b.number for b in motion.buildings.all())
    if motion.electorate == Motion.Electorate.UNITS:
        return gettext("%(n)d units") % {"n": motion.units.count()}
    return str(motion.get_electorate_display())


def _fund_motion_cell(motion: Motion) -> str:
    option = selectors.adopted_option(motion)
    text = f"{motion.number}. {motion.title}"
    return f"{text}（{option}）" if option else text


def _fund_approval_cell(motion: Motion) -> str:
    counts = selectors.approval_counts(motion)
    if counts is None:
        return "—"
    return gettext("%(persons)s persons, %(area)s") % {
        "persons": f"{counts['persons']:,}",
        "area": area_text(counts["area"]),
    }


def _published_cell(motion: Motion) -> str:
    at = motion.meeting.published_at
    return date_format(timezone.localtime(at), "Y-m-d") if at else ""


fund_use_listing = FundUseListing(
    policy=motion_policy,
    title=_("Owners' decisions to use the maintenance fund"),
    columns=[
        Column(
            "estate", _("estate"), lambda m: m.meeting.estate.name, sort="meeting__estate__name"
        ),
        Column("motion", _("motion"), _fund_motion_cell, link=True),
        Column("meeting", _("meeting"), lambda m: m.meeting.title, sort="meeting__title"),
        Column("scope", _("who votes"), _fund_scope_cell),
        Column("approved", _("approved by"), _fund_approval_cell),
        Column("published", _("result published"), _published_cell, sort="meeting__published_at"),
    ],
    search=lambda q: Q(title__icontains=q) | Q(meeting__estate__name__icontains=q),
    search_help=_("Motion title or estate"),
    filters=[
        Filter("street", _("Street"), "meeting__region_code__codeprefix", choices=street_choices),
    ],
    default_sort="-published",
    select_related=["meeting", "meeting__estate"],
    export_name="fund-use-decisions",
    detail_url=lambda m: reverse("voting:meeting", args=[m.meeting_id]),
)


class FundUseListView(ListingView):
    listing = fund_use_listing


fund_use_list = FundUseListView.as_view()


# -- the organiser's wizard: meeting and motions -----------------------------------------------


def _organisable_estates(actor):
    scope = scope_of(actor)
    return Estate.objects.filter(estate_filter(scope, Action.VOTES_ORGANISE)).order_by("name")


def meeting_create(request):
    actor = request.user
    meeting_policy.require_action(actor, Action.VOTES_ORGANISE)
    estates = _organisable_estates(actor)
    form = MeetingForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                actor=actor, estate=form.cleaned_data["estate"], **form.service_data()
            )
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, gettext("Meeting created: now add its motions."))
            return redirect("voting:meeting", meeting.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {"form": form, "title": gettext("New owners' meeting"), "cancel_url": "voting:list"}
    return render(request, "voting/meeting_form.html", context, status=status)


def meeting_edit(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_ORGANISE)
    if meeting.state != S.DRAFT:
        messages.error(request, gettext("Only a draft meeting can be changed."))
        return redirect("voting:meeting", meeting.pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(actor=actor, meeting=meeting, **form.service_data())
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, gettext("Meeting saved."))
            return redirect("voting:meeting", meeting.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {"form": form, "meeting": meeting, "title": meeting.title}
    return render(request, "voting/meeting_form.html", context, status=status)


def motion_create(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_ORGANISE)
    if meeting.state != S.DRAFT:
        messages.error(request, gettext("Motions can be added only while the meeting is a draft."))
        return redirect("voting:meeting", meeting.pk)
    form = MotionForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("attachment")
        try:
            motion = services.add_motion(
                actor=actor,
                meeting=meeting,
                title=data["title"],
                matter=data["matter"],
                body=data["body"],
                electorate=data["electorate"],
                buildings=data["buildings"],
                units=data["units"],
                attachments=[upload] if upload else (),
                option_labels=data["option_labels"],
            )
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, gettext("Motion %(n)d added.") % {"n": motion.number})
            if request.POST.get("another"):
                return redirect("voting:motion_create", meeting.pk)
            return redirect("voting:meeting", meeting.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {
        "form": form,
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": powers(actor, meeting),
        "motions": list(meeting.motions.all()),
        "thresholds": _threshold_table(),
    }
    return render(request, "voting/motion_form.html", context, status=status)


def _threshold_table() -> list[dict]:
    """What each matter needs under the rule set in force today, for the motion form."""
    rule_set = rules.rule_set_in_force(timezone.localdate())
    rows = []
    for matter in rules.Matter:
        threshold = rule_set.approval.get(matter)
        rows.append(
            {
                "matter": matter,
                "approval": threshold.describe() if threshold else "—",
            }
        )
    return rows


@require_POST
def motion_delete(request, pk):
    actor = request.user
    motion = _get_related(
        actor, Motion.objects.select_related("meeting__estate"), pk, "meeting", None
    )
    meeting = motion.meeting
    try:
        services.remove_motion(actor=actor, motion=motion)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("Motion removed."))
    return redirect("voting:meeting", meeting.pk)


# -- the meeting page: step bar, moves, settings, turnout and results -------------------------

STEPS = [
    ("meeting", _("Meeting")),
    ("motions", _("Motions")),
    ("roll", _("Roll")),
    ("notice", _("Notice")),
    ("voting", _("Voting")),
    ("count", _("Count")),
    ("publish", _("Publication")),
]


def _current_step(meeting: Meeting, motion_count: int) -> int:
    if meeting.state == S.DRAFT:
        return 1 if motion_count == 0 else 2
    return {S.NOTICED: 3, S.OPEN: 4, S.CLOSED: 5, S.PUBLISHED: 7}.get(meeting.state, -1)


def _steps(meeting: Meeting, motion_count: int) -> list[dict]:
    current = _current_step(meeting, motion_count)
    return [
        {"key": key, "label": label, "active": i == current, "done": i < current}
        for i, (key, label) in enumerate(STEPS)
    ]


# Moves of the meeting page: the states they start from and the action they need.
MOVES = {
    "notice": ((S.DRAFT,), Action.VOTES_ORGANISE),
    "open": ((S.NOTICED,), Action.VOTES_ORGANISE),
    "remind": ((S.OPEN,), Action.VOTES_COUNT),
    "close": ((S.OPEN,), Action.VOTES_ORGANISE),
    "publish": ((S.CLOSED,), Action.VOTES_ORGANISE),
    "cancel": ((S.DRAFT, S.NOTICED, S.OPEN), Action.VOTES_ORGANISE),
}
MOVE_LABELS = {
    "notice": _("Give notice and publish the roll"),
    "open": _("Open voting"),
    "remind": _("Remind non-voters (text and in the app)"),
    "close": _("Close voting and count"),
    "publish": _("Publish the result"),
    "cancel": _("Cancel the meeting"),
}


def _moves(meeting: Meeting, p: Powers) -> list[dict]:
    allowed = []
    for step, (states, action) in MOVES.items():
        may = p.organise if action == Action.VOTES_ORGANISE else p.count
        if may and meeting.state in states:
            allowed.append(
                {
                    "step": step,
                    "label": MOVE_LABELS[step],
                    "danger": step == "cancel",
                    "form": CancelForm() if step == "cancel" else None,
                }
            )
    return allowed


def _notice_blockers(meeting: Meeting, motion_count: int) -> list[str]:
    """What still prevents giving notice today, each said as what to do."""
    blockers = []
    if motion_count == 0:
        blockers.append(gettext("Add at least one motion."))
    if not meeting.opens_at or not meeting.closes_at:
        blockers.append(gettext("Set when voting opens and closes."))
        return blockers
    today = timezone.localdate()
    floor = services.opening_floor(meeting, today)
    if meeting.opens_at < floor:
        blockers.append(
            gettext(
                "Notice given today allows voting to open on %(day)s at the earliest: "
                "move the opening."
            )
            % {"day": timezone.localdate(floor).isoformat()}
        )
    if today + timedelta(days=meeting.objection_days) >= timezone.localdate(meeting.opens_at):
        blockers.append(gettext("The objection period must end before voting opens."))
    return blockers


def _electorate_text(motion: Motion) -> str:
    if motion.electorate == Motion.Electorate.BUILDINGS:
        names = "、".join(b.number for b in motion.buildings.all())
        return gettext("Owners of %(buildings)s") % {"buildings": names}
    if motion.electorate == Motion.Electorate.UNITS:
        return gettext("Owners of %(n)d listed units") % {"n": motion.units.count()}
    return str(Motion.Electorate.ESTATE.label)


def _turnout(motion: Motion) -> dict:
    """Participation against the quorum in both dimensions (never the yes/no split)."""
    t = services.turnout(motion)
    rows = []
    for measure, label in (("persons", _("persons")), ("area", _("area (m²)"))):
        part = t.participants.get(measure)
        total = t.electorate.get(measure)
        need = t.quorum.get(measure) if t.quorum is not None else None
        fmt = area_text if measure == "area" else str
        rows.append(
            {
                "measure": measure,
                "label": label,
                "part": fmt(part),
                "total": fmt(total),
                "need": fmt(need) if need is not None else "—",
                "percent": _percent(part, total),
                "width": min(100, round(part * 100 / total)) if total else 0,
                "mark": min(100, round(need * 100 / total)) if total and need else 0,
                "met": need is not None and part >= need,
            }
        )
    return {"rows": rows, "quorum": t.quorum is not None}


def _dimensions(decision: rules.Decision) -> list[dict]:
    rows = []
    for d in decision.dimensions:
        fmt = area_text if d.measure == "area" else (lambda v: f"{v:,}")
        rows.append(
            {
                "test": d.test,
                "measure": d.measure,
                "label": rules._LABELS[(d.test, d.measure)],
                "numerator": fmt(d.numerator),
                "denominator": fmt(d.denominator),
                "percent": d.percent(),
                "rule": d.threshold.describe(),
                "boundary": fmt(d.boundary),
                "passed": d.passed,
            }
        )
    return rows


def _tally_rows(t: rules.Tally | rules.OptionsTally, motion: Motion) -> list[dict]:
    rows = []
    if isinstance(t, rules.OptionsTally):
        sums = [(rules.option_code(i), c) for i, c in enumerate(t.options)]
        sums += [("abstain", t.abstain), ("invalid", t.invalid)]
    else:
        sums = [("yes", t.yes), ("no", t.no), ("abstain", t.abstain), ("invalid", t.invalid)]
    for key, counts in sums:
        rows.append(
            {
                "key": key,
                "label": motion.choice_label(key),
                "persons": counts.persons,
                "area": area_text(counts.area),
                "persons_percent": _percent(counts.persons, t.electorate.persons),
                "area_percent": _percent(counts.area, t.electorate.area),
            }
        )
    rest = t.not_returned
    rows.append(
        {
            "key": "not_returned",
            "label": gettext("No ballot"),
            "persons": rest.persons,
            "area": area_text(rest.area),
            "persons_percent": _percent(rest.persons, t.electorate.persons),
            "area_percent": _percent(rest.area, t.electorate.area),
        }
    )
    return rows


def _choice_dimensions(decision: rules.ChoiceDecision) -> list[dict]:
    """The quorum rows, then each option's approval rows labelled with the option."""
    rows = [r for r in _dimensions(decision.decisions[0]) if r["test"] == "quorum"]
    for i, (label, option) in enumerate(zip(decision.labels, decision.decisions, strict=True)):
        for row in _dimensions(option):
            if row["test"] == "approval":
                row["option"] = f"{i + 1}. {label}"
                row["key"] = f"approval-{rules.option_code(i)}-{row['measure']}"
                rows.append(row)
    return rows


def _result(motion: Motion) -> dict:
    strict, deemed = services.decide_motion(motion)
    is_choice = isinstance(strict, rules.ChoiceDecision)
    result = {
        "passed": strict.passed,
        "quorum_met": strict.quorum_met,
        "dimensions": _choice_dimensions(strict) if is_choice else _dimensions(strict),
        "chosen": (
            f"{strict.chosen + 1}. {strict.labels[strict.chosen]}"
            if is_choice and strict.chosen is not None
            else None
        ),
        "explain": strict.explain(),
        "tally": _tally_rows(strict.tally, motion),
        "electorate": {
            "persons": strict.tally.electorate.persons,
            "area": area_text(strict.tally.electorate.area),
        },
        "deemed": None,
    }
    if deemed is not None:
        result["deemed"] = {
            "passed": deemed.decision.passed if deemed.decision is not None else None,
            "flagged": deemed.flagged,
            "explain": deemed.explain(),
            "dimensions": _dimensions(deemed.decision) if deemed.decision is not None else [],
        }
    return result


def _results_visible(meeting: Meeting) -> bool:
    """Results once the ballot box is closed and counted, never a running yes/no split."""
    return meeting.state in COUNTED_STATES and bool(meeting.rule_set_code)


def _rule_set_info(meeting: Meeting) -> dict:
    if meeting.rule_set_code:
        rule_set = rules.rule_set(meeting.rule_set_code)
        return {"name": rule_set.name, "source": rule_set.source, "fixed": True}
    rule_set = rules.rule_set_in_force(timezone.localdate())
    return {"name": rule_set.name, "source": rule_set.source, "fixed": False}


def _settings_rows(meeting: Meeting) -> list[tuple[str, str]]:
    yes, no = gettext("Yes"), gettext("No")

    def flag(value: bool) -> str:
        return yes if value else no

    field = Meeting._meta.get_field
    rows = [
        (field("count_parking").verbose_name, flag(meeting.count_parking)),
        (field("count_storage").verbose_name, flag(meeting.count_storage)),
        (
            field("invalid_counts_as_participation").verbose_name,
            flag(meeting.invalid_counts_as_participation),
        ),
        (field("allow_change").verbose_name, flag(meeting.allow_change)),
        (field("paper_overrides_online").verbose_name, flag(meeting.paper_overrides_online)),
        (
            field("proxy_cap").verbose_name,
            str(meeting.proxy_cap) if meeting.proxy_cap else gettext("No limit"),
        ),
        (field("deemed_consent").verbose_name, flag(meeting.deemed_consent)),
        (field("board_shows_choice").verbose_name, flag(meeting.board_shows_choice)),
        (field("notice_days").verbose_name, str(meeting.notice_days)),
        (field("objection_days").verbose_name, str(meeting.objection_days)),
    ]
    return [(str(label), value) for label, value in rows]


TIMELINE = [
    ("created_at", _("meeting created")),
    ("noticed_at", _("notice given")),
    ("objection_until", _("objections until")),
    ("opened_at", _("voting opened")),
    ("closed_at", _("voting closed and counted")),
    ("published_at", _("result published")),
    ("cancelled_at", _("meeting cancelled")),
]


def _timeline(meeting: Meeting) -> list[tuple[str, str]]:
    rows = []
    for name, label in TIMELINE:
        at = getattr(meeting, name)
        if at:
            rows.append((str(label), at.isoformat() if name == "objection_until" else _local(at)))
    return rows


def meeting_detail(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk)
    p = powers(actor, meeting)
    motions = list(meeting.motions.prefetch_related("buildings", "attachments"))
    results = _results_visible(meeting)
    rows = []
    for motion in motions:
        row: dict = {"motion": motion, "electorate": _electorate_text(motion)}
        if meeting.state not in (S.DRAFT, S.CANCELLED) or motion.roll_hash:
            totals = services.electorate(motion)
            row["totals"] = {"persons": totals.persons, "area": area_text(totals.area)}
        if meeting.state == S.OPEN:
            row["turnout"] = _turnout(motion)
        if results:
            row["result"] = _result(motion)
        rows.append(row)
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": p,
        "steps": _steps(meeting, len(motions)),
        "moves": _moves(meeting, p),
        "blockers": _notice_blockers(meeting, len(motions))
        if meeting.state == S.DRAFT and p.organise
        else [],
        "rows": rows,
        "results": results,
        "rule_set": _rule_set_info(meeting),
        "precedence": services.precedence_text(meeting),
        "settings_rows": _settings_rows(meeting),
        "timeline": _timeline(meeting),
        "board_url": reverse("voting:board", args=[meeting.board_token])
        if meeting.state in COUNTED_STATES
        else "",
        "counted": meeting.state in COUNTED_STATES,
    }
    return render(request, "voting/meeting.html", context)


@require_POST
def meeting_move(request, pk, step):
    """One move of the step bar; a refusal comes back as the service's message."""
    actor = request.user
    if step not in MOVES:
        raise Http404
    meeting = get_meeting(actor, pk)
    try:
        if step == "notice":
            services.give_notice(actor=actor, meeting=meeting)
            text = gettext("Notice given: the roll is published for objections.")
        elif step == "open":
            services.open_voting(actor=actor, meeting=meeting)
            text = gettext("Voting is open: the roll is frozen.")
        elif step == "close":
            services.close_voting(actor=actor, meeting=meeting)
            text = gettext("Voting closed and counted.")
        elif step == "publish":
            services.publish(actor=actor, meeting=meeting)
            text = gettext("Result published.")
        elif step == "remind":
            sent = services.remind(actor=actor, meeting=meeting)
            text = gettext("Reminders sent: %(n)d.") % {"n": sent}
        else:
            services.cancel(actor=actor, meeting=meeting, reason=request.POST.get("reason", ""))
            text = gettext("Meeting cancelled.")
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, text)
    return redirect("voting:meeting", meeting.pk)


# -- the roll ------------------------------------------------------------------------------


def own_keys(actor, meeting: Meeting) -> set[str]:
    """The roll keys of the units the actor's owner account is bound to in this estate."""
    unit_ids = [
        int(g.value)
        for g in scope_of(actor).grants_for(Action.VOTES_CAST)
        if g.kind == "unit" and g.estate_id == meeting.estate_id
    ]
    if not unit_ids:
        return set()
    keys = {f"unit:{u}" for u in unit_ids}
    links = Ownership.objects.filter(unit_id__in=unit_ids, is_representative=True).values_list(
        "owner_id", "owner__is_developer"
    )
    for owner_id, is_developer in links:
        keys.add(f"owner:{owner_id}")
        if is_developer:
            keys.add("developer")
    return keys


def _roll_row(entry: RollEntry, full: bool, mine: set[str]) -> dict:
    own = entry.key in mine
    shown = full or own
    return {
        "entry": entry,
        "name": entry.name if shown else mask_name(entry.name),
        "units": entry.units_label if shown else services.mask_units(entry.units_label),
        "area": area_text(entry.area),
        "own": own,
    }


def roll(request, pk):
    actor = request.user
    motion = _get_related(
        actor, Motion.objects.select_related("meeting__estate"), pk, "meeting", None
    )
    meeting = motion.meeting
    p = powers(actor, meeting)
    full = p.full_roll
    mine = own_keys(actor, meeting)
    entries = motion.roll.order_by("id")
    q = request.GET.get("q", "").strip()
    if q:
        # Owners search by room only: a name search would tell who is on the roll.
        condition = Q(units_label__icontains=q)
        if full:
            condition |= Q(name__icontains=q)
        entries = entries.filter(condition)
    if request.GET.get("export") == "xlsx":
        return _roll_export(motion, entries, full, mine)
    page = paginate(entries, _page_number(request), ROLL_PAGE_SIZE)
    totals = services.electorate(motion)
    may_correct = meeting.state == S.NOTICED and p.organise
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "motion": motion,
        "powers": p,
        "full": full,
        "rows": [_roll_row(e, full, mine) for e in page.rows],
        "page": page,
        "q": q,
        "query": _query_without(request, "page"),
        "totals": {"persons": totals.persons, "area": area_text(totals.area)},
        "entry_count": motion.roll.count(),
        "excluded_count": motion.roll.filter(excluded=True).count(),
        "may_correct": may_correct,
        "correction_form": RollCorrectionForm() if may_correct else None,
        "changes": _change_rows(motion) if full else [],
        "change_count": motion.roll_changes.exclude(kind__in=["built", "frozen"]).count(),
    }
    return render(request, "voting/roll.html", context)


def _change_rows(motion: Motion) -> list[dict]:
    rows = []
    for change in motion.roll_changes.select_related("entry", "actor").order_by("-id")[:200]:
        before, after = change.before or {}, change.after or {}
        if change.kind == RollChange.Kind.BUILT:
            what = gettext("%(n)d entries") % {"n": after.get("voters", 0)}
        elif change.kind == RollChange.Kind.FROZEN:
            what = after.get("hash", "")
        else:
            parts = []
            if before.get("excluded") != after.get("excluded"):
                parts.append(
                    gettext("removed from the roll")
                    if after.get("excluded")
                    else gettext("restored to the roll")
                )
            if before.get("area") != after.get("area"):
                parts.append(f"{area_text(before.get('area'))} → {area_text(after.get('area'))} m²")
            what = "；".join(parts)
        rows.append({"change": change, "what": what})
    return rows


def _roll_export(motion: Motion, entries, full: bool, mine: set[str]) -> HttpResponse:
    headers = [
        gettext("No."),
        gettext("voter"),
        gettext("units"),
        gettext("number of units"),
        gettext("persons"),
        gettext("area (m²)"),
        gettext("developer's units"),
        gettext("removed from the roll"),
        gettext("note"),
    ]
    yes, no = gettext("Yes"), gettext("No")

    def rows():
        for i, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
            row = _roll_row(entry, full, mine)
            yield [
                i,
                row["name"],
                row["units"],
                entry.unit_count,
                entry.persons,
                row["area"].replace(",", ""),
                yes if entry.is_developer else no,
                yes if entry.excluded else no,
                entry.note,
            ]

    title = gettext("Roll of motion %(n)d") % {"n": motion.number}
    content = workbook_bytes([(title, headers, rows())])
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"roll-{motion.meeting_id}-{motion.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def roll_correct(request, pk):
    actor = request.user
    entry = _get_related(
        actor, RollEntry.objects.select_related("motion__meeting"), pk, "motion__meeting", None
    )
    form = RollCorrectionForm(request.POST)
    back = reverse("voting:roll", args=[entry.motion_id])
    if request.POST.get("return"):
        back += "?" + urlencode({"page": request.POST.get("return")})
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        services.correct_roll(
            actor=actor, entry=entry, reason=form.cleaned_data["reason"], **form.service_kwargs()
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("Roll corrected: %(voter)s.") % {"voter": entry.name})
    return redirect(back)


# -- the owner's ballot ------------------------------------------------------------------------


def _session_key(meeting: Meeting) -> str:
    return f"voting.owner.{meeting.pk}"


def _verified_owner(request, meeting: Meeting):
    """The owner verified in this session for this meeting, if still bound to the user."""
    owner_id = request.session.get(_session_key(meeting))
    if not owner_id:
        return None
    unit_ids = [
        int(g.value)
        for g in scope_of(request.user).grants_for(Action.VOTES_CAST)
        if g.kind == "unit" and g.estate_id == meeting.estate_id
    ]
    link = (
        Ownership.objects.select_related("owner")
        .filter(owner_id=owner_id, unit_id__in=unit_ids, is_representative=True)
        .first()
    )
    if link is None:
        request.session.pop(_session_key(meeting), None)
        return None
    return link.owner


def _verify(request, meeting: Meeting):
    """Check the owner's ID number (the service also limits the failed tries)."""
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            owner = services.verify_owner(
                user=request.user, meeting=meeting, id_number=form.cleaned_data["id_number"]
            )
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            request.session[_session_key(meeting)] = owner.pk
            services.mark_read(meeting=meeting, owner=owner)
            return redirect("voting:ballot", meeting.pk)
    mark_invalid(form)
    context = {"meeting": meeting, "id_form": form, "open": meeting.state == S.OPEN}
    return render(request, "voting/ballot.html", context, status=400)


def _lock_reason(meeting: Meeting, current: Ballot | None) -> str:
    """Why the owner's own online ballot could not replace the current one ("" if it can)."""
    if meeting.state != S.OPEN or current is None:
        return ""
    if current.channel == BallotChannel.PROXY:
        return ""
    if (
        current.channel in (BallotChannel.PAPER, BallotChannel.ASSISTED)
        and meeting.paper_overrides_online
    ):
        return gettext("A signed paper ballot has been counted for you; it prevails.")
    if not meeting.allow_change:
        return gettext("A ballot cannot be changed at this meeting.")
    return ""


def _ballot_cards(meeting: Meeting, owner, form: ChoicesForm | None) -> list[dict]:
    keys = services.voter_keys(meeting, owner)
    entries = list(
        RollEntry.objects.filter(motion__meeting=meeting, key__in=keys, excluded=False)
        .select_related("motion")
        .prefetch_related("motion__attachments")
        .order_by("motion__number")
    )
    ballots: dict[int, list[Ballot]] = {}
    for b in Ballot.objects.filter(entry__in=entries).order_by("cast_at", "id"):
        ballots.setdefault(b.entry_id, []).append(b)
    fields = dict(form.choice_fields()) if form is not None else {}
    cards = []
    for entry in entries:
        history = ballots.get(entry.pk, [])
        current = next((b for b in history if b.effective), None)
        cards.append(
            {
                "motion": entry.motion,
                "entry": entry,
                "area": area_text(entry.area),
                "current": current,
                "current_css": CHOICE_CSS.get(current.choice, "bg-azure-lt") if current else "",
                "history": [b for b in history if not b.effective],
                "locked": _lock_reason(meeting, current),
                "field": fields.get(entry.motion),
            }
        )
    return cards


def _ballot_form(meeting: Meeting, owner, data=None) -> ChoicesForm:
    keys = services.voter_keys(meeting, owner)
    motions = Motion.objects.filter(
        meeting=meeting, roll__key__in=keys, roll__excluded=False
    ).distinct()
    initial = {}
    for b in Ballot.objects.filter(
        motion__meeting=meeting, entry__key__in=keys, effective=True
    ).only("motion_id", "choice"):
        initial[f"motion_{b.motion_id}"] = b.choice
    return ChoicesForm(data, motions=motions.order_by("number"), initial=initial)


def ballot(request, pk):
    """The owner's ballot, phone first: identity check, then one card per motion."""
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_CAST)
    owner = _verified_owner(request, meeting)
    if request.method == "POST":
        if owner is None or request.POST.get("step") == "verify":
            return _verify(request, meeting)
        return _cast(request, meeting, owner)
    if owner is None:
        context = {"meeting": meeting, "id_form": IdentityForm(), "open": meeting.state == S.OPEN}
        return render(request, "voting/ballot.html", context)
    form = _ballot_form(meeting, owner) if meeting.state == S.OPEN else None
    return render(request, "voting/ballot.html", _ballot_context(meeting, owner, form))


def _ballot_context(meeting: Meeting, owner, form) -> dict:
    cards = _ballot_cards(meeting, owner, form)
    return {
        "meeting": meeting,
        "owner": owner,
        "form": form,
        "cards": cards,
        "open": meeting.state == S.OPEN,
        "may_submit": meeting.state == S.OPEN and any(not c["locked"] for c in cards),
        "voted": any(c["current"] for c in cards),
        "board_url": reverse("voting:board", args=[meeting.board_token]),
        "counted": meeting.state in COUNTED_STATES,
        "precedence": services.precedence_text(meeting),
    }


def _cast(request, meeting: Meeting, owner):
    form = _ballot_form(meeting, owner, request.POST)
    if form.is_valid():
        choices = form.choices()
        try:
            ballots = services.cast_own(
                user=request.user,
                meeting=meeting,
                owner=owner,
                choices=choices,
                ip=_client_ip(request),
                device=_device(request),
            )
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Your ballot is recorded: %(n)d receipt codes below.")
                % {"n": len(ballots)},
            )
            return redirect(reverse("voting:ballot", args=[meeting.pk]) + "#receipts")
    return render(request, "voting/ballot.html", _ballot_context(meeting, owner, form), status=400)


def unvoted_meetings(actor) -> list[dict]:
    """The open meetings where the owner has not voted yet, each with the time of the latest
    unread in-app reminder (for the overview page's prompt)."""
    if not scope_of(actor).allows(Action.VOTES_CAST):
        return []
    meetings = list(
        meeting_policy.visible(actor, Action.VOTES_CAST)
        .filter(state=S.OPEN)
        .select_related("estate")
        .order_by("closes_at", "id")[:20]
    )
    keys = {m.pk: own_keys(actor, m) for m in meetings}
    all_keys = set().union(*keys.values()) if keys else set()
    if not all_keys:
        return []
    voted = set(
        Ballot.objects.filter(motion__meeting__in=meetings, effective=True)
        .filter(Q(entry__key__in=all_keys) | Q(cast_by=actor))
        .values_list("motion__meeting_id", flat=True)
    )
    reminded = services.pending_reminders(meetings, all_keys)
    return [
        {"meeting": m, "reminded_at": reminded.get(m.pk)}
        for m in meetings
        if keys[m.pk] and m.pk not in voted
    ]


def my_votes(request):
    """An owner's meetings, with their own choices and receipt codes."""
    actor = request.user
    meeting_policy.require_action(actor, Action.VOTES_CAST)
    meetings = list(
        meeting_policy.visible(actor, Action.VOTES_CAST)
        .exclude(state=S.DRAFT)
        .select_related("estate")
        .order_by("-opens_at", "-id")[:100]
    )
    keys_by_estate: dict[int, set[str]] = {}
    for m in meetings:
        if m.estate_id not in keys_by_estate:
            keys_by_estate[m.estate_id] = own_keys(actor, m)
    all_keys = set().union(*keys_by_estate.values()) if keys_by_estate else set()
    ballots = (
        Ballot.objects.filter(motion__meeting__in=meetings, effective=True)
        .filter(Q(entry__key__in=all_keys) | Q(cast_by=actor))
        .select_related("motion")
        .order_by("motion__number")
    )
    by_meeting: dict[int, list[Ballot]] = {}
    for b in ballots:
        by_meeting.setdefault(b.motion.meeting_id, []).append(b)
    open_meetings = [m for m in meetings if m.state == S.OPEN]
    reminded = services.pending_reminders(open_meetings, all_keys) if open_meetings else {}
    rows = [
        {
            "meeting": m,
            "reminded_at": reminded.get(m.pk) if not by_meeting.get(m.pk) else None,
            "css": STATE_CSS.get(m.state, ""),
            "ballots": [
                {"ballot": b, "css": CHOICE_CSS.get(b.choice, "bg-azure-lt")}
                for b in by_meeting.get(m.pk, [])
            ],
            "board_url": reverse("voting:board", args=[m.board_token])
            if m.state in COUNTED_STATES
            else "",
        }
        for m in meetings
    ]
    return render(request, "voting/mine.html", {"rows": rows})


# -- paper ballots -----------------------------------------------------------------------------

SHEET_GROUPS = [
    (PaperSheet.State.FIRST, "bg-azure-lt"),
    (PaperSheet.State.MISMATCH, "bg-red-lt"),
    (PaperSheet.State.MATCHED, "bg-green-lt"),
    (PaperSheet.State.REJECTED, "bg-secondary-lt"),
]


def _entry_lines(choices: dict, motions: dict[int, Motion]) -> list[tuple[str, str]]:
    lines = []
    for key, value in sorted(choices.items()):
        if key == "voter":
            continue
        motion = motions.get(int(key))
        if motion is None:
            lines.append((key, _choice_text(value)))
        else:
            lines.append((str(motion.number), motion.choice_label(value)))
    return lines


def _sheet_groups(meeting: Meeting) -> list[dict]:
    sheets = list(
        meeting.paper_sheets.select_related("first_by", "second_by").order_by("state", "number")
    )
    motions = {m.pk: m for m in meeting.motions.all()}
    names = _voter_names(meeting, [s.voter_key for s in sheets])
    groups = []
    for state, css in SHEET_GROUPS:
        rows = []
        mismatch = state == PaperSheet.State.MISMATCH
        for sheet in (s for s in sheets if s.state == state):
            entry = names.get(sheet.voter_key)
            rows.append(
                {
                    "sheet": sheet,
                    "voter": f"{entry.name}（{entry.units_label}）" if entry else sheet.voter_key,
                    # Entries are shown only to resolve a mismatch: the first entry stays hidden
                    # so the second officer keys the sheet without seeing it, and counted
                    # sheets add up to no running tally of the paper ballots.
                    "first": _entry_lines(sheet.first_choices, motions) if mismatch else [],
                    "second": _entry_lines(sheet.second_choices, motions) if mismatch else [],
                }
            )
        groups.append({"state": state, "label": state.label, "css": css, "rows": rows})
    return groups


def paper(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_COUNT)
    p = powers(actor, meeting)
    voter_key = (request.POST.get("voter_key") or request.GET.get("voter") or "").strip()
    entries = _voter_entries(meeting, voter_key)
    form = None
    status = 200
    if entries:
        motions = [e.motion for e in entries.values()]
        form = PaperForm(
            request.POST or None,
            request.FILES or None,
            motions=motions,
            initial={"voter_key": voter_key},
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, gettext("Choose the voter on the roll first."))
            return redirect("voting:paper", meeting.pk)
        if form.is_valid():
            try:
                sheet = services.enter_paper(
                    actor=actor,
                    meeting=meeting,
                    number=form.cleaned_data["number"],
                    voter_key=voter_key,
                    choices=form.choices(),
                    scan=form.cleaned_data.get("scan"),
                )
            except DomainError as error:
                apply_service_errors(form, error)
            else:
                _paper_message(request, sheet)
                return redirect("voting:paper", meeting.pk)
        status = 400
        mark_invalid(form)
    q = request.GET.get("q", "")
    sheets = meeting.paper_sheets.exclude(state=PaperSheet.State.REJECTED)
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": p,
        "q": q,
        "found": _voter_search(meeting, q),
        "voter": next(iter(entries.values()), None),
        "form": form,
        "groups": _sheet_groups(meeting),
        "counts": {
            "issued": meeting.paper_issued,
            "returned": meeting.paper_returned,
            "entered": sheets.count(),
            "matched": sheets.filter(state=PaperSheet.State.MATCHED).count(),
        },
        "counts_form": PaperCountsForm(
            initial={"issued": meeting.paper_issued, "returned": meeting.paper_returned}
        )
        if p.organise and meeting.state in (S.NOTICED, S.OPEN)
        else None,
        "reject_form": RejectForm() if p.organise else None,
        "open": meeting.state == S.OPEN,
    }
    return render(request, "voting/paper.html", context, status=status)


def _paper_message(request, sheet: PaperSheet) -> None:
    n = {"n": sheet.number}
    if sheet.state == PaperSheet.State.FIRST:
        messages.success(
            request,
            gettext("Sheet %(n)s entered once: a different officer must now key it again.") % n,
        )
    elif sheet.state == PaperSheet.State.MATCHED:
        messages.success(request, gettext("Sheet %(n)s: both entries match, counted.") % n)
    else:
        messages.warning(
            request,
            gettext(
                "Sheet %(n)s: the two entries differ. Check the signed sheet and key it again, "
                "or reject it."
            )
            % n,
        )


@require_POST
def paper_counts(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_COUNT)
    form = PaperCountsForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("voting:paper", meeting.pk)
    try:
        services.set_paper_counts(
            actor=actor,
            meeting=meeting,
            issued=form.cleaned_data["issued"],
            returned=form.cleaned_data["returned"],
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("Paper ballot counts saved."))
    return redirect("voting:paper", meeting.pk)


@require_POST
def paper_reject(request, pk):
    actor = request.user
    sheet = _get_related(
        actor, PaperSheet.objects.select_related("meeting"), pk, "meeting", Action.VOTES_COUNT
    )
    try:
        services.reject_sheet(actor=actor, sheet=sheet, reason=request.POST.get("reason", ""))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("Sheet %(n)s rejected.") % {"n": sheet.number})
    return redirect("voting:paper", sheet.meeting_id)


# -- proxies -----------------------------------------------------------------------------------


def _proxy_status(proxy: Proxy, now) -> tuple[str, str]:
    if proxy.revoked_at is not None:
        return gettext("Revoked"), "bg-secondary-lt"
    if proxy.valid_until is not None and proxy.valid_until <= now:
        return gettext("Expired"), "bg-secondary-lt"
    return gettext("In force"), "bg-green-lt"


def proxies(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_COUNT)
    voter_key = (request.POST.get("voter_key") or request.GET.get("voter") or "").strip()
    entries = _voter_entries(meeting, voter_key)
    voter = next(iter(entries.values()), None)
    if voter is not None and voter.owner_id is None:
        voter = None
    motions = list(meeting.motions.order_by("number"))
    form = ProxyForm(
        request.POST or None,
        request.FILES or None,
        motions=motions,
        initial={"voter_key": voter_key},
    )
    status = 200
    if request.method == "POST":
        if voter is None:
            messages.error(request, gettext("Choose the owner on the roll first."))
            return redirect("voting:proxies", meeting.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                proxy = services.record_proxy(
                    actor=actor,
                    meeting=meeting,
                    owner=voter.owner,
                    holder_name=data["holder_name"],
                    holder_id_number=data["holder_id_number"],
                    motion=form.chosen_motion(),
                    valid_until=data.get("valid_until"),
                    document=data.get("document"),
                )
            except DomainError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Entrustment recorded: %(holder)s for %(owner)s.")
                    % {"holder": proxy.holder_name, "owner": voter.name},
                )
                return redirect("voting:proxies", meeting.pk)
        status = 400
        mark_invalid(form)
    now = timezone.now()
    rows = []
    listed = (
        meeting.proxies.select_related("owner", "motion", "created_by")
        .annotate(ballot_count=Count("ballot"))
        .order_by("-id")
    )
    for proxy in listed:
        label, css = _proxy_status(proxy, now)
        rows.append(
            {
                "proxy": proxy,
                "holder_id": mask(proxy.holder_id_number),
                "status": label,
                "css": css,
                "active": css == "bg-green-lt",
            }
        )
    q = request.GET.get("q", "")
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": powers(actor, meeting),
        "rows": rows,
        "q": q,
        "found": _voter_search(meeting, q, with_owner=True),
        "voter": voter,
        "form": form if voter is not None else None,
        "open": meeting.state == S.OPEN,
        "may_record": meeting.state in (S.NOTICED, S.OPEN),
    }
    return render(request, "voting/proxies.html", context, status=status)


@require_POST
def proxy_revoke(request, pk):
    actor = request.user
    proxy = _get_related(
        actor, Proxy.objects.select_related("meeting"), pk, "meeting", Action.VOTES_COUNT
    )
    try:
        services.revoke_proxy(actor=actor, proxy=proxy)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("Entrustment revoked."))
    return redirect("voting:proxies", proxy.meeting_id)


def proxy_vote(request, pk):
    """The proxy holder votes for the owner: recorded by an officer who checks the holder's ID,
    or by the holder's own account."""
    actor = request.user
    proxy = _get_related(
        actor, Proxy.objects.select_related("meeting__estate", "owner", "motion"), pk, "meeting",
        None,
    )  # fmt: skip
    meeting = proxy.meeting
    is_holder = proxy.holder_user_id is not None and proxy.holder_user_id == actor.pk
    if not is_holder and not meeting_policy.can(actor, Action.VOTES_COUNT, meeting):
        raise PermissionDenied
    keys = services.voter_keys(meeting, proxy.owner)
    motions = Motion.objects.filter(
        meeting=meeting, roll__key__in=keys, roll__excluded=False
    ).distinct()
    if proxy.motion_id:
        motions = motions.filter(pk=proxy.motion_id)
    motions = list(motions.order_by("number"))
    form = ProxyVoteForm(request.POST or None, motions=motions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ballots = services.cast_by_proxy(
                    actor=actor,
                    proxy=proxy,
                    holder_id_number=form.cleaned_data["holder_id_number"],
                    choices=form.choices(),
                    ip=_client_ip(request),
                    device=_device(request),
                )
            except DomainError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Recorded for %(owner)s. Receipt codes: %(codes)s.")
                    % {"owner": proxy.owner.name, "codes": "、".join(b.receipt for b in ballots)},
                )
                return redirect("voting:proxies", meeting.pk)
        status = 400
        mark_invalid(form)
    label, css = _proxy_status(proxy, timezone.now())
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "proxy": proxy,
        "status": label,
        "status_css": css,
        "holder_id": mask(proxy.holder_id_number),
        "form": form,
        "open": meeting.state == S.OPEN,
        "powers": powers(actor, meeting),
    }
    return render(request, "voting/proxy_vote.html", context, status=status)


# -- delivery proofs ---------------------------------------------------------------------------


def _delivery_rows(meeting: Meeting, voters: list[RollEntry]) -> list[dict]:
    keys = [v.key for v in voters]
    found: dict[str, list[Delivery]] = {}
    for d in Delivery.objects.filter(meeting=meeting, voter_key__in=keys).order_by("sent_at"):
        found.setdefault(d.voter_key, []).append(d)
    rows = []
    for voter in voters:
        proofs = found.get(voter.key, [])
        notices = [d for d in proofs if d.kind == Delivery.Kind.NOTICE]
        read = [d.read_at for d in notices if d.read_at]
        rows.append(
            {
                "voter": voter,
                "area": area_text(voter.area),
                "notified": bool(notices),
                "channels": sorted({d.get_channel_display() for d in notices}),
                "read_at": min(read) if read else None,
                "paper": [d for d in notices if d.channel == Delivery.Channel.PAPER],
                "posted": [d for d in notices if d.channel == Delivery.Channel.POSTED],
                "reminders": sum(1 for d in proofs if d.kind == Delivery.Kind.REMINDER),
                "proofs": proofs,
            }
        )
    return rows


def deliveries(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_COUNT)
    voter_key = (request.POST.get("voter_key") or request.GET.get("voter") or "").strip()
    chosen = next(iter(_voter_entries(meeting, voter_key).values()), None)
    form = DeliveryForm(
        request.POST or None, request.FILES or None, initial={"voter_key": voter_key}
    )
    status = 200
    if request.method == "POST":
        if chosen is None:
            messages.error(request, gettext("Choose the voter on the roll first."))
            return redirect("voting:deliveries", meeting.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_delivery(
                    actor=actor,
                    meeting=meeting,
                    voter_key=chosen.key,
                    channel=data["channel"],
                    sent_at=data.get("sent_at"),
                    evidence=data.get("evidence"),
                    note=data.get("note", ""),
                )
            except DomainError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, gettext("Delivery recorded for %(voter)s.") % {"voter": chosen.name}
                )
                return redirect(
                    reverse("voting:deliveries", args=[meeting.pk])
                    + f"?{urlencode({'q': chosen.name})}"
                )
        status = 400
        mark_invalid(form)
    everyone = services.voters(meeting)
    q = request.GET.get("q", "").strip()
    if q:
        everyone = [v for v in everyone if q in v.name or q in v.units_label]
    page = _list_page(everyone, _page_number(request), VOTER_PAGE_SIZE)
    notices = Delivery.objects.filter(meeting=meeting, kind=Delivery.Kind.NOTICE)
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": powers(actor, meeting),
        "rows": _delivery_rows(meeting, page.rows),
        "page": page,
        "q": q,
        "query": _query_without(request, "page"),
        "chosen": chosen,
        "form": form if chosen is not None else None,
        "may_record": meeting.state in (S.NOTICED, S.OPEN),
        "summary": {
            "voters": len(services.voters(meeting)) if q else len(everyone),
            "notified": notices.values("voter_key").distinct().count(),
            "read": notices.filter(read_at__isnull=False).values("voter_key").distinct().count(),
            "paper": notices.filter(channel=Delivery.Channel.PAPER)
            .values("voter_key")
            .distinct()
            .count(),
        },
    }
    return render(request, "voting/deliveries.html", context, status=status)


# -- fraud signals -----------------------------------------------------------------------------


def fraud_signals(request, pk):
    actor = request.user
    meeting = get_meeting(actor, pk, Action.VOTES_SUPERVISE)
    found = fraud.signals(meeting) if meeting.state != S.DRAFT else []
    order = {"warning": 0, "info": 1}
    found = sorted(found, key=lambda s: order.get(s.severity, 2))
    context = {
        "meeting": meeting,
        "state_css": STATE_CSS.get(meeting.state, ""),
        "powers": powers(actor, meeting),
        "signals": found,
        "warnings": sum(1 for s in found if s.severity == "warning"),
    }
    return render(request, "voting/signals.html", context)


# -- files (attachments, entrustments, receipts, scans) ----------------------------------------

FILES = {
    # kind: (model, file field, path to the meeting, actions of which one is needed)
    "attachment": (MotionAttachment, "file", "motion__meeting", (Action.VOTES_VIEW,)),
    "proxy": (Proxy, "document", "meeting", (Action.VOTES_COUNT, Action.VOTES_SUPERVISE)),
    "delivery": (Delivery, "evidence", "meeting", (Action.VOTES_COUNT, Action.VOTES_SUPERVISE)),
    "sheet": (PaperSheet, "scan", "meeting", (Action.VOTES_COUNT, Action.VOTES_SUPERVISE)),
}


def voting_file(request, kind, pk):
    """One stored file, to those who may see it: attachments to every voter, the signed
    documents and photos to the counting team and the supervisors."""
    if kind not in FILES:
        raise Http404
    model, field, path, actions = FILES[kind]
    actor = request.user
    select = "motion__meeting" if path == "motion__meeting" else "meeting"
    obj = _get_related(actor, model.objects.select_related(select), pk, path, None)
    meeting = _meeting_of(obj)
    if not any(meeting_policy.can(actor, a, meeting) for a in actions):
        raise PermissionDenied
    stored = getattr(obj, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, filename=os.path.basename(stored.name))
