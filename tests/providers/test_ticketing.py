"""Offers with a ticket: the venue's ticketing system (a real local server) issues tickets
inside the booking, can refuse it, and is told of cancellations."""

import time

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from passculture.bookings import services as booking_services
from passculture.bookings.models import Booking
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers.models import Offer, PriceCategory, Stock, WithdrawalType
from passculture.providers import errors, ticketing
from passculture.providers.models import BookingTicket, Provider, VenueProvider
from tests.bookings.factories import (
    NOW,
    balance_of,
    make_beneficiary,
    make_bookable_offer,
    state,
)
from tests.providers.factories import link, make_provider
from tests.providers.receiver import Received, Reply, verify_signature

pytestmark = pytest.mark.django_db

TICKETS = {
    "tickets": [
        {"barcode": "PC-0001-XK", "seat_number": "A12"},
        {"barcode": "PC-0002-XK", "seat_number": "A13"},
    ],
    "remainingQuantity": 5,
}


@pytest.fixture
def office(receiver, provider, venue) -> VenueProvider:
    """The venue's ticketing system: booking and cancel URLs on the receiver."""
    return link(
        provider,
        venue,
        booking_url=f"{receiver.url}/billets",
        cancel_url=f"{receiver.url}/annulations",
    )


def _answer(receiver, billets: Reply, other: Reply | None = None) -> None:
    def respond(received: Received) -> Reply:
        return billets if received.path == "/billets" else (other or Reply(200))

    receiver.respond = respond


def _ticketed(venue, **kw) -> Stock:
    kw.setdefault("is_duo", True)
    stock = make_bookable_offer(venue, withdrawal_type=WithdrawalType.IN_APP, **kw)
    Offer.objects.filter(pk=stock.offer_id).update(id_at_provider="SPEC-9")
    Stock.objects.filter(pk=stock.pk).update(id_at_provider="SEANCE-9")
    PriceCategory.objects.filter(pk=stock.price_category_id).update(id_at_provider="PLEIN")
    return Stock.objects.get(pk=stock.pk)


def _calls(receiver, path: str) -> list[Received]:
    return [r for r in receiver.requests if r.path == path]


def test_has_ticket_needs_in_app_withdrawal_and_a_booking_url(receiver, provider, venue):
    stock = _ticketed(venue)
    offer = stock.offer
    assert not ticketing.has_ticket(offer)  # venue not linked
    vp = link(provider, venue)
    assert not ticketing.has_ticket(offer)  # linked, but no booking URL anywhere
    vp.booking_url = f"{receiver.url}/billets"
    vp.save()
    assert ticketing.has_ticket(offer)
    assert ticketing.ticketing_link(offer) == vp
    offer.withdrawal_type = WithdrawalType.ON_SITE
    assert not ticketing.has_ticket(offer)
    offer.withdrawal_type = WithdrawalType.IN_APP
    Provider.objects.filter(pk=provider.pk).update(is_active=False)
    assert not ticketing.has_ticket(offer)
    Provider.objects.filter(pk=provider.pk).update(is_active=True, booking_url="https://x.fr/b")
    VenueProvider.objects.filter(pk=vp.pk).update(booking_url="")
    assert ticketing.ticketing_link(offer).effective_booking_url == "https://x.fr/b"


def test_tickets_are_issued_stored_and_the_stock_resynced(receiver, provider, office, venue):
    _answer(receiver, Reply(200, TICKETS))
    stock = _ticketed(venue, quantity=10)
    youth = make_beneficiary()
    booking = booking_services.book_offer(user=youth, stock_id=stock.pk, quantity=2)

    [call] = _calls(receiver, "/billets")
    verify_signature(call, provider.hmac_secret)
    body = call.json
    assert body["type"] == "booking.request"
    assert call.headers["passculture-request-id"] == body["requestId"]
    assert body["booking"] == {
        "token": booking.token,  # our token, known to the ticketing system from the start
        "quantity": 2,
        "price": 1200,
        "totalPrice": 2400,
        "creationDate": "2027-01-04T08:00:00Z",
    }
    assert body["stock"]["id"] == stock.pk
    assert body["stock"]["idAtProvider"] == "SEANCE-9"
    assert body["stock"]["beginningDatetime"] == "2027-01-14T08:00:00Z"
    assert body["priceCategory"] == {
        "id": stock.price_category_id,
        "label": "Plein tarif",
        "idAtProvider": "PLEIN",
    }
    assert (body["offer"]["id"], body["offer"]["idAtProvider"]) == (stock.offer_id, "SPEC-9")
    assert body["venue"]["id"] == venue.pk and body["venue"]["siret"] == venue.siret
    assert body["user"] == {
        "firstName": "Léa",
        "lastName": "Moreau",
        "email": youth.email,
        "phoneNumber": None,
        "birthDate": "2009-03-15",
        "postalCode": "69003",
    }

    assert list(
        BookingTicket.objects.filter(booking=booking).values_list("barcode", "seat_number")
    ) == [
        ("PC-0001-XK", "A12"),
        ("PC-0002-XK", "A13"),
    ]
    stock.refresh_from_db()
    assert (stock.booked_quantity, stock.quantity, stock.remaining) == (2, 7, 5)
    resync = AuditEntry.objects.get(action="stock.resynced_by_ticketing")
    assert (resync.before, resync.after) == ({"quantity": 10}, {"quantity": 7})
    assert resync.actor_id == provider.service_user_id
    # The booking.created webhook carries the tickets and the resynced stock.
    run_pending_tasks()
    [hook] = _calls(receiver, "/hooks")
    data = hook.json["data"]
    assert data["tickets"] == [
        {"barcode": "PC-0001-XK", "seatNumber": "A12"},
        {"barcode": "PC-0002-XK", "seatNumber": "A13"},
    ]
    assert (data["stock"]["quantity"], data["stock"]["remainingQuantity"]) == (7, 5)


def test_the_last_ticket_sells_the_stock_out(receiver, provider, office, venue):
    _answer(receiver, Reply(201, {"tickets": [{"barcode": "Z-1"}], "remainingQuantity": 0}))
    stock = _ticketed(venue, quantity=None, is_duo=False)
    booking_services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    stock.refresh_from_db()
    assert (stock.quantity, stock.booked_quantity) == (1, 1)
    run_pending_tasks()
    assert [r.json["type"] for r in _calls(receiver, "/hooks")] == [
        "booking.created",
        "stock.sold_out",
    ]
    assert BookingTicket.objects.get().seat_number == ""


def test_null_remaining_leaves_the_contingent_alone(receiver, provider, office, venue):
    _answer(receiver, Reply(200, {"tickets": [{"barcode": "Z-1"}], "remainingQuantity": None}))
    stock = _ticketed(venue, quantity=10, is_duo=False)
    booking_services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    stock.refresh_from_db()
    assert (stock.quantity, stock.booked_quantity) == (10, 1)
    assert not AuditEntry.objects.filter(action="stock.resynced_by_ticketing").exists()


@pytest.mark.parametrize(
    ("answer", "error", "quantity", "expected_quantity"),
    [
        ({"error": "sold_out", "remainingQuantity": 0}, errors.TicketingSoldOut, 1, 0),
        ({"error": "sold_out"}, errors.TicketingSoldOut, 1, 0),
        (
            {"error": "not_enough_seats", "remainingQuantity": 1},
            errors.TicketingNotEnoughSeats,
            2,
            1,
        ),
    ],
)
def test_a_ticketing_refusal_refuses_the_booking_and_resyncs_the_stock(
    receiver, provider, office, venue, answer, error, quantity, expected_quantity
):
    _answer(receiver, Reply(409, answer))
    stock = _ticketed(venue, quantity=10)
    youth = make_beneficiary()
    before = state(youth)
    with pytest.raises(error) as refused:
        booking_services.book_offer(user=youth, stock_id=stock.pk, quantity=quantity)
    assert refused.value.code == error.code
    after = state(youth)
    assert after["bookings"] == before["bookings"] == []
    assert after["balance"] == before["balance"] == balance_of(youth) == 15_000
    assert after["deposits"] == before["deposits"]
    assert after["stocks"] == before["stocks"]  # nothing booked
    assert after["tasks"] == before["tasks"]  # no e-mail, no webhook
    assert not BookingTicket.objects.exists()
    stock.refresh_from_db()
    # Kept (own transaction): our count follows the venue's.
    assert (stock.quantity, stock.booked_quantity) == (expected_quantity, 0)
    assert after["audit"] == before["audit"] + 1
    assert AuditEntry.objects.get(action="stock.resynced_by_ticketing").after == {
        "quantity": expected_quantity
    }


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, {"error": "boom"}),
        Reply(503, b""),
        Reply(200, b"<html>pas du JSON</html>"),
        Reply(200, {"tickets": []}),
        Reply(200, {"tickets": [{"barcode": ""}]}),
        Reply(200, {"tickets": [{"barcode": "A"}], "remainingQuantity": -1}),
        Reply(400, {"error": "invalid_price"}),
        Reply(302, b""),
    ],
    ids=["500", "503", "not-json", "no-ticket", "empty-barcode", "negative", "400", "302"],
)
def test_a_broken_answer_refuses_the_booking_and_changes_nothing(
    receiver, provider, office, venue, reply
):
    _answer(receiver, reply)
    stock = _ticketed(venue, quantity=10)
    youth = make_beneficiary()
    before = state(youth)
    with pytest.raises(errors.TicketingRefused) as refused:
        booking_services.book_offer(user=youth, stock_id=stock.pk)
    assert type(refused.value) is errors.TicketingRefused
    assert refused.value.code == "ticketing_refused"
    assert state(youth) == before
    assert Stock.objects.get(pk=stock.pk).quantity == 10


def test_a_slow_ticketing_system_times_out(receiver, provider, office, venue):
    _answer(receiver, Reply(200, TICKETS, delay=1.5))
    stock = _ticketed(venue, quantity=10)
    youth = make_beneficiary()
    before = state(youth)
    started = time.monotonic()
    with override_settings(TICKETING_TIMEOUT_SECONDS=0.5), pytest.raises(errors.TicketingRefused):
        booking_services.book_offer(user=youth, stock_id=stock.pk)
    assert time.monotonic() - started < 1.4
    assert state(youth) == before
    assert not BookingTicket.objects.exists()


def test_ticketing_down_refuses(receiver, provider, office, venue):
    receiver.stop()
    youth = make_beneficiary()
    with pytest.raises(errors.TicketingRefused):
        booking_services.book_offer(user=youth, stock_id=_ticketed(venue).pk)
    assert not Booking.objects.exists()


def test_offers_without_ticket_never_call_the_ticketing_system(receiver, provider, office, venue):
    stock = make_bookable_offer(venue, withdrawal_type=WithdrawalType.ON_SITE)
    booking_services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    assert _calls(receiver, "/billets") == []


def test_cancelling_a_ticketed_booking_calls_the_cancel_url(receiver, provider, office, venue):
    _answer(receiver, Reply(200, TICKETS))
    youth = make_beneficiary()
    booking = booking_services.book_offer(user=youth, stock_id=_ticketed(venue).pk, quantity=2)
    run_pending_tasks()
    booking_services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    run_pending_tasks()
    [call] = _calls(receiver, "/annulations")
    verify_signature(call, provider.hmac_secret)
    assert call.json == {
        "type": "booking.cancellation",
        "bookingId": booking.pk,
        "token": booking.token,
        "barcodes": ["PC-0001-XK", "PC-0002-XK"],
        "cancellationReason": "BENEFICIARY",
        "cancellationDate": "2027-01-04T08:00:00Z",
        "stock": {"id": booking.stock_id, "idAtProvider": "SEANCE-9"},
        "offer": {"id": booking.offer_id, "idAtProvider": "SPEC-9"},
    }
    assert AuditEntry.objects.filter(action="booking.ticket_cancel_sent").count() == 1


def test_a_failed_cancel_call_is_retried_later(receiver, provider, office, venue, pro):
    _answer(receiver, Reply(200, TICKETS), other=Reply(503))
    booking = booking_services.book_offer(user=make_beneficiary(), stock_id=_ticketed(venue).pk)
    booking_services.cancel_by_offerer(actor=pro, booking_id=booking.pk, comment="Annulé")
    queued = DBTaskResult.objects.get(task_path__endswith="cancel_ticket")
    assert queued.args_kwargs["args"] == [booking.pk]
    # The task's body, run here rather than by the worker: the retry it defers is dated by
    # the frozen clock, and the queue compares run_after with the real time.
    with pytest.raises(ticketing.TicketingCancelError):
        ticketing.send_cancellation(booking.pk, attempt=1)
    assert len(_calls(receiver, "/annulations")) == 1
    retry = DBTaskResult.objects.filter(task_path__endswith="cancel_ticket").exclude(pk=queued.pk)
    assert [(r.args_kwargs["args"], r.run_after) for r in retry] == [
        ([booking.pk, 2], NOW + ticketing.delivery.backoff(1))
    ]
    entry = AuditEntry.objects.get(action="booking.ticket_cancel_failed")
    assert entry.data["attempt"] == 1 and entry.data["retry_in_seconds"] == 30
    # The last attempt gives up (no new task) and says so.
    with pytest.raises(ticketing.TicketingCancelError):
        ticketing.send_cancellation(booking.pk, attempt=ticketing.CANCEL_MAX_ATTEMPTS)
    assert DBTaskResult.objects.filter(task_path__endswith="cancel_ticket").count() == 2
    assert AuditEntry.objects.filter(action="booking.ticket_cancel_abandoned").count() == 1


def test_cancelling_a_booking_without_tickets_calls_nobody(receiver, provider, office, venue):
    youth = make_beneficiary()
    stock = make_bookable_offer(venue)
    booking = booking_services.book_offer(user=youth, stock_id=stock.pk)
    booking_services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    run_pending_tasks()
    assert _calls(receiver, "/annulations") == []
    assert not DBTaskResult.objects.filter(task_path__endswith="cancel_ticket").exists()


def test_the_young_person_sees_the_tickets(client, receiver, provider, office, venue):
    _answer(receiver, Reply(200, TICKETS))
    youth = make_beneficiary()
    booking = booking_services.book_offer(user=youth, stock_id=_ticketed(venue).pk, quantity=2)
    client.force_login(youth)
    page = client.get(f"/jeunes/reservations/{booking.pk}/").content.decode()
    assert "Billet PC-0001-XK — place A12" in page
    assert "Billet PC-0002-XK — place A13" in page


def test_another_providers_link_without_urls_does_not_make_a_ticket(receiver, venue):
    other = make_provider("Sans billetterie", notification_url="")
    link(other, venue)
    assert not ticketing.has_ticket(_ticketed(venue).offer)
