"""Pure booking rules: tokens, the cancellation limit, what can be done when. No database."""

import datetime as dt
import secrets

# 30 symbols: A–Z without I and O, digits 2–7 (no 0, 1, 8, 9): unambiguous read aloud.
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ234567"
TOKEN_LENGTH = 6
AUTO_USE_DELAY = dt.timedelta(hours=48)
CANCEL_WINDOW = dt.timedelta(hours=48)
EXPIRY_REMINDER_DAYS = {"book": 5, "other": 7}


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def is_token(text: str) -> bool:
    return len(text) == TOKEN_LENGTH and all(ch in TOKEN_ALPHABET for ch in text)


def normalize_token(text: str) -> str:
    return "".join(text.split()).upper()


def cancellation_limit(booked_at: dt.datetime, event_start: dt.datetime) -> dt.datetime:
    """max(booked_at, min(start − 48 h, booked_at + 48 h)) for an event booking."""
    return max(booked_at, min(event_start - CANCEL_WINDOW, booked_at + CANCEL_WINDOW))


def moved_cancellation_limit(now: dt.datetime, new_start: dt.datetime) -> dt.datetime:
    """After a date change the young person gets 48 h (never beyond the new start) to cancel."""
    return min(new_start, now + CANCEL_WINDOW)


def can_beneficiary_cancel(*, limit: dt.datetime | None, now: dt.datetime) -> bool:
    """Events: before the limit; things (no limit): until used (checked by status)."""
    return limit is None or now < limit


def can_validate(*, limit: dt.datetime | None, now: dt.datetime) -> bool:
    """The door may validate once the young person can no longer cancel."""
    return limit is None or now >= limit


def auto_use_due(*, event_start: dt.datetime, now: dt.datetime) -> bool:
    return now >= event_start + AUTO_USE_DELAY


def expiry_date(*, booked_at: dt.datetime, expiry_days: int) -> dt.datetime:
    return booked_at + dt.timedelta(days=expiry_days)
