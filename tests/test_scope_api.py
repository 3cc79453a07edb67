"""Every operation of the JSON API under /api/v1 respects scope, with both kinds of auth.

Each test runs twice: with a browser session (client.force_login) and with a bearer token
(ApiToken.issue). The token client enforces CSRF checks as a real API client would face them,
so an unsafe method must pass on the token alone.

* LISTS: list operations return exactly the rows in the persona's scope.
* OBJECT_OPS: get/patch/post on one object: allowed persona succeeds, neighbour gets 404.
* CREATES: creating in scope succeeds, naming an out-of-scope region or estate gives 404.
* LACKING: a persona that sees the scope but lacks the action gets 403.
* SHARED: reference data that is the same in every scope (the work-order category tree).
* Without credentials every operation answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from anju.accounts.models import ApiToken
from anju.core.audit import audit_record
from anju.core.models import AuditEvent
from anju.estates.models import Estate
from anju.voting import services as voting_services
from anju.voting.models import Meeting, MeetingState, Motion
from anju.voting.rules import Matter
from anju.workorders import disputes as order_disputes
from anju.workorders import services as order_services
from anju.workorders import snapshots as order_snapshots
from anju.workorders.machine import Act
from anju.workorders.models import (
    Category,
    Channel,
    ClusterAlert,
    JointMeeting,
    ResponsibilityRule,
)
from config.api import api as ninja_api
from tests import factories as f
from tests.scopes import (
    ALERTS_OF,
    ESTATES_OF,
    MEETINGS_HELD_BY,
    REGIONS_OF,
    companies_of,
    contracts_of,
    estates_of,
    owners_of,
    regions_of,
    units_of,
)

V1 = "/api/v1"


class ApiClient:
    """Issue JSON requests as one user, by session or by bearer token."""

    def __init__(self, user, mode: str):
        if mode == "session":
            self.client = Client()
            self.client.force_login(user)
            self.headers = {}
        else:
            self.client = Client(enforce_csrf_checks=True)
            _token, raw = ApiToken.issue(user=user, name="tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def request(self, method: str, path: str, payload=None, **params):
        url = V1 + path
        if method == "get":
            return self.client.get(url, params, **self.headers)
        send = getattr(self.client, method)
        return send(url, payload or {}, content_type="application/json", **self.headers)


@pytest.fixture(params=["session", "token"])
def as_user(request, world):
    def _as(persona: str) -> ApiClient:
        return ApiClient(getattr(world.people, persona), request.param)

    return _as


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListOp:
    path: str
    key: str  # the item field compared
    expected: Callable  # (world, persona) -> values of key
    personas: tuple[str, ...]
    setup: Callable | None = None  # world -> None: rows the world lacks (work orders)


def _order(w, persona, estate, category, *, channel=Channel.PHONE, dispatch=True):
    """A work order registered (and auto-dispatched) through the services. The audit records
    of this setting-up are removed, so a test sees only the ones its own requests write."""
    order = order_services.register(
        actor=getattr(w.people, persona),
        data={
            "channel": channel,
            "category": Category.objects.get(code=category),
            "estate": estate,
            "title": "消防通道被堵",
            "content": "楼道堆满杂物。",
            "complainant_name": "李四",
            "complainant_phone": "13812345678",
        },
    )
    if dispatch:
        order_services.auto_dispatch(order)
    AuditEvent.objects.all().delete()
    return order


def _orders_world(w):
    """A fire exit in estate A (the fire brigade leads, company X assists), an owner's own
    complaint in estate A (not dispatched), a service complaint in estate B (company Y leads)
    and a fire exit in the neighbouring district."""
    w.orders = {
        "a_fire": _order(w, "street_a_officer", w.estate_a, "fire.exit_blocked"),
        "a_owner": _order(
            w,
            "owner_unit_101",
            w.estate_a,
            "service.attitude",
            channel=Channel.OWNER,
            dispatch=False,
        ),
        "b_service": _order(w, "street_b_officer", w.estate_b, "service.attitude"),
        "n_fire": _order(w, "neighbour_admin", w.estate_n, "fire.exit_blocked"),
    }


ORDERS_OF = {
    "district_admin": "a_fire a_owner b_service",
    "district_staff": "a_fire a_owner b_service",
    "auditor": "a_fire a_owner b_service",
    "fire_handler": "a_fire",
    "neighbour_admin": "n_fire",
    "fire_n_handler": "n_fire",
    "street_a_officer": "a_fire a_owner",
    "street_b_officer": "b_service",
    "community_a1_worker": "a_fire a_owner",
    "grid_a1_worker": "a_fire a_owner",
    "company_x_manager": "a_fire",
    "company_y_manager": "b_service",
    "owner_unit_101": "a_owner",
    "owner_other_estate": "",
}


def _meeting(w, stage="draft", estate=None, actor=None):
    """A meeting with one motion, its clock set around now, brought to stage: draft (voting
    17-20 days ahead), noticed or open (voting from an hour ago for 3 days), due (voting
    ended an hour ago) or closed. The audit records of the setting-up are removed."""
    now = timezone.now()
    actor = actor or w.people.street_a_officer
    if stage == "draft":
        opens, closes, noticed = now + timedelta(days=17), now + timedelta(days=20), None
    elif stage in ("noticed", "open"):
        opens, closes, noticed = now - timedelta(hours=1), now + timedelta(days=3), 20
    else:
        opens, closes, noticed = now - timedelta(days=10), now - timedelta(hours=1), 30
    meeting = voting_services.create_meeting(
        actor=actor, estate=estate or w.estate_a, title="业主大会", opens_at=opens,
        closes_at=closes,
    )  # fmt: skip
    voting_services.add_motion(
        actor=actor, meeting=meeting, title="续聘物业", matter=Matter.HIRE_MANAGER
    )
    if noticed:
        voting_services.give_notice(actor=actor, meeting=meeting, now=now - timedelta(days=noticed))
    if stage in ("open", "due", "closed"):
        voting_services.open_voting(actor=actor, meeting=meeting, now=opens)
    if stage == "closed":
        voting_services.close_voting(actor=actor, meeting=meeting, now=now)
    meeting.refresh_from_db()
    AuditEvent.objects.all().delete()
    return meeting


HOLDER_ID = "510104199001011234"


def _meeting_ids(stage):
    return lambda w: {"meeting_id": _meeting(w, stage).pk}


def _motion_ids(stage):
    return lambda w: {"motion_id": _meeting(w, stage).motions.get().pk}


def _last_motion():
    return Motion.objects.latest("id").pk


def _roll_entry(w):
    motion = _meeting(w, "noticed").motions.get()
    return {"entry_id": motion.roll.get(key=f"owner:{w.owners['a'][2].pk}").pk}


def _proxy(w):
    meeting = _meeting(w, "open")
    proxy = voting_services.record_proxy(
        actor=w.people.community_a1_worker, meeting=meeting, owner=w.owners["a"][1],
        holder_name="赵代理", holder_id_number=HOLDER_ID,
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    return {"proxy_id": proxy.pk}


def _sheet(w):
    meeting = _meeting(w, "open")
    sheet = voting_services.enter_paper(
        actor=w.people.community_a1_worker, meeting=meeting, number="001",
        voter_key=f"owner:{w.owners['a'][0].pk}", choices={meeting.motions.get().pk: "yes"},
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    return {"sheet_id": sheet.pk}


def _meeting_in(estate):
    now = timezone.now()
    return {
        "estate_id": estate.pk,
        "title": "业主大会",
        "opens_at": (now + timedelta(days=20)).isoformat(),
        "closes_at": (now + timedelta(days=25)).isoformat(),
    }


def _votes_world(w):
    """A meeting in estate A (street A), one in estate B (street B) and one in the
    neighbouring district."""
    w.meetings = {
        "a": _meeting(w),
        "b": _meeting(w, estate=w.estate_b, actor=w.people.street_b_officer),
        "n": Meeting.objects.create(estate=w.estate_n, title="浣花苑业主大会"),
    }


def _fund_use_world(w):
    """A published, passed fund-use motion in estate A, in estate B and next door."""
    w.fund_motions = {}
    for key, estate in (("a", w.estate_a), ("b", w.estate_b), ("n", w.estate_n)):
        meeting = Meeting.objects.create(
            estate=estate, title="业主大会", state=MeetingState.PUBLISHED
        )
        w.fund_motions[key] = Motion.objects.create(
            meeting=meeting,
            number=1,
            title="电梯",
            matter=Matter.USE_FUND,
            passed=True,
            result=FUND_RESULT,
        )


# The stored result's tally is all the list reads of it.
FUND_RESULT = {
    "passed": True,
    "tally": {"yes": {"persons": 5, "area": 50000}, "electorate": {"persons": 7, "area": 70000}},
}


VOTES_OF = {
    "district_admin": "a b",
    "district_staff": "a b",
    "auditor": "a b",
    "neighbour_admin": "n",
    "street_a_officer": "a",
    "street_b_officer": "b",
    "community_a1_worker": "a",
    "committee_a_member": "a",
    "owner_unit_101": "a",
    "owner_other_estate": "b",
}


def _joint_meetings_world(w):
    when = timezone.now() + timedelta(days=2)
    for key, region, level in (
        ("A", w.street_a, 1),
        ("B", w.street_b, 1),
        ("D", w.district, 2),
        ("N", w.n_street, 1),
    ):
        JointMeeting.objects.create(level=level, region=region, scheduled_at=when,
                                    place=f"{key}会议室")  # fmt: skip


def _alert(w, estate=None):
    estate = estate or w.estate_a
    return ClusterAlert.objects.create(
        estate=estate, category=Category.objects.get(code="service"),
        region_code=estate.region_code, day=timezone.localdate(), count=5,
    )  # fmt: skip


def _alerts_world(w):
    for estate in (w.estate_a, w.estate_b, w.estate_n):
        _alert(w, estate)


def _last_month():
    previous = timezone.localdate().replace(day=1) - timedelta(days=1)
    return previous.year, previous.month


def _snapshot(w, persona="district_admin", region=None, *, publish=False):
    """Last month's figures by street taken (and published) through the services; the audit
    records of this setting-up are removed."""
    actor = getattr(w.people, persona)
    year, month = _last_month()
    snapshot = order_snapshots.take(
        actor=actor, region=region or w.district, year=year, month=month, group="street"
    )
    if publish:
        order_snapshots.publish(actor=actor, snapshot=snapshot)
    AuditEvent.objects.all().delete()
    return snapshot


def _snapshots_world(w):
    """The district's published version 1 and draft version 2, and the neighbour's
    published version."""
    w.snapshots = {"a_published": _snapshot(w, publish=True)}
    w.snapshots["a_draft"] = _snapshot(w)
    w.snapshots["n_published"] = _snapshot(w, "neighbour_admin", w.neighbour, publish=True)


# Supervisors see every version of their district; dispatchers its published ones.
SNAPSHOTS_OF = {
    "district_admin": "a_published a_draft",
    "district_staff": "a_published",
    "neighbour_admin": "n_published",
    "street_a_officer": "",
}


def _snapshot_in(district):
    year, month = _last_month()
    return {"month": f"{year}-{month:02d}", "group": "street", "district_id": district.pk}


def _weights_in():
    return {"month": timezone.localdate().strftime("%Y-%m"), "basic": "0.9", "response": "0.2",
            "solve": "0.4", "satisfy": "0.4", "min_sample": 3}  # fmt: skip


LISTS = {
    "estates": ListOp(
        "/estates", "id", lambda w, p: [e.pk for e in estates_of(w, p)], tuple(ESTATES_OF)
    ),
    "units": ListOp("/units", "id", lambda w, p: [u.pk for u in units_of(w, p)], tuple(ESTATES_OF)),
    "owners": ListOp(
        "/owners",
        "id",
        lambda w, p: [o.pk for o in owners_of(w, p)],
        tuple(p for p in ESTATES_OF if not p.startswith("fire")),
    ),
    "companies": ListOp(
        "/companies",
        "id",
        lambda w, p: [c.pk for c in companies_of(w, p)],
        tuple(p for p in ESTATES_OF if p != "grid_a1_worker"),
    ),
    "contracts": ListOp(
        "/contracts",
        "id",
        lambda w, p: [c.pk for c in contracts_of(w, p)],
        tuple(p for p in ESTATES_OF if p != "grid_a1_worker"),
    ),
    "regions": ListOp("/regions/", "name", lambda w, p: regions_of(p), tuple(REGIONS_OF)),
    "orders": ListOp(
        "/orders",
        "id",
        lambda w, p: [w.orders[k].pk for k in ORDERS_OF[p].split()],
        tuple(ORDERS_OF),
        setup=_orders_world,
    ),
    "joint-meetings": ListOp(
        "/orders/meetings",
        "place",
        lambda w, p: [f"{k}会议室" for k in MEETINGS_HELD_BY[p].split()],
        tuple(MEETINGS_HELD_BY),
        setup=_joint_meetings_world,
    ),
    "cluster-alerts": ListOp(
        "/orders/cluster-alerts",
        "estate_name",
        lambda w, p: ALERTS_OF[p].split(),
        tuple(ALERTS_OF),
        setup=_alerts_world,
    ),
    "votes": ListOp(
        "/votes",
        "id",
        lambda w, p: [w.meetings[k].pk for k in VOTES_OF[p].split()],
        tuple(VOTES_OF),
        setup=_votes_world,
    ),
    "fund-use-decisions": ListOp(
        "/votes/fund-use-decisions",
        "motion_id",
        lambda w, p: [w.fund_motions[k].pk for k in VOTES_OF[p].split()],
        tuple(VOTES_OF),
        setup=_fund_use_world,
    ),
    "figure-snapshots": ListOp(
        "/orders/figures/snapshots",
        "id",
        lambda w, p: [w.snapshots[k].pk for k in SNAPSHOTS_OF[p].split()],
        tuple(SNAPSHOTS_OF),
        setup=_snapshots_world,
    ),
}


@pytest.mark.parametrize(
    ("op", "persona"), [(op, p) for op, spec in LISTS.items() for p in spec.personas]
)
def test_list_returns_exactly_the_rows_in_scope(world, as_user, op, persona):
    spec = LISTS[op]
    if spec.setup:
        spec.setup(world)

    response = as_user(persona).request("get", spec.path)

    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(item[spec.key] for item in body["items"]) == sorted(spec.expected(world, persona))
    assert body["count"] == len(body["items"])


# The month's figures by street cover exactly the streets of the orders in scope.
FIGURES_PATH = "/orders/figures"
FIGURES_OF = {
    "district_admin": "510104001 510104002",
    "street_a_officer": "510104001",
    "street_b_officer": "510104002",
    "neighbour_admin": "510105001",
}


@pytest.mark.parametrize("persona", tuple(FIGURES_OF))
def test_figures_cover_exactly_the_orders_in_scope(world, as_user, persona):
    _orders_world(world)
    month = timezone.localdate().strftime("%Y-%m")

    response = as_user(persona).request("get", FIGURES_PATH, month=month, group="street")

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert sorted(i["key"] for i in items) == FIGURES_OF[persona].split()
    assert sum(i["counts"]["created"] for i in items) == len(ORDERS_OF[persona].split())


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("district_admin", {"a", "b"}),
        ("auditor", {"a", "b"}),
        ("neighbour_admin", {"n"}),
    ],
)
def test_audit_list_returns_only_events_in_scope(world, as_user, persona, visible):
    for key in ("a", "b", "n"):
        audit_record(actor=None, action="estate.update", target=getattr(world, f"estate_{key}"))

    response = as_user(persona).request("get", "/audit/")

    assert response.status_code == 200
    ids = {item["target_id"] for item in response.json()["items"]}
    assert ids == {str(getattr(world, f"estate_{k}").pk) for k in visible}


# Reference data that is the same in every scope: any persona with the action reads it.
SHARED = {
    "/orders/categories": tuple(ORDERS_OF),
    # The matrix and the deadline configuration: for those who dispatch.
    "/orders/matrix": tuple(MEETINGS_HELD_BY),
    "/orders/deadline-config": tuple(MEETINGS_HELD_BY),
}


@pytest.mark.parametrize(
    ("path", "persona"), [(path, p) for path, personas in SHARED.items() for p in personas]
)
def test_shared_reference_data_is_readable_in_any_scope(world, as_user, path, persona):
    response = as_user(persona).request("get", path)

    assert response.status_code == 200, response.content
    assert response.json()


def test_list_filters_cannot_reach_outside_the_scope(world, as_user):
    client = as_user("street_b_officer")
    estate_a = world.estate_a

    units = client.request("get", "/units", estate_id=estate_a.pk).json()
    owners = client.request("get", "/owners", estate_id=estate_a.pk).json()
    estates = client.request("get", "/estates", region_code="510104001").json()

    assert units["items"] == []
    assert owners["items"] == []
    assert estates["items"] == []


# --------------------------------------------------------------------------------------------
# Operations on one object
# --------------------------------------------------------------------------------------------

STREET = ("street_a_officer", "street_b_officer")
DISTRICT = ("district_admin", "neighbour_admin")
STAFF = ("district_staff", "neighbour_admin")
COMPANY = ("company_x_manager", "company_y_manager")
FIRE = ("fire_handler", "fire_n_handler")
OWNER = ("owner_unit_101", "owner_other_estate")
COMMUNITY = ("community_a1_worker", "street_b_officer")
GRID = ("grid_a1_worker", "street_b_officer")
COMMITTEE = ("committee_a_member", "owner_other_estate")


def _contract_x(w):
    return w.company_x.contracts.get(estate=w.estate_a)


def _empty_unit(w):
    return f.UnitFactory(building=w.building_a, number="909")


def _owners_fire_order(w):
    # Registered by owner 101; the fire brigade leads, company X assists.
    order = _order(w, "owner_unit_101", w.estate_a, "fire.exit_blocked", channel=Channel.OWNER)
    return {"order_id": order.pk}


def _registered_order(w):
    order = _order(w, "street_a_officer", w.estate_a, "service.attitude", dispatch=False)
    return {"order_id": order.pk}


def _move(action, persona, category, **kwargs):
    """ids of a move on a new order in estate A, registered by persona."""

    def ids(w):
        order = _order(w, persona, w.estate_a, category, **kwargs)
        return {"order_id": order.pk, "action": action}

    return ids


def _handled(w, *actions):
    """A cleaning complaint in estate A led by company X, moved on by company X (and the
    district's supervisor for the feedback review); the audit records of the setting-up go."""
    order = _order(w, "street_a_officer", w.estate_a, "service.cleaning")
    for action, payload in (
        (Act.SIGN, {}),
        (Act.CONTACT, {}),
        (Act.SUBMIT_FEEDBACK, {"result": "solved", "reply": "已清运"}),
        (Act.APPROVE_FEEDBACK, {}),
    )[: len(actions)]:
        actor = w.people.district_admin if action == Act.APPROVE_FEEDBACK else None
        order = order_services.act(actor=actor or w.people.company_x_manager, order=order,
                                   action=action, payload=payload)  # fmt: skip
    AuditEvent.objects.all().delete()
    return order


def _signed_order(w):
    return {"order_id": _handled(w, "sign").pk}


def _in_progress_order(w):
    return {"order_id": _handled(w, "sign", "contact").pk}


def _awaiting_visit(w):
    return {"order_id": _handled(w, "sign", "contact", "feedback", "approve").pk}


def _tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, "PNG")
    return out.getvalue()


def _photo(w):
    """A photo on owner 101's fire-exit complaint; the files (fixed names) live under
    MEDIA_ROOT, written once."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from anju.workorders.models import Attachment, WorkOrder

    name, thumb = "workorders/scope-tests/photo.png", "workorders/scope-tests/photo-thumb.jpg"
    for path in (name, thumb):
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(_tiny_png()))
    order = WorkOrder.objects.get(pk=_owners_fire_order(w)["order_id"])
    return Attachment.objects.create(
        order=order, stage="intake", file=name, thumbnail=thumb, name="photo.png",
        content_type="image/png", size=10, uploaded_by=w.people.owner_unit_101,
        created_at=timezone.now(),
    )  # fmt: skip


def _photo_ids(w):
    return {"photo_id": _photo(w).pk}


def _photo_order_ids(w):
    return {"order_id": _photo(w).order_id}


def _extension(w):
    order = _handled(w, "sign")
    extension = order_services.request_extension(
        actor=w.people.company_x_manager, order=order, days=2, reason="需采购配件"
    )
    AuditEvent.objects.all().delete()
    return {"extension_id": extension.pk}


def _escalated(w):
    order = _handled(w, "sign", "contact")
    order_disputes.escalate(actor=w.people.district_admin, order=order, reason="收费争议")
    order.refresh_from_db()
    AuditEvent.objects.all().delete()
    return order


def _escalated_order(w):
    return {"order_id": _escalated(w).pk}


def _agreed_step(w):
    order = _escalated(w)
    order_disputes.record(actor=w.people.district_admin, order=order, outcome="agreed",
                          met_at=timezone.now(), agreement="物业退还多收费用")  # fmt: skip
    AuditEvent.objects.all().delete()
    return {"step_id": order.dispute_steps.get().pk}


def _agreement(w):
    return {"outcome": "agreed", "met_at": timezone.now().isoformat(), "agreement": "退还费用"}


def _joint_meeting(w, agenda=True):
    """Street A's joint meeting an hour ago, hearing an escalated order (or, without agenda,
    with that order left in w.agenda_order to add)."""
    order = _escalated(w)
    meeting = order_disputes.schedule_meeting(
        actor=w.people.street_a_officer, region=w.street_a,
        scheduled_at=timezone.now() - timedelta(hours=1), orders=[order] if agenda else [],
    )  # fmt: skip
    w.agenda_order = order
    AuditEvent.objects.all().delete()
    return {"meeting_id": meeting.pk}


@dataclass(frozen=True)
class ObjectOp:
    method: str
    pattern: str  # the path as the OpenAPI schema names it
    ids: Callable  # world -> the pattern's ids (may create the object acted on)
    pairs: tuple[tuple[str, str], ...]
    payload: Callable | None = None
    ok: int = 200
    audit: str = ""


OBJECT_OPS = {
    "region-get": ObjectOp(
        "get", "/regions/{region_id}", lambda w: {"region_id": w.street_a.pk}, (STREET, DISTRICT)
    ),
    "region-get-community": ObjectOp(
        "get", "/regions/{region_id}", lambda w: {"region_id": w.a1.pk}, (COMMUNITY, FIRE)
    ),
    "estate-get": ObjectOp(
        "get",
        "/estates/{estate_id}",
        lambda w: {"estate_id": w.estate_a.pk},
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMITTEE),
    ),
    "estate-patch": ObjectOp(
        "patch",
        "/estates/{estate_id}",
        lambda w: {"estate_id": w.estate_a.pk},
        (STREET, DISTRICT, STAFF),
        payload=lambda w: {"name": "红星花园二期", "total_households": 120},
        audit="estate.update",
    ),
    "building-list": ObjectOp(
        "get",
        "/estates/{estate_id}/buildings",
        lambda w: {"estate_id": w.estate_a.pk},
        (STREET, COMPANY, OWNER, FIRE),
    ),
    "building-create": ObjectOp(
        "post",
        "/estates/{estate_id}/buildings",
        lambda w: {"estate_id": w.estate_a.pk},
        (STREET, DISTRICT),
        payload=lambda w: {"number": "9栋", "floors": 6},
        ok=201,
        audit="building.create",
    ),
    "unit-create": ObjectOp(
        "post",
        "/estates/{estate_id}/units",
        lambda w: {"estate_id": w.estate_a.pk},
        (STREET, DISTRICT),
        payload=lambda w: {"building_id": w.building_a.pk, "number": "201", "area": "88.00"},
        ok=201,
        audit="unit.create",
    ),
    "unit-get": ObjectOp(
        "get",
        "/units/{unit_id}",
        lambda w: {"unit_id": w.units_a[0].pk},
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID),
    ),
    "unit-patch": ObjectOp(
        "patch",
        "/units/{unit_id}",
        lambda w: {"unit_id": w.units_a[0].pk},
        (STREET, DISTRICT),
        payload=lambda w: {"area": "90.50", "area_source": "surveyed"},
        audit="unit.update",
    ),
    "owner-get": ObjectOp(
        "get",
        "/owners/{owner_id}",
        lambda w: {"owner_id": w.owners["a"][0].pk},
        (STREET, DISTRICT, COMPANY, OWNER, COMMITTEE, GRID),
    ),
    "owner-reveal": ObjectOp(
        "post",
        "/owners/{owner_id}/reveal/{field}",
        lambda w: {"owner_id": w.owners["a"][0].pk, "field": "id_number"},
        (STREET, DISTRICT, COMMUNITY),
        audit="pii.reveal",
    ),
    "ownership-list": ObjectOp(
        "get",
        "/units/{unit_id}/ownerships",
        lambda w: {"unit_id": w.units_a[0].pk},
        (STREET, DISTRICT, COMPANY, OWNER),
    ),
    "owner-create": ObjectOp(
        "post",
        "/units/{unit_id}/owners",
        lambda w: {"unit_id": _empty_unit(w).pk},
        (STREET, DISTRICT, COMMUNITY),
        payload=lambda w: {
            "name": "新业主",
            "id_number": "510104199001011234",
            "phone": "13900002222",
        },
        ok=201,
        audit="owner.create",
    ),
    "company-get": ObjectOp(
        "get",
        "/companies/{company_id}",
        lambda w: {"company_id": w.company_x.pk},
        (COMPANY, DISTRICT, STREET, OWNER, FIRE),
    ),
    "company-patch": ObjectOp(
        "patch",
        "/companies/{company_id}",
        lambda w: {"company_id": w.company_x.pk},
        (DISTRICT, STAFF),
        payload=lambda w: {"contact_name": "李经理", "contact_phone": "13900003333"},
        audit="company.update",
    ),
    "contract-get": ObjectOp(
        "get",
        "/contracts/{contract_id}",
        lambda w: {"contract_id": _contract_x(w).pk},
        (STREET, DISTRICT, COMPANY, OWNER, COMMITTEE),
    ),
    "contract-patch": ObjectOp(
        "patch",
        "/contracts/{contract_id}",
        lambda w: {"contract_id": _contract_x(w).pk},
        (STREET, DISTRICT),
        payload=lambda w: {"fee_standard": "3.20", "filing_status": "filed"},
        audit="contract.update",
    ),
    "order-get": ObjectOp(
        "get",
        "/orders/{order_id}",
        _owners_fire_order,
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMUNITY),
    ),
    "order-suggestion": ObjectOp(
        "get", "/orders/{order_id}/suggestion", _registered_order, (STREET, DISTRICT)
    ),
    "order-dispatch": ObjectOp(
        "post",
        "/orders/{order_id}/dispatch",
        _registered_order,
        (STREET, DISTRICT),
        payload=lambda w: {"lead": {"kind": "company", "company_id": w.company_x.pk}},
        audit="workorders.dispatch",
    ),
    "order-sign": ObjectOp(
        "post",
        "/orders/{order_id}/actions/{action}",
        _move("sign", "street_a_officer", "fire.exit_blocked"),
        (FIRE,),
        audit="workorders.sign",
    ),
    "order-sign-company": ObjectOp(
        "post",
        "/orders/{order_id}/actions/{action}",
        _move("sign", "street_a_officer", "service.attitude"),
        (COMPANY,),
        audit="workorders.sign",
    ),
    "order-reject": ObjectOp(
        "post",
        "/orders/{order_id}/actions/{action}",
        _move("reject", "street_a_officer", "service.attitude", dispatch=False),
        (STREET, DISTRICT),
        payload=lambda w: {"reason": "不属于物业管理事项"},
        audit="workorders.reject",
    ),
    "order-withdraw": ObjectOp(
        "post",
        "/orders/{order_id}/actions/{action}",
        _move("withdraw", "owner_unit_101", "service.attitude", channel=Channel.OWNER),
        (OWNER,),
        payload=lambda w: {"reason": "已自行解决"},
        audit="workorders.withdraw",
    ),
    "order-extensions": ObjectOp(
        "get", "/orders/{order_id}/extensions", _signed_order, (STREET, DISTRICT, COMPANY)
    ),
    "order-extension-request": ObjectOp(
        "post",
        "/orders/{order_id}/extensions",
        _signed_order,
        (COMPANY,),
        payload=lambda w: {"days": 2, "reason": "需采购配件"},
        ok=201,
        audit="workorders.request_extension",
    ),
    "order-extension-decision": ObjectOp(
        "post",
        "/orders/extensions/{extension_id}/decision",
        _extension,
        (DISTRICT,),
        payload=lambda w: {"approve": True},
        audit="workorders.decide_extension",
    ),
    "order-disputes": ObjectOp(
        "get", "/orders/{order_id}/disputes", _escalated_order, (STREET, DISTRICT, COMPANY)
    ),
    "order-escalate": ObjectOp(
        "post",
        "/orders/{order_id}/disputes/escalate",
        _in_progress_order,
        (DISTRICT, COMPANY),  # the supervisor, or the lead unit's lead
        payload=lambda w: {"reason": "收费争议"},
        audit="workorders.escalate",
    ),
    "order-dispute-record": ObjectOp(
        "post",
        "/orders/{order_id}/disputes/record",
        _escalated_order,
        (STREET, DISTRICT),  # a mediator of the area, or the supervisor
        payload=_agreement,
        audit="workorders.settle",
    ),
    "order-dispute-performance": ObjectOp(
        "post",
        "/orders/disputes/steps/{step_id}/performance",
        _agreed_step,
        (STREET, DISTRICT),
        payload=lambda w: {"performance": "performed"},
        audit="disputes.performance",
    ),
    "order-visit-call": ObjectOp(
        "post",
        "/orders/{order_id}/visit-calls",
        _awaiting_visit,
        (DISTRICT, COMMUNITY),
        payload=lambda w: {"reached": True, "solved": True, "satisfaction": "satisfied"},
        audit="workorders.close",
    ),
    "order-photos": ObjectOp(
        "get",
        "/orders/{order_id}/photos",
        _photo_order_ids,
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMUNITY),
    ),
    "order-photo-file": ObjectOp(
        "get",
        "/orders/photos/{photo_id}/file",
        _photo_ids,
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMUNITY),
    ),
    "order-visit-link-send": ObjectOp(
        "post",
        "/orders/{order_id}/visit-link/send",
        _awaiting_visit,
        (DISTRICT, COMMUNITY),
        ok=201,
        audit="workorders.visit_sms",
    ),
    "joint-meeting-get": ObjectOp(
        "get", "/orders/meetings/{meeting_id}", _joint_meeting, (STREET, DISTRICT)
    ),
    "joint-meeting-agenda": ObjectOp(
        "post",
        "/orders/meetings/{meeting_id}/agenda",
        lambda w: _joint_meeting(w, agenda=False),
        (STREET, DISTRICT),
        payload=lambda w: {"order_ids": [w.agenda_order.pk]},
        audit="disputes.meeting.agenda",
    ),
    "joint-meeting-outcome": ObjectOp(
        "post",
        "/orders/meetings/{meeting_id}/outcomes",
        _joint_meeting,
        (STREET, DISTRICT),
        payload=lambda w: {
            "order_id": w.agenda_order.pk,
            "outcome": "failed",
            "next_reason": "提交区级联席会议",
        },
        audit="workorders.escalate_further",
    ),
    "cluster-alert-handle": ObjectOp(
        "post",
        "/orders/cluster-alerts/{alert_id}/handle",
        lambda w: {"alert_id": _alert(w).pk},
        (STREET, DISTRICT),
        payload=lambda w: {"note": "已约谈物业"},
        audit="workorders.cluster_handle",
    ),
    "vote-get": ObjectOp(
        "get",
        "/votes/{meeting_id}",
        _meeting_ids("draft"),
        (STREET, DISTRICT, OWNER, COMMITTEE, COMMUNITY),
    ),
    "vote-patch": ObjectOp(
        "patch",
        "/votes/{meeting_id}",
        _meeting_ids("draft"),
        (STREET, COMMITTEE),
        payload=lambda w: {"title": "2026年业主大会"},
        audit="voting.meeting.update",
    ),
    "vote-motion-add": ObjectOp(
        "post",
        "/votes/{meeting_id}/motions",
        _meeting_ids("draft"),
        (STREET, COMMUNITY),
        payload=lambda w: {"title": "使用维修资金", "matter": Matter.USE_FUND},
        ok=201,
        audit="voting.motion.create",
    ),
    "vote-motion-delete": ObjectOp(
        "delete",
        "/votes/motions/{motion_id}",
        _motion_ids("draft"),
        (STREET, COMMITTEE),
        ok=204,
        audit="voting.motion.delete",
    ),
    "vote-notice": ObjectOp(
        "post",
        "/votes/{meeting_id}/notice",
        _meeting_ids("draft"),
        (STREET, COMMITTEE),
        audit="voting.meeting.notice",
    ),
    "vote-open": ObjectOp(
        "post",
        "/votes/{meeting_id}/open",
        _meeting_ids("noticed"),
        (STREET, COMMUNITY),
        audit="voting.meeting.open",
    ),
    "vote-close": ObjectOp(
        "post",
        "/votes/{meeting_id}/close",
        _meeting_ids("due"),
        (STREET,),
        audit="voting.meeting.close",
    ),
    "vote-publish": ObjectOp(
        "post",
        "/votes/{meeting_id}/publish",
        _meeting_ids("closed"),
        (STREET,),
        audit="voting.meeting.publish",
    ),
    "vote-cancel": ObjectOp(
        "post",
        "/votes/{meeting_id}/cancel",
        _meeting_ids("open"),
        (STREET, COMMITTEE),
        payload=lambda w: {"reason": "延期举行"},
        audit="voting.meeting.cancel",
    ),
    "vote-remind": ObjectOp(
        "post",
        "/votes/{meeting_id}/remind",
        _meeting_ids("open"),
        (COMMUNITY,),
        audit="voting.meeting.remind",
    ),
    "vote-roll": ObjectOp(
        "get", "/votes/motions/{motion_id}/roll", _motion_ids("noticed"), (STREET, DISTRICT, OWNER)
    ),
    "vote-roll-correct": ObjectOp(
        "post",
        "/votes/roll/{entry_id}/correct",
        _roll_entry,
        (STREET, COMMITTEE),
        payload=lambda w: {"reason": "重复登记", "excluded": True},
        audit="voting.roll.correct",
    ),
    "vote-turnout": ObjectOp(
        "get", "/votes/motions/{motion_id}/turnout", _motion_ids("open"), (DISTRICT, OWNER)
    ),
    "vote-result": ObjectOp(
        "get",
        "/votes/motions/{motion_id}/result",
        _motion_ids("closed"),
        (STREET, DISTRICT, OWNER),
    ),
    "vote-board": ObjectOp(
        "get", "/votes/motions/{motion_id}/board", _motion_ids("closed"), (DISTRICT, OWNER)
    ),
    "vote-identity": ObjectOp(
        "post",
        "/votes/{meeting_id}/identity",
        _meeting_ids("open"),
        (OWNER,),
        payload=lambda w: {"id_number": w.owners["a"][0].id_number},
    ),
    "vote-ballots": ObjectOp(
        "post",
        "/votes/{meeting_id}/ballots",
        _meeting_ids("open"),
        (OWNER,),
        payload=lambda w: {
            "id_number": w.owners["a"][0].id_number,
            "choices": {_last_motion(): "yes"},
        },
        ok=201,
        audit="voting.ballot.cast",
    ),
    "vote-ballots-mine": ObjectOp(
        "get", "/votes/{meeting_id}/ballots/mine", _meeting_ids("open"), (OWNER,)
    ),
    "vote-proxies": ObjectOp(
        "get", "/votes/{meeting_id}/proxies", _meeting_ids("open"), (STREET, DISTRICT, COMMUNITY)
    ),
    "vote-proxy-record": ObjectOp(
        "post",
        "/votes/{meeting_id}/proxies",
        _meeting_ids("open"),
        (COMMUNITY, STREET),
        payload=lambda w: {
            "owner_id": w.owners["a"][1].pk,
            "holder_name": "赵代理",
            "holder_id_number": HOLDER_ID,
        },
        ok=201,
        audit="voting.proxy.record",
    ),
    "vote-proxy-revoke": ObjectOp(
        "post",
        "/votes/proxies/{proxy_id}/revoke",
        _proxy,
        (COMMUNITY,),
        audit="voting.proxy.revoke",
    ),
    "vote-proxy-ballots": ObjectOp(
        "post",
        "/votes/proxies/{proxy_id}/ballots",
        _proxy,
        (COMMUNITY,),
        payload=lambda w: {"holder_id_number": HOLDER_ID, "choices": {_last_motion(): "no"}},
        ok=201,
        audit="voting.ballot.proxy",
    ),
    "vote-paper": ObjectOp(
        "get", "/votes/{meeting_id}/paper", _meeting_ids("open"), (STREET, DISTRICT)
    ),
    "vote-paper-enter": ObjectOp(
        "post",
        "/votes/{meeting_id}/paper",
        _meeting_ids("open"),
        (COMMUNITY,),
        payload=lambda w: {
            "number": "001",
            "voter_key": f"owner:{w.owners['a'][0].pk}",
            "choices": {_last_motion(): "yes"},
        },
        ok=201,
        audit="voting.paper.first",
    ),
    "vote-paper-reject": ObjectOp(
        "post",
        "/votes/paper/{sheet_id}/reject",
        _sheet,
        (STREET,),
        payload=lambda w: {"reason": "签名不符"},
        audit="voting.paper.reject",
    ),
    "vote-paper-counts": ObjectOp(
        "put",
        "/votes/{meeting_id}/paper/counts",
        _meeting_ids("open"),
        (STREET, COMMITTEE),
        payload=lambda w: {"issued": 10, "returned": 8},
        audit="voting.paper.counts",
    ),
    "vote-deliveries": ObjectOp(
        "get", "/votes/{meeting_id}/deliveries", _meeting_ids("open"), (DISTRICT, COMMUNITY)
    ),
    "vote-delivery-record": ObjectOp(
        "post",
        "/votes/{meeting_id}/deliveries",
        _meeting_ids("open"),
        (COMMUNITY,),
        payload=lambda w: {"voter_key": f"owner:{w.owners['a'][0].pk}", "channel": "paper"},
        ok=201,
        audit="voting.delivery.record",
    ),
    "figures-weights-get": ObjectOp(
        "get",
        "/orders/figures/weights/{district_id}",
        lambda w: {"district_id": w.district.pk},
        (DISTRICT, STAFF),
    ),
    "figures-weights-create": ObjectOp(
        "post",
        "/orders/figures/weights/{district_id}",
        lambda w: {"district_id": w.district.pk},
        (DISTRICT,),
        payload=lambda w: _weights_in(),
        ok=201,
        audit="metrics.weights",
    ),
    "figures-snapshot-get": ObjectOp(
        "get",
        "/orders/figures/snapshots/{snapshot_id}",
        lambda w: {"snapshot_id": _snapshot(w, publish=True).pk},
        (DISTRICT, STAFF),
    ),
    "figures-snapshot-publish": ObjectOp(
        "post",
        "/orders/figures/snapshots/{snapshot_id}/publish",
        lambda w: {"snapshot_id": _snapshot(w).pk},
        (DISTRICT,),
        audit="metrics.publish",
    ),
}


# Photos are sent as multipart/form-data, not JSON: their upload has a test of its own.
PHOTO_UPLOAD = "/orders/{order_id}/photos"


@pytest.mark.parametrize(("allowed", "denied"), [OWNER, ("street_a_officer", "street_b_officer")])
@pytest.mark.parametrize("mode", ["session", "token"])
def test_photo_upload_answers_the_allowed_persona_and_404_to_the_neighbour(
    world, settings, tmp_path, mode, allowed, denied
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path

    order_id = _owners_fire_order(world)["order_id"]
    url = V1 + PHOTO_UPLOAD.format(order_id=order_id)

    def post(persona):
        api = ApiClient(getattr(world.people, persona), mode)
        upload = SimpleUploadedFile("现场.png", _tiny_png(), content_type="image/png")
        return api.client.post(url, {"files": [upload]}, **api.headers)

    refused = post(denied)
    assert refused.status_code == 404, refused.content
    assert not AuditEvent.objects.exists()
    response = post(allowed)
    assert response.status_code == 201, response.content
    actor = getattr(world.people, allowed)
    assert AuditEvent.objects.filter(action="workorders.attach", actor=actor).count() == 1


@pytest.mark.parametrize(
    ("op", "allowed", "denied"),
    [(key, a, d) for key, spec in OBJECT_OPS.items() for a, d in spec.pairs],
)
def test_operation_answers_allowed_persona_and_404_to_the_neighbour(
    world, as_user, op, allowed, denied
):
    # given
    spec = OBJECT_OPS[op]
    path = spec.pattern.format(**spec.ids(world))
    payload = spec.payload(world) if spec.payload else None

    # when: the neighbour first, so a write by the allowed persona cannot hide a leak
    refused = as_user(denied).request(spec.method, path, payload)

    # then
    assert refused.status_code == 404, refused.content
    assert not AuditEvent.objects.exists()

    # when
    response = as_user(allowed).request(spec.method, path, payload)

    # then
    assert response.status_code == spec.ok, response.content
    if spec.audit:
        actor = getattr(world.people, allowed)
        assert AuditEvent.objects.filter(action=spec.audit, actor=actor).count() == 1


def test_reveal_returns_the_value_and_patch_returns_masked_data(world, as_user):
    owner = world.owners["a"][0]
    client = as_user("street_a_officer")

    revealed = client.request("post", f"/owners/{owner.pk}/reveal/phone").json()
    shown = client.request("get", f"/owners/{owner.pk}").json()

    assert revealed == {"field": "phone", "value": owner.phone}
    assert owner.phone not in str(shown)
    assert owner.id_number not in str(shown)
    assert shown["phone_masked"] == owner.phone[:3] + "****" + owner.phone[-4:]


def test_reveal_of_an_unknown_field_is_404(world, as_user):
    owner = world.owners["a"][0]
    response = as_user("district_admin").request("post", f"/owners/{owner.pk}/reveal/name")
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------------------------
# Creating: only with references inside the scope
# --------------------------------------------------------------------------------------------


def _estate_in(region):
    return {"name": "新建小区", "region_id": region.pk, "kind": "old", "management_mode": "none"}


def _company_in(region):
    return {"name": "新成立物业", "uscc": f.make_uscc(999), "region_id": region.pk}


def _contract_in(w, estate):
    return {
        "company_id": w.company_y.pk,
        "estate_id": estate.pk,
        "kind": "selected",
        "start_date": "2024-01-01",
        "service_level": "2",
    }


def _order_in(estate, channel="phone"):
    return {
        "channel": channel,
        "category": "service.attitude",
        "estate_id": estate.pk,
        "title": "保安态度恶劣",
        "content": "门岗保安辱骂业主。",
        "complainant_phone": "13812345678",
    }


def _joint_meeting_in(region):
    return {"region_id": region.pk, "scheduled_at": "2026-12-20T10:00:00+08:00",
            "place": "街道会议室", "participants": "街道、社区、物业"}  # fmt: skip


CREATES = [
    # (path, persona, payload builder, expected status)
    ("/estates", "district_admin", lambda w: _estate_in(w.a2), 201),
    ("/estates", "street_a_officer", lambda w: _estate_in(w.a2), 201),
    ("/estates", "street_b_officer", lambda w: _estate_in(w.a2), 404),
    ("/estates", "neighbour_admin", lambda w: _estate_in(w.a2), 404),
    ("/companies", "district_admin", lambda w: _company_in(w.district), 201),
    ("/companies", "neighbour_admin", lambda w: _company_in(w.district), 404),
    ("/contracts", "street_a_officer", lambda w: _contract_in(w, w.estate_a2), 201),
    ("/contracts", "street_b_officer", lambda w: _contract_in(w, w.estate_a2), 404),
    ("/contracts", "neighbour_admin", lambda w: _contract_in(w, w.estate_a2), 404),
    ("/orders", "street_a_officer", lambda w: _order_in(w.estate_a2), 201),
    ("/orders", "community_a1_worker", lambda w: _order_in(w.estate_a), 201),
    ("/orders", "grid_a1_worker", lambda w: _order_in(w.estate_a), 201),
    ("/orders", "district_admin", lambda w: _order_in(w.estate_b), 201),
    ("/orders", "owner_unit_101", lambda w: _order_in(w.estate_a, channel="owner"), 201),
    ("/orders", "street_b_officer", lambda w: _order_in(w.estate_a2), 404),
    ("/orders", "community_a1_worker", lambda w: _order_in(w.estate_a2), 404),
    ("/orders", "neighbour_admin", lambda w: _order_in(w.estate_a), 404),
    ("/orders", "owner_other_estate", lambda w: _order_in(w.estate_a, channel="owner"), 404),
    ("/votes", "street_a_officer", lambda w: _meeting_in(w.estate_a2), 201),
    ("/votes", "committee_a_member", lambda w: _meeting_in(w.estate_a), 201),
    ("/votes", "community_a1_worker", lambda w: _meeting_in(w.estate_a), 201),
    ("/votes", "street_b_officer", lambda w: _meeting_in(w.estate_a), 404),
    ("/votes", "committee_a_member", lambda w: _meeting_in(w.estate_a2), 404),
    ("/votes", "community_a1_worker", lambda w: _meeting_in(w.estate_a2), 404),
    ("/votes", "street_a_officer", lambda w: _meeting_in(w.estate_n), 404),
    ("/orders/meetings", "street_a_officer", lambda w: _joint_meeting_in(w.street_a), 201),
    ("/orders/meetings", "district_admin", lambda w: _joint_meeting_in(w.district), 201),
    ("/orders/meetings", "street_b_officer", lambda w: _joint_meeting_in(w.street_a), 404),
    ("/orders/meetings", "neighbour_admin", lambda w: _joint_meeting_in(w.district), 404),
    ("/orders/figures/snapshots", "district_admin", lambda w: _snapshot_in(w.district), 201),
    ("/orders/figures/snapshots", "neighbour_admin", lambda w: _snapshot_in(w.district), 404),
]


@pytest.mark.parametrize(("path", "persona", "payload", "status"), CREATES)
def test_create_only_with_references_in_scope(world, as_user, path, persona, payload, status):
    response = as_user(persona).request("post", path, payload(world))

    assert response.status_code == status, response.content
    assert AuditEvent.objects.exists() == (status == 201)


def test_created_estate_takes_its_region_code(world, as_user):
    response = as_user("street_a_officer").request("post", "/estates", _estate_in(world.a2))
    estate = Estate.objects.get(pk=response.json()["id"])
    assert estate.region_code == world.a2.code == response.json()["region_code"]


# --------------------------------------------------------------------------------------------
# Changes to shared reference data (categories, deadlines, the matrix): no region to hide, so
# the refused persona lacks the action (403); a neighbouring district's admin may change it.
# --------------------------------------------------------------------------------------------

CONFIGURE = (("district_admin", "district_staff"), ("neighbour_admin", "street_a_officer"))


@dataclass(frozen=True)
class SharedChange:
    method: str
    pattern: str
    ids: Callable  # world -> the pattern's ids
    payload: Callable
    audit: str
    ok: int = 200


SHARED_CHANGES = {
    "category-create": SharedChange(
        "post",
        "/orders/categories",
        lambda w: {},
        lambda w: {
            "code": "heating.cold",
            "name": "室温不达标",
            "parent": "service",
            "kind": "help",
        },
        "matrix.category.create",
        ok=201,
    ),
    "category-update": SharedChange(
        "patch",
        "/orders/categories/{category_id}",
        lambda w: {"category_id": Category.objects.get(code="fire.exit_blocked").pk},
        lambda w: {"name": "消防通道被占", "deadline_class": "urgent"},
        "matrix.category.update",
    ),
    "deadline-config-update": SharedChange(
        "patch",
        "/orders/deadline-config",
        lambda w: {},
        lambda w: {
            "rework_days": 5,
            "classes": [
                {"code": "urgent", "feedback_amount": 100, "feedback_unit": "clock_minutes"}
            ],
            "choices": [
                {"category": "service.cleaning", "channel": "hotline", "deadline_class": "timely"}
            ],
        },
        "matrix.deadline_settings.update",
    ),
    "rule-create": SharedChange(
        "post",
        "/orders/matrix",
        lambda w: {},
        lambda w: {
            "category": "service.cleaning",
            "estate_kind": "commercial",
            "lead": "company",
            "co": ["community"],
            "basis": "物业服务合同",
        },
        "matrix.create",
        ok=201,
    ),
    "rule-update": SharedChange(
        "patch",
        "/orders/matrix/{rule_id}",
        lambda w: {"rule_id": ResponsibilityRule.objects.order_by("pk").first().pk},
        lambda w: {"basis": "修订后的职责依据"},
        "matrix.update",
    ),
}


@pytest.mark.parametrize(
    ("change", "allowed", "refused"),
    [(key, a, r) for key in SHARED_CHANGES for a, r in CONFIGURE],
)
def test_shared_reference_data_is_changed_only_by_the_district_admin(
    world, as_user, change, allowed, refused
):
    # given
    spec = SHARED_CHANGES[change]
    path = spec.pattern.format(**spec.ids(world))

    # when: the persona lacking the action first
    response = as_user(refused).request(spec.method, path, spec.payload(world))

    # then
    assert response.status_code == 403, response.content
    assert not AuditEvent.objects.exists()

    # when
    response = as_user(allowed).request(spec.method, path, spec.payload(world))

    # then
    assert response.status_code == spec.ok, response.content
    actor = getattr(world.people, allowed)
    assert AuditEvent.objects.filter(action=spec.audit, actor=actor).count() == 1


# --------------------------------------------------------------------------------------------
# Missing action: 403
# --------------------------------------------------------------------------------------------

LACKING = [
    # (persona, method, path builder, payload builder)
    ("fire_handler", "get", lambda w: "/owners", None),
    ("fire_handler", "get", lambda w: f"/units/{w.units_a[0].pk}/ownerships", None),
    (
        "fire_handler",
        "post",
        lambda w: f"/units/{w.units_a[0].pk}/owners",
        lambda w: {"name": "甲", "share": "0.1", "is_representative": False},
    ),
    ("grid_a1_worker", "get", lambda w: "/companies", None),
    ("grid_a1_worker", "get", lambda w: "/contracts", None),
    ("company_x_manager", "get", lambda w: "/regions/", None),
    ("owner_unit_101", "get", lambda w: "/regions/", None),
    ("street_a_officer", "get", lambda w: "/audit/", None),
    ("company_x_manager", "get", lambda w: "/audit/", None),
    ("company_x_manager", "post", lambda w: "/estates", lambda w: _estate_in(w.a1)),
    ("auditor", "post", lambda w: "/estates", lambda w: _estate_in(w.a1)),
    ("company_x_manager", "patch", lambda w: f"/estates/{w.estate_a.pk}", lambda w: {"name": "x"}),
    ("auditor", "patch", lambda w: f"/estates/{w.estate_a.pk}", lambda w: {"name": "x"}),
    ("auditor", "post", lambda w: f"/estates/{w.estate_a.pk}/buildings", lambda w: {"number": "9"}),
    (
        "company_x_manager",
        "post",
        lambda w: f"/estates/{w.estate_a.pk}/units",
        lambda w: {"number": "909", "area": "50.00"},
    ),
    ("owner_unit_101", "patch", lambda w: f"/units/{w.units_a[0].pk}", lambda w: {"area": "1.00"}),
    ("company_x_manager", "post", lambda w: f"/owners/{w.owners['a'][0].pk}/reveal/phone", None),
    ("auditor", "post", lambda w: f"/owners/{w.owners['a'][0].pk}/reveal/id_number", None),
    ("street_a_officer", "post", lambda w: "/companies", lambda w: _company_in(w.district)),
    ("company_x_manager", "post", lambda w: "/companies", lambda w: _company_in(w.district)),
    (
        "company_x_manager",
        "patch",
        lambda w: f"/companies/{w.company_x.pk}",
        lambda w: {"contact_name": "x"},
    ),
    ("company_x_manager", "post", lambda w: "/contracts", lambda w: _contract_in(w, w.estate_a)),
    ("auditor", "post", lambda w: "/contracts", lambda w: _contract_in(w, w.estate_a)),
    (
        "company_x_manager",
        "patch",
        lambda w: f"/contracts/{_contract_x(w).pk}",
        lambda w: {"fee_standard": "9.99"},
    ),
    (
        "committee_a_member",
        "patch",
        lambda w: f"/contracts/{_contract_x(w).pk}",
        lambda w: {"fee_standard": "9.99"},
    ),
    ("committee_a_member", "get", lambda w: "/orders", None),
    ("committee_a_member", "get", lambda w: "/orders/categories", None),
    ("community_a1_worker", "get", lambda w: "/orders/meetings", None),
    ("auditor", "post", lambda w: "/orders/meetings", lambda w: _joint_meeting_in(w.street_a)),
    ("company_x_manager", "get", lambda w: "/orders/cluster-alerts", None),
    ("auditor", "get", lambda w: "/orders/cluster-alerts", None),
    ("company_x_manager", "get", lambda w: "/orders/matrix", None),
    ("owner_unit_101", "get", lambda w: "/orders/deadline-config", None),
    # The figures' weights and snapshots: seen, but no dispatch, supervision or configuration.
    ("auditor", "get", lambda w: f"/orders/figures/weights/{w.district.pk}", None),
    (
        "district_staff",
        "post",
        lambda w: f"/orders/figures/weights/{w.district.pk}",
        lambda w: _weights_in(),
    ),
    ("auditor", "get", lambda w: "/orders/figures/snapshots", None),
    ("company_x_manager", "get", lambda w: "/orders/figures/snapshots", None),
    (
        "auditor",
        "get",
        lambda w: f"/orders/figures/snapshots/{_snapshot(w, publish=True).pk}",
        None,
    ),
    (
        "district_staff",
        "post",
        lambda w: "/orders/figures/snapshots",
        lambda w: _snapshot_in(w.district),
    ),
    (
        "district_staff",
        "post",
        lambda w: f"/orders/figures/snapshots/{_snapshot(w).pk}/publish",
        None,
    ),
    ("company_x_manager", "post", lambda w: "/orders", lambda w: _order_in(w.estate_a)),
    ("auditor", "post", lambda w: "/orders", lambda w: _order_in(w.estate_a)),
    ("owner_unit_101", "post", lambda w: "/orders", lambda w: _order_in(w.estate_a)),
    (
        "company_x_manager",
        "get",
        lambda w: f"/orders/{_owners_fire_order(w)['order_id']}/suggestion",
        None,
    ),
    (
        "community_a1_worker",
        "post",
        lambda w: f"/orders/{_registered_order(w)['order_id']}/dispatch",
        lambda w: {"lead": {"kind": "company", "company_id": w.company_x.pk}},
    ),
    (
        "auditor",
        "post",
        lambda w: "/orders/{order_id}/actions/{action}".format(
            **_move("sign", "street_a_officer", "fire.exit_blocked")(w)
        ),
        None,
    ),
    ("fire_handler", "get", lambda w: FIGURES_PATH, None),
    ("company_x_manager", "get", lambda w: FIGURES_PATH, None),
    ("community_a1_worker", "get", lambda w: FIGURES_PATH, None),
    ("auditor", "get", lambda w: FIGURES_PATH, None),
    (
        "auditor",  # no role on the order
        "post",
        lambda w: f"/orders/{_signed_order(w)['order_id']}/extensions",
        lambda w: {"days": 2, "reason": "x"},
    ),
    (
        "company_x_manager",  # the unit cannot approve its own request
        "post",
        lambda w: f"/orders/extensions/{_extension(w)['extension_id']}/decision",
        lambda w: {"approve": True},
    ),
    (
        "auditor",
        "post",
        lambda w: f"/orders/{_in_progress_order(w)['order_id']}/disputes/escalate",
        lambda w: {"reason": "争议"},
    ),
    (
        "company_x_manager",  # a party to the dispute, not its mediator
        "post",
        lambda w: f"/orders/{_escalated_order(w)['order_id']}/disputes/record",
        _agreement,
    ),
    (
        "company_x_manager",
        "post",
        lambda w: f"/orders/disputes/steps/{_agreed_step(w)['step_id']}/performance",
        lambda w: {"performance": "performed"},
    ),
    (
        "company_x_manager",
        "post",
        lambda w: f"/orders/{_awaiting_visit(w)['order_id']}/visit-calls",
        lambda w: {"reached": False},
    ),
    (
        "company_x_manager",  # a co-unit: only the lead unit signs
        "post",
        lambda w: "/orders/{order_id}/actions/{action}".format(
            **_move("sign", "street_a_officer", "fire.exit_blocked")(w)
        ),
        None,
    ),
    ("company_x_manager", "get", lambda w: "/votes", None),
    ("grid_a1_worker", "get", lambda w: "/votes", None),
    ("district_admin", "post", lambda w: "/votes", lambda w: _meeting_in(w.estate_a)),
    ("owner_unit_101", "post", lambda w: "/votes", lambda w: _meeting_in(w.estate_a)),
    ("auditor", "patch", lambda w: f"/votes/{_meeting(w).pk}", lambda w: {"title": "x"}),
    (
        "owner_unit_101",
        "post",
        lambda w: f"/votes/{_meeting(w).pk}/motions",
        lambda w: {"title": "x", "matter": Matter.OTHER},
    ),
    (
        "owner_unit_101",
        "delete",
        lambda w: "/votes/motions/{motion_id}".format(**_motion_ids("draft")(w)),
        None,
    ),
    ("district_admin", "post", lambda w: f"/votes/{_meeting(w).pk}/notice", None),
    ("auditor", "post", lambda w: f"/votes/{_meeting(w, 'noticed').pk}/open", None),
    ("district_admin", "post", lambda w: f"/votes/{_meeting(w, 'due').pk}/close", None),
    ("owner_unit_101", "post", lambda w: f"/votes/{_meeting(w, 'closed').pk}/publish", None),
    (
        "auditor",
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/cancel",
        lambda w: {"reason": "x"},
    ),
    ("owner_unit_101", "post", lambda w: f"/votes/{_meeting(w, 'open').pk}/remind", None),
    (
        "owner_unit_101",
        "post",
        lambda w: "/votes/roll/{entry_id}/correct".format(**_roll_entry(w)),
        lambda w: {"reason": "x", "excluded": True},
    ),
    (
        "street_a_officer",  # an officer is not an owner: no identity to check
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/identity",
        lambda w: {"id_number": w.owners["a"][0].id_number},
    ),
    (
        "community_a1_worker",  # officers key in paper ballots; they cast no online ballot
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/ballots",
        lambda w: {"id_number": w.owners["a"][0].id_number, "choices": {_last_motion(): "yes"}},
    ),
    ("street_a_officer", "get", lambda w: f"/votes/{_meeting(w, 'open').pk}/ballots/mine", None),
    ("owner_unit_101", "get", lambda w: f"/votes/{_meeting(w, 'open').pk}/proxies", None),
    (
        "district_admin",  # supervisors see the proxies; they do not record them
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/proxies",
        lambda w: {"owner_id": w.owners["a"][1].pk, "holder_name": "赵", "holder_id_number": "1"},
    ),
    (
        "district_admin",
        "post",
        lambda w: "/votes/proxies/{proxy_id}/revoke".format(**_proxy(w)),
        None,
    ),
    (
        "owner_unit_101",
        "post",
        lambda w: "/votes/proxies/{proxy_id}/ballots".format(**_proxy(w)),
        lambda w: {"holder_id_number": HOLDER_ID, "choices": {_last_motion(): "no"}},
    ),
    ("owner_unit_101", "get", lambda w: f"/votes/{_meeting(w, 'open').pk}/paper", None),
    (
        "auditor",
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/paper",
        lambda w: {"number": "1", "voter_key": "x", "choices": {_last_motion(): "yes"}},
    ),
    (
        "district_admin",
        "post",
        lambda w: "/votes/paper/{sheet_id}/reject".format(**_sheet(w)),
        lambda w: {"reason": "x"},
    ),
    (
        "district_admin",
        "put",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/paper/counts",
        lambda w: {"issued": 1, "returned": 1},
    ),
    ("owner_unit_101", "get", lambda w: f"/votes/{_meeting(w, 'open').pk}/deliveries", None),
    (
        "auditor",
        "post",
        lambda w: f"/votes/{_meeting(w, 'open').pk}/deliveries",
        lambda w: {"voter_key": f"owner:{w.owners['a'][0].pk}", "channel": "paper"},
    ),
]


@pytest.mark.parametrize(("persona", "method", "path", "payload"), LACKING)
def test_missing_action_is_403(world, as_user, persona, method, path, payload):
    response = as_user(persona).request(method, path(world), payload(world) if payload else None)

    assert response.status_code == 403, response.content
    assert "detail" in response.json()
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------------------------
# Without credentials; with a bad token; the schema.
# --------------------------------------------------------------------------------------------


def _all_operations():
    schema = ninja_api.get_openapi_schema()
    return sorted((method, path) for path, ops in schema["paths"].items() for method in ops if path)


def _concrete(path: str) -> str:
    for name in (
        "region_id",
        "estate_id",
        "unit_id",
        "owner_id",
        "company_id",
        "contract_id",
        "order_id",
        "photo_id",
        "extension_id",
        "step_id",
        "meeting_id",
        "motion_id",
        "entry_id",
        "proxy_id",
        "sheet_id",
        "category_id",
        "rule_id",
        "alert_id",
        "district_id",
        "snapshot_id",
    ):
        path = path.replace("{" + name + "}", "1")
    return path.replace("{field}", "phone").replace("{action}", "sign")


@pytest.mark.parametrize(("method", "path"), _all_operations())
def test_every_operation_needs_credentials(db, method, path):
    client = Client(enforce_csrf_checks=True)
    url = _concrete(path)
    anonymous = getattr(client, method)(url, content_type="application/json")
    bad_token = getattr(client, method)(
        url, content_type="application/json", HTTP_AUTHORIZATION="Bearer anju_not-a-token"
    )
    assert anonymous.status_code == 401
    assert bad_token.status_code == 401


def test_token_of_an_inactive_user_is_refused(world):
    user = world.people.district_admin
    _token, raw = ApiToken.issue(user=user, name="old")
    user.is_active = False
    user.save()
    response = Client().get(f"{V1}/estates", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_token_use_is_stamped(world):
    token, raw = ApiToken.issue(user=world.people.district_admin, name="cli")
    Client().get(f"{V1}/estates", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert raw not in token.digest


def test_every_operation_has_a_scope_test():
    covered = {("get", LISTS[k].path) for k in LISTS} | {("get", "/audit/")}
    covered |= {("get", path) for path in SHARED}
    covered |= {("post", path) for path, *_rest in CREATES}
    covered |= {(spec.method, spec.pattern) for spec in OBJECT_OPS.values()}
    covered |= {("get", FIGURES_PATH)}
    covered |= {(spec.method, spec.pattern) for spec in SHARED_CHANGES.values()}
    covered |= {("post", PHOTO_UPLOAD)}
    operations = {(m, p.removeprefix(V1)) for m, p in _all_operations()}
    # The Excel import operations have their scope tests in anju/core/tests/test_imports.py.
    operations = {(m, p) for m, p in operations if not p.startswith("/imports/")}
    missing = sorted(operations - covered)
    assert not missing, f"API operations without a scope test: {missing}"


def test_openapi_lists_the_registry_operations(client, db):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    for expected in (
        "/api/v1/estates",
        "/api/v1/estates/{estate_id}",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/owners",
        "/api/v1/owners/{owner_id}",
        "/api/v1/companies",
        "/api/v1/companies/{company_id}",
        "/api/v1/contracts",
        "/api/v1/contracts/{contract_id}",
        "/api/v1/regions/",
        "/api/v1/regions/{region_id}",
        "/api/v1/audit/",
    ):
        assert expected in paths
    tags = {tag for ops in schema["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert {"registry", "companies", "regions", "audit"} <= tags
    assert set(schema["components"]["securitySchemes"]) == {"SessionAuth", "TokenAuth"}


def test_session_writes_still_need_the_csrf_token(world):
    # given: a browser session without the CSRF token (what a forged cross-site request has)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people.district_admin)

    # when
    response = client.patch(
        f"{V1}/estates/{world.estate_a.pk}", {"name": "伪造"}, content_type="application/json"
    )

    # then
    assert response.status_code == 403
    assert Estate.objects.get(pk=world.estate_a.pk).name == "红星花园"
    assert client.get(f"{V1}/estates").status_code == 200


def test_a_bearer_token_acts_as_its_user_even_beside_a_session(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people.street_b_officer)
    _token, raw = ApiToken.issue(user=world.people.street_a_officer, name="cli")

    response = client.patch(
        f"{V1}/estates/{world.estate_a.pk}",
        {"total_households": 150},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action="estate.update")
    assert event.actor == world.people.street_a_officer
