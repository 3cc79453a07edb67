"""Audit events: every service write records one in the same transaction."""

from typing import Any

from django.db import models

from anju.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _pair(instance: models.Model, name: str, new: Any) -> tuple[Any, Any]:
    """Return (old, new) comparable values; relations as their pk text, never fetched."""
    field = instance._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        old = getattr(instance, field.attname)
        new = new.pk if isinstance(new, models.Model) else new
        return (None if old is None else str(old), None if new is None else str(new))
    return getattr(instance, name), new


def diff(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for each field in data whose value differs on instance.

    Works on unsaved instances too (model_create diffs against a blank row).
    """
    from anju.core.pii import EncryptedCharField, mask

    changes = {}
    for field, value in data.items():
        old, new = _pair(instance, field, value)
        if old == new:
            continue
        if isinstance(instance._meta.get_field(field), EncryptedCharField):
            # Personal information never enters the audit log in clear.
            changes[field] = [mask(old or ""), mask(new or "")]
        else:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    changes: dict[str, Any] | None = None,
    region_code: str = "",
) -> AuditEvent:
    """Record one audit event; call inside the service's transaction."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        region_code = region_code or getattr(target, "region_code", "") or ""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        changes=changes or {},
        region_code=region_code,
    )
