"""The reference's GetBookingResponse, plus a few fields of ours (the reference's schema is
open: extra fields do not break its clients) a ticketing system needs to match a booking
with its own data without another call: ids at provider, event start, venue address and
the dates of every state change."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from passculture.bookings.models import Booking, BookingStatus
from passculture.offerers.models import Venue

STATUS_OUT: dict[str, str] = {
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.USED: "USED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.REIMBURSED: "REIMBURSED",
}


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GetBookingResponse(Schema):
    id: int
    creationDate: str
    confirmationDate: str | None = Field(
        None, description="Événements : jusqu’à quand le jeune peut annuler (UTC)."
    )
    status: Literal["CONFIRMED", "USED", "CANCELLED", "REIMBURSED"]
    quantity: int
    price: int = Field(..., description="Prix unitaire payé, en centimes.")
    offerId: int
    offerName: str
    offerEan: str | None = None
    offerAddress: str | None = None
    offerDepartmentCode: str | None = None
    priceCategoryId: int | None = None
    priceCategoryLabel: str | None = None
    stockId: int
    venueId: int
    venueName: str
    userEmail: str
    userFirstName: str | None = None
    userLastName: str | None = None
    userPhoneNumber: str | None = None
    userBirthDate: str | None = Field(None, description="AAAA-MM-JJ")
    userPostalCode: str | None = None
    # Our additions.
    offerIdAtProvider: str | None = None
    priceCategoryIdAtProvider: str | None = None
    stockIdAtProvider: str | None = None
    stockBeginningDatetime: str | None = Field(None, description="Début de l’événement (UTC).")
    venueAddress: str | None = None
    dateUsed: str | None = None
    dateCancelled: str | None = None
    dateReimbursed: str | None = None
    dateUpdated: str | None = Field(None, description="Dernière modification (`updatedSince`).")


def _venue_address(venue: Venue) -> str | None:
    if not venue.street:
        return None
    return f"{venue.street}, {venue.postal_code} {venue.city}"


def booking_out(booking: Booking) -> GetBookingResponse:
    """Expects user, stock__price_category, offer__venue and offer__address loaded."""
    offer, stock, user = booking.offer, booking.stock, booking.user
    venue, category = offer.venue, stock.price_category
    if offer.address is not None:
        address = offer.address
        where: str | None = f"{address.street}, {address.postal_code} {address.city}"
        department: str | None = address.department_code
    else:
        where, department = _venue_address(venue), venue.department_code or None
    return GetBookingResponse(
        id=booking.pk,
        creationDate=iso(booking.created_at) or "",
        confirmationDate=iso(booking.cancellation_limit),
        status=STATUS_OUT[booking.status],  # type: ignore[arg-type]
        quantity=booking.quantity,
        price=booking.amount,
        offerId=offer.pk,
        offerName=offer.name,
        offerEan=(offer.extra_data or {}).get("ean") or None,
        offerAddress=where,
        offerDepartmentCode=department,
        priceCategoryId=category.pk if category else None,
        priceCategoryLabel=category.label if category else None,
        stockId=stock.pk,
        venueId=venue.pk,
        venueName=venue.display_name,
        userEmail=user.email,
        userFirstName=user.first_name or None,
        userLastName=user.last_name or None,
        userPhoneNumber=user.phone or None,
        userBirthDate=user.birth_date.isoformat() if user.birth_date else None,
        userPostalCode=user.postal_code or None,
        offerIdAtProvider=offer.id_at_provider or None,
        priceCategoryIdAtProvider=(category.id_at_provider or None) if category else None,
        stockIdAtProvider=stock.id_at_provider or None,
        stockBeginningDatetime=iso(stock.beginning_datetime),
        venueAddress=_venue_address(venue),
        dateUsed=iso(booking.used_at),
        dateCancelled=iso(booking.cancelled_at),
        dateReimbursed=iso(booking.reimbursed_at),
        dateUpdated=iso(booking.updated_at),
    )
