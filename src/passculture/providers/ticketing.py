"""Venue ticketing systems: offers "with a ticket" get it from the venue's software at booking.

An offer has a ticket (`hasTicket`) when its withdrawal type is IN_APP and its venue has an
active link, to an active provider, with an effective booking URL (the link's own, else the
provider's). With several such links, the oldest one is used.

Booking call — synchronous, inside the booking, after every check of ours and before anything
is written; timeout settings.TICKETING_TIMEOUT_SECONDS. `POST <booking URL>`, signed like the
webhooks (`PassCulture-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
provider's signing secret), header `PassCulture-Request-Id: <uuid>`, JSON body:

    {"type": "booking.request", "requestId": "<uuid>",
     "booking": {"token": "ABC234", "quantity": 2, "price": 1200, "totalPrice": 2400,
                 "creationDate": "2027-01-04T08:00:00Z"},
     "stock": {"id", "beginningDatetime", "bookingLimitDatetime", "idAtProvider", "price",
               "quantity", "bookedQuantity", "remainingQuantity"},
     "priceCategory": {"id", "label", "idAtProvider"} | null,
     "offer": {"id", "name", "idAtProvider", "ean", ...}, "venue": {"id", "name", "siret", ...},
     "user": {"firstName", "lastName", "email", "phoneNumber", "birthDate", "postalCode"}}

Answers:
- 2xx `{"tickets": [{"barcode": "…", "seat_number": "…"}, …], "remainingQuantity": N | null}`:
  at least one ticket; barcode required (≤ 100 characters), seat_number optional (≤ 40;
  `seatNumber` accepted too). The tickets are stored with the booking and shown to the young
  person. With N, the stock's contingent is resynced so our remaining seats equal N after
  this booking (contingent = booked + N, so never below what is booked); null leaves it as is.
- 409 (or any 4xx) `{"error": "sold_out" | "not_enough_seats", "remainingQuantity": N}`: the
  booking is refused (codes sold_out / not_enough_seats), nothing of it is written. The
  contingent is still resynced to N (0 if absent for sold_out) in a transaction of its own
  after the refused one, under the same locks as a booking.
- No answer in time, 5xx, another 4xx, 3xx, or a 2xx that is not the JSON above: refused
  (code ticketing_refused). We do not call the cancel URL then — no booking exists on our
  side; the ticketing system should release what it may hold for that requestId / token.

Cancellation — when a booking that has tickets is cancelled (by anyone, jobs included): a task
enqueued in the cancelling transaction POSTs, signed the same way, to the cancel URL
`{"type": "booking.cancellation", "bookingId", "token", "barcodes": [...],
"cancellationReason", "cancellationDate", "stock": {"id", "idAtProvider"},
"offer": {"id", "idAtProvider"}}`. 2xx = done. No answer, 5xx, 408 or 429 = retried with an
exponential backoff (WEBHOOK_RETRY_BASE_SECONDS × 2^(n−1), CANCEL_MAX_ATTEMPTS attempts);
other answers are final. Every failure is audited on the booking.
"""

import dataclasses
import json
import logging
import uuid
from typing import Any

from django.conf import settings

from passculture.accounts.models import User
from passculture.bookings.models import Booking
from passculture.core import clock
from passculture.core.audit import SYSTEM, record_audit
from passculture.offers.models import Offer, Stock, WithdrawalType
from passculture.providers import delivery, payloads
from passculture.providers import errors as e
from passculture.providers.models import BookingTicket, VenueProvider
from passculture.providers.tasks import cancel_ticket

log = logging.getLogger(__name__)

CANCEL_MAX_ATTEMPTS = 10
RETRYABLE = {408, 429}
MAX_BARCODE, MAX_SEAT = 100, 40


@dataclasses.dataclass(frozen=True)
class IssuedTickets:
    tickets: list[tuple[str, str]]  # (barcode, seat number or "")
    remaining: int | None


def ticketing_link(offer: Offer) -> VenueProvider | None:
    """The link whose booking URL issues this offer's tickets; None when it has no ticket."""
    if offer.withdrawal_type != WithdrawalType.IN_APP:
        return None  # no query for the common case
    links = (
        VenueProvider.objects.filter(
            venue_id=offer.venue_id, is_active=True, provider__is_active=True
        )
        .select_related("provider")
        .order_by("pk")
    )
    return next((link for link in links if link.effective_booking_url), None)


def has_ticket(offer: Offer) -> bool:
    return ticketing_link(offer) is not None


def _remaining(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("remainingQuantity")
    return value


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _parse_tickets(data: Any) -> IssuedTickets:
    if not isinstance(data, dict) or not isinstance(data.get("tickets"), list):
        raise ValueError("tickets")
    tickets = []
    for item in data["tickets"]:
        if not isinstance(item, dict):
            raise ValueError("ticket")
        barcode = item.get("barcode")
        seat = item.get("seat_number", item.get("seatNumber")) or ""
        if not isinstance(barcode, str) or not barcode.strip() or len(barcode) > MAX_BARCODE:
            raise ValueError("barcode")
        if not isinstance(seat, str) or len(seat) > MAX_SEAT:
            raise ValueError("seat_number")
        tickets.append((barcode.strip(), seat.strip()))
    if not tickets:
        raise ValueError("tickets")
    return IssuedTickets(tickets, _remaining(data.get("remainingQuantity")))


def _refusal(data: Any, provider_id: int) -> e.TicketingRefused:
    """The error for a 4xx answer; it carries the remaining seats for the stock resync."""
    error = data.get("error") if isinstance(data, dict) else None
    try:
        remaining = _remaining(data.get("remainingQuantity")) if isinstance(data, dict) else None
    except ValueError:
        remaining = None
    if error == "sold_out":
        remaining = 0 if remaining is None else remaining
        return e.TicketingSoldOut(remaining_quantity=remaining, provider_id=provider_id)
    if error == "not_enough_seats":
        return e.TicketingNotEnoughSeats(remaining_quantity=remaining, provider_id=provider_id)
    return e.TicketingRefused()


def booking_request(
    *, user: User, stock: Stock, quantity: int, token: str, request_id: str
) -> dict[str, Any]:
    offer = stock.offer
    return {
        "type": "booking.request",
        "requestId": request_id,
        "booking": {
            "token": token,
            "quantity": quantity,
            "price": stock.price,
            "totalPrice": stock.price * quantity,
            "creationDate": payloads.iso(clock.now()),
        },
        "stock": payloads.stock_data(stock),
        "priceCategory": payloads.price_category_data(stock.price_category),
        "offer": payloads.offer_data(offer),
        "venue": payloads.venue_data(offer.venue),
        "user": payloads.user_data(user),
    }


def request_tickets(
    *, link: VenueProvider, user: User, stock: Stock, quantity: int, token: str
) -> IssuedTickets:
    """Ask the venue's software for tickets (synchronous). Raises TicketingRefused or its
    sold_out / not_enough_seats subclasses. Caller holds the stock and deposit locks."""
    request_id = str(uuid.uuid4())
    body = booking_request(
        user=user, stock=stock, quantity=quantity, token=token, request_id=request_id
    )
    result = delivery.post_json(
        link.effective_booking_url,
        delivery.encode(body),
        secret=link.provider.hmac_secret,
        timeout=float(settings.TICKETING_TIMEOUT_SECONDS),
        headers={"PassCulture-Request-Id": request_id},
    )
    data = _json(result.body)
    if result.ok:
        try:
            return _parse_tickets(data)
        except ValueError as exc:
            log.warning("ticketing %s: bad answer (%s) to %s", link.pk, exc, request_id)
            raise e.TicketingRefused() from exc
    if result.status is not None and 400 <= result.status < 500:
        raise _refusal(data, link.provider_id)
    log.warning("ticketing %s: %s for %s", link.pk, result.error, request_id)
    raise e.TicketingRefused()


def store_tickets(*, booking: Booking, issued: IssuedTickets) -> list[BookingTicket]:
    return BookingTicket.objects.bulk_create(
        BookingTicket(booking=booking, barcode=barcode, seat_number=seat)
        for barcode, seat in issued.tickets
    )


def set_remaining(*, stock: Stock, remaining: int, actor: object) -> bool:
    """Contingent := booked + remaining (never below booked). Caller holds the stock lock and
    `stock.booked_quantity` is current. Returns whether the contingent changed."""
    quantity = stock.booked_quantity + max(remaining, 0)
    if stock.quantity == quantity:
        return False
    before = stock.quantity
    Stock.objects.filter(pk=stock.pk).update(quantity=quantity, updated_at=clock.now())
    stock.quantity = quantity
    record_audit(
        actor=actor,
        action="stock.resynced_by_ticketing",
        obj=stock,
        before={"quantity": before},
        after={"quantity": quantity},
        data={"remaining": remaining},
    )
    return True


def queue_cancellation(booking: Booking) -> bool:
    """In the cancelling transaction: enqueue the cancel call if the booking has tickets."""
    if not BookingTicket.objects.filter(booking_id=booking.pk).exists():
        return False
    cancel_ticket.enqueue(booking.pk)
    return True


class TicketingCancelError(Exception):
    """The ticketing system did not acknowledge a cancellation (the task is marked failed)."""


def _cancel_link(booking: Booking) -> VenueProvider | None:
    links = (
        VenueProvider.objects.filter(
            venue_id=booking.offer.venue_id, is_active=True, provider__is_active=True
        )
        .select_related("provider")
        .order_by("pk")
    )
    # The link that issues tickets (booking URL) is the one told of the cancellation.
    return next((lk for lk in links if lk.effective_booking_url and lk.effective_cancel_url), None)


def cancellation_body(booking: Booking) -> dict[str, Any]:
    return {
        "type": "booking.cancellation",
        "bookingId": booking.pk,
        "token": booking.token,
        "barcodes": list(booking.tickets.order_by("pk").values_list("barcode", flat=True)),
        "cancellationReason": booking.cancellation_reason.upper() or None,
        "cancellationDate": payloads.iso(booking.cancelled_at),
        "stock": {"id": booking.stock_id, "idAtProvider": booking.stock.id_at_provider or None},
        "offer": {"id": booking.offer_id, "idAtProvider": booking.offer.id_at_provider or None},
    }


def send_cancellation(booking_id: int, *, attempt: int = 1) -> str:
    """Task body: POST the cancellation; on a retryable failure re-enqueue with a delay."""
    booking = Booking.objects.select_related("stock", "offer").filter(pk=booking_id).first()
    if booking is None:
        return "booking_missing"
    link = _cancel_link(booking)
    if link is None:
        return "no_cancel_url"
    result = delivery.post_json(
        link.effective_cancel_url,
        delivery.encode(cancellation_body(booking)),
        secret=link.provider.hmac_secret,
        timeout=float(settings.TICKETING_TIMEOUT_SECONDS),
        headers={"PassCulture-Request-Id": f"cancel-{booking.pk}"},
    )
    if result.ok:
        record_audit(actor=SYSTEM, action="booking.ticket_cancel_sent", obj=booking)
        return "cancelled"
    retryable = result.status is None or result.status >= 500 or result.status in RETRYABLE
    retry = retryable and attempt < CANCEL_MAX_ATTEMPTS
    delay = delivery.backoff(attempt) if retry else None
    record_audit(
        actor=SYSTEM,
        action="booking.ticket_cancel_failed" if retry else "booking.ticket_cancel_abandoned",
        obj=booking,
        data={
            "attempt": attempt,
            "error": result.error[:300],
            "retry_in_seconds": delay.total_seconds() if delay else None,
        },
    )
    if delay is not None:
        target = cancel_ticket
        if target.get_backend().supports_defer:
            target = target.using(run_after=clock.now() + delay)
        target.enqueue(booking_id, attempt + 1)
    raise TicketingCancelError(f"cancel of booking {booking_id}: {result.error}")
