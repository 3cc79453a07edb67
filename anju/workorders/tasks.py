"""Celery tasks of work orders (used only when CELERY_BROKER_URL is set)."""

from celery import shared_task

from anju.workorders.sweep import sweep


@shared_task(name="anju.workorders.tasks.orders_sweep")
def orders_sweep() -> dict:
    """Run one pass of the deadline sweep, as `manage.py orders_sweep` does; return its counts.

    Celery beat schedules it (settings.CELERY_BEAT_SCHEDULE). Two passes at once are safe:
    the sweep locks the rows it stamps and each notice is unique per assignment and kind.
    """
    return sweep().as_dict()
