"""Partner API — PATCH /events/{id}: only what is sent changes; refusals change nothing."""

import pytest

from passculture.offers.models import Offer, Validation
from tests.api.public.reference import validate_response
from tests.api.public.test_events_support import (  # noqa: F401  (fixture)
    EVENTS,
    date_items,
    event_body,
    frozen_now,
    make_address,
    png_base64,
)
from tests.offers.factories import db_state, make_offer

ONE = EVENTS + "/{event_id}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def event(partner, partner_venue) -> dict:
    """A published event with one date."""
    created = partner.post(EVENTS, event_body(partner_venue)).json()
    ids = [c["id"] for c in created["priceCategories"]]
    partner.post(f"{EVENTS}/{created['id']}/dates", {"dates": date_items(ids, 1)})
    return partner.get(f"{EVENTS}/{created['id']}").json()


def test_only_sent_fields_change(partner, event):
    response = partner.patch(
        f"{EVENTS}/{event['id']}",
        {
            "name": "Le Misanthrope (reprise)",
            "eventDuration": None,
            "accessibility": {"audioDisabilityCompliant": True},
            "categoryRelatedFields": {
                "category": "SPECTACLE_REPRESENTATION",
                "stageDirector": "Élise Vigneron",
                "author": None,
            },
            "idAtProvider": "evt-1-bis",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    validate_response(ONE, "PATCH", 200, body)
    assert body["name"] == "Le Misanthrope (reprise)"
    assert body["eventDuration"] is None
    assert body["accessibility"] == {**event["accessibility"], "audioDisabilityCompliant": True}
    assert body["categoryRelatedFields"] == {
        "category": "SPECTACLE_REPRESENTATION",
        "showType": "THEATRE-CLASSIQUE",
        "stageDirector": "Élise Vigneron",
    }
    assert body["idAtProvider"] == "evt-1-bis"
    unchanged = {"description", "bookingEmail", "priceCategories", "location", "status"}
    assert {k: body[k] for k in unchanged} == {k: event[k] for k in unchanged}


def test_deactivate_then_reactivate(partner, event):
    off = partner.patch(f"{EVENTS}/{event['id']}", {"isActive": False})
    validate_response(ONE, "PATCH", 200, off.json())
    assert off.json()["status"] == "INACTIVE"
    on = partner.patch(f"{EVENTS}/{event['id']}", {"isActive": True})
    assert on.json()["status"] == "ACTIVE"


def test_image_and_other_address(partner, event, partner_venue):
    address = make_address()
    response = partner.patch(
        f"{EVENTS}/{event['id']}",
        {
            "image": {"file": png_base64(), "credit": "Studio Lumière"},
            "location": {
                "type": "address",
                "venueId": partner_venue.pk,
                "addressId": address.pk,
                "addressLabel": "Grande halle",
            },
        },
    )
    assert response.status_code == 200, response.content
    validate_response(ONE, "PATCH", 200, response.json())
    assert response.json()["image"]["credit"] == "Studio Lumière"
    assert response.json()["location"] == {
        "type": "address",
        "venueId": partner_venue.pk,
        "addressId": address.pk,
        "addressLabel": "Grande halle",
    }


def test_publish_now_after_a_draft(partner, partner_venue):
    draft = partner.post(EVENTS, event_body(partner_venue, publicationDatetime=None)).json()
    ids = [c["id"] for c in draft["priceCategories"]]
    partner.post(f"{EVENTS}/{draft['id']}/dates", {"dates": date_items(ids, 1)})
    assert Offer.objects.get().validation == Validation.DRAFT
    published = partner.patch(f"{EVENTS}/{draft['id']}", {"publicationDatetime": "now"})
    assert published.status_code == 200, published.content
    validate_response(ONE, "PATCH", 200, published.json())
    assert published.json()["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"categoryRelatedFields": {"category": "CONCERT", "musicType": "POP"}}, "category"),
        ({"categoryRelatedFields": {"category": "SPECTACLE_REPRESENTATION", "showType": None}},
         "showType"),
        ({"publicationDatetime": None}, "publicationDatetime"),
        ({"bookingAllowedDatetime": "2026-12-01T10:00:00Z"}, "bookingAllowedDatetime"),
        ({"name": "x" * 91}, "name"),
        ({"image": {"file": "AAAA"}}, "image"),
    ],
)  # fmt: skip
def test_refused_edit_changes_nothing(partner, event, body, field):
    before = db_state()
    response = partner.patch(f"{EVENTS}/{event['id']}", {**body, "description": "changé"})
    assert response.status_code == 400, response.content
    assert any(field in key for key in response.json()), response.json()
    assert db_state() == before


def test_edit_is_scoped(partner, event, partner_venue, outsider_venue):
    theirs = make_offer(outsider_venue)
    before = db_state()
    assert partner.patch(f"{EVENTS}/{theirs.pk}", {"name": "À moi"}).status_code == 404
    moved = partner.patch(
        f"{EVENTS}/{event['id']}",
        {"location": {"type": "physical", "venueId": outsider_venue.pk}},
    )
    assert moved.status_code == 404
    assert db_state() == before
