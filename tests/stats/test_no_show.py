"""No-show, bookings and cancellations by distance band and département on a known scenario.

Expected figures are counted by hand from scenario.USED_AT_DOOR_VENUE, not by our code.
"""

import pytest

from passculture.stats import selectors
from tests.stats import scenario

pytestmark = pytest.mark.django_db

# band: (auto, door) at the scanning venue, counted from the scenario by hand.
EXPECTED_BANDS = {
    "0–5 km": (1, 3),  # Lyon: 3 pro + 1 auto
    "5–15 km": (1, 1),  # Vénissieux: api + auto
    "15–30 km": (2, 0),  # Givors: 2 auto
    "30–60 km": (1, 5),  # Saint-Étienne 4 pro; L'Abergement 1 auto + 1 pro
    "60 km et plus": (1, 2),  # Grenoble
    "distance inconnue": (1, 1),
}
# bookings made in January (every seeded booking except the December event) per band
EXPECTED_BOOKINGS = {
    "0–5 km": 4 + 5,  # + 5 at the venue that never scans
    "5–15 km": 2,
    "15–30 km": 2,
    "30–60 km": 6,
    "60 km et plus": 3 + 1,  # + the cancelled one
    "distance inconnue": 2,
}


def test_no_show_by_distance_band_matches_hand_count():
    world = scenario.seed()
    scope = selectors.Scope(scenario.START, scenario.END)
    rows = {row["label"]: row for row in selectors.breakdown(world["pro"], scope)["bands"]}
    for band, (auto, door) in EXPECTED_BANDS.items():
        assert (rows[band]["auto"], rows[band]["door"]) == (auto, door), band
        assert rows[band]["no_show_rate"] == pytest.approx(auto / (auto + door)), band
        assert rows[band]["bookings"] == EXPECTED_BOOKINGS[band], band
    assert rows["60 km et plus"]["cancelled"] == 1
    assert rows["0–5 km"]["no_show_rate"] == pytest.approx(0.25)
    assert rows["15–30 km"]["no_show_rate"] == pytest.approx(1.0)


def test_no_show_by_departement_matches_hand_count():
    world = scenario.seed()
    scope = selectors.Scope(scenario.START, scenario.END)
    rows = {row["label"]: row for row in selectors.breakdown(world["pro"], scope)["departments"]}
    expected = {  # (auto, door)
        "69": (1 + 1 + 2, 3 + 1),  # Lyon, Vénissieux, Givors
        "42": (0, 4),
        "01": (1, 1),
        "38": (1, 2),
        "Inconnu": (1, 1),
    }
    assert set(rows) == set(expected)
    for dep, (auto, door) in expected.items():
        assert (rows[dep]["auto"], rows[dep]["door"]) == (auto, door), dep
        assert rows[dep]["no_show_rate"] == pytest.approx(auto / (auto + door)), dep
    assert rows["69"]["no_show_rate"] == pytest.approx(0.5)


def test_per_offer_and_venue_totals():
    world = scenario.seed()
    scope = selectors.Scope(scenario.START, scenario.END)
    venues = {row["name"]: row for row in selectors.per_venue(
        selectors.per_offer(world["pro"], scope), world["pro"]
    )}  # fmt: skip
    door_auto = sum(auto for auto, _ in EXPECTED_BANDS.values())
    door_door = sum(door for _, door in EXPECTED_BANDS.values())
    assert venues["Célestins"]["bookings"] == len(scenario.USED_AT_DOOR_VENUE) + 1
    assert venues["Célestins"]["cancelled"] == 1
    assert (venues["Célestins"]["auto"], venues["Célestins"]["door"]) == (door_auto, door_door)
    assert venues["Célestins"]["no_show_rate"] == pytest.approx(7 / 19)
    # The venue that never validates at the door has no no-show rate at all.
    assert venues["Sans scan"]["bookings"] == 5
    assert venues["Sans scan"]["no_show_rate"] is None


def test_other_structure_sees_nothing():
    scenario.seed()
    from tests.factories import make_offerer, make_user, make_venue

    stranger = make_user("autre@exemple.fr")
    make_venue(make_offerer(stranger, name="Autre"))
    scope = selectors.Scope(scenario.START, scenario.END)
    bands = selectors.breakdown(stranger, scope)["bands"]
    assert sum(row["bookings"] for row in bands) == 0
    assert selectors.per_offer(stranger, scope) == []
