"""Pure credit rules: ages (29 February included), which grant applies when, expiries, balance."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.credit import rules
from passculture.credit.rules import RULES_2022_2025

PARIS = ZoneInfo("Europe/Paris")
D = dt.date


def paris_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS).astimezone(dt.UTC)


# --- ages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (D(2009, 5, 2), D(2026, 5, 1), 16),
        (D(2009, 5, 2), D(2026, 5, 2), 17),
        (D(2009, 5, 2), D(2026, 12, 31), 17),
        (D(2009, 12, 31), D(2027, 1, 1), 17),
        (D(2009, 1, 1), D(2026, 12, 31), 17),
        # 29 February: in a common year the birthday counts on 1 March.
        (D(2008, 2, 29), D(2026, 2, 28), 17),
        (D(2008, 2, 29), D(2026, 3, 1), 18),
        (D(2008, 2, 29), D(2024, 2, 28), 15),
        (D(2008, 2, 29), D(2024, 2, 29), 16),  # leap year: on the day itself
        (D(2008, 2, 29), D(2008, 2, 29), 0),
    ],
)
def test_age_on(birth, day, age):
    assert rules.age_on(birth, day) == age


@pytest.mark.parametrize(
    ("birth", "age", "day"),
    [
        (D(2009, 5, 2), 18, D(2027, 5, 2)),
        (D(2008, 2, 29), 18, D(2026, 3, 1)),  # common year
        (D(2008, 2, 29), 16, D(2024, 2, 29)),  # leap year
        (D(2008, 2, 29), 21, D(2029, 3, 1)),
    ],
)
def test_birthday(birth, age, day):
    assert rules.birthday(birth, age) == day


@given(
    birth=st.dates(min_value=D(1990, 1, 1), max_value=D(2020, 12, 31)),
    age=st.integers(min_value=1, max_value=30),
)
def test_the_age_is_reached_on_the_birthday_and_not_the_day_before(birth, age):
    day = rules.birthday(birth, age)
    assert rules.age_on(birth, day) == age
    assert rules.age_on(birth, day - dt.timedelta(days=1)) == age - 1


@given(
    birth=st.dates(min_value=D(1990, 1, 1), max_value=D(2020, 12, 31)),
    day=st.dates(min_value=D(2020, 1, 1), max_value=D(2050, 12, 31)),
    later=st.integers(min_value=0, max_value=800),
)
def test_age_never_decreases(birth, day, later):
    assert rules.age_on(birth, day + dt.timedelta(days=later)) >= rules.age_on(birth, day)


# --- which grant applies -------------------------------------------------------------------


def grant(age: int, day: dt.date) -> rules.Grant | None:
    return rules.grant_for(RULES_2022_2025, age=age, day=day)


@pytest.mark.parametrize(
    ("age", "amount", "kind", "expires_at_age", "months", "cap"),
    [
        (15, 2_000, "underage", 18, None, None),
        (16, 3_000, "underage", 18, None, None),
        (17, 3_000, "underage", 18, None, None),
        (18, 30_000, "age_18", None, 24, 10_000),
    ],
)
@pytest.mark.parametrize("day", [D(2021, 5, 1), D(2023, 6, 15), D(2025, 2, 28)])
def test_2022_rules(day, age, amount, kind, expires_at_age, months, cap):
    found = grant(age, day)
    assert found is not None
    assert (found.rule_set, found.amount, found.deposit_kind) == ("2022", amount, kind)
    assert (found.expires_at_age, found.validity_months, found.digital_cap) == (
        expires_at_age,
        months,
        cap,
    )


@pytest.mark.parametrize(
    ("age", "amount", "kind", "cap"),
    [
        (15, 0, "free_only", None),
        (16, 0, "free_only", None),
        (17, 5_000, "age_17_18", 10_000),
        (18, 15_000, "age_17_18", 10_000),
    ],
)
@pytest.mark.parametrize("day", [D(2025, 3, 1), D(2027, 1, 4), D(2040, 1, 1)])
def test_2025_reform_from_1_march_2025(day, age, amount, kind, cap):
    found = grant(age, day)
    assert found is not None
    assert (found.rule_set, found.amount, found.deposit_kind, found.digital_cap) == (
        "2025",
        amount,
        kind,
        cap,
    )
    # One 17–18 deposit until the 21st birthday; the free-only access ends at 17.
    assert found.expires_at_age == (21 if age >= 17 else 17)
    assert found.validity_months is None


@pytest.mark.parametrize("age", [14, 19, 20, 21])
@pytest.mark.parametrize("day", [D(2023, 1, 1), D(2027, 1, 4)])
def test_no_grant_outside_15_to_18(age, day):
    assert grant(age, day) is None


def test_no_grant_before_the_2022_rules():
    assert grant(18, D(2021, 4, 30)) is None


def test_the_rule_sets_do_not_overlap():
    for age in range(15, 19):
        for day in (D(2025, 2, 28), D(2025, 3, 1)):
            matching = [
                g
                for g in RULES_2022_2025
                if g.age == age
                and g.valid_from <= day
                and (g.valid_until is None or day < g.valid_until)
            ]
            assert len(matching) == 1


# --- expiry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2024, 6, 10), 24, D(2026, 6, 10)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 24, D(2026, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
        (D(2024, 3, 31), 0, D(2024, 3, 31)),
    ],
)
def test_add_months(start, months, end):
    assert rules.add_months(start, months) == end


def test_expiry_of_the_18_credit_is_24_months_after_the_grant_at_midnight_in_paris():
    rule = grant(18, D(2024, 6, 10))
    assert rule is not None
    expires = rules.expiry(rule, birth_date=D(2006, 6, 10), granted_on=D(2024, 6, 10))
    assert expires == dt.datetime(2026, 6, 9, 22, 0, tzinfo=dt.UTC)  # 10 June 00:00 (CEST)
    assert expires.tzinfo == dt.UTC


def test_expiry_of_the_underage_credit_is_the_18th_birthday():
    rule = grant(15, D(2023, 1, 20))
    assert rule is not None
    expires = rules.expiry(rule, birth_date=D(2008, 1, 20), granted_on=D(2023, 2, 3))
    assert expires == dt.datetime(2026, 1, 19, 23, 0, tzinfo=dt.UTC)  # 20 January 00:00 (CET)


def test_expiry_of_the_2025_credit_is_the_21st_birthday_whatever_the_grant_day():
    for age, granted_on in ((17, D(2026, 4, 1)), (18, D(2027, 9, 1))):
        rule = grant(age, granted_on)
        assert rule is not None
        expires = rules.expiry(rule, birth_date=D(2009, 3, 15), granted_on=granted_on)
        assert expires == paris_midnight(D(2030, 3, 15))


def test_expiry_of_a_29_february_birth_in_a_common_year():
    rule = grant(17, D(2025, 6, 1))
    assert rule is not None
    expires = rules.expiry(rule, birth_date=D(2008, 2, 29), granted_on=D(2025, 6, 1))
    assert expires == paris_midnight(D(2029, 3, 1))


def test_free_only_access_ends_at_17():
    rule = grant(15, D(2026, 1, 1))
    assert rule is not None
    expires = rules.expiry(rule, birth_date=D(2010, 9, 9), granted_on=D(2026, 1, 1))
    assert expires == paris_midnight(D(2027, 9, 9))


# --- balance arithmetic --------------------------------------------------------------------


def test_balance_examples():
    assert rules.balance(credited=15_000, spent=2_400) == 12_600
    assert rules.balance(credited=5_000, spent=5_000) == 0
    assert rules.balance(credited=3_000, spent=4_000) == 0  # after a staff debit
    assert rules.can_spend(credited=5_000, spent=3_800, price=1_200)
    assert not rules.can_spend(credited=5_000, spent=3_800, price=1_201)
    assert rules.can_spend(credited=0, spent=0, price=0)  # free offers
    assert rules.within_digital_cap(cap=None, digital_spent=99_999, price=10_000)
    assert rules.within_digital_cap(cap=10_000, digital_spent=9_000, price=1_000)
    assert not rules.within_digital_cap(cap=10_000, digital_spent=9_000, price=1_001)


cents = st.integers(min_value=0, max_value=100_000)


@given(credited=cents, spent=cents, price=cents)
def test_balance_is_never_negative_and_can_spend_matches_it(credited, spent, price):
    left = rules.balance(credited=credited, spent=spent)
    assert left >= 0
    assert left <= credited
    assert rules.can_spend(credited=credited, spent=spent, price=price) == (price <= left)
    if spent <= credited:
        assert left == credited - spent


@given(credited=cents, prices=st.lists(st.integers(min_value=0, max_value=30_000), max_size=30))
def test_spending_only_what_can_be_spent_never_overspends(credited, prices):
    spent = 0
    for price in prices:
        before = rules.balance(credited=credited, spent=spent)
        if rules.can_spend(credited=credited, spent=spent, price=price):
            spent += price
            assert rules.balance(credited=credited, spent=spent) == before - price
        else:
            assert price > before
    assert 0 <= spent <= credited
    assert rules.balance(credited=credited, spent=spent) == credited - spent


@given(
    cap=st.none() | cents,
    digital_spent=cents,
    price=cents,
    extra=st.integers(min_value=0, max_value=1_000),
)
def test_digital_cap_is_monotonic(cap, digital_spent, price, extra):
    allowed = rules.within_digital_cap(cap=cap, digital_spent=digital_spent, price=price)
    if cap is None:
        assert allowed
    else:
        assert allowed == (digital_spent + price <= cap)
    # A cheaper purchase (or less spent) is allowed whenever a dearer one is.
    if rules.within_digital_cap(cap=cap, digital_spent=digital_spent, price=price + extra):
        assert allowed
