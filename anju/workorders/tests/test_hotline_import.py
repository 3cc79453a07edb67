"""The 12345 hotline ledger: template, import by 12345 number (idempotent), all-or-nothing
checks, auto-dispatch, rights and the export."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from anju.core.import_jobs import import_job_create
from anju.core.imports import (
    XLSX_MIME,
    get_ledger,
    import_workbook,
    ledger_export,
    ledger_template,
)
from anju.core.ledger_cells import CellError
from anju.core.models import AuditEvent, ImportJob
from anju.core.tests.ledger_workbooks import errors_at, headers, run, sheet_rows, xlsx
from anju.workorders import services
from anju.workorders.ledgers import HEADER_ALIASES, Moment
from anju.workorders.machine import State
from anju.workorders.models import (
    Assignment,
    Category,
    Channel,
    Event,
    Kind,
    ResponsibilityRule,
    WorkOrder,
)

TZ = ZoneInfo("Asia/Shanghai")
KIND = "hotline"
ACCEPTED = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
WALL_CLOCK = ACCEPTED.replace(tzinfo=None)  # naive, as Excel gives it: Beijing time


@pytest.fixture(autouse=True)
def _eager(settings, tmp_path):
    settings.ANJU_TASKS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def matrix(db):
    """A small matrix of its own beside the seeded one (codes and names of their own)."""
    fire = Category.objects.create(code="t-fire", name="测试消防")
    exit_blocked = Category.objects.create(
        code="t-fire.exit", name="测试消防通道堵塞", parent=fire, kind=Kind.REPORT
    )
    service = Category.objects.create(code="t-service", name="测试物业服务")
    cleaning = Category.objects.create(code="t-service.cleaning", name="测试保洁", parent=service)
    other = Category.objects.create(code="t-other", name="测试其他")  # a leaf with no rule
    retired = Category.objects.create(code="t-retired", name="测试停用", active=False)
    ResponsibilityRule.objects.create(
        category=fire, lead="dept:fire", co=["street"], basis="消防救援机构负责", source="S0"
    )
    ResponsibilityRule.objects.create(
        category=service, lead="company", co=[], basis="物业企业负责", source="S3"
    )
    return {
        "fire": fire,
        "exit": exit_blocked,
        "cleaning": cleaning,
        "other": other,
        "retired": retired,
    }


def hotline_row(number: str, **cells):
    return {
        "source_ref": number,
        "category": "t-fire.exit",
        "community": "510104001001",
        "estate": "红星花园",
        "title": "消防通道被堵",
        "content": "电动车堆满消防通道。",
        "complainant_name": "李女士",
        "complainant_phone": "13812345678",
        **cells,
    }


def good_rows():
    return [
        # Fire exit in 红星花园 (community + name), building given: the fire brigade leads.
        hotline_row("2026030200001", accepted_at=WALL_CLOCK, building="1栋", kind="举报"),
        # Cleaning by its name, the estate by its name alone (unique in street A): company X.
        hotline_row(
            "2026030200002",
            category="测试保洁",
            community=None,
            kind="投诉",
            concerns_company="是",
            complainant_phone="028-85551234",
        ),
        # No rule for this category: it stays registered for a dispatcher.
        hotline_row("2026030200003", category="测试其他", kind="咨询", title=None),
        # A community without an estate, anonymous: cleaning needs the estate's company.
        hotline_row(
            "2026030200004",
            category="t-service.cleaning",
            community="510104001002",
            estate=None,
            anonymous="是",
            complainant_name=None,
            complainant_phone=None,
            address="和平社区3号院门口",
        ),
    ]


def hotline_orders():
    return WorkOrder.objects.filter(channel=Channel.HOTLINE)


def counts():
    return WorkOrder.objects.count(), Event.objects.count(), Assignment.objects.count()


# --------------------------------------------------------------------------------------------
# Template and cells


def test_template_has_the_headers_and_dropdowns(db):
    ledger = get_ledger(KIND)
    wb = load_workbook(BytesIO(ledger_template(KIND)))
    data = wb.worksheets[0]
    assert data.title == ledger.sheet_title()
    assert [c.value for c in data[1]] == headers(KIND)
    assert data.max_row == 1
    choice_keys = [c.key for c in ledger.columns if c.cell.options()]
    assert choice_keys == ["kind", "anonymous", "concerns_company"]
    assert len(data.data_validations.dataValidation) == 3
    lists = [tuple(r) for r in wb["_lists"].iter_rows(values_only=True)]
    assert [row[0] for row in lists] == [str(label) for label in Kind.labels]
    assert {row[1] for row in lists} >= {_("Yes"), _("No")}
    required = {c.header() for c in ledger.columns if c.required}
    assert required == {ledger.column(k).header() for k in ("source_ref", "category", "content")}


def test_the_template_filled_with_its_example_imports(world, matrix):
    wb = load_workbook(BytesIO(ledger_template(KIND)))
    example = [c.value for c in list(wb.worksheets[1].iter_rows())[-1]]
    wb.worksheets[0].append(example[: len(headers(KIND))])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    outcome = import_workbook(actor=world.people.street_a_officer, kind=KIND, file=buffer)
    assert outcome.ok, outcome.errors
    assert outcome.created["order"] == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (WALL_CLOCK, ACCEPTED),
        ("2026-03-02 09:30", datetime(2026, 3, 2, 9, 30, tzinfo=TZ)),
        ("2026/3/2 9:30:15", datetime(2026, 3, 2, 9, 30, 15, tzinfo=TZ)),
        ("2026年3月2日 09:30", datetime(2026, 3, 2, 9, 30, tzinfo=TZ)),
        ("2026-03-02", datetime(2026, 3, 2, 0, 0, tzinfo=TZ)),
        (46083.5, datetime(2026, 3, 2, 12, 0, tzinfo=TZ)),
    ],
)
def test_time_of_acceptance_cells(raw, expected):
    assert Moment().parse(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "2026-02-30 10:00", -3])
def test_time_of_acceptance_refuses(raw):
    with pytest.raises(CellError):
        Moment().parse(raw)


# --------------------------------------------------------------------------------------------
# Import


def test_a_good_file_registers_and_dispatches(world, matrix):
    officer = world.people.street_a_officer
    outcome = run(officer, KIND, good_rows())
    assert outcome.ok, outcome.errors
    assert outcome.created == {"order": 4, "dispatched": 2, "skipped": 0}

    orders = {o.source_ref: o for o in hotline_orders().select_related("category", "estate")}
    assert set(orders) == {f"202603020000{i}" for i in range(1, 5)}
    fire, cleaning, other, community = (orders[f"202603020000{i}"] for i in range(1, 5))

    assert fire.state == State.DISPATCHED
    assert fire.kind == Kind.REPORT
    assert fire.estate == world.estate_a
    assert fire.building == world.building_a
    assert fire.complainant_phone == "13812345678"
    lead = fire.assignments.get(role=Assignment.Role.LEAD)
    assert lead.department == world.fire
    register = Event.objects.get(order=fire, action="register")
    assert register.at == ACCEPTED  # the hotline's time
    assert fire.number == "GD2026030200001"

    assert cleaning.state == State.DISPATCHED
    assert cleaning.estate == world.estate_a  # found by its name alone
    assert cleaning.kind == Kind.COMPLAINT
    assert cleaning.concerns_company
    assert cleaning.assignments.get(role=Assignment.Role.LEAD).company_id == world.company_x.pk

    assert other.state == State.REGISTERED  # no rule: waits for a dispatcher
    assert other.kind == Kind.CONSULT
    assert other.title == "电动车堆满消防通道。"  # no subject: the content's beginning
    assert not other.assignments.exists()

    assert community.estate is None
    assert community.region_code == "510104001002"
    assert community.address == "和平社区3号院门口"
    assert community.anonymous
    assert community.kind == Kind.COMPLAINT  # no type given: the category's
    assert community.complainant_name == ""
    assert community.state == State.REGISTERED  # the company of no estate: not routed

    assert AuditEvent.objects.filter(action="ledger.import.hotline").count() == 1
    assert AuditEvent.objects.filter(action="workorders.register").count() == 4


def test_importing_the_same_file_again_creates_nothing(world, matrix):
    officer = world.people.street_a_officer
    assert run(officer, KIND, good_rows()).ok
    before = counts()

    again = run(officer, KIND, good_rows())
    assert again.ok, again.errors
    assert again.created == {"order": 0, "dispatched": 0, "skipped": 4}
    assert counts() == before

    # The next day's file repeats two of yesterday's orders and adds one.
    rows = [*good_rows()[:2], hotline_row("2026030300001", category="测试其他")]
    outcome = run(officer, KIND, rows)
    assert outcome.created == {"order": 1, "dispatched": 0, "skipped": 2}
    assert hotline_orders().count() == 5


def test_rows_already_imported_are_not_checked_again(world, matrix):
    officer = world.people.street_a_officer
    assert run(officer, KIND, good_rows()[:1]).ok
    matrix["exit"].active = False  # retired since: the row that used it is only skipped
    matrix["exit"].save()
    outcome = run(officer, KIND, good_rows()[:1])
    assert outcome.ok, outcome.errors
    assert outcome.created["skipped"] == 1


def test_every_bad_row_is_reported_and_nothing_is_written(world, matrix):
    officer = world.people.street_a_officer
    services.register(
        actor=officer,
        data={
            "channel": Channel.HOTLINE,
            "source_ref": "OLD-1",
            "category": matrix["other"],
            "estate": world.estate_a,
            "title": "旧工单",
            "content": "已经导入过。",
            "complainant_phone": "13800001111",
        },
    )
    before = counts()
    audits = AuditEvent.objects.count()
    future = timezone.localtime() + timedelta(days=2)
    rows = [
        hotline_row("N-1"),  # 2: fine
        hotline_row("N-1"),  # 3: the same number as row 2
        hotline_row("N-3", category="不存在的分类"),  # 4
        hotline_row("N-4", community="510105001001", estate="浣花苑"),  # 5: neighbour
        hotline_row("N-5", community=None, estate="浣花苑"),  # 6: neighbour, by name
        hotline_row("N-6", complainant_phone="12345"),  # 7: bad phone
        hotline_row("N-7", content=None),  # 8: no content
        hotline_row("N-8", category="t-fire"),  # 9: a group
        hotline_row("N-9", category="t-retired"),  # 10: retired
        hotline_row("N-10", building="9栋"),  # 11: no such building
        hotline_row("N-11", complainant_name=None, complainant_phone=None),  # 12
        hotline_row("N-12", community=None, estate=None),  # 13: no place at all
        hotline_row("N-13", accepted_at=future.replace(tzinfo=None)),  # 14
        hotline_row("N-14", kind="表扬"),  # 15: not a request type
        hotline_row("OLD-1", complainant_phone="138****1111"),  # 16: skipped: fine
        hotline_row("N-15", complainant_phone="138****1111"),  # 17: masked on a new row
        hotline_row("N-16", community="510104001002", estate="红星花园"),  # 18: other community
    ]
    outcome = run(officer, KIND, rows)
    assert not outcome.ok
    assert outcome.rows == len(rows)
    assert counts() == before
    assert AuditEvent.objects.count() == audits

    ledger = get_ledger(KIND)
    h = {c.key: c.header() for c in ledger.columns}
    assert {(e.row, e.column) for e in outcome.errors} == {
        (3, h["source_ref"]),
        (4, h["category"]),
        (5, h["community"]),
        (6, h["estate"]),
        (7, h["complainant_phone"]),
        (8, h["content"]),
        (9, h["category"]),
        (10, h["category"]),
        (11, h["building"]),
        (12, h["complainant_phone"]),
        (13, h["estate"]),
        (14, h["accepted_at"]),
        (15, h["kind"]),
        (17, h["complainant_phone"]),
        (18, h["estate"]),
    }
    assert all(e.sheet == ledger.sheet_title() for e in outcome.errors)
    assert errors_at(outcome, "source_ref", KIND) == [
        (3, _("The same 12345 order number is also on row %(row)s.") % {"row": 2})
    ]
    assert errors_at(outcome, "community", KIND) == [
        (5, _("The community code is unknown or outside your area."))
    ]
    assert errors_at(outcome, "content", KIND) == [(8, _("This cell is required."))]
    phone_errors = [e for e in outcome.errors if e.row == 7]
    assert phone_errors[0].value == "1***5"  # masked in the listing


def test_chinese_headers_of_the_12345_system_are_accepted(world, matrix):
    wb = Workbook()
    ws = wb.active
    ws.title = "12345工单导出"
    keys = list(HEADER_ALIASES)
    ws.append([HEADER_ALIASES[k][0] for k in keys])
    row = hotline_row("CN-1", kind="求助", accepted_at="2026-03-02 09:30", anonymous="否")
    ws.append([row.get(k) for k in keys])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    outcome = import_workbook(actor=world.people.street_a_officer, kind=KIND, file=buffer)
    assert outcome.ok, outcome.errors
    order = hotline_orders().get(source_ref="CN-1")
    assert order.kind == Kind.HELP


# --------------------------------------------------------------------------------------------
# Rights


def test_a_persona_without_intake_is_refused(world, matrix):
    for persona in (
        world.people.company_x_manager,  # no intake at all
        world.people.community_a1_worker,  # intake, but no ledger imports
        world.people.auditor,
    ):
        with pytest.raises(PermissionDenied):
            run(persona, KIND, good_rows())
        upload = SimpleUploadedFile("h.xlsx", xlsx(KIND, good_rows()).getvalue(), XLSX_MIME)
        with pytest.raises(PermissionDenied):
            import_job_create(actor=persona, kind=KIND, upload=upload)
    assert not hotline_orders().exists()


def test_the_upload_page_runs_the_job_and_shows_the_skipped_count(world, matrix, login):
    client = login(world.people.street_a_officer)
    assert KIND in client.get(reverse("core:import_list")).content.decode()
    for _attempt in range(2):
        content = xlsx(KIND, good_rows()).getvalue()
        response = client.post(
            reverse("core:import_upload"),
            {"kind": KIND, "file": SimpleUploadedFile("h.xlsx", content, XLSX_MIME)},
        )
        assert response.status_code == 302
    first, second = ImportJob.objects.order_by("pk")
    assert first.created == {"order": 4, "dispatched": 2, "skipped": 0}
    assert second.status == ImportJob.Status.SUCCEEDED
    assert second.created == {"order": 0, "dispatched": 0, "skipped": 4}
    page = client.get(reverse("core:import_job", args=[second.pk])).content.decode()
    assert str(get_ledger(KIND).count_label("skipped")) in page

    company = login(world.people.company_x_manager)
    response = company.post(
        reverse("core:import_upload"),
        {"kind": KIND, "file": SimpleUploadedFile("h.xlsx", content, XLSX_MIME)},
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------------------------
# Export


def test_the_export_lists_the_actors_orders_with_phones_masked(world, matrix):
    officer = world.people.street_a_officer
    assert run(officer, KIND, good_rows()).ok
    services.register(  # the neighbouring district's own hotline order
        actor=world.people.neighbour_admin,
        data={
            "channel": Channel.HOTLINE,
            "source_ref": "QY-1",
            "category": matrix["other"],
            "estate": world.estate_n,
            "title": "青羊区工单",
            "content": "邻区的诉求。",
            "complainant_phone": "13900009999",
        },
    )
    services.register(  # not a hotline order
        actor=officer,
        data={
            "channel": Channel.PHONE,
            "category": matrix["other"],
            "estate": world.estate_a,
            "title": "电话工单",
            "content": "来电。",
            "complainant_phone": "13900008888",
        },
    )
    ledger = get_ledger(KIND)
    rows = sheet_rows(ledger_export(actor=officer, kind=KIND))
    assert rows[0] == tuple(headers(KIND))
    data = {r[0]: dict(zip([c.key for c in ledger.columns], r, strict=True)) for r in rows[1:]}
    assert set(data) == {f"202603020000{i}" for i in range(1, 5)}
    first = data["2026030200001"]
    assert first["complainant_phone"] == "138****5678"
    assert first["accepted_at"] == WALL_CLOCK
    assert first["category"] == "t-fire.exit"
    assert (first["community"], first["estate"], first["building"]) == (
        "510104001001",
        "红星花园",
        "1栋",
    )
    assert first["kind"] == str(Kind.REPORT.label)
    assert data["2026030200002"]["complainant_phone"] == "028*****1234"
    assert data["2026030200004"]["community"] == "510104001002"

    neighbour = sheet_rows(ledger_export(actor=world.people.neighbour_admin, kind=KIND))
    assert [r[0] for r in neighbour[1:]] == ["QY-1"]

    # The exported file imports back: every order is already there.
    again = import_workbook(
        actor=officer, kind=KIND, file=BytesIO(ledger_export(actor=officer, kind=KIND))
    )
    assert again.ok, again.errors
    assert again.created == {"order": 0, "dispatched": 0, "skipped": 4}


def test_a_company_exports_its_orders_without_who_complained(world, matrix):
    assert run(world.people.street_a_officer, KIND, good_rows()).ok
    ledger = get_ledger(KIND)
    rows = sheet_rows(ledger_export(actor=world.people.company_x_manager, kind=KIND))
    keys = [c.key for c in ledger.columns]
    data = [dict(zip(keys, r, strict=True)) for r in rows[1:]]
    assert [r["source_ref"] for r in data] == ["2026030200002"]  # assigned to company X
    assert data[0]["complainant_name"] is None  # it concerns the company
    assert data[0]["complainant_phone"] is None
    with pytest.raises(PermissionDenied):
        ledger_export(actor=world.people.grid_a1_worker, kind=KIND)
