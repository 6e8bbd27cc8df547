"""One partner's day through the API, every answer checked against the REFERENCE's own
response schema (jsonschema): provider, venues, addresses, attributes, events, price
categories, dates, products, bookings, collective offers and bookings, reference lists.
A response our code shapes differently from pass Culture's breaks this test."""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache

from passculture.bookings.services import book_offer
from passculture.core import clock
from passculture.offerers.models import ValidationStatus
from tests.api.public.reference import validate_response
from tests.bookings.factories import give_deposit, make_youth
from tests.collective.factories import NOW, make_budget, make_school

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _world(settings, tmp_path, offerer):
    settings.MEDIA_ROOT = tmp_path
    settings.PARTNER_SANDBOX_ENABLED = True
    offerer.validation_status = ValidationStatus.VALIDATED
    offerer.save()
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


class Flow:
    """Calls the API and validates each answer against the reference operation."""

    def __init__(self, partner: Any) -> None:
        self.partner = partner
        self.checked: list[str] = []

    def __call__(self, method: str, template: str, body: Any = None, *, status: int = 200,
                 params: dict[str, Any] | None = None, **path: Any) -> Any:  # fmt: skip
        url = template.format(**path)
        if method == "GET":
            response = self.partner.get(url, params)
        elif method == "DELETE":
            response = self.partner.delete(url)
        else:
            response = getattr(self.partner, method.lower())(url, body)
        assert response.status_code == status, (method, url, response.content[:500])
        payload = response.json() if response.content else None
        validate_response(template, method, status, payload)
        self.checked.append(f"{method} {template}")
        return payload


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_scripted_partner_flow_matches_the_reference(partner, partner_venue):
    api = Flow(partner)
    venue_id = partner_venue.pk

    api("GET", "/public/providers/v1/provider")
    api("PATCH", "/public/providers/v1/provider", {"notificationUrl": "https://hooks.example/p"})
    api("PATCH", "/public/providers/v1/venues/{venue_id}", {"bookingUrl": None},
        status=204, venue_id=venue_id)  # fmt: skip
    venues = api("GET", "/public/offers/v1/offerer_venues")
    assert venues[0]["venues"][0]["id"] == venue_id
    api("GET", "/public/offers/v1/venues/{siret}", siret=partner_venue.siret)

    address = api("POST", "/public/offers/v1/addresses", {
        "street": "6 rue Cavé", "city": "Paris", "postalCode": "75018",
        "latitude": 48.8867, "longitude": 2.3549})  # fmt: skip
    api("GET", "/public/offers/v1/addresses/{address_id}", address_id=address["id"])
    found = api("GET", "/public/offers/v1/addresses/search",
                params={"street": "6 rue Cavé", "city": "Paris", "postalCode": "75018"})  # fmt: skip
    assert address["id"] in [a["id"] for a in found["addresses"]]

    for path in ("/public/offers/v1/events/categories", "/public/offers/v1/products/categories",
                 "/public/offers/v1/show_types", "/public/offers/v1/music_types",
                 "/public/offers/v1/music_types/all", "/public/offers/v1/music_types/event"):  # fmt: skip
        api("GET", path)

    event = api("POST", "/public/offers/v1/events", {
        "location": {"type": "address", "venueId": venue_id, "addressId": address["id"]},
        "categoryRelatedFields": {"category": "CONCERT", "musicType": "JAZZ-FUSION"},
        "accessibility": {"audioDisabilityCompliant": True, "mentalDisabilityCompliant": True,
                          "motorDisabilityCompliant": True, "visualDisabilityCompliant": False},
        "name": "Nuit du jazz", "hasTicket": False, "bookingEmail": "jazz@echangeur.fr",
        "priceCategories": [{"label": "Fosse", "price": 1500}, {"label": "Balcon", "price": 900}],
        "publicationDatetime": "now",
    })  # fmt: skip
    event_id = event["id"]
    assert event["location"]["addressId"] == address["id"]
    api("GET", "/public/offers/v1/events", params={"venueId": venue_id})
    api("GET", "/public/offers/v1/events/{event_id}", event_id=event_id)
    api("PATCH", "/public/offers/v1/events/{event_id}", {"description": "Trois groupes."},
        event_id=event_id)  # fmt: skip

    categories = api("GET", "/public/offers/v1/events/{event_id}/price_categories",
                     event_id=event_id)["priceCategories"]  # fmt: skip
    added = api("POST", "/public/offers/v1/events/{event_id}/price_categories",
                {"priceCategories": [{"label": "Carré or", "price": 2500}]},
                event_id=event_id)["priceCategories"][0]  # fmt: skip
    api("PATCH", "/public/offers/v1/events/{event_id}/price_categories/{price_category_id}",
        {"price": 2400}, event_id=event_id, price_category_id=added["id"])  # fmt: skip

    start = NOW + dt.timedelta(days=1)
    dates = [
        {"beginningDatetime": iso(start + dt.timedelta(days=day)),
         "bookingLimitDatetime": iso(start + dt.timedelta(days=day, hours=-2)),
         "priceCategoryId": category["id"], "quantity": 40}
        for day in range(10) for category in categories
    ]  # fmt: skip
    created = api("POST", "/public/offers/v1/events/{event_id}/dates", {"dates": dates},
                  event_id=event_id)["dates"]  # fmt: skip
    assert len(created) == 20
    api("GET", "/public/offers/v1/events/{event_id}/dates", event_id=event_id)
    last = max(created, key=lambda d: (d["beginningDatetime"], d["id"]))
    api("PATCH", "/public/offers/v1/events/{event_id}/dates/{stock_id}", {"quantity": 30},
        event_id=event_id, stock_id=last["id"])  # fmt: skip
    api("DELETE", "/public/offers/v1/events/{event_id}/dates/{stock_id}", status=204,
        event_id=event_id, stock_id=last["id"])  # fmt: skip

    product = api("POST", "/public/offers/v1/products", {
        "location": {"type": "physical", "venueId": venue_id},
        "name": "L’Étranger",
        "categoryRelatedFields": {"category": "LIVRE_PAPIER", "author": "Camus",
                                  "ean": "9782070360024"},
        "accessibility": {"audioDisabilityCompliant": False, "mentalDisabilityCompliant": True,
                          "motorDisabilityCompliant": True, "visualDisabilityCompliant": False},
        "stock": {"price": 850, "quantity": 5},
    }, status=201)  # fmt: skip
    api("GET", "/public/offers/v1/products", params={"venueId": venue_id})
    api("GET", "/public/offers/v1/products/{product_id}", product_id=product["id"])
    api(
        "PATCH",
        "/public/offers/v1/products",
        {"offerId": product["id"], "name": "L’Étranger (poche)"},
    )
    api("GET", "/public/offers/v1/products/ean",
        params={"eans": "9782070360024", "venueId": venue_id})  # fmt: skip
    api("GET", "/public/offers/v1/products/ean/check_availability",
        params={"eans": "9782070360024"})  # fmt: skip

    youth = make_youth("zoe.lefevre@exemple.fr", first_name="Zoé", last_name="Lefèvre-Nguyễn")
    give_deposit(youth, 15_000)
    first = min(created, key=lambda d: (d["beginningDatetime"], d["id"]))
    booking = book_offer(user=youth, stock_id=first["id"])
    listed = api("GET", "/public/bookings/v1/bookings", params={"offerId": event_id})
    assert listed["bookings"][0]["userLastName"] == "Lefèvre-Nguyễn"
    api("GET", "/public/bookings/v1/token/{token}", token=booking.token)
    api("PATCH", "/public/bookings/v1/use/token/{token}", status=204, token=booking.token)
    api("PATCH", "/public/bookings/v1/keep/token/{token}", status=204, token=booking.token)
    api("PATCH", "/public/bookings/v1/cancel/token/{token}", status=204, token=booking.token)

    for path in ("/v2/collective/educational-domains", "/v2/collective/student-levels",
                 "/v2/collective/national-programs/"):  # fmt: skip
        api("GET", path)
    # The reference documents no success body for the formats list: checked for 200 only.
    assert partner.get("/v2/collective/offers/formats").status_code == 200
    school = make_school(uai="0690103M", name="Collège Jean Moulin")
    make_budget(school)
    api("GET", "/v2/collective/educational-institutions/", params={"uai": "0690103M"})
    collective = api("POST", "/v2/collective/offers/", {
        "venueId": venue_id, "name": "Atelier d’écriture théâtrale",
        "description": "Deux heures d’écriture et de jeu.", "formats": ["Atelier de pratique"],
        "bookingEmails": ["scolaires@echangeur.fr"], "contactEmail": "contact@echangeur.fr",
        "contactPhone": "04 78 00 00 00", "domains": [1], "students": ["COLLEGE4"],
        "startDatetime": "2027-03-15T10:00:00+01:00", "endDatetime": "2027-03-15T12:00:00+01:00",
        "bookingLimitDatetime": "2027-03-01T18:00:00+01:00", "totalPrice": 300,
        "numberOfTickets": 28, "educationalPriceDetail": "Transport non compris.",
        "educationalInstitutionId": school.pk, "location": {"type": "SCHOOL"},
    }, status=201)  # fmt: skip
    api("GET", "/v2/collective/offers/", params={"venueId": venue_id})
    api("PATCH", "/v2/collective/offers/{offer_id}", {"numberOfTickets": 30},
        offer_id=collective["id"])  # fmt: skip
    mock = "/v2/collective/adage_mock"
    booked = api("POST", mock + "/offer/{offer_id}/book", offer_id=collective["id"])
    booking_id = booked["bookingId"]
    api("POST", mock + "/bookings/{booking_id}/confirm", status=204, booking_id=booking_id)
    api("GET", "/v2/collective/offers/{offer_id}", offer_id=collective["id"])
    api("PATCH", "/v2/collective/bookings/{booking_id}", status=204, booking_id=booking_id)
    api("POST", mock + "/bookings/{booking_id}/pending", status=204, booking_id=booking_id)
    api("POST", mock + "/bookings/{booking_id}/cancel", status=204, booking_id=booking_id)
    api("POST", "/v2/collective/offers/archive", {"ids": [collective["id"]]}, status=204)

    assert len(set(api.checked)) >= 45  # the flow really walked the API
