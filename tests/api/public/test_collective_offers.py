"""Partner API — Collective Offers: list, read, create (submitted at once), edit, archive,
formats; the reference's shapes, field names in refusals, scoping, nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveStock,
    LocationType,
)
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.offerers.models import Address
from passculture.offers.models import Validation
from tests.api.public.reference import validate_response
from tests.collective.factories import (
    END,
    LIMIT,
    NOW,
    START,
    actions_for,
    make_booking,
    make_member,
    make_offer,
    make_school,
    make_template,
    world_state,
)
from tests.factories import make_venue
from tests.providers.factories import link

pytestmark = pytest.mark.django_db
OFFERS = "/v2/collective/offers/"
ONE = "/v2/collective/offers/{offer_id}"
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


@pytest.fixture
def school():
    return make_school(uai="0690103M", name="Collège Jean Moulin")


@pytest.fixture
def teacher(school):
    return make_member(school)


def body(venue_id: int, **changes):
    values = {
        "venueId": venue_id,
        "name": "Atelier d’écriture théâtrale",
        "description": "Deux heures d’écriture et de jeu avec la compagnie.",
        "formats": ["Atelier de pratique", "Représentation"],
        "bookingEmails": ["scolaires@echangeur.fr", "billetterie@echangeur.fr"],
        "contactEmail": "contact@echangeur.fr",
        "contactPhone": "04 78 00 00 00",
        "domains": [1, 7],
        "students": ["COLLEGE4", "COLLEGE3"],
        "startDatetime": "2027-03-15T10:00:00+01:00",
        "endDatetime": "2027-03-15T12:00:00+01:00",
        "bookingLimitDatetime": "2027-03-01T18:00:00+01:00",
        "totalPrice": 350.5,
        "numberOfTickets": 28,
        "educationalPriceDetail": "Deux intervenants ; transport non compris.",
        "durationMinutes": 120,
        "location": {"type": "SCHOOL"},
    }
    values.update(changes)
    return values


def _one(offer_id: int) -> str:
    return ONE.format(offer_id=offer_id)


# --- POST -----------------------------------------------------------------------------


def test_create_offer_submits_it_and_answers_the_reference_shape(partner, partner_venue, school):
    response = partner.post(OFFERS, body(partner_venue.pk, educationalInstitution="0690103m"))
    assert response.status_code == 201, response.content
    data = response.json()
    validate_response(OFFERS, "POST", 201, data)
    offer = CollectiveOffer.objects.get(pk=data["id"])
    stock = CollectiveStock.objects.get(offer=offer)
    assert (offer.venue_id, offer.is_template, offer.validation, offer.is_active) == (
        partner_venue.pk,
        False,
        Validation.APPROVED,
        True,
    )
    assert (offer.domains, offer.levels, offer.formats) == (
        ["theatre", "cinema"],
        ["4e", "3e"],
        ["atelier", "representation"],
    )
    assert (offer.location_type, offer.target_school_id) == (LocationType.SCHOOL, school.pk)
    assert offer.booking_emails == ["scolaires@echangeur.fr", "billetterie@echangeur.fr"]
    assert (stock.start_datetime, stock.end_datetime, stock.booking_limit_datetime) == (
        START,
        END,
        LIMIT,
    )
    assert (stock.price, stock.number_of_pupils) == (35_050, 28)
    assert actions_for(offer) == [
        "collective_offer.created",
        "collective_offer.updated",  # booking e-mails
        "collective_offer.submitted",
    ]
    assert {k: data[k] for k in ("status", "offerStatus", "totalPrice", "startDatetime")} == {
        "status": "ACTIVE",
        "offerStatus": "PUBLISHED",
        "totalPrice": 350.5,
        "startDatetime": "2027-03-15T09:00:00Z",
    }
    assert data["location"] == {"type": "SCHOOL"}
    assert data["offerVenue"] == {"addressType": "school", "otherAddress": None, "venueId": None}
    assert (data["educationalInstitution"], data["educationalInstitutionId"]) == (
        "0690103M",
        school.pk,
    )
    assert data["students"] == ["COLLEGE4", "COLLEGE3"]
    assert data["domains"] == [1, 7]
    assert data["bookings"] == []


def test_create_offer_locations(partner, partner_venue):
    address = Address.objects.create(
        label="Salle des fêtes", street="1 rue de la Mairie", postal_code="69100",
        city="Villeurbanne", department_code="69", latitude=Decimal("45.77"),
        longitude=Decimal("4.88"),
    )  # fmt: skip
    cases = [
        ({"type": "ADDRESS", "isVenueAddress": True}, LocationType.VENUE),
        (
            {"type": "ADDRESS", "isVenueAddress": False, "addressId": address.pk},
            LocationType.ADDRESS,
        ),
        ({"type": "TO_BE_DEFINED", "comment": "Au choix"}, LocationType.TO_BE_DEFINED),
        ({"type": "TO_BE_DEFINED"}, LocationType.TO_BE_DEFINED),
    ]
    for location, kind in cases:
        response = partner.post(OFFERS, body(partner_venue.pk, location=location))
        assert response.status_code == 201, response.content
        validate_response(OFFERS, "POST", 201, response.json())
        offer = CollectiveOffer.objects.get(pk=response.json()["id"])
        assert offer.location_type == kind
    at_address = CollectiveOffer.objects.get(location_type=LocationType.ADDRESS)
    assert (at_address.address.street, at_address.address.label) == (
        "1 rue de la Mairie",
        "Salle des fêtes",
    )
    last = CollectiveOffer.objects.order_by("-pk").first()
    assert last.location_comment == "Lieu à définir avec l’établissement."
    legacy = partner.post(
        OFFERS, body(partner_venue.pk, location=None, offerVenue={"addressType": "school"})
    )
    assert legacy.status_code == 201
    assert CollectiveOffer.objects.get(pk=legacy.json()["id"]).location_type == "school"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"domains": [99]}, 400, "domains"),
        ({"students": ["MATERNELLE"]}, 400, "students"),
        ({"formats": ["Karaoké"]}, 400, "formats"),
        ({"educationalInstitutionId": 999_999}, 404, "educationalInstitutionId"),
        ({"nationalProgramId": 3}, 404, "nationalProgramId"),
        ({"startDatetime": "2026-12-01T10:00:00Z"}, 400, "startDatetime"),
        ({"bookingLimitDatetime": "2027-04-01T10:00:00Z"}, 400, "bookingLimitDatetime"),
        ({"totalPrice": 10.005}, 400, "totalPrice"),
        ({"totalPrice": 70_000}, 400, "totalPrice"),
        ({"numberOfTickets": 0}, 400, "numberOfTickets"),
        ({"contactEmail": "pas-un-email"}, 400, "contactEmail"),
        ({"bookingEmails": ["x@"]}, 400, "bookingEmails"),
        ({"contactPhone": "0" * 21}, 400, "contactPhone"),
        ({"interventionArea": ["69", "100"]}, 400, "interventionArea"),
        ({"durationMinutes": -5}, 400, "durationMinutes"),
        ({"name": " "}, 400, "name"),
        ({"location": {"type": "ADDRESS", "isVenueAddress": False}}, 400, "location"),
        ({"location": {"type": "ADDRESS", "addressId": 999_999}}, 404, "location"),
    ],
)
def test_create_offer_refusals_change_nothing(partner, partner_venue, changes, status, field):
    before = world_state(), Address.objects.count()
    response = partner.post(OFFERS, body(partner_venue.pk, **changes))
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()
    assert (world_state(), Address.objects.count()) == before


def test_create_offer_schema_refusals(partner, partner_venue, outsider_venue):
    before = world_state()
    assert partner.post(OFFERS, body(outsider_venue.pk)).status_code == 404
    unknown_field = partner.post(OFFERS, body(partner_venue.pk, colour="bleu"))
    assert unknown_field.status_code == 422
    validate_response(OFFERS, "POST", 422, unknown_field.json())
    missing = body(partner_venue.pk)
    del missing["name"]
    assert partner.post(OFFERS, missing).status_code == 422
    assert partner.post(OFFERS, body(partner_venue.pk, name="Nul\x00")).status_code == 422
    assert world_state() == before


def test_create_inactive_offer(partner, partner_venue):
    response = partner.post(OFFERS, body(partner_venue.pk, isActive=False))
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["offerStatus"]) == ("INACTIVE", "HIDDEN")


# --- GET ------------------------------------------------------------------------------


def test_get_offer_with_its_bookings(partner, partner_venue, teacher):
    offer = make_offer(partner_venue, formats=["atelier", "rencontre", "parcours"])
    booking = make_booking(offer, teacher, status=CollectiveBookingStatus.CONFIRMED)
    response = partner.get(_one(offer.pk))
    assert response.status_code == 200
    data = response.json()
    validate_response(ONE, "GET", 200, data)
    assert data["bookings"] == [
        {
            "id": booking.pk,
            "status": "CONFIRMED",
            "dateCreated": "2027-01-03T08:00:00Z",
            "confirmationDate": "2027-01-04T07:00:00Z",
            "cancellationLimitDate": "2027-02-28T09:00:00Z",
            "dateUsed": None,
            "reimbursementDate": None,
        }
    ]
    assert (data["status"], data["offerStatus"], data["isSoldOut"]) == ("SOLD_OUT", "BOOKED", True)
    assert data["formats"] == ["Atelier de pratique", "Conférence, rencontre", "Visite guidée"]
    assert data["location"] == {"type": "ADDRESS", "isVenueAddress": True}
    assert data["totalPrice"] == 300.0


def test_other_venues_and_templates_are_404(partner, partner_venue, outsider_venue):
    outsider = make_offer(outsider_venue)
    template = make_template(partner_venue)
    for offer in (outsider, template):
        assert partner.get(_one(offer.pk)).status_code == 404
        before = world_state()
        assert partner.patch(_one(offer.pk), {"name": "Repris"}).status_code == 404
        assert world_state() == before
    assert partner.get(_one(999_999)).status_code == 404


def test_list_offers_filters(
    partner,
    provider,
    partner_venue,
    outsider_venue,
    teacher,
    offerer,
    django_assert_max_num_queries,
):
    second_venue = make_venue(offerer, nic=9, name="Petite salle")
    link(provider, second_venue)
    published = make_offer(partner_venue)
    booked = make_offer(partner_venue, start=START + 30 * DAY)
    make_booking(booked, teacher, status=CollectiveBookingStatus.PENDING)
    expired = make_offer(partner_venue, start=NOW + 2 * DAY, limit=NOW - DAY)
    elsewhere = make_offer(second_venue)
    make_offer(outsider_venue)
    make_template(partner_venue)

    def ids(params=None):
        response = partner.get(OFFERS, params or {})
        assert response.status_code == 200, response.content
        validate_response(OFFERS, "GET", 200, response.json())
        return [offer["id"] for offer in response.json()]

    with django_assert_max_num_queries(4):  # key (read, touch), offers, their bookings
        everything = ids()
    assert everything == [published.pk, booked.pk, expired.pk, elsewhere.pk]
    assert ids({"venueId": second_venue.pk}) == [elsewhere.pk]
    assert ids({"offerStatus": "PREBOOKED"}) == [booked.pk]
    assert ids({"status": "EXPIRED"}) == [expired.pk]
    assert ids({"status": "SOLD_OUT"}) == [booked.pk]
    assert ids({"periodBeginningDate": "2027-03-16T00:00:00+01:00"}) == [booked.pk]
    assert ids({"periodEndingDate": "2027-01-31"}) == [expired.pk]
    assert partner.get(OFFERS, {"venueId": outsider_venue.pk}).status_code == 404
    assert partner.get(OFFERS, {"periodEndingDate": "demain"}).status_code == 400
    assert partner.get(OFFERS, {"offerStatus": "LOST"}).status_code == 422


# --- PATCH ----------------------------------------------------------------------------


def test_patch_changes_only_given_fields(partner, partner_venue, school):
    offer = make_offer(partner_venue, booking_emails=["a@echangeur.fr"])
    response = partner.patch(
        _one(offer.pk),
        {
            "name": "Molière, version courte",
            "totalPrice": 250,
            "educationalInstitutionId": school.pk,
            "location": {"type": "TO_BE_DEFINED", "comment": "Dans le gymnase ou la cour"},
            "interventionArea": ["69", "01"],
            "isActive": False,
        },
    )
    assert response.status_code == 200, response.content
    validate_response(ONE, "PATCH", 200, response.json())
    offer.refresh_from_db()
    stock = CollectiveStock.objects.get(offer=offer)
    assert (offer.name, stock.price, offer.target_school_id, offer.is_active) == (
        "Molière, version courte",
        25_000,
        school.pk,
        False,
    )
    assert (offer.location_type, offer.location_comment) == (
        LocationType.TO_BE_DEFINED,
        "Dans le gymnase ou la cour",
    )
    assert offer.intervention_departments == ["69", "01"]
    # Untouched: description, levels, dates, e-mails.
    assert (offer.levels, offer.booking_emails, stock.start_datetime) == (
        ["4e", "3e"],
        ["a@echangeur.fr"],
        START,
    )
    untarget = partner.patch(_one(offer.pk), {"educationalInstitutionId": None})
    assert untarget.status_code == 200
    offer.refresh_from_db()
    assert offer.target_school_id is None


def test_patch_refusals_change_nothing(partner, partner_venue, outsider_venue, teacher):
    offer = make_offer(partner_venue)
    confirmed = make_offer(partner_venue, name="Réservée")
    make_booking(confirmed, teacher, status=CollectiveBookingStatus.CONFIRMED)
    archived = make_offer(partner_venue, archived_at=NOW - DAY)
    cases = [
        (offer, {"name": None}, 400, "name"),
        (offer, {"venueId": outsider_venue.pk}, 404, None),
        (offer, {"startDatetime": "2026-01-01T10:00:00Z"}, 400, "startDatetime"),
        (confirmed, {"totalPrice": 400}, 400, "totalPrice"),
        (confirmed, {"numberOfTickets": 30}, 400, "startDatetime"),
        (archived, {"name": "Encore"}, 403, None),
    ]
    for target, payload, status, field in cases:
        before = world_state(), AuditEntry.objects.count()
        response = partner.patch(_one(target.pk), payload)
        assert response.status_code == status, (payload, response.content)
        if field:
            assert field in response.json()
        assert (world_state(), AuditEntry.objects.count()) == before
    lower = partner.patch(_one(confirmed.pk), {"totalPrice": 200})
    assert lower.status_code == 200
    assert CollectiveBooking.objects.get(offer=confirmed).price == 20_000


# --- archive, formats -----------------------------------------------------------------


def test_archive_all_or_nothing(partner, partner_venue, outsider_venue):
    first, second = make_offer(partner_venue), make_offer(partner_venue)
    outsider = make_offer(outsider_venue)
    before = world_state()
    refused = partner.post(OFFERS + "archive", {"ids": [first.pk, outsider.pk]})
    assert refused.status_code == 404
    assert world_state() == before
    assert not CollectiveOffer.objects.filter(archived_at__isnull=False).exists()
    response = partner.post(OFFERS + "archive", {"ids": [first.pk, second.pk, first.pk]})
    assert response.status_code == 204
    assert set(CollectiveOffer.objects.filter(archived_at=NOW).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    data = partner.get(_one(first.pk)).json()
    assert (data["status"], data["offerStatus"]) == ("ARCHIVED", "ARCHIVED")
    assert partner.post(OFFERS + "archive", {"ids": [first.pk]}).status_code == 204
    assert partner.post(OFFERS + "archive", {"ids": "1"}).status_code == 422


def test_formats(partner):
    response = partner.get("/v2/collective/offers/formats")
    assert response.status_code == 200
    assert response.json()[:2] == [
        {"id": "ATELIER_DE_PRATIQUE", "name": "Atelier de pratique"},
        {"id": "CONCERT", "name": "Concert"},
    ]
    assert {f["id"] for f in response.json()} >= {
        "CONFERENCE_RENCONTRE",
        "FESTIVAL_SALON_CONGRES",
        "VISITE_GUIDEE",
    }
    assert len(response.json()) == 8


def test_legacy_offer_venue_at_another_venue_of_the_key(
    partner, provider, partner_venue, outsider_venue, offerer
):
    hall = make_venue(offerer, nic=9, name="Salle Molière")
    link(provider, hall)
    legacy = {"addressType": "offererVenue", "venueId": hall.pk, "otherAddress": None}
    response = partner.post(OFFERS, body(partner_venue.pk, location=None, offerVenue=legacy))
    assert response.status_code == 201, response.content
    offer = CollectiveOffer.objects.get(pk=response.json()["id"])
    assert (offer.location_type, offer.address.label, offer.address.city) == (
        LocationType.ADDRESS,
        "Salle Molière",
        "Lyon",
    )
    before = world_state()
    outsider = {"addressType": "offererVenue", "venueId": outsider_venue.pk}
    refused = partner.post(OFFERS, body(partner_venue.pk, location=None, offerVenue=outsider))
    assert refused.status_code == 404
    assert world_state() == before
