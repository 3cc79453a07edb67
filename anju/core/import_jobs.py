"""Import jobs: an uploaded ledger checked and written in the background, with progress.

Pages and the API call import_job_create(); the job runs in a thread (or inline when
settings.ANJU_TASKS_EAGER is set, as in tests; on a Celery worker when
settings.CELERY_BROKER_URL is set) and records its progress, the counts it
created or every error it found. A job is visible to its owner and to auditors of its
region; anyone else gets 404 exactly as for a missing job.
"""

import logging
import threading
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anju.accounts.roles import Action
from anju.accounts.scope import covers_region, scope_of
from anju.core.errors import DomainError
from anju.core.imports import (
    ImportOutcome,
    file_error,
    get_ledger,
    import_workbook,
    widest_prefix,
    workbook_problem,
)
from anju.core.imports import annotated_workbook as build_annotated_workbook
from anju.core.models import ImportJob

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 30 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "ANJU_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_job_create(*, actor, kind: str, upload) -> ImportJob:
    """Store an uploaded ledger and start importing it.

    DomainError (nothing stored) for an unknown kind, a file too large or not an .xlsx
    workbook; PermissionDenied when the actor may not import this ledger.
    """
    try:
        ledger = get_ledger(kind)
    except LookupError as exc:
        raise DomainError(_("Unknown ledger “%(kind)s”.") % {"kind": kind}, field="kind") from exc
    scope = scope_of(actor)
    if not ledger.may_import(scope):
        raise PermissionDenied
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576},
            field="file",
        )
    problem = workbook_problem(upload)
    if problem:
        raise DomainError(problem, field="file")
    upload.seek(0)
    job = ImportJob(
        user=actor,
        kind=ledger.kind,
        file_name=(upload.name or "")[-255:],
        region_code=widest_prefix(scope, Action.LEDGER_IMPORT),
    )
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    _start(job.pk, translation.get_language() or settings.LANGUAGE_CODE)
    return job


def _start(job_id: int, language: str) -> None:
    if settings.ANJU_TASKS_EAGER:
        import_job_run(job_id, language)
        return
    if settings.CELERY_BROKER_URL:
        from anju.core.tasks import import_job  # here: anju.core.tasks imports this module

        transaction.on_commit(lambda: import_job.delay(job_id, language))
        return
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id, language), name=f"import-job-{job_id}", daemon=True
    )
    transaction.on_commit(thread.start)


def _run_in_thread(job_id: int, language: str) -> None:
    try:
        import_job_run(job_id, language)
    finally:
        connections.close_all()  # this thread's connections only


def import_job_run(job_id: int, language: str | None = None) -> ImportJob:
    """Run one job to its end: check the file, write it if every row is valid, record all."""
    with translation.override(language or settings.LANGUAGE_CODE):
        job = ImportJob.objects.select_related("user").get(pk=job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.RUNNING, started_at=timezone.now()
        )

        def progress(done: int, total: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(processed=done, total=total)

        try:
            with job.file.open("rb") as handle:
                outcome = import_workbook(
                    actor=job.user, kind=job.kind, file=handle, on_progress=progress
                )
        except PermissionDenied:
            outcome = ImportOutcome(
                ok=False, errors=[file_error(_("You may not import this ledger."))]
            )
        except Exception:
            logger.exception("import job %s failed", job_id)
            message = _("The import stopped on an unexpected error; nothing was written.")
            outcome = ImportOutcome(ok=False, errors=[file_error(message)])
        job.status = ImportJob.Status.SUCCEEDED if outcome.ok else ImportJob.Status.FAILED
        job.created = outcome.created
        job.errors = [e.as_dict() for e in outcome.errors]
        job.total = job.processed = outcome.rows
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "created", "errors", "total", "processed", "finished_at"])
        if outcome.ok:
            # The upload holds personal information in clear; once imported it is not needed.
            job.file.delete(save=True)
    return job


def import_jobs_visible(actor) -> QuerySet:
    """Jobs the actor may see: their own, and those in a region they audit."""
    if not getattr(actor, "is_authenticated", False):
        return ImportJob.objects.none()
    condition = Q(user=actor)
    for grant in scope_of(actor).grants_for(Action.AUDIT_VIEW):
        if grant.kind == "all":
            return ImportJob.objects.all()
        if grant.kind == "prefix":
            condition |= Q(region_code__codeprefix=grant.value)
    return ImportJob.objects.filter(condition)


def import_job_get(actor, pk) -> ImportJob:
    """Fetch a job the actor may see; Http404 when missing or not theirs."""
    try:
        return import_jobs_visible(actor).select_related("user").get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def may_download_annotated(actor, job: ImportJob) -> bool:
    """The marked-up upload shows personal information in clear: its owner, or a revealer."""
    if not job.file or not job.errors:
        return False
    return job.user_id == actor.pk or covers_region(
        scope_of(actor), Action.PII_REVEAL, job.region_code
    )


def import_job_annotated(*, actor, job: ImportJob) -> bytes:
    """Return the job's upload with its bad cells marked; Http404 when there is none."""
    if not may_download_annotated(actor, job):
        raise Http404
    with job.file.open("rb") as handle:
        return build_annotated_workbook(handle, job.errors)


def import_jobs_recover() -> int:
    """Mark jobs left pending or running by a stopped server as failed; return how many.

    Jobs run in threads of the web process, so after a restart none of them is running any
    more. Nothing was written for them: an import writes in one transaction at its end.
    With a Celery broker the jobs wait on the queue instead, and a web restart leaves them be.
    """
    if settings.CELERY_BROKER_URL:
        return 0
    message = _("The server restarted during this import; nothing was written. Upload again.")
    stale = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    )
    count = 0
    for job in stale:
        job.status = ImportJob.Status.FAILED
        job.errors = [file_error(message).as_dict()]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at"])
        count += 1
    return count
