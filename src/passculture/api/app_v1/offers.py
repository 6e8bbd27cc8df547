"""GET /offers and /offers/{id}: the public catalogue, with distances from the young person.

Open without a token, like the public offer pages: the app shows offers before sign-up.
"""

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.db.models import Case, F, FloatField, Min, Q, QuerySet, Value, When
from django.db.models.functions import ASin, Cast, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from passculture.api.app_v1.schemas import CamelSchema, ErrorOut
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offers import catalogue, selectors
from passculture.offers.models import Offer, Stock
from passculture.stats import views_counter

router = Router(tags=["Offres"], by_alias=True)

EARTH_DIAMETER_KM = 2 * 6371.0
MAX_LIMIT = 100


class InvalidLocation(DomainError):
    code = "invalid_location"
    message = "Indiquez la latitude et la longitude ensemble (lat et lon)."


class UnknownCategory(DomainError):
    code = "unknown_category"
    message = "Catégorie inconnue."
    field = "category"


class VenueOut(CamelSchema):
    id: int
    name: str
    city: str
    postal_code: str


class LocationOut(CamelSchema):
    label: str
    street: str
    postal_code: str
    city: str
    department_code: str
    latitude: float | None
    longitude: float | None


class AccessibilityOut(CamelSchema):
    motor: bool
    visual: bool
    hearing: bool
    mental: bool


class OfferOut(CamelSchema):
    id: int
    name: str
    subcategory_id: str
    category_id: str
    category_label: str
    is_event: bool
    is_digital: bool
    is_duo: bool
    venue: VenueOut
    location: LocationOut | None = Field(description="null pour une offre numérique")
    distance_km: float | None = Field(description="depuis lat/lon, arrondie à 0,1 km")
    price_min: int | None = Field(description="prix le plus bas réservable, en centimes")
    next_beginning_datetime: dt.datetime | None
    is_sold_out: bool
    image_url: str | None


class OfferPageOut(CamelSchema):
    total: int
    limit: int
    offset: int
    items: list[OfferOut]


class StockOut(CamelSchema):
    id: int
    beginning_datetime: dt.datetime | None
    booking_limit_datetime: dt.datetime | None
    price_category: str | None = Field(description="libellé du tarif")
    price: int = Field(description="centimes")
    remaining: int | None = Field(description="places restantes ; null = illimité")
    bookable: bool


class OfferDetailOut(OfferOut):
    description: str
    duration_minutes: int | None
    withdrawal_type: str
    withdrawal_details: str
    accessibility: AccessibilityOut
    stocks: list[StockOut]


class OfferFilters(CamelSchema):
    q: str = Field("", max_length=100, description="texte dans le titre (ou EAN)")
    category: str = Field("", max_length=40, description="identifiant de catégorie")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=20_000, description="avec lat/lon")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


def _distance_km(lat: float, lon: float):
    """Haversine distance (km) from (lat, lon) to the offer's place (its address, else venue's)."""
    lat2 = Radians(Cast(Coalesce("address__latitude", "venue__latitude"), FloatField()))
    lon2 = Radians(Cast(Coalesce("address__longitude", "venue__longitude"), FloatField()))
    lat1, lon1 = math.radians(lat), math.radians(lon)
    half = Value(2.0)
    a = Power(Sin((lat2 - Value(lat1)) / half), half) + Value(math.cos(lat1)) * Cos(lat2) * Power(
        Sin((lon2 - Value(lon1)) / half), half
    )
    # Rounding may push sqrt(a) a hair above 1, outside asin's domain. PostgreSQL's LEAST
    # skips NULLs (SQLite's does not), so a place without coordinates is handled first.
    return Case(
        When(Q(address__latitude__isnull=True) & Q(venue__latitude__isnull=True), then=None),
        default=Value(EARTH_DIAMETER_KM) * ASin(Least(Sqrt(a), Value(1.0))),
        output_field=FloatField(),
    )


def _bookable(now: dt.datetime) -> Q:
    return (
        Q(is_deleted=False)
        & (Q(booking_limit_datetime__isnull=True) | Q(booking_limit_datetime__gt=now))
        & (Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gt=now))
        & (Q(quantity__isnull=True) | Q(booked_quantity__lt=F("quantity")))
    )


def _location(offer: Offer) -> LocationOut | None:
    address = offer.address
    if address is not None:
        return LocationOut(
            label=address.label,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            department_code=address.department_code,
            latitude=float(address.latitude),
            longitude=float(address.longitude),
        )
    venue = offer.venue
    if venue.is_virtual:
        return None
    return LocationOut(
        label=venue.display_name,
        street=venue.street,
        postal_code=venue.postal_code,
        city=venue.city,
        department_code=venue.department_code,
        latitude=float(venue.latitude) if venue.latitude is not None else None,
        longitude=float(venue.longitude) if venue.longitude is not None else None,
    )


def offer_card(
    request: HttpRequest, offer: Offer, summary: Mapping[str, Any] | None = None
) -> OfferOut:
    """What an offer card shows; `summary` carries price_min / next date when known."""
    sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
    category = catalogue.CATEGORIES.get(sub.category_id) if sub else None
    distance = getattr(offer, "distance", None)
    summary = summary or {}
    venue = offer.venue
    return OfferOut(
        id=offer.pk,
        name=offer.name,
        subcategory_id=offer.subcategory_id,
        category_id=category.id if category else "",
        category_label=category.label if category else "",
        is_event=bool(sub and sub.is_event),
        is_digital=venue.is_virtual or bool(sub and sub.online == "online"),
        is_duo=offer.is_duo and bool(sub and sub.can_be_duo),
        venue=VenueOut(
            id=venue.pk, name=venue.display_name, city=venue.city, postal_code=venue.postal_code
        ),
        location=_location(offer),
        distance_km=round(distance, 1) if distance is not None else None,
        price_min=summary.get("price_min"),
        next_beginning_datetime=summary.get("next_date"),
        is_sold_out=not getattr(offer, "has_bookable", True),
        image_url=request.build_absolute_uri(offer.image.url) if offer.image else None,
    )


def search_offers(filters: OfferFilters) -> tuple[QuerySet[Offer], int]:
    """Public offers matching the filters, nearest first when a position is given."""
    if (filters.lat is None) != (filters.lon is None):
        raise InvalidLocation()
    if filters.category and filters.category not in catalogue.CATEGORIES:
        raise UnknownCategory()
    queryset = selectors.filter_offers(
        selectors.public_offers(),
        selectors.OfferFilters(text=filters.q.strip(), category_id=filters.category),
    )
    if filters.lat is not None and filters.lon is not None:
        queryset = queryset.annotate(distance=_distance_km(filters.lat, filters.lon))
        if filters.radius_km is not None:
            queryset = queryset.filter(distance__lte=filters.radius_km)
        queryset = queryset.order_by(F("distance").asc(nulls_last=True), "-id")
    else:
        queryset = queryset.order_by("-created_at", "-id")
    return queryset, queryset.count()


def stock_summaries(offer_ids: list[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    """Cheapest bookable price and next date per offer: one query for a whole page."""
    upcoming = Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gt=now)
    rows = (
        Stock.objects.filter(offer_id__in=offer_ids, is_deleted=False)
        .filter(upcoming)
        .values("offer_id")
        .annotate(
            price_min=Min("price", filter=_bookable(now)),
            next_date=Min("beginning_datetime"),
        )
        .order_by()
    )
    return {row["offer_id"]: dict(row) for row in rows}


@router.get(
    "",
    auth=None,
    response={200: OfferPageOut, 400: ErrorOut, 422: ErrorOut},
    summary="Rechercher des offres",
    description=(
        "Offres publiées, filtrées par texte et catégorie. Avec `lat` et `lon`, chaque offre "
        "porte sa distance et la liste commence par les plus proches (`radiusKm` pour limiter)."
    ),
)
def list_offers(request, filters: Query[OfferFilters]) -> OfferPageOut:
    queryset, total = search_offers(filters)
    offers = list(queryset[filters.offset : filters.offset + filters.limit])
    summaries = stock_summaries([offer.pk for offer in offers], clock.now()) if offers else {}
    return OfferPageOut(
        total=total,
        limit=filters.limit,
        offset=filters.offset,
        items=[offer_card(request, o, summaries.get(o.pk)) for o in offers],
    )


@router.get(
    "/{offer_id}",
    auth=None,
    response={200: OfferDetailOut, 404: ErrorOut},
    summary="Une offre et ses dates (tarifs, places restantes)",
)
def get_offer(request, offer_id: int) -> OfferDetailOut:
    now = clock.now()
    offer = get_scoped_or_404(selectors.public_offers(now), pk=offer_id)
    views_counter.record_view("offer", offer.pk, request)
    stocks = list(selectors.upcoming_stocks(offer, now))
    open_now = offer.booking_allowed_datetime is None or offer.booking_allowed_datetime <= now
    items = []
    for stock in stocks:
        bookable = (
            open_now
            and (stock.booking_limit_datetime is None or stock.booking_limit_datetime > now)
            and (stock.beginning_datetime is None or stock.beginning_datetime > now)
            and (stock.remaining is None or stock.remaining > 0)
        )
        items.append(
            StockOut(
                id=stock.pk,
                beginning_datetime=stock.beginning_datetime,
                booking_limit_datetime=stock.booking_limit_datetime,
                price_category=stock.price_category.label if stock.price_category else None,
                price=stock.price,
                remaining=stock.remaining,
                bookable=bookable,
            )
        )
    bookable_prices = [s.price for s in items if s.bookable]
    dates = [s.beginning_datetime for s in items if s.beginning_datetime]
    summary = {
        "price_min": min(bookable_prices) if bookable_prices else None,
        "next_date": min(dates) if dates else None,
    }
    return OfferDetailOut(
        **offer_card(request, offer, summary).model_dump(),
        description=offer.description,
        duration_minutes=offer.duration_minutes,
        withdrawal_type=offer.withdrawal_type,
        withdrawal_details=offer.withdrawal_details,
        accessibility=AccessibilityOut(**offer.accessibility),
        stocks=items,
    )
