"""JSON API for Excel ledgers: templates, uploads and import jobs."""

from datetime import datetime

from django.http import HttpResponse
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from anju.core.api import ErrorOut
from anju.core.errors import DomainError
from anju.core.import_jobs import import_job_create, import_job_get
from anju.core.imports import XLSX_MIME, get_ledger, ledger_template
from anju.core.models import ImportJob

router = Router(tags=["imports"])


class RowErrorOut(Schema):
    sheet: str
    row: int
    column: str
    value: str
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    file_name: str
    total: int
    processed: int
    created: dict[str, int]
    errors: list[RowErrorOut]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _ledger_or_404(kind: str):
    try:
        return get_ledger(kind)
    except LookupError as exc:
        raise HttpError(404, "Not Found") from exc


@router.get(
    "/imports/templates/{kind}",
    summary="Download the empty .xlsx template of a ledger",
    response={200: None, 404: ErrorOut},
)
def import_template(request, kind: str):
    _ledger_or_404(kind)
    response = HttpResponse(ledger_template(kind), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@router.post(
    "/imports/{kind}",
    summary="Upload a filled-in ledger; returns its import job",
    response={201: ImportJobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def import_create(request, kind: str, file: File[UploadedFile]):
    """Check the file and, when every row is valid, import it (all or nothing).

    The job runs in the background: poll GET /imports/jobs/{id} until its status is
    `succeeded` or `failed` (with every error found).
    """
    _ledger_or_404(kind)
    try:
        job = import_job_create(actor=request.user, kind=kind, upload=file)
    except DomainError as error:
        return Status(400, {"detail": str(error.message), "field": error.field})
    job.refresh_from_db()
    return Status(201, job)


@router.get(
    "/imports/jobs/{job_id}",
    summary="An import job: status, progress, created counts and errors",
    response={200: ImportJobOut, 404: ErrorOut},
)
def import_job(request, job_id: int) -> ImportJob:
    return import_job_get(request.user, job_id)
