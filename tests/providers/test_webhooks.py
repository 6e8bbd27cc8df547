"""Webhook events: written in the change's transaction, signed, with the fields a ticketing
system needs, one numbered stream per (provider, venue). Received by a real local server."""

import datetime as dt

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from passculture.accounts.models import User
from passculture.bookings import jobs
from passculture.bookings import services as booking_services
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers import services as offer_services
from passculture.offers.models import PriceCategory, Stock
from passculture.providers import services as provider_services
from passculture.providers import webhooks
from passculture.providers.models import Provider, WebhookDelivery
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer
from tests.providers.factories import link, make_provider
from tests.providers.receiver import verify_signature

pytestmark = pytest.mark.django_db

START = NOW + dt.timedelta(days=10)


def _show(venue, **kw):
    stock = make_bookable_offer(venue, **kw)
    Stock.objects.filter(pk=stock.pk).update(id_at_provider="SEANCE-42")
    PriceCategory.objects.filter(pk=stock.price_category_id).update(id_at_provider="TARIF-PLEIN")
    return Stock.objects.get(pk=stock.pk)


def _youth(**fields) -> User:
    user = make_beneficiary()
    User.objects.filter(pk=user.pk).update(phone="0612345678", **fields)
    user.refresh_from_db()
    return user


def _types(**filters) -> list[tuple[int, str]]:
    return list(
        WebhookDelivery.objects.filter(**filters)
        .order_by("link_id", "sequence")
        .values_list("sequence", "event_type")
    )


def test_booking_created_is_signed_and_carries_what_a_ticketing_system_needs(
    receiver, provider, stream, venue
):
    stock = _show(venue, is_duo=True, quantity=10)
    stock.offer.id_at_provider = "SPECTACLE-7"
    stock.offer.extra_data = {"showType": "THEATRE-CLASSIQUE", "ean": "9782070360024"}
    stock.offer.save()
    youth = _youth(first_name="Zoé", last_name="Ngô")
    booking = booking_services.book_offer(user=youth, stock_id=stock.pk, quantity=2)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.sequence, delivery.event_type) == (
        "pending",
        1,
        "booking.created",
    )
    assert run_pending_tasks() >= 1
    [request] = receiver.requests
    assert request.path == "/hooks"
    assert verify_signature(request, provider.hmac_secret) == int(NOW.timestamp())
    assert request.headers["passculture-event-id"] == str(delivery.event_id)
    assert request.headers["passculture-event-type"] == "booking.created"
    assert request.headers["passculture-sequence"] == "1"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json == {
        "id": str(delivery.event_id),
        "type": "booking.created",
        "occurredAt": "2027-01-04T08:00:00Z",
        "sequence": 1,
        "venueId": venue.pk,
        "data": {
            "booking": {
                "id": booking.pk,
                "token": booking.token,
                "status": "CONFIRMED",
                "quantity": 2,
                "price": 1200,
                "totalPrice": 2400,
                "creationDate": "2027-01-04T08:00:00Z",
                "cancellationLimitDate": "2027-01-06T08:00:00Z",
                "cancellationDate": None,
                "cancellationReason": None,
                "usedDate": None,
                "validationAuthor": None,
            },
            "priceCategory": {
                "id": stock.price_category_id,
                "label": "Plein tarif",
                "idAtProvider": "TARIF-PLEIN",
            },
            "stock": {
                "id": stock.pk,
                "beginningDatetime": "2027-01-14T08:00:00Z",
                "bookingLimitDatetime": "2027-01-14T07:00:00Z",
                "idAtProvider": "SEANCE-42",
                "price": 1200,
                "quantity": 10,
                "bookedQuantity": 2,
                "remainingQuantity": 8,
            },
            "offer": {
                "id": stock.offer_id,
                "name": "Cyrano de Bergerac",
                "idAtProvider": "SPECTACLE-7",
                "ean": "9782070360024",
                "subcategoryId": "SPECTACLE_REPRESENTATION",
                "withdrawalType": None,
                "address": None,
            },
            "venue": {
                "id": venue.pk,
                "name": "Grande salle",
                "publicName": None,
                "siret": venue.siret,
                "address": {
                    "street": "8 place des Célestins",
                    "postalCode": "69002",
                    "city": "Lyon",
                    "departmentCode": "69",
                },
            },
            "beneficiary": {
                "firstName": "Zoé",
                "lastName": "Ngô",
                "email": youth.email,
                "phoneNumber": "0612345678",
                "birthDate": "2009-03-15",
                "postalCode": "69003",
            },
            "tickets": [],
        },
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at == NOW and delivery.last_error == ""


def test_lifecycle_events_follow_each_other_on_the_stream(receiver, provider, stream, venue, pro):
    stock = _show(venue)
    booking = booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    later = NOW + dt.timedelta(days=3)
    with clock.frozen_at(later):
        booking_services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
        booking_services.unvalidate_booking(actor=pro, booking_id=booking.pk)
        booking_services.cancel_by_offerer(actor=pro, booking_id=booking.pk, comment="Relâche")
        run_pending_tasks()
    bodies = receiver.bodies()
    assert [(b["sequence"], b["type"]) for b in bodies] == [
        (1, "booking.created"),
        (2, "booking.used"),
        (3, "booking.unused"),
        (4, "booking.cancelled"),
    ]
    assert len({b["id"] for b in bodies}) == 4
    used, unused, cancelled = (b["data"]["booking"] for b in bodies[1:])
    assert (used["status"], used["usedDate"], used["validationAuthor"]) == (
        "USED",
        "2027-01-07T08:00:00Z",
        "PRO",
    )
    assert (unused["status"], unused["usedDate"], unused["validationAuthor"]) == (
        "CONFIRMED",
        None,
        None,
    )
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellationReason"] == "OFFERER"
    assert cancelled["cancellationDate"] == "2027-01-07T08:00:00Z"
    assert bodies[3]["data"]["stock"]["bookedQuantity"] == 0
    assert bodies[3]["data"]["stock"]["remainingQuantity"] == 10
    # Payloads are built when the change happens: the first event still says CONFIRMED.
    first = WebhookDelivery.objects.get(sequence=1)
    assert first.payload["data"]["booking"]["status"] == "CONFIRMED"


def test_the_last_seat_also_announces_the_stock_sold_out(receiver, provider, stream, venue):
    stock = _show(venue, quantity=2)
    booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    assert _types() == [(1, "booking.created")]
    booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    assert _types() == [(1, "booking.created"), (2, "booking.created"), (3, "stock.sold_out")]
    run_pending_tasks()
    sold_out = receiver.bodies()[2]
    assert sold_out["type"] == "stock.sold_out"
    assert sold_out["data"]["stock"]["id"] == stock.pk
    assert sold_out["data"]["stock"]["remainingQuantity"] == 0
    assert sold_out["data"]["priceCategory"]["idAtProvider"] == "TARIF-PLEIN"
    assert sold_out["data"]["offer"]["id"] == stock.offer_id
    assert sold_out["data"]["venue"]["id"] == venue.pk


def test_unlimited_stock_is_never_sold_out(receiver, provider, stream, venue):
    stock = _show(venue, quantity=None)
    booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    assert _types() == [(1, "booking.created")]


def test_a_rolled_back_change_leaves_no_event(receiver, provider, stream, venue):
    stock = _show(venue)
    youth = _youth()
    with pytest.raises(RuntimeError), transaction.atomic():
        booking_services.book_offer(user=youth, stock_id=stock.pk)
        assert WebhookDelivery.objects.count() == 1  # written inside the transaction…
        raise RuntimeError("the caller fails after booking")
    assert WebhookDelivery.objects.count() == 0  # …and gone with it
    stream.refresh_from_db()
    assert stream.last_sequence == 0
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_stream").exists()
    run_pending_tasks()
    assert receiver.requests == []


def test_a_refused_booking_leaves_no_event(receiver, provider, stream, venue):
    stock = _show(venue, quantity=0)
    with pytest.raises(DomainError):
        booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    ["unlinked", "provider_inactive", "no_url", "webhooks_disabled"],
)
def test_nobody_listening_means_no_delivery(receiver, provider, stream, venue, change):
    if change == "unlinked":
        stream.is_active = False
        stream.save()
    elif change == "provider_inactive":
        Provider.objects.filter(pk=provider.pk).update(is_active=False)
    elif change == "no_url":
        Provider.objects.filter(pk=provider.pk).update(notification_url="")
    else:
        Provider.objects.filter(pk=provider.pk).update(webhooks_disabled_at=NOW)
    stock = _show(venue)
    booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    assert WebhookDelivery.objects.count() == 0
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_stream").exists()


def test_other_venues_events_do_not_reach_the_provider(receiver, provider, stream, venue, offerer):
    from tests.factories import make_venue

    elsewhere = make_venue(offerer, nic=2, name="Petite salle")
    booking_services.book_offer(user=_youth(), stock_id=_show(elsewhere).pk)
    assert WebhookDelivery.objects.count() == 0


def test_each_provider_of_a_venue_has_its_own_stream_and_secret(receiver, provider, stream, venue):
    other = make_provider("Caisse Horizon", notification_url=f"{receiver.url}/autre")
    link(other, venue, notification_url=f"{receiver.url}/surcharge")  # the venue's override
    stock = _show(venue)
    booking_services.book_offer(user=_youth(), stock_id=stock.pk)
    run_pending_tasks()
    by_path = {r.path: r for r in receiver.requests}
    assert set(by_path) == {"/hooks", "/surcharge"}
    verify_signature(by_path["/hooks"], provider.hmac_secret)
    verify_signature(by_path["/surcharge"], other.hmac_secret)
    with pytest.raises(AssertionError):
        verify_signature(by_path["/surcharge"], provider.hmac_secret)
    ids = {r.json["id"] for r in receiver.requests}
    assert len(ids) == 2
    assert [r.json["sequence"] for r in receiver.requests] == [1, 1]


def test_jobs_and_date_deletion_emit_too(receiver, provider, stream, venue, pro):
    show = _show(venue)
    book = make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Le Horla", price=800)
    doomed = _show(venue, beginning=START + dt.timedelta(days=1))
    youth = _youth()
    shown = booking_services.book_offer(user=youth, stock_id=show.pk)
    kept = booking_services.book_offer(user=youth, stock_id=book.pk)
    gone = booking_services.book_offer(user=youth, stock_id=doomed.pk)
    offer_services.delete_date(actor=pro, offer=doomed.offer, beginning=doomed.beginning_datetime)
    with clock.frozen_at(START + dt.timedelta(hours=49)):
        assert jobs.auto_use_event_bookings() == 1
        assert jobs.expire_thing_bookings() == 1
        run_pending_tasks()
    events = [(b["type"], b["data"]["booking"]["id"]) for b in receiver.bodies()]
    assert events[3:] == [
        ("booking.cancelled", gone.pk),
        ("booking.used", shown.pk),
        ("booking.cancelled", kept.pk),
    ]
    reasons = {
        b["data"]["booking"]["id"]: (b["data"]["booking"]["cancellationReason"], b["type"])
        for b in receiver.bodies()[3:]
    }
    assert reasons[gone.pk] == ("DATE_DELETED", "booking.cancelled")
    assert reasons[kept.pk] == ("EXPIRED", "booking.cancelled")
    auto = receiver.bodies()[4]["data"]["booking"]
    assert (auto["status"], auto["validationAuthor"]) == ("USED", "AUTO")
    assert [b["sequence"] for b in receiver.bodies()] == [1, 2, 3, 4, 5, 6]


def test_test_event_and_replay(receiver, provider, stream, venue, pro):
    test = webhooks.send_test_event(actor=pro, link=stream)
    booking_services.book_offer(user=_youth(), stock_id=_show(venue).pk)
    run_pending_tasks()
    assert [(b["sequence"], b["type"]) for b in receiver.bodies()] == [
        (1, "test"),
        (2, "booking.created"),
    ]
    assert receiver.bodies()[0]["data"]["venue"]["id"] == venue.pk
    assert test.is_test and AuditEntry.objects.filter(action="webhook.test_queued").count() == 1

    original = WebhookDelivery.objects.get(event_type="booking.created")
    copy = webhooks.replay_delivery(actor=pro, delivery=original)
    assert (copy.replay_of_id, copy.sequence, copy.status) == (original.pk, 3, "pending")
    assert copy.event_id != original.event_id  # a new row…
    run_pending_tasks()
    replayed = receiver.requests[-1]
    # …carrying the same event: same id (receivers drop duplicates), its new place in order.
    assert replayed.json == {**original.payload, "sequence": 3}
    assert replayed.headers["passculture-event-id"] == str(original.event_id)
    verify_signature(replayed, provider.hmac_secret)
    assert AuditEntry.objects.filter(action="webhook.replayed").count() == 1


def test_replay_and_test_event_refusals(receiver, provider, stream, venue, pro):
    booking_services.book_offer(user=_youth(), stock_id=_show(venue).pk)
    pending = WebhookDelivery.objects.get()
    with pytest.raises(DomainError, match="encore en attente"):
        webhooks.replay_delivery(actor=pro, delivery=pending)
    Provider.objects.filter(pk=provider.pk).update(webhooks_disabled_at=NOW)
    with pytest.raises(DomainError, match="coupés"):
        webhooks.send_test_event(actor=pro, link=stream)
    provider_services.update_provider_urls(actor=None, provider=provider, notification_url="")
    with pytest.raises(DomainError, match="URL de notification"):
        webhooks.send_test_event(actor=pro, link=stream)
    assert WebhookDelivery.objects.count() == 1


def test_unknown_event_type_is_a_programming_error(venue):
    with pytest.raises(ValueError):
        webhooks.emit_booking_event(booking=None, event_type="booking.lost")  # type: ignore[arg-type]
