"""Periodic booking jobs: auto-use after events, expiry of unwithdrawn things, reminders.

Each job is idempotent (it only moves bookings still in the state it looks for) and
batched (one short transaction per batch, rows locked with SKIP LOCKED on PostgreSQL).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from passculture.bookings import rules
from passculture.bookings.models import Booking, BookingStatus, CancellationReason, ValidationAuthor
from passculture.bookings.services import _cancel, _mail_context
from passculture.core import clock
from passculture.core.audit import AUTO
from passculture.core.models import AuditEntry
from passculture.notifications.services import notify
from passculture.offers import catalogue
from passculture.offers.models import Stock
from passculture.providers import webhooks

BATCH = 500
PARIS = ZoneInfo("Europe/Paris")


def _lock_batch(queryset):
    skip = connection.features.has_select_for_update_skip_locked
    return list(queryset.select_for_update(skip_locked=skip, of=("self",))[:BATCH])


def auto_use_event_bookings(*, now: dt.datetime | None = None) -> int:
    """Event bookings still confirmed 48 h after the start become used (author AUTO)."""
    now = now or clock.now()
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        stock__beginning_datetime__isnull=False,
        stock__beginning_datetime__lte=now - rules.AUTO_USE_DELAY,
    ).order_by("pk")
    done = 0
    while True:
        with transaction.atomic():
            batch = _lock_batch(due)
            if not batch:
                return done
            ids = [b.pk for b in batch]
            Booking.objects.filter(pk__in=ids).update(
                status=BookingStatus.USED,
                used_at=now,
                validation_author=ValidationAuthor.AUTO,
                updated_at=now,  # update() skips auto_now: partners sync on updated_at
            )
            AuditEntry.objects.bulk_create(
                AuditEntry(
                    actor_label=AUTO,
                    action="booking.used",
                    object_type="bookings.booking",
                    object_id=str(pk),
                    before={"status": "confirmed"},
                    after={"status": "used"},
                    data={"author": "auto"},
                )  # fmt: skip
                for pk in ids
            )
            webhooks.emit_booking_events(booking_ids=ids, event_type=webhooks.BOOKING_USED)
            done += len(ids)


def _expiry_days(subcategory_id: str) -> int | None:
    sub = catalogue.SUBCATEGORIES.get(subcategory_id)
    return sub.expiry_days if sub and sub.can_expire else None


def _expirable_subcategories() -> dict[int, list[str]]:
    by_days: dict[int, list[str]] = {}
    for sub in catalogue.SUBCATEGORIES.values():
        if sub.can_expire and sub.expiry_days:
            by_days.setdefault(sub.expiry_days, []).append(sub.id)
    return by_days


def expire_thing_bookings(*, now: dt.datetime | None = None) -> int:
    """Things not withdrawn in time (10 days for books, 30 otherwise) are cancelled, credit back."""
    now = now or clock.now()
    done = 0
    for days, subcategories in _expirable_subcategories().items():
        due = Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            offer__subcategory_id__in=subcategories,
            created_at__lte=now - dt.timedelta(days=days),
        ).order_by("pk")
        while True:
            with transaction.atomic():
                # Stocks first (in id order), then their bookings: the lock order of every
                # booking write, so the job never deadlocks with a cancellation or another run.
                stock_ids = set(due.values_list("stock_id", flat=True)[:BATCH])
                list(
                    Stock.objects.select_for_update()
                    .filter(pk__in=stock_ids)
                    .order_by("pk")
                    .values_list("pk")
                )
                batch = _lock_batch(
                    due.filter(stock_id__in=stock_ids).select_related(
                        "user", "stock", "offer__venue", "offer__address"
                    )
                )
                if not batch:
                    break
                # The batch's webhook streams at once, in id order: cancelling booking by
                # booking would take them in booking order and could deadlock a parallel run.
                webhooks.lock_streams(venue_ids={b.offer.venue_id for b in batch})
                for booking in batch:
                    _cancel(actor=AUTO, booking=booking, reason=CancellationReason.EXPIRED)
                done += len(batch)
    return done


def remind_expiring_bookings(*, now: dt.datetime | None = None) -> int:
    """E-mail once, 5 days (books) or 7 days (other things) before a booking expires."""
    now = now or clock.now()
    done = 0
    for days, subcategories in _expirable_subcategories().items():
        ahead = rules.EXPIRY_REMINDER_DAYS["book" if days <= 10 else "other"]
        due = Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            offer__subcategory_id__in=subcategories,
            expiry_reminder_sent_at__isnull=True,
            created_at__lte=now - dt.timedelta(days=days - ahead),
        ).order_by("pk")
        while True:
            with transaction.atomic():
                batch = _lock_batch(
                    due.select_related("user", "stock", "offer__venue", "offer__address")
                )
                if not batch:
                    break
                for booking in batch:
                    expires = rules.expiry_date(booked_at=booking.created_at, expiry_days=days)
                    context = _mail_context(booking) | {
                        "expires": f"{expires.astimezone(PARIS):%d/%m/%Y}"
                    }
                    notify(  # about the credit coming back: transactional, never silenced
                        template="booking_expiry_reminder",
                        context=context,
                        category="booking",
                        user=booking.user,
                        title=f"À retirer avant le {context['expires']} : {booking.offer.name}",
                        url=f"/jeunes/reservations/{booking.pk}/",
                    )
                Booking.objects.filter(pk__in=[b.pk for b in batch]).update(
                    expiry_reminder_sent_at=now
                )
                done += len(batch)
    return done
