from datetime import datetime

from ninja import Router, Schema

from anju.core.api import page_of
from anju.core.views import audit_policy

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    actor_id: int | None
    action: str
    target_type: str
    target_id: str
    target_repr: str
    changes: dict
    region_code: str
    created_at: datetime


class AuditPage(Schema):
    count: int
    capped: bool
    items: list[AuditOut]


@router.get("/", response=AuditPage, summary="Browse the audit log in scope")
def audit_list(request, action: str = "", target_type: str = "", limit: int = 50, offset: int = 0):
    audit_policy.require_action(request.user)
    qs = audit_policy.visible(request.user)
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    return page_of(qs, limit=limit, offset=offset, out=AuditOut)
