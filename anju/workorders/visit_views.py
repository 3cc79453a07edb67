"""The complainant's return-visit page: a personal link, no login (complaints.md §2.3 #16)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from anju.workorders import services, visit_sms
from anju.workorders.access import actors_for, order_policy
from anju.workorders.machine import Actor, IllegalTransition, State
from anju.workorders.models import Visit


class VisitForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Has your problem been solved?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how it was handled?"),
        choices=Visit.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to add (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def visit(request, token: str):
    found = Visit.objects.select_related("order", "order__category").filter(token=token).first()
    if found is None:
        raise Http404
    order = found.order
    answered = found.answered_at is not None or found.satisfaction != ""
    open_for_answer = not answered and order.state == State.PENDING_VISIT
    form = VisitForm(request.POST or None)
    if request.method == "POST" and open_for_answer and form.is_valid():
        try:
            services.answer_visit(token=token, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "workorders/visit_done.html", {"order": order})
    return render(
        request,
        "workorders/visit.html",
        {"order": order, "form": form, "answered": answered, "open": open_for_answer},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_POST
def visit_resend(request, pk: int):
    """The visitor sends the complainant's personal link again by text message."""
    actor = request.user
    order = order_policy.get(actor, pk)
    if Actor.VISITOR not in actors_for(actor, order):
        raise PermissionDenied
    visit = visit_sms.open_visit(order)
    if visit is None:
        messages.error(request, gettext("This order is not waiting for the complainant's answer."))
        return redirect("workorders:detail", order.pk)
    try:
        message = visit_sms.send_link(visit=visit, actor=actor)
    except (IllegalTransition, ValidationError) as error:
        for text in getattr(error, "messages", None) or [error.message]:
            messages.error(request, text)
    else:
        if message.status == message.Status.SENT:
            messages.success(
                request,
                gettext("Link sent to %(phone)s.") % {"phone": message.phone_masked},
            )
        else:
            messages.error(request, gettext("The text message could not be sent; try again later."))
    return redirect("workorders:detail", order.pk)
