"""Every page answers its allowed persona and hides everything else (ARCHITECTURE.md §3 Scope).

Three tables drive the tests:

* LISTS: for each list page and persona, exactly which rows the page, its HTMX partial and
  its Excel export show. Equality (not just "contains") proves the neighbour's rows are absent.
* PAGES: detail pages, forms (GET and POST), ownership actions and the PII reveal, each with
  (allowed, denied) persona pairs; the denied persona belongs to a neighbouring scope and gets
  404, exactly like a missing object. Pages that are not region-scoped (the national working
  calendar) pair the allowed persona with a role lacking the action, which gets 403.
* LACKING: roles that may see a scope but lack the action (403 on lists and create pages, 404
  on pages bound to an object the role may not act on).

test_every_page_url_is_covered fails when a page is added without a row in these tables.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from anju.accounts.models import Membership
from anju.accounts.roles import Role
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.core.audit import audit_record
from anju.core.models import AuditEvent, CalendarDay, WorkSchedule
from anju.estates.models import Estate, Ownership, Resident
from anju.voting import services as vote_services
from anju.voting.models import Meeting, MeetingState, Motion, MotionAttachment
from anju.voting.rules import Matter
from anju.workorders import disputes
from anju.workorders import services as order_services
from anju.workorders.models import Category, Channel, ClusterAlert, JointMeeting, WorkOrder
from tests import factories as f
from tests.helpers import HTMX, table_rows, workbook_rows
from tests.scopes import (
    ALERTS_OF,
    CAN_EXPORT,
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


@dataclass(frozen=True)
class ListSpec:
    key: Callable[[list], object]  # a row (cell texts or workbook values) -> its identity
    expected: Callable[[object, str], list]  # (world, persona) -> keys that must be shown
    personas: tuple[str, ...]
    setup: Callable[[object], None] | None = None  # world -> rows the list needs


# --------------------------------------------------------------------------------------------
# Work orders: one per place, built through the services (auto-dispatched by the matrix).
# --------------------------------------------------------------------------------------------


def _order(world, *, owner=False, dispatch=True, estate=None, actor=None):
    """A blocked fire exit (fire brigade leads, company X co-handles), or the owner of 101's
    own cleaning complaint (company X leads). The audit rows of building it are dropped: the
    tests below count audit rows from here."""
    code = "service.cleaning" if owner else "fire.exit_blocked"
    data = {
        "channel": Channel.OWNER if owner else Channel.PHONE,
        "category": Category.objects.get(code=code),
        "estate": estate or world.estate_a,
        "title": "消防通道被堵",
        "content": "楼道堆物。",
        "complainant_name": "李投诉",
        "complainant_phone": "13812345678",
    }
    actor = world.people.owner_unit_101 if owner else actor or world.people.street_a_officer
    order = order_services.register(actor=actor, data=data)
    if dispatch:
        order_services.auto_dispatch(order)
    AuditEvent.objects.all().delete()
    return order


def _orders(world):
    if not hasattr(world, "orders"):
        people = world.people
        world.orders = {
            "a": _order(world),
            "b": _order(world, estate=world.estate_b, actor=people.street_b_officer),
            "n": _order(world, estate=world.estate_n, actor=people.neighbour_admin),
            "owner": _order(world, owner=True),
        }


def _signed(world):
    """The blocked fire exit of estate A, signed by the fire brigade that leads it."""
    order = order_services.act(actor=world.people.fire_handler, order=_order(world),
                               action="sign")  # fmt: skip
    AuditEvent.objects.all().delete()
    return order


def _extension(world):
    order = _signed(world)
    extension = order_services.request_extension(actor=world.people.fire_handler, order=order,
                                                 days=2, reason="需协调")  # fmt: skip
    AuditEvent.objects.all().delete()
    return extension


def _escalated(world, agreed=False):
    """The fire exit in progress, taken to the street joint meeting (and agreed there)."""
    order = order_services.act(actor=world.people.fire_handler, order=_signed(world),
                               action="contact")  # fmt: skip
    disputes.escalate(actor=world.people.district_admin, order=order, reason="分歧")
    if agreed:
        order.refresh_from_db()
        disputes.record(actor=world.people.district_admin, order=order, outcome="agreed",
                        met_at=order.updated_at, agreement="清理堆物")  # fmt: skip
    AuditEvent.objects.all().delete()
    return order


# Who sees which of the orders above (the fire exit of estate B goes to the brigade too).
ORDERS_OF = {
    "district_admin": "a b owner",
    "district_staff": "a b owner",
    "auditor": "a b owner",
    "neighbour_admin": "n",
    "fire_n_handler": "n",
    "street_a_officer": "a owner",
    "street_b_officer": "b",
    "community_a1_worker": "a owner",
    "grid_a1_worker": "a owner",
    "fire_handler": "a b",
    "company_x_manager": "a owner",
    "company_y_manager": "b",
    "owner_unit_101": "owner",
}


# --------------------------------------------------------------------------------------------
# Owners' votes: one draft meeting per estate for the list; meetings in every state for the
# pages, built through the services around the real clock (the pages pass no `now`).
# --------------------------------------------------------------------------------------------

MEETINGS_OF = {
    "district_admin": "a a2 b",
    "district_staff": "a a2 b",
    "auditor": "a a2 b",
    "neighbour_admin": "n",
    "street_a_officer": "a a2",
    "street_b_officer": "b",
    "community_a1_worker": "a",
    "committee_a_member": "a",
    "owner_unit_101": "a",
    "owner_other_estate": "b",
}


def _meetings(world):
    for key in ("a", "a2", "b", "n"):
        Meeting.objects.create(estate=getattr(world, f"estate_{key}"), title=f"{key}-业主大会")


def _fund_use(world):
    """A published, passed fund-use motion per estate (the list reads only these fields)."""
    for key in ("a", "a2", "b", "n"):
        meeting = Meeting.objects.create(
            estate=getattr(world, f"estate_{key}"),
            title=f"{key}-业主大会",
            state=MeetingState.PUBLISHED,
            published_at=timezone.now(),
        )
        Motion.objects.create(
            meeting=meeting, number=1, title=f"{key}-电梯", matter=Matter.USE_FUND, passed=True
        )


def _vote(world, state="open", *, matter=Matter.HIRE_MANAGER):
    """A meeting of estate A with one motion, in state: draft (voting opens in 20 days, so
    notice may be given today), noticed (voting may open now), open, due (open, past its
    closing time), closed (one ballot counted) or published. Its audit rows are dropped."""
    actor = world.people.street_a_officer
    now = timezone.now()
    if state == "draft":
        opens, closes = now + timedelta(days=20), now + timedelta(days=27)
    elif state in ("due", "closed", "published"):
        opens, closes = now - timedelta(days=2), now - timedelta(minutes=1)
    else:
        opens, closes = now - timedelta(hours=1), now + timedelta(days=3)
    meeting = vote_services.create_meeting(
        actor=actor, estate=world.estate_a, title="投票会议", opens_at=opens, closes_at=closes
    )
    motion = vote_services.add_motion(actor=actor, meeting=meeting, title="选聘物业", matter=matter)
    if state != "draft":
        vote_services.give_notice(actor=actor, meeting=meeting, now=opens - timedelta(days=17))
    if state not in ("draft", "noticed"):
        vote_services.open_voting(actor=actor, meeting=meeting, now=opens)
    if state in ("closed", "published"):
        entry = motion.roll.get(key=f"owner:{world.owners['a'][0].pk}")
        vote_services.cast(motion=motion, entry=entry, choice="yes", channel="online",
                           now=opens + timedelta(hours=1))  # fmt: skip
        vote_services.close_voting(actor=actor, meeting=meeting)
    if state == "published":
        vote_services.publish(actor=actor, meeting=meeting)
    AuditEvent.objects.all().delete()
    meeting.refresh_from_db()
    return meeting


def _vote_motion(world, state="open"):
    return _vote(world, state).motions.get()


def _vote_entry(world, state="noticed"):
    motion = _vote_motion(world, state)
    return motion.roll.get(key=f"owner:{world.owners['a'][2].pk}")


def _vote_sheet(world):
    meeting = _vote(world)
    vote_services.enter_paper(
        actor=world.people.community_a1_worker, meeting=meeting, number="P-1",
        voter_key=f"owner:{world.owners['a'][2].pk}",
        choices={meeting.motions.get().pk: "yes"},
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    return meeting.paper_sheets.get()


def _vote_proxy(world):
    meeting = _vote(world)
    proxy = vote_services.record_proxy(
        actor=world.people.community_a1_worker, meeting=meeting, owner=world.owners["a"][1],
        holder_name="赵代理", holder_id_number=VOTE_HOLDER,
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    return proxy


def _vote_attachment(world):
    """An agenda attached to the open meeting's motion. The file lives under MEDIA_ROOT (one
    fixed name, written once)."""
    name = "voting/scope-tests/agenda.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4 agenda"))
    return MotionAttachment.objects.create(motion=_vote_motion(world), name="议程", file=name)


def _vote_form(world, estate=None, title="投票会议"):
    opens = timezone.localtime() + timedelta(days=20)
    return {
        "estate": (estate or world.estate_a).pk,
        "title": title,
        "convener": "committee",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "notice_days": "15",
        "objection_days": "7",
        "allow_change": "on",
    }


def _vote_choice(world, choice="yes"):
    from anju.voting.models import Motion

    return {f"motion_{Motion.objects.latest('pk').pk}": choice}


VOTE_HOLDER = "510104199001011234"


def _joint_meetings(world):
    when = timezone.now() + timedelta(days=2)
    for key, region, level in (
        ("A", world.street_a, 1),
        ("B", world.street_b, 1),
        ("D", world.district, 2),
        ("N", world.n_street, 1),
    ):
        JointMeeting.objects.create(level=level, region=region, scheduled_at=when,
                                    place=f"{key}会议室")  # fmt: skip


def _alert(world, estate=None):
    estate = estate or world.estate_a
    return ClusterAlert.objects.create(
        estate=estate, category=Category.objects.get(code="service"),
        region_code=estate.region_code, day=timezone.localdate(), count=5,
    )  # fmt: skip


def _alerts(world):
    for estate in (world.estate_a, world.estate_b, world.estate_n):
        _alert(world, estate)


def _joint_meeting(world, agenda=True):
    """Street A's joint meeting, an hour ago, hearing the escalated fire exit (or nothing
    yet: the fire exit is then world.agenda_order, to be added)."""
    order = _escalated(world)
    meeting = disputes.schedule_meeting(
        actor=world.people.street_a_officer, region=world.street_a,
        scheduled_at=timezone.now() - timedelta(hours=1), orders=[order] if agenda else [],
    )  # fmt: skip
    world.agenda_order = order
    AuditEvent.objects.all().delete()
    return meeting


LISTS = {
    "estates:list": ListSpec(
        key=lambda row: row[0],
        expected=lambda w, p: [e.name for e in estates_of(w, p)],
        personas=tuple(ESTATES_OF),
    ),
    "estates:unit_list": ListSpec(
        key=lambda row: (row[0], str(row[3])),
        expected=lambda w, p: [(u.estate.name, u.number) for u in units_of(w, p)],
        personas=tuple(ESTATES_OF),
    ),
    "estates:owner_list": ListSpec(
        key=lambda row: row[0],
        expected=lambda w, p: [o.name for o in owners_of(w, p)],
        personas=tuple(p for p in ESTATES_OF if not p.startswith("fire")),
    ),
    "companies:list": ListSpec(
        key=lambda row: row[0],
        expected=lambda w, p: [c.name for c in companies_of(w, p)],
        personas=tuple(p for p in ESTATES_OF if p not in {"grid_a1_worker"}),
    ),
    "companies:contract_list": ListSpec(
        key=lambda row: (row[0], row[1]),
        expected=lambda w, p: [(c.estate.name, c.company.name) for c in contracts_of(w, p)],
        personas=tuple(p for p in ESTATES_OF if p not in {"grid_a1_worker"}),
    ),
    "regions:list": ListSpec(
        key=lambda row: row[1],
        expected=lambda w, p: regions_of(p),
        personas=tuple(REGIONS_OF),
    ),
    "workorders:list": ListSpec(
        key=lambda row: row[0],
        expected=lambda w, p: [w.orders[k].number for k in ORDERS_OF[p].split()],
        personas=tuple(ORDERS_OF),
        setup=_orders,
    ),
    "workorders:meetings": ListSpec(
        key=lambda row: row[3],
        expected=lambda w, p: [f"{k}会议室" for k in MEETINGS_HELD_BY[p].split()],
        personas=tuple(MEETINGS_HELD_BY),
        setup=_joint_meetings,
    ),
    "workorders:clusters": ListSpec(
        key=lambda row: row[1],
        expected=lambda w, p: ALERTS_OF[p].split(),
        personas=tuple(ALERTS_OF),
        setup=_alerts,
    ),
    "voting:list": ListSpec(
        key=lambda row: row[0],
        expected=lambda w, p: [f"{k}-业主大会" for k in MEETINGS_OF[p].split()],
        personas=tuple(MEETINGS_OF),
        setup=_meetings,
    ),
    "voting:fund_use": ListSpec(
        key=lambda row: row[2],
        expected=lambda w, p: [f"{k}-业主大会" for k in MEETINGS_OF[p].split()],
        personas=tuple(MEETINGS_OF),
        setup=_fund_use,
    ),
}


@pytest.mark.parametrize(
    ("name", "persona"), [(name, p) for name, spec in LISTS.items() for p in spec.personas]
)
def test_list_shows_exactly_the_rows_in_scope(world, client, name, persona):
    # given
    spec = LISTS[name]
    if spec.setup:
        spec.setup(world)
    expected = Counter(spec.expected(world, persona))
    assert expected, "every persona in the table sees at least one row"
    client.force_login(getattr(world.people, persona))
    url = reverse(name)

    # when / then: the full page
    page = client.get(url)
    assert page.status_code == 200
    assert Counter(spec.key(row) for row in table_rows(page)) == expected

    # when / then: the HTMX partial that refreshes the results
    partial = client.get(url, **HTMX)
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert Counter(spec.key(row) for row in table_rows(partial)) == expected

    # when / then: the Excel export
    export = client.get(url, {"export": "xlsx"})
    if persona in CAN_EXPORT:
        assert export.status_code == 200
        assert Counter(spec.key(row) for row in workbook_rows(export)) == expected
    else:
        assert export.status_code == 403


@pytest.fixture
def audit_events(world):
    for estate in (world.estate_a, world.estate_b, world.estate_n):
        audit_record(actor=None, action="estate.update", target=estate, changes={"x": [1, 2]})


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("district_admin", {"红星花园", "东风苑"}),
        ("auditor", {"红星花园", "东风苑"}),
        ("neighbour_admin", {"浣花苑"}),
    ],
)
def test_audit_log_shows_only_events_in_scope(world, client, audit_events, persona, visible):
    client.force_login(getattr(world.people, persona))
    url = reverse("core:audit_list")

    def targets(rows):
        return Counter(str(row[3]).split(" (")[0] for row in rows)

    page = client.get(url)
    partial = client.get(url, **HTMX)
    export = client.get(url, {"export": "xlsx"})

    assert targets(table_rows(page)) == Counter(visible)
    assert b"<html" not in partial.content
    assert targets(table_rows(partial)) == Counter(visible)
    assert targets(workbook_rows(export)) == Counter(visible)


def test_home_counts_only_the_scope(world, client):
    client.force_login(world.people.street_b_officer)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    counts = dict(
        zip(
            [str(label) for label, _count, _url in response.context["cards"]],
            [count for _label, count, _url in response.context["cards"]],
            strict=True,
        )
    )
    # street B: one street, one community, one estate of 3 units with 3 owners, company Y
    assert sorted(counts.values()) == sorted([1, 1, 1, 3, 3, 1])


def test_owner_home_lists_only_their_unit(world, client):
    client.force_login(world.people.owner_unit_101)
    response = client.get(reverse("core:home"))
    assert [u.pk for u in response.context["my_units"]] == [world.units_a[0].pk]


# --------------------------------------------------------------------------------------------
# Pages bound to one object: allowed persona succeeds, neighbouring persona gets 404.
# --------------------------------------------------------------------------------------------


def _estate_form(world):
    estate = world.estate_a
    return {
        "name": "红星花园二期",
        "region": estate.region_id,
        "address": "红星路1号",
        "kind": estate.kind,
        "management_mode": estate.management_mode,
        "built_year": "2012",
        "total_households": "120",
        "total_floor_area": "12000.00",
        "longitude": "",
        "latitude": "",
    }


def _unit_form(world, number="201"):
    return {
        "building": world.building_a.pk,
        "entrance": "",
        "floor": "2",
        "number": number,
        "kind": "residential",
        "area": "88.00",
        "area_source": "surveyed",
        "delivery": "delivered",
    }


def _owner_form(world):
    owner = world.owners["a"][0]
    return {"kind": "person", "name": "王新名", "id_number": owner.id_number, "phone": owner.phone}


def _company_form(world):
    company = world.company_x
    return {
        "name": "安心物业服务有限公司",
        "uscc": company.uscc,
        "region": company.region_id,
        "registered_address": "总府路2号",
        "contact_name": "李经理",
        "contact_phone": "13900003333",
    }


def _contract_form(world):
    return {
        "company": world.company_x.pk,
        "estate": world.estate_a.pk,
        "kind": "selected",
        "start_date": "2024-01-01",
        "end_date": "",
        "fee_standard": "3.20",
        "service_level": "2",
        "filing_status": "filed",
        "filed_on": "2024-02-01",
    }


def _empty_unit(world):
    return f.UnitFactory(building=world.building_a, number="909")


def _co_owner(world):
    """Split units_a[1] between its owner and a second, non-representative co-owner."""
    unit = world.units_a[1]
    Ownership.objects.filter(unit=unit).update(share=Decimal("0.5"))
    return f.OwnershipFactory(
        unit=unit, owner=f.OwnerFactory(), share=Decimal("0.5"), is_representative=False
    )


def _resident(world):
    return Resident.objects.create(
        unit=world.units_a[0], name="租客甲", kind="tenant", phone="13700001234"
    )


def _manager(world):
    return ProjectManager.objects.create(
        company=world.company_x, estate=world.estate_a, name="赵项目", phone="13600001234"
    )


def _contract_x(world):
    return ServiceContract.objects.get(company=world.company_x, estate=world.estate_a)


def _calendar_day():
    return CalendarDay.objects.get(date="2026-02-14")  # seeded: the Spring Festival make-up day


def _calendar_year_form(year):
    return {"year": str(year), "published": "on", "source_doc": "国务院办公厅通知"}


def _calendar_day_form(day):
    return {
        "date": day,
        "kind": "makeup_workday" if day == "2026-02-14" else "holiday",
        "name": "调整后的名称",
    }


def _schedule_form():
    return {
        "name": "夏季作息",
        "valid_from": "2031-05-01",
        "valid_to": "2031-09-30",
        "makeup_weekday": "1",
        **{f"windows_{n}": "09:00-12:00, 14:00-18:00" for n in range(1, 6)},
    }


# Persona pairs (allowed, denied): the denied one sits in a neighbouring scope.
STREET = ("street_a_officer", "street_b_officer")
DISTRICT = ("district_admin", "neighbour_admin")
STAFF = ("district_staff", "neighbour_admin")
COMPANY = ("company_x_manager", "company_y_manager")
FIRE = ("fire_handler", "fire_n_handler")
OWNER = ("owner_unit_101", "owner_other_estate")
COMMUNITY = ("community_a1_worker", "street_b_officer")
GRID = ("grid_a1_worker", "street_b_officer")
COMMITTEE = ("committee_a_member", "owner_other_estate")
# The working calendar is national: no neighbour to hide from, the denied persona lacks the
# action (refused=403), and a neighbouring district's admin may change it too.
CALENDAR_VIEW = (
    ("district_admin", "company_x_manager"),
    ("neighbour_admin", "owner_unit_101"),
    ("auditor", "committee_a_member"),
    ("fire_handler", "grid_a1_worker"),
    ("street_a_officer", "community_a1_worker"),
    ("district_staff", "company_y_manager"),
)
CALENDAR_CHANGE = (
    ("district_admin", "district_staff"),
    ("neighbour_admin", "auditor"),
    ("district_admin", "street_a_officer"),
    ("neighbour_admin", "fire_handler"),
)
# The responsibility matrix is shared configuration too: dispatchers read it, the district
# administrator changes it.
MATRIX_VIEW = (
    ("district_admin", "company_x_manager"),
    ("street_a_officer", "fire_handler"),
    ("district_staff", "owner_unit_101"),
    ("neighbour_admin", "auditor"),
)
MATRIX_CHANGE = (
    ("district_admin", "district_staff"),
    ("neighbour_admin", "street_a_officer"),
)


# The complaint figures: dispatchers and supervisors see their scope's figures; a role lacking
# both hears 403. Snapshots are taken and published by the district's supervisor only.
FIGURES_VIEW = (
    ("district_admin", "company_x_manager"),
    ("street_a_officer", "owner_unit_101"),
    ("district_staff", "auditor"),
    ("neighbour_admin", "fire_handler"),
)
SNAPSHOT_TAKE = (
    ("district_admin", "district_staff"),
    ("neighbour_admin", "street_a_officer"),
)


def _snapshot(world):
    """A draft snapshot of district D's March (its audit rows dropped, like _order's)."""
    from anju.workorders import snapshots

    snapshot = snapshots.take(
        actor=world.people.district_admin, region=world.district, year=2026, month=3,
        group="street",
    )  # fmt: skip
    AuditEvent.objects.all().delete()
    return snapshot


def _tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, "PNG")
    return out.getvalue()


def _photo(world):
    """A photo on the owner of 101's own complaint. The files live under MEDIA_ROOT (fixed
    names, written once)."""
    from anju.workorders.models import Attachment

    name, thumb = "workorders/scope-tests/photo.png", "workorders/scope-tests/photo-thumb.jpg"
    for path in (name, thumb):
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(_tiny_png()))
    return Attachment.objects.create(
        order=_order(world, owner=True), stage="intake", file=name, thumbnail=thumb,
        name="photo.png", content_type="image/png", size=10,
        uploaded_by=world.people.owner_unit_101, created_at=timezone.now(),
    )  # fmt: skip


def _photo_upload(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"photos": [SimpleUploadedFile("现场.png", _tiny_png(), content_type="image/png")]}


def _awaiting_visit(world):
    """The blocked fire exit answered by the fire brigade and approved by the district: its
    return visit is open (the link was not texted: tests run no commit callbacks)."""
    order = _signed(world)
    feedback = {"result": "solved", "reply": "已清理"}
    for action, payload in (("contact", {}), ("submit_feedback", feedback)):
        order = order_services.act(actor=world.people.fire_handler, order=order, action=action,
                                   payload=payload)  # fmt: skip
    order = order_services.act(actor=world.people.district_admin, order=order,
                               action="approve_feedback")  # fmt: skip
    AuditEvent.objects.all().delete()
    return order


def _weights_form(world):
    return {"month": timezone.localdate().strftime("%Y-%m"), "basic": "0.8", "response": "0.2",
            "solve": "0.4", "satisfy": "0.4", "min_sample": "5"}  # fmt: skip


def _rule():
    from anju.workorders.models import ResponsibilityRule

    return ResponsibilityRule.objects.order_by("pk").first()


def _meeting_form(world, region):
    return {"region": region.pk, "scheduled_at": "2026-12-20T10:00", "place": "街道会议室",
            "participants": "街道、社区、物业"}  # fmt: skip


def _category_form(world, **extra):
    return {"code": "heating", "name": "供暖", "deadline_class": "general",
            "kind": "complaint", "active": "on", **extra}  # fmt: skip


def _class_form(world):
    return {"sign_amount": "15", "sign_unit": "clock_minutes", "contact_amount": "30",
            "contact_unit": "clock_minutes", "feedback_amount": "100",
            "feedback_unit": "clock_minutes"}  # fmt: skip


@dataclass(frozen=True)
class PageSpec:
    name: str
    args: Callable | None  # world -> url args (may create the object); None: no url args
    pairs: tuple[tuple[str, str], ...]
    method: str = "get"
    data: Callable | None = None  # world -> POST data
    ok: int = 200
    audit: str = ""  # the audit action a successful POST records
    refused: int = 404  # what the denied persona hears (403 on pages not region-scoped)


PAGES = {
    "region-street": PageSpec(
        "regions:detail", lambda w: [w.street_a.pk], (STREET, DISTRICT, FIRE)
    ),
    "region-community": PageSpec("regions:detail", lambda w: [w.a1.pk], (COMMUNITY,)),
    "estate-detail": PageSpec(
        "estates:detail",
        lambda w: [w.estate_a.pk],
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMITTEE),
    ),
    "estate-edit": PageSpec("estates:edit", lambda w: [w.estate_a.pk], (STREET, DISTRICT, STAFF)),
    "estate-edit-post": PageSpec(
        "estates:edit",
        lambda w: [w.estate_a.pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=_estate_form,
        ok=302,
        audit="estate.update",
    ),
    "building-create": PageSpec(
        "estates:building_create", lambda w: [w.estate_a.pk], (STREET, DISTRICT, STAFF)
    ),
    "building-create-post": PageSpec(
        "estates:building_create",
        lambda w: [w.estate_a.pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=lambda w: {"number": "9栋", "floors": "6"},
        ok=302,
        audit="building.create",
    ),
    "compound-create": PageSpec(
        "estates:compound_create", lambda w: [w.estate_a.pk], (STREET, DISTRICT, STAFF)
    ),
    "compound-create-post": PageSpec(
        "estates:compound_create",
        lambda w: [w.estate_a.pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=lambda w: {"name": "老纺织厂宿舍", "households": "60"},
        ok=302,
        audit="compound.create",
    ),
    "unit-create": PageSpec(
        "estates:unit_create", lambda w: [w.estate_a.pk], (STREET, DISTRICT, STAFF)
    ),
    "unit-create-post": PageSpec(
        "estates:unit_create",
        lambda w: [w.estate_a.pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=_unit_form,
        ok=302,
        audit="unit.create",
    ),
    "unit-detail": PageSpec(
        "estates:unit_detail",
        lambda w: [w.units_a[0].pk],
        (STREET, DISTRICT, COMPANY, FIRE, OWNER, GRID, COMMITTEE),
    ),
    "unit-edit": PageSpec(
        "estates:unit_edit", lambda w: [w.units_a[0].pk], (STREET, DISTRICT, STAFF)
    ),
    "unit-edit-post": PageSpec(
        "estates:unit_edit",
        lambda w: [w.units_a[0].pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=lambda w: _unit_form(w, number="101"),
        ok=302,
        audit="unit.update",
    ),
    "owner-create": PageSpec(
        "estates:owner_create", lambda w: [w.units_a[0].pk], (STREET, DISTRICT, COMMUNITY)
    ),
    "owner-create-post": PageSpec(
        "estates:owner_create",
        lambda w: [_empty_unit(w).pk],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        data=lambda w: {
            "kind": "person",
            "name": "新业主",
            "id_number": "510104199001011234",
            "phone": "13900002222",
            "share": "1",
            "is_representative": "on",
        },
        ok=302,
        audit="owner.create",
    ),
    "resident-create": PageSpec(
        "estates:resident_create", lambda w: [w.units_a[0].pk], (STREET, DISTRICT, COMMUNITY)
    ),
    "resident-create-post": PageSpec(
        "estates:resident_create",
        lambda w: [w.units_a[0].pk],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        data=lambda w: {
            "name": "租客乙",
            "kind": "tenant",
            "phone": "13700005678",
            "moved_in": "2024-03-01",
        },
        ok=302,
        audit="resident.create",
    ),
    "ownership-representative": PageSpec(
        "estates:ownership_representative",
        lambda w: [_co_owner(w).pk],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        ok=302,
        audit="ownership.representative",
    ),
    "ownership-remove": PageSpec(
        "estates:ownership_remove",
        lambda w: [_co_owner(w).pk],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        ok=302,
        audit="ownership.delete",
    ),
    "owner-detail": PageSpec(
        "estates:owner_detail",
        lambda w: [w.owners["a"][0].pk],
        (STREET, DISTRICT, COMPANY, OWNER, GRID, COMMITTEE, COMMUNITY),
    ),
    "owner-edit": PageSpec(
        "estates:owner_edit", lambda w: [w.owners["a"][0].pk], (STREET, DISTRICT, COMMUNITY)
    ),
    "owner-edit-post": PageSpec(
        "estates:owner_edit",
        lambda w: [w.owners["a"][0].pk],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        data=_owner_form,
        ok=302,
        audit="owner.update",
    ),
    "reveal-owner": PageSpec(
        "core:pii_reveal",
        lambda w: ["owner", w.owners["a"][0].pk, "id_number"],
        (STREET, DISTRICT, COMMUNITY),
        method="post",
        audit="pii.reveal",
    ),
    "reveal-resident": PageSpec(
        "core:pii_reveal",
        lambda w: ["resident", _resident(w).pk, "phone"],
        (STREET, COMMUNITY),
        method="post",
        audit="pii.reveal",
    ),
    "reveal-company": PageSpec(
        "core:pii_reveal",
        lambda w: ["company", w.company_x.pk, "contact_phone"],
        (STREET, DISTRICT),
        method="post",
        audit="pii.reveal",
    ),
    "reveal-manager": PageSpec(
        "core:pii_reveal",
        lambda w: ["manager", _manager(w).pk, "phone"],
        (STREET, DISTRICT),
        method="post",
        audit="pii.reveal",
    ),
    "company-detail": PageSpec(
        "companies:detail",
        lambda w: [w.company_x.pk],
        (COMPANY, DISTRICT, STREET, OWNER, FIRE, COMMITTEE),
    ),
    "company-edit": PageSpec("companies:edit", lambda w: [w.company_x.pk], (DISTRICT, STAFF)),
    "company-edit-post": PageSpec(
        "companies:edit",
        lambda w: [w.company_x.pk],
        (DISTRICT, STAFF),
        method="post",
        data=_company_form,
        ok=302,
        audit="company.update",
    ),
    "contract-page": PageSpec(
        "companies:contract_edit",
        lambda w: [_contract_x(w).pk],
        (STREET, DISTRICT, COMPANY, OWNER, FIRE, COMMITTEE),
    ),
    "contract-edit-post": PageSpec(
        "companies:contract_edit",
        lambda w: [_contract_x(w).pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=_contract_form,
        ok=302,
        audit="contract.update",
    ),
    "calendar": PageSpec("core:calendar", None, CALENDAR_VIEW, refused=403),
    "calendar-check": PageSpec("core:calendar_check", None, CALENDAR_VIEW, refused=403),
    "matrix": PageSpec("workorders:matrix", None, MATRIX_VIEW, refused=403),
    "matrix-rule-create": PageSpec("workorders:rule_create", None, MATRIX_CHANGE, refused=403),
    "matrix-rule-edit": PageSpec(
        "workorders:rule_edit", lambda w: [_rule().pk], MATRIX_CHANGE, refused=403
    ),
    # The category tree and the deadline configuration: shared like the matrix.
    "categories": PageSpec("workorders:categories", None, MATRIX_VIEW, refused=403),
    "category-create": PageSpec("workorders:category_create", None, MATRIX_CHANGE, refused=403),
    "category-create-post": PageSpec(
        "workorders:category_create",
        None,
        MATRIX_CHANGE,
        method="post",
        data=_category_form,
        ok=302,
        audit="matrix.category.create",
        refused=403,
    ),
    "category-edit": PageSpec(
        "workorders:category_edit",
        lambda w: [Category.objects.get(code="fire.exit_blocked").pk],
        MATRIX_CHANGE,
        refused=403,
    ),
    "category-edit-post": PageSpec(
        "workorders:category_edit",
        lambda w: [Category.objects.get(code="fire.exit_blocked").pk],
        MATRIX_CHANGE,
        method="post",
        data=lambda w: _category_form(
            w,
            code="fire.exit_blocked",
            name="消防通道被占",
            parent=Category.objects.get(code="fire").pk,
            deadline_class="urgent",
        ),
        ok=302,
        audit="matrix.category.update",
        refused=403,
    ),
    "category-delete": PageSpec(
        "workorders:category_delete",
        lambda w: [Category.objects.create(code="unused", name="未使用").pk],
        MATRIX_CHANGE,
        method="post",
        ok=302,
        audit="matrix.category.delete",
        refused=403,
    ),
    "deadlines": PageSpec("workorders:deadlines", None, MATRIX_VIEW, refused=403),
    "deadline-class-edit": PageSpec(
        "workorders:deadline_class_edit", lambda w: ["urgent"], MATRIX_CHANGE, refused=403
    ),
    "deadline-class-edit-post": PageSpec(
        "workorders:deadline_class_edit",
        lambda w: ["urgent"],
        MATRIX_CHANGE,
        method="post",
        data=_class_form,
        ok=302,
        audit="matrix.deadline_class.update",
        refused=403,
    ),
    "deadline-settings": PageSpec("workorders:deadline_settings", None, MATRIX_CHANGE, refused=403),
    "deadline-settings-post": PageSpec(
        "workorders:deadline_settings",
        None,
        MATRIX_CHANGE,
        method="post",
        data=lambda w: {"rework_days": "5"},
        ok=302,
        audit="matrix.deadline_settings.update",
        refused=403,
    ),
    "deadline-choice": PageSpec("workorders:deadline_choice", None, MATRIX_CHANGE, refused=403),
    "deadline-choice-post": PageSpec(
        "workorders:deadline_choice",
        None,
        MATRIX_CHANGE,
        method="post",
        data=lambda w: {
            "category": Category.objects.get(code="fire.exit_blocked").pk,
            "channel": "hotline",
            "deadline_class": "urgent",
        },
        ok=302,
        audit="matrix.deadline_choice.set",
        refused=403,
    ),
    # Joint meetings and cluster alerts: the street's and the district's.
    "meeting-detail": PageSpec(
        "workorders:meeting_detail", lambda w: [_joint_meeting(w).pk], (STREET, DISTRICT)
    ),
    "meeting-agenda": PageSpec(
        "workorders:meeting_agenda",
        lambda w: [_joint_meeting(w, agenda=False).pk],
        (STREET, DISTRICT),
        method="post",
        data=lambda w: {"orders": [w.agenda_order.pk]},
        ok=302,
        audit="disputes.meeting.agenda",
    ),
    "meeting-outcome": PageSpec(
        "workorders:meeting_outcome",
        lambda w: [_joint_meeting(w).pk, w.agenda_order.pk],
        (STREET, DISTRICT),
        method="post",
        data=lambda w: {"outcome": "failed", "next_reason": "提交区级联席会议"},
        ok=302,
        audit="workorders.escalate_further",
    ),
    "cluster-detail": PageSpec(
        "workorders:cluster_detail", lambda w: [_alert(w).pk], (STREET, DISTRICT, STAFF)
    ),
    "cluster-handle": PageSpec(
        "workorders:cluster_handle",
        lambda w: [_alert(w).pk],
        (STREET, DISTRICT),
        method="post",
        data=lambda w: {"note": "已约谈物业"},
        ok=302,
        audit="workorders.cluster_handle",
    ),
    "calendar-year-create": PageSpec(
        "core:calendar_year_create", None, CALENDAR_CHANGE, refused=403
    ),
    "calendar-year-create-post": PageSpec(
        "core:calendar_year_create",
        None,
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _calendar_year_form(2031),
        ok=302,
        audit="calendar_year.create",
        refused=403,
    ),
    "calendar-year-edit": PageSpec(
        "core:calendar_year_edit", lambda w: [2026], CALENDAR_CHANGE, refused=403
    ),
    "calendar-year-edit-post": PageSpec(
        "core:calendar_year_edit",
        lambda w: [2026],
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _calendar_year_form(2026),
        ok=302,
        audit="calendar_year.update",
        refused=403,
    ),
    "calendar-day-create": PageSpec("core:calendar_day_create", None, CALENDAR_CHANGE, refused=403),
    "calendar-day-create-post": PageSpec(
        "core:calendar_day_create",
        None,
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _calendar_day_form("2031-01-01"),
        ok=302,
        audit="calendar_day.create",
        refused=403,
    ),
    "calendar-day-edit": PageSpec(
        "core:calendar_day_edit", lambda w: [_calendar_day().pk], CALENDAR_CHANGE, refused=403
    ),
    "calendar-day-edit-post": PageSpec(
        "core:calendar_day_edit",
        lambda w: [_calendar_day().pk],
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _calendar_day_form("2026-02-14"),
        ok=302,
        audit="calendar_day.update",
        refused=403,
    ),
    "calendar-day-delete": PageSpec(
        "core:calendar_day_delete",
        lambda w: [_calendar_day().pk],
        CALENDAR_CHANGE,
        method="post",
        ok=302,
        audit="calendar_day.delete",
        refused=403,
    ),
    "calendar-schedule-create": PageSpec(
        "core:calendar_schedule_create", None, CALENDAR_CHANGE, refused=403
    ),
    "calendar-schedule-create-post": PageSpec(
        "core:calendar_schedule_create",
        None,
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _schedule_form(),
        ok=302,
        audit="work_schedule.create",
        refused=403,
    ),
    "calendar-schedule-edit": PageSpec(
        "core:calendar_schedule_edit",
        lambda w: [WorkSchedule.objects.get().pk],
        CALENDAR_CHANGE,
        refused=403,
    ),
    "calendar-schedule-edit-post": PageSpec(
        "core:calendar_schedule_edit",
        lambda w: [WorkSchedule.objects.get().pk],
        CALENDAR_CHANGE,
        method="post",
        data=lambda w: _schedule_form(),
        ok=302,
        audit="work_schedule.update",
        refused=403,
    ),
    "order-detail": PageSpec(
        "workorders:detail",
        lambda w: [_order(w).pk],
        (STREET, DISTRICT, STAFF, FIRE, COMPANY, COMMUNITY, GRID),
    ),
    "order-detail-owner": PageSpec(
        "workorders:detail", lambda w: [_order(w, owner=True).pk], (OWNER, COMPANY)
    ),
    "order-act-sign": PageSpec(
        "workorders:act",
        lambda w: [_order(w).pk, "sign"],
        (FIRE,),
        method="post",
        ok=302,
        audit="workorders.sign",
    ),
    "order-act-withdraw": PageSpec(
        "workorders:act",
        lambda w: [_order(w, owner=True).pk, "withdraw"],
        (OWNER,),
        method="post",
        data=lambda w: {"reason": "已自行解决"},
        ok=302,
        audit="workorders.withdraw",
    ),
    "order-extension-request": PageSpec(
        "workorders:extension_request",
        lambda w: [_signed(w).pk],
        (FIRE,),
        method="post",
        data=lambda w: {"days": "2", "reason": "需协调"},
        ok=302,
        audit="workorders.request_extension",
    ),
    "order-extension-decide": PageSpec(
        "workorders:extension_decide",
        lambda w: [_extension(w).pk],
        (DISTRICT,),
        method="post",
        data=lambda w: {"approve": "1"},
        ok=302,
        audit="workorders.decide_extension",
    ),
    "order-dispute-record": PageSpec(
        "workorders:dispute_record",
        lambda w: [_escalated(w).pk],
        (STREET, DISTRICT),
        method="post",
        data=lambda w: {"outcome": "failed", "met_at": "2026-03-02T10:00", "next_reason": "区级"},
        ok=302,
        audit="workorders.escalate_further",
    ),
    "order-dispute-performance": PageSpec(
        "workorders:dispute_performance",
        lambda w: [_escalated(w, agreed=True).dispute_steps.get().pk],
        (STREET, DISTRICT),
        method="post",
        data=lambda w: {"performance": "performed"},
        ok=302,
        audit="disputes.performance",
    ),
    "order-dispatch": PageSpec(
        "workorders:dispatch", lambda w: [_order(w, dispatch=False).pk], (STREET, DISTRICT, STAFF)
    ),
    "order-dispatch-post": PageSpec(
        "workorders:dispatch",
        lambda w: [_order(w, dispatch=False).pk],
        (STREET, DISTRICT, STAFF),
        method="post",
        data=lambda w: {"lead": f"department:{w.fire.pk}"},
        ok=302,
        audit="workorders.dispatch",
    ),
    "figures": PageSpec("workorders:figures", None, FIGURES_VIEW, refused=403),
    "figures-snapshot-post": PageSpec(
        "workorders:figures_snapshot",
        None,
        SNAPSHOT_TAKE,
        method="post",
        data=lambda w: {"month": "2026-03", "group": "street"},
        ok=302,
        audit="metrics.snapshot",
        refused=403,
    ),
    "figures-publish-post": PageSpec(
        "workorders:figures_publish",
        lambda w: [_snapshot(w).pk],
        (DISTRICT,),
        method="post",
        ok=302,
        audit="metrics.publish",
    ),
    "order-photo": PageSpec(
        "workorders:photo",
        lambda w: [_photo(w).pk],
        (OWNER, STREET, DISTRICT, COMPANY, COMMUNITY, GRID),
    ),
    "order-photo-upload": PageSpec(
        "workorders:photo_upload",
        lambda w: [_order(w, owner=True).pk],
        (OWNER,),
        method="post",
        data=_photo_upload,
        ok=302,
        audit="workorders.attach",
    ),
    "order-visit-resend": PageSpec(
        "workorders:visit_resend",
        lambda w: [_awaiting_visit(w).pk],
        (DISTRICT, COMMUNITY),
        method="post",
        ok=302,
        audit="workorders.visit_sms",
    ),
    "figures-weights": PageSpec("workorders:weights", lambda w: [w.district.pk], (DISTRICT,)),
    "figures-weights-post": PageSpec(
        "workorders:weights",
        lambda w: [w.district.pk],
        (DISTRICT,),
        method="post",
        data=_weights_form,
        ok=302,
        audit="metrics.weights",
    ),
    # An owner's own complaints: no neighbour to hide from, a role lacking the action hears 403.
    "orders-mine": PageSpec(
        "workorders:mine",
        None,
        (("owner_unit_101", "street_a_officer"), ("owner_other_estate", "company_x_manager")),
        refused=403,
    ),
    # Owners' votes: organisers (street, community, committee) run a meeting, supervisors
    # (district, street) watch it, owners vote on it.
    "vote-meeting": PageSpec(
        "voting:meeting", lambda w: [_vote(w).pk], (STREET, DISTRICT, COMMUNITY, COMMITTEE, OWNER)
    ),
    "vote-meeting-closed": PageSpec(
        "voting:meeting", lambda w: [_vote(w, "closed").pk], (STREET, DISTRICT, OWNER)
    ),
    "vote-edit": PageSpec("voting:edit", lambda w: [_vote(w, "draft").pk], (STREET, COMMITTEE)),
    "vote-edit-post": PageSpec(
        "voting:edit",
        lambda w: [_vote(w, "draft").pk],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        data=lambda w: _vote_form(w, title="改名后的会议"),
        ok=302,
        audit="voting.meeting.update",
    ),
    "vote-motion-create": PageSpec(
        "voting:motion_create", lambda w: [_vote(w, "draft").pk], (STREET, COMMITTEE)
    ),
    "vote-motion-create-post": PageSpec(
        "voting:motion_create",
        lambda w: [_vote(w, "draft").pk],
        (STREET, COMMITTEE),
        method="post",
        data=lambda w: {"title": "续筹维修资金", "matter": "6", "electorate": "estate"},
        ok=302,
        audit="voting.motion.create",
    ),
    "vote-motion-delete": PageSpec(
        "voting:motion_delete",
        lambda w: [_vote(w, "draft").motions.get().pk],
        (STREET, COMMITTEE),
        method="post",
        ok=302,
        audit="voting.motion.delete",
    ),
    "vote-move-notice": PageSpec(
        "voting:move",
        lambda w: [_vote(w, "draft").pk, "notice"],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        ok=302,
        audit="voting.meeting.notice",
    ),
    "vote-move-open": PageSpec(
        "voting:move",
        lambda w: [_vote(w, "noticed").pk, "open"],
        (STREET, COMMITTEE),
        method="post",
        ok=302,
        audit="voting.meeting.open",
    ),
    "vote-move-remind": PageSpec(
        "voting:move",
        lambda w: [_vote(w).pk, "remind"],
        (STREET, COMMUNITY),
        method="post",
        ok=302,
        audit="voting.meeting.remind",
    ),
    "vote-move-close": PageSpec(
        "voting:move",
        lambda w: [_vote(w, "due").pk, "close"],
        (STREET, COMMITTEE),
        method="post",
        ok=302,
        audit="voting.meeting.close",
    ),
    "vote-move-publish": PageSpec(
        "voting:move",
        lambda w: [_vote(w, "closed").pk, "publish"],
        (STREET, COMMITTEE),
        method="post",
        ok=302,
        audit="voting.meeting.publish",
    ),
    "vote-move-cancel": PageSpec(
        "voting:move",
        lambda w: [_vote(w, "draft").pk, "cancel"],
        (STREET, COMMUNITY),
        method="post",
        data=lambda w: {"reason": "业主委员会决定延期"},
        ok=302,
        audit="voting.meeting.cancel",
    ),
    "vote-roll": PageSpec(
        "voting:roll",
        lambda w: [_vote_motion(w).pk],
        (STREET, DISTRICT, COMMUNITY, COMMITTEE, OWNER),
    ),
    "vote-roll-correct": PageSpec(
        "voting:roll_correct",
        lambda w: [_vote_entry(w).pk],
        (STREET, COMMITTEE),
        method="post",
        data=lambda w: {"change": "exclude", "reason": "重复登记"},
        ok=302,
        audit="voting.roll.correct",
    ),
    "vote-ballot": PageSpec("voting:ballot", lambda w: [_vote(w).pk], (OWNER,)),
    "vote-ballot-post": PageSpec(
        "voting:ballot",
        lambda w: [_vote(w).pk],
        (OWNER,),
        method="post",
        data=lambda w: {"step": "verify", "id_number": w.owners["a"][0].id_number},
        ok=302,
    ),
    "vote-mine": PageSpec(
        "voting:mine",
        None,
        (("owner_unit_101", "street_a_officer"), ("owner_other_estate", "district_admin")),
        refused=403,
    ),
    "vote-paper": PageSpec("voting:paper", lambda w: [_vote(w).pk], (STREET, COMMUNITY, COMMITTEE)),
    "vote-paper-post": PageSpec(
        "voting:paper",
        lambda w: [_vote(w).pk],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        data=lambda w: (
            {"voter_key": f"owner:{w.owners['a'][2].pk}", "number": "P-9"} | _vote_choice(w)
        ),
        ok=302,
        audit="voting.paper.first",
    ),
    "vote-paper-counts": PageSpec(
        "voting:paper_counts",
        lambda w: [_vote(w).pk],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        data=lambda w: {"issued": "3", "returned": "1"},
        ok=302,
        audit="voting.paper.counts",
    ),
    "vote-paper-reject": PageSpec(
        "voting:paper_reject",
        lambda w: [_vote_sheet(w).pk],
        (STREET, COMMUNITY),
        method="post",
        data=lambda w: {"reason": "签名不清"},
        ok=302,
        audit="voting.paper.reject",
    ),
    "vote-proxies": PageSpec(
        "voting:proxies", lambda w: [_vote(w).pk], (STREET, COMMUNITY, COMMITTEE)
    ),
    "vote-proxies-post": PageSpec(
        "voting:proxies",
        lambda w: [_vote(w).pk],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        data=lambda w: {
            "voter_key": f"owner:{w.owners['a'][1].pk}",
            "holder_name": "赵代理",
            "holder_id_number": VOTE_HOLDER,
        },
        ok=302,
        audit="voting.proxy.record",
    ),
    "vote-proxy-revoke": PageSpec(
        "voting:proxy_revoke",
        lambda w: [_vote_proxy(w).pk],
        (STREET, COMMUNITY),
        method="post",
        ok=302,
        audit="voting.proxy.revoke",
    ),
    "vote-proxy-vote": PageSpec(
        "voting:proxy_vote", lambda w: [_vote_proxy(w).pk], (STREET, COMMUNITY, COMMITTEE)
    ),
    "vote-proxy-vote-post": PageSpec(
        "voting:proxy_vote",
        lambda w: [_vote_proxy(w).pk],
        (STREET, COMMUNITY),
        method="post",
        data=lambda w: {"holder_id_number": VOTE_HOLDER} | _vote_choice(w, "no"),
        ok=302,
        audit="voting.ballot.proxy",
    ),
    "vote-deliveries": PageSpec(
        "voting:deliveries", lambda w: [_vote(w).pk], (STREET, COMMUNITY, COMMITTEE)
    ),
    "vote-deliveries-post": PageSpec(
        "voting:deliveries",
        lambda w: [_vote(w).pk],
        (STREET, COMMUNITY, COMMITTEE),
        method="post",
        data=lambda w: {"voter_key": f"owner:{w.owners['a'][1].pk}", "channel": "posted"},
        ok=302,
        audit="voting.delivery.record",
    ),
    "vote-signals": PageSpec("voting:signals", lambda w: [_vote(w).pk], (STREET, DISTRICT, STAFF)),
    "vote-file": PageSpec(
        "voting:file",
        lambda w: ["attachment", _vote_attachment(w).pk],
        (STREET, DISTRICT, COMMUNITY, COMMITTEE, OWNER),
    ),
    # The downloads of a counted meeting (anju.voting.download_views).
    "vote-result-docx": PageSpec(
        "voting:result_docx",
        lambda w: [_vote(w, "closed").pk],
        (STREET, DISTRICT, COMMUNITY, COMMITTEE, OWNER),
    ),
    "vote-notice-docx": PageSpec(
        "voting:notice_docx",
        lambda w: [_vote(w, "closed").pk],
        (STREET, DISTRICT, COMMUNITY, COMMITTEE, OWNER),
    ),
    "vote-certificate-docx": PageSpec(
        "voting:certificate_docx", lambda w: [_vote(w, "published").pk], (STREET, DISTRICT, OWNER)
    ),
    "vote-export": PageSpec(
        "voting:export",
        lambda w: [_vote_motion(w, "closed").pk],
        (STREET, DISTRICT, COMMITTEE, OWNER),
    ),
    "vote-evidence": PageSpec(
        "voting:evidence", lambda w: [_vote(w, "closed").pk], (STREET, DISTRICT, COMMITTEE)
    ),
}


def _request(client, spec: PageSpec, world, args):
    url = reverse(spec.name, args=args)
    if spec.method == "post":
        return client.post(url, spec.data(world) if spec.data else {})
    return client.get(url)


@pytest.mark.parametrize(
    ("page", "allowed", "denied"),
    [(key, a, d) for key, spec in PAGES.items() for a, d in spec.pairs],
)
def test_page_answers_allowed_persona_and_404_to_the_neighbour(
    world, client, page, allowed, denied
):
    # given
    spec = PAGES[page]
    args = spec.args(world) if spec.args else None
    events_before = AuditEvent.objects.count()

    # when: the neighbour tries first, so the allowed persona's write cannot mask a leak
    client.force_login(getattr(world.people, denied))
    refused = _request(client, spec, world, args)

    # then
    assert refused.status_code == spec.refused
    assert AuditEvent.objects.count() == events_before, "a refused request wrote nothing"

    # when
    client.force_login(getattr(world.people, allowed))
    response = _request(client, spec, world, args)

    # then
    assert response.status_code == spec.ok, response.content[:2000]
    if spec.audit:
        actor = getattr(world.people, allowed)
        assert AuditEvent.objects.filter(action=spec.audit, actor=actor).exists()


def test_owner_sees_only_their_own_unit_of_the_estate(world, client):
    client.force_login(world.people.owner_unit_101)
    assert client.get(reverse("estates:unit_detail", args=[world.units_a[0].pk])).status_code == 200
    assert client.get(reverse("estates:unit_detail", args=[world.units_a[1].pk])).status_code == 404
    other = world.owners["a"][1]
    assert client.get(reverse("estates:owner_detail", args=[other.pk])).status_code == 404


def test_department_handler_sees_a_unit_but_none_of_its_owners(world, client):
    client.force_login(world.people.fire_handler)
    response = client.get(reverse("estates:unit_detail", args=[world.units_a[0].pk]))
    assert response.status_code == 200
    assert table_rows(response, "ownerships") == []
    assert world.owners["a"][0].name not in response.content.decode()


def test_estate_page_counts_only_the_units_in_scope(world, client):
    estate_url = reverse("estates:detail", args=[world.estate_a.pk])

    client.force_login(world.people.owner_unit_101)
    owner_view = client.get(estate_url)
    client.force_login(world.people.street_a_officer)
    officer_view = client.get(estate_url)

    assert owner_view.context["unit_count"] == 1
    assert officer_view.context["unit_count"] == 3
    assert 'data-testid="edit"' not in owner_view.content.decode()
    assert 'data-testid="edit"' in officer_view.content.decode()


# --------------------------------------------------------------------------------------------
# Create pages: allowed persona creates; a neighbour cannot pick an object outside their scope.
# --------------------------------------------------------------------------------------------


def _new_estate(world, region):
    return {**_estate_form(world), "name": "新建小区", "region": region.pk}


def _new_company(world, region):
    return {
        "name": "新成立物业",
        "uscc": f.make_uscc(999),
        "region": region.pk,
        "registered_address": "",
        "contact_name": "",
        "contact_phone": "",
    }


def _new_contract(world, estate):
    return {**_contract_form(world), "company": world.company_y.pk, "estate": estate.pk}


def _intake(world, estate):
    return {
        "channel": "hotline",
        "kind": "",
        "source_ref": "12345-0001",
        "category": Category.objects.get(code="fire.exit_blocked").pk,
        "title": "和平小区消防通道被占",
        "content": "消防通道停满车辆。",
        "estate": estate.pk,
        "region": "",
        "building": "",
        "address": "",
        "complainant_name": "",
        "complainant_phone": "13812345678",
    }


def _report(world, building):
    return {
        "category": Category.objects.get(code="service.cleaning").pk,
        "building": building.pk,
        "title": "楼道垃圾没人收",
        "content": "楼道堆满垃圾。",
        "complainant_phone": "",
    }


CREATES = [
    # (url name, persona, data builder, created?)
    ("estates:create", "district_admin", lambda w: _new_estate(w, w.a2), True),
    ("estates:create", "street_a_officer", lambda w: _new_estate(w, w.a2), True),
    ("estates:create", "street_b_officer", lambda w: _new_estate(w, w.a2), False),
    ("estates:create", "neighbour_admin", lambda w: _new_estate(w, w.a2), False),
    ("companies:create", "district_admin", lambda w: _new_company(w, w.district), True),
    ("companies:create", "neighbour_admin", lambda w: _new_company(w, w.district), False),
    (
        "companies:contract_create",
        "street_a_officer",
        lambda w: _new_contract(w, w.estate_a2),
        True,
    ),
    (
        "companies:contract_create",
        "street_b_officer",
        lambda w: _new_contract(w, w.estate_a2),
        False,
    ),
    (
        "companies:contract_create",
        "neighbour_admin",
        lambda w: _new_contract(w, w.estate_a2),
        False,
    ),
    ("workorders:create", "street_a_officer", lambda w: _intake(w, w.estate_a2), True),
    ("workorders:create", "district_admin", lambda w: _intake(w, w.estate_a2), True),
    ("workorders:create", "street_b_officer", lambda w: _intake(w, w.estate_a2), False),
    ("workorders:create", "neighbour_admin", lambda w: _intake(w, w.estate_a2), False),
    ("workorders:report", "owner_unit_101", lambda w: _report(w, w.building_a), True),
    ("workorders:report", "owner_other_estate", lambda w: _report(w, w.building_a), False),
    ("workorders:meeting_create", "street_a_officer", lambda w: _meeting_form(w, w.street_a), True),
    ("workorders:meeting_create", "district_admin", lambda w: _meeting_form(w, w.street_a), True),
    ("workorders:meeting_create", "district_admin", lambda w: _meeting_form(w, w.district), True),
    (
        "workorders:meeting_create",
        "street_b_officer",
        lambda w: _meeting_form(w, w.street_a),
        False,
    ),
    ("workorders:meeting_create", "neighbour_admin", lambda w: _meeting_form(w, w.district), False),
    (
        "voting:create",
        "street_a_officer",
        lambda w: _vote_form(w, w.estate_a2, "新建业主大会"),
        True,
    ),
    ("voting:create", "committee_a_member", lambda w: _vote_form(w, title="新建业主大会"), True),
    ("voting:create", "street_b_officer", lambda w: _vote_form(w, title="新建业主大会"), False),
]
CREATED = {
    "workorders:create": lambda: WorkOrder.objects.filter(title="和平小区消防通道被占").exists(),
    "workorders:report": lambda: WorkOrder.objects.filter(title="楼道垃圾没人收").exists(),
    "workorders:meeting_create": lambda: JointMeeting.objects.filter(place="街道会议室").exists(),
    "voting:create": lambda: Meeting.objects.filter(title="新建业主大会").exists(),
    "estates:create": lambda: Estate.objects.filter(name="新建小区").exists(),
    "companies:create": lambda: PropertyCompany.objects.filter(name="新成立物业").exists(),
    "companies:contract_create": lambda: ServiceContract.objects.filter(
        company__name="宜居物业", estate__name="和平小区"
    ).exists(),
}


@pytest.mark.parametrize(("name", "persona", "data", "created"), CREATES)
def test_create_page_only_accepts_choices_in_scope(world, client, name, persona, data, created):
    client.force_login(getattr(world.people, persona))
    url = reverse(name)

    form_page = client.get(url)
    response = client.post(url, data(world))

    assert form_page.status_code == 200
    if created:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert CREATED[name]()
    else:
        # The out-of-scope region or estate is not among the choices: the form refuses it.
        assert response.status_code == 400
        assert not CREATED[name]()
        assert not AuditEvent.objects.exists()


def test_estate_form_offers_only_communities_in_scope(world, client):
    client.force_login(world.people.street_b_officer)
    response = client.get(reverse("estates:create"))
    choices = {pk for pk, _label in response.context["form"].fields["region"].choices if pk}
    assert {int(str(pk)) for pk in choices} == {world.b1.pk}


def test_contract_form_offers_only_estates_in_scope(world, client):
    client.force_login(world.people.street_a_officer)
    response = client.get(reverse("companies:contract_create"))
    choices = {pk for pk, _label in response.context["form"].fields["estate"].choices if pk}
    assert {int(str(pk)) for pk in choices} == {world.estate_a.pk, world.estate_a2.pk}


# --------------------------------------------------------------------------------------------
# Roles lacking an action.
# --------------------------------------------------------------------------------------------

LACKING = [
    # (persona, url name, args builder, method, status)
    ("fire_handler", "estates:owner_list", None, "get", 403),
    ("fire_handler", "estates:owner_detail", lambda w: [w.owners["a"][0].pk], "get", 404),
    ("fire_handler", "estates:owner_create", lambda w: [w.units_a[0].pk], "get", 404),
    ("fire_handler", "estates:create", None, "get", 403),
    ("fire_handler", "core:audit_list", None, "get", 403),
    ("grid_a1_worker", "companies:list", None, "get", 403),
    ("grid_a1_worker", "companies:contract_list", None, "get", 403),
    ("grid_a1_worker", "companies:detail", lambda w: [w.company_x.pk], "get", 404),
    ("company_x_manager", "estates:create", None, "get", 403),
    ("company_x_manager", "estates:create", None, "post", 403),
    ("company_x_manager", "estates:edit", lambda w: [w.estate_a.pk], "get", 404),
    ("company_x_manager", "estates:unit_create", lambda w: [w.estate_a.pk], "post", 404),
    ("company_x_manager", "companies:create", None, "get", 403),
    ("company_x_manager", "companies:edit", lambda w: [w.company_x.pk], "get", 404),
    ("company_x_manager", "companies:contract_create", None, "get", 403),
    ("company_x_manager", "companies:contract_edit", lambda w: [_contract_x(w).pk], "post", 403),
    ("company_x_manager", "regions:list", None, "get", 403),
    ("company_x_manager", "regions:detail", lambda w: [w.a1.pk], "get", 404),
    ("company_x_manager", "core:audit_list", None, "get", 403),
    (
        "company_x_manager",
        "core:pii_reveal",
        lambda w: ["owner", w.owners["a"][0].pk, "id_number"],
        "post",
        403,
    ),
    ("committee_a_member", "estates:edit", lambda w: [w.estate_a.pk], "get", 404),
    ("committee_a_member", "estates:owner_edit", lambda w: [w.owners["a"][0].pk], "get", 404),
    (
        "committee_a_member",
        "core:pii_reveal",
        lambda w: ["owner", w.owners["a"][0].pk, "phone"],
        "post",
        403,
    ),
    ("owner_unit_101", "estates:unit_edit", lambda w: [w.units_a[0].pk], "get", 404),
    ("owner_unit_101", "estates:owner_edit", lambda w: [w.owners["a"][0].pk], "get", 404),
    ("owner_unit_101", "estates:resident_create", lambda w: [w.units_a[0].pk], "get", 404),
    ("owner_unit_101", "regions:list", None, "get", 403),
    ("owner_unit_101", "core:audit_list", None, "get", 403),
    ("street_a_officer", "core:audit_list", None, "get", 403),
    ("street_a_officer", "companies:create", None, "get", 403),
    ("street_a_officer", "companies:edit", lambda w: [w.company_x.pk], "get", 404),
    ("community_a1_worker", "estates:edit", lambda w: [w.estate_a.pk], "get", 404),
    ("community_a1_worker", "companies:contract_create", None, "get", 403),
    ("district_staff", "core:audit_list", None, "get", 403),
    # The national working calendar: a role lacking the action hears 403, objects or not.
    ("company_x_manager", "core:calendar", None, "get", 403),
    ("owner_unit_101", "core:calendar_check", None, "get", 403),
    ("grid_a1_worker", "core:calendar", None, "get", 403),
    ("district_staff", "core:calendar_year_create", None, "post", 403),
    ("district_staff", "core:calendar_day_create", None, "post", 403),
    ("street_a_officer", "core:calendar_day_edit", lambda w: [_calendar_day().pk], "post", 403),
    ("district_staff", "core:calendar_day_delete", lambda w: [_calendar_day().pk], "post", 403),
    ("auditor", "core:calendar_year_edit", lambda w: [2026], "post", 403),
    ("auditor", "core:calendar_schedule_create", None, "post", 403),
    (
        "company_x_manager",
        "core:calendar_schedule_edit",
        lambda w: [WorkSchedule.objects.get().pk],
        "post",
        403,
    ),
    # The auditor reads everything in the district and may change nothing.
    ("auditor", "estates:create", None, "get", 403),
    ("auditor", "estates:create", None, "post", 403),
    ("auditor", "estates:edit", lambda w: [w.estate_a.pk], "get", 404),
    ("auditor", "estates:edit", lambda w: [w.estate_a.pk], "post", 404),
    ("auditor", "estates:building_create", lambda w: [w.estate_a.pk], "post", 404),
    ("auditor", "estates:unit_create", lambda w: [w.estate_a.pk], "post", 404),
    ("auditor", "estates:compound_create", lambda w: [w.estate_a.pk], "post", 404),
    ("auditor", "estates:unit_edit", lambda w: [w.units_a[0].pk], "post", 404),
    ("auditor", "estates:owner_create", lambda w: [w.units_a[0].pk], "post", 404),
    ("auditor", "estates:resident_create", lambda w: [w.units_a[0].pk], "post", 404),
    ("auditor", "estates:owner_edit", lambda w: [w.owners["a"][0].pk], "post", 404),
    (
        "auditor",
        "estates:ownership_representative",
        lambda w: [_co_owner(w).pk],
        "post",
        404,
    ),
    ("auditor", "estates:ownership_remove", lambda w: [_co_owner(w).pk], "post", 404),
    ("auditor", "companies:create", None, "post", 403),
    ("auditor", "companies:edit", lambda w: [w.company_x.pk], "post", 404),
    ("auditor", "companies:contract_create", None, "post", 403),
    ("auditor", "companies:contract_edit", lambda w: [_contract_x(w).pk], "post", 403),
    (
        "auditor",
        "core:pii_reveal",
        lambda w: ["owner", w.owners["a"][0].pk, "id_number"],
        "post",
        403,
    ),
    # Work orders: intake, dispatch and the moves need their actions; an owner's pages too.
    ("committee_a_member", "workorders:list", None, "get", 403),
    ("committee_a_member", "workorders:detail", lambda w: [_order(w).pk], "get", 404),
    ("company_x_manager", "workorders:create", None, "get", 403),
    ("owner_unit_101", "workorders:create", None, "get", 403),
    ("fire_handler", "workorders:create", None, "post", 403),
    ("auditor", "workorders:create", None, "post", 403),
    ("street_a_officer", "workorders:report", None, "post", 403),
    ("district_admin", "workorders:report", None, "get", 403),
    ("district_admin", "workorders:mine", None, "get", 403),
    ("auditor", "workorders:dispatch", lambda w: [_order(w, dispatch=False).pk], "post", 404),
    ("fire_handler", "workorders:dispatch", lambda w: [_order(w, dispatch=False).pk], "get", 404),
    (
        "company_x_manager",
        "workorders:dispatch",
        lambda w: [_order(w, dispatch=False).pk],
        "post",
        404,
    ),
    # They see the order but hold no role on it that may sign (company X is a co-unit).
    ("auditor", "workorders:act", lambda w: [_order(w).pk, "sign"], "post", 403),
    # The complaint figures need dispatch or supervision; snapshots need supervision.
    ("company_x_manager", "workorders:figures", None, "get", 403),
    ("committee_a_member", "workorders:figures", None, "get", 403),
    ("district_staff", "workorders:figures_snapshot", None, "post", 403),
    ("street_a_officer", "workorders:figures_publish", lambda w: [_snapshot(w).pk], "post", 403),
    # Joint meetings: the street and district mediate; cluster alerts: those who dispatch.
    ("community_a1_worker", "workorders:meetings", None, "get", 403),
    ("auditor", "workorders:meetings", None, "get", 403),
    ("auditor", "workorders:meeting_create", None, "get", 403),
    ("company_x_manager", "workorders:meeting_create", None, "post", 403),
    ("fire_handler", "workorders:meeting_detail", lambda w: [_joint_meeting(w).pk], "get", 404),
    (
        "community_a1_worker",
        "workorders:meeting_outcome",
        lambda w: [_joint_meeting(w).pk, w.agenda_order.pk],
        "post",
        404,
    ),
    ("company_x_manager", "workorders:clusters", None, "get", 403),
    ("auditor", "workorders:clusters", None, "get", 403),
    ("community_a1_worker", "workorders:cluster_detail", lambda w: [_alert(w).pk], "get", 404),
    ("community_a1_worker", "workorders:cluster_handle", lambda w: [_alert(w).pk], "post", 404),
    ("company_x_manager", "workorders:categories", None, "get", 403),
    ("owner_unit_101", "workorders:deadlines", None, "get", 403),
    ("district_staff", "workorders:category_delete", lambda w: [_rule().category_id], "post", 403),
    ("district_staff", "workorders:weights", lambda w: [w.district.pk], "get", 403),
    ("district_staff", "workorders:weights", lambda w: [w.district.pk], "post", 403),
    (
        "company_x_manager",
        "workorders:visit_resend",
        lambda w: [_awaiting_visit(w).pk],
        "post",
        403,
    ),
    ("auditor", "workorders:photo_upload", lambda w: [_order(w, owner=True).pk], "post", 403),
    ("company_x_manager", "workorders:act", lambda w: [_order(w).pk, "sign"], "post", 403),
    # Company X co-handles the fire exit: it sees the order but neither leads, supervises nor
    # mediates.
    ("company_x_manager", "workorders:extension_request", lambda w: [_signed(w).pk], "post", 403),
    ("company_x_manager", "workorders:extension_decide", lambda w: [_extension(w).pk], "post", 403),
    ("company_x_manager", "workorders:dispute_record", lambda w: [_escalated(w).pk], "post", 403),
    (
        "company_x_manager",
        "workorders:dispute_performance",
        lambda w: [_escalated(w, agreed=True).dispute_steps.get().pk],
        "post",
        403,
    ),
    # Owners' votes: the district supervises and may not run a meeting; owners vote only;
    # organisers do not supervise unless they are the street; roles without votes see none.
    ("company_x_manager", "voting:list", None, "get", 403),
    ("company_x_manager", "voting:fund_use", None, "get", 403),
    ("district_admin", "voting:create", None, "get", 403),
    ("owner_unit_101", "voting:create", None, "post", 403),
    ("company_x_manager", "voting:meeting", lambda w: [_vote(w).pk], "get", 404),
    ("district_admin", "voting:edit", lambda w: [_vote(w, "draft").pk], "post", 403),
    ("owner_unit_101", "voting:motion_create", lambda w: [_vote(w, "draft").pk], "post", 403),
    ("auditor", "voting:move", lambda w: [_vote(w, "draft").pk, "notice"], "post", 403),
    ("owner_unit_101", "voting:move", lambda w: [_vote(w, "due").pk, "close"], "post", 403),
    ("owner_unit_101", "voting:roll_correct", lambda w: [_vote_entry(w).pk], "post", 403),
    ("street_a_officer", "voting:ballot", lambda w: [_vote(w).pk], "post", 403),
    ("district_admin", "voting:mine", None, "get", 403),
    ("district_admin", "voting:paper", lambda w: [_vote(w).pk], "post", 403),
    ("owner_unit_101", "voting:paper_counts", lambda w: [_vote(w).pk], "post", 403),
    ("auditor", "voting:proxies", lambda w: [_vote(w).pk], "post", 403),
    ("owner_unit_101", "voting:proxy_revoke", lambda w: [_vote_proxy(w).pk], "post", 403),
    ("district_staff", "voting:proxy_vote", lambda w: [_vote_proxy(w).pk], "post", 403),
    ("owner_unit_101", "voting:deliveries", lambda w: [_vote(w).pk], "get", 403),
    ("community_a1_worker", "voting:signals", lambda w: [_vote(w).pk], "get", 403),
    ("committee_a_member", "voting:signals", lambda w: [_vote(w).pk], "get", 403),
]

POST_DATA = {
    "workorders:photo_upload": _photo_upload,
    "workorders:weights": _weights_form,
    "estates:create": lambda w: _new_estate(w, w.a1),
    "estates:edit": _estate_form,
    "estates:building_create": lambda w: {"number": "9栋"},
    "estates:compound_create": lambda w: {"name": "老纺织厂宿舍", "households": "60"},
    "estates:unit_create": _unit_form,
    "estates:unit_edit": lambda w: _unit_form(w, number="101"),
    "estates:owner_create": lambda w: {"kind": "person", "name": "甲", "share": "1"},
    "estates:resident_create": lambda w: {"name": "乙", "kind": "tenant"},
    "estates:owner_edit": _owner_form,
    "companies:create": lambda w: _new_company(w, w.district),
    "companies:edit": _company_form,
    "companies:contract_create": lambda w: _new_contract(w, w.estate_a2),
    "companies:contract_edit": _contract_form,
    "core:calendar_year_create": lambda w: _calendar_year_form(2031),
    "core:calendar_year_edit": lambda w: _calendar_year_form(2026),
    "core:calendar_day_create": lambda w: _calendar_day_form("2031-01-01"),
    "core:calendar_day_edit": lambda w: _calendar_day_form("2026-02-14"),
    "core:calendar_schedule_create": lambda w: _schedule_form(),
    "core:calendar_schedule_edit": lambda w: _schedule_form(),
    "workorders:create": lambda w: _intake(w, w.estate_a),
    "workorders:report": lambda w: _report(w, w.building_a),
    "workorders:dispatch": lambda w: {"lead": f"department:{w.fire.pk}"},
    "workorders:extension_request": lambda w: {"days": "2", "reason": "需协调"},
    "workorders:extension_decide": lambda w: {"approve": "1"},
    "workorders:dispute_record": lambda w: {
        "outcome": "failed",
        "met_at": "2026-03-02T10:00",
        "next_reason": "区级",
    },
    "workorders:dispute_performance": lambda w: {"performance": "performed"},
    "voting:create": lambda w: _vote_form(w, title="新建业主大会"),
    "voting:edit": lambda w: _vote_form(w, title="改名后的会议"),
    "voting:motion_create": lambda w: {"title": "续筹", "matter": "6", "electorate": "estate"},
    "voting:roll_correct": lambda w: {"change": "exclude", "reason": "重复登记"},
    "voting:ballot": lambda w: {"step": "verify", "id_number": w.owners["a"][0].id_number},
    "voting:paper": lambda w: (
        {"voter_key": f"owner:{w.owners['a'][2].pk}", "number": "P-9"} | _vote_choice(w)
    ),
    "voting:paper_counts": lambda w: {"issued": "3", "returned": "1"},
    "voting:proxies": lambda w: {
        "voter_key": f"owner:{w.owners['a'][1].pk}",
        "holder_name": "赵代理",
        "holder_id_number": VOTE_HOLDER,
    },
    "voting:proxy_vote": lambda w: {"holder_id_number": VOTE_HOLDER} | _vote_choice(w, "no"),
}


@pytest.mark.parametrize(("persona", "name", "args", "method", "status"), LACKING)
def test_role_lacking_the_action_is_refused(world, client, persona, name, args, method, status):
    # given
    url = reverse(name, args=args(world) if args else None)
    contract_before = list(ServiceContract.objects.values())
    client.force_login(getattr(world.people, persona))

    # when
    if method == "post":
        response = client.post(url, POST_DATA.get(name, lambda w: {})(world))
    else:
        response = client.get(url)

    # then
    assert response.status_code == status
    assert not AuditEvent.objects.exists()
    assert list(ServiceContract.objects.values()) == contract_before


@pytest.mark.parametrize("persona", sorted(set(ESTATES_OF) - CAN_EXPORT))
@pytest.mark.parametrize("name", ["estates:list", "estates:unit_list"])
def test_roles_without_export_cannot_export(world, client, persona, name):
    client.force_login(getattr(world.people, persona))
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert 'data-testid="export"' not in page.content.decode()
    assert client.get(reverse(name), {"export": "xlsx"}).status_code == 403


def test_roles_without_create_see_no_create_button(world, client):
    client.force_login(world.people.company_x_manager)
    page = client.get(reverse("estates:list"))
    assert 'data-testid="create"' not in page.content.decode()
    client.force_login(world.people.district_admin)
    page = client.get(reverse("estates:list"))
    assert 'data-testid="create"' in page.content.decode()


# --------------------------------------------------------------------------------------------
# One user, two memberships: a role's rights never reach into the other role's scope.
# --------------------------------------------------------------------------------------------


@pytest.fixture
def grid_and_company_y(world):
    """A grid worker in A1 (sees, may not export) who also manages company Y (may export)."""
    user = world.people.grid_a1_worker
    Membership.objects.create(user=user, role=Role.COMPANY_MANAGER, company=world.company_y)
    return user


def test_export_covers_only_the_scope_of_roles_that_may_export(world, client, grid_and_company_y):
    client.force_login(grid_and_company_y)

    page = client.get(reverse("estates:owner_list"))
    export = client.get(reverse("estates:owner_list"), {"export": "xlsx"})

    shown = {row[0] for row in table_rows(page)}
    exported = {row[0] for row in workbook_rows(export)}
    assert shown == {o.name for o in world.owners["a"] + world.owners["b"]}
    assert exported == {o.name for o in world.owners["b"]}


@pytest.fixture
def community_a1_and_company_y(world):
    """A community worker in A1 (may reveal) who also manages company Y (may not reveal)."""
    user = world.people.community_a1_worker
    Membership.objects.create(user=user, role=Role.COMPANY_MANAGER, company=world.company_y)
    return user


def test_reveal_only_where_the_revealing_role_reaches(world, client, community_a1_and_company_y):
    client.force_login(community_a1_and_company_y)
    owner_a, owner_b = world.owners["a"][0], world.owners["b"][0]

    allowed = client.post(reverse("core:pii_reveal", args=["owner", owner_a.pk, "id_number"]))
    refused = client.post(reverse("core:pii_reveal", args=["owner", owner_b.pk, "id_number"]))

    assert allowed.status_code == 200
    assert owner_a.id_number in allowed.content.decode()
    assert refused.status_code in {403, 404}
    assert owner_b.id_number not in refused.content.decode()
    assert AuditEvent.objects.filter(action="pii.reveal").count() == 1


# --------------------------------------------------------------------------------------------
# Anonymous visitors, and the completeness of the tables above.
# --------------------------------------------------------------------------------------------

ANONYMOUS = sorted(
    {(name, None, "get") for name in LISTS}
    | {("core:home", None, "get"), ("core:audit_list", None, "get")}
    | {(name, None, "get") for name, *_rest in CREATES}
    | {(name, None, "post") for name, *_rest in CREATES}
    | {(spec.name, key if spec.args else None, spec.method) for key, spec in PAGES.items()},
    key=str,
)


# URLs that take more than one object id.
ANONYMOUS_ARGS = {
    "core:pii_reveal": ["owner", 1, "id_number"],
    "workorders:act": [1, "sign"],
    "workorders:meeting_outcome": [1, 1],
    "workorders:deadline_class_edit": ["urgent"],
    "voting:move": [1, "notice"],
    "voting:file": ["attachment", 1],
}


@pytest.mark.parametrize(("name", "page", "method"), ANONYMOUS)
def test_anonymous_visitor_is_sent_to_login(db, client, name, page, method):
    # The login wall stands before any view runs, so no object needs to exist.
    args = ANONYMOUS_ARGS.get(name, [1]) if page else None
    url = reverse(name, args=args)

    response = client.post(url, {}) if method == "post" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.exists()


def test_login_page_is_public(client, db):
    assert client.get(reverse("accounts:login")).status_code == 200


def _page_names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in {"admin", "api"}:
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _page_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name and namespace:
            yield f"{namespace}{p.name}"


def test_every_page_url_is_covered():
    covered = (
        set(LISTS)
        | {"core:home", "core:audit_list", "accounts:login", "accounts:logout"}
        | {name for name, *_rest in CREATES}
        | {spec.name for spec in PAGES.values()}
    )
    pages = set(_page_names(get_resolver().url_patterns))
    # The Excel import pages have their scope tests in anju/core/tests/test_imports.py; the
    # public return-visit page (its token is its scope) in anju/workorders/tests/test_visit_page.py.
    pages = {name for name in pages if not name.startswith("core:import")}
    pages -= {"workorders:visit"}
    # The public, masked bulletin board of a counted meeting: no login, its unguessable token
    # is its scope (tested in anju/voting/tests/test_downloads.py).
    pages -= {"voting:board"}
    missing = sorted(pages - covered)
    assert not missing, f"pages without a scope test in tests/test_scope_pages.py: {missing}"


def test_owner_holding_two_units_is_listed_once_per_estate_filter(world, client):
    # given: the owner of 101 also holds 102 (jointly)
    owner = world.owners["a"][0]
    Ownership.objects.filter(unit=world.units_a[1]).update(share=Decimal("0.5"))
    f.OwnershipFactory(
        unit=world.units_a[1], owner=owner, share=Decimal("0.5"), is_representative=False
    )
    client.force_login(world.people.street_a_officer)

    # when
    page = client.get(reverse("estates:owner_list"), {"estate": world.estate_a.pk})
    export = client.get(
        reverse("estates:owner_list"), {"estate": world.estate_a.pk, "export": "xlsx"}
    )

    # then
    expected = Counter(o.name for o in world.owners["a"])
    assert Counter(row[0] for row in table_rows(page)) == expected
    assert Counter(row[0] for row in workbook_rows(export)) == expected
