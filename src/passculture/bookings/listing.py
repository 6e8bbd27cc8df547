"""The pro bookings tab's filters and its two scoped querysets (individual, collective).

One place for the filters, so the bookings tab, its counts and the exports always agree
on what "these bookings" means. Scoped to the pro's venues; never another structure's.
"""

import dataclasses
import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from passculture.accounts.models import User
from passculture.bookings.models import Booking, BookingStatus
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
)
from passculture.core.models import AuditEntry
from passculture.offerers.selectors import venues_for_user
from passculture.offers.models import Offer

PARIS = ZoneInfo("Europe/Paris")


@dataclasses.dataclass
class BookingFilters:
    """What the pro chose. Dates are Paris calendar days, both ends included."""

    period: Literal["booked", "event"] = "booked"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""  # one of BookingStatus values ("confirmed", "used", …) or ""
    venue_id: int | None = None
    offer_id: int | None = None
    price_category_id: int | None = None
    token: str = ""
    beneficiary: str = ""  # part of the young person's (or teacher's) name or e-mail
    kind: Literal["all", "individual", "collective"] = "all"


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


def _period(field: str, filters: BookingFilters) -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{field}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        q &= Q(**{f"{field}__lt": _day_start(filters.date_to + dt.timedelta(days=1))})
    return q


def individual_bookings(user: User, filters: BookingFilters) -> QuerySet[Booking]:
    """Individual bookings of the pro's venues matching the filters (unordered)."""
    # Scoped by offer ids (a subquery, no join): the counts then read only the
    # (offer, status) index, and the list walks the created_at index.
    offers = Offer.objects.filter(venue__in=venues_for_user(user))
    if filters.venue_id:
        offers = offers.filter(venue_id=filters.venue_id)
    qs = Booking.objects.filter(offer__in=offers.values("pk"))
    field = "stock__beginning_datetime" if filters.period == "event" else "created_at"
    qs = qs.filter(_period(field, filters))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.offer_id:
        qs = qs.filter(offer_id=filters.offer_id)
    if filters.price_category_id:
        qs = qs.filter(stock__price_category_id=filters.price_category_id)
    if filters.token:
        qs = qs.filter(token=filters.token.strip().upper())
    if filters.beneficiary.strip():
        text = filters.beneficiary.strip()
        qs = qs.filter(
            Q(user__last_name__icontains=text)
            | Q(user__first_name__icontains=text)
            | Q(user__email__icontains=text)
        )
    return qs


def collective_bookings(user: User, filters: BookingFilters) -> QuerySet[CollectiveBooking]:
    """Collective bookings of the pro's venues matching the filters (unordered).

    Price categories and tokens do not exist there: such a filter matches none."""
    offers = CollectiveOffer.objects.filter(venue__in=venues_for_user(user))
    if filters.venue_id:
        offers = offers.filter(venue_id=filters.venue_id)
    qs = CollectiveBooking.objects.filter(offer__in=offers.values("pk"))
    if filters.price_category_id or filters.token:
        return qs.none()
    field = "stock__start_datetime" if filters.period == "event" else "created_at"
    qs = qs.filter(_period(field, filters))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.offer_id:
        qs = qs.filter(offer_id=filters.offer_id)
    if filters.beneficiary.strip():
        text = filters.beneficiary.strip()
        qs = qs.filter(
            Q(teacher__last_name__icontains=text)
            | Q(teacher__first_name__icontains=text)
            | Q(school__name__icontains=text)
        )
    return qs


# --- the tab's page: both kinds merged, newest first, by keyset ------------------------------

PAGE_SIZE = 50
INDIVIDUAL = "individual"
COLLECTIVE = "collective"
# Tie-break between kinds at the same instant: individual rows before collective ones.
_RANK = {INDIVIDUAL: 1, COLLECTIVE: 0}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


# What a row of the tab shows: building 600 model instances a page with every column of
# six tables (descriptions, JSON, a dozen datetimes) cost more than the queries themselves.
INDIVIDUAL_ROW_FIELDS = (
    "id", "user_id", "stock_id", "offer_id", "quantity", "amount", "token", "status",
    "created_at", "cancellation_limit", "cancelled_at", "cancellation_reason",
    "cancellation_comment", "used_at",
    "user__id", "user__first_name", "user__last_name", "user__email",
    "stock__id", "stock__beginning_datetime", "stock__price_category_id",
    "stock__price_category__id", "stock__price_category__label",
    "offer__id", "offer__name", "offer__venue_id",
    "offer__venue__id", "offer__venue__name", "offer__venue__public_name",
)  # fmt: skip
COLLECTIVE_ROW_FIELDS = (
    "id", "stock_id", "offer_id", "school_id", "teacher_id", "price", "status", "created_at",
    "cancelled_at", "cancellation_comment",
    "school__id", "school__name", "school__phone",
    "teacher__id", "teacher__first_name", "teacher__last_name", "teacher__email",
    "stock__id", "stock__start_datetime", "stock__end_datetime",
    "offer__id", "offer__name", "offer__venue_id",
    "offer__venue__id", "offer__venue__name", "offer__venue__public_name",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, order=True)
class Cursor:
    """A position in the merged list: (date of the chosen period, kind rank, id)."""

    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        return f"{(self.at - _EPOCH) // _MICRO}.{self.rank}.{self.pk}"

    @classmethod
    def decode(cls, text: str) -> "Cursor | None":
        """The cursor written by encode(), or None for anything else (a hand-edited link)."""
        parts = text.strip().split(".")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts):
            return None
        micros, rank, pk = (int(p) for p in parts)
        if rank not in _RANK.values():
            return None
        try:
            at = _EPOCH + micros * _MICRO
        except OverflowError:
            return None
        return cls(at, rank, pk)


@dataclasses.dataclass(frozen=True)
class Row:
    kind: str
    booking: Booking | CollectiveBooking
    sort_at: dt.datetime

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.sort_at, _RANK[self.kind], self.booking.pk)


@dataclasses.dataclass(frozen=True)
class Page:
    rows: list[Row]
    newer: Cursor | None  # set when newer rows exist: link "Précédent" (after=…)
    older: Cursor | None  # set when older rows exist: link "Suivant" (before=…)


def _sort_field(kind: str, period: str) -> F | Coalesce:
    if period != "event":
        return F("created_at")
    if kind == COLLECTIVE:
        return F("stock__start_datetime")
    # Things have no date: they sort by their booking date among the events.
    return Coalesce(F("stock__beginning_datetime"), F("created_at"))


def _keyset(qs: QuerySet, rank: int, cursor: Cursor, *, older: bool) -> QuerySet:
    """Rows strictly older (or newer) than the cursor in (sort_at, rank, id) order.

    The plain range on sort_at comes first so an index on the date can bound the scan."""
    at = cursor.at
    if older:
        if rank < cursor.rank:
            return qs.filter(sort_at__lte=at)
        if rank > cursor.rank:
            return qs.filter(sort_at__lt=at)
        return qs.filter(Q(sort_at__lte=at) & (Q(sort_at__lt=at) | Q(pk__lt=cursor.pk)))
    if rank > cursor.rank:
        return qs.filter(sort_at__gte=at)
    if rank < cursor.rank:
        return qs.filter(sort_at__gt=at)
    return qs.filter(Q(sort_at__gte=at) & (Q(sort_at__gt=at) | Q(pk__gt=cursor.pk)))


def _slice(
    kind: str, qs: QuerySet, filters: BookingFilters, cursor: Cursor | None, older: bool, size: int
) -> list[Row]:
    qs = qs.annotate(sort_at=_sort_field(kind, filters.period))
    if cursor is not None:
        qs = _keyset(qs, _RANK[kind], cursor, older=older)
    order = ("-sort_at", "-pk") if older else ("sort_at", "pk")
    return [Row(kind, b, b.sort_at) for b in qs.order_by(*order)[: size + 1]]


def _kinds(filters: BookingFilters) -> list[str]:
    return [k for k in (INDIVIDUAL, COLLECTIVE) if filters.kind in ("all", k)]


def bookings_page(
    user: User,
    filters: BookingFilters,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of the merged list, newest first: at most one query per kind, whatever the
    number of bookings (no OFFSET, no COUNT). `before` pages towards older rows, `after`
    back towards newer ones; neither gives the first page."""
    older = after is None
    cursor = before if older else after
    rows: list[Row] = []
    for kind in _kinds(filters):
        if kind == INDIVIDUAL:
            qs: QuerySet = (
                individual_bookings(user, filters)
                .select_related("user", "stock__price_category", "offer__venue")
                .only(*INDIVIDUAL_ROW_FIELDS)
            )
        else:
            qs = (
                collective_bookings(user, filters)
                .select_related("school", "teacher", "stock", "offer__venue")
                .only(*COLLECTIVE_ROW_FIELDS)
            )
        rows.extend(_slice(kind, qs, filters, cursor, older, size))
    rows.sort(key=lambda r: r.cursor, reverse=older)
    more = len(rows) > size
    rows = rows[:size]
    if not older:
        rows.reverse()
        if not more:
            # Back at the top: the newest page, full, rather than a short one.
            return bookings_page(user, filters, size=size)
    if not rows:
        return Page([], None, None)
    if older:
        return Page(rows, rows[0].cursor if cursor else None, rows[-1].cursor if more else None)
    return Page(rows, rows[0].cursor, rows[-1].cursor)


def histories(rows: list[Row]) -> dict[tuple[str, int], list[AuditEntry]]:
    """The audit entries (status history) of a page's rows, oldest first, in one query."""
    if not rows:
        return {}
    types = {INDIVIDUAL: Booking._meta.label_lower, COLLECTIVE: CollectiveBooking._meta.label_lower}
    kinds = {label: kind for kind, label in types.items()}
    ids: dict[str, list[str]] = {INDIVIDUAL: [], COLLECTIVE: []}
    for row in rows:
        ids[row.kind].append(str(row.booking.pk))
    entries = AuditEntry.objects.filter(
        Q(object_type=types[INDIVIDUAL], object_id__in=ids[INDIVIDUAL])
        | Q(object_type=types[COLLECTIVE], object_id__in=ids[COLLECTIVE])
    ).only("created_at", "action", "actor_label", "object_type", "object_id", "data")
    out: dict[tuple[str, int], list[AuditEntry]] = {}
    for entry in entries.order_by("created_at", "pk"):
        out.setdefault((kinds[entry.object_type], int(entry.object_id)), []).append(entry)
    return out


def status_counts(user: User, filters: BookingFilters) -> dict[str, dict[str, int]]:
    """Bookings per status and kind for these filters, the status filter set aside; statuses
    with none are left out. One aggregate query per kind shown, with a filtered COUNT per
    status rather than GROUP BY: the planner then reads the (offer, status) index alone."""
    loose = dataclasses.replace(filters, status="")
    counts: dict[str, dict[str, int]] = {}
    for kind in _kinds(filters):
        if kind == INDIVIDUAL:
            qs: QuerySet = individual_bookings(user, loose)
            statuses: list[str] = list(BookingStatus.values)
        else:
            qs = collective_bookings(user, loose)
            statuses = list(CollectiveBookingStatus.values)
        totals = qs.order_by().aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in statuses}
        )
        counts[kind] = {status: n for status, n in totals.items() if n}
    return counts
