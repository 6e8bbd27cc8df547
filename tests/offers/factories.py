"""Builders for offer tests: offers, tariffs and stocks written straight to the database.

Services are exercised by the tests themselves; these helpers only lay out the ground
(including states a service would refuse to create, such as past dates or booked seats).
"""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from passculture.core.models import AuditEntry
from passculture.offerers.models import Address, Offerer, Venue, VenueType
from passculture.offers.models import Offer, PriceCategory, PriceCategoryLabel, Stock
from passculture.offers.services import AddressData, OfferData

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
# "Now" for every offer test: Monday 4 January 2027, 09:00 in Paris.
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=PARIS).astimezone(UTC)


def paris(*args: int) -> dt.datetime:
    """A Paris wall-clock time as an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def offer_data(**overrides: object) -> OfferData:
    """A valid theatre show at the venue's own address."""
    values: dict[str, object] = {
        "name": "Le Misanthrope",
        "subcategory_id": "SPECTACLE_REPRESENTATION",
        "description": "Comédie de Molière, mise en scène par Élise Vigneron.",
        "extra_data": {"showType": "THEATRE-CLASSIQUE", "author": "Molière"},
        "withdrawal_type": "on_site",
        "withdrawal_details": "Billets au guichet une heure avant.",
        "booking_email": "billetterie@celestins.fr",
    }
    values.update(overrides)
    return OfferData(**values)  # type: ignore[arg-type]


def address_data(**overrides: object) -> AddressData:
    """Another address: a public garden in Marseille."""
    values: dict[str, object] = {
        "label": "Jardin du Pharo",
        "street": "58 boulevard Charles Livon",
        "postal_code": "13007",
        "city": "Marseille",
        "latitude": Decimal("43.29300"),
        "longitude": Decimal("5.35700"),
    }
    values.update(overrides)
    return AddressData(**values)  # type: ignore[arg-type]


def make_virtual_venue(offerer: Offerer) -> Venue:
    return Venue.objects.create(
        offerer=offerer, name="Offres numériques", is_virtual=True, venue_type=VenueType.DIGITAL
    )


def make_offer(
    venue: Venue,
    *,
    subcategory_id: str = "SPECTACLE_REPRESENTATION",
    name: str = "Le Misanthrope",
    **fields: object,
) -> Offer:
    fields.setdefault(
        "extra_data",
        {"showType": "THEATRE-CLASSIQUE"} if subcategory_id == "SPECTACLE_REPRESENTATION" else {},
    )
    return Offer.objects.create(venue=venue, subcategory_id=subcategory_id, name=name, **fields)


def make_thing_offer(venue: Venue, **fields: object) -> Offer:
    fields.setdefault("name", "Carte jeunes de Lyon")
    return make_offer(venue, subcategory_id="CARTE_JEUNES", **fields)


def make_price_category(
    offer: Offer, label: str = "Plein tarif", price: int = 2500
) -> PriceCategory:
    return PriceCategory.objects.create(offer=offer, label=label, price=price)


def make_stock(
    offer: Offer,
    *,
    beginning: dt.datetime | None = None,
    category: PriceCategory | None = None,
    price: int | None = None,
    quantity: int | None = None,
    booked: int = 0,
    limit: dt.datetime | None = None,
    deleted: bool = False,
) -> Stock:
    return Stock.objects.create(
        offer=offer,
        price_category=category,
        price=price if price is not None else (category.price if category else 1000),
        beginning_datetime=beginning,
        booking_limit_datetime=limit,
        quantity=quantity,
        booked_quantity=booked,
        is_deleted=deleted,
    )


def image_upload(
    width: int, height: int, fmt: str = "PNG", name: str = "affiche.png", mode: str = "RGB"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    color = {"RGB": (200, 30, 60), "RGBA": (200, 30, 60, 100), "L": 128}[mode]
    Image.new(mode, (width, height), color=color).save(buffer, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}.get(fmt, "")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def db_state() -> dict[str, object]:
    """Every row an offer service may touch, to prove a refusal changed nothing."""
    return {
        "offers": list(Offer.objects.order_by("pk").values()),
        "categories": list(PriceCategory.objects.order_by("pk").values()),
        "labels": list(PriceCategoryLabel.objects.order_by("pk").values()),
        "stocks": list(Stock.objects.order_by("pk").values()),
        "addresses": list(Address.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
    }
