"""The Excel ledger framework: templates, validation, all-or-nothing writes, annotated
workbooks, exports, import jobs, pages and the API."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from anju.core import import_jobs
from anju.core.imports import (
    KIND_ORDER,
    MAX_ERRORS,
    PROGRESS_EVERY,
    RowError,
    annotated_workbook,
    get_ledger,
    import_workbook,
    ledger_export,
    ledger_template,
)
from anju.core.ledger_cells import Code, Day, Integer, Number, Phone, YesNo, id_number_is_valid
from anju.core.models import AuditEvent, ImportJob
from anju.core.tests.ledger_workbooks import headers, id_number, run, sheet_rows, xlsx
from anju.estates.models import Building, Estate, Owner, Ownership, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _eager(settings, tmp_path):
    settings.ANJU_TASKS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"


def unit_row(**cells):
    return {
        "community": "510104001001",
        "estate": "红星花园",
        "building": "2栋",
        "number": "201",
        "unit_kind": "住宅",
        "area": 88.5,
        **cells,
    }


def upload(content: BytesIO | bytes, name="ledger.xlsx"):
    data = content.getvalue() if isinstance(content, BytesIO) else content
    return SimpleUploadedFile(name, data, content_type=XLSX)


def table_counts():
    return (
        Estate.objects.count(),
        Building.objects.count(),
        Unit.objects.count(),
        Owner.objects.count(),
        Ownership.objects.count(),
    )


# --------------------------------------------------------------------------------------------
# Cell types


@pytest.mark.parametrize(
    ("cell", "raw", "expected"),
    [
        (Integer(0, 10), 3, 3),
        (Integer(0, 10), 3.0, 3),
        (Integer(0, 10), " 7 ", 7),
        (Number(2), 89.5, Decimal("89.50")),
        (Number(2), "1.10", Decimal("1.10")),
        (Number(2), "1.100", Decimal("1.10")),
        (Number(4, maximum=1), "0.3333", Decimal("0.3333")),
        (Day(), "2024-02-29", date(2024, 2, 29)),
        (Day(), "2024/3/1", date(2024, 3, 1)),
        (Day(), "2024年3月1日", date(2024, 3, 1)),
        (Day(), 45352, date(2024, 3, 1)),
        (Code(), 510104001001, "510104001001"),
        (YesNo(), "是", True),
        (YesNo(), "否", False),
        (YesNo(), "yes", True),
        (YesNo(), 0, False),
        (Phone(), "13800001111", "13800001111"),
        (Phone(), 13800001111, "13800001111"),
        (Phone(), "028-85551234", "028-85551234"),
        (Phone(), "85551234", "85551234"),
    ],
)
def test_cells_accept(cell, raw, expected):
    assert cell.parse(raw) == expected


@pytest.mark.parametrize(
    ("cell", "raw"),
    [
        (Integer(0, 10), 3.5),
        (Integer(0, 10), "three"),
        (Integer(0, 10), 11),
        (Integer(0, 10), True),
        (Number(2), 89.555),
        (Number(2), "1.001"),
        (Number(2), "abc"),
        (Number(2), "NaN"),
        (Number(2), -1),
        (Number(2, positive=True), 0),
        (Number(4, maximum=1), "1.5"),
        (Day(), "2024-02-30"),
        (Day(), "yesterday"),
        (Day(), 1.5),
        (Code(), "51010400100"),
        (Code(), "5101040010AB"),
        (YesNo(), "maybe"),
        (Phone(), "1380000111"),  # a mobile needs 11 digits
        (Phone(), "138000011112"),
        (Phone(), "12345"),
        (Phone(), "028-8555"),
    ],
)
def test_cells_refuse(cell, raw):
    from anju.core.ledger_cells import CellError

    with pytest.raises(CellError):
        cell.parse(raw)


def test_id_number_checksum():
    assert id_number_is_valid("11010519491231002X")
    assert id_number_is_valid(id_number("51010419800101123"))
    assert not id_number_is_valid("110105194912310021")  # wrong check digit
    assert not id_number_is_valid("11010519491331002X")  # month 13
    assert not id_number_is_valid("11010519491231002")  # 17 characters
    assert not id_number_is_valid("1101051949123100XX")


# --------------------------------------------------------------------------------------------
# Templates


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_template_has_headers_dropdowns_and_instructions(db, kind):
    ledger = get_ledger(kind)
    wb = load_workbook(BytesIO(ledger_template(kind)))
    data = wb.worksheets[0]
    assert data.title == ledger.sheet_title()
    assert [c.value for c in data[1]] == headers(kind)
    assert all(c.font.b for c in data[1])
    assert data.freeze_panes == "A2"
    assert data.max_row == 1  # no example in the data sheet: nothing to delete before import

    choice_columns = [i for i, c in enumerate(ledger.columns) if c.cell.options()]
    assert len(data.data_validations.dataValidation) == len(choice_columns)
    lists = wb["_lists"]
    assert lists.sheet_state == "hidden"
    for validation in data.data_validations.dataValidation:
        assert validation.type == "list"
        assert validation.formula1.startswith("'_lists'!")

    instructions = wb.worksheets[1]
    rows = [tuple(r) for r in instructions.iter_rows(values_only=True)]
    listed = {}
    for row in rows:  # the column table comes first; the example's header row repeats them
        if row[0] in headers(kind):
            listed.setdefault(row[0], row)
    for column in ledger.columns:
        row = listed[column.header()]
        assert row[1] == (_("Yes") if column.required else _("No"))
        for option in column.cell.options():
            assert option in row[2]
    example = list(instructions.iter_rows())[-1]
    assert example[0].font.i
    assert example[0].font.color.rgb.endswith("808080")


def _fill_with_example(kind: str) -> BytesIO:
    """The downloaded template with its example row copied into the data sheet."""
    wb = load_workbook(BytesIO(ledger_template(kind)))
    example = [c.value for c in list(wb.worksheets[1].iter_rows())[-1]]
    wb.worksheets[0].append(example[: len(headers(kind))])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_each_template_filled_with_its_example_imports_cleanly(world):
    admin = world.people.district_admin
    for kind in KIND_ORDER:  # units before owners, companies before contracts
        outcome = import_workbook(actor=admin, kind=kind, file=_fill_with_example(kind))
        assert outcome.ok, (kind, outcome.errors)
        assert sum(outcome.created.values()) >= 1
    unit = Unit.objects.get(estate=world.estate_a, building__number="1栋", entrance="1")
    ownership = Ownership.objects.select_related("owner").get(unit=unit)
    assert ownership.is_representative
    assert ownership.owner.id_number == "11010519491231002X"  # encrypted at rest, read back
    assert Owner.objects.filter(id_number="11010519491231002X").count() == 0  # not stored in clear


def test_unknown_kind(db):
    with pytest.raises(LookupError):
        ledger_template("parking")


# --------------------------------------------------------------------------------------------
# Whole-file problems


def test_missing_headers_are_named(world):
    wrong = headers("units")
    wrong.remove(get_ledger("units").column("area").header())
    wrong.remove(get_ledger("units").column("number").header())
    wb = xlsx("units", [], header=wrong)
    outcome = import_workbook(actor=world.people.district_admin, kind="units", file=wb)
    assert not outcome.ok
    messages = [e.message for e in outcome.errors]
    assert len(messages) == 2
    for key in ("number", "area"):
        header = get_ledger("units").column(key).header()
        assert any(header in m for m in messages)
        assert any(e.column == header and e.row == 1 for e in outcome.errors)


def test_empty_sheet_and_no_rows(world):
    admin = world.people.district_admin
    empty = xlsx("units", [], header=[])
    outcome = import_workbook(actor=admin, kind="units", file=empty)
    assert not outcome.ok
    assert outcome.errors[0].row == 0

    only_header = xlsx("units", [{}, {}])  # blank lines are skipped
    outcome = import_workbook(actor=admin, kind="units", file=only_header)
    assert [e.message for e in outcome.errors] == [_("The file contains no data rows.")]


def test_damaged_sheet(world):
    import zipfile

    good = xlsx("units", [unit_row()]).getvalue()
    broken = BytesIO()
    with zipfile.ZipFile(BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut off mid-XML
            dst.writestr(item, data)
    broken.seek(0)
    outcome = import_workbook(actor=world.people.district_admin, kind="units", file=broken)
    assert not outcome.ok
    assert ".xlsx" in outcome.errors[0].message
    assert not Unit.objects.filter(building__number="2栋").exists()


def test_not_an_xlsx(world):
    outcome = import_workbook(
        actor=world.people.district_admin, kind="units", file=BytesIO(b"name,area\nx,1\n")
    )
    assert not outcome.ok
    assert ".xlsx" in outcome.errors[0].message


def test_headers_match_in_any_language_and_order(world):
    from django.utils import translation
    from openpyxl import Workbook

    ledger = get_ledger("units")
    with translation.override("en"):
        english = [c.header() for c in ledger.columns]
    cells = {
        "community": "510104001001",
        "estate": "红星花园",
        "building": "2栋",
        "number": "201",
        "unit_kind": "residential",  # the code is accepted as well as the label
        "area": 50,
    }
    wb = Workbook()
    wb.active.append(list(reversed(english)))
    wb.active.append(list(reversed([cells.get(c.key) for c in ledger.columns])))
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    outcome = import_workbook(actor=world.people.district_admin, kind="units", file=buffer)
    assert outcome.ok, outcome.errors
    assert Unit.objects.get(building__number="2栋", number="201").area == Decimal("50.00")


# --------------------------------------------------------------------------------------------
# All or nothing


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    before = table_counts()
    events = AuditEvent.objects.count()
    rows = [
        unit_row(number="201"),  # fine
        unit_row(number="202", area=0),  # area must be > 0
        unit_row(number="203", floor="ground"),  # not an integer
        unit_row(number="204", unit_kind="castle"),  # not a choice
        unit_row(number="201"),  # duplicate of row 2
        unit_row(building="1栋", number="101"),  # already registered
        unit_row(estate="不存在小区"),  # unknown estate
        unit_row(number=None, area=12.345),  # two errors in one row
        unit_row(number="209"),  # fine
    ]
    outcome = run(world.people.district_admin, "units", rows)
    assert not outcome.ok
    assert outcome.rows == len(rows)
    found = {(e.row, e.column) for e in outcome.errors}
    ledger = get_ledger("units")
    h = {c.key: c.header() for c in ledger.columns}
    assert found == {
        (3, h["area"]),
        (4, h["floor"]),
        (5, h["unit_kind"]),
        (6, h["number"]),
        (7, h["number"]),
        (8, h["estate"]),
        (9, h["number"]),
        (9, h["area"]),
    }
    assert [e.row for e in outcome.errors] == sorted(e.row for e in outcome.errors)
    assert table_counts() == before
    assert AuditEvent.objects.count() == events


def test_one_audit_event_per_import(world):
    officer = world.people.street_a_officer
    rows = [unit_row(number=str(300 + i)) for i in range(5)]
    outcome = run(officer, "units", rows)
    assert outcome.ok
    assert outcome.created == {"building": 1, "unit": 5}
    event = AuditEvent.objects.get(action="ledger.import.units")
    assert event.actor == officer
    assert event.target_type == "ledger"
    assert event.changes == {"building": 1, "unit": 5}
    assert event.region_code == "510104001"


def test_progress_is_reported_every_500_rows(world):
    calls = []
    rows = [unit_row(number=str(1000 + i)) for i in range(1200)]
    outcome = run(
        world.people.district_admin, "units", rows, on_progress=lambda d, t: calls.append((d, t))
    )
    assert outcome.ok
    assert [d for d, _t in calls] == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 1200]
    assert calls[-1] == (1200, 1200)
    assert all(t >= d for d, t in calls)


def test_errors_beyond_the_limit_are_counted(world, monkeypatch):
    import anju.core.imports as imports

    monkeypatch.setattr(imports, "MAX_ERRORS", 3)
    rows = [unit_row(number=str(i), area=-1) for i in range(5)]
    outcome = run(world.people.district_admin, "units", rows)
    assert len(outcome.errors) == 4
    assert "5" in outcome.errors[-1].message
    assert MAX_ERRORS > 3


def test_permission_to_import(world):
    people = world.people
    with pytest.raises(PermissionDenied):  # community workers may not import
        run(people.community_a1_worker, "owners", [])
    with pytest.raises(PermissionDenied):  # street officers may not change companies
        run(people.street_a_officer, "companies", [])
    with pytest.raises(PermissionDenied):
        run(people.auditor, "units", [])


# --------------------------------------------------------------------------------------------
# Annotated workbook


def test_annotated_workbook_marks_bad_cells(world):
    rows = [unit_row(number="201"), unit_row(number="202", area=-3), unit_row(unit_kind="castle")]
    source = xlsx("units", rows)
    outcome = import_workbook(actor=world.people.district_admin, kind="units", file=source)
    assert not outcome.ok
    source.seek(0)
    content = annotated_workbook(source, outcome.errors)
    ws = load_workbook(BytesIO(content)).worksheets[0]
    h = headers("units")
    area = h.index(get_ledger("units").column("area").header()) + 1
    kind = h.index(get_ledger("units").column("unit_kind").header()) + 1
    errors_column = len(h) + 1

    assert ws.cell(1, errors_column).value == _("Errors")
    bad = ws.cell(3, area)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert bad.comment is not None
    assert bad.comment.text == next(e.message for e in outcome.errors if e.row == 3)
    assert bad.value == -3
    assert ws.cell(4, kind).comment is not None
    assert ws.cell(2, area).comment is None
    assert ws.cell(2, area).fill.fgColor.rgb in (None, "00000000")
    assert ws.cell(2, errors_column).value is None
    assert outcome.errors[0].message in ws.cell(3, errors_column).value

    # A blank line in the upload keeps the rows below it where they were.
    source = xlsx("units", [unit_row(number="201"), {}, unit_row(number="203", area=0)])
    outcome = import_workbook(actor=world.people.district_admin, kind="units", file=source)
    assert [e.row for e in outcome.errors] == [4]
    source.seek(0)
    ws = load_workbook(BytesIO(annotated_workbook(source, outcome.errors))).worksheets[0]
    assert ws.cell(4, area).comment is not None
    assert ws.cell(3, 1).value is None

    # From stored dicts too (as the job keeps them), and a value that looks like a formula
    # stays text.
    source = xlsx("units", [unit_row(number='=HYPERLINK("http://x")', area=-1)])
    errors = [
        RowError("Sheet", 2, h[0], "", "bad").as_dict(),
        RowError(get_ledger("units").sheet_title(), 2, h[0], "", "bad").as_dict(),
    ]
    ws = load_workbook(BytesIO(annotated_workbook(source, errors))).worksheets[0]
    assert ws.cell(2, 1).comment.text == "bad"
    number = h.index(get_ledger("units").column("number").header()) + 1
    assert ws.cell(2, number).data_type != "f"


# --------------------------------------------------------------------------------------------
# Export


def test_export_masks_personal_information_and_neutralises_formulas(world):
    owner = world.owners["a"][0]
    owner.name = '=HYPERLINK("http://evil.example","click")'
    owner.save()
    content = ledger_export(actor=world.people.district_admin, kind="owners")
    wb = load_workbook(BytesIO(content))
    ws = wb.worksheets[0]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert list(rows[0]) == headers("owners")
    ledger = get_ledger("owners")
    keys = [c.key for c in ledger.columns]
    names = [r[keys.index("name")] for r in rows[1:]]
    assert "'" + owner.name in names
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    ids = [r[keys.index("id_number")] for r in rows[1:]]
    phones = [r[keys.index("phone")] for r in rows[1:]]
    assert owner.id_number not in ids
    assert all("*" in value for value in ids + phones)
    assert world.owners["a"][0].phone not in phones


def test_export_follows_the_actor_scope_and_export_right(world):
    people = world.people
    rows = sheet_rows(ledger_export(actor=people.street_a_officer, kind="estates"))
    names = {r[1] for r in rows[1:]}
    assert names == {"红星花园", "和平小区"}
    with pytest.raises(PermissionDenied):  # grid workers see the registry but may not export
        ledger_export(actor=people.grid_a1_worker, kind="units")


# --------------------------------------------------------------------------------------------
# Jobs and pages


def test_index_lists_ledgers_and_navigation(world, login):
    client = login(world.people.street_a_officer)
    response = client.get(reverse("core:import_list"))
    assert response.status_code == 200
    body = response.content.decode()
    for testid in ("import-form", "import-file", "import-submit", "template-units", "export-units"):
        assert f'data-testid="{testid}"' in body
    assert 'data-testid="template-companies"' not in body  # may not change companies
    assert reverse("core:import_list") in body  # navigation entry

    grid = login(world.people.grid_a1_worker)
    assert grid.get(reverse("core:import_list")).status_code == 403
    assert reverse("core:import_list") not in grid.get(reverse("core:home")).content.decode()


def test_export_only_roles_see_exports_but_no_upload_form(world, login):
    client = login(world.people.community_a1_worker)  # may export, may not import
    body = client.get(reverse("core:import_list")).content.decode()
    assert 'data-testid="export-owners"' in body
    assert 'data-testid="import-form"' not in body
    assert 'data-testid="template-owners"' not in body


def test_template_and_export_downloads(world, login):
    client = login(world.people.street_a_officer)
    response = client.get(reverse("core:import_template", args=["units"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert sheet_rows(response.content)[0] == tuple(headers("units"))
    assert client.get(reverse("core:import_template", args=["nope"])).status_code == 404
    response = client.get(reverse("core:import_export", args=["units"]))
    assert response.status_code == 200
    assert len(sheet_rows(response.content)) == 1 + 6  # two estates of street A, 3 units each
    grid = login(world.people.grid_a1_worker)
    assert grid.get(reverse("core:import_export", args=["units"])).status_code == 403


def test_upload_runs_the_job_and_shows_the_counts(world, login):
    client = login(world.people.street_a_officer)
    rows = [unit_row(number=str(500 + i)) for i in range(3)]
    response = client.post(
        reverse("core:import_upload"), {"kind": "units", "file": upload(xlsx("units", rows))}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created == {"building": 1, "unit": 3}
    assert (job.total, job.processed) == (3, 3)
    assert job.region_code == "510104001"
    assert not job.file  # imported: the upload (personal information) is not kept

    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-result"' in page
    assert 'data-testid="import-progress"' in page
    assert "hx-trigger" not in page  # finished: no more polling
    status = client.get(reverse("core:import_job_status", args=[job.pk]))
    assert 'data-testid="import-result"' in status.content.decode()
    assert "<html" not in status.content.decode()


def test_failed_job_lists_every_error_and_offers_the_annotated_workbook(world, login):
    client = login(world.people.street_a_officer)
    rows = [unit_row(number="601", area=-1), unit_row(number="602", floor="x"), unit_row()]
    client.post(
        reverse("core:import_upload"), {"kind": "units", "file": upload(xlsx("units", rows))}
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 2
    assert Unit.objects.filter(number="603").count() == 0

    page = client.get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-errors"' in page
    assert 'data-testid="import-annotated"' in page
    for error in job.errors:
        assert error["message"] in page
    response = client.get(reverse("core:import_job_annotated", args=[job.pk]))
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).worksheets[0]
    assert ws.cell(2, len(headers("units")) + 1).value


def test_a_running_job_polls_its_progress(world, login):
    officer = world.people.street_a_officer
    job = ImportJob.objects.create(
        user=officer, kind="units", status=ImportJob.Status.RUNNING, total=2000, processed=500
    )
    page = login(officer).get(reverse("core:import_job", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("core:import_job_status", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "width: 25%" in page
    assert "500 / 2000" in page


def test_jobs_are_private_to_their_owner_and_the_region_auditors(world, login):
    people = world.people
    client = login(people.street_a_officer)
    client.post(
        reverse("core:import_upload"),
        {"kind": "units", "file": upload(xlsx("units", [unit_row(area=-1)]))},
    )
    job = ImportJob.objects.get()
    urls = [
        reverse(name, args=[job.pk])
        for name in ("core:import_job", "core:import_job_status", "core:import_job_annotated")
    ]
    for user in (people.neighbour_admin, people.street_b_officer):
        other = login(user)
        for url in urls:
            assert other.get(url).status_code == 404, (user, url)
    auditor = login(people.auditor)  # audits the district: sees the job, not the raw file
    page = auditor.get(urls[0])
    assert page.status_code == 200
    assert 'data-testid="import-annotated"' not in page.content.decode()
    assert auditor.get(urls[2]).status_code == 404
    admin = login(people.district_admin)  # audits the district and may reveal
    assert admin.get(urls[2]).status_code == 200


@pytest.mark.parametrize(
    ("kind", "content", "name", "field"),
    [
        ("units", b"not a workbook", "ledger.xlsx", "file"),
        ("units", b"PK\x03\x04 broken zip", "ledger.xlsx", "file"),
        ("parking", None, "ledger.xlsx", "kind"),
    ],
)
def test_upload_errors_create_no_job(world, login, kind, content, name, field):
    client = login(world.people.street_a_officer)
    data = content if content is not None else xlsx("units", [unit_row()]).getvalue()
    response = client.post(reverse("core:import_upload"), {"kind": kind, "file": upload(data)})
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0
    form = response.context["form"]
    assert form.errors[field]
    assert 'data-testid="import-form-errors"' in response.content.decode()


def test_upload_too_large(world, login, settings):
    settings.ANJU_IMPORT_MAX_BYTES = 1024
    client = login(world.people.street_a_officer)
    rows = [unit_row(number=str(i)) for i in range(200)]
    response = client.post(
        reverse("core:import_upload"), {"kind": "units", "file": upload(xlsx("units", rows))}
    )
    assert response.status_code == 400
    assert "MB" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 0


def test_upload_needs_the_import_right(world, login):
    client = login(world.people.community_a1_worker)
    response = client.post(
        reverse("core:import_upload"), {"kind": "owners", "file": upload(xlsx("owners", []))}
    )
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_background_thread_starts_after_commit(world, settings, monkeypatch):
    settings.ANJU_TASKS_EAGER = False
    started = []

    class FakeThread:
        def __init__(self, target, args, name, daemon):
            assert target is import_jobs._run_in_thread
            assert daemon
            self.args = args

        def start(self):
            started.append(self.args)
            import_jobs.import_job_run(*self.args)  # the thread body, minus closing connections

    monkeypatch.setattr(import_jobs.threading, "Thread", FakeThread)
    officer = world.people.street_a_officer
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        job = import_jobs.import_job_create(
            actor=officer, kind="units", upload=upload(xlsx("units", [unit_row()]))
        )
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.PENDING
    assert started == [(job.pk, "zh-hans")]
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.SUCCEEDED


def test_unexpected_failure_marks_the_job_failed(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(import_jobs, "import_workbook", explode)
    job = import_jobs.import_job_create(
        actor=world.people.street_a_officer,
        kind="units",
        upload=upload(xlsx("units", [unit_row()])),
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == _(
        "The import stopped on an unexpected error; nothing was written."
    )


# --------------------------------------------------------------------------------------------
# API


def test_api_template_upload_and_job(world, login):
    client = login(world.people.street_a_officer)
    response = client.get("/api/v1/imports/templates/owners")
    assert response.status_code == 200
    assert sheet_rows(response.content)[0] == tuple(headers("owners"))
    assert client.get("/api/v1/imports/templates/parking").status_code == 404

    rows = [unit_row(number=str(700 + i)) for i in range(2)]
    response = client.post("/api/v1/imports/units", {"file": upload(xlsx("units", rows))})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["created"] == {"building": 1, "unit": 2}

    job = client.get(f"/api/v1/imports/jobs/{body['id']}")
    assert job.status_code == 200
    assert job.json()["errors"] == []

    bad = client.post("/api/v1/imports/units", {"file": upload(xlsx("units", [unit_row(area=0)]))})
    assert bad.status_code == 201
    detail = client.get(f"/api/v1/imports/jobs/{bad.json()['id']}").json()
    assert detail["status"] == "failed"
    assert detail["errors"][0]["row"] == 2
    assert detail["errors"][0]["column"] == get_ledger("units").column("area").header()

    neighbour = login(world.people.neighbour_admin)
    assert neighbour.get(f"/api/v1/imports/jobs/{body['id']}").status_code == 404


def test_api_upload_refusals(world, login):
    client = login(world.people.street_a_officer)
    response = client.post("/api/v1/imports/units", {"file": upload(b"plain text")})
    assert response.status_code == 400
    assert ".xlsx" in response.json()["detail"]
    assert client.post("/api/v1/imports/parking", {"file": upload(b"x")}).status_code == 404
    worker = login(world.people.community_a1_worker)
    response = worker.post("/api/v1/imports/owners", {"file": upload(xlsx("owners", []))})
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_openapi_documents_the_import_endpoints(db, client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/imports/{kind}" in paths
    assert "/api/v1/imports/jobs/{job_id}" in paths
    assert "/api/v1/imports/templates/{kind}" in paths


def test_bulk_insert_sets_keys_and_stores_every_kind_of_value(world):
    """The fast insert path (multi-row INSERT on SQLite, COPY on PostgreSQL) must store what
    bulk_create would: keys the objects carry afterwards, encrypted personal information,
    decimals, dates, timestamps, and leave the key sequence ahead for ordinary inserts."""
    from anju.core.imports import BATCH_SIZE, bulk_insert, bulk_insert_returning

    unit = world.units_a[0]
    owners = [
        Owner(name=f"批量{i}", id_number=id_number(f"510104199001{i:05d}"), phone=f"1390000{i:04d}")
        for i in range(BATCH_SIZE + 3)  # more than one batch
    ]
    bulk_insert_returning(Owner, owners)
    assert all(o.pk for o in owners)
    assert len({o.pk for o in owners}) == len(owners)
    stored = Owner.objects.in_bulk([o.pk for o in owners])
    for o in owners:
        assert stored[o.pk].name == o.name
        assert stored[o.pk].id_number == o.id_number  # decrypted back
        assert stored[o.pk].phone == o.phone
    sealed = Owner.objects.filter(pk=owners[0].pk).extra(select={"raw": "phone"}).values("raw")
    assert sealed[0]["raw"] not in ("", owners[0].phone)  # stored encrypted
    assert (
        bulk_insert(
            Ownership,
            [
                Ownership(
                    unit=unit, owner=owners[0], share=Decimal("0.3333"), since=date(2020, 2, 29)
                )
            ],
        )
        == 1
    )
    row = Ownership.objects.get(owner=owners[0])
    assert (row.share, row.since) == (Decimal("0.3333"), date(2020, 2, 29))
    assert row.created_at is not None
    later = Owner.objects.create(name="之后")
    assert later.pk > max(o.pk for o in owners)
