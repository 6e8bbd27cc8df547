"""Journey: multi-price, recurring dates at another address, duplication, review, publication."""

import datetime as dt

import pytest

from passculture.core.models import AuditEntry
from passculture.offers.models import Offer, ReviewRule, Stock, Validation
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, email):
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Bonjour").wait_for()


def test_theatre_offer_with_recurring_dates_duplicated_reviewed_and_published(
    page, browser, live_server
):
    pro = make_user("diffusion@compagnie-vagabonde.fr", first_name="Loïc", last_name="Nguyễn")
    offerer = make_offerer(pro, name="Compagnie Vagabonde")
    make_venue(offerer, name="Compagnie Vagabonde — bureau")
    ReviewRule.objects.create(name="Théâtre à vérifier", subcategories=["SPECTACLE_REPRESENTATION"])
    login(page, pro.email)

    # 1. Details: a theatre show at another address (placed on the map).
    page.goto("/pro/offres/nouvelle/")
    page.locator("#id_subcategory_id").select_option("SPECTACLE_REPRESENTATION")
    page.locator("#id_extra_showType").select_option("THEATRE-CONTEMPORAIN")
    page.locator("#id_name").fill("Les Fourberies d’Éole")
    page.locator("#id_description").fill("Une comédie itinérante, jouée sous chapiteau.")
    page.locator("#id_extra_stageDirector").fill("Anaïs Lévy-Brûlé")
    page.locator("input[name=location][value=other]").check(force=True)
    page.locator("#id_address_label").fill("Chapiteau du parc de la Tête d’Or")
    page.locator("#id_address_street").fill("Boulevard des Belges")
    page.locator("#id_address_postal_code").fill("69006")
    page.locator("#id_address_city").fill("Lyon")
    page.locator("#venue-map").click()
    assert page.locator("#id_address_latitude").input_value()
    page.locator("#id_withdrawal_type").select_option("on_site")
    page.locator("#id_is_duo").check(force=True)
    shot(page, "20-offer-details")
    page.get_by_role("button", name="Enregistrer le brouillon et continuer").click()
    page.get_by_text("Brouillon enregistré").wait_for()
    offer = Offer.objects.get()
    assert offer.address is not None and offer.address.department_code == "69"
    assert offer.extra_data == {
        "showType": "THEATRE-CONTEMPORAIN",
        "stageDirector": "Anaïs Lévy-Brûlé",
    }

    # 2. Two price categories.
    for label, price in [("Plein tarif", "15"), ("Tarif réduit", "8,50")]:
        page.locator("#id_label").fill(label)
        page.locator("#id_price").fill(price)
        page.get_by_role("button", name="Ajouter le tarif").click()
        page.get_by_text(f"Tarif « {label} » ajouté.").wait_for()
    assert sorted(offer.price_categories.values_list("price", flat=True)) == [850, 1500]

    # 3. Every Tuesday and Friday at 14:00 and 20:30 in January 2027, except Friday 15th.
    page.get_by_role("link", name="Étape suivante : dates et places").click()
    page.locator("#id_start").fill("2027-01-04")
    page.locator("#id_end").fill("2027-01-31")
    page.locator("input[name=weekdays][value='1']").check(force=True)
    page.locator("input[name=weekdays][value='4']").check(force=True)
    page.locator("#id_times").fill("14:00, 20:30")
    page.locator("#id_exceptions").fill("15/01/2027")
    for box in page.locator("input[name=price_categories]").all():
        box.check(force=True)
    page.locator("#id_quantity").fill("50")
    page.get_by_role("button", name="Prévisualiser").click()
    count = page.get_by_test_id("plan-count")
    count.wait_for()
    assert "28 dates × tarifs à créer" in count.inner_text()  # 7 days × 2 slots × 2 tariffs
    shot(page, "21-dates-preview")
    assert Stock.objects.count() == 0  # a preview saves nothing
    page.get_by_role("button", name="Enregistrer les 28 dates").click()
    page.get_by_text("28 date(s) × tarif(s) enregistrée(s).").wait_for()
    assert Stock.objects.filter(offer=offer).count() == 28

    # 4. One date's contingent raised.
    first = Stock.objects.filter(offer=offer).order_by("beginning_datetime", "price").first()
    page.locator(f"#qty-{first.pk}").fill("80")
    page.get_by_role("button", name="Enregistrer les quantités").click()
    page.get_by_text("1 quantité(s) modifiée(s).").wait_for()
    first.refresh_from_db()
    assert first.quantity == 80
    shot(page, "22-dates-list")

    # 5. Duplicate shifted by one week, then submit the copy: the rule sends it to review.
    page.get_by_role("link", name="Étape suivante : aperçu et publication").click()
    page.locator("#shift_amount").fill("1")
    page.locator("#shift_unit").select_option("weeks")
    page.get_by_role("button", name="Dupliquer l’offre").click()
    page.get_by_text("Copie créée en brouillon").wait_for()
    copy = Offer.objects.exclude(pk=offer.pk).get()
    assert copy.validation == Validation.DRAFT and copy.stocks.count() == 28
    shifted = copy.stocks.order_by("beginning_datetime", "price").first()
    assert shifted.beginning_datetime - first.beginning_datetime == dt.timedelta(weeks=1)
    assert shifted.quantity == 80
    page.get_by_role("button", name="Publier l’offre").click()
    page.get_by_text("notre équipe la vérifie").wait_for()
    copy.refresh_from_db()
    assert copy.validation == Validation.PENDING
    shot(page, "23-submitted")

    # 6. Staff approves it in the back office; it is published.
    make_user("moderation@passculture.local", role="staff", is_staff=True, is_superuser=True)
    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff = staff_context.new_page()
    staff.goto("/backoffice/offers/offer/?validation__exact=pending")
    staff.fill("#id_username", "moderation@passculture.local")
    staff.fill("#id_password", PASSWORD)
    staff.click("input[type=submit]")
    staff.get_by_role("row", name="Les Fourberies d’Éole").get_by_role("checkbox").check()
    staff.select_option("select[name=action]", "approve_selected")
    staff.locator("button[name=index]").click()
    staff.get_by_text("1 offre(s) validée(s).").wait_for()
    staff_context.close()
    copy.refresh_from_db()
    assert copy.validation == Validation.APPROVED and copy.publication_datetime is not None
    assert AuditEntry.objects.filter(action="offer.approved", object_id=str(copy.pk)).exists()

    page.goto(f"/pro/offres/{copy.pk}/apercu/")
    assert page.get_by_test_id("offer-status").text_content().strip() == "Publiée"
    page.get_by_role("link", name="Page publique de l’offre").click()
    page.get_by_role("heading", name="Les Fourberies d’Éole").wait_for()
    assert "Chapiteau du parc de la Tête d’Or" in page.content()
    assert page.get_by_test_id("public-stocks").locator("li").count() == 28
    shot(page, "24-public-offer")
