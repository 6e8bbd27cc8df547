"""Partner API — offer attributes: categories with their fields, show and music types."""

import pytest
from django.core.cache import cache

from passculture.api.public.events_music_types import LEGACY_MUSIC_TYPES, current_music_type
from passculture.offers.catalogue_types import MUSIC_TYPES
from tests.api.public import reference
from tests.api.public.reference import validate_response

BASE = "/public/offers/v1"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _enum(name: str) -> list[str]:
    return reference.document()["components"]["schemas"][name]["enum"]


def _event_create_ids() -> set[str]:
    schema = reference.document()["components"]["schemas"]["EventOfferCreation"]
    return set(schema["properties"]["categoryRelatedFields"]["discriminator"]["mapping"])


def test_event_categories(partner):
    response = partner.get(f"{BASE}/events/categories")
    assert response.status_code == 200
    body = response.json()
    # reference.py works around the reference's CategoryEnum defect (product ids only).
    validate_response(f"{BASE}/events/categories", "GET", 200, body)
    assert {c["id"] for c in body} == _event_create_ids()
    by_id = {c["id"]: c["conditionalFields"] for c in body}
    assert by_id["SPECTACLE_REPRESENTATION"] == {
        "showType": True,
        "author": False,
        "stageDirector": False,
        "performer": False,
    }
    assert by_id["CONCERT"] == {"musicType": True, "performer": False, "author": False}
    assert by_id["VISITE_GUIDEE"] == {}


def test_product_categories(partner):
    response = partner.get(f"{BASE}/products/categories")
    assert response.status_code == 200
    body = response.json()
    validate_response(f"{BASE}/products/categories", "GET", 200, body)
    by_id = {c["id"]: c for c in body}
    # Every creatable product category of the reference that our catalogue still offers.
    assert set(by_id) == set(_enum("CategoryEnum")) - {"CAPTATION_MUSIQUE"}
    assert by_id["VOD"]["locationType"] == "DIGITAL"
    assert by_id["CARTE_JEUNES"]["locationType"] == "PHYSICAL"
    assert by_id["SUPPORT_PHYSIQUE_FILM"]["conditionalFields"] == {"ean": True}


def test_show_types_are_the_reference_codes_with_our_labels(partner):
    response = partner.get(f"{BASE}/show_types")
    validate_response(f"{BASE}/show_types", "GET", 200, response.json())
    assert [t["id"] for t in response.json()] == _enum("ShowTypeEnum")
    labels = {t["id"]: t["label"] for t in response.json()}
    assert labels["THEATRE-CLASSIQUE"] == "Théâtre — Classique"


@pytest.mark.parametrize(
    ("path", "enum"),
    [
        ("/music_types/all", "TiteliveMusicTypeEnum"),
        ("/music_types/event", "TiteliveEventMusicTypeEnum"),
        ("/music_types", "MusicTypeEnum__deprecated_"),
    ],
)
def test_music_types(partner, path, enum):
    response = partner.get(f"{BASE}{path}")
    assert response.status_code == 200
    validate_response(f"{BASE}{path}", "GET", 200, response.json())
    assert [t["id"] for t in response.json()] == _enum(enum)
    assert all(t["label"] for t in response.json())


def test_every_legacy_music_type_reads_as_a_current_genre():
    assert {current_music_type(code) for code in LEGACY_MUSIC_TYPES} <= set(MUSIC_TYPES)
    assert current_music_type("HIP_HOP_RAP-SOUL") == "FUNK-SOUL-RNB-DISCO"
    assert current_music_type("CHANSON_VARIETE-SLAM") == "VARIETES"
    assert current_music_type("ROCK") == "ROCK"  # a current code stays as is
    assert LEGACY_MUSIC_TYPES["JAZZ-ACID_JAZZ"] == "Jazz — Acid jazz"


def test_attributes_need_a_key(client, db):
    assert client.get(f"{BASE}/show_types").status_code == 401
