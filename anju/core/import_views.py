"""Pages for Excel ledgers: templates, uploads, job progress and errors, exports."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from anju.accounts.scope import scope_of
from anju.core.errors import DomainError
from anju.core.forms import StyledFormMixin
from anju.core.import_jobs import (
    import_job_annotated,
    import_job_create,
    import_job_get,
    max_upload_bytes,
    may_download_annotated,
)
from anju.core.imports import XLSX_MIME, get_ledger, ledger_export, ledger_template, ledgers
from anju.core.models import ImportJob

ERRORS_PER_PAGE = 100
RECENT_JOBS = 20


class ImportUploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Ledger"),
        error_messages={"invalid_choice": _("Unknown ledger “%(value)s”.")},
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "data-testid": "import-file",
            }
        ),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(ledger.kind, ledger.title) for ledger in kinds]
        self.fields["kind"].widget.attrs["data-testid"] = "import-kind"
        self.fields["file"].help_text = _("At most %(size)s MB.") % {
            "size": max_upload_bytes() // 1048576
        }


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _index(request, form, *, status=200):
    actor = request.user
    scope = scope_of(actor)
    rows = [
        {"ledger": ledger, "can_import": ledger.may_import(scope)}
        for ledger in ledgers()
        if ledger.may_import(scope) or ledger.may_export(scope)
    ]
    if not rows:
        raise PermissionDenied
    for row in rows:
        row["can_export"] = row["ledger"].may_export(scope)
    jobs = ImportJob.objects.filter(user=actor).order_by("-created_at", "-id")[:RECENT_JOBS]
    titles = {ledger.kind: ledger.title for ledger in ledgers()}
    context = {
        "form": form,
        "rows": rows,
        "jobs": [(job, titles.get(job.kind, job.kind)) for job in jobs],
    }
    return render(request, "core/imports.html", context, status=status)


def _importable(request):
    scope = scope_of(request.user)
    return [ledger for ledger in ledgers() if ledger.may_import(scope)]


@require_GET
def import_list(request):
    """The ledgers the user may import or export, the upload form and their recent jobs."""
    form = ImportUploadForm(kinds=_importable(request), initial={"kind": request.GET.get("kind")})
    return _index(request, form)


@require_POST
def import_upload(request):
    kinds = _importable(request)
    if not kinds:
        raise PermissionDenied
    form = ImportUploadForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        try:
            job = import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("core:import_job", pk=job.pk)
    return _index(request, form, status=400)


@require_GET
def import_template(request, kind: str):
    try:
        content = ledger_template(kind)
    except LookupError as exc:
        raise Http404 from exc
    return _xlsx_response(content, f"{kind}-template.xlsx")


@require_GET
def import_export(request, kind: str):
    try:
        content = ledger_export(actor=request.user, kind=kind)
    except LookupError as exc:
        raise Http404 from exc
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(content, f"{kind}-{stamp}.xlsx")


def _job_context(request, job: ImportJob) -> dict:
    try:
        ledger = get_ledger(job.kind)
    except LookupError:
        ledger = None
    # Show counts in the ledger's own order; PostgreSQL's jsonb does not keep key order.
    order = list(ledger.counts) if ledger else []
    keys = sorted(job.created, key=lambda k: (order.index(k) if k in order else len(order), k))
    counts = [(ledger.count_label(key) if ledger else key, job.created[key]) for key in keys]
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "job": job,
        "ledger": ledger,
        "title": ledger.title if ledger else job.kind,
        "counts": counts,
        "errors": errors,
        "checking": job.status == ImportJob.Status.RUNNING and job.processed < job.total,
        "can_annotate": may_download_annotated(request.user, job),
    }


@require_GET
def import_job(request, pk: int):
    job = import_job_get(request.user, pk)
    return render(request, "core/import_job.html", _job_context(request, job))


@require_GET
def import_job_status(request, pk: int):
    """The progress / outcome partial, polled by HTMX every second while the job runs."""
    job = import_job_get(request.user, pk)
    return render(request, "core/import_job.html#status", _job_context(request, job))


@require_GET
def import_job_annotated_download(request, pk: int):
    job = import_job_get(request.user, pk)
    content = import_job_annotated(actor=request.user, job=job)
    return _xlsx_response(content, f"{job.kind}-{job.pk}-errors.xlsx")
