"""The responsibility matrix: dispatchers consult it, the district administrator edits it.

Like the working calendar it is shared configuration (not tied to one region): a role without
the action gets 403; every change goes through an audited service.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.core.policy import Policy
from anju.core.services import model_create, model_update
from anju.core.views import form_page
from anju.estates.models import Estate
from anju.workorders.matrix_data import UNIT_KINDS
from anju.workorders.models import Category, ResponsibilityRule

rule_policy = Policy(
    ResponsibilityRule,
    view=Action.ORDERS_DISPATCH,
    change=Action.ORDERS_CONFIGURE,
    scope_filter=lambda scope, action: Q(),
)
UNIT_CHOICES = list(UNIT_KINDS.items())


def _units(kinds) -> str:
    return "、".join(UNIT_KINDS.get(k, k) for k in kinds or [])


class MatrixListView(ListingView):
    listing = Listing(
        policy=rule_policy,
        title=_("Responsibility matrix"),
        columns=[
            Column(
                "category",
                _("category"),
                lambda r: str(r.category),
                sort="category__code",
                link=True,
            ),
            Column(
                "estate_kind", _("estate type"), choice_label(ResponsibilityRule, "estate_kind")
            ),
            Column("lead", _("lead unit"), lambda r: UNIT_KINDS.get(r.lead, r.lead), sort="lead"),
            Column("co", _("co-units"), lambda r: _units(r.co)),
            Column("basis", _("legal basis"), lambda r: r.basis),
            Column("source", _("source"), lambda r: r.source),
        ],
        search_fields=["category__name__icontains", "basis__icontains", "category__code"],
        search_help=_("Category or legal basis"),
        filters=[Filter("lead", _("lead unit"), "lead", choices=UNIT_CHOICES)],
        default_sort="category",
        select_related=["category", "category__parent"],
        export_name="responsibility-matrix",
        detail_url=detail_link("workorders:rule_edit"),
        create_url="workorders:rule_create",
        create_action=Action.ORDERS_CONFIGURE,
    )
    extra_links = [
        (_("Complaint categories"), reverse_lazy("workorders:categories"), "categories"),
        (_("Deadline classes"), reverse_lazy("workorders:deadlines"), "deadlines"),
    ]


class RuleForm(forms.ModelForm):
    lead = forms.ChoiceField(label=_("lead unit"), choices=UNIT_CHOICES)
    co = forms.MultipleChoiceField(
        label=_("co-units"), choices=UNIT_CHOICES, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip

    class Meta:
        model = ResponsibilityRule
        fields = ["category", "estate_kind", "lead", "co", "basis", "source"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True).select_related(
            "parent"
        )
        self.fields["estate_kind"].choices = [("", _("any estate type")), *Estate.Kind.choices]

    def clean(self):
        data = super().clean()
        if data.get("lead") and data.get("lead") in (data.get("co") or []):
            self.add_error("co", _("The lead unit is not also a co-unit."))
        return data


def _require_change(actor) -> None:
    if not scope_of(actor).allows(Action.ORDERS_CONFIGURE):
        raise PermissionDenied


def _data(form) -> dict:
    data = dict(form.cleaned_data)
    data["co"] = list(data.get("co") or [])
    return data


def rule_create(request):
    actor = request.user
    _require_change(actor)
    form = RuleForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("New responsibility rule"),
        cancel_url=reverse("workorders:matrix"),
        save=lambda data: model_create(
            actor=actor, model=ResponsibilityRule, data=_data(form), action="matrix.create"
        ),
        success_url=reverse("workorders:matrix"),
    )


def rule_edit(request, pk: int):
    actor = request.user
    _require_change(actor)
    rule = get_object_or_404(ResponsibilityRule, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    return form_page(
        request,
        form=form,
        title=_("Edit responsibility rule"),
        cancel_url=reverse("workorders:matrix"),
        save=lambda data: model_update(
            actor=actor,
            instance=ResponsibilityRule.objects.get(pk=pk),
            data=_data(form),
            action="matrix.update",
        ),
        success_url=reverse("workorders:matrix"),
    )
