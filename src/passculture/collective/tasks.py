"""Collective periodic jobs, run by the scheduler (see passculture.tasks)."""

from django.tasks import task

from passculture.collective.services import bookings


@task
def mark_collective_bookings_used() -> int:
    """Confirmed bookings become used 48 h after the end (idempotent)."""
    return bookings.mark_used_after_end()


@task
def expire_collective_prebookings() -> int:
    """Pending bookings past their confirmation limit are cancelled (idempotent)."""
    return bookings.expire_pending()
