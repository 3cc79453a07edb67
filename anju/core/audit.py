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


def diff(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for each field in data whose value differs on instance."""
    from anju.core.pii import EncryptedCharField, mask

    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if _plain(old) != _plain(new):
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
