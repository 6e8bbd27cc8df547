"""Reads on a teacher’s own school: membership, bookings, projects, budgets, favourites."""

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    QuerySet,
    Sum,
)

from passculture.collective import rules
from passculture.collective.catalogue import published_offers
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    EacProject,
    Favourite,
    School,
    SchoolBudget,
    SchoolMember,
)
from passculture.collective.services.bookings import committed_on
from passculture.core import clock

# --- the school's own data ----------------------------------------------------------------


def membership(user: Any) -> SchoolMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SchoolMember.objects.select_related("school").filter(user=user).first()


def bookings_of_school(school: School) -> QuerySet[CollectiveBooking]:
    """Every booking of the school (the one scoping for teachers and the head)."""
    return CollectiveBooking.objects.filter(school=school).select_related(
        "offer__venue", "stock", "project", "teacher", "year"
    )


def pending_for_head(school: School) -> QuerySet[CollectiveBooking]:
    return (
        bookings_of_school(school)
        .filter(status=CollectiveBookingStatus.PENDING)
        .order_by("confirmation_limit", "id")
    )


def projects_of(school: School) -> list[str]:
    return list(
        EacProject.objects.filter(school=school).order_by("name").values_list("name", flat=True)
    )


@dataclasses.dataclass(frozen=True)
class BudgetCard:
    year: str
    amount: int
    provisional: bool
    spendable: int
    committed: int
    pending: int  # pre-bookings waiting for the head (not yet committed)
    left: int


def budget_cards(school: School, now: dt.datetime | None = None) -> list[BudgetCard]:
    """The school's budgets of the current and later years, with what is committed and left."""
    now = now or clock.now()
    budgets = (
        SchoolBudget.objects.filter(school=school, year__ends_at__gt=now)
        .select_related("year", "school")
        .order_by("year__begins_at")
    )
    pending = dict(
        CollectiveBooking.objects.filter(
            school=school, year__ends_at__gt=now, status=CollectiveBookingStatus.PENDING
        )
        .values("year_id")
        .annotate(total=Sum("price"))
        .values_list("year_id", "total")
    )
    cards = []
    for budget in budgets:
        committed = committed_on(budget)  # the very sum the head's confirmation checks
        spendable = rules.spendable(budget.amount, provisional=budget.is_provisional)
        cards.append(
            BudgetCard(
                year=budget.year.code,
                amount=budget.amount,
                provisional=budget.is_provisional,
                spendable=spendable,
                committed=committed,
                pending=pending.get(budget.year_id, 0),
                left=spendable - committed,
            )
        )
    return cards


def favourite_offer_ids(user: Any, offer_ids: Iterable[int] | None = None) -> set[int]:
    queryset = Favourite.objects.filter(user=user)
    if offer_ids is not None:
        queryset = queryset.filter(offer_id__in=list(offer_ids))
    return set(queryset.values_list("offer_id", flat=True))


def favourites_of(user: Any) -> list[tuple[CollectiveOffer, bool]]:
    """The user's favourite offers, each with whether it is still published."""
    published = set(published_offers().filter(favourites__user=user).values_list("pk", flat=True))
    favourites = (
        Favourite.objects.filter(user=user)
        .select_related("offer__venue", "offer__stock")
        .order_by("-created_at", "-id")
    )
    return [(f.offer, f.offer_id in published) for f in favourites]
