"""What bookings do when their offer is rejected or a date moves or disappears (offers/hooks.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

from passculture.bookings import rules
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.bookings.services import _cancel, _mail_context
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.notifications.services import notify
from passculture.offers.models import Stock

PARIS = ZoneInfo("Europe/Paris")


def _live(**lookup: object):
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("user", "stock", "offer__venue", "offer__address")
        .filter(status=BookingStatus.CONFIRMED, **lookup)
    )


def cancel_for_rejected_offer(*, actor: object, offer_id: int, reason: str) -> None:
    # Stocks before bookings, as every booking write locks them (see bookings.services).
    list(
        Stock.objects.select_for_update().filter(offer_id=offer_id).order_by("pk").values_list("pk")
    )
    for booking in _live(offer_id=offer_id):
        _cancel(
            actor=actor, booking=booking, reason=CancellationReason.OFFER_REJECTED, comment=reason
        )


def cancel_for_deleted_date(*, actor: object, stock_ids: list[int]) -> None:
    for booking in _live(stock_id__in=stock_ids):
        _cancel(actor=actor, booking=booking, reason=CancellationReason.DATE_DELETED)


def follow_moved_date(
    *, actor: object, stock_ids: list[int], old_beginning: dt.datetime, new_beginning: dt.datetime
) -> None:
    """New cancellation limit = min(new start, now + 48 h); the young people are told."""
    limit = rules.moved_cancellation_limit(clock.now(), new_beginning)
    for booking in _live(stock_id__in=stock_ids):
        before = booking.cancellation_limit
        booking.cancellation_limit = limit
        booking.save(update_fields=["cancellation_limit", "updated_at"])
        record_audit(
            actor=actor,
            action="booking.date_moved",
            obj=booking,
            before={"cancellation_limit": before.isoformat() if before else None},
            after={"cancellation_limit": limit.isoformat()},
        )
        booking.stock.beginning_datetime = new_beginning
        old = f"{old_beginning.astimezone(PARIS):%d/%m/%Y à %H:%M}"
        context = _mail_context(booking) | {"old_when": old}
        notify(
            template="booking_date_moved",
            context=context,
            category="booking",
            user=booking.user,
            title=f"Date modifiée : {booking.offer.name}",
            url=f"/jeunes/reservations/{booking.pk}/",
        )
