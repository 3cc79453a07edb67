"""Import jobs on a Celery worker when a broker is configured."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase

from anju.core import import_jobs, tasks
from anju.core.models import ImportJob
from anju.core.tests.ledger_workbooks import xlsx
from anju.estates.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BROKER = "redis://127.0.0.1:6379/15"


def units_upload():
    row = {
        "community": "510104001001",
        "estate": "红星花园",
        "building": "2栋",
        "number": "201",
        "unit_kind": "住宅",
        "area": 88.5,
    }
    return SimpleUploadedFile("units.xlsx", xlsx("units", [row]).getvalue(), content_type=XLSX)


class QueuedTask:
    """Stands in for the Celery task: records what was sent to the broker."""

    def __init__(self, task):
        self.task = task  # the real one, for running what was sent
        self.sent = []

    def delay(self, *args):
        self.sent.append(args)


@pytest.fixture
def queue(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANJU_TASKS_EAGER = False
    settings.CELERY_BROKER_URL = BROKER
    queued = QueuedTask(tasks.import_job)
    monkeypatch.setattr(tasks, "import_job", queued)

    def no_thread(*args, **kwargs):
        raise AssertionError("a job must not start a thread when a broker is configured")

    monkeypatch.setattr(import_jobs.threading, "Thread", no_thread)
    return queued


def test_with_a_broker_the_job_is_queued_after_commit_and_runs_on_a_worker(world, queue):
    # given a broker: the upload is stored and the job sent only once the transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = import_jobs.import_job_create(
            actor=world.people.street_a_officer, kind="units", upload=units_upload()
        )
        assert queue.sent == []
    assert queue.sent == [(job.pk, "zh-hans")]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING

    # when a worker runs the task it received (here eagerly, in this process)
    units = Unit.objects.count()
    queue.task.apply(args=queue.sent[0]).get()

    # then the job ran to its end and wrote the ledger
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.created["unit"], Unit.objects.count()) == (1, units + 1)


def test_the_eager_setting_still_runs_the_job_inline(world, queue, settings):
    settings.ANJU_TASKS_EAGER = True
    job = import_jobs.import_job_create(
        actor=world.people.street_a_officer, kind="units", upload=units_upload()
    )
    assert queue.sent == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_with_a_broker_a_restart_leaves_queued_jobs_alone(world, settings):
    settings.CELERY_BROKER_URL = BROKER
    user = world.people.district_admin
    pending = ImportJob.objects.create(user=user, kind="units", status=ImportJob.Status.PENDING)
    call_command("import_jobs_recover")
    pending.refresh_from_db()
    assert pending.status == ImportJob.Status.PENDING
