"""Event offer payloads and their rendering, named and typed as the reference's schemas."""

import datetime as dt
from typing import Any, Literal

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from pydantic import ConfigDict

from passculture.api.public import scope
from passculture.api.public.offer_common import (
    Accessibility,
    AccessibilityResponse,
    ApiDatetime,
    ImageBody,
    ImageResponse,
    InputSchema,
    Location,
    PartialAccessibility,
    PriceCategoryCreation,
    PriceCategoryResponse,
    accessibility_out,
    category_fields_out,
    image_out,
    location_out,
    price_category_out,
    status_out,
)
from passculture.offerers.models import Address
from passculture.offers import catalogue, selectors
from passculture.offers.models import Offer, WithdrawalType

EVENT_SUBCATEGORY_IDS = [s.id for s in catalogue.SUBCATEGORIES.values() if s.is_event]
# PositiveIntegerField bound; a longer "event" is a client bug, refused as 422.
MAX_DURATION_MINUTES = 100_000

OfferStatus = Literal[
    "DRAFT", "PENDING", "REJECTED", "INACTIVE", "SCHEDULED", "PUBLISHED", "ACTIVE", "SOLD_OUT",
    "EXPIRED",
]  # fmt: skip
PublicationDatetime = ApiDatetime | Literal["now"] | None


class EventOfferCreation(InputSchema):
    model_config = ConfigDict(extra="forbid")

    location: Location
    categoryRelatedFields: dict[str, Any]
    accessibility: Accessibility
    name: str = Field(..., max_length=90)
    hasTicket: bool
    # The reference defaults to true; we default to what the category allows (a stream
    # cannot be duo) so that leaving it out never fails.
    enableDoubleBookings: bool | None = None
    eventDuration: int | None = Field(None, ge=0, le=MAX_DURATION_MINUTES)
    bookingContact: str | None = Field(None, max_length=254)
    bookingEmail: str | None = Field(None, max_length=254)
    externalTicketOfficeUrl: str | None = Field(None, min_length=1, max_length=2083)
    description: str | None = Field(None, max_length=10_000)
    idAtProvider: str | None = Field(None, max_length=70)
    image: ImageBody | None = None
    itemCollectionDetails: str | None = Field(None, max_length=500)
    priceCategories: list[PriceCategoryCreation] | None = Field(None, max_length=50)
    publicationDate: ApiDatetime | None = None  # deprecated alias of publicationDatetime
    publicationDatetime: PublicationDatetime = "now"
    bookingAllowedDatetime: ApiDatetime | None = None


class EventOfferEdition(InputSchema):
    """Only the fields sent change; `null` clears a field where clearing makes sense."""

    model_config = ConfigDict(extra="forbid")

    accessibility: PartialAccessibility | None = None
    bookingAllowedDatetime: ApiDatetime | None = None
    bookingContact: str | None = Field(None, max_length=254)
    bookingEmail: str | None = Field(None, max_length=254)
    categoryRelatedFields: dict[str, Any] | None = None
    description: str | None = Field(None, max_length=10_000)
    enableDoubleBookings: bool | None = None
    eventDuration: int | None = Field(None, ge=0, le=MAX_DURATION_MINUTES)
    externalTicketOfficeUrl: str | None = Field(None, min_length=1, max_length=2083)  # ours
    idAtProvider: str | None = Field(None, max_length=70)
    image: ImageBody | None = None
    isActive: bool | None = None
    itemCollectionDetails: str | None = Field(None, max_length=500)
    location: Location | None = None
    name: str | None = Field(None, min_length=1, max_length=140)
    publicationDatetime: PublicationDatetime = None


class EventOfferResponse(Schema):
    id: int
    name: str
    description: str | None = None
    status: OfferStatus
    location: Location
    categoryRelatedFields: dict[str, Any]
    accessibility: AccessibilityResponse
    hasTicket: bool
    enableDoubleBookings: bool | None = None
    eventDuration: int | None = None
    bookingContact: str | None = None
    bookingEmail: str | None = None
    externalTicketOfficeUrl: str | None = None
    itemCollectionDetails: str | None = None
    idAtProvider: str | None = None
    image: ImageResponse | None = None
    priceCategories: list[PriceCategoryResponse]
    publicationDate: dt.datetime | None = None
    publicationDatetime: dt.datetime | None = None
    bookingAllowedDatetime: dt.datetime | None = None


class EventOffersResponse(Schema):
    events: list[EventOfferResponse]


# --- reads -------------------------------------------------------------------------------


def _same_place() -> Subquery:
    # Offers keep their own copy of an "other address"; clients know the id they sent,
    # which is the earliest address row at exactly the same place.
    return Subquery(
        Address.objects.filter(
            department_code=OuterRef("address__department_code"),
            postal_code=OuterRef("address__postal_code"),
            street=OuterRef("address__street"),
            city=OuterRef("address__city"),
            latitude=OuterRef("address__latitude"),
            longitude=OuterRef("address__longitude"),
        )
        .order_by("pk")
        .values("pk")[:1]
    )


def event_offers(request: HttpRequest) -> QuerySet[Offer]:
    """The key's live event offers, with what rendering needs in the same query (+1)."""
    queryset = scope.offers(request).filter(
        subcategory_id__in=EVENT_SUBCATEGORY_IDS, archived_at__isnull=True
    )
    return (
        selectors.annotate_offers(queryset)
        .annotate(place_id=_same_place())
        .select_related("address")
        .prefetch_related("price_categories")
    )


def event_or_404(request: HttpRequest, event_id: int) -> Offer:
    offer = event_offers(request).filter(pk=event_id).first()
    if offer is None:
        raise Http404("Offre évènement introuvable.")
    return offer


def _location(offer: Offer) -> dict[str, Any]:
    location = location_out(offer)
    if location["type"] == "address":
        location["addressId"] = getattr(offer, "place_id", None) or offer.address_id
        location["addressLabel"] = location.get("addressLabel") or None
    return location


def event_out(request: HttpRequest, offer: Offer) -> EventOfferResponse:
    return EventOfferResponse(
        id=offer.pk,
        name=offer.name,
        description=offer.description or None,
        status=status_out(offer),  # type: ignore[arg-type]
        location=_location(offer),  # type: ignore[arg-type]
        categoryRelatedFields=category_fields_out(offer),
        accessibility=accessibility_out(offer),
        hasTicket=offer.withdrawal_type == WithdrawalType.IN_APP,
        enableDoubleBookings=offer.is_duo,
        eventDuration=offer.duration_minutes,
        bookingContact=offer.booking_contact or None,
        bookingEmail=offer.booking_email or None,
        externalTicketOfficeUrl=offer.external_ticket_office_url or None,
        itemCollectionDetails=offer.withdrawal_details or None,
        idAtProvider=offer.id_at_provider or None,
        image=image_out(request, offer),
        priceCategories=[price_category_out(c) for c in offer.price_categories.all()],
        publicationDate=offer.publication_datetime,
        publicationDatetime=offer.publication_datetime,
        bookingAllowedDatetime=offer.booking_allowed_datetime,
    )


def event_offer_or_404(request: HttpRequest, event_id: int) -> Offer:
    """The key's live event offer, without the list's annotations (for writes on it)."""
    offer = scope.offer_or_404(request, event_id, "Offre évènement introuvable.")
    if offer.subcategory_id not in EVENT_SUBCATEGORY_IDS:
        raise Http404("Offre évènement introuvable.")
    return offer
