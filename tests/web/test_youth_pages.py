"""Youth web app: sign-up, identity, credit, offers near me, booking, cancel, account; staff review."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from passculture.accounts.models import IdentityCheck, IdentityStatus, Role, User
from passculture.bookings import selectors as booking_selectors
from passculture.bookings import services as booking_services
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.core.money import format_cents
from passculture.credit import rules as credit_rules
from passculture.credit import services as credit_services
from passculture.credit.models import CreditEntry, Deposit, GrantRule
from passculture.offerers.models import Address, Venue
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from tests.factories import make_offerer, make_user

pytestmark = pytest.mark.django_db


# --- builders -----------------------------------------------------------------------------------


def birth_for(age: int) -> dt.date:
    """A birth date making someone `age` today and for the next months (birthday 100 days ago)."""
    today = clock.today_paris()
    return credit_rules.birthday(today - dt.timedelta(days=100), -age)


def make_youth(email: str = "lea@exemple.fr", *, age: int = 17, credit: bool = True) -> User:
    user = make_user(
        email, role=Role.BENEFICIARY, first_name="Léa", last_name="Moreau-Château",
        birth_date=birth_for(age), postal_code="69003", city="Lyon", department_code="69",
    )  # fmt: skip
    if credit:
        credit_services.request_identity_check(
            user=user, provider="test", declared={"last_name": "Moreau-Château"}
        )
        user.refresh_from_db()
    return user


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def make_paris_venue() -> Venue:
    offerer = make_offerer(name="Théâtre de la Ville")
    return Venue.objects.create(
        offerer=offerer, name="Théâtre de la Ville", siret=None, no_siret_reason="Régie",
        venue_type="theatre", street="2 place du Châtelet", postal_code="75004", city="Paris",
        department_code="75", latitude=Decimal("48.85800"), longitude=Decimal("2.34700"),
    )  # fmt: skip


def make_show(
    venue: Venue,
    name: str = "Cyrano de Bergerac",
    *,
    prices: tuple[int, ...] = (1_200,),
    quantity: int | None = 10,
    days: int = 10,
    is_duo: bool = True,
    subcategory_id: str = "SPECTACLE_REPRESENTATION",
) -> Offer:
    offer = Offer.objects.create(
        venue=venue, name=name, subcategory_id=subcategory_id, validation=Validation.APPROVED,
        extra_data={"showType": "THEATRE-CLASSIQUE"}, is_duo=is_duo, withdrawal_type="on_site",
    )  # fmt: skip
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=days)
    for i, price in enumerate(prices):
        label = ["Plein tarif", "Tarif réduit", "Tarif jeune"][i]
        category = PriceCategory.objects.create(offer=offer, label=label, price=price)
        Stock.objects.create(
            offer=offer, price_category=category, price=price, quantity=quantity,
            beginning_datetime=start, booking_limit_datetime=start - dt.timedelta(hours=2),
        )  # fmt: skip
    return offer


def make_online_offer(venue: Venue) -> Offer:
    virtual = Venue.objects.create(
        offerer=venue.offerer, name="En ligne", is_virtual=True, venue_type="digital"
    )
    offer = Offer.objects.create(
        venue=virtual, name="Films d’auteur en streaming", subcategory_id="VOD",
        validation=Validation.APPROVED, url="https://vod.exemple.fr",
    )  # fmt: skip
    Stock.objects.create(offer=offer, price=500, quantity=None)
    return offer


def text(response) -> str:
    return response.content.decode()


def state() -> dict[str, object]:
    return {
        "bookings": list(Booking.objects.order_by("pk").values()),
        "stocks": list(Stock.objects.order_by("pk").values_list("pk", "booked_quantity")),
        "audit": AuditEntry.objects.count(),
    }


# --- sign-up ------------------------------------------------------------------------------------


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Inès",
        "last_name": "Lefèvre-Ngô",
        "email": "ines@exemple.fr",
        "password1": "Molière-au-Châtelet-2026",
        "password2": "Molière-au-Châtelet-2026",
        "birth_date": birth_for(17).isoformat(),
        "postal_code": "69003",
        "city": "Lyon",
    }
    data.update(overrides)
    return data


def test_signup_creates_a_youth_account_logs_in_and_goes_to_identity(client):
    response = client.post("/jeunes/inscription/", signup_data())
    assert response.status_code == 302 and response["Location"] == "/jeunes/identite/"
    user = User.objects.get(email="ines@exemple.fr")
    assert (user.role, user.department_code, user.city) == (Role.BENEFICIARY, "69", "Lyon")
    assert user.birth_date == birth_for(17)
    page = client.get("/jeunes/identite/")
    assert page.status_code == 200
    assert "Dernière étape : faites vérifier votre identité" in text(page)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": birth_for(14).isoformat()}, "Le pass s’adresse aux jeunes de 15 à 20 ans"),
        ({"birth_date": birth_for(21).isoformat()}, "Le pass s’adresse aux jeunes de 15 à 20 ans"),
        ({"postal_code": "00000"}, "Code postal inconnu"),
        ({"postal_code": "690"}, "Le code postal compte 5 chiffres."),
        ({"birth_date": "31/02/2009"}, "Saisissez une date valide"),
        ({"password2": "autre-chose-123"}, "Les deux mots de passe ne correspondent pas."),
        ({"password1": "123", "password2": "123"}, "Ce mot de passe est trop court"),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide"),
        ({"city": ""}, "Le champ « Commune » est obligatoire."),
    ],
)
def test_signup_errors_are_in_french_and_create_nothing(client, overrides, message):
    response = client.post("/jeunes/inscription/", signup_data(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert not User.objects.filter(email="ines@exemple.fr").exists()


def test_signup_with_a_taken_email_is_refused(client):
    make_user("ines@exemple.fr")
    response = client.post("/jeunes/inscription/", signup_data(email="INES@exemple.fr"))
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse e-mail." in text(response)
    assert User.objects.filter(email__iexact="ines@exemple.fr").count() == 1


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/jeunes/",
        "/jeunes/identite/",
        "/jeunes/offres/",
        "/jeunes/reservations/",
        "/jeunes/compte/",
    ],
)
def test_every_page_requires_login_and_a_youth_account(client, pro, staff, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/")
    login(client, pro)
    assert client.get(url)["Location"] == "/pro/"
    login(client, staff)
    assert client.get(url)["Location"] == "/backoffice/"


# --- identity -----------------------------------------------------------------------------------


def test_identity_request_pending_then_refused_with_reason_then_retry(client, staff):
    youth = make_youth(credit=False)
    login(client, youth)
    page = text(client.get("/jeunes/identite/"))
    assert 'value="staff_review"' in page and "Fournisseur de test" in page  # not production
    assert re.search(r'value="staff_review"[^>]*checked', page)
    declared = {
        "first_name": "Léa",
        "last_name": "Moreau-Château",
        "birth_date": youth.birth_date.isoformat(),  # type: ignore[union-attr]
        "document_number": "x12 345 678",
        "provider": "staff_review",
    }
    response = client.post("/jeunes/identite/", declared, follow=True)
    assert "Vérification en cours" in text(response)
    check = IdentityCheck.objects.get(user=youth)
    assert check.status == IdentityStatus.PENDING
    assert check.declared["document_number"] == "X12345678"
    assert "Votre identité est en cours de vérification" in text(client.get("/jeunes/"))

    credit_services.decide_identity_check(
        actor=staff, check_id=check.pk, approve=False, reason="Photo illisible"
    )
    page = text(client.get("/jeunes/identite/"))
    assert "Votre vérification d’identité n’a pas abouti" in page
    assert "Motif : Photo illisible" in page and "Refaire une demande" in page
    client.post("/jeunes/identite/", declared)
    assert IdentityCheck.objects.filter(user=youth, status=IdentityStatus.PENDING).count() == 1


def test_identity_form_errors_and_test_provider_hidden_in_production(client, settings):
    youth = make_youth(credit=False)
    login(client, youth)
    response = client.post("/jeunes/identite/", {"provider": "staff_review"})
    assert response.status_code == 400
    assert "Le champ « Numéro de la pièce d’identité » est obligatoire." in text(response)
    settings.PRODUCTION = True
    page = text(client.get("/jeunes/identite/"))
    assert "Fournisseur de test" not in page and 'value="test"' not in page
    response = client.post(
        "/jeunes/identite/",
        {"first_name": "Léa", "last_name": "Moreau", "birth_date": "2009-01-01",
         "document_number": "X1", "provider": "test"},
    )  # fmt: skip
    assert "Ce mode de vérification n’est pas disponible." in text(response)
    assert not IdentityCheck.objects.exists()


def test_test_provider_validates_at_once_and_grants_the_2025_credit(client):
    youth = make_youth(credit=False)
    login(client, youth)
    response = client.post(
        "/jeunes/identite/",
        {"first_name": "Léa", "last_name": "Moreau", "birth_date": "2009-01-01",
         "document_number": "X1", "provider": "test"},
        follow=True,
    )  # fmt: skip
    page = text(response)
    assert "Votre identité est vérifiée : votre crédit est disponible." in page
    assert format_cents(5_000) in page  # 50 € at 17 under the 2025 reform


# --- home ---------------------------------------------------------------------------------------


def test_home_shows_balance_expiry_and_digital_cap(client, venue):
    youth = make_youth()
    login(client, youth)
    page = text(client.get("/jeunes/"))
    assert re.search(r'data-testid="balance">50,00\xa0€<', page)
    deposit = Deposit.objects.get(user=youth)
    assert deposit.expires_at.astimezone(credit_rules.PARIS).year == birth_for(17).year + 21
    assert f"{birth_for(17).year + 21}" in page and "À utiliser avant le" in page
    assert "offres numériques" not in page  # the cap (100 €) is above the balance
    stock = make_show(venue).stocks.get()
    booking_services.book_offer(user=youth, stock_id=stock.pk, quantity=2)
    page = text(client.get("/jeunes/"))
    assert re.search(r'data-testid="balance">26,00\xa0€<', page)
    login(client, make_youth("hugo@exemple.fr", age=18))  # 150 €, of which 100 € digital
    page = text(client.get("/jeunes/"))
    assert re.search(r'data-testid="balance">150,00\xa0€<', page)
    assert f"Dont {format_cents(10_000)} au plus pour les offres numériques" in page


def test_home_free_only_message_at_15_and_identity_call_to_action(client):
    youth = make_youth(age=15)
    login(client, youth)
    page = text(client.get("/jeunes/"))
    assert "offres gratuites uniquement" in page and 'data-testid="balance"' not in page
    other = make_youth("tom@exemple.fr", credit=False)
    login(client, other)
    assert "Vérifier mon identité" in text(client.get("/jeunes/"))


# --- offers near me -----------------------------------------------------------------------------


def test_offers_of_my_department_and_online_by_default(
    client, venue, django_assert_max_num_queries
):
    lyon = make_show(venue, "Cyrano à Lyon")
    make_show(make_paris_venue(), "Phèdre à Paris")
    online = make_online_offer(venue)
    draft = make_show(venue, "Brouillon caché")
    Offer.objects.filter(pk=draft.pk).update(validation=Validation.DRAFT)
    for i in range(5):
        make_show(venue, f"Concert n°{i}", subcategory_id="CONCERT")
    login(client, make_youth())
    with django_assert_max_num_queries(8):
        page = text(client.get("/jeunes/offres/"))
    assert lyon.name in page and online.name in page
    assert "Phèdre à Paris" not in page and "Brouillon caché" not in page
    assert "Dans votre département (Rhône) et en ligne." in page
    # Distances run from the département's centre: the mean of its venues, here the only one.
    assert 'data-testid="distance">à moins de 100 m<' in page
    assert "7 offres" in page


def test_offers_around_my_position_with_distance_nearest_first(client, venue):
    make_show(venue, "Cyrano à Lyon")
    make_show(make_paris_venue(), "Phèdre à Paris")
    far = make_show(make_paris_venue(), "Andromaque à Paris")
    far.address = Address.objects.create(
        street="1 place de la Comédie", postal_code="13001", city="Marseille",
        department_code="13", latitude=Decimal("43.29600"), longitude=Decimal("5.37600"),
    )  # fmt: skip
    far.save()
    login(client, make_youth())
    page = text(client.get("/jeunes/offres/", {"lat": "48.8566", "lon": "2.3522"}))
    assert "Phèdre à Paris" in page and "Cyrano à Lyon" not in page
    assert "Andromaque" not in page  # its own address is in Marseille
    assert "à 0,4 km" in page
    assert "Autour de votre position, à 50 km au plus" in page
    page = text(client.get("/jeunes/offres/", {"lat": "48.8566", "lon": "2.3522", "rayon": "500"}))
    assert page.index("Phèdre à Paris") < page.index("Cyrano à Lyon")  # nearest first
    assert "Andromaque" not in page
    # Coordinates that make no sense fall back to the département.
    page = text(client.get("/jeunes/offres/", {"lat": "999", "lon": "abc"}))
    assert "Dans votre département" in page and "Cyrano à Lyon" in page


def test_offer_search_by_text_and_category_and_empty_state(client, venue):
    make_show(venue, "Cyrano de Bergerac")
    make_show(venue, "Concert de jazz", subcategory_id="CONCERT")
    login(client, make_youth())
    page = text(client.get("/jeunes/offres/", {"q": "cyrano"}))
    assert "Cyrano de Bergerac" in page and "Concert de jazz" not in page
    page = text(client.get("/jeunes/offres/", {"categorie": "MUSIQUE_LIVE"}))
    assert "Concert de jazz" in page and "Cyrano de Bergerac" not in page
    page = text(client.get("/jeunes/offres/", {"q": "Tartuffe"}))
    assert "Aucune offre ne correspond à votre recherche." in page


def test_offer_list_paginates_by_20(client, venue):
    for i in range(23):
        make_show(venue, f"Spectacle {i:02d}", is_duo=False)
    login(client, make_youth())
    page = text(client.get("/jeunes/offres/"))
    assert page.count('class="fr-card__title"') == 20 and "Page 1 sur 2" in page
    page = text(client.get("/jeunes/offres/", {"page": 2}))
    assert page.count('class="fr-card__title"') == 3


# --- offer page and booking ---------------------------------------------------------------------


def test_offer_page_shows_dates_prices_seats_and_duo(client, venue):
    offer = make_show(venue, prices=(1_200, 800), quantity=5)
    full = offer.stocks.get(price=800)
    Stock.objects.filter(pk=full.pk).update(booked_quantity=5)
    login(client, make_youth())
    page = text(client.get(f"/jeunes/offres/{offer.pk}/"))
    assert "Plein tarif — 12,00\xa0€" in page and "Tarif réduit — 8,00\xa0€" in page
    assert "5 places restantes" in page and "Complet" in page
    assert re.search(rf'id="stock-{full.pk}"[^>]*disabled', page)
    assert 'id="quantity-2"' in page and "2 places (duo" in page
    solo = make_show(venue, "Solo", is_duo=False)
    assert 'id="quantity-2"' not in text(client.get(f"/jeunes/offres/{solo.pk}/"))
    assert client.get("/jeunes/offres/999999/").status_code == 404
    Offer.objects.filter(pk=solo.pk).update(validation=Validation.PENDING)
    assert client.get(f"/jeunes/offres/{solo.pk}/").status_code == 404


def test_booking_a_duo_goes_to_the_confirmation_with_token_and_qr(client, venue):
    youth = make_youth()
    offer = make_show(venue)
    stock = offer.stocks.get()
    login(client, youth)
    response = client.post(f"/jeunes/offres/{offer.pk}/", {"stock": stock.pk, "quantity": 2})
    booking = Booking.objects.get(user=youth)
    assert response["Location"] == f"/jeunes/reservations/{booking.pk}/"
    assert booking.quantity == 2 and booking.amount == 1_200
    page = text(client.get(response["Location"]))
    assert f'data-testid="token">{booking.token}<' in page
    assert '<svg width="' in page and 'class="pc-qr"' in page
    assert f"QR code de la contremarque {booking.token}" in page
    assert "2 places « Plein tarif » × 12,00\xa0€ = 24,00\xa0€" in page
    assert "C’est réservé !" in page


@pytest.mark.parametrize(
    ("setup", "posted", "message"),
    [
        ("poor", {"quantity": 2}, "Crédit insuffisant : il vous reste 50,00\xa0€"),
        ("solo", {"quantity": 2}, "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo."),
        ("sold_out", {"quantity": 1}, "Complet : il ne reste plus assez de places."),
        ("no_credit", {"quantity": 1}, "Votre crédit n’est pas encore activé"),
        ("already", {"quantity": 1}, "Vous avez déjà une réservation en cours pour cette offre."),
        ("closed", {"quantity": 1}, "Les réservations pour cette date sont closes depuis le"),
        ("no_stock", {"quantity": 1}, "Choisissez une date et un tarif."),
    ],
)
def test_booking_refusals_are_shown_in_french_and_change_nothing(
    client, venue, setup, posted, message
):
    youth = make_youth(credit=setup != "no_credit")
    offer = make_show(
        venue,
        prices=(4_000,) if setup == "poor" else (1_200,),
        is_duo=setup != "solo",
        quantity=1 if setup == "sold_out" else 10,
    )
    stock = offer.stocks.get()
    if setup == "sold_out":
        booking_services.book_offer(user=make_youth("autre@exemple.fr"), stock_id=stock.pk)
    if setup == "already":
        booking_services.book_offer(user=youth, stock_id=stock.pk)
    if setup == "closed":
        Stock.objects.filter(pk=stock.pk).update(
            booking_limit_datetime=clock.now() - dt.timedelta(hours=1)
        )
    data = dict(posted)
    if setup != "no_stock":
        data["stock"] = stock.pk
    before = state()
    login(client, youth)
    response = client.post(f"/jeunes/offres/{offer.pk}/", data)
    assert response.status_code == 400
    assert message in text(response)
    assert state() == before


# --- booking page: cancel ------------------------------------------------------------------------


def test_cancel_button_only_before_the_limit_and_exact_limit_shown(client, venue):
    youth = make_youth()
    offer = make_show(venue)
    booking = booking_services.book_offer(user=youth, stock_id=offer.stocks.get().pk)
    assert booking.cancellation_limit is not None
    login(client, youth)
    page = text(client.get(f"/jeunes/reservations/{booking.pk}/"))
    limit = booking.cancellation_limit.astimezone(credit_rules.PARIS)
    assert f"{limit:%H:%M}" in page and f"{limit.year}" in page
    assert re.search(r"Annulable jusqu’au [a-z]+ (1er|\d+) [a-zéû]+ \d{4} à \d\d:\d\d\.", page)
    assert "Annuler ma réservation" in page
    with clock.frozen_at(booking.cancellation_limit + dt.timedelta(minutes=1)):
        page = text(client.get(f"/jeunes/reservations/{booking.pk}/"))
        assert "Annuler ma réservation" not in page
        assert "Cette réservation n’est plus annulable depuis le" in page
        before = state()
        response = client.post(f"/jeunes/reservations/{booking.pk}/annuler/", follow=True)
        assert "Cette réservation n’est plus annulable." in text(response)
        assert state() == before
    response = client.post(f"/jeunes/reservations/{booking.pk}/annuler/", follow=True)
    assert "Votre réservation est annulée : votre crédit vous est rendu." in text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking_selectors.credit_of(youth).balance == 5_000
    assert "Annuler ma réservation" not in text(response)


def test_another_users_booking_is_a_404_and_cannot_be_cancelled(client, venue):
    owner = make_youth()
    booking = booking_services.book_offer(user=owner, stock_id=make_show(venue).stocks.get().pk)
    login(client, make_youth("intrus@exemple.fr"))
    assert client.get(f"/jeunes/reservations/{booking.pk}/").status_code == 404
    before = state()
    assert client.post(f"/jeunes/reservations/{booking.pk}/annuler/").status_code == 404
    assert state() == before
    assert client.get("/jeunes/reservations/abc/").status_code == 404


def test_my_bookings_are_split_into_upcoming_past_and_cancelled(
    client, venue, pro, django_assert_max_num_queries
):
    youth = make_youth()
    upcoming = booking_services.book_offer(user=youth, stock_id=make_show(venue, "À venir").stocks.get().pk)  # fmt: skip
    used = booking_services.book_offer(user=youth, stock_id=make_show(venue, "Déjà vu").stocks.get().pk)  # fmt: skip
    cancelled = booking_services.book_offer(user=youth, stock_id=make_show(venue, "Annulé").stocks.get().pk)  # fmt: skip
    booking_services.cancel_by_beneficiary(user=youth, booking_id=cancelled.pk)
    with clock.frozen_at(clock.now() + dt.timedelta(days=3)):
        booking_services.validate_token(actor=pro, token=used.token, venue_ids={venue.pk})
    login(client, youth)
    with django_assert_max_num_queries(6):
        page = text(client.get("/jeunes/reservations/"))

    def section(key: str) -> str:
        start = page.index(f'data-testid="section-{key}"')
        end = page.find('data-testid="section-', start + 10)
        return page[start : end if end > 0 else len(page)]

    assert upcoming.token in section("a-venir") and "À venir (1)" in page
    assert used.token in section("passees") and "Validée" in section("passees")
    assert cancelled.token in section("annulees") and "Annulées (1)" in page
    assert used.token not in section("a-venir")
    page = text(client.get(f"/jeunes/reservations/{used.pk}/"))
    assert "Annuler ma réservation" not in page and 'class="pc-qr"' not in page


# --- account ------------------------------------------------------------------------------------


def test_account_shows_profile_and_updates_residence_with_audit(client):
    youth = make_youth()
    login(client, youth)
    page = text(client.get("/jeunes/compte/"))
    assert "Moreau-Château" in page and youth.email in page and "Rhône" in page
    response = client.post(
        "/jeunes/compte/residence/", {"postal_code": "13001", "city": "Marseille"}
    )
    assert response["Location"] == "/jeunes/compte/"
    youth.refresh_from_db()
    assert (youth.postal_code, youth.city, youth.department_code) == ("13001", "Marseille", "13")
    entry = AuditEntry.objects.get(action="user.residence_updated")
    assert entry.before["department_code"] == "69" and entry.after["department_code"] == "13"
    response = client.post(
        "/jeunes/compte/residence/", {"postal_code": "00000", "city": "Nulle part"}
    )
    assert response.status_code == 400 and "Code postal inconnu" in text(response)
    youth.refresh_from_db()
    assert youth.department_code == "13"


def test_marketing_opt_in_toggle_is_audited(client):
    youth = make_youth()
    assert youth.marketing_opt_in
    login(client, youth)
    response = client.post("/jeunes/compte/suggestions/", {}, follow=True)
    assert "Vous ne recevrez plus de suggestions d’offres." in text(response)
    youth.refresh_from_db()
    assert not youth.marketing_opt_in
    client.post("/jeunes/compte/suggestions/", {"marketing_opt_in": "on"})
    youth.refresh_from_db()
    assert youth.marketing_opt_in
    assert AuditEntry.objects.filter(action="user.marketing_opt_in").count() == 2


# --- back office --------------------------------------------------------------------------------


def test_staff_reviews_identity_pending_first_and_validates_with_the_button(client, staff):
    old = make_youth("ancien@exemple.fr", credit=False)
    credit_services.request_identity_check(user=old, provider="staff_review", declared={})
    credit_services.decide_identity_check(
        actor=staff, check_id=IdentityCheck.objects.get(user=old).pk, approve=False, reason="Flou"
    )
    youth = make_youth(credit=False)
    check = credit_services.request_identity_check(
        user=youth, provider="staff_review",
        declared={"first_name": "Léa", "last_name": "Moreau", "birth_date": "2000-01-01",
                  "document_number": "X123"},
    )  # fmt: skip
    login(client, staff)
    listing = text(client.get("/backoffice/accounts/identitycheck/"))
    assert listing.index("lea@exemple.fr") < listing.index("ancien@exemple.fr")
    page = text(client.get(f"/backoffice/accounts/identitycheck/{check.pk}/change/"))
    assert "X123" in page and "⚠ différent" in page  # declared name and birth date differ
    assert "17 ans : 50,00\xa0€ (règles 2025)." in page
    assert "Valider l’identité" in page and "Refuser (avec motif)" in page
    response = client.post(
        f"/backoffice/accounts/identitycheck/{check.pk}/decider/", {"approve": "1"}, follow=True
    )
    assert "validée : le crédit a été attribué." in text(response)
    check.refresh_from_db()
    assert check.status == IdentityStatus.VALIDATED and check.reviewed_by == staff
    assert Deposit.objects.get(user=youth).amount == 5_000


def test_staff_refuses_identity_with_a_reason_only(client, staff):
    youth = make_youth(credit=False)
    check = credit_services.request_identity_check(user=youth, provider="staff_review", declared={})
    login(client, staff)
    url = f"/backoffice/accounts/identitycheck/{check.pk}/decider/"
    response = client.post(url, {"refuse": "1", "reason": ""}, follow=True)
    assert "Indiquez le motif du refus." in text(response)
    check.refresh_from_db()
    assert check.status == IdentityStatus.PENDING
    # The list action asks for the reason on an intermediate page.
    form = client.post(
        "/backoffice/accounts/identitycheck/",
        {"action": "refuse_selected", "_selected_action": [check.pk]},
    )
    assert "Motif du refus (envoyé au jeune)" in text(form)
    client.post(
        "/backoffice/accounts/identitycheck/",
        {"action": "refuse_selected", "_selected_action": [check.pk], "apply": "1",
         "reason": "Document expiré"},
    )  # fmt: skip
    check.refresh_from_db()
    assert (check.status, check.refusal_reason) == (IdentityStatus.REFUSED, "Document expiré")
    assert not Deposit.objects.filter(user=youth).exists()
    assert client.get("/backoffice/accounts/identitycheck/add/").status_code == 403


def test_staff_adjusts_a_deposit_in_euros_with_a_comment(client, staff, pro):
    youth = make_youth()
    deposit = Deposit.objects.get(user=youth)
    login(client, staff)
    page = text(client.get(f"/backoffice/credit/deposit/{deposit.pk}/change/"))
    assert "Ajuster le crédit" in page and "Attribution" in page  # the grant entry inline
    url = f"/backoffice/credit/deposit/{deposit.pk}/ajuster/"
    response = client.post(url, {"amount": "abc", "comment": "Geste"})
    assert "Montant invalide" in text(response)
    response = client.post(url, {"amount": "-60", "comment": "Erreur"})
    assert "L’ajustement rendrait le crédit négatif." in text(response)
    response = client.post(url, {"amount": "12,50", "comment": "Geste commercial"}, follow=True)
    assert "Crédit ajusté de 12,50\xa0€." in text(response)
    deposit.refresh_from_db()
    assert deposit.amount == 6_250
    entry = CreditEntry.objects.get(deposit=deposit, reason="manual")
    assert (entry.amount, entry.comment, entry.actor) == (1_250, "Geste commercial", staff)
    assert AuditEntry.objects.filter(action="deposit.adjusted", actor=staff).exists()
    login(client, pro)
    assert client.post(url, {"amount": "100", "comment": "x"}).status_code == 302  # to login
    deposit.refresh_from_db()
    assert deposit.amount == 6_250


def test_grant_rules_are_editable_data_and_audited(client, staff):
    rule = GrantRule.objects.get(rule_set="2025", age=17)
    login(client, staff)
    page = text(client.get("/backoffice/credit/grantrule/"))
    assert "50,00\xa0€" in page
    data = {
        "rule_set": "2025", "valid_from": "2025-03-01", "valid_until": "", "age": "17",
        "amount": "6000", "deposit_kind": "age_17_18", "expires_at_age": "21",
        "validity_months": "", "digital_cap": "5000",
    }  # fmt: skip
    response = client.post(f"/backoffice/credit/grantrule/{rule.pk}/change/", data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.amount == 6_000
    entry = AuditEntry.objects.get(action="grant_rule.changed")
    assert entry.before["amount"] == 5_000 and entry.after["amount"] == 6_000
    assert client.get("/backoffice/credit/deposit/add/").status_code == 403
