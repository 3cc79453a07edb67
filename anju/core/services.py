"""Shared write helpers used by every app's services: validate, save, audit, atomically."""

from typing import Any

from django.db import models, transaction

from anju.core.audit import audit_record, diff


def model_create(
    *, actor, model: type[models.Model], data: dict[str, Any], action: str, region_code: str = ""
):
    """Create, validate (model constraints included) and audit one row."""
    instance = model(**data)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit_record(
            actor=actor,
            action=action,
            target=instance,
            changes={k: [None, v[1]] for k, v in diff(model(), data).items()},
            region_code=region_code,
        )
    return instance


def model_update(
    *, actor, instance: models.Model, data: dict[str, Any], action: str, region_code: str = ""
):
    """Apply data to instance, validate and save it; audit only what changed."""
    changes = diff(instance, data)
    if not changes:
        return instance
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit_record(
            actor=actor, action=action, target=instance, changes=changes, region_code=region_code
        )
    return instance
