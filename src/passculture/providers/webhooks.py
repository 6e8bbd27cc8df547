"""Webhook events: written as delivery rows in the caller's transaction, one per linked
provider of the venue, numbered per (provider, venue) stream.

Contract (documented for partners in docs/API_GUIDE.md):

- POST to the effective notification URL (venue override, else the provider's), JSON body
  `{"id": "<uuid>", "type": "<event type>", "occurredAt": "<UTC ISO 8601, Z>",
  "sequence": <int, per venue and provider, increasing>, "venueId": <int>, "data": {...}}`
  where `data` holds the booking / collective booking / stock with the offer, price
  category, stock and venue fields a ticketing system needs (not only ids).
- Headers: `PassCulture-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
  "<t>.<raw body>" with the provider's signing secret>`, `PassCulture-Event-Id`,
  `PassCulture-Event-Type`, `PassCulture-Sequence`, `Content-Type: application/json`.
- Any 2xx = delivered. 410 = the receiver is gone: webhooks of that provider are switched
  off until its notification URL changes. Anything else (or no answer) = retried with an
  exponential backoff for 3 days; a stream is delivered in sequence order.

Event types below. Every `emit_*` is called inside the transaction of the change it
describes (never after): if the change rolls back, no event exists; if it commits, the
delivery row exists even if a worker dies.
"""

from passculture.bookings.models import Booking
from passculture.collective.models import CollectiveBooking
from passculture.offers.models import Stock
from passculture.providers.models import VenueProvider, WebhookDelivery

BOOKING_CREATED = "booking.created"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_USED = "booking.used"
BOOKING_UNUSED = "booking.unused"
COLLECTIVE_BOOKING_CREATED = "collective_booking.created"
COLLECTIVE_BOOKING_CONFIRMED = "collective_booking.confirmed"
COLLECTIVE_BOOKING_CANCELLED = "collective_booking.cancelled"
COLLECTIVE_BOOKING_USED = "collective_booking.used"
COLLECTIVE_BOOKING_REIMBURSED = "collective_booking.reimbursed"
COLLECTIVE_BOOKING_PENDING = "collective_booking.pending"
STOCK_SOLD_OUT = "stock.sold_out"
TEST_EVENT = "test"

EVENT_TYPES = (
    BOOKING_CREATED, BOOKING_CANCELLED, BOOKING_USED, BOOKING_UNUSED,
    COLLECTIVE_BOOKING_CREATED, COLLECTIVE_BOOKING_CONFIRMED, COLLECTIVE_BOOKING_CANCELLED,
    COLLECTIVE_BOOKING_USED, COLLECTIVE_BOOKING_REIMBURSED, COLLECTIVE_BOOKING_PENDING,
    STOCK_SOLD_OUT, TEST_EVENT,
)  # fmt: skip


def emit_booking_event(*, booking: Booking, event_type: str) -> int:
    """Queue `event_type` about an individual booking; caller is inside the change's
    transaction. Returns how many deliveries were written (0 if no provider listens)."""
    return 0


def emit_collective_booking_event(*, booking: CollectiveBooking, event_type: str) -> int:
    """Queue a `collective_booking.*` event; same rules as emit_booking_event."""
    return 0


def emit_stock_sold_out(*, stock: Stock) -> int:
    """Queue `stock.sold_out` when a stock's last seat is booked; same rules."""
    return 0


def send_test_event(*, actor: object, link: VenueProvider) -> WebhookDelivery:
    """Queue a `test` event on a venue link (pro portal button)."""
    raise NotImplementedError


def replay_delivery(*, actor: object, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a copy of a past delivery (same event id in the body, new row and sequence)."""
    raise NotImplementedError
