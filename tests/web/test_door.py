"""The door (guichet): look a token up, validate, undo, cancel; refusals in French; scoping.

Also the pro bookings list and the back-office booking admin.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.bookings import selectors, services
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.credit.models import Deposit, DepositKind
from passculture.offers.models import Validation
from tests.factories import make_offerer, make_user, make_venue
from tests.offers.factories import make_offer, make_price_category, make_stock, paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 1, 4, 9, 0)  # Monday
EVENT = paris(2027, 1, 16, 20, 30)  # Saturday
OPEN = NOW + dt.timedelta(hours=48)  # cancellation limit = when the door may validate
AFTER = NOW + dt.timedelta(days=3)
URL = "/pro/guichet/"


def make_youth(email: str = "lea.moreau@exemple.fr", **names: str):
    names.setdefault("first_name", "Léa")
    names.setdefault("last_name", "Moreau-Ngô")
    youth = make_user(email, role="beneficiary", birth_date=dt.date(2009, 5, 2), **names)
    Deposit.objects.create(
        user=youth,
        kind=DepositKind.AGE_17_18,
        rule_set="2025",
        amount=15_000,
        digital_cap=10_000,
        expires_at=NOW + dt.timedelta(days=900),
        created_at=NOW - dt.timedelta(days=30),
    )
    return youth


def make_show(venue, name: str = "Cyrano de Bergerac"):
    offer = make_offer(venue, name=name, validation=Validation.APPROVED, is_duo=True)
    category = make_price_category(offer, "Tarif réduit", 800)
    return make_stock(offer, beginning=EVENT, category=category, quantity=50)


def book(youth, stock, quantity: int = 2) -> Booking:
    with clock.frozen_at(NOW):
        return services.book_offer(user=youth, stock_id=stock.pk, quantity=quantity)


@pytest.fixture
def youth(db):
    return make_youth()


@pytest.fixture
def booking(venue, youth):
    return book(youth, make_show(venue))


def state(booking: Booking) -> dict[str, object]:
    booking.refresh_from_db()
    booking.stock.refresh_from_db()
    return {
        "status": booking.status,
        "used_at": booking.used_at,
        "cancelled_at": booking.cancelled_at,
        "booked": booking.stock.booked_quantity,
        "audit": AuditEntry.objects.count(),
    }


def page(response) -> str:
    return response.content.decode()


def test_door_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/comptes/" in response["Location"]


def test_empty_door_has_a_large_autofocused_input(pro_client, venue):
    html = page(pro_client.get(URL))
    assert 'id="token"' in html and "autofocus" in html and "pc-door-input" in html
    assert 'aria-current="page"' in html  # the "Réservations" section is highlighted


def test_lookup_shows_who_what_then_validate_and_undo(pro_client, booking, pro):
    with clock.frozen_at(AFTER):
        # Typed in lower case with spaces on a phone keyboard: still found.
        lookup = page(
            pro_client.get(URL, {"token": f" {booking.token[:3].lower()} {booking.token[3:]}"})
        )
        assert "Léa Moreau-Ngô" in lookup
        assert "Cyrano de Bergerac" in lookup
        assert "samedi 16 janvier 2027 à 20:30" in lookup
        assert "Tarif réduit" in lookup
        assert "DUO" in lookup and "2 places" in lookup
        assert "16,00\u00a0€ (2 × 8,00\u00a0€)" in lookup
        assert "Confirmée" in lookup and "Valider la contremarque" in lookup
        assert "Annuler la validation" not in lookup

        response = pro_client.post(URL, {"token": booking.token, "action": "validate"})
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?token={booking.token}&valide=1"
        done = page(pro_client.get(response["Location"]))
        again = page(pro_client.get(URL, {"token": booking.token}))
    assert f"Contremarque {booking.token} validée : 2 places (duo)." in done
    assert "Annuler la validation" in done and "Valider la contremarque" not in done
    assert "déjà validée" not in done  # we just did it: no warning
    assert "Contremarque déjà validée le 07/01/2027 à 09:00." in again  # shown a second time
    booking.refresh_from_db()
    assert booking.status == BookingStatus.USED and booking.used_by == pro
    assert booking.used_at == AFTER and booking.validation_author == "pro"
    assert AuditEntry.objects.filter(action="booking.used", actor=pro).count() == 1

    with clock.frozen_at(AFTER + dt.timedelta(minutes=5)):
        response = pro_client.post(
            URL, {"token": booking.token, "action": "unvalidate"}, follow=True
        )
    undone = page(response)
    assert (
        f"Validation annulée : la contremarque {booking.token} est de nouveau à valider." in undone
    )
    assert "Valider la contremarque" in undone
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.used_at is None
    assert AuditEntry.objects.filter(action="booking.unused", actor=pro).count() == 1


def test_too_early_shows_the_date_it_becomes_possible_and_refuses(pro_client, booking):
    expected = (
        "Le jeune peut encore annuler : la contremarque sera validable "
        "à partir du 06/01/2027 à 09:00."
    )
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        lookup = page(pro_client.get(URL, {"token": booking.token}))
        assert expected in lookup and "Valider la contremarque" not in lookup
        assert "Annuler la réservation" in lookup  # the venue may cancel at any time
        before = state(booking)
        refused = page(pro_client.post(URL, {"token": booking.token, "action": "validate"}))
    assert expected in refused and 'data-testid="door-error"' in refused
    assert "Léa Moreau-Ngô" in refused  # our own booking: still shown beside the refusal
    assert state(booking) == before
    with clock.frozen_at(OPEN):
        assert "Valider la contremarque" in page(pro_client.get(URL, {"token": booking.token}))


def test_already_used_says_when(pro_client, booking, pro, venue):
    with clock.frozen_at(AFTER):
        services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    with clock.frozen_at(AFTER + dt.timedelta(hours=2)):
        before = state(booking)
        refused = page(pro_client.post(URL, {"token": booking.token, "action": "validate"}))
    assert "Contremarque déjà validée le 07/01/2027 à 09:00." in refused
    assert state(booking) == before


def test_cancelled_says_when_and_why(pro_client, booking, youth):
    with clock.frozen_at(NOW + dt.timedelta(hours=3)):
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    with clock.frozen_at(AFTER):
        lookup = page(pro_client.get(URL, {"token": booking.token}))
        before = state(booking)
        refused = page(pro_client.post(URL, {"token": booking.token, "action": "validate"}))
    message = "Cette réservation a été annulée le 04/01/2027 à 12:00."
    assert message in lookup and "Motif : Annulée par le jeune." in lookup
    assert "Valider la contremarque" not in lookup and "Annuler la réservation" not in lookup
    assert message in refused
    assert state(booking) == before


@pytest.mark.parametrize("typed", ["ZZZZZZ", "ABC", "AB1CD0", "'; drop table"])
def test_unknown_token(pro_client, booking, typed):
    unknown = "Contremarque inconnue : vérifiez les 6 caractères."
    with clock.frozen_at(AFTER):
        assert unknown in page(pro_client.get(URL, {"token": typed}))
        before = state(booking)
        assert unknown in page(pro_client.post(URL, {"token": typed, "action": "validate"}))
    assert state(booking) == before


def test_other_structure_sees_only_wrong_venue(client, booking, other_pro):
    make_venue(make_offerer(other_pro, name="Cinéma Le Méliès"), name="Salle 1")
    client.force_login(other_pro)
    wrong = "Cette contremarque ne concerne pas vos lieux."
    with clock.frozen_at(AFTER):
        before = state(booking)
        pages = [page(client.get(URL, {"token": booking.token}))]
        for action in ("validate", "unvalidate", "cancel"):
            pages.append(
                page(client.post(URL, {"token": booking.token, "action": action, "reason": "Test"}))
            )
    for html in pages:
        assert wrong in html
        for private in ("Léa", "Moreau", "Cyrano", "Tarif réduit", "janvier 2027", "16,00"):
            assert private not in html
        assert 'data-testid="door-booking"' not in html
    assert state(booking) == before
    assert booking.token not in page(client.get("/pro/reservations/"))


def test_cancel_needs_a_reason_then_gives_credit_back(pro_client, booking, youth, pro):
    with clock.frozen_at(AFTER):
        assert selectors.credit_of(youth).balance == 15_000 - 1_600
        before = state(booking)
        missing = page(pro_client.post(URL, {"token": booking.token, "action": "cancel"}))
        assert "Indiquez le motif de l’annulation : il est transmis au jeune." in missing
        assert '<details class="pc-door-cancel" open>' in missing
        assert state(booking) == before
        response = pro_client.post(
            URL,
            {
                "token": booking.token,
                "action": "cancel",
                "reason": "  Représentation annulée (grève)  ",
            },
            follow=True,
        )
        assert selectors.credit_of(youth).balance == 15_000
    html = page(response)
    assert (
        f"Réservation {booking.token} annulée : le jeune est prévenu et son crédit lui est rendu."
        in html
    )
    assert "Cette réservation a été annulée le 07/01/2027 à 09:00." in html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancellation_reason == CancellationReason.OFFERER
    assert booking.cancellation_comment == "Représentation annulée (grève)"
    booking.stock.refresh_from_db()
    assert booking.stock.booked_quantity == 0
    assert AuditEntry.objects.filter(action="booking.cancelled", actor=pro).count() == 1


def test_used_booking_cannot_be_cancelled_at_the_door(pro_client, booking, pro, venue):
    with clock.frozen_at(AFTER):
        services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
        lookup = page(pro_client.get(URL, {"token": booking.token}))
        assert "Annuler la réservation" not in lookup
        before = state(booking)
        refused = page(
            pro_client.post(URL, {"token": booking.token, "action": "cancel", "reason": "x"})
        )
    assert "Une réservation validée ne s’annule pas : annulez d’abord la validation." in refused
    assert state(booking) == before


def test_thing_booking_shows_no_date_and_single_place(pro_client, venue, youth):
    offer = make_offer(
        venue, subcategory_id="LIVRE_PAPIER", name="L’Étranger", validation=Validation.APPROVED
    )
    stock = make_stock(offer, price=1_250, quantity=3)
    booking = book(youth, stock, quantity=1)
    with clock.frozen_at(NOW + dt.timedelta(minutes=1)):
        html = page(pro_client.get(URL, {"token": booking.token}))
    assert "Sans date (à retirer)" in html and "1 place" in html and "DUO" not in html
    assert "Tarif unique" in html and "12,50\u00a0€" in html
    assert "Valider la contremarque" in html  # things: validable at once


def test_lookup_query_count_does_not_grow(pro_client, booking, venue, pro):
    def count() -> int:
        with clock.frozen_at(AFTER), CaptureQueriesContext(connection) as queries:
            assert "Léa Moreau-Ngô" in page(pro_client.get(URL, {"token": booking.token}))
        return len(queries)

    few = count()
    offerer2 = make_offerer(pro, name="Scène nationale")
    for i in range(4):
        venue2 = make_venue(offerer2, nic=i + 2, name=f"Salle {i}")
        book(make_youth(f"jeune{i}@exemple.fr"), make_show(venue2, name=f"Pièce {i}"))
    assert count() == few


def test_bookings_list_links_to_the_door_with_constant_queries(pro_client, booking, venue):
    def listing() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = page(pro_client.get("/pro/reservations/"))
        return html, len(queries)

    html, few = listing()
    assert "Ouvrir le guichet" in html
    assert f'href="/pro/guichet/?token={booking.token}"' in html
    assert "Léa Moreau-Ngô" in html and "Cyrano de Bergerac" in html and "Confirmée" in html
    assert "16/01/2027 20:30" in html and "2 (duo)" in html
    for i in range(6):
        book(make_youth(f"jeune{i}@exemple.fr"), make_show(venue, name=f"Pièce {i}"))
    html, many = listing()
    assert many == few and html.count('href="/pro/guichet/?token=') == 7


def test_bookings_list_without_structure(client, other_pro):
    client.force_login(other_pro)
    html = page(client.get("/pro/reservations/"))
    assert "Ajoutez d’abord votre structure" in html and "Ouvrir le guichet" not in html


def test_staff_finds_by_token_and_cancels_for_fraud(client, staff, booking, youth):
    client.force_login(staff)
    listing = page(client.get("/backoffice/bookings/booking/", {"q": booking.token.lower()}))
    assert booking.token in listing and "1 réservation" in listing
    detail = client.get(f"/backoffice/bookings/booking/{booking.pk}/change/")
    assert detail.status_code == 200
    assert 'name="status"' not in page(detail)  # every field is read-only
    assert client.get("/backoffice/bookings/booking/add/").status_code == 403
    url = "/backoffice/bookings/booking/"
    confirm = page(client.post(url, {"action": "cancel_fraud", "_selected_action": [booking.pk]}))
    assert "Annuler pour fraude" in confirm and booking.token in confirm
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    with clock.frozen_at(AFTER):
        done = client.post(
            url,
            {
                "action": "cancel_fraud",
                "_selected_action": [booking.pk],
                "apply": "1",
                "comment": "Compte usurpé",
            },
            follow=True,
        )
    assert "1 réservation(s) annulée(s)." in page(done)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancellation_reason == CancellationReason.FRAUD
    assert booking.cancellation_comment == "Compte usurpé"
    with clock.frozen_at(AFTER):
        assert selectors.credit_of(youth).balance == 15_000
    entry = AuditEntry.objects.get(action="booking.cancelled", actor=staff)
    assert entry.data["reason"] == "fraud"


def test_staff_backoffice_cancel_skips_cancelled(client, staff, booking, youth):
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    client.force_login(staff)
    done = client.post(
        "/backoffice/bookings/booking/",
        {"action": "cancel_backoffice", "_selected_action": [booking.pk], "apply": "1"},
        follow=True,
    )
    assert "0 réservation(s) annulée(s)." in page(done)
    booking.refresh_from_db()
    assert booking.cancellation_reason == CancellationReason.BENEFICIARY
