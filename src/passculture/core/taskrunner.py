"""Run queued tasks in-process: used by tests and one-shot commands.

The db_worker command closes database connections between tasks, which would
break a test's transaction; this runs the same claim → run → record steps
without that, reusing the worker's own task runner.
"""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_pending_tasks(*, limit: int = 10_000) -> int:
    """Process tasks ready now (in enqueue order) until none is left; return how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="inline",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
