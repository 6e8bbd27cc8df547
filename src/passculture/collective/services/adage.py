"""What the ministry tool (ADAGE) does through its API: confirm/refuse, read bookings and budgets.

The ministry tool acts on behalf of the head of school: when the school has a head user
here, the booking flow runs as that head; otherwise it runs with the actor label "ADAGE".
The budget check is the booking flow's own (collective.services.bookings.confirm).
"""

import dataclasses
import re

from django.db.models import QuerySet

from passculture.accounts.models import User
from passculture.collective import rules
from passculture.collective.errors import CollectiveError, InvalidUai
from passculture.collective.models import (
    CollectiveBooking,
    EducationalYear,
    School,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.services import bookings
from passculture.core import clock
from passculture.core.errors import NotFound

ADAGE = "ADAGE"
YEAR_CODE = re.compile(r"^([0-9]{4})-([0-9]{4})$")


class BookingNotFound(NotFound):
    code = "booking_not_found"
    message = "Réservation collective introuvable."


class SchoolNotFound(NotFound):
    code = "school_not_found"
    message = "Aucun établissement connu avec l’UAI « {uai} »."


class BudgetNotFound(NotFound):
    code = "no_budget"
    message = "L’établissement n’a pas de budget pour l’année scolaire {year}."


class InvalidYear(CollectiveError):
    code = "invalid_year"
    message = "Année scolaire invalide : attendu « AAAA-AAAA » (ex. 2026-2027)."
    field = "year"


def year_code(value: str | None) -> str:
    """A validated school-year code; the current year (Europe/Paris) when none is given."""
    if not value:
        return rules.year_of(clock.now())
    match = YEAR_CODE.match(value.strip())
    if match is None or int(match[2]) != int(match[1]) + 1 or not 1900 < int(match[1]) < 2200:
        raise InvalidYear()
    return match[0]


def school_of(uai: str) -> School:
    code = uai.strip().upper()
    if not rules.is_valid_uai(code):
        raise InvalidUai()
    school = School.objects.filter(uai=code).first()
    if school is None:
        raise SchoolNotFound(uai=code)
    return school


def head_of(school_id: int) -> User | None:
    member = (
        SchoolMember.objects.select_related("user")
        .filter(school_id=school_id, role=SchoolRole.HEAD, user__is_active=True)
        .first()
    )
    return member.user if member else None


def _school_id_of(booking_id: int) -> int:
    school_id = (
        CollectiveBooking.objects.filter(pk=booking_id).values_list("school_id", flat=True).first()
    )
    if school_id is None:
        raise BookingNotFound()
    return school_id


def confirm_for_ministry(*, booking_id: int) -> CollectiveBooking:
    """ADAGE confirms a pre-booking as the school's head (or as "ADAGE" if it has none)."""
    head = head_of(_school_id_of(booking_id))
    if head is not None:
        return bookings.confirm(head=head, booking_id=booking_id)
    return bookings.confirm(head=None, booking_id=booking_id, on_behalf_of=ADAGE)


def refuse_for_ministry(*, booking_id: int, comment: str = "") -> CollectiveBooking:
    """ADAGE refuses a pre-booking (or a confirmed booking up to 15 days before the start)."""
    head = head_of(_school_id_of(booking_id))
    if head is not None:
        return bookings.refuse(head=head, booking_id=booking_id, comment=comment)
    return bookings.refuse(head=None, booking_id=booking_id, comment=comment, on_behalf_of=ADAGE)


def get_booking(booking_id: int) -> CollectiveBooking:
    booking = _bookings().filter(pk=booking_id).first()
    if booking is None:
        raise BookingNotFound()
    return booking


def _bookings() -> QuerySet[CollectiveBooking]:
    return CollectiveBooking.objects.select_related(
        "school", "year", "stock", "offer__venue", "teacher", "project"
    )


def school_bookings(*, uai: str, year: str | None) -> tuple[School, str, list[CollectiveBooking]]:
    """A school's pre-bookings and bookings of a school year (every status), oldest first."""
    school = school_of(uai)
    code = year_code(year)
    rows = list(_bookings().filter(school=school, year__code=code).order_by("created_at", "pk"))
    return school, code, rows


@dataclasses.dataclass(frozen=True)
class BudgetView:
    uai: str
    year: str
    amount: int
    provisional: bool
    spendable: int
    committed: int
    remaining: int


def school_budget(*, uai: str, year: str | None) -> BudgetView:
    """The school's budget for a year: amount, what is spendable, committed and left (cents)."""
    school = school_of(uai)
    code = year_code(year)
    budget = (
        SchoolBudget.objects.select_related("school", "year")
        .filter(school=school, year__in=EducationalYear.objects.filter(code=code))
        .first()
    )
    if budget is None:
        raise BudgetNotFound(year=code)
    committed = bookings.committed_on(budget)
    spendable = rules.spendable(budget.amount, provisional=budget.is_provisional)
    return BudgetView(
        uai=school.uai, year=code, amount=budget.amount, provisional=budget.is_provisional,
        spendable=spendable, committed=committed, remaining=spendable - committed,
    )  # fmt: skip
