"""The sweep as a Celery task: its beat schedule, an eager pass, and a trip through Redis."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from anju.workorders.models import DomainEvent, Notice
from anju.workorders.tasks import orders_sweep
from anju.workorders.tests.test_sweep import dispatched, kinds
from config.celery import app as celery_app

TEST_BROKER = "redis://127.0.0.1:6379/15"
COUNTS = {"warned", "overdue", "urged", "reported", "rollup_days", "seconds"}


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_beat_runs_the_sweep_task_every_configured_interval():
    entry = celery_app.conf.beat_schedule["orders-sweep"]
    assert entry["task"] == orders_sweep.name
    assert entry["schedule"] == settings.ANJU_SWEEP_SECONDS == 60
    celery_app.loader.import_default_modules()  # the autodiscovery a worker does at start
    assert orders_sweep.name in celery_app.tasks


def test_the_sweep_interval_comes_from_the_environment():
    code = (
        "import django, json; django.setup(); from config.celery import app; "
        "e = app.conf.beat_schedule['orders-sweep']; "
        "print(json.dumps([e['task'], e['schedule'], app.conf.broker_url]))"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ANJU_SWEEP_SECONDS": "90",
        "CELERY_BROKER_URL": "redis://broker.example:6379/3",
    }
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    task, seconds, broker = json.loads(out.stdout.strip().splitlines()[-1])
    assert (task, seconds, broker) == (orders_sweep.name, 90, "redis://broker.example:6379/3")


def test_the_task_run_eagerly_is_one_sweep_pass(world):
    # given: an order dispatched in March, long past its 7-day deadline by now
    order = dispatched(world)
    units = order.assignments.count()

    # when the task runs
    counts = orders_sweep.apply().get()

    # then it warned, flagged overdue and urged every unit's clock once, like `orders_sweep`
    assert set(counts) == COUNTS
    assert (counts["warned"], counts["overdue"], counts["urged"]) == (units, units, units)
    assert counts["reported"] == 0  # the 通报 comes 5 working days after the 催办
    assert kinds(order) == ["overdue", "urge", "warning"]
    assert DomainEvent.objects.filter(order=order, type="order.overdue").count() == units
    notices, events = Notice.objects.count(), DomainEvent.objects.count()

    # and a second pass issues nothing new
    again = orders_sweep.apply().get()
    assert (again["warned"], again["overdue"], again["urged"], again["reported"]) == (0, 0, 0, 0)
    assert Notice.objects.count() == notices
    assert DomainEvent.objects.count() == events


@pytest.fixture
def redis_app(monkeypatch):
    """A Celery app like config.celery's, on a test database of the local Redis."""
    if not redis_reachable():
        pytest.skip(f"needs Redis at {TEST_BROKER} (start redis-server to run this test)")
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")  # the suite's own checks cover these
    # A queue of its own, so that two test runs on one machine do not take each other's tasks.
    queue = f"anju-test-{uuid.uuid4().hex}"
    app = Celery("anju-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=TEST_BROKER, task_default_queue=queue, worker_hijack_root_logger=False
    )
    try:
        yield app
    finally:
        app.close()
        celery_app.set_current()
        celery_app.set_default()
        redis.Redis.from_url(TEST_BROKER).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_goes_through_redis_to_a_worker(world, redis_app):
    # given: an overdue order committed to the database the worker thread connects to
    order = dispatched(world)
    assert not Notice.objects.filter(order=order).exists()

    with start_worker(redis_app, perform_ping_check=False, shutdown_timeout=30):
        # when the sweep is sent through the broker
        orders_sweep.delay()

        # then the worker's pass writes the notices
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(kinds(order)) < 3:
            time.sleep(0.2)
    assert kinds(order) == ["overdue", "urge", "warning"]
    assert DomainEvent.objects.filter(order=order, type="order.overdue").exists()
