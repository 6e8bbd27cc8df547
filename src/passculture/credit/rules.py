"""Pure credit rules: ages, which grant applies, expiry dates, balance arithmetic."""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclasses.dataclass(frozen=True)
class Grant:
    rule_set: str
    valid_from: dt.date
    valid_until: dt.date | None
    age: int
    amount: int
    deposit_kind: str
    expires_at_age: int | None
    validity_months: int | None
    digital_cap: int | None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on `day` (a 29 February birthday counts on 1 March in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """The day `age` is reached (29 February → 1 March in a common year)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return dt.date(birth_date.year + age, 3, 1)


def grant_for(grants: Sequence[Grant], *, age: int, day: dt.date) -> Grant | None:
    """The rule in force on `day` for that age (None: not eligible at that age)."""
    for grant in grants:
        if (
            grant.age == age
            and grant.valid_from <= day
            and (grant.valid_until is None or day < grant.valid_until)
        ):
            return grant
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")


def expiry(grant: Grant, *, birth_date: dt.date, granted_on: dt.date) -> dt.datetime:
    """When the deposit opened by `grant` ends: a birthday (00:00 Paris) or N months later."""
    if grant.expires_at_age is not None:
        end = birthday(birth_date, grant.expires_at_age)
    else:
        end = add_months(granted_on, grant.validity_months or 0)
    return dt.datetime.combine(end, dt.time(), tzinfo=PARIS).astimezone(dt.UTC)


def balance(*, credited: int, spent: int) -> int:
    """What is left to spend, never below zero (spent > credited only after a staff debit)."""
    return max(0, credited - spent)


def can_spend(*, credited: int, spent: int, price: int) -> bool:
    return price <= balance(credited=credited, spent=spent)


def within_digital_cap(*, cap: int | None, digital_spent: int, price: int) -> bool:
    return cap is None or digital_spent + price <= cap


RULES_2022_2025 = [
    # 2022 rules, for ages reached before 1 March 2025.
    Grant("2022", dt.date(2021, 5, 1), dt.date(2025, 3, 1), 15, 2_000, "underage", 18, None, None),
    Grant("2022", dt.date(2021, 5, 1), dt.date(2025, 3, 1), 16, 3_000, "underage", 18, None, None),
    Grant("2022", dt.date(2021, 5, 1), dt.date(2025, 3, 1), 17, 3_000, "underage", 18, None, None),
    Grant("2022", dt.date(2021, 5, 1), dt.date(2025, 3, 1), 18, 30_000, "age_18", None, 24, 10_000),
    # 2025 reform: free offers only at 15–16; one 17–18 deposit until the 21st birthday.
    Grant("2025", dt.date(2025, 3, 1), None, 15, 0, "free_only", 17, None, None),
    Grant("2025", dt.date(2025, 3, 1), None, 16, 0, "free_only", 17, None, None),
    Grant("2025", dt.date(2025, 3, 1), None, 17, 5_000, "age_17_18", 21, None, 10_000),
    Grant("2025", dt.date(2025, 3, 1), None, 18, 15_000, "age_17_18", 21, None, 10_000),
]
"""The rule sets shipped in the first migration (the database is the source afterwards)."""
