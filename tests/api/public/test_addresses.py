"""Partner API — addresses: create-or-reuse, commune coordinates offline, search, read."""

from decimal import Decimal

import pytest

from passculture.core.models import AuditEntry
from passculture.offerers import address_services
from passculture.offerers.models import Address
from tests.api.public.reference import validate_response

ADDRESSES = "/public/offers/v1/addresses"
SEARCH = "/public/offers/v1/addresses/search"

ZENITH = {
    "street": "211 avenue Jean Jaurès",
    "city": "Paris",
    "postalCode": "75019",
    "latitude": 48.89436,
    "longitude": 2.39375,
}


def test_create_address_with_coordinates(db, partner, provider):
    response = partner.post(ADDRESSES, ZENITH)
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(ADDRESSES, "POST", 200, body)
    address = Address.objects.get()
    assert body == {
        "id": address.pk,
        "banId": None,
        "street": "211 avenue Jean Jaurès",
        "postalCode": "75019",
        "city": "Paris",
        "latitude": 48.89436,
        "longitude": 2.39375,
    }
    assert (address.department_code, address.label) == ("75", "")
    entry = AuditEntry.objects.get(action="address.created")
    assert entry.actor == provider.service_user
    assert entry.object_id == str(address.pk)


def test_same_address_is_reused_not_duplicated(db, partner):
    first = partner.post(ADDRESSES, ZENITH).json()
    again = partner.post(ADDRESSES, {**ZENITH, "street": "211, Avenue JEAN-JAURES "}).json()
    assert again["id"] == first["id"]
    moved = partner.post(ADDRESSES, {**ZENITH, "latitude": 48.9}).json()
    assert moved["id"] != first["id"]
    assert Address.objects.count() == 2
    assert AuditEntry.objects.filter(action="address.created").count() == 2


def test_without_coordinates_reuses_a_known_address(db, partner):
    first = partner.post(ADDRESSES, ZENITH).json()
    body = {k: ZENITH[k] for k in ("street", "city", "postalCode")}
    response = partner.post(ADDRESSES, body)
    assert response.status_code == 200
    assert response.json() == first


def test_without_coordinates_uses_the_communes_coordinates(db, partner):
    response = partner.post(
        ADDRESSES, {"street": "3 rue des Arts", "city": "Saint Etienne", "postalCode": "42000"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(ADDRESSES, "POST", 200, body)
    assert (body["latitude"], body["longitude"]) == (45.4397, 4.3872)
    # Another arrondissement of a known city: the city's coordinates.
    paris = partner.post(
        ADDRESSES, {"street": "1 rue de Rivoli", "city": "PARIS", "postalCode": "75004"}
    ).json()
    assert (paris["latitude"], paris["longitude"]) == (48.8606, 2.3376)


def test_unknown_commune_without_coordinates_is_400(db, partner):
    body = {"street": "1 place de la Mairie", "city": "Trifouilly", "postalCode": "45170"}
    response = partner.post(ADDRESSES, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "coordinates_required"
    assert "latitude" in error["message"] and "longitude" in error["message"]
    assert Address.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"postalCode": "7500"}, 422, None),
        ({"postalCode": "99000"}, 422, None),
        ({"postalCode": "96000"}, 400, "invalid_postal_code"),
        ({"street": ""}, 422, None),
        ({"latitude": 91}, 422, None),
        ({"latitude": 40.0, "longitude": -74.0}, 400, "invalid_coordinates"),
        ({"longitude": None}, 400, "coordinates_required"),
    ],
)
def test_refusals_create_nothing(db, partner, change, status, code):
    audit = AuditEntry.objects.count()
    response = partner.post(ADDRESSES, {**ZENITH, **change})
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    else:
        validate_response(ADDRESSES, "POST", 422, response.json())
    assert Address.objects.count() == 0
    assert AuditEntry.objects.count() == audit


def test_get_address(db, partner):
    created = partner.post(ADDRESSES, ZENITH).json()
    path = f"{ADDRESSES}/{created['id']}"
    response = partner.get(path)
    assert response.status_code == 200
    validate_response("/public/offers/v1/addresses/{address_id}", "GET", 200, response.json())
    assert response.json() == created
    missing = partner.get(f"{ADDRESSES}/{created['id'] + 1000}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def _make(street: str, lat: str, lon: str, label: str = "") -> Address:
    return Address.objects.create(
        label=label,
        street=street,
        postal_code="75019",
        city="Paris",
        department_code="75",
        latitude=Decimal(lat),
        longitude=Decimal(lon),
    )


def test_search_matches_the_literal_address_nearest_first(db, partner):
    far = _make("211 avenue Jean Jaurès", "48.89000", "2.39000")
    near = _make("211 Avenue Jean-Jaures", "48.89436", "2.39375")
    _make("211 avenue Jean Jaurès", "48.89436", "2.39375", label="Zénith")  # an offer's copy
    _make("12 rue de Crimée", "48.89436", "2.39375")
    params = {**{k: str(v) for k, v in ZENITH.items()}}
    response = partner.get(SEARCH, params)
    assert response.status_code == 200
    body = response.json()
    validate_response(SEARCH, "GET", 200, body)
    assert [a["id"] for a in body["addresses"]] == [near.pk, far.pk]
    nothing = partner.get(SEARCH, {**params, "street": "5 rue Inconnue"}).json()
    assert nothing == {"addresses": []}


def test_search_refuses_bad_postal_codes(db, partner):
    params = {"street": "1 rue X", "city": "Paris"}
    assert partner.get(SEARCH, {**params, "postalCode": "7501"}).status_code == 422
    unknown = partner.get(SEARCH, {**params, "postalCode": "96000"})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid_postal_code"
    assert partner.get(SEARCH, {"street": "1 rue X", "postalCode": "75001"}).status_code == 422


def test_commune_lookup_is_pure_data():
    location = address_services.commune_location("13001", "Marseille")
    assert location == address_services.CommuneLocation(Decimal("43.29650"), Decimal("5.36980"))
    assert address_services.commune_location("13001", "Aubagne") is None
    assert address_services.commune_location("20000", "ajaccio") is not None
