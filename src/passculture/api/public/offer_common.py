"""Pieces shared by the event and product endpoints: accessibility, location, image,
price categories, category-related fields, status — named and typed as the reference."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, Discriminator, Tag, model_validator

from passculture.api.public import scope
from passculture.core.errors import DomainError
from passculture.offerers.models import Address, Venue
from passculture.offers import catalogue, selectors
from passculture.offers.models import Offer, PriceCategory
from passculture.offers.services import AddressData

# --- accessibility -------------------------------------------------------------------


class Accessibility(Schema):
    audioDisabilityCompliant: bool
    mentalDisabilityCompliant: bool
    motorDisabilityCompliant: bool
    visualDisabilityCompliant: bool


class PartialAccessibility(Schema):
    audioDisabilityCompliant: bool | None = None
    mentalDisabilityCompliant: bool | None = None
    motorDisabilityCompliant: bool | None = None
    visualDisabilityCompliant: bool | None = None


class AccessibilityResponse(PartialAccessibility):
    pass


ACCESSIBILITY_FIELDS = {
    "audioDisabilityCompliant": "hearing_accessible",
    "mentalDisabilityCompliant": "mental_accessible",
    "motorDisabilityCompliant": "motor_accessible",
    "visualDisabilityCompliant": "visual_accessible",
}


def accessibility_values(given: Accessibility | PartialAccessibility | None) -> dict[str, bool]:
    """Model field → value for the keys the client set (None means "unchanged")."""
    if given is None:
        return {}
    return {
        ACCESSIBILITY_FIELDS[name]: value
        for name, value in given.model_dump(exclude_unset=True).items()
        if value is not None
    }


def accessibility_out(offer: Offer) -> AccessibilityResponse:
    return AccessibilityResponse(
        **{api: getattr(offer, field) for api, field in ACCESSIBILITY_FIELDS.items()}
    )


# --- location ------------------------------------------------------------------------


class PhysicalLocation(Schema):
    type: Literal["physical"] = "physical"
    venueId: int


class DigitalLocation(Schema):
    type: Literal["digital"] = "digital"
    venueId: int
    url: str = Field(..., min_length=1, max_length=2083)


class AddressLocation(Schema):
    type: Literal["address"] = "address"
    venueId: int
    addressId: int
    addressLabel: str | None = Field(None, min_length=1, max_length=200)


def _location_tag(value: Any) -> str:
    # `type` has a default in the reference, so clients may omit it: infer from the keys.
    data = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    if data.get("type") in ("physical", "digital", "address"):
        return str(data["type"])
    if "addressId" in data:
        return "address"
    return "digital" if "url" in data else "physical"


Location = Annotated[
    Annotated[PhysicalLocation, Tag("physical")]
    | Annotated[DigitalLocation, Tag("digital")]
    | Annotated[AddressLocation, Tag("address")],
    Discriminator(_location_tag),
]


def address_data(address: Address, label: str | None = None) -> AddressData:
    return AddressData(
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        latitude=Decimal(address.latitude),
        longitude=Decimal(address.longitude),
        label=(label if label is not None else address.label)[:140],
    )


def resolve_location(
    request: HttpRequest, location: PhysicalLocation | DigitalLocation | AddressLocation
) -> tuple[Venue, AddressData | None, str]:
    """(venue, other address or None, url) of a location; 404 off the key's venues."""
    venue = scope.venue_or_404(request, location.venueId)
    if isinstance(location, DigitalLocation):
        return venue, None, location.url
    if isinstance(location, AddressLocation):
        address = Address.objects.filter(pk=location.addressId).first()
        if address is None:
            raise Http404(
                "Adresse introuvable : créez-la d’abord (POST /public/offers/v1/addresses)."
            )
        return venue, address_data(address, location.addressLabel), ""
    return venue, None, ""


def location_out(offer: Offer) -> dict[str, Any]:
    if offer.url:
        return {"type": "digital", "venueId": offer.venue_id, "url": offer.url}
    if offer.address_id:
        return {
            "type": "address",
            "venueId": offer.venue_id,
            "addressId": offer.address_id,
            "addressLabel": (offer.address.label or None) if offer.address else None,
        }
    return {"type": "physical", "venueId": offer.venue_id}


# --- image, price categories -----------------------------------------------------------


class ImageBody(Schema):
    file: str
    credit: str | None = None


class ImageResponse(Schema):
    url: str
    credit: str | None = None


def image_out(request: HttpRequest, offer: Offer) -> ImageResponse | None:
    if not offer.image:
        return None
    return ImageResponse(
        url=request.build_absolute_uri(offer.image.url), credit=offer.image_credit or None
    )


class PriceCategoryCreation(Schema):
    label: str = Field(..., min_length=1, max_length=50)
    price: int = Field(..., ge=0, le=30_000)
    idAtProvider: str | None = Field(None, max_length=70)


class PriceCategoryResponse(Schema):
    id: int
    label: str
    price: int
    idAtProvider: str | None = None


def price_category_out(category: PriceCategory) -> PriceCategoryResponse:
    return PriceCategoryResponse(
        id=category.pk,
        label=category.label,
        price=category.price,
        idAtProvider=category.id_at_provider or None,
    )


# --- categories, status, dates ---------------------------------------------------------


def category_fields_in(
    fields: dict[str, Any], *, events: bool | None = None
) -> tuple[str, dict[str, str]]:
    """`{"category": "<subcategory id>", ...fields}` → (subcategory id, extra data)."""
    category = str(fields.get("category", ""))
    try:
        sub = catalogue.get_subcategory(category)
    except DomainError as exc:
        raise DomainError(
            f"Catégorie inconnue : « {category} ».", field="categoryRelatedFields.category"
        ) from exc
    if events is not None and sub.is_event != events:
        kind = "un évènement" if events else "un produit"
        raise DomainError(
            f"La catégorie « {category} » n’est pas {kind}.", field="categoryRelatedFields.category"
        )
    extra = {
        name: str(value)
        for name, value in fields.items()
        if name != "category" and value is not None
    }
    return sub.id, extra


def category_fields_out(offer: Offer) -> dict[str, Any]:
    return {"category": offer.subcategory_id, **(offer.extra_data or {})}


def status_out(offer: Offer, now: dt.datetime | None = None) -> str:
    """The reference's OfferStatus (no ARCHIVED there: archived offers read as INACTIVE)."""
    status = selectors.status_of(offer, now)
    return "INACTIVE" if status == "ARCHIVED" else status


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC; a naive datetime from a client is read as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# --- additions (events, dates) ---------------------------------------------------------


QUANTITY_UNLIMITED: Literal["unlimited"] = "unlimited"
Quantity = int | Literal["unlimited"]


def quantity_in(value: Quantity | None) -> int | None:
    """The reference's quantity ("unlimited" or a number) → our column (None = unlimited)."""
    return None if value is None or value == QUANTITY_UNLIMITED else int(value)


def quantity_out(value: int | None) -> Quantity:
    return QUANTITY_UNLIMITED if value is None else value


@contextmanager
def api_field_names(names: dict[str, str]) -> Iterator[None]:
    """Name a service refusal's field as the API does (`booking_limit_datetime` →
    `bookingLimitDatetime`), so the 400 body points at what the client sent."""
    try:
        yield
    except DomainError as exc:
        if exc.field in names:
            exc.field = names[exc.field]
        raise


def _aware_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError as exc:  # "9999-12-31T23:59:59-14:00" is past year 9999 in UTC
        raise ValueError("Date hors limites.") from exc
    if not 1970 <= value.year <= 2200:
        raise ValueError("Date hors limites (années 1970 à 2200).")
    return value


# A request datetime: offsets accepted, naive read as UTC, converted to aware UTC; absurd
# years are a 422 rather than an overflow deep in date arithmetic.
ApiDatetime = Annotated[dt.datetime, AfterValidator(_aware_utc)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class InputSchema(Schema):
    """A request body or query: refuses NUL characters anywhere (PostgreSQL cannot store
    them in text, which would otherwise surface as a 500)."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data  # ninja's wrapper
        if _has_nul(raw):
            raise ValueError("Caractère nul (\\u0000) interdit.")
        return data
