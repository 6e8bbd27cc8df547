"""Pure statistics rules: distances, distance bands, rates. No database."""

import math

EARTH_RADIUS_KM = 6371.0088

# (label, lower bound inclusive, upper bound exclusive) in km; the last band is open.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0–5 km", 0.0, 5.0),
    ("5–15 km", 5.0, 15.0),
    ("15–30 km", 15.0, 30.0),
    ("30–60 km", 30.0, 60.0),
    ("60 km et plus", 60.0, math.inf),
)
UNKNOWN_BAND = "distance inconnue"
BAND_LABELS: tuple[str, ...] = tuple(label for label, _, _ in BANDS) + (UNKNOWN_BAND,)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_band(km: float | None) -> str:
    """The band label of a distance; unknown (None, NaN, negative) → "distance inconnue"."""
    if km is None or math.isnan(km) or km < 0:
        return UNKNOWN_BAND
    for label, low, high in BANDS:
        if low <= km < high:
            return label
    return BANDS[-1][0]  # +inf


def band_between(home: tuple[float, float] | None, place: tuple[float, float] | None) -> str:
    if home is None or place is None:
        return UNKNOWN_BAND
    return distance_band(haversine_km(*home, *place))


def rate(part: int, whole: int) -> float | None:
    """part / whole in [0, 1], None when nothing to divide (shown as "—", not 0 %)."""
    if whole <= 0:
        return None
    return min(1.0, max(0.0, part / whole))


def no_show_rate(auto_used: int, door_validated: int) -> float | None:
    """Share of used event bookings auto-used (nobody scanned them) at venues that scan.

    A booking auto-used 48 h after the event, at a venue that does validate at the door,
    is presumed a no-show; at venues that never scan, auto-use says nothing and they are
    left out by the caller.
    """
    return rate(auto_used, auto_used + door_validated)


def format_rate(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + " %"
