"""Reads on bookings and credit balances (balance = credited − live bookings)."""

import dataclasses
import datetime as dt

from django.db.models import F, QuerySet, Sum

from passculture.accounts.models import User
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.scoping import get_scoped_or_404
from passculture.credit import rules as credit_rules
from passculture.credit.models import Deposit
from passculture.offerers.selectors import venues_for_user

SPENDING = [BookingStatus.CONFIRMED, BookingStatus.USED, BookingStatus.REIMBURSED]


def current_deposit(user: User, now: dt.datetime | None = None) -> Deposit | None:
    """The deposit the young person spends from now (the latest one not expired)."""
    now = now or clock.now()
    return user.deposits.filter(expires_at__gt=now).order_by("-created_at").first()


def spent_on(deposit: Deposit, *, digital_only: bool = False) -> int:
    bookings = Booking.objects.filter(deposit=deposit, status__in=SPENDING)
    if digital_only:
        bookings = bookings.filter(is_digital_capped=True)
    return bookings.aggregate(s=Sum(F("amount") * F("quantity")))["s"] or 0


@dataclasses.dataclass(frozen=True)
class Credit:
    deposit: Deposit | None
    credited: int
    spent: int
    balance: int
    digital_left: int | None
    expires_at: dt.datetime | None


def credit_of(user: User) -> Credit:
    deposit = current_deposit(user)
    if deposit is None:
        return Credit(None, 0, 0, 0, None, None)
    spent = spent_on(deposit)
    digital_left = None
    if deposit.digital_cap is not None:
        digital_left = max(0, deposit.digital_cap - spent_on(deposit, digital_only=True))
    balance = credit_rules.balance(credited=deposit.amount, spent=spent)
    if digital_left is not None:
        digital_left = min(digital_left, balance)
    return Credit(deposit, deposit.amount, spent, balance, digital_left, deposit.expires_at)


def bookings_of(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(user=user).select_related(
        "stock__price_category", "offer__venue", "offer__address"
    )


def get_booking_of(user: User, booking_id: object) -> Booking:
    return get_scoped_or_404(bookings_of(user), pk=booking_id)


def venue_bookings(user: User) -> QuerySet[Booking]:
    """Bookings of the pro's venues (and only those): the door and the bookings tab."""
    return Booking.objects.filter(offer__venue__in=venues_for_user(user)).select_related(
        "user", "stock__price_category", "offer__venue"
    )


def find_by_token(token: str) -> Booking | None:
    return (
        Booking.objects.select_related("user", "stock__price_category", "offer__venue")
        .filter(token=token)
        .first()
    )


def venue_ids_of(user: User) -> set[int]:
    return set(venues_for_user(user).values_list("pk", flat=True))
