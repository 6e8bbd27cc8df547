"""Partner API — Bookings: read an offer's bookings, read / validate / un-validate / cancel
by token; the reference's 403/404/410 rules, scoping, and refusals that change nothing."""

import datetime as dt

import pytest
from django.core.cache import cache

from passculture.bookings import services
from passculture.bookings.models import Booking, BookingStatus, ValidationAuthor
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.offers.models import PriceCategory, Stock
from passculture.providers.models import Provider
from tests.api.public.reference import validate_response
from tests.bookings.factories import NOW, balance_of, make_beneficiary, make_bookable_offer, state

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
LIST = "/public/bookings/v1/bookings"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


@pytest.fixture
def book(partner_venue):
    """A book (a thing: validatable at once) with an EAN, 8,50 €, at the partner's venue."""
    return make_bookable_offer(
        partner_venue,
        subcategory_id="LIVRE_PAPIER",
        name="Les Misérables",
        price=850,
        extra_data={"author": "Victor Hugo", "ean": "9782070409228"},
        id_at_provider="LIV-42",
    )


@pytest.fixture
def youth():
    return make_beneficiary(15_000)


def _book(stock, user=None) -> Booking:
    return services.book_offer(user=user or make_beneficiary(), stock_id=stock.pk)


def _url(action: str, token: str) -> str:
    return f"/public/bookings/v1/{action}/token/{token}"


def _set(booking: Booking, **values) -> None:
    Booking.objects.filter(pk=booking.pk).update(**values)


# --- GET /token/{token} ---------------------------------------------------------------


def test_get_booking_by_token_has_every_field(partner, book, youth):
    youth.phone, youth.first_name, youth.last_name = "0612345678", "Lina", "Benali"
    youth.save()
    booking = _book(book, youth)
    response = partner.get(f"/public/bookings/v1/token/{booking.token.lower()}")
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response("/public/bookings/v1/token/{token}", "GET", 200, body)
    venue = book.offer.venue
    assert body == {
        "id": booking.pk,
        "creationDate": "2027-01-04T08:00:00Z",
        "confirmationDate": None,
        "status": "CONFIRMED",
        "quantity": 1,
        "price": 850,
        "offerId": book.offer_id,
        "offerName": "Les Misérables",
        "offerEan": "9782070409228",
        "offerAddress": "8 place des Célestins, 69002 Lyon",
        "offerDepartmentCode": "69",
        "priceCategoryId": None,
        "priceCategoryLabel": None,
        "stockId": book.pk,
        "venueId": venue.pk,
        "venueName": "Théâtre de l’Échangeur",
        "userEmail": youth.email,
        "userFirstName": "Lina",
        "userLastName": "Benali",
        "userPhoneNumber": "0612345678",
        "userBirthDate": "2009-03-15",
        "userPostalCode": "69003",
        "offerIdAtProvider": "LIV-42",
        "priceCategoryIdAtProvider": None,
        "stockIdAtProvider": None,
        "stockBeginningDatetime": None,
        "venueAddress": "8 place des Célestins, 69002 Lyon",
        "dateUsed": None,
        "dateCancelled": None,
        "dateReimbursed": None,
        "dateUpdated": body["dateUpdated"],
    }


def test_event_booking_fields_and_too_early_is_403(partner, partner_venue):
    show = make_bookable_offer(partner_venue, price=1_500)
    booking = _book(show)
    url = f"/public/bookings/v1/token/{booking.token}"
    early = partner.get(url)
    assert early.status_code == 403
    assert early.json()["code"] == "too_early"
    with clock.frozen_at(NOW + 3 * DAY):  # past the cancellation limit (booked + 48 h)
        response = partner.get(url)
    assert response.status_code == 200
    body = response.json()
    validate_response("/public/bookings/v1/token/{token}", "GET", 200, body)
    assert body["confirmationDate"] == "2027-01-06T08:00:00Z"
    assert body["stockBeginningDatetime"] == "2027-01-14T08:00:00Z"
    assert (body["priceCategoryId"], body["priceCategoryLabel"], body["price"]) == (
        show.price_category_id,
        "Plein tarif",
        1_500,
    )


@pytest.mark.parametrize(
    ("values", "status", "code"),
    [
        ({"status": BookingStatus.CANCELLED, "cancelled_at": NOW}, 410, "booking_cancelled"),
        ({"status": BookingStatus.USED, "used_at": NOW}, 410, "already_used"),
        ({"status": BookingStatus.REIMBURSED, "reimbursed_at": NOW}, 403, "booking_reimbursed"),
    ],
)
def test_get_token_refusals(partner, book, values, status, code):
    booking = _book(book)
    _set(booking, **values)
    response = partner.get(f"/public/bookings/v1/token/{booking.token}")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_unknown_malformed_and_outsider_tokens_are_404(partner, book, outsider_venue):
    outsider = _book(make_bookable_offer(outsider_venue, subcategory_id="LIVRE_PAPIER"))
    for token in ("ABCDEF", "01", "A\x00BCDE", outsider.token):
        for action, method in (("token", "get"), ("use/token", "patch")):
            url = f"/public/bookings/v1/{action}/{token}"
            assert getattr(partner, method)(url).status_code == 404, (token, action)
    before = state()
    for action in ("use", "keep", "cancel"):
        assert partner.patch(_url(action, outsider.token)).status_code == 404
    assert state() == before


# --- PATCH /use/token/{token} ---------------------------------------------------------


def test_use_token_validates_as_the_api(partner, book, provider):
    booking = _book(book)
    response = partner.patch(_url("use", booking.token))
    assert response.status_code == 204 and response.content == b""
    booking.refresh_from_db()
    provider = Provider.objects.get(pk=provider.pk)
    assert (booking.status, booking.used_at, booking.validation_author, booking.used_by_id) == (
        BookingStatus.USED,
        NOW,
        ValidationAuthor.API,
        provider.service_user_id,
    )
    assert entries_for(booking).filter(action="booking.used").count() == 1
    before = state()
    again = partner.patch(_url("use", booking.token))
    assert again.status_code == 410 and again.json()["code"] == "already_used"
    assert state() == before


def test_use_refusals_change_nothing(partner, book, partner_venue):
    show = _book(make_bookable_offer(partner_venue))
    reimbursed = _book(book)
    _set(reimbursed, status=BookingStatus.REIMBURSED, used_at=NOW, reimbursed_at=NOW)
    cancelled = _book(make_bookable_offer(partner_venue, subcategory_id="LIVRE_PAPIER"))
    _set(cancelled, status=BookingStatus.CANCELLED, cancelled_at=NOW)
    before = state()
    assert partner.patch(_url("use", show.token)).status_code == 403  # still cancellable
    assert partner.patch(_url("use", reimbursed.token)).status_code == 403
    assert partner.patch(_url("use", cancelled.token)).status_code == 410
    assert state() == before


# --- PATCH /keep/token/{token} --------------------------------------------------------


def test_keep_reverts_a_validation(partner, book):
    booking = _book(book)
    assert partner.patch(_url("use", booking.token)).status_code == 204
    response = partner.patch(_url("keep", booking.token))
    assert response.status_code == 204
    booking.refresh_from_db()
    assert (booking.status, booking.used_at, booking.validation_author) == (
        BookingStatus.CONFIRMED,
        None,
        "",
    )
    assert entries_for(booking).filter(action="booking.unused").count() == 1


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({}, 403),  # confirmed: nothing to revert
        ({"status": BookingStatus.REIMBURSED, "reimbursed_at": NOW}, 403),
        ({"status": BookingStatus.CANCELLED, "cancelled_at": NOW}, 410),
    ],
)
def test_keep_refusals_change_nothing(partner, book, values, status):
    booking = _book(book)
    if values:
        _set(booking, **values)
    before = state()
    assert partner.patch(_url("keep", booking.token)).status_code == status
    assert state() == before


# --- PATCH /cancel/token/{token} ------------------------------------------------------


def test_cancel_gives_seats_and_credit_back(partner, book, youth):
    booking = _book(book, youth)
    assert balance_of(youth) == 15_000 - 850
    response = partner.patch(_url("cancel", booking.token))
    assert response.status_code == 204
    booking.refresh_from_db()
    book.refresh_from_db()
    assert (booking.status, booking.cancellation_reason, booking.cancelled_at) == (
        BookingStatus.CANCELLED,
        "offerer",
        NOW,
    )
    assert book.booked_quantity == 0
    assert balance_of(youth) == 15_000
    before = state()
    again = partner.patch(_url("cancel", booking.token))
    assert again.status_code == 410 and again.json()["code"] == "booking_cancelled"
    assert state() == before


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"status": BookingStatus.USED, "used_at": NOW}, 410),
        ({"status": BookingStatus.REIMBURSED, "reimbursed_at": NOW}, 403),
    ],
)
def test_cancel_refusals_change_nothing(partner, book, values, status):
    booking = _book(book)
    _set(booking, **values)
    before = state()
    assert partner.patch(_url("cancel", booking.token)).status_code == status
    assert state() == before


# --- GET /bookings --------------------------------------------------------------------


def test_list_bookings_of_an_offer_with_filters_and_pages(
    partner, partner_venue, django_assert_max_num_queries
):
    show = make_bookable_offer(partner_venue, price=1_500, quantity=50)
    other_date = make_bookable_offer(partner_venue, beginning=NOW + 20 * DAY)
    # A second date of the same offer, with its own price category.
    reduced = PriceCategory.objects.create(offer=show.offer, label="Tarif réduit", price=900)
    later = Stock.objects.create(
        offer=show.offer,
        price_category=reduced,
        price=900,
        quantity=20,
        beginning_datetime=NOW + 12 * DAY,
        booking_limit_datetime=NOW + 11 * DAY,
    )
    first = [_book(show) for _ in range(3)]
    second = [_book(later) for _ in range(2)]
    _book(other_date)  # another offer: never listed
    _set(first[1], status=BookingStatus.CANCELLED, cancelled_at=NOW)

    def ids(params):
        response = partner.get(LIST, {"offerId": show.offer_id, **params})
        assert response.status_code == 200, response.content
        validate_response(LIST, "GET", 200, response.json())
        return [b["id"] for b in response.json()["bookings"]]

    with django_assert_max_num_queries(4):  # key (read, touch), the offer, the bookings
        everything = ids({})
    assert everything == sorted(b.pk for b in first + second)
    assert ids({"stockId": later.pk}) == [b.pk for b in second]
    assert ids({"priceCategoryId": reduced.pk}) == [b.pk for b in second]
    assert ids({"status": "CANCELLED"}) == [first[1].pk]
    assert ids({"status": "CONFIRMED"}) == sorted(b.pk for b in [first[0], first[2], *second])
    # 12 days after NOW, 09:00 Paris = 08:00 UTC, given with an offset.
    assert ids({"beginningDatetime": "2027-01-16T09:00:00+01:00"}) == [b.pk for b in second]
    assert ids({"beginningDatetime": "2027-01-16T08:00:00"}) == [b.pk for b in second]
    assert ids({"limit": 2}) == everything[:2]
    assert ids({"limit": 2, "firstIndex": everything[2]}) == everything[2:4]
    _set(second[0], updated_at=NOW + DAY)
    Booking.objects.exclude(pk=second[0].pk).update(updated_at=NOW)
    assert ids({"updatedSince": "2027-01-05T00:00:00Z"}) == [second[0].pk]


def test_list_bookings_refusals(partner, outsider_venue, partner_venue):
    outsider = make_bookable_offer(outsider_venue)
    _book(outsider)
    assert partner.get(LIST, {"offerId": outsider.offer_id}).status_code == 404
    assert partner.get(LIST, {"offerId": 999_999}).status_code == 404
    missing = partner.get(LIST)
    assert missing.status_code == 422
    validate_response(LIST, "GET", 422, missing.json())
    offer_id = make_bookable_offer(partner_venue).offer_id
    assert partner.get(LIST, {"offerId": offer_id, "limit": 51}).status_code == 422
    assert partner.get(LIST, {"offerId": offer_id, "firstIndex": 0}).status_code == 422
    assert partner.get(LIST, {"offerId": offer_id, "status": "LOST"}).status_code == 422
