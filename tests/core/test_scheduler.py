"""The periodic scheduler enqueues each slot once, and the worker runs the health job."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from passculture.core import clock, scheduler
from passculture.core.models import Heartbeat, ScheduledRun
from passculture.core.taskrunner import run_pending_tasks

HEALTH = scheduler.PeriodicJob(
    name="test.health", cron="*/5 * * * *", task="passculture.core.tasks.record_heartbeat"
)


def test_latest_slot_is_the_previous_cron_instant():
    at = dt.datetime(2026, 11, 26, 10, 7, 30, tzinfo=dt.UTC)
    assert HEALTH.latest_slot(at) == dt.datetime(2026, 11, 26, 10, 5, tzinfo=dt.UTC)
    exact = dt.datetime(2026, 11, 26, 10, 10, tzinfo=dt.UTC)
    assert HEALTH.latest_slot(exact) == exact


@pytest.mark.django_db
def test_tick_enqueues_once_per_slot_and_worker_runs_health_job():
    with clock.frozen_at(dt.datetime(2026, 11, 26, 10, 7, tzinfo=dt.UTC)):
        assert scheduler.tick(jobs=[HEALTH], worker="a") == ["test.health"]
        assert scheduler.tick(jobs=[HEALTH], worker="b") == []  # same slot: nothing
    assert ScheduledRun.objects.get().claimed_by == "a"
    assert DBTaskResult.objects.count() == 1
    run_pending_tasks()
    assert Heartbeat.objects.get(name="scheduler").count == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    with clock.frozen_at(dt.datetime(2026, 11, 26, 10, 11, tzinfo=dt.UTC)):
        assert scheduler.tick(jobs=[HEALTH], worker="b") == ["test.health"]
    run_pending_tasks()
    assert Heartbeat.objects.get(name="scheduler").count == 2


@pytest.mark.django_db
def test_registered_jobs_include_the_health_job():
    assert "core.health" in [job.name for job in scheduler.registered_jobs()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_claim_a_slot_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")
    barrier = threading.Barrier(6)
    results: list[list[str]] = []

    def run(name: str) -> None:
        barrier.wait()
        results.append(scheduler.tick(jobs=[HEALTH], worker=name))
        connection.close()

    # Frozen once, around all threads: the clock is process-global, and six threads
    # each freezing and restoring it would leave a stale frozen instant behind.
    with clock.frozen_at(dt.datetime(2026, 11, 26, 10, 7, tzinfo=dt.UTC)):
        threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 0, 0, 1]
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
