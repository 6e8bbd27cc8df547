"""Partner API — image upload (multipart) on any offer of the key."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passculture.core.models import AuditEntry
from passculture.offers.models import Offer
from tests.api.public.reference import validate_response
from tests.offers.factories import db_state, image_upload, make_offer, make_thing_offer

PATH = "/public/offers/v1/{offer_id}/image"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(partner, offer_id: int, data: dict):
    return partner.client.post(
        PATH.format(offer_id=offer_id), data=data, headers=partner._headers(None)
    )


@pytest.mark.parametrize("maker", [make_thing_offer, make_offer])
def test_upload_image_on_a_product_or_an_event(db, partner, partner_venue, provider, maker):
    offer = maker(partner_venue)
    response = upload(partner, offer.pk, {"file": image_upload(400, 600), "credit": "Studio Nadar"})
    assert response.status_code == 204, response.content
    validate_response(PATH, "POST", 204, response.content)
    offer.refresh_from_db()
    assert offer.image.name.startswith("offers/")
    assert offer.image_credit == "Studio Nadar"
    entry = AuditEntry.objects.get(action="offer.image_set")
    assert entry.actor == provider.service_user


def test_product_read_shows_the_image(db, partner, partner_venue):
    offer = make_thing_offer(partner_venue)
    upload(partner, offer.pk, {"file": image_upload(400, 600, fmt="JPEG", name="a.jpg")})
    body = partner.get(f"/public/offers/v1/products/{offer.pk}").json()
    assert body["image"]["url"].startswith("http://testserver/media/offers/")
    assert body["image"]["credit"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"file": SimpleUploadedFile("notes.txt", b"pas une image", content_type="text/plain")},
        {"file": image_upload(100, 150)},  # too small
        {"file": image_upload(400, 600, fmt="GIF", name="a.gif")},
        {"credit": "sans fichier"},
    ],
)
def test_refused_uploads_change_nothing(db, partner, partner_venue, data):
    offer = make_thing_offer(partner_venue)
    before = db_state()
    response = upload(partner, offer.pk, data)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"invalid_image", "domain_error"}
    assert response.json()["message"]
    assert db_state() == before
    assert Offer.objects.get(pk=offer.pk).image.name == ""


def test_outsider_or_archived_offer_is_404(db, partner, partner_venue, outsider_venue):
    from passculture.core import clock

    outsider = make_thing_offer(outsider_venue)
    archived = make_thing_offer(partner_venue, archived_at=clock.now())
    for offer in (outsider, archived):
        before = db_state()
        response = upload(partner, offer.pk, {"file": image_upload(400, 600)})
        assert response.status_code == 404
        assert db_state() == before
    assert upload(partner, 999_999, {"file": image_upload(400, 600)}).status_code == 404
