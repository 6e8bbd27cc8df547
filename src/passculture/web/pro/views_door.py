"""The door ("guichet"): find a booking by its token, validate it, undo that, or cancel it.

Built for a phone at the entrance: one big input, the answer right below, one big button per
action. A token of another structure only ever yields the WrongVenue message: the young
person's name, the offer and the date are never rendered for it.
"""

import dataclasses
import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from passculture.bookings import errors, rules, selectors, services
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.web.pro.access import pro_page

PARIS = ZoneInfo("Europe/Paris")
REASON_MAX_LENGTH = 300
ACTIONS = {"", "validate", "unvalidate", "cancel"}


class MissingReason(DomainError):
    code = "missing_reason"
    message = "Indiquez le motif de l’annulation : il est transmis au jeune."
    field = "reason"


def _local(value: dt.datetime) -> str:
    # Same wording as the booking service's refusals, so the page and the service agree.
    return f"{value.astimezone(PARIS):%d/%m/%Y à %H:%M}"


@dataclasses.dataclass(frozen=True)
class DoorEntry:
    """A booking of the pro's venues as the door shows it, with what can be done now."""

    booking: Booking
    notice: str
    notice_level: str
    can_validate: bool
    can_unvalidate: bool
    can_cancel: bool

    @property
    def total(self) -> str:
        return format_cents(self.booking.total)

    @property
    def unit_price(self) -> str:
        return format_cents(self.booking.amount)

    @property
    def price_category(self) -> str:
        category = self.booking.stock.price_category
        return category.label if category is not None else "Tarif unique"


def _entry(booking: Booking, now: dt.datetime) -> DoorEntry:
    status = booking.status
    if status == BookingStatus.CANCELLED:
        text = errors.BookingCancelled(date=_local(booking.cancelled_at or now)).text
        if booking.cancellation_reason:
            text = f"{text} Motif : {booking.get_cancellation_reason_display()}."
        return DoorEntry(booking, text, "error", False, False, False)
    if status == BookingStatus.REIMBURSED:
        return DoorEntry(booking, errors.BookingReimbursed().text, "info", False, False, False)
    if status == BookingStatus.USED:
        # A warning: a token shown twice at the door is the case to catch.
        text = errors.AlreadyUsed(date=_local(booking.used_at or now)).text
        return DoorEntry(booking, text, "warning", False, True, False)
    if not rules.can_validate(limit=booking.cancellation_limit, now=now):
        text = errors.TooEarlyToValidate(date=_local(booking.cancellation_limit or now)).text
        return DoorEntry(booking, text, "warning", False, False, True)
    return DoorEntry(booking, "", "", True, False, True)


def _find(user, raw_token: str) -> Booking:
    """The booking of this token within the pro's venues; TokenNotFound or WrongVenue otherwise."""
    token = rules.normalize_token(raw_token)
    if not rules.is_token(token):
        raise errors.TokenNotFound()
    booking = selectors.venue_bookings(user).filter(token=token).first()
    if booking is None:
        # Only whether it exists elsewhere is used: nothing of it reaches the page.
        if selectors.find_by_token(token) is not None:
            raise errors.WrongVenue()
        raise errors.TokenNotFound()
    return booking


def _page(request, *, token: str, entry: DoorEntry | None = None, error: str = "", **extra):
    return render(
        request,
        "pro/door/door.html",
        {
            "page_title": "Guichet",
            "token": token,
            "entry": entry,
            "error": error,
            "reason_max_length": REASON_MAX_LENGTH,
            **extra,
        },
    )


def _back_to(token: str, **flags: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('pro:door')}?{urlencode({'token': token, **flags})}")


@pro_page("bookings")
def door(request):
    """GET ?token= looks a booking up; POST runs one action on it (validate, undo, cancel)."""
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("token", "")[:40]
    token = rules.normalize_token(raw)
    if request.method == "POST":
        return _act(request, token=token, action=source.get("action", ""))
    if not token:
        return _page(request, token="")
    try:
        booking = _find(request.user, token)
    except DomainError as exc:
        return _page(request, token=token, error=exc.text)
    entry = _entry(booking, clock.now())
    if request.GET.get("valide") == "1" and booking.status == BookingStatus.USED:
        # Just validated here: the success message says it; "already used" would confuse.
        entry = dataclasses.replace(entry, notice="")
    return _page(request, token=token, entry=entry)


def _act(request, *, token: str, action: str):
    if action not in ACTIONS or action == "" or not token:
        return _back_to(token)  # a plain look-up (or nonsense) posted: show it with a GET
    user = request.user
    reason = request.POST.get("reason", "").strip()
    try:
        if action == "validate":
            booking = services.validate_token(
                actor=user, token=token, venue_ids=selectors.venue_ids_of(user)
            )
            places = "2 places (duo)" if booking.quantity == 2 else "1 place"
            messages.success(request, f"Contremarque {booking.token} validée : {places}.")
        elif action == "unvalidate":
            booking = _find(user, token)
            services.unvalidate_booking(actor=user, booking_id=booking.pk)
            messages.success(
                request,
                f"Validation annulée : la contremarque {booking.token} est de nouveau à valider.",
            )
        else:
            booking = _find(user, token)
            if not reason:
                raise MissingReason()
            services.cancel_by_offerer(
                actor=user, booking_id=booking.pk, comment=reason[:REASON_MAX_LENGTH]
            )
            messages.success(
                request,
                f"Réservation {booking.token} annulée : le jeune est prévenu "
                "et son crédit lui est rendu.",
            )
    except DomainError as exc:
        return _refused(request, token=token, error=exc, reason=reason)
    return _back_to(booking.token, **({"valide": "1"} if action == "validate" else {}))


def _refused(request, *, token: str, error: DomainError, reason: str):
    """Show the refusal; the booking itself only when it belongs to the pro's venues."""
    entry = None
    if not isinstance(error, errors.TokenNotFound | errors.WrongVenue):
        try:
            entry = _entry(_find(request.user, token), clock.now())
        except DomainError:
            entry = None
    return _page(
        request,
        token=token,
        entry=entry,
        error=error.text,
        reason=reason if isinstance(error, MissingReason) else "",
        reason_error=isinstance(error, MissingReason),
    )
