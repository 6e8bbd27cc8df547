"""Partner API — venues: only the key's linked venues, grouped by structure."""

import pytest

from tests import factories
from tests.api.public.reference import validate_response
from tests.offers.factories import make_virtual_venue
from tests.providers.factories import link, make_provider

OFFERER_VENUES = "/public/offers/v1/offerer_venues"


@pytest.fixture
def second_venue(offerer, provider):
    venue = factories.make_venue(offerer, nic=8, name="Petite salle")
    venue.public_name = "La Cave"
    venue.venue_type = "bookshop"
    venue.motor_accessible = True
    venue.save()
    link(provider, venue, booking_url="https://billetterie.example/cave/book")
    return venue


def test_offerer_venues_groups_linked_venues_by_structure(
    db, partner, partner_venue, second_venue, outsider_venue, offerer
):
    response = partner.get(OFFERER_VENUES)
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(OFFERER_VENUES, "GET", 200, body)
    assert len(body) == 1
    assert body[0]["offerer"] == {
        "id": offerer.pk,
        "createdDatetime": body[0]["offerer"]["createdDatetime"],
        "name": "Théâtre des Célestins",
        "siren": offerer.siren,
        "allowedOnAdage": True,
    }
    assert body[0]["offerer"]["createdDatetime"].endswith("Z")
    venues = body[0]["venues"]
    assert [v["id"] for v in venues] == [partner_venue.pk, second_venue.pk]
    first, second = venues
    assert first["legalName"] == "Théâtre de l’Échangeur"
    assert first["publicName"] is None
    assert first["siret"] == partner_venue.siret
    assert first["activityDomain"] == "PERFORMING_ARTS"
    assert first["location"] == {
        "type": "physical",
        "address": "8 place des Célestins",
        "city": "Lyon",
        "postalCode": "69002",
    }
    assert first["bookingUrl"] is None
    assert second["publicName"] == "La Cave"
    assert second["activityDomain"] == "BOOKSTORE"
    assert second["accessibility"]["motorDisabilityCompliant"] is True
    assert second["accessibility"]["audioDisabilityCompliant"] is False
    assert second["bookingUrl"] == "https://billetterie.example/cave/book"
    assert outsider_venue.pk not in [v["id"] for v in venues]


def test_offerer_venues_show_only_this_providers_urls(db, partner, partner_venue):
    other = make_provider("Autre logiciel")
    link(other, partner_venue, booking_url="https://autre.example/book")
    link(make_provider("Troisième"), partner_venue)
    body = partner.get(OFFERER_VENUES).json()
    assert len(body[0]["venues"]) == 1  # one row per venue, whatever the other links
    assert body[0]["venues"][0]["bookingUrl"] is None


def test_digital_venue_has_a_digital_location(db, partner, provider, offerer):
    virtual = make_virtual_venue(offerer)
    link(provider, virtual)
    body = partner.get(OFFERER_VENUES).json()
    validate_response(OFFERER_VENUES, "GET", 200, body)
    digital = next(v for v in body[0]["venues"] if v["id"] == virtual.pk)
    assert digital["location"] == {"type": "digital"}
    assert digital["activityDomain"] == "DIGITAL"
    assert digital["siret"] is None


def test_siren_filter(db, partner, provider, partner_venue, offerer, other_pro):
    elsewhere = factories.make_venue(factories.make_offerer(other_pro, name="Autre"), nic=2)
    link(provider, elsewhere)
    both = partner.get(OFFERER_VENUES).json()
    assert [g["offerer"]["siren"] for g in both] == [offerer.siren, elsewhere.offerer.siren]
    only = partner.get(OFFERER_VENUES, {"siren": offerer.siren}).json()
    assert [g["offerer"]["id"] for g in only] == [offerer.pk]
    assert partner.get(OFFERER_VENUES, {"siren": "123456789"}).json() == []
    assert partner.get(OFFERER_VENUES, {"siren": "12345"}).status_code == 422


def test_offerer_venues_query_count(db, partner, provider, offerer, django_assert_num_queries):
    partner.get(OFFERER_VENUES)  # warm up: key touch
    with django_assert_num_queries(2):  # the key, the venues with their structure and link
        partner.get(OFFERER_VENUES)
    for nic in range(20, 25):
        link(provider, factories.make_venue(offerer, nic=nic))
    with django_assert_num_queries(2):
        body = partner.get(OFFERER_VENUES).json()
    assert len(body[0]["venues"]) == 6


def test_venue_by_siret(db, partner, partner_venue, outsider_venue):
    url = f"/public/offers/v1/venues/{partner_venue.siret}"
    response = partner.get(url)
    assert response.status_code == 200
    body = response.json()
    validate_response("/public/offers/v1/venues/{siret}", "GET", 200, body)
    assert body["id"] == partner_venue.pk
    assert body["createdDatetime"].endswith("Z")
    outsider = partner.get(f"/public/offers/v1/venues/{outsider_venue.siret}")
    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"
    assert partner.get("/public/offers/v1/venues/00000000000000").status_code == 404


def test_unlinked_venue_disappears(db, partner, venue_link, partner_venue):
    venue_link.is_active = False
    venue_link.save()
    assert partner.get(OFFERER_VENUES).json() == []
    assert partner.get(f"/public/offers/v1/venues/{partner_venue.siret}").status_code == 404
