"""Journey: at the entrance, on a phone, a pro types a young person's token and validates it."""

import datetime as dt

import pytest

from passculture.bookings import services
from passculture.bookings.models import BookingStatus
from passculture.core import clock
from passculture.credit.models import Deposit, DepositKind
from passculture.offers.models import Validation
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue
from tests.offers.factories import make_offer, make_price_category, make_stock

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_pro_validates_a_duo_token_on_a_phone(phone):
    now = clock.now()
    pro = make_user("accueil@theatre-du-peuple.fr", first_name="Inès", last_name="Da Silva")
    pro.email_verified_at = now
    pro.save()
    venue = make_venue(make_offerer(pro, name="Théâtre du Peuple"), name="Salle Maurice-Pottecher")
    offer = make_offer(
        venue, name="Le Bourgeois gentilhomme", validation=Validation.APPROVED, is_duo=True
    )
    category = make_price_category(offer, "Tarif jeune", 900)
    stock = make_stock(offer, beginning=now + dt.timedelta(days=2), category=category, quantity=120)
    youth = make_user(
        "chloe@exemple.fr", role="beneficiary", first_name="Chloé", last_name="Lefèvre-Diallo"
    )
    Deposit.objects.create(
        user=youth, kind=DepositKind.AGE_17_18, rule_set="2025", amount=15_000,
        expires_at=now + dt.timedelta(days=700), created_at=now - dt.timedelta(days=30),
    )  # fmt: skip
    # Booked 3 days ago: the 48 h cancellation window is over, the door may validate.
    with clock.frozen_at(now - dt.timedelta(days=3)):
        booking = services.book_offer(user=youth, stock_id=stock.pk, quantity=2)

    page = phone
    page.goto("/pro/guichet/")
    page.locator("#id_username").fill(pro.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Guichet").wait_for()
    token_input = page.locator("#token")
    assert token_input.evaluate("el => el === document.activeElement")
    shot(page, "40-door-phone-empty")

    token_input.fill(f"{booking.token[:3].lower()} {booking.token[3:].lower()}")
    token_input.press("Enter")
    page.get_by_role("heading", name="Chloé Lefèvre-Diallo").wait_for()
    card = page.get_by_test_id("door-booking")
    assert "Le Bourgeois gentilhomme" in card.inner_text()
    assert "Tarif jeune" in card.inner_text() and "DUO" in card.inner_text()
    assert "18,00" in card.inner_text()
    validate = page.get_by_role("button", name="Valider la contremarque")
    box = validate.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] >= 44  # thumb-sized
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "41-door-phone-found")

    validate.click()
    page.get_by_text(f"Contremarque {booking.token} validée : 2 places (duo).").wait_for()
    page.get_by_role("button", name="Annuler la validation").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "42-door-phone-validated")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.USED and booking.used_by == pro

    token_input = page.locator("#token")
    token_input.fill("ZZZZZZ")
    token_input.press("Enter")
    page.get_by_text("Contremarque inconnue : vérifiez les 6 caractères.").wait_for()
    shot(page, "43-door-phone-unknown")

    page.get_by_role("link", name="Toutes les réservations").click()
    page.get_by_role("link", name="Ouvrir le guichet").wait_for()
    row = page.get_by_test_id("booking-table").get_by_role("row", name=booking.token)
    assert "Chloé Lefèvre-Diallo" in row.inner_text() and "VALIDÉE" in row.inner_text().upper()
    shot(page, "44-bookings-phone")


def test_app_api_docs_render_with_nothing_from_outside(page, live_server):
    """The app API's Swagger UI (served with the door's API work) loads only local files."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/app/v1/docs")
    page.get_by_text("passculture — API de l’application jeunes").first.wait_for()
    page.locator(
        ".opblock-summary-path", has_text="/api/app/v1/bookings/{booking_id}/cancel"
    ).wait_for()
    shot(page, "45-app-api-docs")
    assert requested
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
