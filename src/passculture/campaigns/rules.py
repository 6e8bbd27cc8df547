"""Pure campaign rules: age bounds at a date, distance on the sphere. No database."""

import datetime as dt
import math

MIN_REMAINING_SEATS = 50
AGE_MIN, AGE_MAX = 15, 18
EARTH_RADIUS_KM = 6371.0


def birth_date_bounds(*, today: dt.date, age_min: int, age_max: int) -> tuple[dt.date, dt.date]:
    """(earliest, latest) birth dates, both inclusive, of people aged age_min..age_max today."""
    latest = _years_before(today, age_min)
    earliest = _years_before(today, age_max + 1) + dt.timedelta(days=1)
    return earliest, latest


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
