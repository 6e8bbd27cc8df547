"""Builders for booking tests: young people with a credit, bookable offers, state snapshots.

Deposits and offers are written straight to the database (the credit and offer services
have their own tests); bookings go through the booking service under test.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django_tasks_db.models import DBTaskResult

from passculture.accounts.models import Role, User
from passculture.bookings import selectors
from passculture.bookings.models import Booking
from passculture.core.models import AuditEntry
from passculture.credit.models import CreditEntry, Deposit, DepositKind
from passculture.offerers.models import Venue
from passculture.offers import catalogue
from passculture.offers.models import Offer, PriceCategory, Stock, Validation

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
# "Now" for booking tests: Monday 4 January 2027, 09:00 in Paris (08:00 UTC).
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=PARIS).astimezone(UTC)
_seq = itertools.count(1)


def paris(*args: int) -> dt.datetime:
    """A Paris wall-clock time as an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def make_youth(
    email: str | None = None,
    *,
    birth_date: dt.date = dt.date(2009, 3, 15),
    validated: bool = True,
    **extra: object,
) -> User:
    """A young person (17 on NOW) whose identity is validated; no deposit yet."""
    email = email or f"jeune{next(_seq)}@exemple.fr"
    extra.setdefault("first_name", "Léa")
    extra.setdefault("last_name", "Moreau")
    extra.setdefault("role", Role.BENEFICIARY)
    return User.objects.create_user(
        email,
        None,  # no hashing: service tests never log in
        birth_date=birth_date,
        postal_code="69003",
        city="Lyon",
        department_code="69",
        identity_validated_at=NOW - dt.timedelta(days=30) if validated else None,
        **extra,
    )


def give_deposit(
    user: User,
    amount: int = 15_000,
    *,
    kind: str = DepositKind.AGE_17_18,
    rule_set: str = "2025",
    expires_at: dt.datetime | None = None,
    digital_cap: int | None = 10_000,
    created_at: dt.datetime | None = None,
) -> Deposit:
    deposit = Deposit.objects.create(
        user=user,
        kind=kind,
        rule_set=rule_set,
        amount=amount,
        digital_cap=digital_cap,
        expires_at=expires_at or NOW + dt.timedelta(days=3 * 365),
        created_at=created_at or NOW - dt.timedelta(days=30),
    )
    CreditEntry.objects.create(deposit=deposit, amount=amount, reason="grant", age=17)
    return deposit


def make_beneficiary(amount: int = 15_000, **deposit: object) -> User:
    user = make_youth()
    give_deposit(user, amount, **deposit)  # type: ignore[arg-type]
    return user


def make_bookable_offer(
    venue: Venue,
    *,
    subcategory_id: str = "SPECTACLE_REPRESENTATION",
    name: str = "Cyrano de Bergerac",
    price: int = 1_200,
    quantity: int | None = 10,
    beginning: dt.datetime | None = None,
    limit: dt.datetime | None = None,
    is_duo: bool = False,
    **fields: object,
) -> Stock:
    """An approved, active offer with one stock (an event in 10 days, or a thing)."""
    if subcategory_id == "SPECTACLE_REPRESENTATION":
        fields.setdefault("extra_data", {"showType": "THEATRE-CLASSIQUE"})
    fields.setdefault("validation", Validation.APPROVED)
    fields.setdefault("booking_email", "billetterie@celestins.fr")
    offer = Offer.objects.create(
        venue=venue, subcategory_id=subcategory_id, name=name, is_duo=is_duo, **fields
    )
    event = catalogue.get_subcategory(subcategory_id).is_event
    category = None
    if event:
        category = PriceCategory.objects.create(offer=offer, label="Plein tarif", price=price)
        beginning = beginning or NOW + dt.timedelta(days=10)
        limit = limit or beginning - dt.timedelta(hours=1)
    return Stock.objects.create(
        offer=offer,
        price_category=category,
        price=price,
        quantity=quantity,
        beginning_datetime=beginning if event else None,
        booking_limit_datetime=limit,
    )


def balance_of(user: User) -> int:
    return selectors.credit_of(user).balance


def state(user: User | None = None) -> dict[str, object]:
    """Everything a booking may touch, to prove a refusal changed nothing."""
    return {
        "stocks": list(Stock.objects.order_by("pk").values_list("pk", "booked_quantity")),
        "bookings": list(Booking.objects.order_by("pk").values()),
        "deposits": list(Deposit.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "balance": balance_of(user) if user is not None else None,
    }


def live_quantity(stock: Stock) -> int:
    """Seats held by live (not cancelled) bookings of the stock."""
    total = (
        Booking.objects.filter(stock=stock)
        .exclude(status="cancelled")
        .aggregate(q=Sum("quantity"))["q"]
    )
    return total or 0
