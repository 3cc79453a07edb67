from ninja import Router, Schema

from anju.core.api import page_of
from anju.regions.permissions import region_policy

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class RegionPage(Schema):
    count: int
    capped: bool
    items: list[RegionOut]


@router.get("/", response=RegionPage, summary="List regions in scope")
def region_list(request, level: str = "", q: str = "", limit: int = 50, offset: int = 0):
    region_policy.require_action(request.user)
    qs = region_policy.visible(request.user)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q)
    return page_of(qs.order_by("code"), limit=limit, offset=offset, out=RegionOut)


@router.get("/{region_id}", response=RegionOut, summary="One region")
def region_get(request, region_id: int):
    return region_policy.get(request.user, region_id)
