"""Pure rules: distance bands, haversine, rates (property-tested), communes, chart geometry."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.stats import charts, communes, rules

LAT = st.floats(min_value=-89.0, max_value=89.0)
LON = st.floats(min_value=-179.0, max_value=179.0)
KM = st.floats(min_value=0, max_value=40_000, allow_nan=False)


@pytest.mark.parametrize(
    ("km", "band"),
    [
        (0, "0–5 km"),
        (4.999, "0–5 km"),
        (5, "5–15 km"),
        (14.99, "5–15 km"),
        (15, "15–30 km"),
        (30, "30–60 km"),
        (59.9, "30–60 km"),
        (60, "60 km et plus"),
        (900, "60 km et plus"),
        (None, "distance inconnue"),
        (float("nan"), "distance inconnue"),
        (-1, "distance inconnue"),
    ],
)
def test_band_edges(km, band):
    assert rules.distance_band(km) == band


@given(KM, KM)
def test_bands_are_monotonic(a, b):
    low, high = sorted((a, b))
    labels = [label for label, _, _ in rules.BANDS]
    assert labels.index(rules.distance_band(low)) <= labels.index(rules.distance_band(high))


@given(KM)
def test_band_bounds_contain_the_distance(km):
    label = rules.distance_band(km)
    low, high = next((lo, hi) for lab, lo, hi in rules.BANDS if lab == label)
    assert low <= km < high


@given(LAT, LON, LAT, LON)
def test_haversine_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    d = rules.haversine_km(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(rules.haversine_km(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0 <= d <= math.pi * rules.EARTH_RADIUS_KM + 1e-6
    assert rules.haversine_km(lat1, lon1, lat1, lon1) == pytest.approx(0, abs=1e-6)


def test_haversine_known_distance():
    # Paris (Notre-Dame) → Lyon (Bellecour): 392 km as the crow flies.
    assert rules.haversine_km(48.853, 2.3499, 45.7578, 4.832) == pytest.approx(392, abs=2)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_rates_stay_between_0_and_1(part, whole):
    value = rules.rate(part, whole)
    assert value is None if whole == 0 else 0 <= value <= 1
    shown = rules.no_show_rate(part, whole)
    assert shown is None if part + whole == 0 else shown == pytest.approx(part / (part + whole))


def test_format_rate_is_french():
    assert rules.format_rate(0.125) == "12,5 %"
    assert rules.format_rate(None) == "—"


def test_communes_resolve_commune_then_department_then_unknown():
    montreuil = communes.resolve("93100", "Montreuil")
    assert montreuil is not None
    assert (montreuil.insee, montreuil.department, montreuil.precision) == (
        "93048",
        "93",
        "commune",
    )
    assert montreuil.latitude == pytest.approx(48.864, abs=0.01)
    # Same name elsewhere: the postal code picks the right one.
    assert communes.resolve("85200", "Montreuil").insee == "85148"
    # Accents, hyphens, "Saint" abbreviations do not matter.
    assert communes.resolve("42000", "saint etienne").insee == "42218"
    # A village without a GeoNames centre: its département's centre, code kept.
    village = communes.resolve("01400", "L'Abergement-Clémenciat")
    assert (village.insee, village.precision) == ("01001", "departement")
    # Unknown commune in a known département: département centre, no code.
    guess = communes.resolve("13999", "Commune inventée")
    assert (guess.insee, guess.department, guess.precision) == ("", "13", "departement")
    assert communes.resolve("00000", "Nulle part") is None
    assert communes.resolve("", "", "") is None
    assert communes.department_of_postal_code("20167") == "2A"
    assert communes.department_of_postal_code("20600") == "2B"
    assert communes.department_of_postal_code("97411") == "974"


def test_bar_chart_scales_to_the_largest_value():
    chart = charts.bars(["a", "b", "c"], [2, 4, None])
    heights = [bar["height"] for bar in chart["bars"]]
    assert heights == ["80.0", "160.0", "0.0"]  # dots, never "80,0" (SVG reads a list)
    assert [bar["y"] for bar in chart["bars"]] == ["110.0", "30.0", "190.0"]
