"""Teacher portal: access, the catalogue (scope, filters, map bounds, query counts), the offer
page (pre-booking, request, favourites), the school's bookings and budget, the head's page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.collective import catalogue
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveRequest,
    Favourite,
    LocationType,
    SchoolRole,
    VenueCollectiveProfile,
)
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.offerers.models import Address
from passculture.offers.models import Validation
from tests.collective.factories import (
    NOW,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    make_template,
    paris,
    world_state,
)
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db

LYON = (Decimal("45.76000"), Decimal("4.83000"))
PARIS_CENTRE = (Decimal("48.85660"), Decimal("2.35220"))
LYON_BOUNDS = {"s": "45.70", "w": "4.75", "n": "45.82", "e": "4.92"}


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def school():
    return make_school(name="Collège Jean Moulin", phone="04 78 42 37 52")


@pytest.fixture
def other_school():
    return make_school(name="Collège Louise Michel", city="Villeurbanne", postal_code="69100")


@pytest.fixture
def teacher(school):
    return make_member(school, email="prof@ac-lyon.fr", first_name="Agnès", last_name="Lemaître")


@pytest.fixture
def head(school):
    return make_member(school, role=SchoolRole.HEAD, email="principal@ac-lyon.fr")


@pytest.fixture
def other_teacher(other_school):
    return make_member(other_school, email="autre@ac-lyon.fr")


@pytest.fixture
def venue():
    offerer = make_offerer(make_user("scolaires@celestins.fr"), name="Théâtre des Célestins")
    return make_venue(offerer, name="Théâtre des Célestins")


@pytest.fixture
def paris_venue():
    offerer = make_offerer(make_user("educ@chaillot.fr"), name="Théâtre de Chaillot")
    venue = make_venue(offerer, name="Chaillot")
    venue.city, venue.postal_code, venue.department_code = "Paris", "75016", "75"
    venue.latitude, venue.longitude = PARIS_CENTRE
    venue.save()
    return venue


def login(client, user):
    client.force_login(user)
    return client


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def json(client, **params):
    response = client.get("/enseignants/catalogue.json", params)
    assert response.status_code == 200
    return response.json()


def ids(data) -> list[int]:
    return [m[0] for m in data["markers"]]


# --- access ---------------------------------------------------------------------------------


def test_anonymous_goes_to_the_shared_login(client):
    for url in ["/enseignants/", "/enseignants/catalogue.json", "/enseignants/reservations/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/connexion/?next=/enseignants/")


def test_account_without_school_gets_a_french_explanation(client):
    login(client, make_user("pro@exemple.fr"))
    response = client.get("/enseignants/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Votre compte n’est rattaché à aucun établissement scolaire" in text
    assert "code UAI" in text
    assert client.get("/enseignants/catalogue.json").status_code == 403


def test_teacher_who_is_not_head_is_sent_back_from_the_validation_page(client, teacher, head):
    login(client, teacher)
    response = client.get("/enseignants/validation/", follow=True)
    assert response.redirect_chain[-1][0] == "/enseignants/reservations/"
    assert "Seul le chef d’établissement peut confirmer" in response.content.decode()
    assert "Validation</a>" not in response.content.decode()  # no menu entry either
    login(client, head)
    assert "Validation</a>" in page(client, "/enseignants/validation/")


# --- catalogue scope --------------------------------------------------------------------------


def test_catalogue_shows_only_open_offers_the_school_may_book(
    client, school, other_school, teacher, other_teacher, venue
):
    visible = {
        "open": make_offer(venue, name="Ouverte"),
        "template": make_template(venue, name="Vitrine"),
        "mine": make_offer(venue, name="Ciblée sur nous", target_school=school),
    }
    hidden = {
        "draft": make_offer(venue, name="Brouillon", validation=Validation.DRAFT),
        "pending": make_offer(venue, name="En vérification", validation=Validation.PENDING),
        "inactive": make_offer(venue, name="Désactivée", is_active=False),
        "archived": make_offer(venue, name="Archivée", archived_at=NOW),
        "elsewhere": make_offer(venue, name="Ciblée ailleurs", target_school=other_school),
        "past": make_offer(
            venue, name="Trop tard", start=NOW + dt.timedelta(days=3), limit=NOW - dt.timedelta(1)
        ),
        "booked": make_offer(venue, name="Déjà prise"),
    }
    make_booking(hidden["booked"], other_teacher)
    cancelled = make_offer(venue, name="Rouverte")
    make_booking(cancelled, other_teacher, status=CollectiveBookingStatus.CANCELLED)
    visible["reopened"] = cancelled
    pending_offerer = make_offerer(make_user("x@exemple.fr"), name="Pas validée", validated=False)
    hidden["unvalidated"] = make_offer(make_venue(pending_offerer), name="Structure en attente")

    login(client, teacher)
    data = json(client)
    assert sorted(ids(data)) == sorted(o.pk for o in visible.values())
    html = page(client, "/enseignants/")
    for offer in visible.values():
        assert f'data-testid="result-{offer.pk}"' in html
    for offer in hidden.values():
        assert f'data-testid="result-{offer.pk}"' not in html
    assert "Pour votre établissement" in html  # the offer targeted at us is flagged


def test_catalogue_page_and_json_take_a_constant_number_of_queries(client, teacher, venue):
    login(client, teacher)
    for n in range(3):
        make_offer(venue, name=f"Offre {n}")
    make_template(venue)
    with CaptureQueriesContext(connection) as few:
        page(client, "/enseignants/")
    with CaptureQueriesContext(connection) as few_json:
        json(client, **LYON_BOUNDS)
    for n in range(3, 25):
        make_offer(venue, name=f"Offre {n}")
        make_template(venue, name=f"Vitrine {n}")
    with CaptureQueriesContext(connection) as many:
        html = page(client, "/enseignants/")
    with CaptureQueriesContext(connection) as many_json:
        data = json(client, **LYON_BOUNDS)
    assert len(re.findall(r'data-testid="result-\d+"', html)) == 48 and data["count"] == 48
    assert len(many) == len(few)
    assert len(many_json) == len(few_json) <= 5


def test_empty_catalogue_says_so(client, teacher):
    login(client, teacher)
    html = page(client, "/enseignants/")
    assert 'data-testid="empty-results"' in html
    assert "Le catalogue est vide pour le moment" in html
    data = json(client, **LYON_BOUNDS)
    assert data["count"] == 0 and data["markers"] == []
    assert "Aucune offre dans la zone de la carte" in data["html"]


# --- map bounds and geography -------------------------------------------------------------------


def test_map_bounds_select_where_the_offer_happens(client, teacher, venue, paris_venue):
    in_lyon = make_offer(venue, name="Au théâtre")
    in_paris = make_offer(paris_venue, name="À Chaillot")
    # A Parisian company coming to the school: placed at its venue (Paris), not in Lyon.
    at_school = make_offer(paris_venue, name="En classe", location_type=LocationType.SCHOOL)
    # A Parisian venue playing at a Lyon address: placed at the address.
    address = Address.objects.create(
        label="Chapiteau", street="Parc de la Tête d’Or", postal_code="69006", city="Lyon",
        department_code="69", latitude=Decimal("45.77700"), longitude=Decimal("4.85200"),
    )  # fmt: skip
    touring = make_offer(
        paris_venue, name="En tournée", location_type=LocationType.ADDRESS, address=address
    )
    login(client, teacher)
    data = json(client, **LYON_BOUNDS)
    assert sorted(ids(data)) == sorted([in_lyon.pk, touring.pk])
    markers = {m[0]: m for m in data["markers"]}
    assert markers[touring.pk][1:3] == [45.777, 4.852]
    assert markers[in_lyon.pk][1:5] == [45.76, 4.83, "Au théâtre", "Théâtre des Célestins"]
    paris_box = {"s": "48.80", "w": "2.25", "n": "48.92", "e": "2.42"}
    assert sorted(ids(json(client, **paris_box))) == sorted([in_paris.pk, at_school.pk])
    # The list follows the bounds too (same rows, rendered for the list).
    html = json(client, **paris_box)["html"]
    assert f'data-testid="result-{in_paris.pk}"' in html
    assert f'data-testid="result-{in_lyon.pk}"' not in html
    assert "2 offres</strong> dans la zone de la carte" in html


def test_nearest_first_and_distance_shown(client, teacher, venue, paris_venue):
    far = make_offer(paris_venue, name="Loin")
    near = make_offer(venue, name="Près")
    login(client, teacher)
    data = json(client)
    assert ids(data) == [near.pk, far.pk]
    assert "(à 0,6 km)" in data["html"] and "(à 391 km)" in data["html"]


def test_radius_cuts_the_corners_of_the_box_with_the_exact_distance(client, school, teacher):
    offerer = make_offerer(make_user("c@exemple.fr"), name="Compagnie")
    lat, lon = float(school.latitude), float(school.longitude)
    box = catalogue.Bounds.around(lat, lon, 10)
    # Inside the 10 km box but in its corner: ~13.6 km away, beyond the radius.
    corner = make_venue(offerer, nic=1, name="Coin")
    corner.latitude = Decimal(f"{box.north - 0.005:.5f}")
    corner.longitude = Decimal(f"{box.east - 0.005:.5f}")
    corner.save()
    inside = make_venue(offerer, nic=2, name="Dedans")
    inside.latitude = Decimal(f"{lat + 0.05:.5f}")  # ~5.6 km north
    inside.longitude = school.longitude
    inside.save()
    corner_offer = make_offer(corner, name="Dans le coin")
    inside_offer = make_offer(inside, name="Dans le cercle")
    assert catalogue.haversine_km(lat, lon, float(corner.latitude), float(corner.longitude)) > 10
    login(client, teacher)
    assert ids(json(client, rayon="10")) == [inside_offer.pk]
    assert sorted(ids(json(client, rayon="20"))) == sorted([inside_offer.pk, corner_offer.pk])


def test_filters_text_domain_level_format_kind_dates_price(client, teacher, venue):
    theatre = make_offer(
        venue, name="Molière en classe", domains=["theatre"], levels=["4e"], formats=["atelier"],
        price=30_000, start=paris(2027, 3, 15, 10, 0),
    )  # fmt: skip
    concert = make_offer(
        venue, name="Jazz au collège", domains=["music"], levels=["6e"], formats=["concert"],
        price=80_000, start=paris(2027, 5, 20, 14, 0),
    )  # fmt: skip
    showcase = make_template(venue, name="Visite des coulisses", domains=["heritage"])
    login(client, teacher)
    assert ids(json(client, q="molière")) == [theatre.pk]
    assert set(ids(json(client, q="célestins"))) == {theatre.pk, concert.pk, showcase.pk}
    assert ids(json(client, domaine="music")) == [concert.pk]
    assert ids(json(client, niveau="4e")) == [theatre.pk]
    assert ids(json(client, format="concert")) == [concert.pk]
    assert ids(json(client, type="template")) == [showcase.pk]
    assert set(ids(json(client, type="bookable"))) == {theatre.pk, concert.pk}
    # Dates and price filter dated offers; showcase offers (on request) stay.
    assert set(ids(json(client, du="2027-04-01"))) == {concert.pk, showcase.pk}
    assert set(ids(json(client, au="2027-03-15"))) == {theatre.pk, showcase.pk}
    assert set(ids(json(client, prix_max="300"))) == {theatre.pk, showcase.pk}
    assert set(ids(json(client, prix_max="300", type="bookable"))) == {theatre.pk}


def test_filters_department_academy_and_venues_coming_to_my_department(
    client, teacher, venue, paris_venue
):
    lyon_offer = make_offer(venue, name="Lyon")
    paris_offer = make_offer(paris_venue, name="Paris")
    login(client, teacher)
    assert ids(json(client, departement="75")) == [paris_offer.pk]
    assert ids(json(client, academie="Lyon")) == [lyon_offer.pk]
    assert ids(json(client, academie="Versailles")) == []
    assert ids(json(client, intervention="on")) == []
    # The Paris venue comes to the Rhône: by its offer, by its profile, or everywhere.
    paris_offer.intervention_departments = ["69", "01"]
    paris_offer.save()
    assert ids(json(client, intervention="on")) == [paris_offer.pk]
    paris_offer.intervention_departments = ["975"]  # "975" must not match "75" nor "69"
    paris_offer.save()
    assert ids(json(client, intervention="on")) == []
    profile = VenueCollectiveProfile.objects.create(venue=paris_venue, all_metropole=True)
    assert ids(json(client, intervention="on")) == [paris_offer.pk]
    profile.all_metropole, profile.intervention_departments = False, ["69"]
    profile.save()
    assert ids(json(client, intervention="on")) == [paris_offer.pk]


def test_invalid_filters_are_reported_and_ignored(client, teacher, venue):
    offer = make_offer(venue)
    login(client, teacher)
    data = json(client, prix_max="beaucoup", s="nord", w="4", n="46", e="5", rayon="7")
    assert ids(data) == [offer.pk]
    assert data["errors"]["prix_max"] == ["Prix maximum invalide : un montant en euros, ex. 300."]
    assert "rayon" in data["errors"]
    html = page(client, "/enseignants/", prix_max="beaucoup")
    assert "Prix maximum invalide" in html
    # An inverted box selects nothing rather than failing.
    assert ids(json(client, s="46", w="4", n="45", e="5")) == [offer.pk]


def test_catalogue_page_starts_around_the_school(client, school, teacher):
    login(client, teacher)
    html = page(client, "/enseignants/")
    assert 'data-lat="45.75960" data-lon="4.82210" data-zoom="11"' in html
    assert 'data-json-url="/enseignants/catalogue.json"' in html
    assert "teacher/vendor/leaflet.markercluster.js" in html and "leaflet/leaflet.js" in html


# --- offer page -------------------------------------------------------------------------------


def test_offer_page_shows_place_transport_date_price_and_pupils(client, teacher, venue):
    offer = make_offer(venue, name="Molière en classe", price=30_000, pupils=28)
    login(client, teacher)
    html = page(client, f"/enseignants/offres/{offer.pk}/")
    assert "Transport non compris dans le prix." in html
    assert "Dans le lieu : Théâtre des Célestins, 8 place des Célestins, 69002 Lyon" in html
    assert "Le 15 mars 2027 à 10h00" in html
    assert "300,00\u00a0€" in html and "Pour 28 élèves" in html
    assert "À préréserver avant le 1 mars 2027 à 18h00" in html
    assert 'data-testid="prebook"' in html


def test_prebooking_an_offer_targeted_elsewhere_shows_the_exact_message(
    client, school, other_teacher, venue
):
    offer = make_offer(venue, target_school=school)
    before = world_state()
    login(client, other_teacher)
    # Not in this school's catalogue, but its page explains and pre-booking is refused.
    assert ids(json(client)) == []
    response = client.post(f"/enseignants/offres/{offer.pk}/prereserver/", follow=True)
    assert response.redirect_chain[-1][0] == f"/enseignants/offres/{offer.pk}/"
    assert (
        "Cette offre est réservée à un autre établissement : seul Collège Jean Moulin peut la "
        "préréserver." in response.content.decode()
    )
    assert world_state() == before


def test_prebook_then_attach_project(client, school, teacher, venue):
    offer = make_offer(venue, name="Molière en classe")
    login(client, teacher)
    response = client.post(f"/enseignants/offres/{offer.pk}/prereserver/", follow=True)
    booking = CollectiveBooking.objects.get()
    assert response.redirect_chain[-1][0] == f"/enseignants/reservations/#reservation-{booking.pk}"
    assert booking.school == school and booking.status == CollectiveBookingStatus.PENDING
    text = response.content.decode()
    assert "Offre « Molière en classe » préréservée" in text
    assert 'data-testid="booking-status">Préréservée' in text
    # Pre-booked: gone from the catalogue, the offer page says it is ours.
    assert ids(json(client)) == []
    assert 'data-testid="booked-mine"' in page(client, f"/enseignants/offres/{offer.pk}/")
    response = client.post(
        f"/enseignants/reservations/{booking.pk}/projet/",
        {"project_name": "Parcours théâtre 4e B"},
        follow=True,
    )
    booking.refresh_from_db()
    assert booking.project is not None and booking.project.name == "Parcours théâtre 4e B"
    assert "rattachée au projet « Parcours théâtre 4e B »" in response.content.decode()


def test_domain_errors_on_prebook_are_messages_and_change_nothing(
    client, teacher, other_teacher, venue
):
    taken = make_offer(venue)
    make_booking(taken, other_teacher)
    before = world_state()
    login(client, teacher)
    response = client.post(f"/enseignants/offres/{taken.pk}/prereserver/", follow=True)
    assert "Cette offre a déjà été préréservée par un établissement." in response.content.decode()
    assert world_state() == before
    assert client.post("/enseignants/offres/999999/prereserver/").status_code == 404
    assert client.get(f"/enseignants/offres/{taken.pk}/prereserver/").status_code == 405


def test_unpublished_offer_page_is_404(client, teacher, venue):
    draft = make_offer(venue, validation=Validation.DRAFT)
    login(client, teacher)
    assert client.get(f"/enseignants/offres/{draft.pk}/").status_code == 404


def test_request_on_a_showcase_offer(client, school, teacher, venue, mailoutbox):
    showcase = make_template(venue, name="Visite des coulisses")
    login(client, teacher)
    html = page(client, f"/enseignants/offres/{showcase.pk}/")
    assert 'data-testid="request-form"' in html and 'data-testid="prebook"' not in html
    before = world_state()
    response = client.post(
        f"/enseignants/offres/{showcase.pk}/demande/", {"number_of_pupils": "", "message": ""}
    )
    assert response.status_code == 400
    assert "Le champ « Nombre d’élèves » est obligatoire." in response.content.decode()
    assert world_state() == before and not CollectiveRequest.objects.exists()
    response = client.post(
        f"/enseignants/offres/{showcase.pk}/demande/",
        {"requested_date": "2027-05-12", "number_of_pupils": "27", "message": "Pour nos 5e."},
        follow=True,
    )
    request = CollectiveRequest.objects.get()
    assert (request.school, request.number_of_pupils, request.requested_date) == (
        school, 27, dt.date(2027, 5, 12),
    )  # fmt: skip
    assert "Votre demande est envoyée à Théâtre des Célestins" in response.content.decode()


def test_favourites_add_list_remove_audited(client, teacher, venue):
    offer = make_offer(venue, name="Molière en classe")
    login(client, teacher)
    assert 'data-testid="empty-favourites"' in page(client, "/enseignants/favoris/")
    client.post(f"/enseignants/offres/{offer.pk}/favori/", {"action": "add"})
    client.post(f"/enseignants/offres/{offer.pk}/favori/", {"action": "add"})  # idempotent
    favourite = Favourite.objects.get(user=teacher)
    assert AuditEntry.objects.filter(action="collective_favourite.added").count() == 1
    assert "Molière en classe" in page(client, "/enseignants/favoris/")
    assert "Retirer des favoris" in page(client, f"/enseignants/offres/{offer.pk}/")
    assert "Favori</p>" in json(client)["html"]
    response = client.post(
        f"/enseignants/offres/{offer.pk}/favori/",
        {"action": "remove", "next": "/enseignants/favoris/"},
    )
    assert response["Location"] == "/enseignants/favoris/"
    assert not Favourite.objects.exists()
    removed = AuditEntry.objects.get(action="collective_favourite.removed")
    assert removed.object_id == str(favourite.pk)
    # An off-site "next" is ignored.
    response = client.post(
        f"/enseignants/offres/{offer.pk}/favori/", {"next": "https://exemple.com/"}
    )
    assert response["Location"] == f"/enseignants/offres/{offer.pk}/"


# --- bookings, budget, head -------------------------------------------------------------------


def test_bookings_page_shows_the_budget_card(client, school, teacher, venue):
    make_budget(school, amount=100_000, provisional=True)  # 80 % spendable: 800 €
    confirmed = make_offer(venue, name="Confirmée", price=30_000)
    make_booking(confirmed, teacher, status=CollectiveBookingStatus.CONFIRMED)
    pending = make_offer(venue, name="En attente", price=12_000)
    make_booking(pending, teacher)
    login(client, teacher)
    html = page(client, "/enseignants/reservations/")
    assert 'data-testid="budget-2026-2027"' in html
    assert 'data-testid="budget-amount">1\u202f000,00\u00a0€' in html
    assert 'data-testid="budget-spendable">800,00\u00a0€' in html
    assert 'data-testid="budget-committed">300,00\u00a0€' in html
    assert 'data-testid="budget-left">500,00\u00a0€' in html
    assert "Préréservations en attente de confirmation : 120,00\u00a0€" in html
    assert "(80 % tant qu’il est provisoire)" in html


def test_bookings_page_query_count_does_not_grow(client, school, teacher, venue):
    make_budget(school)
    login(client, teacher)
    make_booking(make_offer(venue, name="Une"), teacher)
    with CaptureQueriesContext(connection) as one:
        page(client, "/enseignants/reservations/")
    for n in range(8):
        make_booking(make_offer(venue, name=f"Offre {n}"), teacher, project=f"Projet {n}")
    with CaptureQueriesContext(connection) as nine:
        html = page(client, "/enseignants/reservations/")
    assert html.count('data-testid="booking-status"') == 9
    assert len(nine) == len(one)


def test_another_schools_booking_is_404_and_unchanged(client, teacher, other_teacher, venue):
    theirs = make_booking(make_offer(venue), other_teacher, project=None)
    before = world_state()
    login(client, teacher)
    response = client.post(
        f"/enseignants/reservations/{theirs.pk}/projet/", {"project_name": "Piraté"}
    )
    assert response.status_code == 404
    assert f"reservation-{theirs.pk}" not in page(client, "/enseignants/reservations/")
    assert world_state() == before


def test_head_confirms_and_the_budget_drops(client, school, teacher, head, venue, mailoutbox):
    make_budget(school, amount=100_000)
    booking = make_booking(make_offer(venue, name="Molière", price=30_000), teacher)
    login(client, head)
    html = page(client, "/enseignants/validation/")
    assert f'data-testid="pending-{booking.pk}"' in html
    assert 'data-testid="budget-left">1\u202f000,00\u00a0€' in html
    response = client.post(f"/enseignants/validation/{booking.pk}/confirmer/", follow=True)
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CONFIRMED and booking.confirmed_by == head
    text = response.content.decode()
    assert (
        "Réservation « Molière » confirmée : 300,00\u00a0€ engagés sur le budget 2026-2027" in text
    )
    assert 'data-testid="budget-left">700,00\u00a0€' in text
    assert 'data-testid="empty-pending"' in text


def test_head_sees_budget_errors_and_refuses(client, school, teacher, head, venue):
    make_budget(school, amount=10_000)
    booking = make_booking(make_offer(venue, name="Trop chère", price=30_000), teacher)
    before = world_state()
    login(client, head)
    response = client.post(f"/enseignants/validation/{booking.pk}/confirmer/", follow=True)
    assert "Budget insuffisant : il reste 100,00\u00a0€" in response.content.decode()
    assert world_state() == before
    response = client.post(
        f"/enseignants/validation/{booking.pk}/refuser/", {"comment": "Hors projet"}, follow=True
    )
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CANCELLED
    assert booking.cancellation_reason == "refused_by_head"
    assert "Réservation « Trop chère » refusée" in response.content.decode()


def test_non_head_and_other_schools_head_cannot_decide(
    client, school, other_school, teacher, venue
):
    make_budget(school)
    booking = make_booking(make_offer(venue), teacher)
    other_head = make_member(other_school, role=SchoolRole.HEAD, email="autre-chef@ac-lyon.fr")
    before = world_state()
    login(client, teacher)
    response = client.post(f"/enseignants/validation/{booking.pk}/confirmer/")
    assert response.status_code == 302 and response["Location"] == "/enseignants/reservations/"
    login(client, other_head)
    assert client.post(f"/enseignants/validation/{booking.pk}/confirmer/").status_code == 404
    assert client.post(f"/enseignants/validation/{booking.pk}/refuser/").status_code == 404
    assert world_state() == before


# --- partner page -----------------------------------------------------------------------------


def test_partner_page_shows_profile_and_catalogue_offers(client, teacher, venue):
    VenueCollectiveProfile.objects.create(
        venue=venue, description="Scène nationale, 200 classes par an.", domains=["theatre"],
        levels=["4e", "3e"], formats=["representation"], intervention_departments=["69", "01"],
        contact_email="scolaires@celestins.fr", contact_phone="04 72 77 40 00",
    )  # fmt: skip
    open_offer = make_offer(venue, name="Molière en classe")
    showcase = make_template(venue, name="Visite des coulisses")
    draft = make_offer(venue, name="Brouillon caché", validation=Validation.DRAFT)
    login(client, teacher)
    html = page(client, f"/enseignants/partenaires/{venue.pk}/")
    assert "Scène nationale, 200 classes par an." in html
    assert "Théâtre, expression dramatique, marionnettes" in html
    assert "Rhône (69), Ain (01)" in html and "04 72 77 40 00" in html
    assert "Molière en classe" in html and "Visite des coulisses" in html
    assert draft.name not in html
    assert f"/enseignants/offres/{open_offer.pk}/" in html
    assert f"/enseignants/offres/{showcase.pk}/" in html


def test_partner_page_of_unknown_or_unvalidated_venue_is_404(client, teacher):
    pending = make_venue(make_offerer(make_user("p@exemple.fr"), validated=False))
    VenueCollectiveProfile.objects.create(venue=pending, description="En attente")
    bare = make_venue(make_offerer(make_user("b@exemple.fr"), name="Sans offre"))
    login(client, teacher)
    for venue_id in [pending.pk, bare.pk, 999999]:
        assert client.get(f"/enseignants/partenaires/{venue_id}/").status_code == 404
