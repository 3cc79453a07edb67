"""Services for the work-order reference data the district administrator edits: the category
tree, the figures of the deadline classes, the class a category takes on a channel, and the
rework deadline.

Like the responsibility matrix this is shared configuration, tied to no region: a role without
ORDERS_CONFIGURE is refused (PermissionDenied), every change is audited under "matrix.*" (so
every district's auditors see it, see anju.core.views.SHARED_AUDIT_PREFIXES), and bad input
raises a ValidationError naming the field, with nothing written.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.core.audit import audit_record, diff
from anju.workorders.deadlines import DEFAULT_CLASSES, DEFAULT_REWORK_DAYS, Unit
from anju.workorders.models import (
    Category,
    Channel,
    DeadlineChoice,
    DeadlineClass,
    DeadlineClassCode,
    DeadlineSettings,
    Kind,
)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
# Upper bounds of a clock, so a typo cannot give an order a deadline years away.
MAX_AMOUNT = {
    Unit.CLOCK_MINUTES: 60 * 24 * 60,
    Unit.WORKING_MINUTES: 60 * 8 * 60,
    Unit.WORKING_DAYS: 60,
    Unit.NATURAL_DAYS: 90,
}
CLOCKS = ("sign", "contact", "feedback")


def require_configure(actor) -> None:
    if not scope_of(actor).allows(Action.ORDERS_CONFIGURE):
        raise PermissionDenied


# -- categories ------------------------------------------------------------------------------


def _check_category(category: Category, *, creating: bool) -> None:
    """Refuse a category that would break the two-level tree (groups, then leaves that
    orders take) or that is not well formed."""
    errors: dict[str, str] = {}
    if not CODE_RE.match(category.code or "") or len(category.code) > 64:
        errors["code"] = _(
            "Use lower-case letters, digits and underscores, with one dot between the group "
            "and the category, e.g. fire.exit_blocked."
        )
    if not (category.name or "").strip():
        errors["name"] = _("Give the category's name.")
    elif len(category.name) > 100:
        errors["name"] = _("At most 100 characters.")
    if category.deadline_class not in DeadlineClassCode.values:
        errors["deadline_class"] = _("Choose a deadline class.")
    if category.kind not in Kind.values:
        errors["kind"] = _("Choose the default type.")
    parent = category.parent
    if parent is not None:
        if parent.pk == category.pk:
            errors["parent"] = _("A category cannot be its own group.")
        elif parent.parent_id is not None:
            errors["parent"] = _(
                "Choose a group of the first level: the tree has groups and their categories."
            )
        elif parent.orders.exists():
            errors["parent"] = _(
                "%(name)s already has orders of its own, so it cannot become a group."
            ) % {"name": parent.name}
        elif not creating and category.children.exists():
            errors["parent"] = _("This category is a group with categories of its own.")
        elif category.active and not parent.active:
            errors["parent"] = _("This group is inactive; activate it first.")
    if not creating and not category.active and category.children.filter(active=True).exists():
        errors["active"] = _("Deactivate the categories of this group first.")
    if errors:
        raise ValidationError(errors)


def _save_category(actor, category: Category, action: str, changes: dict) -> Category:
    try:
        category.full_clean()
    except ValidationError as error:
        if "code" in getattr(error, "error_dict", {}):
            raise ValidationError(
                {"code": _("A category with this code already exists.")}
            ) from error
        raise
    with transaction.atomic():
        category.save()
        audit_record(actor=actor, action=action, target=category, changes=changes)
    return category


def category_create(*, actor, data: dict) -> Category:
    """Add a group (no parent) or a category under a group.

    data: code, name, parent (Category or None), deadline_class, kind, active."""
    require_configure(actor)
    fields = {
        "code": (data.get("code") or "").strip(),
        "name": (data.get("name") or "").strip(),
        "parent": data.get("parent"),
        "deadline_class": data.get("deadline_class") or DeadlineClassCode.GENERAL,
        "kind": data.get("kind") or Kind.COMPLAINT,
        "active": bool(data.get("active", True)),
    }
    category = Category(**fields)
    _check_category(category, creating=True)
    changes = {k: [None, v[1]] for k, v in diff(Category(), fields).items()}
    return _save_category(actor, category, "matrix.category.create", changes)


def category_update(*, actor, category: Category, data: dict) -> Category:
    """Change a category's name, code, group, deadline class, default type or whether it is
    active. Orders already registered keep their category and deadlines; an inactive
    category is no longer offered at intake."""
    require_configure(actor)
    allowed = ("code", "name", "parent", "deadline_class", "kind", "active")
    data = {k: v for k, v in data.items() if k in allowed}
    for key in ("code", "name"):
        if key in data:
            data[key] = (data[key] or "").strip()
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        changes = diff(category, data)
        if not changes:
            return category
        for key, value in data.items():
            setattr(category, key, value)
        _check_category(category, creating=False)
        return _save_category(actor, category, "matrix.category.update", changes)


def category_delete(*, actor, category: Category) -> None:
    """Delete a category nothing uses; one with orders, categories or matrix rules stays
    (deactivate it instead)."""
    require_configure(actor)
    orders = category.orders.count()
    if orders:
        raise ValidationError(
            _(
                "%(name)s has %(count)s orders and cannot be deleted; deactivate it instead "
                "so that it is no longer offered."
            )
            % {"name": category.name, "count": orders}
        )
    if category.children.exists():
        raise ValidationError(
            _("%(name)s is a group with categories; delete or move them first.")
            % {"name": category.name}
        )
    if category.rules.exists():
        raise ValidationError(
            _("%(name)s has rules in the responsibility matrix; delete or deactivate it there.")
            % {"name": category.name}
        )
    with transaction.atomic():
        audit_record(actor=actor, action="matrix.category.delete", target=category,
                     changes={"code": [category.code, None]})  # fmt: skip
        category.delete()


# -- deadline classes and choices -------------------------------------------------------------


def class_row(code: str) -> DeadlineClass:
    """The stored figures of a class, created from the defaults when missing."""
    default = DEFAULT_CLASSES[code]
    row, _created = DeadlineClass.objects.get_or_create(
        code=code,
        defaults={
            f"{clock}_{part}": getattr(getattr(default, clock), part)
            for clock in CLOCKS
            for part in ("amount", "unit")
        },
    )
    return row


def deadline_class_update(*, actor, code: str, data: dict) -> DeadlineClass:
    """Change the figures of a class: for each clock (sign, contact, feedback) an amount and a
    unit. Orders dispatched afterwards get the new figures; deadlines already set stay."""
    require_configure(actor)
    if code not in DEFAULT_CLASSES:
        raise ValidationError({"code": _("Choose a deadline class.")})
    errors: dict[str, str] = {}
    clean: dict = {}
    for clock in CLOCKS:
        amount_key, unit_key = f"{clock}_amount", f"{clock}_unit"
        if amount_key not in data and unit_key not in data:
            continue
        unit = data.get(unit_key)
        amount = data.get(amount_key)
        if unit not in Unit.values:
            errors[unit_key] = _("Choose the unit of time.")
            continue
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
            errors[amount_key] = _("Give a whole number of at least 1.")
            continue
        if amount > MAX_AMOUNT[unit]:
            errors[amount_key] = _("At most %(max)s %(unit)s.") % {
                "max": MAX_AMOUNT[unit],
                "unit": Unit(unit).label,
            }
            continue
        clean[amount_key], clean[unit_key] = amount, unit
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = class_row(code)
        row = DeadlineClass.objects.select_for_update().get(pk=row.pk)
        changes = diff(row, clean)
        if not changes:
            return row
        for key, value in clean.items():
            setattr(row, key, value)
        row.save()
        audit_record(actor=actor, action="matrix.deadline_class.update", target=row,
                     changes=changes)  # fmt: skip
    return row


def deadline_choice_set(
    *, actor, category: Category, channel: str, deadline_class: str
) -> DeadlineChoice | None:
    """Choose the class of a category's orders from one channel; an empty class removes the
    choice (the category's own class applies again). Applies to orders registered
    afterwards."""
    require_configure(actor)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose the channel.")})
    if deadline_class and deadline_class not in DeadlineClassCode.values:
        raise ValidationError({"deadline_class": _("Choose a deadline class.")})
    with transaction.atomic():
        existing = (
            DeadlineChoice.objects.select_for_update()
            .filter(category=category, channel=channel)
            .first()
        )
        before = existing.deadline_class if existing else None
        if before == (deadline_class or None):
            return existing
        if not deadline_class:
            existing.delete()
            choice = None
        elif existing is None:
            choice = DeadlineChoice.objects.create(
                category=category, channel=channel, deadline_class=deadline_class
            )
        else:
            existing.deadline_class = deadline_class
            existing.save(update_fields=["deadline_class", "updated_at"])
            choice = existing
        audit_record(
            actor=actor,
            action="matrix.deadline_choice.set",
            target=category,
            changes={f"deadline_class:{channel}": [before, deadline_class or None]},
        )
    return choice


def deadline_settings() -> DeadlineSettings:
    """The settings row as it stands (unsaved defaults when none was stored yet)."""
    return DeadlineSettings.objects.order_by("pk").first() or DeadlineSettings(
        rework_days=DEFAULT_REWORK_DAYS
    )


def deadline_settings_update(*, actor, rework_days: int) -> DeadlineSettings:
    """Set the working days a reworked order gets; orders reworked afterwards use it."""
    require_configure(actor)
    if (
        not isinstance(rework_days, int)
        or isinstance(rework_days, bool)
        or not (1 <= rework_days <= 30)
    ):
        raise ValidationError({"rework_days": _("The rework deadline is 1 to 30 working days.")})
    with transaction.atomic():
        row = DeadlineSettings.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = DeadlineSettings(rework_days=DEFAULT_REWORK_DAYS)
        changes = diff(row, {"rework_days": rework_days})
        if not changes and row.pk:
            return row
        row.rework_days = rework_days
        row.save()
        audit_record(actor=actor, action="matrix.deadline_settings.update", target=row,
                     changes=changes or {"rework_days": [None, rework_days]})  # fmt: skip
    return row


# -- the responsibility matrix (for the API; the pages validate with their form) -------------


def _check_rule(data: dict) -> dict:
    from anju.estates.models import Estate
    from anju.workorders.matrix_data import UNIT_KINDS

    errors: dict[str, str] = {}
    if data.get("lead") not in UNIT_KINDS:
        errors["lead"] = _("Choose the lead unit.")
    co = list(data.get("co") or [])
    if any(k not in UNIT_KINDS for k in co) or len(set(co)) != len(co):
        errors["co"] = _("Name each co-unit once, from the unit kinds of the matrix.")
    elif data.get("lead") in co:
        errors["co"] = _("The lead unit is not also a co-unit.")
    if data.get("estate_kind") and data["estate_kind"] not in Estate.Kind.values:
        errors["estate_kind"] = _("Choose the estate type, or none for any.")
    if not (data.get("basis") or "").strip():
        errors["basis"] = _("Give the legal basis.")
    if errors:
        raise ValidationError(errors)
    return {**data, "co": co, "basis": data["basis"].strip()}


def rule_create(*, actor, data: dict):
    """Add a matrix rule: category (× estate type) → lead unit kind, co-units, legal basis."""
    from anju.core.services import model_create
    from anju.workorders.models import ResponsibilityRule

    require_configure(actor)
    data = _check_rule({"estate_kind": "", "co": [], "source": "", **data})
    return model_create(actor=actor, model=ResponsibilityRule, data=data, action="matrix.create")


def rule_update(*, actor, rule, data: dict):
    from anju.core.services import model_update

    require_configure(actor)
    current = {
        "category": rule.category,
        "estate_kind": rule.estate_kind,
        "lead": rule.lead,
        "co": list(rule.co),
        "basis": rule.basis,
        "source": rule.source,
    }
    data = _check_rule({**current, **data})
    return model_update(actor=actor, instance=rule, data=data, action="matrix.update")
