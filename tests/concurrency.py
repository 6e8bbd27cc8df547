"""Run one job from several threads at the same instant (PostgreSQL concurrency tests)."""

import datetime as dt
import threading
from collections.abc import Callable

from django.db import connection

from passculture.core import clock


def at_once[T](job: Callable[[], T], *, threads: int = 2, at: dt.datetime) -> list[T]:
    """Start `threads` runs of `job` together, the clock frozen at `at`; their results.

    The clock is process-wide, so it is frozen once here around every thread; each thread
    closes its own database connection."""
    barrier = threading.Barrier(threads)
    results: list[T] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(job())
        finally:
            connection.close()

    started = [threading.Thread(target=worker) for _ in range(threads)]
    with clock.frozen_at(at):
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    return results
