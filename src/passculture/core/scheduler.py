"""Periodic jobs: cron expressions turned into task enqueues, once per slot.

Any number of scheduler processes may run (one per host for resilience):
each due (job, slot) is claimed by inserting a ScheduledRun row under a
unique constraint, so exactly one of them enqueues the task.
"""

import dataclasses
import datetime as dt
import logging
import socket

from croniter import croniter
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from passculture.core import clock
from passculture.core.models import ScheduledRun

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str  # 5-field cron expression, evaluated in UTC
    task: str  # dotted path of a django.tasks Task taking no argument

    def latest_slot(self, at: dt.datetime) -> dt.datetime:
        """The most recent scheduled instant at or before `at`."""
        it = croniter(self.cron, at + dt.timedelta(microseconds=1))
        slot: dt.datetime = it.get_prev(dt.datetime)
        return slot.astimezone(dt.UTC)


def registered_jobs() -> list[PeriodicJob]:
    from passculture.tasks import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


def tick(*, jobs: list[PeriodicJob] | None = None, worker: str | None = None) -> list[str]:
    """Enqueue every job whose latest slot nobody claimed yet; return the names enqueued."""
    worker = worker or f"{socket.gethostname()}"
    at = clock.now()
    enqueued = []
    for job in jobs if jobs is not None else registered_jobs():
        slot = job.latest_slot(at)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot, claimed_by=worker)
                result = import_string(job.task).enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler claimed this slot
        log.info("scheduled %s for slot %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued
