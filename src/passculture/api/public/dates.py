"""Partner API — Event Offer Stocks: an event's dates (one stock = one date × one tariff)."""

import datetime as dt
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from passculture.api.public import scope
from passculture.api.public.events_schemas import event_offer_or_404
from passculture.api.public.offer_common import (
    ApiDatetime,
    InputSchema,
    PriceCategoryResponse,
    Quantity,
    api_field_names,
    price_category_out,
    quantity_in,
    quantity_out,
)
from passculture.offers.models import Offer, Stock
from passculture.offers.services import partner_stocks

router = Router(tags=["Event Offer Stocks"])

MAX_DATES = 2_500
FIELD_NAMES = {
    "beginning_datetime": "beginningDatetime",
    "booking_limit_datetime": "bookingLimitDatetime",
    "price_categories": "priceCategoryId",
    "price_category": "priceCategoryId",
}


class EventStockCreation(InputSchema):
    beginningDatetime: ApiDatetime
    bookingLimitDatetime: ApiDatetime
    priceCategoryId: int
    quantity: Quantity
    idAtProvider: str | None = Field(None, max_length=70)


class EventStocksCreation(InputSchema):
    model_config = ConfigDict(extra="forbid")

    dates: list[EventStockCreation] = Field(..., max_length=MAX_DATES)


class EventStockEdition(InputSchema):
    """Only the fields sent change. `quantity: null` keeps the contingent (send "unlimited"
    to lift it): a client clearing a field by mistake must not open unlimited seats."""

    model_config = ConfigDict(extra="forbid")

    beginningDatetime: ApiDatetime | None = None
    bookingLimitDatetime: ApiDatetime | None = None
    priceCategoryId: int | None = None
    quantity: Annotated[int, Field(ge=0)] | Literal["unlimited"] | None = None
    idAtProvider: str | None = Field(None, max_length=70)


class DateResponse(Schema):
    id: int
    beginningDatetime: dt.datetime
    bookingLimitDatetime: dt.datetime
    bookedQuantity: int
    quantity: Quantity
    priceCategory: PriceCategoryResponse
    idAtProvider: str | None = None


class GetDatesResponse(Schema):
    dates: list[DateResponse]


class PostDatesResponse(Schema):
    dates: list[DateResponse]


class DatesFilters(InputSchema):
    limit: int = Field(50, gt=0, le=50)
    firstIndex: int = Field(1, ge=1)
    idsAtProvider: str | None = None


def date_out(stock: Stock) -> DateResponse:
    category = stock.price_category
    beginning = stock.beginning_datetime or stock.created_at  # events always have one
    return DateResponse(
        id=stock.pk,
        beginningDatetime=beginning,
        bookingLimitDatetime=stock.booking_limit_datetime or beginning,
        bookedQuantity=stock.booked_quantity,
        quantity=quantity_out(stock.quantity),
        # Stocks made before tariffs existed have none: shown as a one-off tariff, id 0.
        priceCategory=price_category_out(category)
        if category is not None
        else PriceCategoryResponse(id=0, label="Tarif unique", price=stock.price),
        idAtProvider=stock.id_at_provider or None,
    )


def _stocks(offer: Offer) -> QuerySet[Stock]:
    return Stock.objects.filter(offer=offer, is_deleted=False).select_related("price_category")


def _stock_or_404(offer: Offer, stock_id: int) -> Stock:
    stock = _stocks(offer).select_related("offer__venue", "offer__address").filter(pk=stock_id)
    found = stock.first()
    if found is None:
        raise Http404("Date introuvable pour cette offre.")
    return found


@router.get(
    "/events/{event_id}/dates",
    response=GetDatesResponse,
    summary="Get Event Stocks",
    operation_id="GetEventStocks",
)
def list_dates(
    request: HttpRequest, event_id: int, filters: Query[DatesFilters]
) -> GetDatesResponse:
    queryset = _stocks(event_offer_or_404(request, event_id))
    ids = scope.ids_at_provider(filters.idsAtProvider)
    if ids is not None:
        queryset = queryset.filter(id_at_provider__in=ids)
    stocks = scope.page(queryset, limit=filters.limit, first_index=filters.firstIndex)
    return GetDatesResponse(dates=[date_out(stock) for stock in stocks])


@router.post(
    "/events/{event_id}/dates",
    response=PostDatesResponse,
    summary="Add Stocks to an Event",
    operation_id="PostEventStocks",
)
def create_dates(
    request: HttpRequest, event_id: int, payload: EventStocksCreation
) -> PostDatesResponse:
    offer = event_offer_or_404(request, event_id)
    items = [
        partner_stocks.DatedStock(
            beginning=item.beginningDatetime,
            booking_limit=item.bookingLimitDatetime,
            price_category_id=item.priceCategoryId,
            quantity=quantity_in(item.quantity),
            id_at_provider=item.idAtProvider or "",
        )
        for item in payload.dates
    ]
    actor = scope.actor(request)
    with api_field_names(FIELD_NAMES), transaction.atomic():
        created = partner_stocks.create_dated_stocks(actor=actor, offer=offer, items=items)
        # The partner may have asked to publish before the offer had dates (see events_write).
        partner_stocks.submit_if_ready(actor=actor, offer=offer)
    return PostDatesResponse(dates=[date_out(stock) for stock in created])


@router.patch(
    "/events/{event_id}/dates/{stock_id}",
    response=DateResponse,
    summary="Update Event Stock",
    operation_id="PatchEventStock",
)
def edit_date(
    request: HttpRequest, event_id: int, stock_id: int, payload: EventStockEdition
) -> DateResponse:
    offer = event_offer_or_404(request, event_id)
    stock = _stock_or_404(offer, stock_id)
    sent = {name for name in payload.model_fields_set if getattr(payload, name) is not None}
    changes: dict[str, object] = {}
    if "beginningDatetime" in sent:
        changes["beginning"] = payload.beginningDatetime
    if "bookingLimitDatetime" in sent:
        changes["booking_limit"] = payload.bookingLimitDatetime
    if "priceCategoryId" in sent:
        changes["price_category_id"] = payload.priceCategoryId
    if "quantity" in sent:
        changes["quantity"] = quantity_in(payload.quantity)
    if "idAtProvider" in payload.model_fields_set:  # null clears it
        changes["id_at_provider"] = payload.idAtProvider
    with api_field_names(FIELD_NAMES):
        stock = partner_stocks.edit_event_stock(
            actor=scope.actor(request),
            stock=stock,
            **changes,  # type: ignore[arg-type]
        )
    return date_out(_stock_or_404(offer, stock.pk))


@router.delete(
    "/events/{event_id}/dates/{stock_id}",
    response={204: None},
    summary="Delete Event Stock",
    operation_id="DeleteEventStock",
)
def delete_date(request: HttpRequest, event_id: int, stock_id: int) -> Status[None]:
    stock = _stock_or_404(event_offer_or_404(request, event_id), stock_id)
    partner_stocks.delete_event_stock(actor=scope.actor(request), stock=stock)
    return Status(204, None)
