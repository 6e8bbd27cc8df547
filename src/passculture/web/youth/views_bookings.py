"""My bookings: the list (upcoming / past / cancelled), one booking with its QR code, cancel."""

import dataclasses
import datetime as dt

import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from passculture.bookings import rules, selectors, services
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.offers import catalogue
from passculture.web.youth import display
from passculture.web.youth.access import youth_page


@dataclasses.dataclass
class Row:
    booking: Booking
    start: dt.datetime | None
    when: str
    total: str


def _row(booking: Booking) -> Row:
    start = booking.stock.beginning_datetime
    return Row(
        booking=booking,
        start=start,
        when=display.long_datetime(start) if start else "",
        total="Gratuit" if booking.total == 0 else display.format_cents(booking.total),
    )


LATER = dt.datetime.max.replace(tzinfo=dt.UTC)


@youth_page
def booking_list(request):
    upcoming: list[Row] = []
    past: list[Row] = []
    cancelled: list[Row] = []
    for booking in selectors.bookings_of(request.user).order_by("-created_at", "-pk"):
        if booking.status == BookingStatus.CONFIRMED:
            upcoming.append(_row(booking))
        elif booking.status == BookingStatus.CANCELLED:
            cancelled.append(_row(booking))
        else:
            past.append(_row(booking))
    upcoming.sort(key=lambda row: row.start or LATER)  # soonest first, things without a date last
    return render(
        request,
        "youth/booking_list.html",
        {
            "page_title": "Mes réservations",
            "sections": [
                ("a-venir", "À venir", upcoming, "Aucune réservation à venir."),
                ("passees", "Passées", past, "Aucune réservation passée."),
                ("annulees", "Annulées", cancelled, "Aucune réservation annulée."),
            ],
        },
    )


def _qr_svg(token: str) -> str:
    qr = segno.make(token, micro=False)
    svg = qr.svg_inline(scale=6, title=f"QR code de la contremarque {token}", svgclass="pc-qr")
    return mark_safe(svg)  # noqa: S308 — segno's own markup; the token is A–Z/2–7 only


@youth_page
def booking_detail(request, booking_id: int):
    booking = selectors.get_booking_of(request.user, booking_id)
    now = clock.now()
    stock, offer = booking.stock, booking.offer
    limit = booking.cancellation_limit
    cancellable = booking.status == BookingStatus.CONFIRMED and rules.can_beneficiary_cancel(
        limit=limit, now=now
    )
    sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
    return render(
        request,
        "youth/booking_detail.html",
        {
            "page_title": f"Réservation — {offer.name}",
            "booking": booking,
            "offer": offer,
            "sub": sub,
            "qr": _qr_svg(booking.token) if booking.status == BookingStatus.CONFIRMED else "",
            "when": display.long_datetime(stock.beginning_datetime)
            if stock.beginning_datetime
            else "",
            "place": display.place_of(offer),
            "unit_price": display.format_cents(booking.amount),
            "total": "Gratuit" if booking.total == 0 else display.format_cents(booking.total),
            "cancellable": cancellable,
            "limit": display.long_datetime(limit) if limit else "",
            "limit_passed": limit is not None and now >= limit,
            "booked_on": display.long_datetime(booking.created_at),
            "used_on": display.long_datetime(booking.used_at) if booking.used_at else "",
            "cancelled_on": display.long_datetime(booking.cancelled_at)
            if booking.cancelled_at
            else "",
            "withdrawal": catalogue.WITHDRAWAL_LABELS.get(offer.withdrawal_type, ""),
        },
    )


@youth_page
@require_POST
def booking_cancel(request, booking_id: int):
    booking = selectors.get_booking_of(request.user, booking_id)  # 404 for anyone else's
    try:
        services.cancel_by_beneficiary(user=request.user, booking_id=booking.pk)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(request, "Votre réservation est annulée : votre crédit vous est rendu.")
    return redirect("youth:booking", booking_id=booking.pk)
