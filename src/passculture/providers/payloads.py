"""What partners receive: webhook envelopes and the `data` of each event, ticketing requests.

Built when the change happens (inside its transaction) and stored with the delivery row, so
a later change never alters an event already written. Field names are camelCase like the
public API; ids are integers, prices cents, date-times UTC ISO 8601 with a trailing "Z",
statuses and reasons UPPER_CASE (the public API's BookingStatus values).

`data` of `booking.*` events (individual bookings):
  booking      id, token, status, quantity, price (unit, cents), totalPrice (cents),
               creationDate, cancellationLimitDate, cancellationDate, cancellationReason,
               usedDate, validationAuthor
  priceCategory  id, label, idAtProvider (null for things without a category)
  stock        id, beginningDatetime, bookingLimitDatetime, idAtProvider, quantity
               (null = unlimited), bookedQuantity, remainingQuantity (null = unlimited)
  offer        id, name, idAtProvider, ean, subcategoryId, withdrawalType, address
  venue        id, name, publicName, siret, address {street, postalCode, city, departmentCode}
  beneficiary  firstName, lastName, email, phoneNumber, birthDate, postalCode
  tickets      [{barcode, seatNumber}] issued by the venue's ticketing system (often empty)

`data` of `collective_booking.*` events:
  booking  id, status, price, creationDate, confirmationLimitDate, confirmationDate,
           cancellationDate, cancellationReason, cancellationComment, usedDate,
           reimbursementDate, project
  school   uai, name, city, postalCode, phone, email
  teacher  firstName, lastName, email
  stock    id, startDatetime, endDatetime, bookingLimitDatetime, numberOfPupils, price,
           priceDetail
  offer    id, name
  venue    as above

`data` of `stock.sold_out`: stock, priceCategory, offer, venue (as above).
"""

import datetime as dt
import uuid
from typing import Any

from passculture.accounts.models import User
from passculture.bookings.models import Booking
from passculture.collective.models import CollectiveBooking
from passculture.offerers.models import Venue
from passculture.offers.models import Offer, PriceCategory, Stock

Json = dict[str, Any]


def iso(value: dt.datetime | None) -> str | None:
    """Aware datetime → 'YYYY-MM-DDTHH:MM:SSZ' (UTC); None stays None."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _upper(value: str) -> str | None:
    return value.upper() if value else None


def venue_data(venue: Venue) -> Json:
    return {
        "id": venue.pk,
        "name": venue.name,
        "publicName": venue.public_name or None,
        "siret": venue.siret,
        "address": {
            "street": venue.street or None,
            "postalCode": venue.postal_code or None,
            "city": venue.city or None,
            "departmentCode": venue.department_code or None,
        },
    }


def offer_data(offer: Offer) -> Json:
    address = None
    a = offer.address if offer.address_id else None
    if a is not None:  # an offer held elsewhere than at its venue (nomadic venues)
        address = {
            "street": a.street,
            "postalCode": a.postal_code,
            "city": a.city,
            "departmentCode": a.department_code,
        }
    return {
        "id": offer.pk,
        "name": offer.name,
        "idAtProvider": offer.id_at_provider or None,
        "ean": (offer.extra_data or {}).get("ean") or None,
        "subcategoryId": offer.subcategory_id,
        "withdrawalType": offer.withdrawal_type or None,
        "address": address,
    }


def price_category_data(category: PriceCategory | None) -> Json | None:
    if category is None:
        return None
    return {
        "id": category.pk,
        "label": category.label,
        "idAtProvider": category.id_at_provider or None,
    }


def stock_data(stock: Stock) -> Json:
    return {
        "id": stock.pk,
        "beginningDatetime": iso(stock.beginning_datetime),
        "bookingLimitDatetime": iso(stock.booking_limit_datetime),
        "idAtProvider": stock.id_at_provider or None,
        "price": stock.price,
        "quantity": stock.quantity,
        "bookedQuantity": stock.booked_quantity,
        "remainingQuantity": stock.remaining,
    }


def user_data(user: User) -> Json:
    return {
        "firstName": user.first_name or None,
        "lastName": user.last_name or None,
        "email": user.email,
        "phoneNumber": user.phone or None,
        "birthDate": user.birth_date.isoformat() if user.birth_date else None,
        "postalCode": user.postal_code or None,
    }


def booking_data(booking: Booking) -> Json:
    """Everything about one individual booking (caller select_related the relations)."""
    stock, offer = booking.stock, booking.offer
    return {
        "booking": {
            "id": booking.pk,
            "token": booking.token,
            "status": _upper(booking.status),
            "quantity": booking.quantity,
            "price": booking.amount,
            "totalPrice": booking.total,
            "creationDate": iso(booking.created_at),
            "cancellationLimitDate": iso(booking.cancellation_limit),
            "cancellationDate": iso(booking.cancelled_at),
            "cancellationReason": _upper(booking.cancellation_reason),
            "usedDate": iso(booking.used_at),
            "validationAuthor": _upper(booking.validation_author),
        },
        "priceCategory": price_category_data(stock.price_category),
        "stock": stock_data(stock),
        "offer": offer_data(offer),
        "venue": venue_data(offer.venue),
        "beneficiary": user_data(booking.user),
        "tickets": [
            {"barcode": t.barcode, "seatNumber": t.seat_number or None}
            for t in sorted(booking.tickets.all(), key=lambda t: t.pk)  # prefetch-friendly
        ],
    }


def stock_event_data(stock: Stock) -> Json:
    offer = stock.offer
    return {
        "stock": stock_data(stock),
        "priceCategory": price_category_data(stock.price_category),
        "offer": offer_data(offer),
        "venue": venue_data(offer.venue),
    }


def collective_booking_data(booking: CollectiveBooking) -> Json:
    """Everything about one collective booking (caller select_related the relations)."""
    school, stock, offer, teacher = booking.school, booking.stock, booking.offer, booking.teacher
    return {
        "booking": {
            "id": booking.pk,
            "status": _upper(booking.status),
            "price": booking.price,
            "creationDate": iso(booking.created_at),
            "confirmationLimitDate": iso(booking.confirmation_limit),
            "confirmationDate": iso(booking.confirmed_at),
            "cancellationDate": iso(booking.cancelled_at),
            "cancellationReason": _upper(booking.cancellation_reason),
            "cancellationComment": booking.cancellation_comment or None,
            "usedDate": iso(booking.used_at),
            "reimbursementDate": iso(booking.reimbursed_at),
            "project": booking.project.name if booking.project_id else None,  # type: ignore[union-attr]
        },
        "school": {
            "uai": school.uai,
            "name": school.name,
            "city": school.city,
            "postalCode": school.postal_code,
            "phone": school.phone or None,
            "email": school.email or None,
        },
        "teacher": {
            "firstName": teacher.first_name or None,
            "lastName": teacher.last_name or None,
            "email": teacher.email,
        },
        "stock": {
            "id": stock.pk,
            "startDatetime": iso(stock.start_datetime),
            "endDatetime": iso(stock.end_datetime),
            "bookingLimitDatetime": iso(stock.booking_limit_datetime),
            "numberOfPupils": stock.number_of_pupils,
            "price": stock.price,
            "priceDetail": stock.price_detail or None,
        },
        "offer": {"id": offer.pk, "name": offer.name},
        "venue": venue_data(offer.venue),
    }


def envelope(
    *,
    event_id: uuid.UUID,
    event_type: str,
    occurred_at: dt.datetime,
    sequence: int,
    venue_id: int,
    data: Json,
) -> Json:
    """The JSON body of one webhook (see providers.webhooks for the contract)."""
    return {
        "id": str(event_id),
        "type": event_type,
        "occurredAt": iso(occurred_at),
        "sequence": sequence,
        "venueId": venue_id,
        "data": data,
    }
