"""The complainant's return-visit page: a personal link, no login (complaints.md §2.3 #16)."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from anju.workorders import services
from anju.workorders.machine import State
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
