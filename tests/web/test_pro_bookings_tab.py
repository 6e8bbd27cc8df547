"""The pro bookings tab (/pro/reservations/): filters, counts, keyset pages, query bound, row
actions (validate, undo, cancel) and strict scoping (another structure's booking is a 404)."""

import datetime as dt
import re

import pytest
from django.urls import NoReverseMatch, reverse

from passculture.bookings import listing, services
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.collective.models import CollectiveBooking, CollectiveBookingStatus
from passculture.core import clock
from passculture.core.models import AuditEntry
from tests.bookings.factories import NOW, give_deposit, make_bookable_offer, make_youth, paris
from tests.bookings.factories import state as booking_state
from tests.bookings.listing_factories import booking, collective_booking
from tests.collective.factories import world_state
from tests.factories import make_offerer, make_user, make_venue
from tests.offers.factories import make_price_category, make_stock

pytestmark = pytest.mark.django_db

URL = "/pro/reservations/"
EVENT = paris(2027, 1, 16, 20, 30)
AFTER = NOW + dt.timedelta(days=3)  # past the 48 h window: the venue may validate


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def listed(response) -> list[str]:
    """The rows of the list, in order, as "individual-12" / "collective-3"."""
    return re.findall(r'<tr data-booking="([a-z]+-\d+)"', html(response))


def key(b) -> str:
    return f"{'individual' if isinstance(b, Booking) else 'collective'}-{b.pk}"


@pytest.fixture
def stock(venue):
    return make_bookable_offer(venue, beginning=EVENT, is_duo=True, price=1_600)


@pytest.fixture
def youth(db):
    young = make_youth(
        "zoe@exemple.fr",
        first_name="Zoé",
        last_name="Lefèvre-Nguyễn",
        birth_date=dt.date(2009, 3, 15),
    )
    give_deposit(young)
    return young


@pytest.fixture
def live(youth, stock):
    """A duo booking made through the service on NOW (cancellable for 48 h)."""
    with clock.frozen_at(NOW):
        return services.book_offer(user=youth, stock_id=stock.pk, quantity=2)


# --- list, filters, counts ------------------------------------------------------------------


def test_row_shows_who_what_when_price_amount_duo_status_history(pro_client, live):
    with clock.frozen_at(AFTER):
        page = html(pro_client.get(URL))
    assert "Zoé Lefèvre-Nguyễn" in page and "zoe@exemple.fr" in page
    assert "Cyrano de Bergerac" in page and "Grande salle" in page
    assert "16/01/2027 20:30" in page and "réservée le 04/01/2027 09:00" in page
    assert "Plein tarif" in page and "32,00\u00a0€" in page and "2 (duo)" in page
    assert "Confirmée" in page and f'href="/pro/guichet/?token={live.token}"' in page
    assert "Historique (1)" in page and "04/01/2027 09:00 — Réservée" in page
    assert "Ouvrir le guichet" in page


def test_collective_row_shows_school_phone_teacher(pro_client, venue):
    coll = collective_booking(venue, school_name="Lycée Ampère", teacher_name=("Inès", "Bâ"))
    page = html(pro_client.get(URL))
    assert listed(pro_client.get(URL)) == [key(coll)]
    assert "Lycée Ampère" in page and "04 78 42 37 52" in page and "Enseignant·e : Inès Bâ" in page
    assert "300,00\u00a0€" in page and "15/03/2027 10:00" in page


def test_each_filter_narrows_the_list(pro_client, offerer, venue, stock):
    other_venue = make_venue(offerer, nic=2, name="Petite salle")
    other = make_bookable_offer(other_venue, name="Ruy Blas", beginning=paris(2027, 2, 1, 20, 0))
    reduced = make_price_category(stock.offer, "Tarif réduit", 800)
    reduced_stock = make_stock(stock.offer, beginning=EVENT, category=reduced)
    zoe = make_youth(first_name="Zoé", last_name="Lefèvre-Nguyễn")
    a = booking(stock, zoe, created_at=paris(2027, 1, 2, 10, 0))
    b = booking(reduced_stock, status="used", created_at=paris(2027, 1, 3, 10, 0))
    c = booking(other, status="cancelled", created_at=paris(2027, 1, 3, 23, 30))
    coll = collective_booking(venue, created_at=paris(2027, 1, 1, 10, 0))
    assert listed(pro_client.get(URL)) == [key(c), key(b), key(a), key(coll)]
    cases = {
        "statut=used": [key(b)],
        "statut=pending": [],
        f"lieu={other_venue.pk}": [key(c)],
        f"offre=i{stock.offer_id}": [key(b), key(a)],
        f"offre=c{coll.offer_id}": [key(coll)],
        f"tarif={reduced.pk}": [key(b)],
        f"contremarque={a.token.lower()}": [key(a)],
        "beneficiaire=Lefèvre-Nguyễn": [key(a)],
        "type=collective": [key(coll)],
        "type=individual": [key(c), key(b), key(a)],
        "du=2027-01-03&au=2027-01-03": [key(c), key(b)],
        "periode=event&du=2027-02-01&au=2027-02-01": [key(c)],
        "periode=event&au=2027-01-31": [key(b), key(a)],
    }
    for query, expected in cases.items():
        assert listed(pro_client.get(f"{URL}?{query}")) == expected, query


def test_counts_per_status_and_kind(pro_client, venue, stock):
    for status in ("confirmed", "confirmed", "used", "cancelled"):
        booking(stock, status=status)
    collective_booking(venue, status="pending")
    collective_booking(venue, status="confirmed")
    page = html(pro_client.get(URL, {"statut": "used"}))
    cells = re.findall(r'<td data-count="(\w+)-(\w+)">(?:<strong>)?(\d+)<', page)
    found: dict[str, list[int]] = {}
    for status, _kind, n in cells:  # individual, collective, total in this order
        found.setdefault(status, []).append(int(n))
    counts = {s: tuple(v) for s, v in found.items()}
    assert counts == {
        "pending": (0, 1, 1),
        "confirmed": (2, 1, 3),
        "used": (1, 0, 1),
        "reimbursed": (0, 0, 0),
        "cancelled": (1, 0, 1),
    }
    assert "6 réservations pour ces filtres (tous statuts)" in page


@pytest.mark.parametrize(
    "query,message",
    [
        ("du=31/02/2027", "Date invalide"),
        ("du=2027-02-01&au=2027-01-01", "La date de fin doit être après la date de début."),
        ("statut=perdue", "Valeur inconnue"),
        ("lieu=abc", "Valeur inconnue"),
        ("offre=x1", "Valeur inconnue"),
        ("tarif=99999999", "Valeur inconnue"),
        ("contremarque=ABC", "Une contremarque compte 6 caractères"),
        ("avant=nimportequoi", "Lien de pagination invalide"),
        ("type=tout", "Valeur inconnue"),
    ],
)
def test_bad_filters_are_form_errors(pro_client, stock, query, message):
    booking(stock)
    page = html(pro_client.get(f"{URL}?{query}"))
    assert message in page and "Corrigez les filtres signalés" in page
    assert 'data-testid="booking-table"' not in page


def test_offer_kind_conflict_and_other_structure_ids_are_refused(pro_client, venue, stock):
    coll = collective_booking(venue)
    page = html(pro_client.get(URL, {"offre": f"c{coll.offer_id}", "type": "individual"}))
    assert "Cette offre est collective" in page
    theirs = make_venue(make_offerer(make_user("autre@exemple.fr"), name="Autre"))
    page = html(pro_client.get(URL, {"lieu": theirs.pk}))
    assert "Valeur inconnue" in page and "Autre" not in page


def test_empty_states(pro_client, venue, client, other_pro):
    page = html(pro_client.get(URL))
    assert "Aucune réservation pour l’instant" in page
    blank = html(pro_client.get(URL, {"periode": "booked", "du": "", "statut": "", "type": "all"}))
    assert "Aucune réservation pour l’instant" in blank and "Effacer les filtres" not in blank
    page = html(pro_client.get(URL, {"statut": "used"}))
    assert "Aucune réservation ne correspond à ces filtres." in page
    client.force_login(other_pro)
    assert "Ajoutez d’abord votre structure" in html(client.get(URL))


# --- keyset pagination and the query bound --------------------------------------------------


def test_pages_follow_each_other_without_duplicates_or_gaps(pro_client, venue, stock):
    expected = []
    for n in range(70):
        at = NOW - dt.timedelta(minutes=n // 2)  # pairs share an instant
        expected.append(key(booking(stock, created_at=at)))
        if n % 3 == 0:
            expected.append(key(collective_booking(venue, created_at=at)))
    seen: list[list[str]] = []
    url = URL + "?type=all"
    while url:
        page = html(pro_client.get(url))
        seen.append(listed(pro_client.get(url)))
        found = re.search(r'href="(\?[^"]*avant=[^"]+)">Suivant', page)
        url = URL + found.group(1).replace("&amp;", "&") if found else ""
    assert [len(p) for p in seen] == [50, 44]
    flat = [k for p in seen for k in p]
    assert len(flat) == len(set(flat)) == len(expected) == 94
    assert set(flat) == set(expected)
    # "Précédent" on page 2 gives page 1 back.
    back = re.search(r'href="(\?[^"]*apres=[^"]+)">Précédent', page)
    assert back and "type=all" in back.group(1)
    assert listed(pro_client.get(URL + back.group(1).replace("&amp;", "&"))) == seen[0]


def test_page_needs_a_bounded_number_of_queries(
    pro_client, venue, stock, django_assert_max_num_queries
):
    booking(stock)
    collective_booking(venue)
    with django_assert_max_num_queries(14) as few:
        assert len(listed(pro_client.get(URL))) == 2
    for n in range(60):
        booking(stock, status="used" if n % 2 else "confirmed")
    for _ in range(5):
        collective_booking(venue)
    other_offer = make_bookable_offer(venue, name="Ruy Blas")
    booking(other_offer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(pro_client.get(URL))) == listing.PAGE_SIZE


# --- row actions ----------------------------------------------------------------------------


def test_validate_then_undo_from_the_row_back_to_the_same_filters(pro_client, live, pro):
    retour = "statut=&beneficiaire=Zo%C3%A9"
    with clock.frozen_at(AFTER):
        response = pro_client.post(f"{URL}{live.pk}/valider/", {"retour": retour})
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?statut=&beneficiaire=Zo%C3%A9"
        page = html(pro_client.get(response["Location"]))
    assert f"Contremarque {live.token} validée : 2 places (duo)." in page
    live.refresh_from_db()
    assert live.status == BookingStatus.USED and live.used_by == pro
    assert "Validée" in page and "Annuler la validation" in page
    with clock.frozen_at(AFTER):
        response = pro_client.post(f"{URL}{live.pk}/invalider/", follow=True)
    assert "est de nouveau à valider" in html(response)
    live.refresh_from_db()
    assert live.status == BookingStatus.CONFIRMED
    actions = list(
        AuditEntry.objects.filter(object_type="bookings.booking", object_id=str(live.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["booking.created", "booking.used", "booking.unused"]


def test_validate_too_early_is_refused_and_changes_nothing(pro_client, live, youth):
    before = booking_state(youth)
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        page = html(pro_client.post(f"{URL}{live.pk}/valider/", follow=True))
    assert (
        f"Réservation {live.token} : Le jeune peut encore annuler : la contremarque sera "
        "validable à partir du 06/01/2027 à 09:00." in page
    )
    assert 'action="/pro/reservations/' + str(live.pk) + '/valider/"' not in page
    assert booking_state(youth) == before


def test_cancel_needs_a_reason_then_gives_credit_back(pro_client, live, youth):
    before = booking_state(youth)
    with clock.frozen_at(AFTER):
        page = html(pro_client.post(f"{URL}{live.pk}/annuler/", {"reason": "  "}, follow=True))
    assert "Indiquez le motif de l’annulation : il est transmis au jeune." in page
    assert booking_state(youth) == before
    with clock.frozen_at(AFTER):
        page = html(
            pro_client.post(f"{URL}{live.pk}/annuler/", {"reason": "Relâche (grève)"}, follow=True)
        )
    assert f"Réservation {live.token} annulée" in page
    live.refresh_from_db()
    assert live.status == BookingStatus.CANCELLED
    assert live.cancellation_reason == CancellationReason.OFFERER
    assert live.cancellation_comment == "Relâche (grève)"
    assert booking_state(youth)["balance"] == 15_000
    assert "Motif : Relâche (grève)" in page and "Annulée" in page


def test_used_booking_cannot_be_cancelled_from_the_row(pro_client, live, youth, pro, venue):
    with clock.frozen_at(AFTER):
        services.validate_token(actor=pro, token=live.token, venue_ids={venue.pk})
        before = booking_state(youth)
        page = html(pro_client.post(f"{URL}{live.pk}/annuler/", {"reason": "x"}, follow=True))
    assert "Une réservation validée ne s’annule pas : annulez d’abord la validation." in page
    assert booking_state(youth) == before


def test_cancel_a_collective_booking_from_the_row(pro_client, venue):
    coll = collective_booking(venue)
    with clock.frozen_at(NOW):
        refused = html(
            pro_client.post(f"{URL}collectives/{coll.pk}/annuler/", {"reason": ""}, follow=True)
        )
        assert "Indiquez le motif de l’annulation" in refused
        coll.refresh_from_db()
        assert coll.status == CollectiveBookingStatus.CONFIRMED
        page = html(
            pro_client.post(
                f"{URL}collectives/{coll.pk}/annuler/", {"reason": "Salle fermée"}, follow=True
            )
        )
    assert "Réservation de Collège Jean Moulin annulée" in page
    coll.refresh_from_db()
    assert coll.status == CollectiveBookingStatus.CANCELLED
    assert coll.cancellation_comment == "Salle fermée"


def test_unknown_action_and_get_are_refused(pro_client, live):
    assert pro_client.post(f"{URL}{live.pk}/supprimer/").status_code == 404
    assert pro_client.get(f"{URL}{live.pk}/valider/").status_code == 405


# --- access ---------------------------------------------------------------------------------


def test_another_structure_sees_nothing_and_acts_on_nothing(client, other_pro, live, venue, youth):
    coll = collective_booking(venue)
    make_venue(make_offerer(other_pro, name="Cinéma Le Méliès"), name="Salle 1")
    client.force_login(other_pro)
    page = html(client.get(URL))
    assert "Zoé" not in page and live.token not in page and "Collège Jean Moulin" not in page
    assert listed(client.get(URL, {"contremarque": live.token})) == []
    before, before_coll = booking_state(youth), world_state()
    with clock.frozen_at(AFTER):
        for action in ("valider", "invalider", "annuler"):
            response = client.post(f"{URL}{live.pk}/{action}/", {"reason": "Piraté"})
            assert response.status_code == 404, action
        response = client.post(f"{URL}collectives/{coll.pk}/annuler/", {"reason": "Piraté"})
        assert response.status_code == 404
    assert booking_state(youth) == before and world_state() == before_coll
    assert CollectiveBooking.objects.get(pk=coll.pk).status == CollectiveBookingStatus.CONFIRMED


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/")


def test_export_button_carries_the_filters_without_the_cursor(pro_client, stock):
    booking(stock)
    page = html(pro_client.get(URL, {"statut": "used", "avant": "1.1.1"}))
    try:
        export_url = reverse("pro:exports")
    except NoReverseMatch:  # the exports page is built separately: no button until it exists
        assert "Exporter" not in page
    else:
        assert f'href="{export_url}?statut=used">Exporter' in page.replace("\n", "")
