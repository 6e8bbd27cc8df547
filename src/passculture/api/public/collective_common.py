"""Shared pieces of the collective partner endpoints: scoping, statuses, response shapes.

Scope: a key reaches the bookable (non-template) collective offers of its provider's linked
venues, and their bookings; anything else answers 404 as if it did not exist.
"""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Schema

from passculture.api.public import collective_vocab as vocab
from passculture.api.public import scope
from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    LocationType,
)
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.offers.models import Validation

MAX_ID = 2**63 - 1  # the largest id a row can have (bigint)
OFFER_NOT_FOUND = "Offre collective introuvable pour votre clé d’API."
BOOKING_NOT_FOUND = "Réservation collective introuvable pour votre clé d’API."


def iso(value: dt.datetime | None) -> str | None:
    """UTC, second precision, with a Z: what partners parse everywhere in this API."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class InvalidDate(DomainError):
    code = "invalid_date"
    message = "Date hors limites."


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC; a naive datetime from a client is read as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as exc:  # e.g. year 1 with a positive offset
        raise InvalidDate() from exc


def sandbox_enabled() -> bool:
    """Whether the ministry-tool simulations (adage_mock, /use) answer: never in production."""
    return bool(getattr(settings, "PARTNER_SANDBOX_ENABLED", False))


def require_sandbox() -> None:
    if not sandbox_enabled():
        raise Http404("Simulation indisponible en production.")


def as_refusal(exc: DomainError) -> scope.Forbidden:
    """A domain refusal re-raised as a 403 that keeps its code and French message."""
    forbidden = scope.Forbidden(exc.text, field=exc.field)
    forbidden.code = exc.code
    return forbidden


# --- scoping ------------------------------------------------------------------------------


def offers(request: HttpRequest) -> QuerySet[CollectiveOffer]:
    bookings = CollectiveBooking.objects.order_by("pk")
    return (
        CollectiveOffer.objects.filter(
            venue__in=scope.venues(request).values("pk"), is_template=False
        )
        .select_related("stock", "venue", "address", "target_school")
        .prefetch_related(Prefetch("bookings", queryset=bookings))
    )


def offer_or_404(request: HttpRequest, offer_id: int) -> CollectiveOffer:
    offer = offers(request).filter(pk=offer_id).first()
    if offer is None or not hasattr(offer, "stock"):
        raise Http404(OFFER_NOT_FOUND)
    return offer


def booking_or_404(request: HttpRequest, booking_id: int) -> CollectiveBooking:
    booking = CollectiveBooking.objects.filter(
        pk=booking_id, offer__venue__in=scope.venues(request).values("pk")
    ).first()
    if booking is None:
        raise Http404(BOOKING_NOT_FOUND)
    return booking


# --- statuses -----------------------------------------------------------------------------


def _live(offer: CollectiveOffer) -> CollectiveBooking | None:
    return next(
        (b for b in offer.bookings.all() if b.status != CollectiveBookingStatus.CANCELLED), None
    )


def displayed_status(offer: CollectiveOffer, now: dt.datetime) -> str:
    """The reference's CollectiveOfferDisplayedStatus (`offerStatus`)."""
    if offer.archived_at is not None:
        return "ARCHIVED"
    review: dict[str, str] = {
        Validation.DRAFT: "DRAFT",
        Validation.PENDING: "UNDER_REVIEW",
        Validation.REJECTED: "REJECTED",
    }
    if offer.validation in review:
        return review[offer.validation]
    stock = offer.stock
    booking = _live(offer)
    if booking is not None:
        if booking.status == CollectiveBookingStatus.REIMBURSED:
            return "REIMBURSED"
        if booking.status == CollectiveBookingStatus.USED or stock.end_datetime < now:
            return "ENDED"
        if booking.status == CollectiveBookingStatus.CONFIRMED:
            return "BOOKED"
        return "EXPIRED" if booking.confirmation_limit < now else "PREBOOKED"
    if stock.booking_limit_datetime < now:
        cancelled = any(b.status == CollectiveBookingStatus.CANCELLED for b in offer.bookings.all())
        return "CANCELLED" if cancelled else "EXPIRED"
    return "PUBLISHED" if offer.is_active else "HIDDEN"


def legacy_status(offer: CollectiveOffer, now: dt.datetime) -> str:
    """The reference's deprecated CollectiveOfferStatus (`status`)."""
    if offer.archived_at is not None:
        return "ARCHIVED"
    review: dict[str, str] = {
        Validation.DRAFT: "DRAFT",
        Validation.PENDING: "PENDING",
        Validation.REJECTED: "REJECTED",
    }
    if offer.validation in review:
        return review[offer.validation]
    if _live(offer) is not None:
        return "SOLD_OUT"
    if offer.stock.booking_limit_datetime < now:
        return "EXPIRED"
    return "ACTIVE" if offer.is_active else "INACTIVE"


# --- response shapes ----------------------------------------------------------------------

BookingStatusOut = Literal["PENDING", "CONFIRMED", "USED", "CANCELLED", "REIMBURSED"]


class CollectiveBookingResponse(Schema):
    id: int
    status: BookingStatusOut
    dateCreated: str
    confirmationDate: str | None = None
    cancellationLimitDate: str | None = Field(
        None, description="Jusqu’à quand l’établissement peut encore refuser (J-15)."
    )
    dateUsed: str | None = None
    reimbursementDate: str | None = None


class SchoolLocation(Schema):
    type: Literal["SCHOOL"] = "SCHOOL"


class VenueAddressLocation(Schema):
    type: Literal["ADDRESS"] = "ADDRESS"
    isVenueAddress: Literal[True] = True


class AddressLocation(Schema):
    type: Literal["ADDRESS"] = "ADDRESS"
    isVenueAddress: Literal[False] = False
    addressId: int
    addressLabel: str | None = None


class ToBeDefinedLocation(Schema):
    type: Literal["TO_BE_DEFINED"] = "TO_BE_DEFINED"
    comment: str | None = None


LocationOut = SchoolLocation | VenueAddressLocation | AddressLocation | ToBeDefinedLocation


class OfferVenueOut(Schema):
    addressType: Literal["offererVenue", "school", "other"]
    otherAddress: str | None = None
    venueId: int | None = None


class NationalProgramOut(Schema):
    id: int
    name: str


class CollectiveOfferSummary(Schema):
    id: int
    status: str
    offerStatus: str
    venueId: int
    startDatetime: str
    endDatetime: str
    bookings: list[CollectiveBookingResponse]


class CollectiveOfferResponse(CollectiveOfferSummary):
    name: str
    description: str | None = None
    contactEmail: str
    contactPhone: str
    bookingEmails: list[str] | None = None
    domains: list[int]
    students: list[str]
    formats: list[str]
    interventionArea: list[str]
    durationMinutes: int | None = None
    dateCreated: str
    hasBookingLimitDatetimesPassed: bool
    isActive: bool | None = None
    isSoldOut: bool
    bookingLimitDatetime: str
    totalPrice: float = Field(description="Prix total en euros (comme la référence).")
    numberOfTickets: int
    educationalPriceDetail: str | None = None
    educationalInstitution: str | None = None
    educationalInstitutionId: int | None = None
    location: LocationOut | None = None
    offerVenue: OfferVenueOut
    nationalProgram: NationalProgramOut | None = None
    imageUrl: str | None = None
    imageCredit: str | None = None
    audioDisabilityCompliant: bool | None = None
    mentalDisabilityCompliant: bool | None = None
    motorDisabilityCompliant: bool | None = None
    visualDisabilityCompliant: bool | None = None


def booking_out(booking: CollectiveBooking, start: dt.datetime) -> CollectiveBookingResponse:
    return CollectiveBookingResponse(
        id=booking.pk,
        status=booking.status.upper(),  # type: ignore[arg-type]
        dateCreated=iso(booking.created_at) or "",
        confirmationDate=iso(booking.confirmed_at),
        cancellationLimitDate=iso(start - rules.HEAD_REFUSAL_NOTICE),
        dateUsed=iso(booking.used_at),
        reimbursementDate=iso(booking.reimbursed_at),
    )


def summary_out(offer: CollectiveOffer, now: dt.datetime | None = None) -> CollectiveOfferSummary:
    now = now or clock.now()
    stock = offer.stock
    return CollectiveOfferSummary(
        id=offer.pk,
        status=legacy_status(offer, now),
        offerStatus=displayed_status(offer, now),
        venueId=offer.venue_id,
        startDatetime=iso(stock.start_datetime) or "",
        endDatetime=iso(stock.end_datetime) or "",
        bookings=[booking_out(b, stock.start_datetime) for b in offer.bookings.all()],
    )


def _locations(offer: CollectiveOffer) -> tuple[LocationOut, OfferVenueOut]:
    kind = offer.location_type
    if kind == LocationType.SCHOOL:
        return SchoolLocation(), OfferVenueOut(addressType="school")
    if kind == LocationType.ADDRESS and offer.address is not None:
        address = offer.address
        where = f"{address.street}, {address.postal_code} {address.city}"
        return (
            AddressLocation(addressId=address.pk, addressLabel=address.label or None),
            OfferVenueOut(addressType="other", otherAddress=where),
        )
    if kind == LocationType.TO_BE_DEFINED:
        comment = offer.location_comment or None
        return ToBeDefinedLocation(comment=comment), OfferVenueOut(
            addressType="other", otherAddress=comment
        )
    return VenueAddressLocation(), OfferVenueOut(addressType="offererVenue", venueId=offer.venue_id)


def offer_out(offer: CollectiveOffer, now: dt.datetime | None = None) -> CollectiveOfferResponse:
    now = now or clock.now()
    stock, venue, school = offer.stock, offer.venue, offer.target_school
    location, offer_venue = _locations(offer)
    return CollectiveOfferResponse(
        **summary_out(offer, now).model_dump(),
        name=offer.name,
        description=offer.description or None,
        contactEmail=offer.contact_email,
        contactPhone=offer.contact_phone,
        bookingEmails=list(offer.booking_emails or []),
        domains=vocab.domains_out(offer.domains or []),
        students=vocab.levels_out(offer.levels or []),
        formats=vocab.formats_out(offer.formats or []),
        interventionArea=list(offer.intervention_departments or []),
        durationMinutes=offer.duration_minutes,
        dateCreated=iso(offer.created_at) or "",
        hasBookingLimitDatetimesPassed=stock.booking_limit_datetime < now,
        isActive=offer.is_active,
        isSoldOut=_live(offer) is not None,
        bookingLimitDatetime=iso(stock.booking_limit_datetime) or "",
        totalPrice=stock.price / 100,
        numberOfTickets=stock.number_of_pupils,
        educationalPriceDetail=stock.price_detail or None,
        educationalInstitution=school.uai if school else None,
        educationalInstitutionId=school.pk if school else None,
        location=location,
        offerVenue=offer_venue,
        # Collective offers carry no accessibility of their own here: the venue's applies.
        audioDisabilityCompliant=venue.hearing_accessible,
        mentalDisabilityCompliant=venue.mental_accessible,
        motorDisabilityCompliant=venue.motor_accessible,
        visualDisabilityCompliant=venue.visual_accessible,
    )
