"""Builders for the bookings tab: bookings in any state at any date, written straight to the
database (the booking services have their own tests; the tab only reads and calls them)."""

import datetime as dt
import itertools

from passculture.accounts.models import User
from passculture.bookings.models import Booking
from passculture.bookings.rules import TOKEN_ALPHABET
from passculture.collective.models import CollectiveBooking
from passculture.core.models import AuditEntry
from passculture.offers.models import Stock
from tests.bookings.factories import NOW, make_youth
from tests.collective import factories as cf

_tokens = itertools.count(1)


def next_token() -> str:
    n, chars = next(_tokens) * 7919, []
    for _ in range(6):
        n, digit = divmod(n, len(TOKEN_ALPHABET))
        chars.append(TOKEN_ALPHABET[digit])
    return "".join(chars)


def booking(
    stock: Stock,
    user: User | None = None,
    *,
    created_at: dt.datetime = NOW,
    status: str = "confirmed",
    quantity: int = 1,
    token: str | None = None,
    limit: dt.datetime | None = None,
) -> Booking:
    """An individual booking of the stock (a fresh young person unless one is given)."""
    user = user or make_youth()
    made = Booking.objects.create(
        user=user,
        stock=stock,
        offer=stock.offer,
        quantity=quantity,
        amount=stock.price,
        token=token or next_token(),
        status=status,
        created_at=created_at,
        cancellation_limit=limit if limit is not None else created_at,
        cancelled_at=created_at if status == "cancelled" else None,
        used_at=created_at if status in ("used", "reimbursed") else None,
    )
    AuditEntry.objects.create(
        actor_label=user.email,
        action="booking.created",
        object_type="bookings.booking",
        object_id=str(made.pk),
        created_at=created_at,
    )
    return made


def collective_booking(
    venue,
    *,
    created_at: dt.datetime = NOW,
    status: str = "confirmed",
    start: dt.datetime = cf.START,
    school_name: str = "Collège Jean Moulin",
    teacher_name: tuple[str, str] = ("Agnès", "Lemaître"),
    name: str = "Atelier théâtre : Molière en classe",
) -> CollectiveBooking:
    """A collective booking of a new session of the venue, by a new school's teacher."""
    school = cf.make_school(name=school_name)
    teacher = cf.make_member(school, first_name=teacher_name[0], last_name=teacher_name[1])
    offer = cf.make_offer(venue, name=name, start=start)
    made = cf.make_booking(offer, teacher, status=status, project=None)
    CollectiveBooking.objects.filter(pk=made.pk).update(created_at=created_at)
    made.refresh_from_db()
    return made
