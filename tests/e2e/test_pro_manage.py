"""Journey: a pro logs in, accepts a colleague's join request and edits a venue."""

import pytest

from passculture.offerers.models import Membership, ValidationStatus
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pro_accepts_colleague_and_edits_venue(page):
    pro = make_user("gerante@librairie-lumiere.fr", first_name="Gaëlle", last_name="Ruíz")
    offerer = make_offerer(pro, name="Librairie Lumière")
    venue = make_venue(offerer, name="Librairie Lumière — Vieux-Lille")
    colleague = make_user("libraire@librairie-lumiere.fr", first_name="Théo", last_name="Ægir")
    request = Membership.objects.create(user=colleague, offerer=offerer)

    page.goto("/pro/")
    page.locator("#id_username").fill(pro.email)
    page.locator("#id_password").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Adresse e-mail ou mot de passe incorrect.").wait_for()
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Bonjour Gaëlle").wait_for()
    shot(page, "10-pro-home")

    page.get_by_role("link", name="Structure & lieux").first.click()
    page.get_by_role("link", name="Librairie Lumière", exact=True).click()
    page.get_by_role("link", name="Membres de la structure").click()
    page.get_by_role("row", name="Théo Ægir").get_by_role("button", name="Accepter").click()
    page.get_by_text("Théo Ægir a rejoint la structure.").wait_for()
    shot(page, "11-members")
    request.refresh_from_db()
    assert request.status == ValidationStatus.VALIDATED

    page.goto(f"/pro/lieux/{venue.pk}/")
    page.locator("#id_hearing_accessible").check(force=True)
    page.locator("#id_postal_code").fill("2A000")
    page.get_by_role("button", name="Enregistrer le lieu").click()
    page.get_by_text("Code postal inconnu").wait_for()
    venue.refresh_from_db()
    assert not venue.hearing_accessible
    page.locator("#id_postal_code").fill("59800")
    page.get_by_role("button", name="Enregistrer le lieu").click()
    page.get_by_text("est enregistré").wait_for()
    venue.refresh_from_db()
    assert venue.hearing_accessible and venue.department_code == "59"
