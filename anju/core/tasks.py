"""Celery tasks of the core app (used only when CELERY_BROKER_URL is set)."""

from celery import shared_task

from anju.core.import_jobs import import_job_run


@shared_task(name="anju.core.tasks.import_job")
def import_job(job_id: int, language: str) -> None:
    """Run one import job on a worker (import_job_create enqueues it after its commit)."""
    import_job_run(job_id, language)
