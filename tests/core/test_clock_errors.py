import datetime as dt

import pytest

from passculture.core import clock
from passculture.core.errors import DomainError


def test_frozen_clock_and_paris_day():
    instant = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    with clock.frozen_at(instant):
        assert clock.now() == instant
        assert clock.today_paris() == dt.date(2026, 3, 2)  # 00:30 in Paris
    assert clock.now() != instant


def test_frozen_clock_refuses_naive_datetimes():
    with pytest.raises(ValueError), clock.frozen_at(dt.datetime(2026, 1, 1)):
        pass


def test_domain_error_formats_its_french_message():
    class Low(DomainError):
        code = "low"
        message = "Il reste {left} €."

    err = Low(left=3)
    assert err.as_dict() == {"code": "low", "message": "Il reste 3 €.", "field": None}
