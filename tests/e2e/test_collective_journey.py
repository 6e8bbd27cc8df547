"""Journey (issue 5): a venue publishes a bookable offer targeted at school S; a teacher of
school T cannot pre-book it; a teacher of S finds it on the map around S, pre-books it and
attaches it to a project; the head of S confirms; the budget drops by the price; the venue
sees the school's name and phone on the booking (pro page and e-mail)."""

import datetime as dt
import re

import pytest

from passculture.accounts.models import Role
from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.models import CollectiveOffer as Offer
from passculture.collective.services.schools import year_for
from passculture.core import clock
from passculture.core.money import format_cents
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers.models import Validation
from tests.collective.factories import make_school
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFER_NAME = "Molière en classe : atelier de jeu"
PRICE_EUROS = "450"
PRICE = 45_000


def login(context_page, email, next_url):
    context_page.goto(f"/comptes/connexion/?next={next_url}")
    context_page.locator("#id_username").fill(email)
    context_page.locator("#id_password").fill(PASSWORD)
    context_page.get_by_role("button", name="Se connecter").click()


def make_member(
    school, *, email, role=SchoolRole.TEACHER, first_name="Agnès", last_name="Lemaître"
):
    """A school member who logs in through the shared login page (so with a password)."""
    user = make_user(
        email, role=Role.HEAD if role == SchoolRole.HEAD else Role.TEACHER,
        first_name=first_name, last_name=last_name,
    )  # fmt: skip
    SchoolMember.objects.create(user=user, school=school, role=role)
    return user


def local_input(value: dt.datetime) -> str:
    return value.astimezone(rules.PARIS).strftime("%Y-%m-%dT%H:%M")


def new_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return context, tab


def budget_left(tab) -> str:
    return tab.get_by_test_id("budget-left").first.inner_text().strip()


def test_targeted_offer_prebooked_on_the_map_confirmed_by_the_head_within_budget(
    page, browser, live_server, mailoutbox
):
    school_s = make_school(name="Collège Jean Moulin", phone="04 78 42 37 52")
    school_t = make_school(
        name="Collège Louise Michel", city="Villeurbanne", postal_code="69100",
        latitude="45.77190", longitude="4.89020", phone="04 72 00 00 00",
    )  # fmt: skip
    teacher_s = make_member(school_s, email="agnes.lemaitre@ac-lyon.fr")
    head_s = make_member(
        school_s, role=SchoolRole.HEAD, email="principal.moulin@ac-lyon.fr",
        first_name="Hervé", last_name="Dubœuf",
    )  # fmt: skip
    teacher_t = make_member(school_t, email="yann.kerouac@ac-lyon.fr", first_name="Yann")
    start = (clock.now() + dt.timedelta(days=30)).astimezone(rules.PARIS)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    limit = start - dt.timedelta(days=10)
    SchoolBudget.objects.create(
        school=school_s, year=year_for(rules.year_of(start)), amount=200_000, is_provisional=True
    )

    # 1. The venue publishes a bookable offer targeted at school S (pro pages).
    pro = make_user("scolaires@celestins-lyon.fr", first_name="Inès", last_name="Béranger")
    venue = make_venue(
        make_offerer(pro, name="Théâtre des Célestins"), name="Théâtre des Célestins"
    )
    pro_context, pro_page = new_page(browser, live_server)
    login(pro_page, pro.email, "/pro/collectif/nouvelle/")
    pro_page.locator("input[name=kind][value=reservable]").check(force=True)
    pro_page.locator("#id_venue").select_option(str(venue.pk))
    pro_page.locator("#id_name").fill(OFFER_NAME)
    pro_page.locator("#id_description").fill("Deux heures de jeu et d’écriture avec la troupe.")
    pro_page.locator("input[name=domains][value=theatre]").check(force=True)
    pro_page.locator("input[name=levels][value='4e']").check(force=True)
    pro_page.locator("input[name=location_type][value=venue]").check(force=True)
    pro_page.locator("#id_contact_email").fill("scolaires@celestins-lyon.fr")
    pro_page.locator("#id_target_uai").fill(school_s.uai)
    pro_page.locator("#id_start_datetime").fill(local_input(start))
    pro_page.locator("#id_end_datetime").fill(local_input(start + dt.timedelta(hours=2)))
    pro_page.locator("#id_booking_limit_datetime").fill(local_input(limit))
    pro_page.locator("#id_price").fill(PRICE_EUROS)
    pro_page.locator("#id_number_of_pupils").fill("28")
    pro_page.get_by_role("button", name="Enregistrer le brouillon").click()
    pro_page.get_by_role("button", name="Publier l’offre").click()
    pro_page.get_by_test_id("collective-status").get_by_text("Validée").wait_for()
    offer = Offer.objects.get(name=OFFER_NAME)
    assert offer.target_school == school_s and offer.validation == Validation.APPROVED
    assert offer.stock.price == PRICE

    # 2. A teacher of school T: not in T's catalogue, and pre-booking it is refused.
    login(page, teacher_t.email, "/enseignants/")
    page.get_by_role("heading", name="Catalogue des offres collectives").wait_for()
    page.wait_for_function("document.getElementById('catalogue-map').dataset.loaded >= '1'")
    assert page.get_by_test_id(f"result-{offer.pk}").count() == 0
    page.goto(f"/enseignants/offres/{offer.pk}/")
    page.get_by_test_id("prebook").click()
    refusal = (
        "Cette offre est réservée à un autre établissement : seul Collège Jean Moulin peut la "
        "préréserver."
    )
    page.get_by_text(refusal).wait_for()
    shot(page, "40-teacher-other-school-refused")
    assert not CollectiveBooking.objects.exists()
    page.context.clear_cookies()

    # 3. A teacher of S finds it on the map around S (list item and marker after the map loads).
    login(page, teacher_s.email, "/enseignants/")
    page.get_by_role("heading", name="Catalogue des offres collectives").wait_for()
    page.wait_for_function("document.getElementById('catalogue-map').dataset.loaded >= '1'")
    item = page.locator("#catalogue-results").get_by_test_id(f"result-{offer.pk}")
    item.wait_for()
    assert "dans la zone de la carte" in page.get_by_test_id("result-count").inner_text()
    page.locator(f".leaflet-marker-icon[title='{OFFER_NAME}']").wait_for()
    page.locator("path.leaflet-interactive").first.wait_for()  # the school's circle
    shot(page, "41-teacher-catalogue-map")
    assert budget_before_for(page) == format_cents(160_000)  # 80 % of 2 000 € (provisional)

    # Moving the map re-queries: dragged away from Lyon, the list empties; back to France, it
    # comes back.
    page.goto("/enseignants/")
    page.wait_for_function("document.getElementById('catalogue-map').dataset.loaded >= '1'")
    page.locator("#catalogue-map").scroll_into_view_if_needed()
    box = page.locator("#catalogue-map").bounding_box()
    assert box is not None
    # Grab the map away from the marker (at the centre) and drag it far to the north-west.
    x, y = box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.85
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 550, y - 380, steps=15)
    page.mouse.up()
    page.get_by_test_id("empty-results").wait_for()
    shot(page, "42-teacher-map-moved-away")
    page.get_by_role("button", name="Voir toute la France").click()
    page.locator("#catalogue-results").get_by_test_id(f"result-{offer.pk}").wait_for()
    # A new search re-queries too: another domain empties the list, theatre brings it back.
    page.locator("#id_domaine").select_option("music")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("Aucune offre ne correspond à ces filtres.").wait_for()
    assert "domaine=music" in page.url
    page.locator("#id_domaine").select_option("theatre")
    page.locator("#id_prix_max").fill("beaucoup")  # an invalid filter is ignored, and said so
    page.get_by_role("button", name="Rechercher").click()
    page.locator("#catalogue-results").get_by_test_id(f"result-{offer.pk}").wait_for()
    page.get_by_text("Filtre ignoré : Prix maximum invalide").wait_for()
    page.locator("#id_prix_max").fill("")

    # Pre-book from the offer page (transport stated), then attach to an EAC project.
    page.locator("#catalogue-results").get_by_role("link", name=OFFER_NAME).click()
    page.get_by_role("heading", name=OFFER_NAME).wait_for()
    assert page.get_by_test_id("transport").inner_text() == "Transport non compris dans le prix."
    assert page.get_by_test_id("offer-price").inner_text() == format_cents(PRICE)
    shot(page, "43-teacher-offer")
    page.get_by_test_id("favourite-toggle").click()
    page.get_by_text(f"« {OFFER_NAME} » est ajoutée à vos favoris.").wait_for()
    page.get_by_test_id("partner-link").click()
    page.get_by_role("heading", name="Théâtre des Célestins").wait_for()
    page.get_by_test_id("partner-offers").get_by_role("link", name=OFFER_NAME).wait_for()
    shot(page, "43b-teacher-partner")
    page.get_by_test_id("partner-offers").get_by_role("link", name=OFFER_NAME).click()
    page.get_by_test_id("prebook").click()
    page.get_by_text(f"Offre « {OFFER_NAME} » préréservée").wait_for()
    booking = CollectiveBooking.objects.get()
    assert booking.school == school_s and booking.status == CollectiveBookingStatus.PENDING
    page.locator(f"#project-{booking.pk}").fill("Parcours théâtre 4e B")
    page.get_by_role("button", name="Rattacher").click()
    page.get_by_text("Préréservation rattachée au projet « Parcours théâtre 4e B »").wait_for()
    shot(page, "44-teacher-bookings")
    booking.refresh_from_db()
    assert booking.project is not None and booking.project.name == "Parcours théâtre 4e B"
    page.context.clear_cookies()

    # 4. The head of S confirms; the budget shown drops by the price.
    login(page, head_s.email, "/enseignants/validation/")
    page.get_by_role("heading", name="Validation des réservations").wait_for()
    before = budget_left(page)
    page.get_by_test_id(f"confirm-{booking.pk}").click()
    page.get_by_text(f"Réservation « {OFFER_NAME} » confirmée").wait_for()
    after = budget_left(page)
    assert (before, after) == (format_cents(160_000), format_cents(160_000 - PRICE))
    shot(page, "45-head-confirmed")
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CONFIRMED
    page.goto("/enseignants/reservations/")
    assert budget_left(page) == format_cents(160_000 - PRICE)
    assert page.get_by_test_id("budget-committed").first.inner_text() == format_cents(PRICE)

    # 5. The venue sees the school's name and phone on the booking, and in its e-mails.
    pro_page.goto("/pro/collectif/reservations/")
    row = pro_page.locator(f"tr[data-booking='{booking.pk}']")
    row.wait_for()
    text = row.inner_text()
    assert "Collège Jean Moulin" in text and "04 78 42 37 52" in text
    assert "confirmée" in text.lower()  # the badge is upper-cased by the DSFR
    shot(pro_page, "46-venue-collective-bookings")
    pro_context.close()
    run_pending_tasks()
    to_venue = [m for m in mailoutbox if "scolaires@celestins-lyon.fr" in m.to]
    assert to_venue, [m.to for m in mailoutbox]
    prebooked = next(m for m in to_venue if "préréservation" in m.subject.lower())
    assert "Collège Jean Moulin" in prebooked.body and "04 78 42 37 52" in prebooked.body
    assert re.search(r"Agnès Lemaître", prebooked.body)


def budget_before_for(tab) -> str:
    """The budget left as the teacher sees it before anything is committed."""
    tab.goto("/enseignants/reservations/")
    value = budget_left(tab)
    tab.go_back()
    return value
