"""Shared write helpers used by every app's services: validate, save, audit, atomically."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from anju.accounts.roles import Action
from anju.core.audit import audit_record, diff
from anju.core.pii import REVEALABLE


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


def pii_reveal(*, actor, kind: str, pk, field: str) -> str:
    """Return one personal-information value in full, and log who saw it.

    Http404 for an unknown kind or field and for an object outside the actor's view scope;
    PermissionDenied when the actor sees the object but no grant that may reveal reaches it
    (a second membership's view rights never lend it the first one's reveal right).
    """
    entry = REVEALABLE.get(kind)
    if entry is None or field not in entry.fields:
        raise Http404
    obj = entry.policy.get(actor, pk)
    if not entry.policy.can(actor, Action.PII_REVEAL, obj):
        raise PermissionDenied
    if entry.region_of is not None:
        region_code = entry.region_of(actor, obj)
    else:
        region_code = getattr(obj, "region_code", "") or ""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="pii.reveal",
            target=obj,
            changes={"field": field},
            region_code=region_code,
        )
    return getattr(obj, field)
