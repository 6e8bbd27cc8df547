"""Campaign reads: remaining seats of an offer, the audience of a campaign."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q

from passculture.accounts.models import Role, User
from passculture.campaigns import rules
from passculture.campaigns.models import Campaign
from passculture.offers.models import Stock
from passculture.stats import communes

PARIS = ZoneInfo("Europe/Paris")


def remaining_seats(*, offer_id: int, now: dt.datetime) -> int | None:
    """Seats left across the offer's live stocks still to come; None means unlimited."""
    stocks = Stock.objects.filter(offer_id=offer_id, is_deleted=False).filter(
        Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gt=now)
    )
    total = 0
    for quantity, booked in stocks.values_list("quantity", "booked_quantity"):
        if quantity is None:
            return None
        total += max(0, quantity - booked)
    return total if stocks.exists() else 0


def audience_ids(campaign: Campaign, *, now: dt.datetime) -> list[int]:
    """Ids of the young people the campaign reaches at `now`, in id order.

    Beneficiaries who opted in to marketing, aged age_min..age_max on the Paris date, whose
    home is in one of the départements, or whose home commune centre lies within the
    radius (a home that cannot be located to its commune is left out).
    """
    earliest, latest = rules.birth_date_bounds(
        today=now.astimezone(PARIS).date(), age_min=campaign.age_min, age_max=campaign.age_max
    )
    users = User.objects.filter(
        role=Role.BENEFICIARY,
        is_active=True,
        marketing_opt_in=True,
        birth_date__gte=earliest,
        birth_date__lte=latest,
    ).order_by("pk")
    if campaign.departments:
        return list(
            users.filter(department_code__in=campaign.departments).values_list("pk", flat=True)
        )
    if campaign.latitude is None or campaign.longitude is None or not campaign.radius_km:
        return []
    centre = (float(campaign.latitude), float(campaign.longitude))
    found = []
    for pk, postal_code, city, department in users.values_list(
        "pk", "postal_code", "city", "department_code"
    ):
        home = communes.resolve(postal_code or "", city or "", department or "")
        if home is None or home.precision != "commune":
            continue
        if rules.distance_km(centre, home.position) <= campaign.radius_km:
            found.append(pk)
    return found
