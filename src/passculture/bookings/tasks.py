"""Booking jobs as tasks, enqueued by the scheduler (passculture/tasks.py)."""

from django.tasks import task

from passculture.bookings import jobs


@task
def auto_use_event_bookings() -> int:
    return jobs.auto_use_event_bookings()


@task
def expire_thing_bookings() -> int:
    return jobs.expire_thing_bookings()


@task
def remind_expiring_bookings() -> int:
    return jobs.remind_expiring_bookings()
