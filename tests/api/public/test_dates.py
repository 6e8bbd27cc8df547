"""Partner API — an event's dates: batch creation, list, edit, deletion (bookings cancelled)."""

import datetime as dt

import pytest

from passculture.bookings.models import BookingStatus
from passculture.bookings.services import book_offer
from passculture.offers.models import Stock
from tests.api.public.reference import validate_response
from tests.api.public.test_events_support import (  # noqa: F401  (fixture)
    EVENTS,
    date_items,
    event_body,
    frozen_now,
    iso,
)
from tests.bookings.factories import make_beneficiary
from tests.offers.factories import (
    NOW,
    db_state,
    make_offer,
    make_price_category,
    make_stock,
    paris,
)

DATES = EVENTS + "/{event_id}/dates"
DATE = DATES + "/{stock_id}"


@pytest.fixture
def event(partner, partner_venue) -> dict:
    created = partner.post(EVENTS, event_body(partner_venue))
    assert created.status_code == 200, created.content
    return created.json()


def _tariffs(event: dict) -> list[int]:
    by_label = {c["label"]: c["id"] for c in event["priceCategories"]}
    return [by_label["Plein tarif"], by_label["Tarif réduit"]]


def _post(partner, event: dict, items: list[dict]):
    return partner.post(f"{EVENTS}/{event['id']}/dates", {"dates": items})


def test_list_paginates_and_filters_by_id_at_provider(partner, event):
    created = _post(partner, event, date_items(_tariffs(event), 4)).json()["dates"]
    listed = partner.get(f"{EVENTS}/{event['id']}/dates")
    assert listed.status_code == 200
    validate_response(DATES, "GET", 200, listed.json())
    assert listed.json()["dates"] == created

    first = partner.get(f"{EVENTS}/{event['id']}/dates", {"limit": 5}).json()["dates"]
    rest = partner.get(f"{EVENTS}/{event['id']}/dates", {"firstIndex": first[-1]["id"] + 1}).json()[
        "dates"
    ]
    assert [d["id"] for d in first + rest] == [d["id"] for d in created]
    assert len(first) == 5

    chosen = partner.get(f"{EVENTS}/{event['id']}/dates", {"idsAtProvider": "d1-0,d3-1"})
    assert [d["idAtProvider"] for d in chosen.json()["dates"]] == ["d1-0", "d3-1"]


@pytest.mark.parametrize(
    ("mutate", "status", "field"),
    [
        (lambda items, ids: items * 0, 400, "dates"),
        (
            lambda items, ids: [*items, {**items[0], "beginningDatetime": iso(NOW)}],
            400,
            "beginningDatetime",
        ),
        (
            lambda items, ids: [
                *items,
                {**items[0], "bookingLimitDatetime": iso(paris(2027, 1, 11, 0, 0))},
            ],
            400,
            "bookingLimitDatetime",
        ),
        (lambda items, ids: [*items, items[0]], 400, "dates"),
        (lambda items, ids: [*items, {**items[0], "quantity": -1}], 400, "quantity"),
        (lambda items, ids: [*items, {**items[0], "quantity": 10**9}], 400, "quantity"),
        (lambda items, ids: [*items, {**items[0], "quantity": "beaucoup"}], 422, "quantity"),
        (lambda items, ids: [{**i, "idAtProvider": "même"} for i in items], 400, "idAtProvider"),
        (lambda items, ids: items * 126, 422, "dates"),  # 2 520 dates
        (
            lambda items, ids: [{**items[0], "beginningDatetime": "9999-12-31T23:59:59-14:00"}],
            422,
            "beginningDatetime",
        ),
        (lambda items, ids: [{**items[0], "idAtProvider": "\x00"}], 422, "payload"),
    ],
)
def test_invalid_batch_creates_nothing(partner, event, mutate, status, field):
    items = mutate(date_items(_tariffs(event), 10), _tariffs(event))
    before = db_state()
    response = _post(partner, event, items)
    assert response.status_code == status, response.content
    if status == 422:
        validate_response(DATES, "POST", 422, response.json())
        assert any(field in item["loc"] for item in response.json()), response.json()
    else:
        assert field in response.json(), response.json()
    assert db_state() == before


def test_two_thousand_five_hundred_and_one_dates_are_refused(partner, event):
    items = date_items(_tariffs(event)[:1], 2_501, start=paris(2027, 2, 1, 20, 0))
    response = _post(partner, event, items)
    assert response.status_code == 422
    validate_response(DATES, "POST", 422, response.json())
    assert Stock.objects.count() == 0


def test_more_than_2500_stocks_in_all_is_refused(partner, event):
    tariff = _tariffs(event)[0]
    Stock.objects.bulk_create(
        Stock(
            offer_id=event["id"],
            price_category_id=tariff,
            price=2500,
            beginning_datetime=paris(2027, 3, 1, 10, 0) + dt.timedelta(hours=h),
        )
        for h in range(2_495)
    )
    response = _post(partner, event, date_items([tariff], 6))
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_stocks"
    assert Stock.objects.count() == 2_495
    assert _post(partner, event, date_items([tariff], 5)).status_code == 200


def test_tariff_of_another_offer_is_404(partner, event, partner_venue):
    other = make_offer(partner_venue, name="Autre spectacle")
    foreign = make_price_category(other)
    before = db_state()
    response = _post(partner, event, date_items([_tariffs(event)[0], foreign.pk], 2))
    assert response.status_code == 404
    assert str(foreign.pk) in response.json()["message"]
    assert db_state() == before


def test_an_existing_date_is_not_created_twice(partner, event):
    items = date_items(_tariffs(event), 1)
    assert _post(partner, event, items).status_code == 200
    again = _post(partner, event, items)
    assert again.status_code == 400 and "déjà une date" in again.json()["message"]
    assert Stock.objects.count() == 2


def test_dates_of_another_structure_are_404(partner, outsider_venue):
    theirs = make_offer(outsider_venue)
    stock = make_stock(theirs, beginning=NOW + dt.timedelta(days=2), category=None)
    before = db_state()
    assert partner.get(f"{EVENTS}/{theirs.pk}/dates").status_code == 404
    assert _post(partner, {"id": theirs.pk}, []).status_code == 404
    assert (
        partner.patch(f"{EVENTS}/{theirs.pk}/dates/{stock.pk}", {"quantity": 1}).status_code == 404
    )
    assert partner.delete(f"{EVENTS}/{theirs.pk}/dates/{stock.pk}").status_code == 404
    assert db_state() == before


# --- edit and delete -------------------------------------------------------------------------


@pytest.fixture
def booked(partner, event):
    """A published date with one booking on its full-price stock."""
    created = _post(partner, event, date_items(_tariffs(event), 1)).json()["dates"]
    stock = Stock.objects.get(pk=created[0]["id"])
    booking = book_offer(user=make_beneficiary(), stock_id=stock.pk)
    return stock, booking


def test_edit_moves_one_stock_and_keeps_its_booking_limit_gap(partner, event, booked):
    stock, booking = booked
    url = f"{EVENTS}/{event['id']}/dates/{stock.pk}"
    new_start = paris(2027, 1, 12, 19, 0)
    response = partner.patch(
        url,
        {"beginningDatetime": iso(new_start), "quantity": 30, "idAtProvider": "nouvelle"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(DATE, "PATCH", 200, body)
    assert body["beginningDatetime"] == "2027-01-12T18:00:00Z"
    assert body["bookingLimitDatetime"] == "2027-01-12T16:00:00Z"  # still 2 h before
    assert (body["quantity"], body["bookedQuantity"], body["idAtProvider"]) == (30, 1, "nouvelle")
    booking.refresh_from_db()
    assert booking.cancellation_limit == NOW + dt.timedelta(hours=48)  # told of the move

    tariff = _tariffs(event)[1]
    repriced = partner.patch(url, {"priceCategoryId": tariff, "quantity": "unlimited"})
    assert repriced.json()["priceCategory"]["id"] == tariff
    assert repriced.json()["quantity"] == "unlimited"
    stock.refresh_from_db()
    assert (stock.price, stock.quantity) == (1200, None)
    booking.refresh_from_db()
    assert booking.amount == 2500  # booked at the old price


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"quantity": 0}, 400, "quantity"),  # 1 seat already booked
        ({"beginningDatetime": "2027-01-01T10:00:00Z"}, 400, "beginningDatetime"),
        ({"bookingLimitDatetime": "2027-02-01T10:00:00Z"}, 400, "bookingLimitDatetime"),
        ({"priceCategoryId": 999_999}, 404, "priceCategoryId"),
        ({"quantity": -3}, 422, "quantity"),
    ],
)
def test_refused_edit_changes_nothing(partner, event, booked, body, status, field):
    stock, _ = booked
    before = db_state()
    response = partner.patch(f"{EVENTS}/{event['id']}/dates/{stock.pk}", body)
    assert response.status_code == status, response.content
    if status == 422:
        assert any(field in item["loc"] for item in response.json())
    else:
        assert field in response.json(), response.json()
    assert db_state() == before


def test_delete_cancels_the_bookings_of_that_stock_only(partner, event, booked):
    stock, booking = booked
    sibling = Stock.objects.exclude(pk=stock.pk).get()
    response = partner.delete(f"{EVENTS}/{event['id']}/dates/{stock.pk}")
    assert response.status_code == 204
    validate_response(DATE, "DELETE", 204, response.content or None)
    stock.refresh_from_db()
    booking.refresh_from_db()
    assert stock.is_deleted and booking.status == BookingStatus.CANCELLED
    sibling.refresh_from_db()
    assert not sibling.is_deleted
    listed = partner.get(f"{EVENTS}/{event['id']}/dates").json()["dates"]
    assert [d["id"] for d in listed] == [sibling.pk]
    assert partner.delete(f"{EVENTS}/{event['id']}/dates/{stock.pk}").status_code == 404
