"""Pages for the work-order reference data: the category tree and the deadline configuration
(class figures, the class of a category on a channel, the rework deadline).

Shared configuration like the responsibility matrix (anju.workorders.matrix_views):
dispatchers read it, the district administrator changes it; a role without the action gets
403, and every change goes through an audited service in anju.workorders.configuration.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.forms import StyledFormMixin
from anju.core.views import form_page
from anju.workorders import configuration
from anju.workorders.deadlines import DEFAULT_CLASSES, Unit
from anju.workorders.models import (
    Category,
    Channel,
    DeadlineChoice,
    DeadlineClassCode,
    Kind,
)


def _require_view(actor) -> None:
    if not scope_of(actor).allows(Action.ORDERS_DISPATCH):
        raise PermissionDenied


def _may_change(actor) -> bool:
    return scope_of(actor).allows(Action.ORDERS_CONFIGURE)


# -- the category tree -------------------------------------------------------------------------


def categories(request):
    """The tree: each group with its categories, their deadline class, type and orders."""
    actor = request.user
    _require_view(actor)
    rows = list(
        Category.objects.select_related("parent")
        .annotate(n_orders=Count("orders", distinct=True), n_rules=Count("rules", distinct=True))
        .order_by("code")
    )
    children: dict[int | None, list[Category]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    tree = [{"group": g, "children": children.get(g.pk, [])} for g in children.get(None, [])]
    return render(
        request,
        "workorders/categories.html",
        {"tree": tree, "may_change": _may_change(actor)},
    )


class CategoryForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("code"), max_length=64, help_text=_("e.g. fire.exit_blocked (group.category)")
    )
    name = forms.CharField(label=_("name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("group"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("none: this is a group"),
    )
    deadline_class = forms.ChoiceField(label=_("deadline class"), choices=DeadlineClassCode.choices)
    kind = forms.ChoiceField(label=_("default type"), choices=Kind.choices)
    active = forms.BooleanField(label=_("active (offered at intake)"), required=False, initial=True)

    def __init__(self, *args, instance: Category | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": instance.code,
                    "name": instance.name,
                    "parent": instance.parent_id,
                    "deadline_class": instance.deadline_class,
                    "kind": instance.kind,
                    "active": instance.active,
                },
            )
        super().__init__(*args, **kwargs)
        groups = Category.objects.filter(parent__isnull=True)
        if instance is not None:
            groups = groups.exclude(pk=instance.pk)
        self.fields["parent"].queryset = groups.order_by("code")


def _require_change(actor) -> None:
    if not _may_change(actor):
        raise PermissionDenied


def category_create(request):
    actor = request.user
    _require_change(actor)
    initial = {}
    parent = request.GET.get("parent", "")
    if parent.isdigit():
        initial["parent"] = int(parent)
    form = CategoryForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        title=_("New category"),
        cancel_url=reverse("workorders:categories"),
        save=lambda data: configuration.category_create(actor=actor, data=data),
        success_url=reverse("workorders:categories"),
    )


def category_edit(request, pk: int):
    actor = request.user
    _require_change(actor)
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST or None, instance=category)
    return form_page(
        request,
        form=form,
        title=_("Edit category"),
        cancel_url=reverse("workorders:categories"),
        save=lambda data: configuration.category_update(actor=actor, category=category, data=data),
        success_url=reverse("workorders:categories"),
    )


@require_POST
def category_delete(request, pk: int):
    actor = request.user
    _require_change(actor)
    category = get_object_or_404(Category, pk=pk)
    try:
        configuration.category_delete(actor=actor, category=category)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Category deleted."))
    return redirect("workorders:categories")


# -- deadline configuration ----------------------------------------------------------------------


def _unit_label(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


def deadlines(request):
    """The class figures, the rework deadline and the classes chosen per category × channel."""
    actor = request.user
    _require_view(actor)
    classes = []
    for code in DEFAULT_CLASSES:
        row = configuration.class_row(code)
        classes.append(
            {
                "code": code,
                "label": row.get_code_display(),
                "clocks": [
                    (
                        getattr(row, f"{clock}_amount"),
                        _unit_label(getattr(row, f"{clock}_unit")),
                    )
                    for clock in configuration.CLOCKS
                ],
            }
        )
    choices = DeadlineChoice.objects.select_related("category__parent").order_by(
        "category__code", "channel"
    )
    return render(
        request,
        "workorders/deadlines.html",
        {
            "classes": classes,
            "settings": configuration.deadline_settings(),
            "choices": choices,
            "may_change": _may_change(actor),
        },
    )


UNIT_CHOICES = Unit.choices


class DeadlineClassForm(StyledFormMixin, forms.Form):
    sign_amount = forms.IntegerField(label=_("sign within"), min_value=1)
    sign_unit = forms.ChoiceField(label=_("unit of the sign clock"), choices=UNIT_CHOICES)
    contact_amount = forms.IntegerField(label=_("contact within"), min_value=1)
    contact_unit = forms.ChoiceField(label=_("unit of the contact clock"), choices=UNIT_CHOICES)
    feedback_amount = forms.IntegerField(label=_("feedback within"), min_value=1)
    feedback_unit = forms.ChoiceField(label=_("unit of the feedback clock"), choices=UNIT_CHOICES)


def deadline_class_edit(request, code: str):
    actor = request.user
    _require_change(actor)
    if code not in DEFAULT_CLASSES:
        raise Http404
    row = configuration.class_row(code)
    initial = {
        f"{clock}_{part}": getattr(row, f"{clock}_{part}")
        for clock in configuration.CLOCKS
        for part in ("amount", "unit")
    }
    form = DeadlineClassForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        title=gettext("Deadline class: %(name)s") % {"name": row.get_code_display()},
        cancel_url=reverse("workorders:deadlines"),
        save=lambda data: configuration.deadline_class_update(actor=actor, code=code, data=data),
        success_url=reverse("workorders:deadlines"),
    )


class DeadlineSettingsForm(StyledFormMixin, forms.Form):
    rework_days = forms.IntegerField(
        label=_("rework deadline (working days)"),
        min_value=1,
        max_value=30,
        help_text=_("The new feedback deadline of a reworked or reopened order."),
    )


def deadline_settings(request):
    actor = request.user
    _require_change(actor)
    current = configuration.deadline_settings()
    form = DeadlineSettingsForm(request.POST or None, initial={"rework_days": current.rework_days})
    return form_page(
        request,
        form=form,
        title=_("Rework deadline"),
        cancel_url=reverse("workorders:deadlines"),
        save=lambda data: configuration.deadline_settings_update(
            actor=actor, rework_days=data["rework_days"]
        ),
        success_url=reverse("workorders:deadlines"),
    )


class DeadlineChoiceForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.none())
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    deadline_class = forms.ChoiceField(
        label=_("deadline class"),
        choices=[("", _("the category's own class")), *DeadlineClassCode.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent").order_by(
            "code"
        )


def deadline_choice(request):
    """Choose the class of a category's orders from one channel (or remove the choice)."""
    actor = request.user
    _require_change(actor)
    initial = {}
    for key in ("category", "channel"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = DeadlineChoiceForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        title=_("Deadline class by channel"),
        cancel_url=reverse("workorders:deadlines"),
        save=lambda data: configuration.deadline_choice_set(
            actor=actor,
            category=data["category"],
            channel=data["channel"],
            deadline_class=data["deadline_class"],
        ),
        success_url=reverse("workorders:deadlines"),
    )
