"""Request and response bodies of the product offer endpoints, named as the reference."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from passculture.api.public.offer_common import (
    Accessibility,
    AccessibilityResponse,
    ImageBody,
    ImageResponse,
    Location,
    PartialAccessibility,
)

MAX_PRICE = 30_000
Unlimited = Literal["unlimited"]
OfferStatus = Literal[
    "DRAFT", "PENDING", "REJECTED", "INACTIVE", "SCHEDULED", "PUBLISHED", "ACTIVE", "SOLD_OUT",
    "EXPIRED",
]  # fmt: skip
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
WebUrl = Annotated[str, Field(min_length=1, max_length=2083, pattern=r"^https?://\S+$")]


class Strict(Schema):
    # The reference refuses unknown fields (additionalProperties: false): a typo is an error,
    # not a silently ignored value.
    model_config = ConfigDict(extra="forbid")


class StockCreation(Strict):
    price: int = Field(..., ge=0, le=MAX_PRICE, description="Prix en centimes (300 € au plus).")
    quantity: Annotated[int, Field(gt=0)] | Unlimited | None = Field(
        None, description="Nombre d’articles proposés ; absent, null ou « unlimited » : illimité."
    )
    bookingLimitDatetime: dt.datetime | None = None


class StockEdition(Strict):
    price: int | None = Field(None, ge=0, le=MAX_PRICE)
    quantity: Annotated[int, Field(ge=0)] | Unlimited | None = Field(
        None, description="Total proposé, réservations comprises (jamais moins que réservé)."
    )
    bookingLimitDatetime: dt.datetime | None = None


class ProductOfferCreation(Strict):
    location: Location
    name: str = Field(..., max_length=90)
    categoryRelatedFields: dict[str, Any] = Field(
        ..., description="« category » (sous-catégorie d’un produit) et ses champs (ean…)."
    )
    accessibility: Accessibility
    description: str | None = Field(None, max_length=10_000)
    bookingContact: Email | None = None
    bookingEmail: Email | None = None
    externalTicketOfficeUrl: WebUrl | None = None
    enableDoubleBookings: bool | None = False
    idAtProvider: str | None = Field(None, max_length=70)
    image: ImageBody | None = None
    itemCollectionDetails: str | None = Field(None, max_length=500)
    publicationDatetime: dt.datetime | Literal["now"] | None = "now"
    bookingAllowedDatetime: dt.datetime | None = None
    stock: StockCreation | None = None


class ProductOfferEdition(Strict):
    offerId: int
    location: Location | None = None
    # 140 as the reference; our titles stop at 90, which the service says in French (400).
    name: str | None = Field(None, min_length=1, max_length=140)
    categoryRelatedFields: dict[str, Any] | None = None
    accessibility: PartialAccessibility | None = None
    description: str | None = Field(None, max_length=10_000)
    bookingContact: Email | None = None
    bookingEmail: Email | None = None
    enableDoubleBookings: bool | None = None
    idAtProvider: str | None = Field(None, max_length=70)
    image: ImageBody | None = None
    isActive: bool | None = None
    itemCollectionDetails: str | None = Field(None, max_length=500)
    publicationDatetime: dt.datetime | Literal["now"] | None = None
    bookingAllowedDatetime: dt.datetime | None = None
    stock: StockEdition | None = None


class ProductStockResponse(Schema):
    price: int
    quantity: int | Unlimited
    bookedQuantity: int
    bookingLimitDatetime: dt.datetime | None = None


class ProductOfferResponse(Schema):
    id: int
    name: str
    status: OfferStatus
    location: Location
    categoryRelatedFields: dict[str, Any]
    accessibility: AccessibilityResponse
    description: str | None = None
    bookingContact: str | None = None
    bookingEmail: str | None = None
    externalTicketOfficeUrl: str | None = None
    enableDoubleBookings: bool | None = None
    idAtProvider: str | None = None
    image: ImageResponse | None = None
    itemCollectionDetails: str | None = None
    publicationDatetime: dt.datetime | None = None
    bookingAllowedDatetime: dt.datetime | None = None
    stock: ProductStockResponse | None = None


class ProductOffersResponse(Schema):
    products: list[ProductOfferResponse]


class ProductOffersByEanResponse(Schema):
    products: list[ProductOfferResponse]


# --- EAN bulk operations --------------------------------------------------------------------


class StockUpsert(Strict):
    price: int = Field(..., ge=0, le=MAX_PRICE)
    quantity: Annotated[int, Field(ge=0)] | Unlimited | None = Field(
        None, description="Articles disponibles maintenant (hors réservations) ; 0 ferme l’offre."
    )
    bookingLimitDatetime: dt.datetime | None = None


class ProductOfferByEanCreation(Strict):
    ean: str = Field(..., min_length=13, max_length=13)
    stock: StockUpsert


class ProductsOfferByEanCreation(Strict):
    location: Location
    products: list[ProductOfferByEanCreation] = Field(..., max_length=500)


class RejectedEANsPartialResponse(Schema):
    notFound: list[str]
    subcategoryNotAllowed: list[str]
    notCompliantWithCgu: list[str]


class AvailableEANsResponse(Schema):
    available: list[str]
    rejected: RejectedEANsPartialResponse
