"""Partner API — an event's tariffs: list, batch creation, edit (live dates follow)."""

import datetime as dt

import pytest

from passculture.offers.models import Offer, PriceCategory, Stock
from tests.api.public.reference import validate_response
from tests.api.public.test_events_support import (  # noqa: F401  (fixture)
    EVENTS,
    event_body,
    frozen_now,
)
from tests.offers.factories import NOW, db_state, make_offer, make_price_category, make_stock

LIST = EVENTS + "/{event_id}/price_categories"
ONE = LIST + "/{price_category_id}"


@pytest.fixture
def event(partner, partner_venue) -> dict:
    return partner.post(EVENTS, event_body(partner_venue, priceCategories=None)).json()


def _url(event: dict, suffix: str = "") -> str:
    return f"{EVENTS}/{event['id']}/price_categories{suffix}"


def test_create_list_and_filter(partner, event):
    body = {
        "priceCategories": [
            {"label": "Carré or", "price": 4500, "idAtProvider": "or"},
            {"label": "Catégorie 1", "price": 3000, "idAtProvider": "c1"},
            {"label": "Étudiant", "price": 800},
        ]
    }
    created = partner.post(_url(event), body)
    assert created.status_code == 200, created.content
    validate_response(LIST, "POST", 200, created.json())
    assert [
        (c["label"], c["price"], c["idAtProvider"]) for c in created.json()["priceCategories"]
    ] == [
        ("Carré or", 4500, "or"),
        ("Catégorie 1", 3000, "c1"),
        ("Étudiant", 800, None),
    ]
    listed = partner.get(_url(event))
    validate_response(LIST, "GET", 200, listed.json())
    ids = [c["id"] for c in created.json()["priceCategories"]]
    assert [c["id"] for c in listed.json()["priceCategories"]] == ids
    page = partner.get(_url(event), {"limit": 2, "firstIndex": ids[1]}).json()["priceCategories"]
    assert [c["id"] for c in page] == ids[1:]
    chosen = partner.get(_url(event), {"idsAtProvider": "c1"}).json()["priceCategories"]
    assert [c["label"] for c in chosen] == ["Catégorie 1"]


@pytest.mark.parametrize(
    ("categories", "status"),
    [
        ([{"label": "Plein", "price": 30_001}], 422),
        ([{"label": "", "price": 100}], 422),
        ([{"label": "Plein", "price": 100}, {"label": "PLEIN", "price": 50}], 400),
        ([{"label": "A", "price": 1, "idAtProvider": "x"}, {"label": "B", "price": 2, "idAtProvider": "x"}], 400),
        ([{"label": f"T{i}", "price": i} for i in range(51)], 422),
    ],
)  # fmt: skip
def test_invalid_batch_creates_nothing(partner, event, categories, status):
    before = db_state()
    response = partner.post(_url(event), {"priceCategories": categories})
    assert response.status_code == status, response.content
    if status == 422:
        validate_response(LIST, "POST", 422, response.json())
    else:
        assert response.json()["message"]
    assert db_state() == before


def test_edit_only_what_is_sent_and_live_dates_follow(partner, event):
    offer_id = event["id"]
    category = PriceCategory.objects.create(
        offer_id=offer_id, label="Plein tarif", price=2000, id_at_provider="p"
    )
    future = Stock.objects.create(
        offer_id=offer_id,
        price_category=category,
        price=2000,
        beginning_datetime=NOW + dt.timedelta(days=5),
    )
    url = _url(event, f"/{category.pk}")
    repriced = partner.patch(url, {"price": 2200})
    assert repriced.status_code == 200, repriced.content
    validate_response(ONE, "PATCH", 200, repriced.json())
    assert repriced.json() == {
        "id": category.pk,
        "label": "Plein tarif",
        "price": 2200,
        "idAtProvider": "p",
    }
    future.refresh_from_db()
    assert future.price == 2200
    renamed = partner.patch(url, {"label": "Tarif plein", "idAtProvider": None}).json()
    assert (renamed["label"], renamed["price"], renamed["idAtProvider"]) == (
        "Tarif plein",
        2200,
        None,
    )


def test_edit_refusals_change_nothing(partner, event):
    first = make_price_category(Offer.objects.get(pk=event["id"]))
    second = PriceCategory.objects.create(offer_id=event["id"], label="Réduit", price=500)
    before = db_state()
    assert partner.patch(_url(event, f"/{second.pk}"), {"label": first.label}).status_code == 400
    assert partner.patch(_url(event, f"/{second.pk}"), {"price": 30_001}).status_code == 422
    assert db_state() == before


def test_tariffs_are_scoped(partner, event, partner_venue, outsider_venue):
    theirs = make_offer(outsider_venue)
    their_tariff = make_price_category(theirs)
    make_stock(theirs, beginning=NOW + dt.timedelta(days=1), category=their_tariff)
    sibling = make_price_category(make_offer(partner_venue, name="Autre"))
    before = db_state()
    assert partner.get(f"{EVENTS}/{theirs.pk}/price_categories").status_code == 404
    created = partner.post(
        f"{EVENTS}/{theirs.pk}/price_categories",
        {"priceCategories": [{"label": "Pirate", "price": 0}]},
    )
    assert created.status_code == 404
    patched = partner.patch(
        f"{EVENTS}/{theirs.pk}/price_categories/{their_tariff.pk}", {"price": 0}
    )
    assert patched.status_code == 404
    # A tariff of another offer, even one the key reaches, is not this offer's.
    assert partner.patch(_url(event, f"/{sibling.pk}"), {"price": 0}).status_code == 404
    assert db_state() == before
