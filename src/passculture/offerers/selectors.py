"""Reads scoped to what a user may see: the pro scoping helper lives here."""

from django.db.models import Count, Q, QuerySet

from passculture.accounts.models import User
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue


def offerers_for_user(user: User) -> QuerySet[Offerer]:
    """Structures where the user's membership is validated (staff included: no bypass here)."""
    if not user.is_authenticated:
        return Offerer.objects.none()
    return Offerer.objects.filter(
        memberships__user=user, memberships__status=ValidationStatus.VALIDATED
    )


def venues_for_user(user: User) -> QuerySet[Venue]:
    return Venue.objects.filter(offerer__in=offerers_for_user(user)).select_related("offerer")


def get_offerer_for_user(user: User, offerer_id: object) -> Offerer:
    """The user's structure or a 404 (never reveals that another structure exists)."""
    return get_scoped_or_404(offerers_for_user(user), pk=offerer_id)


def get_venue_for_user(user: User, venue_id: object) -> Venue:
    return get_scoped_or_404(venues_for_user(user), pk=venue_id)


def pending_memberships_of_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, status=ValidationStatus.PENDING).select_related(
        "offerer"
    )


def offerers_with_counts(user: User) -> QuerySet[Offerer]:
    return offerers_for_user(user).annotate(
        venue_count=Count("venues", distinct=True),
        member_count=Count(
            "memberships", filter=Q(memberships__status=ValidationStatus.VALIDATED), distinct=True
        ),
    )


def members_of(offerer: Offerer) -> QuerySet[Membership]:
    return offerer.memberships.select_related("user").order_by("status", "user__last_name")
