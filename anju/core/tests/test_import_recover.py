from django.core.management import call_command

from anju.core.models import ImportJob


def test_jobs_cut_off_by_a_restart_are_marked_failed(world):
    # given: two jobs a stopped server left behind and one that had finished
    user = world.people.district_admin
    running = ImportJob.objects.create(user=user, kind="units", status=ImportJob.Status.RUNNING)
    pending = ImportJob.objects.create(user=user, kind="owners", status=ImportJob.Status.PENDING)
    done = ImportJob.objects.create(user=user, kind="units", status=ImportJob.Status.SUCCEEDED)

    # when the run command recovers before serving
    call_command("import_jobs_recover")

    # then the interrupted ones failed with a message, the finished one is untouched
    for job in (running, pending):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert job.finished_at is not None
        assert job.errors
        assert job.errors[0]["message"]
    done.refresh_from_db()
    assert done.status == ImportJob.Status.SUCCEEDED
