"""Pure booking rules: tokens, the cancellation limit and its invariants, door and job timing."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.bookings import rules

H = dt.timedelta(hours=1)
T0 = dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.just(dt.UTC),
)


# --- tokens --------------------------------------------------------------------------------


def test_token_alphabet_has_30_unambiguous_symbols():
    assert len(rules.TOKEN_ALPHABET) == len(set(rules.TOKEN_ALPHABET)) == 30
    assert not set("01890IO") & set(rules.TOKEN_ALPHABET)
    assert set(rules.TOKEN_ALPHABET) == set("ABCDEFGHJKLMNPQRSTUVWXYZ234567")


def test_new_tokens_are_6_symbols_of_the_alphabet_and_vary():
    tokens = {rules.new_token() for _ in range(500)}
    assert all(len(t) == 6 and set(t) <= set(rules.TOKEN_ALPHABET) for t in tokens)
    assert all(rules.is_token(t) for t in tokens)
    assert len(tokens) > 495  # 30^6 ≈ 729 million: collisions are rare


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abcdef", "ABCDEF"),
        (" ab cd ef ", "ABCDEF"),
        ("AB\tCD\nEF", "ABCDEF"),
        ("a2b3c4", "A2B3C4"),
    ],
)
def test_normalize_token(text, expected):
    assert rules.normalize_token(text) == expected


@pytest.mark.parametrize("text", ["", "ABCDE", "ABCDEFG", "ABCDE1", "ABCDEO", "ABCDEI", "abcdef"])
def test_is_token_refuses_other_shapes(text):
    assert not rules.is_token(text)


# --- cancellation limit --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "limit"),
    [
        (T0 + 10 * 24 * H, T0 + 48 * H),  # far event: 48 h after booking
        (T0 + 72 * H, T0 + 24 * H),  # in 3 days: 48 h before the start
        (T0 + 96 * H, T0 + 48 * H),  # exactly 4 days: both bounds meet
        (T0 + 30 * H, T0),  # in 30 h: firm at once
        (T0 + 48 * H, T0),
    ],
)
def test_cancellation_limit_examples(start, limit):
    assert rules.cancellation_limit(T0, start) == limit


@given(
    booked_at=instants,
    lead=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)
def test_cancellation_limit_invariants(booked_at, lead):
    start = booked_at + lead
    limit = rules.cancellation_limit(booked_at, start)
    assert limit >= booked_at
    assert limit <= booked_at + rules.CANCEL_WINDOW
    assert limit <= max(booked_at, start - rules.CANCEL_WINDOW)
    assert limit <= start
    # It is one of the three candidates of the formula.
    assert limit in {booked_at, booked_at + rules.CANCEL_WINDOW, start - rules.CANCEL_WINDOW}
    # Far enough ahead, the young person always gets the full 48 h.
    if lead >= 2 * rules.CANCEL_WINDOW:
        assert limit == booked_at + rules.CANCEL_WINDOW
    if lead <= rules.CANCEL_WINDOW:
        assert limit == booked_at


@given(
    booked_at=instants,
    lead=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=60)),
    later=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=10)),
)
def test_cancellation_limit_is_monotonic(booked_at, lead, later):
    start = booked_at + lead
    limit = rules.cancellation_limit(booked_at, start)
    assert rules.cancellation_limit(booked_at + later, start + later) == limit + later
    assert rules.cancellation_limit(booked_at, start + later) >= limit  # a later show
    assert rules.cancellation_limit(booked_at + later, start) >= limit  # a later booking


@given(
    now=instants, ahead=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=90))
)
def test_moved_limit_gives_48_hours_never_beyond_the_new_start(now, ahead):
    new_start = now + ahead
    limit = rules.moved_cancellation_limit(now, new_start)
    assert limit == min(new_start, now + rules.CANCEL_WINDOW)
    assert now <= limit <= new_start


@given(limit=st.none() | instants, now=instants)
def test_cancel_and_validate_are_complementary(limit, now):
    can_cancel = rules.can_beneficiary_cancel(limit=limit, now=now)
    can_validate = rules.can_validate(limit=limit, now=now)
    if limit is None:  # things: cancellable until used, validable at once
        assert can_cancel and can_validate
    else:
        assert can_cancel != can_validate
        assert can_cancel == (now < limit)


def test_limit_boundaries():
    assert rules.can_beneficiary_cancel(limit=T0, now=T0 - dt.timedelta(seconds=1))
    assert not rules.can_beneficiary_cancel(limit=T0, now=T0)
    assert rules.can_validate(limit=T0, now=T0)
    assert not rules.can_validate(limit=T0, now=T0 - dt.timedelta(seconds=1))


# --- jobs timing ---------------------------------------------------------------------------


def test_auto_use_is_due_48_hours_after_the_start():
    assert not rules.auto_use_due(event_start=T0, now=T0 + 47 * H)
    assert rules.auto_use_due(event_start=T0, now=T0 + 48 * H)


def test_expiry_date_and_reminder_delays():
    assert rules.expiry_date(booked_at=T0, expiry_days=10) == T0 + dt.timedelta(days=10)
    assert rules.EXPIRY_REMINDER_DAYS == {"book": 5, "other": 7}
