"""Journey: a pro filters the bookings tab, opens a row's history, validates one booking and
cancels another, each time back on the same filtered list."""

import datetime as dt

import pytest

from passculture.bookings import services
from passculture.bookings.models import BookingStatus
from passculture.core import clock
from passculture.credit.models import Deposit, DepositKind
from passculture.offers.models import Validation
from tests.bookings.listing_factories import collective_booking
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue
from tests.offers.factories import make_offer, make_price_category, make_stock

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _youth(email: str, first: str, last: str):
    now = clock.now()
    youth = make_user(email, role="beneficiary", first_name=first, last_name=last)
    Deposit.objects.create(
        user=youth, kind=DepositKind.AGE_17_18, rule_set="2025", amount=15_000,
        expires_at=now + dt.timedelta(days=700), created_at=now - dt.timedelta(days=30),
    )  # fmt: skip
    return youth


def _show(venue, name: str, label: str, price: int, days: int):
    offer = make_offer(venue, name=name, validation=Validation.APPROVED, is_duo=True)
    category = make_price_category(offer, label, price)
    beginning = clock.now() + dt.timedelta(days=days)
    return make_stock(offer, beginning=beginning, category=category, quantity=100)


def test_pro_filters_opens_history_validates_and_cancels(page):
    now = clock.now()
    pro = make_user("billetterie@theatre-echangeur.fr", first_name="Inès", last_name="Da Silva")
    venue = make_venue(make_offerer(pro, name="Théâtre de l’Échangeur"), name="Grande salle")
    bourgeois = _show(venue, "Le Bourgeois gentilhomme", "Tarif jeune", 900, 3)
    phedre = _show(venue, "Phèdre", "Plein tarif", 1_800, 5)
    zoe = _youth("zoe@exemple.fr", "Zoé", "Lefèvre-Nguyễn")
    malo = _youth("malo@exemple.fr", "Malo", "Kerouédan")
    # Booked 3 days ago: past the 48 h window, the venue may validate.
    with clock.frozen_at(now - dt.timedelta(days=3)):
        to_validate = services.book_offer(user=zoe, stock_id=bourgeois.pk, quantity=2)
        to_cancel = services.book_offer(user=malo, stock_id=phedre.pk, quantity=1)
    collective_booking(venue, created_at=now - dt.timedelta(days=4), school_name="Lycée Ampère")

    page.goto("/pro/reservations/")
    page.locator("#id_username").fill(pro.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Réservations", exact=True).wait_for()
    table = page.get_by_test_id("booking-table")
    assert table.locator("tbody tr").count() == 3
    assert "Lycée Ampère" in table.inner_text()
    shot(page, "70-bookings-tab")

    page.locator("#id_beneficiaire").fill("Lefèvre")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**beneficiaire=Lef*")
    assert table.locator("tbody tr").count() == 1
    row = table.get_by_role("row", name=to_validate.token)
    assert "Zoé Lefèvre-Nguyễn" in row.inner_text() and "2 (duo)" in row.inner_text()
    row.get_by_text("Historique (1)").click()
    history = page.get_by_test_id(f"history-individual-{to_validate.pk}")
    assert "Réservée" in history.inner_text() and "zoe@exemple.fr" in history.inner_text()
    shot(page, "71-bookings-filtered-history")

    row.get_by_role("button", name=f"Valider la contremarque {to_validate.token}").click()
    page.get_by_text(f"Contremarque {to_validate.token} validée : 2 places (duo).").wait_for()
    assert "beneficiaire=Lef" in page.url  # back on the same filtered list
    row = page.get_by_test_id("booking-table").get_by_role("row", name=to_validate.token)
    assert "VALIDÉE" in row.inner_text().upper()
    row.get_by_text("Historique (2)").click()
    assert "Validée" in page.get_by_test_id(f"history-individual-{to_validate.pk}").inner_text()
    shot(page, "72-bookings-validated")
    to_validate.refresh_from_db()
    assert to_validate.status == BookingStatus.USED and to_validate.used_by == pro

    page.get_by_role("link", name="Effacer les filtres").click()
    row = page.get_by_test_id("booking-table").get_by_role("row", name=to_cancel.token)
    row.get_by_text("Annuler la réservation").click()
    row.get_by_label("Motif (transmis au jeune)").fill("Représentation annulée (grève)")
    shot(page, "73-bookings-cancel-confirm")
    row.get_by_role("button", name="Confirmer l’annulation").click()
    page.get_by_text(f"Réservation {to_cancel.token} annulée").wait_for()
    row = page.get_by_test_id("booking-table").get_by_role("row", name=to_cancel.token)
    assert "Motif : Représentation annulée (grève)" in row.inner_text()
    shot(page, "74-bookings-cancelled")
    to_cancel.refresh_from_db()
    assert to_cancel.status == BookingStatus.CANCELLED
    assert to_cancel.cancellation_comment == "Représentation annulée (grève)"
