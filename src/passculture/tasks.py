"""Scheduler entry: the periodic jobs of the platform, by cron expression.

Each domain adds its jobs here; `python -m passculture run_scheduler` claims
each (job, slot) once in the database, so several schedulers never double-run.
"""

from passculture.core.scheduler import PeriodicJob

PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        name="core.health", cron="* * * * *", task="passculture.core.tasks.record_heartbeat"
    ),
    PeriodicJob(
        name="collective.expire_pending",
        cron="*/5 * * * *",
        task="passculture.collective.tasks.expire_collective_prebookings",
    ),
    PeriodicJob(
        name="collective.mark_used",
        cron="17 * * * *",
        task="passculture.collective.tasks.mark_collective_bookings_used",
    ),
    # Individual bookings: events auto-used 48 h after, unwithdrawn things expire (with
    # reminders before); both in batches, idempotent, so a missed slot is caught next run.
    PeriodicJob(
        name="bookings.auto_use",
        cron="7 * * * *",
        task="passculture.bookings.tasks.auto_use_event_bookings",
    ),
    PeriodicJob(
        name="bookings.expire",
        cron="23 * * * *",
        task="passculture.bookings.tasks.expire_thing_bookings",
    ),
    PeriodicJob(
        name="bookings.remind_expiring",
        cron="0 10 * * *",
        task="passculture.bookings.tasks.remind_expiring_bookings",
    ),
    # Reminders before events (youth J-3/J-1, collective venues): hourly from 10:00 Paris,
    # each reminder claimed once by a ReminderSent marker.
    PeriodicJob(
        name="notifications.event_reminders",
        cron="11 * * * *",
        task="passculture.notifications.reminders.send_event_reminders_task",
    ),
    PeriodicJob(
        name="notifications.collective_reminders",
        cron="13 * * * *",
        task="passculture.notifications.reminders.send_collective_reminders_task",
    ),
    # Credit expiring soon (J-30, J-7): daily at 09:21 UTC, i.e. after 10:00 Paris all year;
    # a missed day is caught the next one, each (deposit, threshold) claimed once.
    PeriodicJob(
        name="notifications.credit_reminders",
        cron="21 9 * * *",
        task="passculture.notifications.credit_reminders.send_credit_reminders_task",
    ),
    # Staff campaigns due: sent in batches, each young person claimed once.
    PeriodicJob(
        name="campaigns.send_due",
        cron="*/5 * * * *",
        task="passculture.campaigns.tasks.send_due_campaigns",
    ),
    # Webhook streams whose head is due (retries, streams of a worker that died).
    PeriodicJob(
        name="providers.wake_webhook_streams",
        cron="* * * * *",
        task="passculture.providers.tasks.wake_webhook_streams",
    ),
    PeriodicJob(
        name="stats.flush_offer_views",
        cron="*/5 * * * *",
        task="passculture.stats.tasks.flush_offer_views",
    ),
    PeriodicJob(
        name="providers.purge_idempotency",
        cron="41 3 * * *",
        task="passculture.providers.tasks.purge_idempotent_responses",
    ),
    # Background export files are kept 7 days, then deleted with their job.
    PeriodicJob(
        name="exports.purge_expired",
        cron="33 4 * * *",
        task="passculture.exports.tasks.purge_expired_exports",
    ),
    # Venue digests: hourly, each venue at its chosen Paris hour, once per venue per day.
    PeriodicJob(
        name="notifications.venue_digests",
        cron="0 * * * *",
        task="passculture.notifications.tasks.send_venue_digests",
    ),
]
