"""API operations on the work-order reference data: the category tree, the deadline
configuration and the responsibility matrix (registered on anju.workorders.api.router).

Shared configuration, tied to no region: dispatchers read it, the district administrator
changes it; a role lacking the action answers 403, bad input 400 naming the field, and a
refused change writes nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Status

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.api import ErrorOut, page_of
from anju.workorders import configuration
from anju.workorders.api import router
from anju.workorders.deadlines import DEFAULT_CLASSES
from anju.workorders.models import Category, DeadlineChoice, ResponsibilityRule
from anju.workorders.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    DeadlineConfigIn,
    DeadlineConfigOut,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
)

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _require_read(actor) -> None:
    if not scope_of(actor).allows(Action.ORDERS_DISPATCH):
        raise PermissionDenied


def _category_out(pk: int) -> Category:
    return (
        Category.objects.select_related("parent").annotate(n_children=Count("children")).get(pk=pk)
    )


def _category_by_code(field: str, code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code.strip()).first()
    if category is None:
        raise ValidationError({field: _("No category has this code.")})
    return category


# -- categories ------------------------------------------------------------------------------


@router.post(
    "/orders/categories",
    response={201: CategoryOut, **ERRORS},
    summary="Add a category or a group (新增分类)",
    description=(
        "For the district administrator. A group has no `parent`; a category names its "
        "group's code. Codes are group.category in lower case. A duplicate code, a parent "
        "that is not a group, or a group with orders of its own answers 400."
    ),
)
def category_create(request, payload: CategoryIn):
    configuration.require_configure(request.user)
    data = payload.dict()
    data["parent"] = _category_by_code("parent", data["parent"])
    category = configuration.category_create(actor=request.user, data=data)
    return Status(201, _category_out(category.pk))


@router.patch(
    "/orders/categories/{category_id}",
    response={200: CategoryOut, **ERRORS},
    summary="Change or deactivate a category (修改分类)",
    description=(
        "For the district administrator: name, code, group, deadline class, default type, "
        "active. A category in use is deactivated (`active: false`), never deleted; orders "
        "already registered keep it."
    ),
)
def category_update(request, category_id: int, payload: CategoryPatch):
    configuration.require_configure(request.user)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404
    data = payload.dict(exclude_unset=True)
    if "parent" in data:
        data["parent"] = _category_by_code("parent", data["parent"])
    for key in ("code", "name", "deadline_class", "kind", "active"):
        if key in data and data[key] is None:
            raise ValidationError({key: _("This field cannot be empty.")})
    configuration.category_update(actor=request.user, category=category, data=data)
    return _category_out(category.pk)


# -- deadline configuration ---------------------------------------------------------------------


def _deadline_config() -> dict:
    classes = []
    for code in DEFAULT_CLASSES:
        row = configuration.class_row(code)
        classes.append(
            {
                "code": code,
                "label": row.get_code_display(),
                **{
                    f"{clock}_{part}": getattr(row, f"{clock}_{part}")
                    for clock in configuration.CLOCKS
                    for part in ("amount", "unit")
                },
            }
        )
    choices = [
        {"category": c.category.code, "channel": c.channel, "deadline_class": c.deadline_class}
        for c in DeadlineChoice.objects.select_related("category").order_by(
            "category__code", "channel"
        )
    ]
    return {
        "classes": classes,
        "rework_days": configuration.deadline_settings().rework_days,
        "choices": choices,
    }


@router.get(
    "/orders/deadline-config",
    response={200: DeadlineConfigOut, 403: ErrorOut},
    summary="The deadline configuration (时限配置)",
    description=(
        "The figures of each deadline class (sign, contact and feedback clocks: amount and "
        "unit), the rework deadline in working days, and the classes chosen for a category "
        "on a channel. For those who dispatch."
    ),
)
def deadline_config_get(request):
    _require_read(request.user)
    return _deadline_config()


@router.patch(
    "/orders/deadline-config",
    response={200: DeadlineConfigOut, **ERRORS},
    summary="Change the deadline configuration (修改时限配置)",
    description=(
        "For the district administrator, all or nothing: `rework_days` (1–30), the figures "
        "of any `classes` (each names its `code` and the clocks it changes), and `choices` "
        "of a class for a category on a channel (an empty `deadline_class` removes one). "
        "Figures apply to orders dispatched afterwards, choices to orders registered "
        "afterwards, the rework deadline to reworks ordered afterwards; deadlines already "
        "set do not move."
    ),
)
def deadline_config_update(request, payload: DeadlineConfigIn):
    actor = request.user
    configuration.require_configure(actor)
    with transaction.atomic():
        if payload.rework_days is not None:
            configuration.deadline_settings_update(actor=actor, rework_days=payload.rework_days)
        for figures in payload.classes:
            data = figures.dict(exclude_unset=True)
            code = data.pop("code")
            configuration.deadline_class_update(actor=actor, code=code, data=data)
        for choice in payload.choices:
            configuration.deadline_choice_set(
                actor=actor,
                category=_category_by_code("category", choice.category),
                channel=choice.channel,
                deadline_class=choice.deadline_class.strip(),
            )
    return _deadline_config()


# -- the responsibility matrix -----------------------------------------------------------------


def _rules():
    return ResponsibilityRule.objects.select_related("category__parent").order_by(
        "category__code", "estate_kind", "pk"
    )


@router.get(
    "/orders/matrix",
    response={200: RulePage, 403: ErrorOut},
    summary="The responsibility matrix (职责清单)",
    description=(
        "Every rule: a category (× estate type where it matters) → the lead unit kind, the "
        "co-units and the legal basis. `category` narrows to one category or group code. "
        "For those who dispatch."
    ),
)
def rule_list(request, category: str = "", limit: int = 100, offset: int = 0):
    _require_read(request.user)
    qs = _rules()
    if category.strip():
        code = category.strip()
        qs = qs.filter(Q(category__code=code) | Q(category__parent__code=code))
    return page_of(qs, limit=limit, offset=offset)


def _rule_data(data: dict) -> dict:
    if "category" in data:
        data["category"] = _category_by_code("category", data["category"])
        if data["category"] is None:
            raise ValidationError({"category": _("No category has this code.")})
    for key, value in list(data.items()):
        if value is None:
            raise ValidationError({key: _("This field cannot be empty.")})
    return data


@router.post(
    "/orders/matrix",
    response={201: RuleOut, **ERRORS},
    summary="Add a matrix rule (新增职责规则)",
    description=(
        "For the district administrator. One rule per category and estate type; the lead "
        "unit is not also a co-unit; a legal basis is required (400 otherwise)."
    ),
)
def rule_create(request, payload: RuleIn):
    configuration.require_configure(request.user)
    rule = configuration.rule_create(actor=request.user, data=_rule_data(payload.dict()))
    return Status(201, _rules().get(pk=rule.pk))


@router.patch(
    "/orders/matrix/{rule_id}",
    response={200: RuleOut, **ERRORS},
    summary="Change a matrix rule (修改职责规则)",
    description="For the district administrator; the same checks as adding one.",
)
def rule_update(request, rule_id: int, payload: RulePatch):
    configuration.require_configure(request.user)
    rule = ResponsibilityRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    configuration.rule_update(
        actor=request.user, rule=rule, data=_rule_data(payload.dict(exclude_unset=True))
    )
    return _rules().get(pk=rule.pk)
