"""Access, over every partner endpoint that names a venue, offer, date, booking or
collective object: a key never reads or changes another structure's data. Each call
aimed at a venue NOT linked to the key's provider is a 404 (a list filtered on it is a
404 or shows none of it), its body leaks nothing, and nothing changes anywhere."""

import io

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult
from PIL import Image

from passculture.bookings.models import Booking
from passculture.bookings.services import book_offer
from passculture.collective.models import CollectiveBookingStatus
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.offerers.models import ValidationStatus
from passculture.offers.models import Offer, Stock
from passculture.providers.models import WebhookDelivery
from tests.bookings.factories import NOW, give_deposit, make_bookable_offer, make_youth
from tests.collective import factories as cf

pytestmark = pytest.mark.django_db
SECRET_NAME = "Spectacle confidentiel"
EAN = "9782070360024"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PARTNER_SANDBOX_ENABLED = True
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


@pytest.fixture
def world(outsider_venue, partner):
    """Everything another structure has: an event with its date, price category and a
    booking, a book, a collective offer with a booking."""
    offerer = outsider_venue.offerer
    offerer.validation_status = ValidationStatus.VALIDATED
    offerer.save()
    stock = make_bookable_offer(outsider_venue, name=SECRET_NAME)
    youth = make_youth("voisin@exemple.fr")
    give_deposit(youth)
    booking = book_offer(user=youth, stock_id=stock.pk)
    thing = make_bookable_offer(
        outsider_venue, subcategory_id="LIVRE_PAPIER", name=SECRET_NAME, extra_data={"ean": EAN}
    ).offer
    school = cf.make_school(uai="0690103M")
    cf.make_budget(school)
    collective = cf.make_offer(outsider_venue, name=SECRET_NAME, target_school=school)
    cbooking = cf.make_booking(
        collective, cf.make_member(school), status=CollectiveBookingStatus.CONFIRMED
    )
    return {
        "venue": outsider_venue, "siret": outsider_venue.siret, "siren": offerer.siren,
        "event": stock.offer, "stock": stock, "category": stock.price_category,
        "token": booking.token, "thing": thing, "collective": collective,
        "cbooking": cbooking,
    }  # fmt: skip


def _state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        WebhookDelivery.objects.count(),
        DBTaskResult.objects.count(),
        sorted(Booking.objects.values_list("id", "status")),
        sorted(Stock.objects.values_list("id", "quantity", "is_deleted", "price")),
        sorted(Offer.objects.values_list("id", "name", "is_active", "validation")),
        cf.world_state(),
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 600), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _accessibility() -> dict[str, bool]:
    return {"audioDisabilityCompliant": False, "mentalDisabilityCompliant": False,
            "motorDisabilityCompliant": False, "visualDisabilityCompliant": False}  # fmt: skip


# (method, path template, JSON body or query) — ids come from `world`.
CALLS = [
    ("PATCH", "/public/providers/v1/venues/{venue}", {"notificationUrl": "https://x.example"}),
    ("GET", "/public/offers/v1/venues/{siret}", None),
    ("GET", "/public/offers/v1/events", {"venueId": "{venue}"}),
    ("POST", "/public/offers/v1/events", {
        "location": {"type": "physical", "venueId": "{venue}"}, "name": "Intrus",
        "categoryRelatedFields": {"category": "CONCERT", "musicType": "JAZZ-FUSION"},
        "accessibility": "ACCESSIBILITY", "hasTicket": False}),
    ("GET", "/public/offers/v1/events/{event}", None),
    ("PATCH", "/public/offers/v1/events/{event}", {"name": "Renommé"}),
    ("GET", "/public/offers/v1/events/{event}/price_categories", None),
    ("POST", "/public/offers/v1/events/{event}/price_categories",
     {"priceCategories": [{"label": "Intrus", "price": 100}]}),
    ("PATCH", "/public/offers/v1/events/{event}/price_categories/{category}", {"price": 1}),
    ("GET", "/public/offers/v1/events/{event}/dates", None),
    ("POST", "/public/offers/v1/events/{event}/dates", {"dates": [{
        "beginningDatetime": "2027-02-01T19:00:00Z", "bookingLimitDatetime": "2027-02-01T18:00:00Z",
        "priceCategoryId": "{category}", "quantity": 10}]}),
    ("PATCH", "/public/offers/v1/events/{event}/dates/{stock}", {"quantity": 1}),
    ("DELETE", "/public/offers/v1/events/{event}/dates/{stock}", None),
    ("GET", "/public/offers/v1/products", {"venueId": "{venue}"}),
    ("POST", "/public/offers/v1/products", {
        "location": {"type": "physical", "venueId": "{venue}"}, "name": "Intrus",
        "categoryRelatedFields": {"category": "SUPPORT_PHYSIQUE_FILM", "ean": EAN},
        "accessibility": "ACCESSIBILITY", "stock": {"price": 100, "quantity": 1}}),
    ("PATCH", "/public/offers/v1/products", {"offerId": "{thing}", "name": "Renommé"}),
    ("GET", "/public/offers/v1/products/{thing}", None),
    ("GET", "/public/offers/v1/products/ean", {"venueId": "{venue}", "eans": EAN}),
    ("POST", "/public/offers/v1/products/ean", {
        "location": {"type": "physical", "venueId": "{venue}"},
        "products": [{"ean": EAN, "stock": {"price": 100, "quantity": 1}}]}),
    ("POST", "/public/offers/v1/{event}/image", "IMAGE"),
    ("GET", "/public/bookings/v1/bookings", {"offerId": "{event}"}),
    ("GET", "/public/bookings/v1/token/{token}", None),
    ("PATCH", "/public/bookings/v1/use/token/{token}", None),
    ("PATCH", "/public/bookings/v1/keep/token/{token}", None),
    ("PATCH", "/public/bookings/v1/cancel/token/{token}", None),
    ("GET", "/v2/collective/offers/", {"venueId": "{venue}"}),
    ("POST", "/v2/collective/offers/", {
        "venueId": "{venue}", "name": "Intrus", "description": "Intrus", "formats": ["Atelier de pratique"],
        "bookingEmails": ["a@b.fr"], "contactEmail": "a@b.fr", "contactPhone": "0478000000",
        "domains": [1], "students": ["COLLEGE4"], "startDatetime": "2027-03-15T10:00:00Z",
        "endDatetime": "2027-03-15T12:00:00Z", "bookingLimitDatetime": "2027-03-01T10:00:00Z",
        "totalPrice": 100, "numberOfTickets": 10, "location": {"type": "SCHOOL"}}),
    ("GET", "/v2/collective/offers/{collective}", None),
    ("PATCH", "/v2/collective/offers/{collective}", {"numberOfTickets": 1}),
    ("POST", "/v2/collective/offers/archive", {"ids": ["{collective}"]}),
    ("PATCH", "/v2/collective/bookings/{cbooking}", None),
    ("POST", "/v2/collective/bookings/{cbooking}/use", None),
    ("POST", "/v2/collective/adage_mock/offer/{collective}/book", None),
    ("POST", "/v2/collective/adage_mock/bookings/{cbooking}/confirm", None),
    ("POST", "/v2/collective/adage_mock/bookings/{cbooking}/cancel", None),
    ("POST", "/v2/collective/adage_mock/bookings/{cbooking}/pending", None),
    ("POST", "/v2/collective/adage_mock/bookings/{cbooking}/reimburse", None),
]  # fmt: skip


def _fill(value, ids):
    if isinstance(value, str):
        if value == "ACCESSIBILITY":
            return _accessibility()
        for name, real in ids.items():
            if value == "{" + name + "}":
                return real  # a whole-value placeholder keeps the id an integer
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "template", "body"), CALLS, ids=[f"{m} {t}" for m, t, _ in CALLS]
)
def test_another_structures_data_is_out_of_reach(partner, world, method, template, body):
    ids = {
        "venue": world["venue"].pk, "siret": world["siret"], "event": world["event"].pk,
        "category": world["category"].pk, "stock": world["stock"].pk, "token": world["token"],
        "thing": world["thing"].pk, "collective": world["collective"].pk,
        "cbooking": world["cbooking"].pk,
    }  # fmt: skip
    url = template.format(**ids)
    before = _state()
    if body == "IMAGE":
        response = partner.client.post(
            url,
            {"file": io.BytesIO(_png())},
            headers={"Authorization": f"Bearer {partner.key}"},
        )
    elif method == "GET":
        response = partner.get(url, _fill(body, ids) if body else None)
    elif method == "DELETE":
        response = partner.delete(url)
    else:
        response = getattr(partner, method.lower())(url, _fill(body, ids))
    content = response.content.decode()
    # A list filtered on the other venue may answer 200 with none of its items (checked
    # below by the names); everything else is a 404.
    if not (method == "GET" and body and response.status_code == 200):
        assert response.status_code == 404, (response.status_code, content[:300])
    assert SECRET_NAME not in content
    assert world["siret"] not in content
    assert _state() == before


def test_offerer_venues_never_lists_another_structure(partner, world, partner_venue):
    response = partner.get("/public/offers/v1/offerer_venues", {"siren": world["siren"]})
    assert response.status_code in (200, 404)
    assert world["siret"] not in response.content.decode()
    everything = partner.get("/public/offers/v1/offerer_venues").json()
    listed = [venue["id"] for group in everything for venue in group["venues"]]
    assert listed == [partner_venue.pk]
