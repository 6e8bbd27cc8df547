"""Partner API — product offers: create, read, list, edit, through the offer services."""

import base64
import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.offerers.models import Address
from passculture.offers.models import Offer, ReviewRule, Stock, Validation
from tests.api.public.reference import validate_response
from tests.offers.factories import (
    db_state,
    make_offer,
    make_price_category,
    make_stock,
    make_thing_offer,
)

PRODUCTS = "/public/offers/v1/products"
ONE = "/public/offers/v1/products/{product_id}"
BOOK_EAN = "9782070360024"  # L'Étranger, Folio


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_base64(width: int = 400, height: int = 600) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def book_body(venue_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": {"type": "physical", "venueId": venue_id},
        "name": "L’Étranger",
        "categoryRelatedFields": {"category": "LIVRE_PAPIER", "author": "Camus", "ean": BOOK_EAN},
        "accessibility": {
            "audioDisabilityCompliant": False,
            "mentalDisabilityCompliant": True,
            "motorDisabilityCompliant": True,
            "visualDisabilityCompliant": False,
        },
        "description": "Roman, 1942.",
        "idAtProvider": "livre-42",
        "stock": {"price": 850, "quantity": 5},
    }
    body.update(overrides)
    return body


def future(days: int = 10) -> str:
    return (clock.now() + dt.timedelta(days=days)).isoformat()


# --- create ---------------------------------------------------------------------------------


def test_create_product_publishes_it_with_its_stock(db, partner, partner_venue, provider):
    response = partner.post(PRODUCTS, book_body(partner_venue.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    validate_response(PRODUCTS, "POST", 201, body)
    offer = Offer.objects.get()
    assert body["id"] == offer.pk
    assert body["status"] == "ACTIVE"
    assert body["name"] == "L’Étranger"
    assert body["location"] == {"type": "physical", "venueId": partner_venue.pk}
    assert body["categoryRelatedFields"] == {
        "category": "LIVRE_PAPIER",
        "author": "Camus",
        "ean": BOOK_EAN,
    }
    assert body["accessibility"]["mentalDisabilityCompliant"] is True
    assert body["accessibility"]["audioDisabilityCompliant"] is False
    assert body["stock"] == {
        "price": 850,
        "quantity": 5,
        "bookedQuantity": 0,
        "bookingLimitDatetime": None,
    }
    assert body["idAtProvider"] == "livre-42"
    assert body["image"] is None
    assert body["publicationDatetime"].endswith("Z")
    assert offer.validation == Validation.APPROVED
    assert (offer.mental_accessible, offer.hearing_accessible) == (True, False)
    assert offer.id_at_provider == "livre-42"
    actions = set(
        AuditEntry.objects.filter(actor=provider.service_user).values_list("action", flat=True)
    )
    assert {"offer.created", "stock.saved", "offer.submitted"} <= actions


def test_create_with_image_unlimited_stock_and_booking_limit(db, partner, partner_venue):
    limit = (clock.now() + dt.timedelta(days=20)).replace(microsecond=0)
    body = book_body(
        partner_venue.pk,
        image={"file": png_base64(), "credit": "Gallimard"},
        stock={"price": 0, "quantity": "unlimited", "bookingLimitDatetime": limit.isoformat()},
    )
    response = partner.post(PRODUCTS, body)
    assert response.status_code == 201, response.content
    out = response.json()
    validate_response(PRODUCTS, "POST", 201, out)
    assert out["stock"]["quantity"] == "unlimited"
    assert out["stock"]["price"] == 0
    assert out["stock"]["bookingLimitDatetime"] == limit.astimezone(dt.UTC).isoformat().replace(
        "+00:00", "Z"
    )
    assert out["image"]["credit"] == "Gallimard"
    assert out["image"]["url"].startswith("http://testserver/media/offers/")


def test_without_stock_it_stays_a_draft_until_a_stock_arrives(db, partner, partner_venue):
    body = book_body(partner_venue.pk)
    del body["stock"]
    created = partner.post(PRODUCTS, body).json()
    assert created["status"] == "DRAFT"
    assert created["stock"] is None
    response = partner.patch(PRODUCTS, {"offerId": created["id"], "stock": {"price": 700}})
    assert response.status_code == 200, response.content
    validate_response(PRODUCTS, "PATCH", 200, response.json())
    assert response.json()["status"] == "ACTIVE"
    assert response.json()["stock"]["quantity"] == "unlimited"


def test_null_publication_keeps_a_draft_future_one_schedules(db, partner, partner_venue):
    draft = partner.post(PRODUCTS, book_body(partner_venue.pk, publicationDatetime=None)).json()
    assert draft["status"] == "DRAFT"
    assert draft["publicationDatetime"] is None
    later = partner.post(
        PRODUCTS,
        book_body(partner_venue.pk, idAtProvider="livre-43", publicationDatetime=future()),
    ).json()
    assert later["status"] == "SCHEDULED"
    past = partner.post(
        PRODUCTS,
        book_body(partner_venue.pk, idAtProvider="x", publicationDatetime="2020-01-01T00:00:00Z"),
    )
    assert past.status_code == 400
    assert past.json()["code"] == "domain_error"
    assert "publicationDatetime" in past.json()


def test_review_rules_apply_to_api_offers(db, partner, partner_venue):
    ReviewRule.objects.create(name="Chers", price_above=500)
    body = partner.post(PRODUCTS, book_body(partner_venue.pk)).json()
    assert body["status"] == "PENDING"


def test_digital_product_on_a_digital_venue(db, partner, provider, offerer):
    from tests.offers.factories import make_virtual_venue
    from tests.providers.factories import link

    virtual = make_virtual_venue(offerer)
    link(provider, virtual)
    body = book_body(
        virtual.pk,
        location={"type": "digital", "venueId": virtual.pk, "url": "https://ebooks.example/1"},
        categoryRelatedFields={"category": "LIVRE_NUMERIQUE", "ean": BOOK_EAN},
    )
    response = partner.post(PRODUCTS, body)
    assert response.status_code == 201, response.content
    validate_response(PRODUCTS, "POST", 201, response.json())
    assert response.json()["location"] == {
        "type": "digital",
        "venueId": virtual.pk,
        "url": "https://ebooks.example/1",
    }


def test_product_at_another_address(db, partner, partner_venue):
    address = partner.post(
        "/public/offers/v1/addresses",
        {"street": "2 rue Neuve", "city": "Lyon", "postalCode": "69001"},
    ).json()
    location = {"type": "address", "venueId": partner_venue.pk, "addressId": address["id"]}
    body = book_body(partner_venue.pk, location=location)
    response = partner.post(PRODUCTS, body)
    assert response.status_code == 201, response.content
    out = response.json()
    validate_response(PRODUCTS, "POST", 201, out)
    assert out["location"]["type"] == "address"
    # Listing by the address the partner created finds the offer (it keeps its own copy).
    listed = partner.get(PRODUCTS, {"addressId": address["id"]}).json()["products"]
    assert [p["id"] for p in listed] == [out["id"]]
    assert partner.get(PRODUCTS, {"addressId": address["id"] + 999}).json() == {"products": []}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"stock": {"price": 30_001}}, 422, None),
        ({"stock": {"price": 100, "quantity": 0}}, 422, None),
        ({"name": "x" * 91}, 422, None),
        ({"unknownField": 1}, 422, None),
        ({"categoryRelatedFields": {"category": "CONCERT", "musicType": "ROCK"}}, 400, None),
        ({"categoryRelatedFields": {"category": "NOPE"}}, 400, None),
        (
            {"categoryRelatedFields": {"category": "LIVRE_PAPIER", "ean": "9782070360025"}},
            400,
            "invalid_extra_data",
        ),
        ({"enableDoubleBookings": True}, 400, "duo_not_allowed"),
        ({"image": {"file": "pas une image"}}, 400, None),
        ({"image": {"file": base64.b64encode(b"GIF89a").decode()}}, 400, "invalid_image"),
    ],
)
def test_invalid_creations_change_nothing(db, partner, partner_venue, change, status, code):
    before = db_state()
    response = partner.post(PRODUCTS, book_body(partner_venue.pk, **change))
    assert response.status_code == status, response.content
    if status == 422:
        validate_response(PRODUCTS, "POST", 422, response.json())
    elif code:
        assert response.json()["code"] == code
    assert db_state() == before


def test_error_field_names_the_body_field(db, partner, partner_venue):
    bad_ean = {"category": "LIVRE_PAPIER", "ean": "9782070360025"}
    body = partner.post(PRODUCTS, book_body(partner_venue.pk, categoryRelatedFields=bad_ean))
    assert "categoryRelatedFields.ean" in body.json()
    event = {"category": "CONCERT", "musicType": "ROCK"}
    body = partner.post(PRODUCTS, book_body(partner_venue.pk, categoryRelatedFields=event))
    assert "n’est pas un produit" in body.json()["message"]


def test_outsider_venue_is_404_and_creates_nothing(db, partner, outsider_venue):
    before = db_state()
    response = partner.post(PRODUCTS, book_body(outsider_venue.pk))
    assert response.status_code == 404
    assert db_state() == before


def test_id_at_provider_is_unique_per_venue(db, partner, partner_venue):
    assert partner.post(PRODUCTS, book_body(partner_venue.pk)).status_code == 201
    before = db_state()
    again = partner.post(PRODUCTS, book_body(partner_venue.pk))
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate_id_at_provider"
    assert db_state() == before


# --- read -----------------------------------------------------------------------------------


def test_get_product(db, partner, partner_venue, outsider_venue):
    created = partner.post(PRODUCTS, book_body(partner_venue.pk)).json()
    response = partner.get(ONE.format(product_id=created["id"]))
    assert response.status_code == 200
    validate_response(ONE, "GET", 200, response.json())
    assert response.json() == created
    outsider = make_thing_offer(outsider_venue)
    assert partner.get(ONE.format(product_id=outsider.pk)).status_code == 404
    event = make_offer(partner_venue)
    assert partner.get(ONE.format(product_id=event.pk)).status_code == 404
    assert partner.get(ONE.format(product_id=999_999)).status_code == 404


def test_list_pages_filters_and_scope(db, partner, partner_venue, outsider_venue):
    offers = [make_thing_offer(partner_venue, name=f"Carte {i}") for i in range(5)]
    for offer in offers:
        make_stock(offer, price=1000, quantity=10, booked=2)
    Offer.objects.filter(pk=offers[1].pk).update(id_at_provider="a")
    Offer.objects.filter(pk=offers[3].pk).update(id_at_provider="b")
    make_offer(partner_venue)  # an event: not a product
    make_thing_offer(partner_venue, archived_at=clock.now())
    make_thing_offer(outsider_venue)
    response = partner.get(PRODUCTS)
    assert response.status_code == 200
    body = response.json()
    validate_response(PRODUCTS, "GET", 200, body)
    assert [p["id"] for p in body["products"]] == [o.pk for o in offers]
    assert body["products"][0]["stock"]["bookedQuantity"] == 2
    assert body["products"][0]["status"] == "DRAFT"
    page = partner.get(PRODUCTS, {"limit": 2, "firstIndex": offers[2].pk}).json()
    assert [p["id"] for p in page["products"]] == [offers[2].pk, offers[3].pk]
    by_ids = partner.get(PRODUCTS, {"idsAtProvider": "b,a,zz"}).json()
    assert [p["id"] for p in by_ids["products"]] == [offers[1].pk, offers[3].pk]
    by_venue = partner.get(PRODUCTS, {"venueId": partner_venue.pk}).json()
    assert len(by_venue["products"]) == 5
    assert partner.get(PRODUCTS, {"venueId": outsider_venue.pk}).status_code == 404
    assert partner.get(PRODUCTS, {"limit": 51}).status_code == 422
    assert partner.get(PRODUCTS, {"firstIndex": 0}).status_code == 422
    too_many = ",".join(str(i) for i in range(101))
    assert partner.get(PRODUCTS, {"idsAtProvider": too_many}).status_code == 400


def test_list_query_count_does_not_grow(db, partner, partner_venue, django_assert_num_queries):
    def add(n: int) -> None:
        for _ in range(n):
            offer = make_thing_offer(partner_venue, image="offers/x.jpg")
            make_stock(offer, price=500)

    add(2)
    partner.get(PRODUCTS)  # warm up: key touch
    with django_assert_num_queries(3):  # key, offers (annotated, joined), their stocks
        assert len(partner.get(PRODUCTS).json()["products"]) == 2
    add(10)
    with django_assert_num_queries(3):
        assert len(partner.get(PRODUCTS).json()["products"]) == 12


# --- edit -----------------------------------------------------------------------------------


def test_patch_changes_only_what_is_named(db, partner, partner_venue, provider):
    created = partner.post(PRODUCTS, book_body(partner_venue.pk)).json()
    response = partner.patch(
        PRODUCTS,
        {
            "offerId": created["id"],
            "description": None,
            "accessibility": {"audioDisabilityCompliant": True},
            "categoryRelatedFields": {"category": "LIVRE_PAPIER", "author": "Albert Camus"},
            "stock": {"quantity": 8},
            "idAtProvider": "livre-42-bis",
            "itemCollectionDetails": "Au comptoir",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(PRODUCTS, "PATCH", 200, body)
    assert body["name"] == "L’Étranger"
    assert body["description"] is None
    assert body["accessibility"]["audioDisabilityCompliant"] is True
    assert body["accessibility"]["motorDisabilityCompliant"] is True
    assert body["categoryRelatedFields"] == {
        "category": "LIVRE_PAPIER",
        "author": "Albert Camus",
        "ean": BOOK_EAN,
    }
    assert body["stock"]["price"] == 850 and body["stock"]["quantity"] == 8
    assert body["idAtProvider"] == "livre-42-bis"
    assert body["itemCollectionDetails"] == "Au comptoir"
    assert body["status"] == "ACTIVE"
    deactivated = partner.patch(PRODUCTS, {"offerId": created["id"], "isActive": False}).json()
    assert deactivated["status"] == "INACTIVE"


def test_patch_refusals_change_nothing(db, partner, partner_venue, outsider_venue):
    created = partner.post(PRODUCTS, book_body(partner_venue.pk)).json()
    Stock.objects.filter(offer_id=created["id"]).update(booked_quantity=4)
    cases = [
        ({"stock": {"quantity": 3}}, 400, "quantity_below_booked"),
        ({"stock": {"price": 40_000}}, 422, None),
        ({"stock": None}, 400, "domain_error"),
        ({"name": "Nouveau", "publicationDatetime": None}, 400, "domain_error"),
        ({"name": "x" * 100}, 400, "name_required"),
        ({"categoryRelatedFields": {"category": "SEANCE_CINE"}}, 400, "domain_error"),
        ({"location": {"type": "physical", "venueId": outsider_venue.pk}}, 404, "not_found"),
    ]
    for change, status, code in cases:
        before = db_state()
        response = partner.patch(PRODUCTS, {"offerId": created["id"], **change})
        assert response.status_code == status, (change, response.content)
        if code:
            assert response.json()["code"] == code, change
        assert db_state() == before, change


def test_patch_outsider_or_event_offer_is_404(db, partner, partner_venue, outsider_venue):
    outsider = make_thing_offer(outsider_venue)
    event = make_offer(partner_venue)
    make_stock(event, category=make_price_category(event), beginning=clock.now())
    for offer in (outsider, event):
        before = db_state()
        response = partner.patch(PRODUCTS, {"offerId": offer.pk, "name": "Piraté"})
        assert response.status_code == 404
        assert db_state() == before


def test_patch_moves_a_draft_to_another_address(db, partner, partner_venue):
    body = book_body(partner_venue.pk, publicationDatetime=None)
    created = partner.post(PRODUCTS, body).json()
    address = Address.objects.create(
        street="1 quai Rambaud",
        postal_code="69002",
        city="Lyon",
        department_code="69",
        latitude="45.74000",
        longitude="4.81800",
    )
    location = {
        "type": "address",
        "venueId": partner_venue.pk,
        "addressId": address.pk,
        "addressLabel": "La Sucrière",
    }
    response = partner.patch(PRODUCTS, {"offerId": created["id"], "location": location})
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["location"]["type"] == "address"
    assert out["location"]["addressLabel"] == "La Sucrière"
    assert out["status"] == "DRAFT"
