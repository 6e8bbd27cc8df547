"""Pure collective rules: UAI keys, school years, budgets and every deadline at its boundary."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.collective import rules
from tests.collective.factories import END, LIMIT, START, paris

UTC = dt.UTC
US = dt.timedelta(microseconds=1)
SECOND = dt.timedelta(seconds=1)
instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
)
seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


# --- UAI ---------------------------------------------------------------------------------


def test_real_uai_of_lycee_henri_iv_is_valid():
    assert rules.uai_key("0750654") == "D"  # 750654 = 23 × 32637 + 3 → 4th letter
    assert rules.is_valid_uai("0750654D")


@pytest.mark.parametrize("value", ["0750654D", "0750654d", " 0750654D ", "0690026D", "6200002H"])
def test_valid_uais(value):
    assert rules.is_valid_uai(value)


@pytest.mark.parametrize(
    "value",
    [
        "0750654E",  # wrong key
        "0750654",  # no key
        "075065D",  # 6 digits
        "07506541D",  # 8 digits
        "A750654D",  # letter among the digits
        "0750654DD",
        "",
        "07506 4D",
    ],
)
def test_invalid_uais(value):
    assert not rules.is_valid_uai(value)


def test_uai_alphabet_has_23_letters_without_i_o_q():
    assert len(rules.UAI_LETTERS) == 23
    assert not set("IOQ") & set(rules.UAI_LETTERS)


@given(seven_digits)
def test_exactly_one_key_letter_completes_any_seven_digits(digits):
    valid = [
        letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if rules.is_valid_uai(digits + letter)
    ]
    assert valid == [rules.uai_key(digits)]


# --- School years (1 Sept – 31 Aug, Europe/Paris) ---------------------------------------------


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(2026, 8, 31), "2025-2026"),
        (dt.date(2026, 9, 1), "2026-2027"),
        (dt.date(2026, 12, 31), "2026-2027"),
        (dt.date(2027, 1, 1), "2026-2027"),
        (dt.date(2027, 8, 31), "2026-2027"),
        (dt.date(2027, 9, 1), "2027-2028"),
    ],
)
def test_school_year_code_of_a_day(day, code):
    assert rules.school_year_code(day) == code


def test_school_year_turns_at_midnight_paris_time_not_utc():
    turn = paris(2026, 9, 1, 0, 0)
    assert turn == dt.datetime(2026, 8, 31, 22, 0, tzinfo=UTC)  # summer time: UTC+2
    assert rules.year_of(turn) == "2026-2027"
    assert rules.year_of(turn - US) == "2025-2026"
    assert rules.year_of(turn - SECOND) == "2025-2026"
    assert rules.year_of(dt.datetime(2026, 8, 31, 23, 30, tzinfo=UTC)) == "2026-2027"


def test_school_year_bounds_are_paris_midnights_in_utc():
    begin, end = rules.school_year_bounds("2026-2027")
    assert begin == dt.datetime(2026, 8, 31, 22, 0, tzinfo=UTC)
    assert end == dt.datetime(2027, 8, 31, 22, 0, tzinfo=UTC)
    assert rules.year_of(end - US) == "2026-2027"
    assert rules.year_of(end) == "2027-2028"


@given(instants)
def test_every_instant_falls_inside_the_bounds_of_its_year(instant):
    code = rules.year_of(instant)
    begin, end = rules.school_year_bounds(code)
    assert begin <= instant < end
    assert int(code[5:]) == int(code[:4]) + 1


# --- Budgets -----------------------------------------------------------------------------


def test_college_budget_is_25_euros_a_pupil():
    enrolment = {"6e": 150, "5e": 142, "4e": 138, "3e": 130}
    assert rules.budget_amount(enrolment, rules.DEFAULT_RATES) == 560 * 2_500 == 1_400_000


def test_lycee_pro_budget_mixes_cap_and_2nde_at_30_and_1re_tle_at_20():
    enrolment = {"cap1": 24, "cap2": 22, "2nde": 100, "1re": 90, "tle": 85}
    assert rules.budget_amount(enrolment, rules.DEFAULT_RATES) == (
        46 * 3_000 + 100 * 3_000 + 175 * 2_000
    )
    assert rules.budget_amount(enrolment, rules.DEFAULT_RATES) == 788_000


def test_rates_are_data_and_unknown_levels_count_nothing():
    assert rules.budget_amount({"6e": 10, "cm2": 30}, {"6e": 3_100}) == 31_000
    assert rules.budget_amount({}, rules.DEFAULT_RATES) == 0


def test_default_rates_by_level():
    assert rules.DEFAULT_RATES == {
        "6e": 2_500, "5e": 2_500, "4e": 2_500, "3e": 2_500, "cap1": 3_000, "cap2": 3_000,
        "2nde": 3_000, "1re": 2_000, "tle": 2_000,
    }  # fmt: skip


levels = st.sampled_from(sorted(rules.DEFAULT_RATES))
enrolments = st.dictionaries(levels, st.integers(min_value=0, max_value=5_000))


@given(enrolments, enrolments)
def test_budget_grows_with_every_pupil_added(first, second):
    merged = {level: first.get(level, 0) + second.get(level, 0) for level in first | second}
    amount = rules.budget_amount(merged, rules.DEFAULT_RATES)
    assert amount == rules.budget_amount(first, rules.DEFAULT_RATES) + rules.budget_amount(
        second, rules.DEFAULT_RATES
    )
    assert amount >= 0


def test_provisional_budget_is_spendable_at_80_percent_final_at_100():
    assert rules.spendable(1_400_000, provisional=True) == 1_120_000
    assert rules.spendable(1_400_000, provisional=False) == 1_400_000
    assert rules.spendable(12_345, provisional=True) == 9_876  # rounded down to the cent


def test_remaining_at_the_80_percent_boundary():
    left = rules.remaining(amount=10_000, provisional=True, committed=7_000)
    assert left == 1_000  # a 10,00 € booking fits exactly, 10,01 € does not
    assert rules.remaining(amount=10_000, provisional=True, committed=8_000) == 0
    assert rules.remaining(amount=10_000, provisional=False, committed=8_000) == 2_000


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_spendable_and_remaining_invariants(amount, committed):
    provisional = rules.spendable(amount, provisional=True)
    assert provisional == amount * 4 // 5 <= rules.spendable(amount, provisional=False) == amount
    assert rules.remaining(amount=amount, provisional=True, committed=committed) == (
        provisional - committed
    )


# --- Deadlines, at the boundary instant and ±1 µs / 1 s ----------------------------------------

AROUND = [(-SECOND, True), (-US, True), (dt.timedelta(0), True), (US, False), (SECOND, False)]


@pytest.mark.parametrize(("shift", "allowed"), AROUND)
def test_head_confirms_until_the_limit_inclusive(shift, allowed):
    assert rules.can_confirm(now=LIMIT + shift, confirmation_limit=LIMIT) is allowed
    assert rules.is_pending_expired(now=LIMIT + shift, confirmation_limit=LIMIT) is not allowed


@pytest.mark.parametrize(("shift", "allowed"), AROUND)
def test_confirmed_booking_can_be_refused_until_15_days_before_the_start(shift, allowed):
    boundary = paris(2027, 2, 28, 10, 0)  # 15 days before Monday 15 March, 10:00
    assert START - boundary == dt.timedelta(days=15)
    assert rules.can_refuse_confirmed(now=boundary + shift, start=START) is allowed


@pytest.mark.parametrize(("shift", "allowed"), AROUND)
def test_venue_cancels_until_48_hours_after_the_end(shift, allowed):
    boundary = paris(2027, 3, 17, 12, 0)
    assert boundary - END == dt.timedelta(hours=48)
    assert rules.can_venue_cancel(now=boundary + shift, end=END) is allowed


@pytest.mark.parametrize(
    ("shift", "due"), [(-SECOND, False), (-US, False), (dt.timedelta(0), True), (US, True)]
)
def test_booking_is_used_from_48_hours_after_the_end(shift, due):
    assert rules.is_used_due(now=paris(2027, 3, 17, 12, 0) + shift, end=END) is due


def test_at_the_48_hour_instant_the_booking_is_used_and_the_venue_may_still_cancel():
    boundary = END + rules.AFTER_END
    assert rules.is_used_due(now=boundary, end=END)
    assert rules.can_venue_cancel(now=boundary, end=END)


@given(instants, instants)
def test_pending_expiry_is_exactly_the_end_of_confirmation(now, limit):
    assert rules.is_pending_expired(now=now, confirmation_limit=limit) is not rules.can_confirm(
        now=now, confirmation_limit=limit
    )


@given(instants, instants)
def test_venue_cancellation_and_used_overlap_only_at_the_boundary(now, end):
    if rules.is_used_due(now=now, end=end) and rules.can_venue_cancel(now=now, end=end):
        assert now == end + rules.AFTER_END
    assert rules.is_used_due(now=now, end=end) or rules.can_venue_cancel(now=now, end=end)


@pytest.mark.parametrize(
    ("old", "new", "confirmed", "allowed"),
    [
        (30_000, 30_001, False, True),
        (30_000, 25_000, False, True),
        (30_000, 30_001, True, False),
        (30_000, 30_000, True, True),
        (30_000, 29_999, True, True),
        (30_000, 0, True, True),
    ],
)
def test_price_may_only_go_down_after_confirmation(old, new, confirmed, allowed):
    assert rules.can_lower_price(old=old, new=new, confirmed=confirmed) is allowed


@given(st.integers(0, 10**7), st.integers(0, 10**7), st.booleans())
def test_price_change_rule(old, new, confirmed):
    allowed = rules.can_lower_price(old=old, new=new, confirmed=confirmed)
    assert allowed is (new <= old or not confirmed)
