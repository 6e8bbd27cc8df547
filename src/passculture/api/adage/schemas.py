"""Payloads of the ADAGE API: integer ids, prices in cents, UTC date-times."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from passculture.collective.models import CollectiveBooking


class ErrorOut(Schema):
    code: str = Field(examples=["insufficient_budget"])
    message: str


class RefuseIn(Schema):
    comment: str = Field("", max_length=300, description="Motif transmis à la structure.")


class BookingOut(Schema):
    id: int
    status: str = Field(description="pending, confirmed, used, reimbursed ou cancelled")
    status_label: str
    year: str = Field(examples=["2026-2027"])
    uai: str
    school_name: str
    offer_id: int
    offer_name: str
    venue_id: int
    venue_name: str
    start: dt.datetime
    end: dt.datetime
    price: int = Field(description="Prix total en centimes")
    number_of_pupils: int
    teacher_name: str
    teacher_email: str
    project: str | None
    created_at: dt.datetime
    confirmation_limit: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancellation_reason: str | None
    cancellation_comment: str | None

    @staticmethod
    def of(booking: CollectiveBooking) -> "BookingOut":
        stock, offer, school = booking.stock, booking.offer, booking.school
        return BookingOut(
            id=booking.pk, status=booking.status, status_label=booking.get_status_display(),
            year=booking.year.code, uai=school.uai, school_name=school.name,
            offer_id=offer.pk, offer_name=offer.name, venue_id=offer.venue_id,
            venue_name=offer.venue.public_name or offer.venue.name,
            start=stock.start_datetime, end=stock.end_datetime, price=booking.price,
            number_of_pupils=stock.number_of_pupils, teacher_name=booking.teacher.full_name,
            teacher_email=booking.teacher.email,
            project=booking.project.name if booking.project else None,
            created_at=booking.created_at, confirmation_limit=booking.confirmation_limit,
            confirmed_at=booking.confirmed_at, cancelled_at=booking.cancelled_at,
            cancellation_reason=booking.cancellation_reason or None,
            cancellation_comment=booking.cancellation_comment or None,
        )  # fmt: skip


class SchoolBookingsOut(Schema):
    uai: str
    school_name: str
    year: str
    bookings: list[BookingOut]


class BudgetOut(Schema):
    uai: str
    year: str
    amount: int = Field(description="Budget de l’année, en centimes")
    provisional: bool = Field(description="Provisoire : seuls 80 % sont engageables")
    spendable: int = Field(description="Montant engageable, en centimes")
    committed: int = Field(description="Engagé (réservations confirmées, terminées, remboursées)")
    remaining: int = Field(description="Reste engageable, en centimes")
