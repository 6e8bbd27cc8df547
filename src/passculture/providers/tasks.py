"""Provider tasks: webhook streams, the sweep that re-wakes them, ticketing cancellations,
and the purge of stored idempotent answers. Scheduled ones are listed in passculture/tasks.py.
"""

from django.tasks import task

from passculture.providers import delivery


@task
def deliver_stream(link_id: int) -> int:
    """Send the due webhooks of one (provider, venue) stream in order (lease-protected)."""
    return delivery.deliver_stream(link_id)


@task
def wake_webhook_streams() -> int:
    """Every minute: re-enqueue streams whose head is due (retries, a worker that died)."""
    link_ids = delivery.due_stream_ids()
    for link_id in link_ids:
        deliver_stream.enqueue(link_id)
    return len(link_ids)


@task
def cancel_ticket(booking_id: int, attempt: int = 1) -> str:
    """Tell the venue's ticketing system that a booking with tickets was cancelled."""
    from passculture.providers import ticketing  # ticketing imports bookings → no cycle here

    return ticketing.send_cancellation(booking_id, attempt=attempt)


@task
def purge_idempotent_responses() -> int:
    """Daily: forget Idempotency-Key answers older than 24 h, and settled webhook
    deliveries older than the log keeps (pending ones are never purged)."""
    from passculture.providers import services

    return services.purge_idempotency() + services.purge_settled_deliveries()
