"""Shared ground of the event, price-category and date tests (no tests here).

"Now" is frozen at tests.offers.factories.NOW (Monday 4 January 2027, 09:00 Paris).
"""

import base64
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from passculture.core import clock
from passculture.offerers.models import Address, Venue
from passculture.offers.models import Offer, PriceCategory, Stock
from tests.offers.factories import NOW, paris

EVENTS = "/public/offers/v1/events"


@pytest.fixture(autouse=True)
def frozen_now():
    cache.clear()  # rate-limit counters of earlier tests
    with clock.frozen_at(NOW):
        yield NOW
    cache.clear()


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def png_base64(width: int = 400, height: int = 600) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color=(30, 90, 160)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def accessibility(value: bool = False) -> dict[str, bool]:
    return {
        "audioDisabilityCompliant": value,
        "mentalDisabilityCompliant": value,
        "motorDisabilityCompliant": True,
        "visualDisabilityCompliant": value,
    }


def event_body(venue: Venue, **overrides: Any) -> dict[str, Any]:
    """A valid theatre show at the venue, with two tariffs."""
    body: dict[str, Any] = {
        "location": {"type": "physical", "venueId": venue.pk},
        "categoryRelatedFields": {
            "category": "SPECTACLE_REPRESENTATION",
            "showType": "THEATRE-CLASSIQUE",
            "author": "Molière",
        },
        "accessibility": accessibility(),
        "name": "Le Misanthrope",
        "description": "Comédie de Molière.",
        "hasTicket": False,
        "eventDuration": 120,
        "bookingEmail": "billetterie@echangeur.fr",
        "idAtProvider": "evt-1",
        "priceCategories": [
            {"label": "Plein tarif", "price": 2500, "idAtProvider": "pc-plein"},
            {"label": "Tarif réduit", "price": 1200},
        ],
    }
    body.update(overrides)
    return body


def make_address(**overrides: Any) -> Address:
    """Another place, as the addresses endpoint would have stored it."""
    values: dict[str, Any] = {
        "label": "Zénith de Paris",
        "street": "211 avenue Jean Jaurès",
        "postal_code": "75019",
        "city": "Paris",
        "department_code": "75",
        "latitude": Decimal("48.89400"),
        "longitude": Decimal("2.39300"),
    }
    values.update(overrides)
    return Address.objects.create(**values)


def date_items(categories: list[int], days: int, start: dt.datetime | None = None) -> list[dict]:
    """`days` evenings at 20:30 Paris from 10 January 2027, one stock per tariff each."""
    first = start or paris(2027, 1, 10, 20, 30)
    items = []
    for day in range(days):
        beginning = first + dt.timedelta(days=day)
        for n, category in enumerate(categories):
            items.append(
                {
                    "beginningDatetime": iso(beginning),
                    "bookingLimitDatetime": iso(beginning - dt.timedelta(hours=2)),
                    "priceCategoryId": category,
                    "quantity": 50 if n == 0 else "unlimited",
                    "idAtProvider": f"d{day}-{n}",
                }
            )
    return items


def counts() -> tuple[int, int, int]:
    return Offer.objects.count(), PriceCategory.objects.count(), Stock.objects.count()
