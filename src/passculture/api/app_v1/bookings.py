"""The young person's bookings: book a stock, list, read one, cancel."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from passculture.accounts.models import User
from passculture.api.app_v1.offers import LocationOut, VenueOut, offer_card
from passculture.api.app_v1.schemas import CamelSchema, ErrorOut
from passculture.bookings import rules, selectors, services
from passculture.bookings.models import Booking
from passculture.core import clock

router = Router(tags=["Réservations"], by_alias=True)

StatusName = Literal["confirmed", "used", "reimbursed", "cancelled"]


class BookIn(CamelSchema):
    stock_id: int = Field(ge=1, le=2**63 - 1)
    quantity: int = Field(1, description="1, ou 2 si l’offre est en duo")


class BookingOfferOut(CamelSchema):
    id: int
    name: str
    subcategory_id: str
    is_event: bool
    is_digital: bool
    venue: VenueOut
    location: LocationOut | None
    withdrawal_type: str
    withdrawal_details: str
    image_url: str | None


class BookingStockOut(CamelSchema):
    id: int
    beginning_datetime: dt.datetime | None
    price_category: str | None


class BookingOut(CamelSchema):
    id: int
    token: str = Field(description="contremarque à présenter à l’entrée")
    status: StatusName
    status_label: str
    quantity: int
    amount: int = Field(description="prix d’une place à la réservation, en centimes")
    total: int = Field(description="amount × quantity, en centimes")
    created_at: dt.datetime
    cancellation_limit: dt.datetime | None = Field(
        description="annulable jusqu’à cette date (événements) ; null = jusqu’au retrait"
    )
    cancellable: bool
    cancelled_at: dt.datetime | None
    cancellation_reason: str | None
    used_at: dt.datetime | None
    offer: BookingOfferOut
    stock: BookingStockOut


class BookingPageOut(CamelSchema):
    total: int
    limit: int
    offset: int
    items: list[BookingOut]


class BookingFilters(CamelSchema):
    status: StatusName | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


def booking_out(request: HttpRequest, booking: Booking, now: dt.datetime) -> BookingOut:
    offer, stock = booking.offer, booking.stock
    card = offer_card(request, offer).model_dump()
    return BookingOut(
        id=booking.pk,
        token=booking.token,
        status=booking.status,  # type: ignore[arg-type]
        status_label=booking.get_status_display(),
        quantity=booking.quantity,
        amount=booking.amount,
        total=booking.total,
        created_at=booking.created_at,
        cancellation_limit=booking.cancellation_limit,
        cancellable=booking.status == "confirmed"
        and rules.can_beneficiary_cancel(limit=booking.cancellation_limit, now=now),
        cancelled_at=booking.cancelled_at,
        cancellation_reason=booking.cancellation_reason or None,
        used_at=booking.used_at,
        offer=BookingOfferOut(
            **{key: card[key] for key in BookingOfferOut.model_fields if key in card},
            withdrawal_type=offer.withdrawal_type,
            withdrawal_details=offer.withdrawal_details,
        ),
        stock=BookingStockOut(
            id=stock.pk,
            beginning_datetime=stock.beginning_datetime,
            price_category=stock.price_category.label if stock.price_category else None,
        ),
    )


@router.post(
    "",
    response={201: BookingOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut},
    summary="Réserver",
    description=(
        "Réserve 1 place (2 si l’offre est en duo) d’un stock. Refus : 400 avec un `code` "
        "stable (`insufficient_credit`, `booking_closed`…), 409 pour `sold_out` et "
        "`already_booked`. Un refus ne change rien."
    ),
)
def create_booking(request, body: BookIn):
    user: User = request.auth
    booking = services.book_offer(user=user, stock_id=body.stock_id, quantity=body.quantity)
    fresh = selectors.get_booking_of(user, booking.pk)
    return Status(201, booking_out(request, fresh, clock.now()))


@router.get(
    "",
    response={200: BookingPageOut, 401: ErrorOut},
    summary="Mes réservations",
    description="Les plus récentes d’abord ; `status` pour filtrer.",
)
def list_bookings(request, filters: Query[BookingFilters]) -> BookingPageOut:
    queryset = selectors.bookings_of(request.auth)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    total = queryset.count()
    now = clock.now()
    page = queryset.order_by("-created_at", "-id")[filters.offset : filters.offset + filters.limit]
    return BookingPageOut(
        total=total,
        limit=filters.limit,
        offset=filters.offset,
        items=[booking_out(request, booking, now) for booking in page],
    )


@router.get(
    "/{booking_id}",
    response={200: BookingOut, 401: ErrorOut, 404: ErrorOut},
    summary="Une réservation",
)
def get_booking(request, booking_id: int) -> BookingOut:
    booking = selectors.get_booking_of(request.auth, booking_id)
    return booking_out(request, booking, clock.now())


@router.post(
    "/{booking_id}/cancel",
    response={200: BookingOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Annuler ma réservation",
    description="Possible jusqu’à `cancellationLimit` (événements) ou jusqu’au retrait (biens).",
)
def cancel_booking(request, booking_id: int) -> BookingOut:
    user: User = request.auth
    booking = selectors.get_booking_of(user, booking_id)  # someone else's: 404
    services.cancel_by_beneficiary(user=user, booking_id=booking.pk)
    return booking_out(request, selectors.get_booking_of(user, booking.pk), clock.now())
