"""Reminders before events: young people at J-3 and J-1, venues of collective bookings.

Days are Paris calendar days: a booking is reminded "J-3" when its event falls on the
third Paris day after today. The jobs run hourly and only from 10:00 Paris, so a missed
slot is caught by the next run; the ReminderSent marker makes every reminder go once.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.tasks import task
from django.urls import reverse

from passculture.bookings.models import Booking, BookingStatus
from passculture.bookings.services import _mail_context
from passculture.campaigns.models import ReminderKind, ReminderSent
from passculture.collective.models import CollectiveBooking, CollectiveBookingStatus
from passculture.collective.services.bookings import _context as collective_context
from passculture.core import clock
from passculture.notifications.services import notify

PARIS = ZoneInfo("Europe/Paris")
BATCH = 500
SEND_FROM_HOUR = 10  # Paris time: nobody is reminded in the middle of the night


def _paris_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _claim(kind: str, ids: Iterable[int]) -> set[int]:
    """Insert the markers; return the ids whose marker this call inserted (caller's atomic)."""
    token = uuid.uuid4()
    ReminderSent.objects.bulk_create(
        [ReminderSent(kind=kind, object_id=pk, claim=token) for pk in ids],
        ignore_conflicts=True,
    )
    return set(ReminderSent.objects.filter(claim=token).values_list("object_id", flat=True))


def _due_in_batches[M: Model](queryset: QuerySet[M], kind: str) -> Iterable[list[M]]:
    """Yield batches of not-yet-reminded objects, each inside its own transaction.

    The caller's work on a batch (queuing the e-mails) runs while the generator is suspended
    inside the atomic block: markers and queued tasks commit, or roll back, together.
    """
    last_pk = 0
    while True:
        with transaction.atomic():
            candidates = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
            if not candidates:
                return
            last_pk = candidates[-1].pk
            mine = _claim(kind, [c.pk for c in candidates])
            yield [c for c in candidates if c.pk in mine]


def _too_early(now: dt.datetime) -> bool:
    return now.astimezone(PARIS).hour < SEND_FROM_HOUR


def send_event_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind each confirmed event booking once at J-3 and once at J-1; return the count."""
    now = now or clock.now()
    if _too_early(now):
        return 0
    today = now.astimezone(PARIS).date()
    sent = 0
    for kind, days in ((ReminderKind.EVENT_J3, 3), (ReminderKind.EVENT_J1, 1)):
        start, end = _paris_day_bounds(today + dt.timedelta(days=days))
        due = (
            Booking.objects.filter(
                status=BookingStatus.CONFIRMED,
                stock__beginning_datetime__gte=max(start, now),
                stock__beginning_datetime__lt=end,
            )
            .exclude(pk__in=ReminderSent.objects.filter(kind=kind).values("object_id"))
            .select_related("user", "stock", "offer__venue", "offer__address")
        )
        for batch in _due_in_batches(due, kind):
            for booking in batch:
                _remind_booking(booking, days=days, now=now)
            sent += len(batch)
    return sent


def _remind_booking(booking: Booking, *, days: int, now: dt.datetime) -> None:
    url = settings.SITE_URL + reverse("youth:booking", args=[booking.pk])
    cancellable = booking.cancellation_limit is not None and booking.cancellation_limit > now
    context = _mail_context(booking) | {
        "days": days,
        "url": url,
        "cancellable": cancellable,
    }
    notify(
        template="booking_reminder",
        context=context,
        category="reminder",
        user=booking.user,
        title=f"Rappel : « {booking.offer.name} » le {context['when']}",
        url=url,
    )


def send_collective_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind venues 3 days before a pre-booking's confirmation limit and 1 day before the
    event (confirmed bookings), once each; return the count."""
    now = now or clock.now()
    if _too_early(now):
        return 0
    today = now.astimezone(PARIS).date()
    sent = 0
    limit_start, limit_end = _paris_day_bounds(today + dt.timedelta(days=3))
    event_start, event_end = _paris_day_bounds(today + dt.timedelta(days=1))
    plans = [
        (
            ReminderKind.COLLECTIVE_CONFIRM_J3,
            "collective_confirmation_reminder",
            CollectiveBooking.objects.filter(
                status=CollectiveBookingStatus.PENDING,
                confirmation_limit__gte=max(limit_start, now),
                confirmation_limit__lt=limit_end,
            ),
        ),
        (
            ReminderKind.COLLECTIVE_EVENT_J1,
            "collective_event_reminder",
            CollectiveBooking.objects.filter(
                status=CollectiveBookingStatus.CONFIRMED,
                stock__start_datetime__gte=max(event_start, now),
                stock__start_datetime__lt=event_end,
            ),
        ),
    ]
    for kind, template, queryset in plans:
        due = queryset.exclude(
            pk__in=ReminderSent.objects.filter(kind=kind).values("object_id")
        ).select_related("offer__venue", "school", "teacher", "stock", "project")
        for batch in _due_in_batches(due, kind):
            for booking in batch:
                offer = booking.offer
                recipients = list(offer.booking_emails or []) or [
                    offer.contact_email or offer.venue.booking_email
                ]
                for address in dict.fromkeys(a for a in recipients if a):
                    notify(
                        template=template,
                        context=collective_context(booking),
                        category="collective",
                        email=address,
                        in_app=False,
                    )
            sent += len(batch)
    return sent


@task
def send_event_reminders_task() -> int:
    return send_event_reminders()


@task
def send_collective_reminders_task() -> int:
    return send_collective_reminders()
