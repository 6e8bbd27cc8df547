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
- At least once: a receiver may get an event twice (e.g. its 2xx was lost, or a manual
  replay, which carries the original event id with a new sequence number); it drops
  duplicates by event id. `data` is described in providers/payloads.py; sending in
  providers/delivery.py.

Event types below. Every `emit_*` is called inside the transaction of the change it
describes (never after): if the change rolls back, no event exists; if it commits, the
delivery row exists even if a worker dies.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q

from passculture.bookings.models import Booking
from passculture.collective.models import CollectiveBooking
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.offers.models import Stock
from passculture.providers import errors as e
from passculture.providers import payloads
from passculture.providers.models import DeliveryStatus, VenueProvider, WebhookDelivery
from passculture.providers.tasks import deliver_stream

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


BOOKING_EVENTS = (BOOKING_CREATED, BOOKING_CANCELLED, BOOKING_USED, BOOKING_UNUSED)
COLLECTIVE_EVENTS = tuple(t for t in EVENT_TYPES if t.startswith("collective_booking."))
BOOKING_RELATIONS = ("user", "stock__price_category", "offer__venue", "offer__address")
COLLECTIVE_RELATIONS = ("school", "stock", "offer__venue", "teacher", "project")


def _check_type(event_type: str, allowed: tuple[str, ...]) -> None:
    if event_type not in allowed:
        raise ValueError(f"Type d’événement inattendu ici : {event_type!r}.")


def _listening_links(venue_ids: Iterable[int]) -> list[VenueProvider]:
    """Lock, in id order (no deadlock between two emitters), the links that hear these venues.

    Taken last in every write (after stock, deposit, booking rows): the lock serialises the
    numbering of a stream and makes a releasing sender wait for this transaction (delivery.py).
    """
    return list(
        VenueProvider.objects.select_for_update(of=("self",))
        .select_related("provider")
        .filter(
            venue_id__in=set(venue_ids),
            is_active=True,
            provider__is_active=True,
            provider__webhooks_disabled_at__isnull=True,
        )
        .filter(~Q(notification_url="") | ~Q(provider__notification_url=""))
        .order_by("pk")
    )


def lock_streams(*, venue_ids: Iterable[int]) -> int:
    """Take the stream locks of several venues at once, in id order, before a loop that emits
    for each of them in another order (jobs): two such loops cannot deadlock then."""
    return len(_listening_links(venue_ids))


def _write(
    link: VenueProvider,
    *,
    event_type: str,
    data: payloads.Json | None = None,
    payload: payloads.Json | None = None,
    replay_of: WebhookDelivery | None = None,
    is_test: bool = False,
) -> WebhookDelivery:
    """Number and store one event on a locked link; wake its sender if nothing is ahead."""
    sequence = link.last_sequence + 1
    VenueProvider.objects.filter(pk=link.pk).update(last_sequence=sequence)
    link.last_sequence = sequence
    now = clock.now()
    event_id = uuid.uuid4()
    if payload is None:
        payload = payloads.envelope(
            event_id=event_id,
            event_type=event_type,
            occurred_at=now,
            sequence=sequence,
            venue_id=link.venue_id,
            data=data or {},
        )
    else:
        # A replay keeps the event's id (the receiver recognises an event it may have) and
        # takes its new place in the stream, so the receiver sees no gap in the sequence.
        payload = {**payload, "sequence": sequence}
    # An earlier pending event means a sender is running, queued, or waiting for a retry
    # (the periodic sweep wakes it): this one goes behind it, no extra task needed.
    behind = WebhookDelivery.objects.filter(link=link, status=DeliveryStatus.PENDING).exists()
    delivery = WebhookDelivery.objects.create(
        link=link,
        event_id=event_id,
        event_type=event_type,
        sequence=sequence,
        payload=payload,
        occurred_at=now,
        next_attempt_at=now,
        replay_of=replay_of,
        is_test=is_test,
    )
    if not behind:
        deliver_stream.enqueue(link.pk)
    return delivery


def _emit(*, venue_id: int, event_type: str, build: Callable[[], payloads.Json]) -> int:
    links = _listening_links([venue_id])
    if not links:
        return 0
    data = build()  # once, then the same data for every provider of the venue
    for link in links:
        _write(link, event_type=event_type, data=data)
    return len(links)


def emit_booking_event(*, booking: Booking, event_type: str) -> int:
    """Queue `event_type` about an individual booking; caller is inside the change's
    transaction. Returns how many deliveries were written (0 if no provider listens)."""
    _check_type(event_type, BOOKING_EVENTS)
    return _emit(
        venue_id=booking.offer.venue_id,
        event_type=event_type,
        build=lambda: payloads.booking_data(booking),
    )


def emit_booking_events(*, booking_ids: list[int], event_type: str) -> int:
    """Batch form for jobs (bulk updates): one query when nobody listens; bookings re-read."""
    _check_type(event_type, BOOKING_EVENTS)
    if not booking_ids:
        return 0
    venue_ids = Booking.objects.filter(pk__in=booking_ids).values_list("offer__venue_id", flat=True)
    links = _listening_links(venue_ids)
    if not links:
        return 0
    by_venue: dict[int, list[VenueProvider]] = {}
    for link in links:
        by_venue.setdefault(link.venue_id, []).append(link)
    written = 0
    bookings = (
        Booking.objects.filter(pk__in=booking_ids, offer__venue_id__in=by_venue)
        .select_related(*BOOKING_RELATIONS)
        .prefetch_related("tickets")
        .order_by("pk")
    )
    for booking in bookings:
        data = payloads.booking_data(booking)
        for link in by_venue[booking.offer.venue_id]:
            _write(link, event_type=event_type, data=data)
            written += 1
    return written


def emit_collective_booking_event(*, booking: CollectiveBooking, event_type: str) -> int:
    """Queue a `collective_booking.*` event; same rules as emit_booking_event."""
    _check_type(event_type, COLLECTIVE_EVENTS)
    return _emit(
        venue_id=booking.offer.venue_id,
        event_type=event_type,
        build=lambda: payloads.collective_booking_data(booking),
    )


def emit_collective_booking_events(*, booking_ids: list[int], event_type: str) -> int:
    """Batch form of emit_collective_booking_event for jobs (bookings re-read)."""
    _check_type(event_type, COLLECTIVE_EVENTS)
    if not booking_ids:
        return 0
    venue_ids = CollectiveBooking.objects.filter(pk__in=booking_ids).values_list(
        "offer__venue_id", flat=True
    )
    links = _listening_links(venue_ids)
    if not links:
        return 0
    written = 0
    bookings = (
        CollectiveBooking.objects.filter(pk__in=booking_ids)
        .select_related(*COLLECTIVE_RELATIONS)
        .order_by("pk")
    )
    for booking in bookings:
        data = payloads.collective_booking_data(booking)
        for link in links:
            if link.venue_id == booking.offer.venue_id:
                _write(link, event_type=event_type, data=data)
                written += 1
    return written


def emit_stock_sold_out(*, stock: Stock) -> int:
    """Queue `stock.sold_out` when a stock's last seat is booked; same rules."""
    return _emit(
        venue_id=stock.offer.venue_id,
        event_type=STOCK_SOLD_OUT,
        build=lambda: payloads.stock_event_data(stock),
    )


def _lock_sendable(link_id: int) -> VenueProvider:
    link = (
        VenueProvider.objects.select_for_update(of=("self",))
        .select_related("provider", "venue")
        .get(pk=link_id)
    )
    if not link.is_active or not link.provider.is_active:
        raise e.ProviderError("Ce lieu n’est plus relié à ce logiciel.")
    if not link.effective_notification_url:
        raise e.ProviderError("Indiquez d’abord une URL de notification.", field="notification_url")
    if link.provider.webhooks_disabled_at is not None:
        raise e.ProviderError(
            "Les webhooks de ce logiciel sont coupés (l’adresse a répondu 410) : enregistrez "
            "de nouveau l’URL de notification pour les réactiver."
        )
    return link


@transaction.atomic
def send_test_event(*, actor: object, link: VenueProvider) -> WebhookDelivery:
    """Queue a `test` event on a venue link (pro portal button)."""
    link = _lock_sendable(link.pk)
    data = {
        "message": "Événement de test : votre adresse reçoit bien les webhooks.",
        "venue": payloads.venue_data(link.venue),
    }
    delivery = _write(link, event_type=TEST_EVENT, data=data, is_test=True)
    record_audit(actor=actor, action="webhook.test_queued", obj=delivery, data={"link": link.pk})
    return delivery


@transaction.atomic
def replay_delivery(*, actor: object, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a copy of a past delivery (same event id in the body, new row and sequence)."""
    link = _lock_sendable(delivery.link_id)
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.PENDING:
        raise e.ProviderError("Cet envoi est encore en attente : il sera retenté automatiquement.")
    # Same body, same event id: the receiver recognises an event it may already have.
    copy = _write(
        link,
        event_type=delivery.event_type,
        payload=delivery.payload,
        replay_of=delivery,
        is_test=delivery.is_test,
    )
    record_audit(
        actor=actor,
        action="webhook.replayed",
        obj=copy,
        data={"replay_of": delivery.pk, "event": delivery.payload.get("id")},
    )
    return copy
