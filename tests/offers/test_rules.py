"""Recurrence expansion, booking limits, fill rates, status and review rules (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.offers import rules
from passculture.offers.rules import Recurrence, expand_recurrence

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def test_tuesdays_and_fridays_two_slots_with_one_exception():
    rec = Recurrence(
        start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 31), weekdays=(1, 4),
        times=(dt.time(14, 0), dt.time(20, 30)), exceptions=frozenset({dt.date(2027, 1, 15)}),
    )  # fmt: skip
    dates = expand_recurrence(rec)
    # January 2027: Tuesdays 5,12,19,26 and Fridays 8,15,22,29 = 8 days, minus the 15th.
    assert len(dates) == 7 * 2
    assert dates[0] == paris(2027, 1, 5, 14, 0) and dates[-1] == paris(2027, 1, 29, 20, 30)
    assert paris(2027, 1, 15, 14, 0) not in dates
    assert {d.astimezone(PARIS).weekday() for d in dates} == {1, 4}
    assert rec.as_rrule_text() == "FREQ=DAILY;UNTIL=20270131;BYDAY=TU,FR"


def test_wall_clock_time_is_kept_across_dst_changes():
    rec = Recurrence(
        start=dt.date(2027, 3, 26), end=dt.date(2027, 3, 29), weekdays=(), times=(dt.time(20, 30),)
    )
    dates = expand_recurrence(rec)
    assert [d.astimezone(PARIS).strftime("%d %H:%M") for d in dates] == [
        "26 20:30",
        "27 20:30",
        "28 20:30",
        "29 20:30",
    ]
    # UTC offset changes on Sunday 28 March 2027 (+01:00 → +02:00).
    assert [d.hour for d in dates] == [19, 19, 18, 18]


def test_nonexistent_and_ambiguous_local_times():
    spring = expand_recurrence(
        Recurrence(dt.date(2027, 3, 28), dt.date(2027, 3, 28), (), (dt.time(2, 30),))
    )
    assert spring == [dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]  # 03:30 on the wall clock
    autumn = expand_recurrence(
        Recurrence(dt.date(2027, 10, 31), dt.date(2027, 10, 31), (), (dt.time(2, 30),))
    )
    assert autumn == [dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]  # first 02:30 (summer time)


def test_overseas_time_zone():
    reunion = rules.timezone_for_department("974")
    dates = expand_recurrence(
        Recurrence(dt.date(2027, 6, 1), dt.date(2027, 6, 1), (), (dt.time(19, 0),)), reunion
    )
    assert dates == [dt.datetime(2027, 6, 1, 15, 0, tzinfo=UTC)]
    assert rules.timezone_for_department("75") == PARIS


def test_empty_or_inverted_range():
    assert (
        expand_recurrence(Recurrence(dt.date(2027, 2, 1), dt.date(2027, 1, 1), (), (dt.time(10),)))
        == []
    )
    assert expand_recurrence(Recurrence(dt.date(2027, 1, 1), dt.date(2027, 1, 7), (), ())) == []


@given(
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=120),
    weekdays=st.sets(st.integers(min_value=0, max_value=6)),
    times=st.sets(st.times(), min_size=1, max_size=4),
    exception_offsets=st.sets(st.integers(min_value=0, max_value=120), max_size=10),
)
def test_expansion_count_matches_days_times_minus_exceptions(
    start, days, weekdays, times, exception_offsets
):
    end = start + dt.timedelta(days=days)
    exceptions = frozenset(start + dt.timedelta(days=o) for o in exception_offsets)
    rec = Recurrence(start, end, tuple(weekdays), tuple(times), exceptions)
    dates = expand_recurrence(rec)
    matching_days = [
        start + dt.timedelta(days=i)
        for i in range(days + 1)
        if (not weekdays or (start + dt.timedelta(days=i)).weekday() in weekdays)
        and start + dt.timedelta(days=i) not in exceptions
    ]
    # Distinct wall times can collide only on the autumn DST night (02:xx twice): never more.
    assert len(dates) <= len(matching_days) * len(times)
    assert len(dates) >= len(matching_days) * len(times) - len(times)
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(d.tzinfo == UTC for d in dates)
    assert {d.astimezone(PARIS).date() for d in dates} <= set(matching_days) | {
        d + dt.timedelta(days=1) for d in matching_days
    }


def test_default_booking_limit_is_day_before_2359_local():
    assert rules.default_booking_limit(paris(2027, 1, 5, 14, 0)) == paris(2027, 1, 4, 23, 59)
    # Event on the first summer-time day: the limit is the evening before, in winter time.
    assert rules.default_booking_limit(paris(2027, 3, 28, 20, 0)) == dt.datetime(
        2027, 3, 27, 22, 59, tzinfo=UTC
    )


def test_shift_keeps_local_wall_time():
    before_dst = paris(2027, 3, 23, 20, 30)
    assert rules.shift_datetime(before_dst, 7).astimezone(PARIS).strftime("%d %H:%M") == "30 20:30"


@pytest.mark.parametrize(
    ("booked", "quantity", "rate"), [(0, 10, 0.0), (8, 10, 0.8), (3, None, None), (0, 0, 1.0)]
)
def test_fill_rate(booked, quantity, rate):
    assert rules.fill_rate(booked, quantity) == rate


def test_aggregate_fill_rate_ignores_unlimited_stocks():
    assert rules.aggregate_fill_rate([(5, 10), (10, 10), (50, None)]) == 0.75
    assert rules.aggregate_fill_rate([(5, None)]) is None


NOW = dt.datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"archived": True}, "ARCHIVED"),
        ({"validation": "draft"}, "DRAFT"),
        ({"validation": "pending"}, "PENDING"),
        ({"validation": "rejected"}, "REJECTED"),
        ({"is_active": False}, "INACTIVE"),
        ({"publication_datetime": NOW + dt.timedelta(days=1)}, "SCHEDULED"),
        ({"future_stocks": 0, "bookable_stocks": 0}, "EXPIRED"),
        ({"bookable_stocks": 0}, "SOLD_OUT"),
        ({"booking_allowed_datetime": NOW + dt.timedelta(hours=1)}, "PUBLISHED"),
        ({}, "ACTIVE"),
    ],
)
def test_offer_status(overrides, status):
    values = {
        "validation": "approved", "is_active": True, "archived": False, "publication_datetime": None,
        "booking_allowed_datetime": None, "bookable_stocks": 3, "future_stocks": 3, "now": NOW,
    }  # fmt: skip
    values.update(overrides)
    assert rules.offer_status(**values) == status
    assert status in rules.STATUS_LABELS


def test_review_rules_need_every_set_condition():
    facts = rules.OfferFacts(
        "Soirée Spéciale", "Dégustation de vins", "SPECTACLE_REPRESENTATION", 25_000, 1, 10
    )
    rule_list = [
        rules.ReviewCriteria("cher", price_above=20_000),
        rules.ReviewCriteria("alcool", words=("VIN", "bière")),
        rules.ReviewCriteria("cinéma cher", price_above=20_000, subcategories=("SEANCE_CINE",)),
        rules.ReviewCriteria("autre structure", offerer_id=2),
        rules.ReviewCriteria("ce lieu", venue_id=10),
        rules.ReviewCriteria("vide"),
    ]
    assert rules.matching_rules(facts, rule_list) == ["cher", "alcool", "ce lieu"]
