"""Journey: a new pro signs up, creates a structure and a venue on the map; staff validates it."""

import pytest

from passculture.core.models import AuditEntry
from passculture.offerers.models import Offerer, ValidationStatus, Venue
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_siren, make_siret, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_pro_onboards_and_staff_validates(page, browser, live_server):
    # Sign up.
    page.goto("/comptes/inscription/")
    page.locator("#id_first_name").fill("Noémie")
    page.locator("#id_last_name").fill("Château-Lévêque")
    page.locator("#id_email").fill("noemie@compagnie-errance.fr")
    page.locator("#id_password1").fill("Théâtre-itinérant-2026")
    page.locator("#id_password2").fill("Théâtre-itinérant-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_text("Commencez par votre structure").wait_for()
    shot(page, "01-pro-home-empty")

    # Structure: an invalid SIREN is refused in French, then a valid one is accepted.
    page.get_by_role("link", name="Ajouter une structure").first.click()
    page.locator("#id_siren").fill("123456789")
    page.locator("#id_name").fill("Compagnie de l’Errance")
    page.locator("#id_street").fill("4 rue des Saltimbanques")
    page.locator("#id_postal_code").fill("13001")
    page.locator("#id_city").fill("Marseille")
    page.get_by_role("button", name="Enregistrer la structure").click()
    page.get_by_text("clé de contrôle incorrecte").wait_for()
    shot(page, "02-invalid-siren")
    assert Offerer.objects.count() == 0
    siren = make_siren()
    page.locator("#id_siren").fill(siren)
    page.get_by_role("button", name="Enregistrer la structure").click()
    page.get_by_text("est créée").wait_for()
    offerer = Offerer.objects.get(siren=siren)
    assert offerer.validation_status == ValidationStatus.PENDING

    # Venue: a SIRET of another SIREN is refused, then the venue is placed by clicking the map.
    page.get_by_role("link", name="Ajouter un lieu").click()
    page.locator("#id_name").fill("Chapiteau de l’Errance")
    page.locator("#id_venue_type").select_option("nomadic")
    page.locator("#id_siret").fill(make_siret(make_siren()))
    page.locator("#id_street").fill("Parc Borély")
    page.locator("#id_postal_code").fill("13008")
    page.locator("#id_city").fill("Marseille")
    page.locator("#venue-map").click()  # the map opens centred on France
    latitude = page.locator("#id_latitude").input_value()
    longitude = page.locator("#id_longitude").input_value()
    assert latitude and longitude, "a click on the map fills the coordinates"
    assert 41 < float(latitude) < 52 and -5.5 < float(longitude) < 10
    page.get_by_role("button", name="Enregistrer le lieu").click()
    page.get_by_text("il doit commencer par son SIREN").wait_for()
    shot(page, "03-invalid-siret")
    assert Venue.objects.count() == 0
    page.locator("#id_siret").fill(make_siret(siren, 7))
    page.get_by_role("button", name="Enregistrer le lieu").click()
    page.get_by_text("est ajouté").wait_for()
    table = page.get_by_test_id("venue-table")
    assert "Chapiteau de l’Errance" in table.inner_text()
    shot(page, "04-venue-listed")
    venue = Venue.objects.get()
    assert float(venue.latitude) == pytest.approx(float(latitude), abs=1e-4)

    # Staff validates the structure in the back office.
    make_user("controle@passculture.local", role="staff", is_staff=True, is_superuser=True)
    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = staff_context.new_page()
    staff_page.goto("/backoffice/")
    staff_page.fill("#id_username", "controle@passculture.local")
    staff_page.fill("#id_password", PASSWORD)
    staff_page.click("input[type=submit]")
    staff_page.goto("/backoffice/offerers/offerer/?validation_status__exact=pending")
    shot(staff_page, "05-backoffice-list")
    staff_page.get_by_role("row", name="Compagnie de l’Errance").get_by_role("checkbox").check()
    staff_page.select_option("select[name=action]", "validate_selected")
    staff_page.locator("button[name=index]").click()
    staff_page.get_by_text("1 structure(s) validée(s).").wait_for()
    shot(staff_page, "05-backoffice-validated")
    staff_context.close()
    offerer.refresh_from_db()
    assert offerer.validation_status == ValidationStatus.VALIDATED
    assert AuditEntry.objects.filter(action="offerer.validated", object_id=str(offerer.pk)).exists()

    page.goto(f"/pro/structures/{offerer.pk}/")
    page.get_by_text("Validée").first.wait_for()
