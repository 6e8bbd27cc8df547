"""Pure collective rules: UAI keys, school years, budgets, every deadline. No database."""

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q
PROVISIONAL_SHARE = 0.8
HEAD_REFUSAL_NOTICE = dt.timedelta(days=15)
AFTER_END = dt.timedelta(hours=48)

# Per-pupil amounts in cents, by level (6e–3e 25 €, 2nde and CAP 30 €, 1re–Tle 20 €).
DEFAULT_RATES: dict[str, int] = {
    "6e": 2_500, "5e": 2_500, "4e": 2_500, "3e": 2_500, "cap1": 3_000, "cap2": 3_000,
    "2nde": 3_000, "1re": 2_000, "tle": 2_000,
}  # fmt: skip


def uai_key(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


def is_valid_uai(value: str) -> bool:
    """7 digits and the check letter of their value modulo 23 (e.g. 0750654D)."""
    value = value.strip().upper()
    return len(value) == 8 and value[:7].isdigit() and value[7] == uai_key(value[:7])


def school_year_code(day: dt.date) -> str:
    """'2026-2027' for any day from 1 Sept 2026 to 31 Aug 2027."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_bounds(code: str) -> tuple[dt.datetime, dt.datetime]:
    """[1 Sept 00:00, next 1 Sept 00:00) in Paris, as UTC."""
    start = int(code[:4])
    begin = dt.datetime(start, 9, 1, tzinfo=PARIS).astimezone(dt.UTC)
    end = dt.datetime(start + 1, 9, 1, tzinfo=PARIS).astimezone(dt.UTC)
    return begin, end


def year_of(instant: dt.datetime) -> str:
    return school_year_code(instant.astimezone(PARIS).date())


def budget_amount(enrolment: Mapping[str, int], rates: Mapping[str, int]) -> int:
    """Σ pupils × per-pupil amount of their level (levels without a rate count 0)."""
    return sum(pupils * rates.get(level, 0) for level, pupils in enrolment.items())


def spendable(amount: int, *, provisional: bool) -> int:
    """A provisional budget can only be committed up to 80 %."""
    return int(amount * PROVISIONAL_SHARE) if provisional else amount


def remaining(*, amount: int, provisional: bool, committed: int) -> int:
    return spendable(amount, provisional=provisional) - committed


def can_confirm(*, now: dt.datetime, confirmation_limit: dt.datetime) -> bool:
    """The head confirms up to and including the limit instant."""
    return now <= confirmation_limit


def can_refuse_confirmed(*, now: dt.datetime, start: dt.datetime) -> bool:
    """A confirmed booking can be refused until 15 days before the start (inclusive)."""
    return now <= start - HEAD_REFUSAL_NOTICE


def can_venue_cancel(*, now: dt.datetime, end: dt.datetime) -> bool:
    """The venue may cancel until 48 h after the end (inclusive)."""
    return now <= end + AFTER_END


def is_used_due(*, now: dt.datetime, end: dt.datetime) -> bool:
    """A confirmed booking becomes used 48 h after the end."""
    return now >= end + AFTER_END


def is_pending_expired(*, now: dt.datetime, confirmation_limit: dt.datetime) -> bool:
    return now > confirmation_limit


def can_lower_price(*, old: int, new: int, confirmed: bool) -> bool:
    """After confirmation the price may only go down."""
    return not confirmed or new <= old
