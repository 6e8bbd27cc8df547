"""Journey: a 17-year-old signs up, staff validates her identity, she books a duo near her,
cancels within the window, books again, and the venue validates her token at the door."""

import datetime as dt
from decimal import Decimal

import pytest

from passculture.accounts.models import IdentityCheck, IdentityStatus, User
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.money import format_cents
from passculture.credit import rules as credit_rules
from passculture.credit.models import Deposit, GrantRule
from passculture.offerers.models import Venue
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LYON_CENTRE = {"latitude": 45.7640, "longitude": 4.8357}


def ensure_grant_rules() -> None:
    """Transactional tests flush the rows the data migration shipped; put the rules back."""
    if GrantRule.objects.exists():
        return
    for g in credit_rules.RULES_2022_2025:
        GrantRule.objects.create(
            rule_set=g.rule_set, valid_from=g.valid_from, valid_until=g.valid_until, age=g.age,
            amount=g.amount, deposit_kind=g.deposit_kind, expires_at_age=g.expires_at_age,
            validity_months=g.validity_months, digital_cap=g.digital_cap,
        )  # fmt: skip


def paris_evening(days: int) -> dt.datetime:
    day = clock.today_paris() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(20, 30), tzinfo=credit_rules.PARIS).astimezone(dt.UTC)


def make_theatre_show(venue: Venue) -> Offer:
    offer = Offer.objects.create(
        venue=venue, name="Le Misanthrope", subcategory_id="SPECTACLE_REPRESENTATION",
        extra_data={"showType": "THEATRE-CLASSIQUE", "author": "Molière"},
        description="Alceste ne supporte plus les mensonges de la société. Une comédie de Molière.",
        validation=Validation.APPROVED, is_duo=True, withdrawal_type="on_site",
        withdrawal_details="Présentez votre contremarque à l’accueil.",
    )  # fmt: skip
    full = PriceCategory.objects.create(offer=offer, label="Plein tarif", price=1_500)
    young = PriceCategory.objects.create(offer=offer, label="Tarif jeune", price=900)
    for days in (8, 9):
        start = paris_evening(days)
        for category in (full, young):
            Stock.objects.create(
                offer=offer, price_category=category, price=category.price, quantity=40,
                beginning_datetime=start, booking_limit_datetime=start - dt.timedelta(hours=2),
            )  # fmt: skip
    return offer


def make_far_show() -> Offer:
    offerer = make_offerer(name="Théâtre de la Ville")
    venue = Venue.objects.create(
        offerer=offerer, name="Théâtre de la Ville", no_siret_reason="Régie municipale",
        venue_type="theatre", street="2 place du Châtelet", postal_code="75004", city="Paris",
        department_code="75", latitude=Decimal("48.85800"), longitude=Decimal("2.34700"),
    )  # fmt: skip
    offer = Offer.objects.create(
        venue=venue, name="Phèdre", subcategory_id="SPECTACLE_REPRESENTATION",
        extra_data={"showType": "THEATRE-CLASSIQUE"}, validation=Validation.APPROVED,
    )  # fmt: skip
    Stock.objects.create(offer=offer, price=1_000, quantity=10, beginning_datetime=paris_evening(8))
    return offer


def balance_on_home(page) -> str:
    page.goto("/jeunes/")
    return page.get_by_test_id("balance").inner_text().replace("\u00a0", " ")


def euros(cents: int) -> str:
    return format_cents(cents).replace("\u00a0", " ")


def test_youth_signs_up_gets_credit_books_a_duo_cancels_rebooks_and_is_validated(
    browser, live_server
):
    ensure_grant_rules()
    pro = make_user("accueil@celestins-lyon.fr", first_name="Inès", last_name="Da Silva")
    pro.email_verified_at = clock.now()
    pro.save()
    venue = make_venue(make_offerer(pro, name="Théâtre des Célestins"), name="Grande salle")
    show = make_theatre_show(venue)
    make_far_show()
    staff = make_user(
        "equipe@passculture.local", role="staff", is_staff=True, is_superuser=True,
        first_name="Agnès", last_name="Équipe",
    )  # fmt: skip
    today = clock.today_paris()
    # 17 today and for months to come: her 17th birthday was 100 days ago.
    birth = credit_rules.birthday(today - dt.timedelta(days=100), -17)
    assert credit_rules.age_on(birth, today) == 17

    youth_context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=PHONE, device_scale_factor=2,
        is_mobile=True, has_touch=True, geolocation=LYON_CENTRE, permissions=["geolocation"],
    )  # fmt: skip
    page = youth_context.new_page()
    page.set_default_timeout(10_000)

    # 1. Sign-up: an unknown postal code is refused in French, then she corrects it.
    page.goto("/jeunes/inscription/")
    page.locator("#id_first_name").fill("Maëlys")
    page.locator("#id_last_name").fill("N’Diaye-Lefèvre")
    page.locator("#id_birth_date").fill(birth.isoformat())
    page.locator("#id_postal_code").fill("00000")
    page.locator("#id_city").fill("Lyon")
    page.locator("#id_email").fill("maelys@exemple.fr")
    page.locator("#id_password1").fill("Alceste-et-Célimène-2026")
    page.locator("#id_password2").fill("Alceste-et-Célimène-2026")
    shot(page, "50-youth-signup")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_text("Code postal inconnu").wait_for()
    assert not User.objects.filter(email="maelys@exemple.fr").exists()
    page.locator("#id_postal_code").fill("69003")
    page.locator("#id_password1").fill("Alceste-et-Célimène-2026")
    page.locator("#id_password2").fill("Alceste-et-Célimène-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Vérifier mon identité").wait_for()
    youth = User.objects.get(email="maelys@exemple.fr")
    assert youth.department_code == "69" and youth.birth_date == birth

    # 2. Identity: she declares her document; staff review is the default provider.
    page.locator("#id_document_number").fill("23AB45678")
    assert page.locator("input[name=provider][value=staff_review]").is_checked()
    shot(page, "51-youth-identity")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_role("heading", name="Vérification en cours").wait_for()
    shot(page, "52-youth-identity-pending")
    page.goto("/jeunes/")
    page.get_by_text("Votre identité est en cours de vérification").wait_for()
    assert page.get_by_test_id("balance").count() == 0  # no credit yet
    check = IdentityCheck.objects.get(user=youth)
    assert check.status == IdentityStatus.PENDING

    # 3. Staff validates her identity in the back office.
    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    back = staff_context.new_page()
    back.set_default_timeout(10_000)
    back.goto("/comptes/connexion/?next=/backoffice/accounts/identitycheck/")
    back.locator("#id_username").fill(staff.email)
    back.locator("#id_password").fill(PASSWORD)
    back.get_by_role("button", name="Se connecter").click()
    back.get_by_role("link", name="Maëlys N’Diaye-Lefèvre").first.click()
    back.get_by_text("23AB45678").wait_for()
    back.get_by_text("17 ans : 50,00").wait_for()
    shot(back, "53-staff-identity-review")
    back.get_by_role("button", name="Valider l’identité").click()
    back.get_by_text("validée : le crédit a été attribué").wait_for()
    shot(back, "54-staff-identity-validated")
    staff_context.close()
    deposit = Deposit.objects.get(user=youth)
    assert (deposit.amount, deposit.rule_set) == (5_000, "2025")

    # 4. The credit of the rules in force: 50 € at 17 (2025 reform).
    assert balance_on_home(page) == euros(5_000)
    shot(page, "55-youth-home-credit")

    # 5. Offers near her: first her département, then around her position.
    page.get_by_role("link", name="Offres près de chez moi").click()
    page.get_by_text("Dans votre département (Rhône)").wait_for()
    assert page.get_by_role("link", name="Phèdre").count() == 0  # Paris is not near Lyon
    page.get_by_role("button", name="Autour de moi").click()
    page.get_by_text("Autour de votre position").wait_for()
    card = page.get_by_test_id("offer-results").locator("li", has_text="Le Misanthrope")
    assert "km" in card.get_by_test_id("distance").inner_text()
    assert page.get_by_role("link", name="Phèdre").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "56-youth-offers-near-me")

    # 6. The show's page: two dates, two prices, seats left; she books a duo.
    page.get_by_role("link", name="Le Misanthrope").click()
    page.get_by_role("heading", name="Le Misanthrope").wait_for()
    first = Stock.objects.get(
        offer=show, price_category__label="Plein tarif", beginning_datetime=paris_evening(8)
    )
    page.get_by_test_id(f"seats-{first.pk}").get_by_text("40 places restantes").wait_for()
    page.locator(f"label[for=stock-{first.pk}]").click()
    page.locator("label[for=quantity-2]").click()
    shot(page, "57-youth-offer-page")
    page.get_by_role("button", name="Réserver").click()
    page.get_by_text("C’est réservé !").wait_for()
    booking = Booking.objects.get(user=youth, status=BookingStatus.CONFIRMED)
    assert (booking.quantity, booking.amount) == (2, 1_500)
    assert page.get_by_test_id("token").inner_text() == booking.token
    assert page.get_by_test_id("qr").locator("svg.pc-qr").is_visible()
    assert "30,00" in page.get_by_test_id("price").inner_text()
    limit = page.get_by_test_id("cancel-limit").inner_text()
    assert limit.startswith("Annulable jusqu’au ")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "58-youth-booking-qr")
    booking_url = page.url
    assert balance_on_home(page) == euros(5_000 - 3_000)

    # 7. She cancels within the window: the credit comes back.
    page.goto(booking_url)
    page.get_by_role("button", name="Annuler ma réservation").click()
    page.get_by_text("Votre réservation est annulée").wait_for()
    assert page.get_by_test_id("booking-status").text_content() == "Annulée"
    shot(page, "59-youth-booking-cancelled")
    assert balance_on_home(page) == euros(5_000)

    # 8. She books again: the second evening, young people's price, as a duo.
    page.goto(f"/jeunes/offres/{show.pk}/")
    second = Stock.objects.get(
        offer=show, price_category__label="Tarif jeune", beginning_datetime=paris_evening(9)
    )
    page.locator(f"label[for=stock-{second.pk}]").click()
    page.locator("label[for=quantity-2]").click()
    page.get_by_role("button", name="Réserver").click()
    page.get_by_text("C’est réservé !").wait_for()
    booking = Booking.objects.get(user=youth, status=BookingStatus.CONFIRMED)
    assert (booking.stock_id, booking.quantity) == (second.pk, 2)
    assert balance_on_home(page) == euros(5_000 - 1_800)
    page.goto("/jeunes/reservations/")
    page.get_by_role("tab", name="À venir (1)").wait_for()
    page.get_by_role("tab", name="Annulées (1)").click()
    page.get_by_test_id("section-annulees").get_by_text("Le Misanthrope").wait_for()
    shot(page, "60-youth-bookings")

    # 9. After the cancellation limit, the venue validates her token at the door.
    assert booking.cancellation_limit is not None
    with clock.frozen_at(booking.cancellation_limit + dt.timedelta(minutes=5)):
        door_context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", viewport=PHONE, is_mobile=True
        )
        door = door_context.new_page()
        door.set_default_timeout(10_000)
        door.goto("/pro/guichet/")
        door.locator("#id_username").fill(pro.email)
        door.locator("#id_password").fill(PASSWORD)
        door.get_by_role("button", name="Se connecter").click()
        door.get_by_role("heading", name="Guichet").wait_for()
        door.locator("#token").fill(booking.token.lower())
        door.locator("#token").press("Enter")
        door.get_by_role("heading", name="Maëlys N’Diaye-Lefèvre").wait_for()
        door.get_by_role("button", name="Valider la contremarque").click()
        door.get_by_text(f"Contremarque {booking.token} validée").wait_for()
        shot(door, "61-door-validates-youth-token")
        door_context.close()
        booking.refresh_from_db()
        assert booking.status == BookingStatus.USED and booking.used_by == pro

        # Her balance is unchanged by the validation; the booking now shows as used.
        assert balance_on_home(page) == euros(5_000 - 1_800)
        page.goto(f"/jeunes/reservations/{booking.pk}/")
        assert page.get_by_test_id("booking-status").text_content() == "Validée"
        assert page.get_by_role("button", name="Annuler ma réservation").count() == 0
        shot(page, "62-youth-booking-used")

    # 10. Her account, through the phone menu.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon compte"
    ).click()
    page.get_by_role("heading", name="Mon compte").wait_for()
    assert page.locator("#id_postal_code").input_value() == "69003"
    shot(page, "63-youth-account")
    youth_context.close()
