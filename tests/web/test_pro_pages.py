"""Pro pages: content, empty states, French errors, and strict scoping (404 across structures)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.core.models import AuditEntry
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue
from tests.factories import make_offerer, make_siren, make_siret, make_user, make_venue

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    response = client.get("/pro/structures/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/")


def test_home_empty_state_says_what_to_do(pro_client):
    page = pro_client.get("/pro/").content.decode()
    assert "Commencez par votre structure" in page and "Ajouter une structure" in page
    for label in [
        "Accueil",
        "Offres",
        "Réservations",
        "Statistiques",
        "Remboursements",
        "Structure &amp; lieux",
        "Intégrations",
    ]:
        assert label in page


@pytest.mark.parametrize(
    "url",
    [
        "/pro/offres/",
        "/pro/reservations/",
        "/pro/statistiques/",
        "/pro/remboursements/",
        "/pro/integrations/",
    ],
)
def test_coming_sections_render_with_empty_state(pro_client, url):
    response = pro_client.get(url)
    assert (
        response.status_code == 200
        and "Ajoutez d’abord votre structure" in response.content.decode()
    )


def test_create_offerer_page_refuses_bad_siren_in_french(pro_client):
    response = pro_client.post(
        "/pro/structures/nouvelle/",
        {
            "siren": "123456789",
            "name": "Théâtre",
            "street": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
        },
    )
    assert "clé de contrôle incorrecte" in response.content.decode()
    assert Offerer.objects.count() == 0


def test_create_offerer_then_venue_through_pages(pro_client, pro):
    siren = make_siren()
    response = pro_client.post(
        "/pro/structures/nouvelle/",
        {
            "siren": siren,
            "name": "Opéra de Région",
            "street": "1 place",
            "postal_code": "97400",
            "city": "Saint-Denis",
        },
    )
    offerer = Offerer.objects.get(siren=siren)
    assert response["Location"] == f"/pro/structures/{offerer.pk}/"
    assert offerer.department_code == "974"
    response = pro_client.post(
        f"/pro/structures/{offerer.pk}/lieux/nouveau/",
        {"name": "Salle Gramoun Lélé", "venue_type": "concert_hall", "siret": make_siret(siren, 3),
         "street": "5 rue", "postal_code": "97400", "city": "Saint-Denis",
         "latitude": "-20.88", "longitude": "55.45", "motor_accessible": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    venue = Venue.objects.get(offerer=offerer)
    assert venue.motor_accessible and venue.department_code == "974"
    page = pro_client.get(f"/pro/structures/{offerer.pk}/").content.decode()
    assert "Salle Gramoun Lélé" in page


def test_venue_form_shows_siret_error_and_changes_nothing(pro_client, offerer):
    response = pro_client.post(
        f"/pro/structures/{offerer.pk}/lieux/nouveau/",
        {"name": "Salle", "venue_type": "theatre", "siret": make_siret(make_siren()),
         "street": "1 rue", "postal_code": "69002", "city": "Lyon", "latitude": "45.76", "longitude": "4.83"},
    )  # fmt: skip
    assert response.status_code == 200
    assert f"il doit commencer par son SIREN {offerer.siren}" in response.content.decode()
    assert Venue.objects.count() == 0


def test_structure_list_has_no_n_plus_one(pro_client, pro):
    for i in range(3):
        offerer = make_offerer(pro, name=f"Structure {i}")
        make_venue(offerer, nic=i + 1)
    pro_client.get("/pro/structures/")  # warm session/cache
    with CaptureQueriesContext(connection) as few:
        pro_client.get("/pro/structures/")
    for i in range(3, 8):
        make_venue(make_offerer(pro, name=f"Structure {i}"), nic=1)
    with CaptureQueriesContext(connection) as many:
        assert pro_client.get("/pro/structures/").status_code == 200
    assert len(many) == len(few)


def b_urls(offerer_b, venue_b, membership_b):
    return {
        "get": [
            f"/pro/structures/{offerer_b.pk}/",
            f"/pro/structures/{offerer_b.pk}/membres/",
            f"/pro/structures/{offerer_b.pk}/lieux/nouveau/",
            f"/pro/lieux/{venue_b.pk}/",
        ],
        "post": [
            (
                f"/pro/structures/{offerer_b.pk}/",
                {"name": "Pirate", "street": "x", "postal_code": "75001", "city": "Paris"},
            ),
            (
                f"/pro/structures/{offerer_b.pk}/lieux/nouveau/",
                {"name": "Pirate", "venue_type": "theatre"},
            ),
            (f"/pro/structures/{offerer_b.pk}/lieux/numerique/", {}),
            (f"/pro/lieux/{venue_b.pk}/", {"name": "Pirate"}),
            (f"/pro/structures/{offerer_b.pk}/membres/{membership_b.pk}/accepter/", {}),
            (f"/pro/structures/{offerer_b.pk}/membres/{membership_b.pk}/refuser/", {}),
            (f"/pro/structures/{offerer_b.pk}/membres/{membership_b.pk}/retirer/", {}),
        ],
    }


def test_pro_of_structure_a_gets_404_everywhere_in_structure_b(pro_client, pro, offerer, venue):
    owner_b = make_user("b@exemple.fr")
    offerer_b = make_offerer(owner_b, name="Structure B")
    venue_b = make_venue(offerer_b)
    applicant = make_user("candidat@exemple.fr")
    membership_b = Membership.objects.create(user=applicant, offerer=offerer_b)
    audit_before = AuditEntry.objects.count()
    urls = b_urls(offerer_b, venue_b, membership_b)
    for url in urls["get"]:
        assert pro_client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert pro_client.post(url, data).status_code == 404, url
    # Nothing of B changed, nothing of B leaked into A's pages.
    offerer_b.refresh_from_db()
    venue_b.refresh_from_db()
    membership_b.refresh_from_db()
    assert offerer_b.name == "Structure B" and venue_b.name == "Grande salle"
    assert membership_b.status == ValidationStatus.PENDING
    assert Venue.objects.filter(offerer=offerer_b).count() == 1
    assert AuditEntry.objects.count() == audit_before
    for page in ["/pro/", "/pro/structures/"]:
        assert "Structure B" not in pro_client.get(page).content.decode()
    # A pending join request gives no access either.
    Membership.objects.create(user=pro, offerer=offerer_b, status=ValidationStatus.PENDING)
    assert pro_client.get(f"/pro/structures/{offerer_b.pk}/").status_code == 404
    # Own structure still works.
    assert pro_client.get(f"/pro/structures/{offerer.pk}/").status_code == 200


def test_member_page_accepts_join_request(pro_client, pro, offerer):
    applicant = make_user("nouvelle@exemple.fr", first_name="Inès")
    membership = Membership.objects.create(user=applicant, offerer=offerer)
    page = pro_client.get(f"/pro/structures/{offerer.pk}/membres/").content.decode()
    assert "nouvelle@exemple.fr" in page and "Accepter" in page
    pro_client.post(f"/pro/structures/{offerer.pk}/membres/{membership.pk}/accepter/")
    membership.refresh_from_db()
    assert membership.status == ValidationStatus.VALIDATED
    response = pro_client.post(
        f"/pro/structures/{offerer.pk}/membres/{membership.pk}/nimporte/", follow=True
    )
    assert "Action inconnue." in response.content.decode()


def test_health_api(client):
    response = client.get("/api/app/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": True}
