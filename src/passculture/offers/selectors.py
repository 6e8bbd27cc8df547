"""Scoped reads on offers: lists with filters and counts, one offer, its dates."""

import dataclasses
import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.selectors import offerers_for_user
from passculture.offers import rules
from passculture.offers.models import Offer, Stock


def offers_for_user(user: User) -> QuerySet[Offer]:
    """Offers of the venues of the user's validated structures; nothing else, ever."""
    return Offer.objects.filter(venue__offerer__in=offerers_for_user(user))


def get_offer_for_user(user: User, offer_id: object) -> Offer:
    return get_scoped_or_404(
        offers_for_user(user).select_related("venue__offerer", "address"), pk=offer_id
    )


def get_stock_for_user(user: User, stock_id: object) -> Stock:
    return get_scoped_or_404(
        Stock.objects.filter(offer__in=offers_for_user(user), is_deleted=False).select_related(
            "offer__venue", "offer__address", "price_category"
        ),
        pk=stock_id,
    )


def _bookable(now: dt.datetime) -> Q:
    open_limit = Q(booking_limit_datetime__isnull=True) | Q(booking_limit_datetime__gt=now)
    not_started = Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gt=now)
    seats = Q(quantity__isnull=True) | Q(booked_quantity__lt=F("quantity"))
    return Q(is_deleted=False) & open_limit & not_started & seats


def annotate_offers(queryset: QuerySet[Offer], now: dt.datetime | None = None) -> QuerySet[Offer]:
    """Add what lists show: live/bookable/future stock counts, seats, booked seats."""
    now = now or clock.now()
    live = Q(stocks__is_deleted=False)
    future = live & (
        Q(stocks__beginning_datetime__isnull=True) | Q(stocks__beginning_datetime__gt=now)
    )
    bookable = Stock.objects.filter(_bookable(now), offer=OuterRef("pk"))
    return queryset.annotate(
        stock_count=Count("stocks", filter=live, distinct=True),
        future_count=Count("stocks", filter=future, distinct=True),
        has_bookable=Exists(bookable),
        seats=Sum("stocks__quantity", filter=live),
        booked=Sum("stocks__booked_quantity", filter=live),
    )


def status_of(offer: Offer, now: dt.datetime | None = None) -> str:
    """Status of an offer annotated by annotate_offers (or computed with two queries)."""
    now = now or clock.now()
    if not hasattr(offer, "future_count"):
        offer = annotate_offers(Offer.objects.filter(pk=offer.pk), now).get()
    return rules.offer_status(
        validation=offer.validation,
        is_active=offer.is_active,
        archived=offer.archived_at is not None,
        publication_datetime=offer.publication_datetime,
        booking_allowed_datetime=offer.booking_allowed_datetime,
        bookable_stocks=1 if offer.has_bookable else 0,  # type: ignore[attr-defined]
        future_stocks=offer.future_count,  # type: ignore[attr-defined]
        now=now,
    )


@dataclasses.dataclass
class OfferFilters:
    text: str = ""
    status: str = ""
    venue_id: int | None = None
    category_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_archived: bool = False


def filter_offers(queryset: QuerySet[Offer], filters: OfferFilters) -> QuerySet[Offer]:
    from passculture.offers import catalogue

    if filters.text:
        queryset = queryset.filter(
            Q(name__icontains=filters.text) | Q(extra_data__ean=filters.text.strip())
        )
    if filters.venue_id:
        queryset = queryset.filter(venue_id=filters.venue_id)
    if filters.category_id:
        ids = [
            s.id for s in catalogue.SUBCATEGORIES.values() if s.category_id == filters.category_id
        ]
        queryset = queryset.filter(subcategory_id__in=ids)
    if filters.date_from or filters.date_to:
        dated = Stock.objects.filter(offer=OuterRef("pk"), is_deleted=False)
        if filters.date_from:
            dated = dated.filter(beginning_datetime__date__gte=filters.date_from)
        if filters.date_to:
            dated = dated.filter(beginning_datetime__date__lte=filters.date_to)
        queryset = queryset.filter(Exists(dated))
    if filters.status:
        queryset = queryset.filter(_status_q(filters.status, clock.now()))
    elif not filters.include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    return queryset


def _status_q(status: str, now: dt.datetime) -> Q:
    """SQL twin of rules.offer_status, on a queryset annotated by annotate_offers."""
    live = Q(archived_at__isnull=True)
    if status == "ARCHIVED":
        return Q(archived_at__isnull=False)
    if status in {"DRAFT", "PENDING", "REJECTED"}:
        return live & Q(validation=status.lower())
    approved = live & Q(validation="approved")
    if status == "INACTIVE":
        return approved & Q(is_active=False)
    shown = approved & Q(is_active=True)
    published = shown & (Q(publication_datetime__isnull=True) | Q(publication_datetime__lte=now))
    open_now = Q(booking_allowed_datetime__isnull=True) | Q(booking_allowed_datetime__lte=now)
    return {
        "SCHEDULED": shown & Q(publication_datetime__gt=now),
        "EXPIRED": published & Q(future_count=0),
        "SOLD_OUT": published & Q(future_count__gt=0, has_bookable=False),
        "PUBLISHED": published & Q(has_bookable=True) & ~open_now,
        "ACTIVE": published & Q(has_bookable=True) & open_now,
    }.get(status, Q(pk__in=[]))


def stocks_of(offer: Offer) -> QuerySet[Stock]:
    return offer.stocks.filter(is_deleted=False).select_related("price_category")


PUBLIC_STATUSES = {"ACTIVE", "PUBLISHED", "SOLD_OUT"}


def public_offers(now: dt.datetime | None = None) -> QuerySet[Offer]:
    """Offers anyone may see: approved, active, published, of a validated structure."""
    now = now or clock.now()
    queryset = annotate_offers(
        Offer.objects.filter(venue__offerer__validation_status="validated"), now
    )
    return queryset.filter(
        _status_q("ACTIVE", now) | _status_q("PUBLISHED", now) | _status_q("SOLD_OUT", now)
    ).select_related("venue", "address")


def upcoming_stocks(offer: Offer, now: dt.datetime | None = None) -> QuerySet[Stock]:
    now = now or clock.now()
    return stocks_of(offer).filter(
        Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gt=now)
    )
