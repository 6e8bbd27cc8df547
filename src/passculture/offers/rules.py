"""Pure rules on offers and stocks: recurrence, booking limits, status, review. No database."""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from dateutil import rrule

from passculture.offerers.rules import DEPARTMENT_TIMEZONES

PARIS = ZoneInfo("Europe/Paris")
MAX_STOCKS_PER_OFFER = 2_500
MAX_PRICE_CATEGORIES = 50
WEEKDAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]
WEEKDAY_LABELS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def timezone_for_department(department_code: str) -> ZoneInfo:
    """Local time of a place: Europe/Paris, or the overseas territory's own zone."""
    return ZoneInfo(DEPARTMENT_TIMEZONES.get(department_code, "Europe/Paris"))


@dataclasses.dataclass(frozen=True)
class Recurrence:
    """What the date editor asks: a range, weekdays, time slots and exception days."""

    start: dt.date
    end: dt.date
    weekdays: tuple[int, ...]  # 0 = Monday … 6 = Sunday; empty = every day
    times: tuple[dt.time, ...]
    exceptions: frozenset[dt.date] = frozenset()

    def as_rrule_text(self) -> str:
        """RFC 5545 text of the rule (shown to the pro, kept in the audit log)."""
        days = ",".join(
            ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[d] for d in sorted(self.weekdays)
        )
        until = self.end.strftime("%Y%m%d")
        return f"FREQ=DAILY;UNTIL={until}" + (f";BYDAY={days}" if days else "")


def expand_recurrence(recurrence: Recurrence, tz: ZoneInfo = PARIS) -> list[dt.datetime]:
    """Every local (day × time slot) of the rule minus exceptions, as sorted aware UTC datetimes.

    Times are wall-clock times in `tz`: 20:30 stays 20:30 across DST changes. A wall time
    that does not exist (skipped at the spring change) is moved forward by the gap, as a
    clock would; an ambiguous one (autumn) takes its first occurrence.
    """
    if recurrence.end < recurrence.start:
        return []
    rule = rrule.rrule(
        rrule.DAILY,
        dtstart=dt.datetime.combine(recurrence.start, dt.time()),
        until=dt.datetime.combine(recurrence.end, dt.time()),
        byweekday=[WEEKDAYS[d] for d in sorted(set(recurrence.weekdays))] or None,
    )
    out: set[dt.datetime] = set()
    for day in rule:
        if day.date() in recurrence.exceptions:
            continue
        for slot in recurrence.times:
            out.add(local_to_utc(dt.datetime.combine(day.date(), slot), tz))
    return sorted(out)


def local_to_utc(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Wall-clock time in `tz` → aware UTC.

    fold=0 (PEP 495) gives exactly the clock behaviour we want: an ambiguous autumn time
    takes its first occurrence, and a non-existent spring time keeps the pre-change offset,
    which lands it one gap later on the wall clock (02:30 → 03:30).
    """
    return naive.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def default_booking_limit(beginning: dt.datetime, tz: ZoneInfo = PARIS) -> dt.datetime:
    """The day before the event at 23:59 local time, in UTC."""
    local_day = beginning.astimezone(tz).date() - dt.timedelta(days=1)
    return local_to_utc(dt.datetime.combine(local_day, dt.time(23, 59)), tz)


def fill_rate(booked: int, quantity: int | None) -> float | None:
    """Share of the contingent booked (0–1); None for an unlimited stock."""
    if quantity is None:
        return None
    if quantity == 0:
        return 1.0
    return booked / quantity


def aggregate_fill_rate(stocks: Iterable[tuple[int, int | None]]) -> float | None:
    """Fill rate of an offer over its limited stocks (booked seats / seats)."""
    booked = total = 0
    for stock_booked, quantity in stocks:
        if quantity is not None:
            booked += stock_booked
            total += quantity
    if total == 0:
        return None
    return booked / total


def shift_datetime(value: dt.datetime, days: int, tz: ZoneInfo = PARIS) -> dt.datetime:
    """Same local wall time, `days` later (a weekly shift keeps 20:30 across DST)."""
    local = value.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    return local_to_utc(local, tz)


@dataclasses.dataclass(frozen=True)
class ReviewCriteria:
    """A review rule's conditions, in plain values (see ReviewRule)."""

    name: str
    price_above: int | None = None
    words: tuple[str, ...] = ()
    subcategories: tuple[str, ...] = ()
    offerer_id: int | None = None
    venue_id: int | None = None


@dataclasses.dataclass(frozen=True)
class OfferFacts:
    name: str
    description: str
    subcategory_id: str
    max_price: int
    offerer_id: int
    venue_id: int


def matching_rules(facts: OfferFacts, rules: Sequence[ReviewCriteria]) -> list[str]:
    """Names of the rules whose every set condition matches the offer."""
    text = f"{facts.name}\n{facts.description}".casefold()
    matched = []
    for rule in rules:
        conditions = []
        if rule.price_above is not None:
            conditions.append(facts.max_price > rule.price_above)
        if rule.words:
            conditions.append(any(word.casefold() in text for word in rule.words if word.strip()))
        if rule.subcategories:
            conditions.append(facts.subcategory_id in rule.subcategories)
        if rule.offerer_id is not None:
            conditions.append(facts.offerer_id == rule.offerer_id)
        if rule.venue_id is not None:
            conditions.append(facts.venue_id == rule.venue_id)
        if conditions and all(conditions):
            matched.append(rule.name)
    return matched


def offer_status(
    *,
    validation: str,
    is_active: bool,
    archived: bool,
    publication_datetime: dt.datetime | None,
    booking_allowed_datetime: dt.datetime | None,
    bookable_stocks: int,
    future_stocks: int,
    now: dt.datetime,
) -> str:
    """The status shown to pros and partners (the partner API's OfferStatus, plus ARCHIVED).

    bookable_stocks: live stocks still open to booking with seats left;
    future_stocks: live stocks not yet past (sold out or not).
    """
    if archived:
        return "ARCHIVED"
    if validation in {"draft", "pending", "rejected"}:
        return validation.upper()
    if not is_active:
        return "INACTIVE"
    if publication_datetime is not None and publication_datetime > now:
        return "SCHEDULED"
    if future_stocks == 0:
        return "EXPIRED"
    if bookable_stocks == 0:
        return "SOLD_OUT"
    if booking_allowed_datetime is not None and booking_allowed_datetime > now:
        return "PUBLISHED"
    return "ACTIVE"


STATUS_LABELS = {
    "DRAFT": "Brouillon",
    "PENDING": "En cours de vérification",
    "REJECTED": "Refusée",
    "INACTIVE": "Désactivée",
    "SCHEDULED": "Programmée",
    "PUBLISHED": "Publiée, réservations à venir",
    "ACTIVE": "Publiée",
    "SOLD_OUT": "Épuisée",
    "EXPIRED": "Expirée",
    "ARCHIVED": "Archivée",
}
