"""Statistics reads, scoped to a pro user's venues. Every function is a bounded query.

Period semantics (Europe/Paris days, both ends included): bookings and cancellations by
booking date; views by view day; fill rates and no-shows by event date (an event's
attendance is known after it happened, whenever it was booked).

No-show: among used event bookings of venues that validate at the door (at least one
booking validated by the venue or its ticketing software, `pro`/`api`, in the period),
the share auto-used 48 h after the event (`auto`). Counted in bookings (a duo counts once).
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from passculture.accounts.models import User
from passculture.bookings.models import Booking, BookingStatus, ValidationAuthor
from passculture.collective.models import CollectiveBooking, CollectiveOffer
from passculture.core import clock
from passculture.offerers.models import Venue
from passculture.offerers.selectors import venues_for_user
from passculture.offers.models import Offer, Stock
from passculture.stats import communes, rules
from passculture.stats.models import OfferViewDay

USED = (BookingStatus.USED, BookingStatus.REIMBURSED)
DOOR = (ValidationAuthor.PRO, ValidationAuthor.API)
MAX_DAYS = 366


@dataclasses.dataclass(frozen=True)
class Scope:
    """What the page asks for: a period and optionally one venue or one offer."""

    start: dt.date
    end: dt.date  # included
    venue_id: int | None = None
    offer_id: int | None = None

    @property
    def start_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), clock.PARIS)

    @property
    def end_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), clock.PARIS)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def venues(user: User) -> QuerySet[Venue]:
    return venues_for_user(user).order_by("name", "pk")


def offers(user: User, scope: Scope | None = None) -> QuerySet[Offer]:
    queryset = Offer.objects.filter(venue__in=venues_for_user(user))
    if scope and scope.venue_id:
        queryset = queryset.filter(venue_id=scope.venue_id)
    return queryset.order_by("name", "pk")


def _bookings(user: User, scope: Scope) -> QuerySet[Booking]:
    queryset = Booking.objects.filter(offer__venue__in=venues_for_user(user))
    if scope.venue_id:
        queryset = queryset.filter(offer__venue_id=scope.venue_id)
    if scope.offer_id:
        queryset = queryset.filter(offer_id=scope.offer_id)
    return queryset


def _views(user: User, scope: Scope) -> QuerySet[OfferViewDay]:
    queryset = OfferViewDay.objects.filter(
        offer__venue__in=venues_for_user(user), day__gte=scope.start, day__lte=scope.end
    )
    if scope.venue_id:
        queryset = queryset.filter(offer__venue_id=scope.venue_id)
    if scope.offer_id:
        queryset = queryset.filter(offer_id=scope.offer_id)
    return queryset


def validating_venue_ids(user: User, scope: Scope) -> set[int]:
    return set(
        _bookings(user, scope)
        .filter(validation_author__in=DOOR, used_at__gte=scope.start_utc, used_at__lt=scope.end_utc)
        .values_list("offer__venue_id", flat=True)
        .distinct()
    )


def _event_used(user: User, scope: Scope) -> QuerySet[Booking]:
    return _bookings(user, scope).filter(
        status__in=USED,
        stock__beginning_datetime__gte=scope.start_utc,
        stock__beginning_datetime__lt=scope.end_utc,
    )


def _new_row() -> dict[str, Any]:
    return {"bookings": 0, "cancelled": 0, "auto": 0, "door": 0, "views": 0}


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["conversion"] = rules.rate(row["bookings"], row["views"]) if row["views"] else None
    row["cancellation_rate"] = rules.rate(row["cancelled"], row["bookings"])
    row["no_show_rate"] = rules.no_show_rate(row["auto"], row["door"])
    return row


def per_offer(user: User, scope: Scope) -> list[dict[str, Any]]:
    """Views, bookings, cancellations, conversion and no-shows per offer."""
    rows: dict[int, dict[str, Any]] = defaultdict(_new_row)
    booked = (
        _bookings(user, scope)
        .filter(created_at__gte=scope.start_utc, created_at__lt=scope.end_utc)
        .values("offer_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(status=BookingStatus.CANCELLED)))
    )
    for item in booked:
        rows[item["offer_id"]].update(bookings=item["n"], cancelled=item["c"])
    validating = validating_venue_ids(user, scope)
    used = (
        _event_used(user, scope)
        .filter(offer__venue_id__in=validating)
        .values("offer_id")
        .annotate(
            a=Count("id", filter=Q(validation_author=ValidationAuthor.AUTO)),
            d=Count("id", filter=Q(validation_author__in=DOOR)),
        )
    )
    for used_item in used:
        rows[used_item["offer_id"]].update(auto=used_item["a"], door=used_item["d"])
    for view in _views(user, scope).values("offer_id").annotate(n=Sum("count")):
        rows[view["offer_id"]]["views"] = view["n"]
    names = dict(Offer.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    venue_of = dict(Offer.objects.filter(pk__in=list(rows)).values_list("pk", "venue__name"))
    result = []
    for offer_id, row in rows.items():
        row.update(offer_id=offer_id, name=names.get(offer_id, ""), venue=venue_of.get(offer_id))
        result.append(_finish(row))
    return sorted(result, key=lambda r: (-r["bookings"], -r["views"], r["name"]))


def per_venue(offer_rows: list[dict[str, Any]], user: User) -> list[dict[str, Any]]:
    """Sums of the offer rows per venue (no extra query on the bookings)."""
    rows: dict[str, dict[str, Any]] = defaultdict(_new_row)
    for offer_row in offer_rows:
        row = rows[offer_row["venue"] or ""]
        for key in ("bookings", "cancelled", "auto", "door", "views"):
            row[key] += offer_row[key]
    return [_finish({"name": name, **row}) for name, row in sorted(rows.items())]


def fill_rates(user: User, scope: Scope, limit: int = 200) -> list[dict[str, Any]]:
    """Booked / contingent per dated stock with a contingent, in the period."""
    stocks = Stock.objects.filter(
        offer__venue__in=venues_for_user(user),
        is_deleted=False,
        quantity__isnull=False,
        beginning_datetime__gte=scope.start_utc,
        beginning_datetime__lt=scope.end_utc,
    )
    if scope.venue_id:
        stocks = stocks.filter(offer__venue_id=scope.venue_id)
    if scope.offer_id:
        stocks = stocks.filter(offer_id=scope.offer_id)
    values = stocks.order_by("beginning_datetime", "pk").values(
        "pk", "offer__name", "beginning_datetime", "quantity", "booked_quantity"
    )[:limit]
    return [
        {
            "stock_id": s["pk"],
            "offer": s["offer__name"],
            "when": s["beginning_datetime"],
            "quantity": s["quantity"],
            "booked": s["booked_quantity"],
            "fill_rate": rules.rate(s["booked_quantity"], s["quantity"] or 0),
        }
        for s in values
    ]


def daily(user: User, scope: Scope) -> list[dict[str, Any]]:
    """Views and bookings per Paris day of the period."""
    views = dict(_views(user, scope).values("day").annotate(n=Sum("count")).values_list("day", "n"))
    booked = dict(
        _bookings(user, scope)
        .filter(created_at__gte=scope.start_utc, created_at__lt=scope.end_utc)
        .annotate(day=TruncDate("created_at", tzinfo=clock.PARIS))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        {"day": day, "views": views.get(day, 0), "bookings": booked.get(day, 0)}
        for day in scope.days()
    ]


def _home(postal_code: str, city: str, department: str) -> communes.Home | None:
    return communes.resolve(postal_code or "", city or "", department or "")


def _position(lat: Any, lon: Any) -> tuple[float, float] | None:
    return None if lat is None or lon is None else (float(lat), float(lon))


def breakdown(user: User, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Bookings, cancellations and no-shows by distance band and by the young's département."""
    home_fields = ("user__postal_code", "user__city", "user__department_code")
    place_fields = ("offer__venue__latitude", "offer__venue__longitude")
    bands: dict[str, dict[str, Any]] = {label: _new_row() for label in rules.BAND_LABELS}
    departments: dict[str, dict[str, Any]] = defaultdict(_new_row)

    def add(values: dict[str, Any], counts: dict[str, int]) -> None:
        home = _home(*(values[f] for f in home_fields))
        place = _position(*(values[f] for f in place_fields))
        band = rules.band_between(home.position if home else None, place)
        department = (
            (home.department if home else "") or values["user__department_code"] or "Inconnu"
        )
        for target in (bands[band], departments[department or "Inconnu"]):
            for key, value in counts.items():
                target[key] += value

    booked = (
        _bookings(user, scope)
        .filter(created_at__gte=scope.start_utc, created_at__lt=scope.end_utc)
        .values(*home_fields, *place_fields)
        .annotate(n=Count("id"), c=Count("id", filter=Q(status=BookingStatus.CANCELLED)))
    )
    for item in booked:
        add(item, {"bookings": item["n"], "cancelled": item["c"]})
    used = (
        _event_used(user, scope)
        .filter(offer__venue_id__in=validating_venue_ids(user, scope))
        .values(*home_fields, *place_fields)
        .annotate(
            a=Count("id", filter=Q(validation_author=ValidationAuthor.AUTO)),
            d=Count("id", filter=Q(validation_author__in=DOOR)),
        )
    )
    for item in used:
        add(item, {"auto": item["a"], "door": item["d"]})
    return {
        "bands": [_finish({"label": label, **bands[label]}) for label in rules.BAND_LABELS],
        "departments": [_finish({"label": dep, **row}) for dep, row in sorted(departments.items())],
    }


def collective_breakdown(user: User, scope: Scope) -> list[dict[str, Any]]:
    """Collective bookings and cancellations by distance between school and venue."""
    queryset = CollectiveBooking.objects.filter(
        offer__venue__in=venues_for_user(user),
        created_at__gte=scope.start_utc,
        created_at__lt=scope.end_utc,
    )
    if scope.venue_id:
        queryset = queryset.filter(offer__venue_id=scope.venue_id)
    fields = (
        "school__latitude", "school__longitude", "school__postal_code", "school__city",
        "school__department_code", "offer__venue__latitude", "offer__venue__longitude",
    )  # fmt: skip
    bands: dict[str, dict[str, Any]] = {label: _new_row() for label in rules.BAND_LABELS}
    for item in queryset.values(*fields).annotate(
        n=Count("id"), c=Count("id", filter=Q(status="cancelled"))
    ):
        school = _position(item["school__latitude"], item["school__longitude"])
        if school is None:  # no coordinates: the school's commune centre
            home = _home(
                item["school__postal_code"], item["school__city"], item["school__department_code"]
            )
            school = home.position if home else None
        place = _position(item["offer__venue__latitude"], item["offer__venue__longitude"])
        row = bands[rules.band_between(school, place)]
        row["bookings"] += item["n"]
        row["cancelled"] += item["c"]
    return [_finish({"label": label, **bands[label]}) for label in rules.BAND_LABELS]


def collective_views(user: User, scope: Scope) -> int:
    return (
        OfferViewDay.objects.filter(
            collective_offer__in=CollectiveOffer.objects.filter(venue__in=venues_for_user(user)),
            day__gte=scope.start,
            day__lte=scope.end,
        ).aggregate(n=Sum("count"))["n"]
        or 0
    )


def weekly_no_show(user: User, weeks: int = 8) -> list[dict[str, Any]]:
    """No-show rate per week (event date) over the last `weeks` weeks, oldest first."""
    today = clock.today_paris()
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(weeks=weeks - 1)
    scope = Scope(start=start, end=today)
    queryset = (
        _event_used(user, scope)
        .filter(offer__venue_id__in=validating_venue_ids(user, scope))
        .annotate(day=TruncDate("stock__beginning_datetime", tzinfo=clock.PARIS))
        .values("day")
        .annotate(
            a=Count("id", filter=Q(validation_author=ValidationAuthor.AUTO)),
            d=Count("id", filter=Q(validation_author__in=DOOR)),
        )
    )
    buckets: list[dict[str, Any]] = [
        {"week": start + dt.timedelta(weeks=i), "auto": 0, "door": 0} for i in range(weeks)
    ]
    for item in queryset:
        index = (item["day"] - start).days // 7
        if 0 <= index < weeks:
            buckets[index]["auto"] += item["a"]
            buckets[index]["door"] += item["d"]
    for bucket in buckets:
        bucket["rate"] = rules.no_show_rate(bucket["auto"], bucket["door"])
    return buckets


def dashboard(user: User, *, days: int = 7, recent: int = 10) -> dict[str, Any]:
    """The pro home: upcoming events with fill rates, alerts, recent bookings (bounded)."""
    now = clock.now()
    today_start = dt.datetime.combine(clock.today_paris(), dt.time(), clock.PARIS)
    scoped = venues_for_user(user)
    upcoming: list[Any] = list(
        Stock.objects.filter(
            offer__venue__in=scoped,
            is_deleted=False,
            beginning_datetime__gte=today_start,
            beginning_datetime__lt=today_start + dt.timedelta(days=days + 1),
        )
        .select_related("offer__venue")
        .order_by("beginning_datetime", "pk")[:50]
    )
    alerts: list[Any] = list(
        Stock.objects.filter(
            offer__venue__in=scoped,
            is_deleted=False,
            quantity__gt=0,
            offer__fill_alert_threshold__isnull=False,
            beginning_datetime__gte=now,
        )
        .alias(booked_pct=F("booked_quantity") * 100)
        .filter(booked_pct__gte=F("quantity") * F("offer__fill_alert_threshold"))
        .select_related("offer")
        .order_by("beginning_datetime", "pk")[:20]
    )
    latest = list(
        Booking.objects.filter(offer__venue__in=scoped)
        .select_related("user", "offer", "stock")
        .order_by("-created_at", "-pk")[:recent]
    )
    for stock in upcoming + alerts:
        stock.fill_rate = (
            rules.rate(stock.booked_quantity, stock.quantity) if stock.quantity else None
        )
    return {"upcoming": upcoming, "alerts": alerts, "recent": latest, "now": now}
