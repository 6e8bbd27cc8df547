"""Partner API — event offers: create (with tariffs, image, other address), read, list."""

import datetime as dt

import pytest

from passculture.core.models import AuditEntry
from passculture.offers.models import Offer, ReviewRule, Stock, Validation
from tests import factories
from tests.api.public.reference import validate_response
from tests.api.public.test_events_support import (  # noqa: F401  (fixture)
    EVENTS,
    counts,
    date_items,
    event_body,
    frozen_now,
    iso,
    make_address,
    png_base64,
)
from tests.offers.factories import NOW, make_offer, make_price_category, make_stock, paris

ONE = EVENTS + "/{event_id}"
DATES = EVENTS + "/{event_id}/dates"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_event_at_another_address_with_two_tariffs_and_twenty_dates(
    partner, partner_venue, provider
):
    address = make_address()
    body = event_body(
        partner_venue,
        location={"type": "address", "venueId": partner_venue.pk, "addressId": address.pk},
        image={"file": png_base64(), "credit": "Cie du Soleil"},
        itemCollectionDetails="Entrée par la porte B.",
    )
    created = partner.post(EVENTS, body)
    assert created.status_code == 200, created.content
    event = created.json()
    validate_response(EVENTS, "POST", 200, event)
    # No date yet: the offer waits as a draft, publication "now" remembered.
    assert event["status"] == "DRAFT"
    assert event["location"] == {
        "type": "address",
        "venueId": partner_venue.pk,
        "addressId": address.pk,
        "addressLabel": "Zénith de Paris",
    }
    assert event["categoryRelatedFields"] == {
        "category": "SPECTACLE_REPRESENTATION",
        "showType": "THEATRE-CLASSIQUE",
        "author": "Molière",
    }
    assert event["hasTicket"] is False and event["enableDoubleBookings"] is True
    assert event["eventDuration"] == 120 and event["idAtProvider"] == "evt-1"
    assert event["itemCollectionDetails"] == "Entrée par la porte B."
    assert event["image"]["credit"] == "Cie du Soleil"
    assert event["image"]["url"].startswith("http://testserver/media/offers/")
    assert event["publicationDatetime"] == "2027-01-04T08:00:00Z"
    tariffs = {c["label"]: c for c in event["priceCategories"]}
    assert {k: (v["price"], v["idAtProvider"]) for k, v in tariffs.items()} == {
        "Plein tarif": (2500, "pc-plein"),
        "Tarif réduit": (1200, None),
    }

    offer = Offer.objects.get(pk=event["id"])
    assert offer.withdrawal_type == "no_ticket" and offer.id_at_provider == "evt-1"
    assert offer.address is not None and offer.address.city == "Paris"
    assert offer.motor_accessible and not offer.hearing_accessible
    assert AuditEntry.objects.get(action="offer.created").actor == provider.service_user

    ids = [tariffs["Plein tarif"]["id"], tariffs["Tarif réduit"]["id"]]
    dates = partner.post(f"{EVENTS}/{offer.pk}/dates", {"dates": date_items(ids, 10)})
    assert dates.status_code == 200, dates.content
    validate_response(DATES, "POST", 200, dates.json())
    assert len(dates.json()["dates"]) == 20
    first = dates.json()["dates"][0]
    assert first["beginningDatetime"] == "2027-01-10T19:30:00Z"
    assert first["bookingLimitDatetime"] == "2027-01-10T17:30:00Z"
    assert (first["quantity"], first["bookedQuantity"], first["idAtProvider"]) == (50, 0, "d0-0")
    assert first["priceCategory"]["label"] == "Plein tarif"
    assert dates.json()["dates"][1]["quantity"] == "unlimited"
    stocks = Stock.objects.filter(offer=offer)
    assert stocks.count() == 20
    assert sorted({s.price for s in stocks}) == [1200, 2500]

    # With dates, the publication asked for at creation happens (no review rule: approved).
    offer.refresh_from_db()
    assert offer.validation == Validation.APPROVED
    read = partner.get(f"{EVENTS}/{offer.pk}")
    assert read.status_code == 200
    validate_response(ONE, "GET", 200, read.json())
    assert read.json()["status"] == "ACTIVE"
    assert read.json()["location"]["addressId"] == address.pk


def test_has_ticket_needs_a_booking_url_and_a_contact(partner, partner_venue, provider):
    body = event_body(partner_venue, hasTicket=True, bookingContact="aide@echangeur.fr")
    refused = partner.post(EVENTS, body)
    assert refused.status_code == 400
    assert refused.json()["hasTicket"] == [refused.json()["message"]]
    assert counts() == (0, 0, 0)

    provider.booking_url = "https://billetterie.example/reserver"
    provider.save()
    no_contact = partner.post(EVENTS, {**body, "bookingContact": None})
    assert no_contact.status_code == 400 and "bookingContact" in no_contact.json()
    created = partner.post(EVENTS, body)
    assert created.status_code == 200, created.content
    validate_response(EVENTS, "POST", 200, created.json())
    assert created.json()["hasTicket"] is True
    assert created.json()["bookingContact"] == "aide@echangeur.fr"
    assert Offer.objects.get().withdrawal_type == "in_app"


def test_publication_null_keeps_a_draft_and_a_future_one_is_scheduled(partner, partner_venue):
    draft = partner.post(
        EVENTS, event_body(partner_venue, publicationDatetime=None, idAtProvider="a")
    ).json()
    later = iso(paris(2027, 1, 8, 10, 0))
    scheduled = partner.post(
        EVENTS, event_body(partner_venue, publicationDatetime=later, idAtProvider="b")
    ).json()
    for event in (draft, scheduled):
        ids = [c["id"] for c in event["priceCategories"]]
        response = partner.post(f"{EVENTS}/{event['id']}/dates", {"dates": date_items(ids, 1)})
        assert response.status_code == 200, response.content
    assert partner.get(f"{EVENTS}/{draft['id']}").json()["status"] == "DRAFT"
    read = partner.get(f"{EVENTS}/{scheduled['id']}").json()
    validate_response(ONE, "GET", 200, read)
    assert read["status"] == "SCHEDULED" and read["publicationDatetime"] == "2027-01-08T09:00:00Z"


def test_review_rules_apply_to_partner_offers(partner, partner_venue):
    ReviewRule.objects.create(name="Tout Molière", words="Molière")
    event = partner.post(EVENTS, event_body(partner_venue)).json()
    ids = [c["id"] for c in event["priceCategories"]]
    partner.post(f"{EVENTS}/{event['id']}/dates", {"dates": date_items(ids, 1)})
    assert Offer.objects.get().validation == Validation.PENDING
    assert partner.get(f"{EVENTS}/{event['id']}").json()["status"] == "PENDING"


def test_legacy_music_type_is_read_as_the_current_genre(partner, partner_venue):
    body = event_body(
        partner_venue,
        categoryRelatedFields={"category": "CONCERT", "musicType": "JAZZ-BEBOP"},
        name="Quartet du dimanche",
    )
    created = partner.post(EVENTS, body)
    assert created.status_code == 200, created.content
    validate_response(EVENTS, "POST", 200, created.json())
    assert created.json()["categoryRelatedFields"] == {
        "category": "CONCERT",
        "musicType": "JAZZ-BLUES",
    }


# --- refusals: nothing created ------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"categoryRelatedFields": {"category": "DANSE_DU_VENTRE"}}, 400, "category"),
        ({"categoryRelatedFields": {"category": "LIVRE_PAPIER"}}, 400, "category"),
        ({"categoryRelatedFields": {"category": "SPECTACLE_REPRESENTATION"}}, 400, "showType"),
        (
            {"categoryRelatedFields": {"category": "CONCERT", "musicType": "POLKA"}},
            400,
            "musicType",
        ),
        ({"priceCategories": [{"label": "Carré or", "price": 30_001}]}, 422, "price"),
        (
            {"priceCategories": [{"label": "Plein", "price": 10}, {"label": "plein", "price": 5}]},
            400,
            "label",
        ),
        ({"publicationDatetime": "2027-01-01T10:00:00Z"}, 400, "publicationDatetime"),
        ({"bookingEmail": "pas-un-email"}, 400, "bookingEmail"),
        ({"image": {"file": "pas du base64 !"}}, 400, "image"),
        ({"image": {"file": png_base64(100, 100)}}, 400, "image"),
        ({"name": ""}, 400, "name"),
        ({"couleur": "rouge"}, 422, "couleur"),
        ({"eventDuration": -5}, 422, "eventDuration"),
        ({"name": "Le\x00Misanthrope"}, 422, "payload"),  # PostgreSQL cannot store NUL
        ({"bookingAllowedDatetime": "9999-12-31T23:59:59-14:00"}, 422, "bookingAllowedDatetime"),
        (
            {
                "location": {"type": "digital", "venueId": 0, "url": "https://x.example"}
            },  # before the venue
            400,
            "location",
        ),
    ],
)
def test_invalid_creation_changes_nothing(partner, partner_venue, overrides, status, field):
    response = partner.post(EVENTS, event_body(partner_venue, **overrides))
    assert response.status_code == status, response.content
    body = response.json()
    if status == 400:
        assert any(field in key for key in body if key not in {"code", "message"}), body
        assert body["message"]
    else:
        validate_response(EVENTS, "POST", 422, body)
        assert any(field in loc for item in body for loc in item["loc"]), body
    assert counts() == (0, 0, 0)


def test_location_on_a_venue_the_key_does_not_reach_is_404(partner, partner_venue, outsider_venue):
    body = event_body(partner_venue, location={"type": "physical", "venueId": outsider_venue.pk})
    response = partner.post(EVENTS, body)
    assert response.status_code == 404
    unknown_address = event_body(
        partner_venue,
        location={"type": "address", "venueId": partner_venue.pk, "addressId": 999_999},
    )
    assert partner.post(EVENTS, unknown_address).status_code == 404
    assert counts() == (0, 0, 0)


# --- reads ----------------------------------------------------------------------------------


def test_events_of_another_structure_or_products_are_404(partner, partner_venue, outsider_venue):
    theirs = make_offer(outsider_venue)
    thing = make_offer(partner_venue, subcategory_id="CARTE_JEUNES", name="Carte")
    for offer_id in (theirs.pk, thing.pk, 999_999):
        response = partner.get(f"{EVENTS}/{offer_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    listed = partner.get(EVENTS).json()["events"]
    assert listed == []
    assert partner.get(EVENTS, {"venueId": outsider_venue.pk}).status_code == 404


def _events(venue, n: int, **fields) -> list[Offer]:
    offers = []
    for i in range(n):
        offer = make_offer(venue, name=f"Spectacle {i}", id_at_provider=f"ext-{i}", **fields)
        category = make_price_category(offer)
        make_stock(offer, beginning=NOW + dt.timedelta(days=3), category=category, quantity=10)
        offers.append(offer)
    return offers


def test_list_filters_and_pagination(partner, partner_venue, offerer, provider):
    from tests.providers.factories import link

    second_venue = factories.make_venue(offerer, nic=8, name="Petite salle")
    link(provider, second_venue)
    here = _events(partner_venue, 4)
    there = _events(second_venue, 2)
    address = make_address()
    elsewhere = make_offer(partner_venue, name="Hors les murs", address=make_address(label="copie"))

    everything = partner.get(EVENTS)
    assert everything.status_code == 200
    validate_response(EVENTS, "GET", 200, everything.json())
    assert [e["id"] for e in everything.json()["events"]] == sorted(
        o.pk for o in [*here, *there, elsewhere]
    )

    by_venue = partner.get(EVENTS, {"venueId": second_venue.pk}).json()["events"]
    assert [e["id"] for e in by_venue] == [o.pk for o in there]

    by_ids = partner.get(EVENTS, {"idsAtProvider": "ext-1,ext-3,inconnu"}).json()["events"]
    assert [e["id"] for e in by_ids] == [here[1].pk, here[3].pk, there[1].pk]
    assert [e["idAtProvider"] for e in by_ids] == ["ext-1", "ext-3", "ext-1"]

    at_place = partner.get(EVENTS, {"addressId": address.pk}).json()["events"]
    assert [e["id"] for e in at_place] == [elsewhere.pk]
    assert at_place[0]["location"]["addressId"] == address.pk  # the id the client knows

    pages, first = [], 1
    while page := partner.get(EVENTS, {"limit": 3, "firstIndex": first}).json()["events"]:
        pages.append([e["id"] for e in page])
        first = page[-1]["id"] + 1
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == [e["id"] for e in everything.json()["events"]]
    assert partner.get(EVENTS, {"limit": 51}).status_code == 422

    Offer.objects.filter(pk=here[0].pk).update(updated_at=NOW + dt.timedelta(minutes=5))
    Offer.objects.exclude(pk=here[0].pk).update(updated_at=NOW - dt.timedelta(days=1))
    recent = partner.get(EVENTS, {"updatedSince": "2027-01-04T09:01:00+01:00"}).json()["events"]
    assert [e["id"] for e in recent] == [here[0].pk]


def test_list_query_count_does_not_grow_with_events(
    partner, partner_venue, django_assert_max_num_queries
):
    _events(partner_venue, 2)
    partner.get(EVENTS)  # warm the key's caches (last use)
    with django_assert_max_num_queries(4) as few:  # key, offers, tariffs
        assert len(partner.get(EVENTS).json()["events"]) == 2
    _events(partner_venue, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(partner.get(EVENTS).json()["events"]) == 22
