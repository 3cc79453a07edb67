"""Joint meeting pages (联席会议): a street or the district schedules a meeting with an agenda
of the escalated orders it will hear, lists its meetings, and records the outcome of each
order heard. Meetings are fetched through disputes.meeting_policy (another region's meeting
answers 404); every write goes through the services in anju.workorders.disputes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.forms import StyledFormMixin, apply_service_errors, mark_invalid
from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.regions.models import Region
from anju.regions.permissions import region_policy
from anju.workorders import disputes
from anju.workorders.access import order_policy
from anju.workorders.forms import DisputeRecordForm
from anju.workorders.machine import IllegalTransition, State
from anju.workorders.models import DisputeLevel, DisputeStep, JointMeeting, WorkOrder
from anju.workorders.views import state_css

# -- the list ----------------------------------------------------------------------------------


def _status(meeting: JointMeeting) -> str:
    if meeting.held:
        return str(_("held"))
    if meeting.scheduled_at >= timezone.now():
        return str(_("upcoming"))
    return str(_("outcome not recorded"))


class MeetingListing(Listing):
    def queryset(self, actor, params):
        when = (params.get("when") or "").strip()
        plain = params.copy()
        plain.pop("when", None)
        qs = super().queryset(actor, plain).annotate(n_agenda=Count("agenda", distinct=True))
        now = timezone.now()
        if when == "upcoming":
            qs = qs.filter(scheduled_at__gte=now, held=False)
        elif when == "past":
            qs = qs.filter(Q(scheduled_at__lt=now) | Q(held=True))
        return qs


class MeetingListView(ListingView):
    listing = MeetingListing(
        policy=disputes.meeting_policy,
        title=_("Joint meetings"),
        columns=[
            Column(
                "scheduled_at",
                _("time"),
                lambda m: date_format(timezone.localtime(m.scheduled_at), "Y-m-d H:i"),
                sort="scheduled_at",
                link=True,
            ),
            Column("level", _("level"), choice_label(JointMeeting, "level"), sort="level"),
            Column("region", _("convened by"), lambda m: m.region.name),
            Column("place", _("place"), lambda m: m.place),
            Column("agenda", _("orders on the agenda"), lambda m: m.n_agenda),
            Column("status", _("state"), _status),
        ],
        search_fields=["place__icontains", "participants__icontains"],
        search_help=_("Place or participants"),
        filters=[
            Filter(
                "when",
                _("when"),
                "",
                choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
            ),
            Filter("level", _("level"), "level", choices=DisputeLevel.choices[:2], transform=int),
        ],
        default_sort="-scheduled_at",
        select_related=["region"],
        export_name="joint-meetings",
        detail_url=detail_link("workorders:meeting_detail"),
        create_url="workorders:meeting_create",
        create_action=Action.ORDERS_MEDIATE,
    )


# -- scheduling --------------------------------------------------------------------------------


def convening_regions(actor):
    """The streets and districts the actor may convene a joint meeting for."""
    scope = scope_of(actor)
    regions = region_policy.visible(actor).filter(
        level__in=(Region.Level.STREET, Region.Level.DISTRICT)
    )
    return [
        r for r in regions.order_by("code") if covers_region(scope, Action.ORDERS_MEDIATE, r.code)
    ]


def candidate_orders(actor):
    """Escalated orders in scope awaiting a street or district joint meeting."""
    return (
        order_policy.visible(actor, Action.ORDERS_MEDIATE)
        .filter(
            state=State.ESCALATED,
            dispute_level__in=(DisputeLevel.STREET_MEETING, DisputeLevel.DISTRICT_MEETING),
        )
        .select_related("estate")
        .only("pk", "number", "title", "dispute_level", "estate__name", "region_code")
        .order_by("created_at", "pk")
    )


def _order_label(order: WorkOrder) -> str:
    level = DisputeLevel(order.dispute_level).label if order.dispute_level else ""
    estate = order.estate.name if order.estate_id else ""
    return " · ".join(p for p in (order.number, order.title, estate, str(level)) if p)


class MeetingForm(StyledFormMixin, forms.Form):
    region = forms.TypedChoiceField(label=_("convened by"), coerce=int)
    scheduled_at = forms.DateTimeField(
        label=_("time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    participants = forms.CharField(
        label=_("participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Units and people invited, e.g. street, community, company, committee."),
    )
    orders = forms.TypedMultipleChoiceField(
        label=_("agenda"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Escalated orders awaiting a joint meeting: a street meeting hears the orders at "
            "the street level, a district meeting those at the district level."
        ),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.pk: r for r in convening_regions(actor)}
        self.fields["region"].choices = [
            (pk, f"{r.name}（{r.get_level_display()}）") for pk, r in self.regions.items()
        ]
        self.candidates = {o.pk: o for o in candidate_orders(actor)}
        self.fields["orders"].choices = [(pk, _order_label(o)) for pk, o in self.candidates.items()]
        self.fields["orders"].widget.attrs["class"] = "form-check-input"


def meeting_create(request):
    actor = request.user
    if not scope_of(actor).allows(Action.ORDERS_MEDIATE):
        raise PermissionDenied
    initial = {"scheduled_at": timezone.localtime().replace(second=0, microsecond=0)}
    order = request.GET.get("order", "")
    if order.isdigit():
        initial["orders"] = [int(order)]
    form = MeetingForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = disputes.schedule_meeting(
                actor=actor,
                region=form.regions[data["region"]],
                scheduled_at=data["scheduled_at"],
                orders=[form.candidates[pk] for pk in data["orders"]],
                place=data["place"],
                participants=data["participants"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, gettext("Joint meeting scheduled."))
            return redirect("workorders:meeting_detail", meeting.pk)
    status = 400 if request.method == "POST" else 200
    if status == 400:
        mark_invalid(form)
    context = {"form": form, "cancel_url": reverse("workorders:meetings")}
    return render(request, "workorders/meeting_form.html", context, status=status)


# -- one meeting -------------------------------------------------------------------------------


class AgendaForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(label=_("agenda"), coerce=int)


class MeetingOutcomeForm(DisputeRecordForm):
    """What the meeting decided on one order: met_at and participants are the meeting's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("met_at", "participants", "mediation"):
            del self.fields[name]


def _meeting(actor, pk) -> JointMeeting:
    return disputes.meeting_policy.get(actor, pk, qs=JointMeeting.objects.select_related("region"))


def meeting_detail(request, pk):
    actor = request.user
    meeting = _meeting(actor, pk)
    may_act = covers_region(scope_of(actor), Action.ORDERS_MEDIATE, meeting.region.code)
    visible = set(
        order_policy.visible(actor)
        .filter(pk__in=meeting.agenda.values("pk"))
        .values_list("pk", flat=True)
    )
    steps = {
        s.order_id: s
        for s in DisputeStep.objects.filter(
            order__in=meeting.agenda.all(), level=meeting.level
        ).order_by("id")
    }
    taken_place = meeting.scheduled_at <= timezone.now()
    agenda = []
    for order in meeting.agenda.select_related("estate", "category").order_by("created_at"):
        step = steps.get(order.pk)
        open_here = (
            step is not None
            and not step.outcome
            and order.state == State.ESCALATED
            and order.dispute_level == meeting.level
        )
        agenda.append(
            {
                "order": order,
                "visible": order.pk in visible,
                "state_css": state_css(order.state),
                "step": step,
                "form": (
                    MeetingOutcomeForm(auto_id=f"id_o{order.pk}_%s")
                    if may_act and open_here and taken_place
                    else None
                ),
            }
        )
    candidates = []
    if may_act and not meeting.held:
        on_agenda = {row["order"].pk for row in agenda}
        candidates = [
            (o.pk, _order_label(o))
            for o in disputes.agenda_candidates(actor, region=meeting.region, level=meeting.level)
            if o.pk not in on_agenda
        ]
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "candidates": candidates,
        "may_act": may_act,
        "taken_place": taken_place,
    }
    return render(request, "workorders/meeting_detail.html", context)


def _errors(request, error: Exception) -> None:
    if isinstance(error, IllegalTransition):
        messages.error(request, error.message)
        return
    if hasattr(error, "error_dict"):
        for errors in error.error_dict.values():
            for e in errors:
                for message in e.messages:
                    messages.error(request, message)
    else:
        for message in error.messages:
            messages.error(request, message)


@require_POST
def meeting_agenda(request, pk):
    actor = request.user
    meeting = _meeting(actor, pk)
    if not covers_region(scope_of(actor), Action.ORDERS_MEDIATE, meeting.region.code):
        raise PermissionDenied
    form = AgendaForm(request.POST)
    candidates = {
        o.pk: o
        for o in disputes.agenda_candidates(actor, region=meeting.region, level=meeting.level)
    }
    form.fields["orders"].choices = [(pk, pk) for pk in candidates]
    if not form.is_valid():
        messages.error(
            request, gettext("Choose orders awaiting this meeting's level to add to the agenda.")
        )
        return redirect("workorders:meeting_detail", meeting.pk)
    try:
        disputes.add_to_agenda(
            actor=actor,
            meeting=meeting,
            orders=[candidates[o] for o in form.cleaned_data["orders"]],
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, gettext("Added to the agenda."))
    return redirect("workorders:meeting_detail", meeting.pk)


@require_POST
def meeting_outcome(request, pk, order_pk):
    """Record what the meeting decided on one order of its agenda."""
    actor = request.user
    meeting = _meeting(actor, pk)
    if not covers_region(scope_of(actor), Action.ORDERS_MEDIATE, meeting.region.code):
        raise PermissionDenied
    order = order_policy.get(actor, order_pk, Action.ORDERS_MEDIATE)
    form = MeetingOutcomeForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            for error in errors:
                messages.error(request, f"{field.label}：{error}" if field else error)
        return redirect("workorders:meeting_detail", meeting.pk)
    data = form.cleaned_data
    try:
        disputes.record_at_meeting(
            actor=actor,
            meeting=meeting,
            order=order,
            outcome=data["outcome"],
            minutes=data["minutes"],
            agreement=data["agreement"],
            judicial_confirmation=data["judicial_confirmation"],
            next_reason=data["next_reason"],
        )
    except (IllegalTransition, ValidationError) as error:
        _errors(request, error)
    else:
        messages.success(
            request, gettext("Outcome of %(number)s recorded.") % {"number": order.number}
        )
    return redirect("workorders:meeting_detail", meeting.pk)
