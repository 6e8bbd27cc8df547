from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.core.money import InvalidAmount, cents_to_euros, euros_to_cents, format_cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12,50", 1250), ("12.5", 1250), ("0", 0), ("300", 30000), (" 1 000,00 ", 100000)],
)
def test_euros_to_cents_parses_french_and_dot_decimals(text, cents):
    assert euros_to_cents(text) == cents


@pytest.mark.parametrize("text", ["abc", "", "12,345", "NaN", "inf"])
def test_euros_to_cents_refuses_bad_amounts(text):
    with pytest.raises(InvalidAmount) as exc:
        euros_to_cents(text)
    assert exc.value.code == "invalid_amount"


def test_format_cents_is_french():
    assert format_cents(123456) == "1\u202f234,56\u00a0€"
    assert format_cents(-5) == "-0,05\u00a0€"


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_cents_round_trip(cents):
    assert euros_to_cents(cents_to_euros(cents)) == cents
    assert cents_to_euros(cents) == Decimal(cents) / 100
