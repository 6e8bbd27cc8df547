"""Booking service: every refusal (French text, stable code, nothing changed), tokens, auto-use,
cancellations, validation at the door, and a random walk keeping balances and seats exact."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passculture.bookings import errors as e
from passculture.bookings import rules, selectors, services
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.errors import DomainError, PermissionDenied
from passculture.core.taskrunner import run_pending_tasks
from passculture.credit.models import DepositKind
from passculture.offerers.models import ValidationStatus
from passculture.offers.models import Offer, Stock, Validation
from tests.bookings.factories import (
    NOW,
    balance_of,
    give_deposit,
    live_quantity,
    make_beneficiary,
    make_bookable_offer,
    make_youth,
    paris,
    state,
)
from tests.factories import make_offerer, make_venue
from tests.offers.factories import make_virtual_venue

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def youth():
    return make_beneficiary(15_000)  # 150 € on a 2025 17–18 credit


@pytest.fixture
def show(venue):
    """A duo theatre show on 14 January 2027 at 09:00, 12 € a seat, 10 seats."""
    return make_bookable_offer(venue, price=1_200, quantity=10, is_duo=True)


@pytest.fixture
def book_thing(venue):
    return make_bookable_offer(
        venue, subcategory_id="LIVRE_PAPIER", name="Les Misérables", price=800
    )


def refused(call, error, text: str, code: str, user=None) -> DomainError:
    """The call raises `error` with that exact French text and code, and changes nothing."""
    before = state(user)
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.text == text
    assert state(user) == before
    return caught.value


# --- booking -------------------------------------------------------------------------------


def test_book_an_event(youth, show, mailoutbox):
    booking = services.book_offer(user=youth, stock_id=show.pk)

    assert (booking.status, booking.quantity, booking.amount, booking.total) == (
        BookingStatus.CONFIRMED,
        1,
        1_200,
        1_200,
    )
    assert (booking.user, booking.offer, booking.stock) == (youth, show.offer, show)
    assert booking.deposit == youth.deposits.get()
    assert booking.created_at == NOW
    assert booking.cancellation_limit == NOW + 48 * H  # the show is 10 days away
    assert rules.is_token(booking.token)
    assert not booking.is_digital_capped
    show.refresh_from_db()
    assert show.booked_quantity == 1
    assert balance_of(youth) == 15_000 - 1_200
    audit = entries_for(booking).get()
    assert (audit.action, audit.actor, audit.after) == (
        "booking.created",
        youth,
        {"stock": show.pk, "quantity": 1, "amount": 1_200, "status": "confirmed"},
    )
    run_pending_tasks()
    mail, venue_mail = mailoutbox  # the young person's, then the venue's per-booking e-mail
    assert (venue_mail.to, venue_mail.subject) == (
        ["billetterie@celestins.fr"],
        "Nouvelle réservation : Cyrano de Bergerac",
    )
    assert mail.to == [youth.email]
    assert mail.subject == "Réservation confirmée : Cyrano de Bergerac"
    assert f"Votre contremarque : {booking.token}" in mail.body
    assert "Le 14/01/2027 à 09:00" in mail.body
    assert "Grande salle, 8 place des Célestins, 69002 Lyon" in mail.body
    assert "1 place — 12,00\u00a0€" in mail.body
    assert "Vous pouvez annuler jusqu’au 06/01/2027 à 09:00" in mail.body


def test_book_a_duo(youth, show):
    booking = services.book_offer(user=youth, stock_id=show.pk, quantity=2)
    assert (booking.quantity, booking.total) == (2, 2_400)
    show.refresh_from_db()
    assert show.booked_quantity == 2
    assert balance_of(youth) == 15_000 - 2_400


def test_cancellation_limit_of_a_show_in_three_days(youth, venue):
    stock = make_bookable_offer(venue, beginning=NOW + 72 * H)
    booking = services.book_offer(user=youth, stock_id=stock.pk)
    assert booking.cancellation_limit == NOW + 24 * H


def test_book_unlimited_stock_and_the_price_is_kept(youth, venue):
    stock = make_bookable_offer(venue, price=900, quantity=None)
    booking = services.book_offer(user=youth, stock_id=stock.pk)
    Stock.objects.filter(pk=stock.pk).update(price=1_500)
    booking.refresh_from_db()
    assert booking.amount == 900
    assert selectors.credit_of(youth).spent == 900
    stock.refresh_from_db()
    assert stock.booked_quantity == 1 and stock.quantity is None


def test_book_a_thing(youth, book_thing):
    booking = services.book_offer(user=youth, stock_id=book_thing.pk)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.cancellation_limit is None


def test_a_free_offer_with_a_free_only_access(venue):
    youth = make_beneficiary(0, kind=DepositKind.FREE_ONLY, digital_cap=None)
    stock = make_bookable_offer(venue, price=0)
    booking = services.book_offer(user=youth, stock_id=stock.pk)
    assert booking.amount == 0 and booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("subcategory_id", "capped"),
    [("LIVRE_NUMERIQUE", True), ("ABO_PLATEFORME_MUSIQUE", True), ("ACTIVATION_THING", False)],
)
def test_auto_used_subcategories_are_used_at_booking(youth, offerer, subcategory_id, capped):
    venue = make_virtual_venue(offerer)
    stock = make_bookable_offer(venue, subcategory_id=subcategory_id, price=1_000)
    booking = services.book_offer(user=youth, stock_id=stock.pk)
    assert (booking.status, booking.used_at, booking.validation_author) == (
        BookingStatus.USED,
        NOW,
        "at_booking",
    )
    assert booking.is_digital_capped is capped
    assert entries_for(booking).get().after["status"] == "used"
    assert balance_of(youth) == 14_000
    refused(
        lambda: services.cancel_by_beneficiary(user=youth, booking_id=booking.pk),
        e.CannotCancel,
        "Cette réservation n’est plus annulable.",
        "cannot_cancel",
        youth,
    )


def test_fill_alert_when_a_booking_passes_the_threshold(youth, venue, mailoutbox):
    stock = make_bookable_offer(venue, quantity=2, fill_alert_threshold=50)
    services.book_offer(user=youth, stock_id=stock.pk)
    offer = Offer.objects.get(pk=stock.offer_id)
    assert offer.fill_alert_sent_at == NOW
    run_pending_tasks()
    assert [m.subject for m in mailoutbox] == [
        "Réservation confirmée : Cyrano de Bergerac",
        "Nouvelle réservation : Cyrano de Bergerac",
        "« Cyrano de Bergerac » est remplie à 50 %",
    ]


# --- tokens --------------------------------------------------------------------------------


def test_a_colliding_token_is_drawn_again(youth, venue, show, monkeypatch):
    first = services.book_offer(user=youth, stock_id=show.pk)
    drawn = iter([first.token, first.token, "ZZ2345"])
    monkeypatch.setattr(rules, "new_token", lambda: next(drawn))
    other = make_bookable_offer(venue, name="Phèdre")
    second = services.book_offer(user=youth, stock_id=other.pk)
    assert second.token == "ZZ2345"
    assert Booking.objects.count() == 2


def test_no_free_token_after_ten_draws_changes_nothing(youth, venue, show, monkeypatch):
    first = services.book_offer(user=youth, stock_id=show.pk)
    monkeypatch.setattr(rules, "new_token", lambda: first.token)
    other = make_bookable_offer(venue, name="Phèdre")
    refused(
        lambda: services.book_offer(user=youth, stock_id=other.pk),
        e.BookingError,
        "Impossible d’attribuer une contremarque : réessayez.",
        "booking_refused",
        youth,
    )


def test_tokens_are_unique_across_bookings(venue):
    stock = make_bookable_offer(venue, quantity=None)
    tokens = {
        services.book_offer(user=make_beneficiary(), stock_id=stock.pk).token for _ in range(25)
    }
    assert len(tokens) == 25 and all(rules.is_token(t) for t in tokens)


# --- refusals ------------------------------------------------------------------------------


def test_refused_without_credit(show):
    youth = make_youth()
    refused(
        lambda: services.book_offer(user=youth, stock_id=show.pk),
        e.NotBeneficiary,
        "Votre crédit n’est pas encore activé : faites vérifier votre identité.",
        "not_beneficiary",
        youth,
    )


def test_refused_when_the_credit_expired(show):
    youth = make_beneficiary(expires_at=paris(2027, 1, 3, 0, 0))
    refused(
        lambda: services.book_offer(user=youth, stock_id=show.pk),
        e.CreditExpired,
        "Votre crédit a expiré le 03/01/2027.",
        "credit_expired",
        youth,
    )


def _draft(stock):
    Offer.objects.filter(pk=stock.offer_id).update(validation=Validation.DRAFT)


def _pending(stock):
    Offer.objects.filter(pk=stock.offer_id).update(validation=Validation.PENDING)


def _rejected(stock):
    Offer.objects.filter(pk=stock.offer_id).update(validation=Validation.REJECTED)


def _inactive(stock):
    Offer.objects.filter(pk=stock.offer_id).update(is_active=False)


def _archived(stock):
    Offer.objects.filter(pk=stock.offer_id).update(archived_at=NOW - DAY)


def _unpublished(stock):
    Offer.objects.filter(pk=stock.offer_id).update(publication_datetime=NOW + H)


def _not_yet_bookable(stock):
    Offer.objects.filter(pk=stock.offer_id).update(booking_allowed_datetime=NOW + H)


def _structure_not_validated(stock):
    offerer = stock.offer.venue.offerer
    offerer.validation_status = ValidationStatus.PENDING
    offerer.save()


def _structure_rejected(stock):
    offerer = stock.offer.venue.offerer
    offerer.validation_status = ValidationStatus.REJECTED
    offerer.save()


def _deleted_stock(stock):
    Stock.objects.filter(pk=stock.pk).update(is_deleted=True)


@pytest.mark.parametrize(
    "spoil",
    [
        _draft,
        _pending,
        _rejected,
        _inactive,
        _archived,
        _unpublished,
        _not_yet_bookable,
        _structure_not_validated,
        _structure_rejected,
        _deleted_stock,
    ],
)
def test_refused_when_the_offer_is_not_bookable(youth, show, spoil):
    spoil(show)
    refused(
        lambda: services.book_offer(user=youth, stock_id=show.pk),
        e.OfferNotBookable,
        "Cette offre n’est pas réservable en ce moment.",
        "offer_not_bookable",
        youth,
    )


def test_published_and_bookable_dates_in_the_past_are_fine(youth, show):
    Offer.objects.filter(pk=show.offer_id).update(
        publication_datetime=NOW - DAY, booking_allowed_datetime=NOW
    )
    assert services.book_offer(user=youth, stock_id=show.pk).status == BookingStatus.CONFIRMED


def test_refused_for_an_unknown_stock(youth):
    refused(
        lambda: services.book_offer(user=youth, stock_id=987_654),
        e.OfferNotBookable,
        "Cette offre n’est pas réservable en ce moment.",
        "offer_not_bookable",
        youth,
    )


def test_refused_after_the_booking_limit(youth, venue):
    stock = make_bookable_offer(venue, limit=paris(2027, 1, 4, 8, 30))
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.BookingClosed,
        "Les réservations pour cette date sont closes depuis le 04/01/2027 à 08:30.",
        "booking_closed",
        youth,
    )


def test_refused_at_the_booking_limit_itself(youth, venue):
    stock = make_bookable_offer(venue, limit=NOW)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.BookingClosed,
        "Les réservations pour cette date sont closes depuis le 04/01/2027 à 09:00.",
        "booking_closed",
        youth,
    )


def test_refused_for_a_thing_past_its_booking_limit(youth, venue):
    stock = make_bookable_offer(
        venue, subcategory_id="LIVRE_PAPIER", limit=paris(2026, 12, 31, 23, 59)
    )
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.BookingClosed,
        "Les réservations pour cette date sont closes depuis le 31/12/2026 à 23:59.",
        "booking_closed",
        youth,
    )


def test_refused_once_the_event_started(youth, venue):
    stock = make_bookable_offer(venue, beginning=NOW, limit=NOW - DAY)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.EventStarted,
        "Cet événement a déjà commencé.",
        "event_started",
        youth,
    )


def test_refused_when_sold_out(youth, venue):
    stock = make_bookable_offer(venue, quantity=3, is_duo=True)
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=3)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.SoldOut,
        "Complet : il ne reste plus assez de places.",
        "sold_out",
        youth,
    )
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=2)  # one seat left, a duo asked
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk, quantity=2),
        e.SoldOut,
        "Complet : il ne reste plus assez de places.",
        "sold_out",
        youth,
    )
    assert services.book_offer(user=youth, stock_id=stock.pk).quantity == 1


def test_refused_when_already_booked_even_on_another_date(youth, show):
    services.book_offer(user=youth, stock_id=show.pk)
    other_date = Stock.objects.create(
        offer=show.offer,
        price_category=show.price_category,
        price=1_200,
        quantity=10,
        beginning_datetime=NOW + 11 * DAY,
    )
    for stock in (show, other_date):
        refused(
            lambda s=stock: services.book_offer(user=youth, stock_id=s.pk),
            e.AlreadyBooked,
            "Vous avez déjà une réservation en cours pour cette offre.",
            "already_booked",
            youth,
        )


def test_booking_again_after_a_cancellation(youth, show):
    first = services.book_offer(user=youth, stock_id=show.pk)
    services.cancel_by_beneficiary(user=youth, booking_id=first.pk)
    second = services.book_offer(user=youth, stock_id=show.pk, quantity=2)
    assert second.pk != first.pk and second.token != first.token
    show.refresh_from_db()
    assert show.booked_quantity == 2


@pytest.mark.parametrize(("duo", "quantity"), [(False, 2), (True, 3), (True, 0), (False, -1)])
def test_refused_quantities(youth, venue, duo, quantity):
    stock = make_bookable_offer(venue, is_duo=duo)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk, quantity=quantity),
        e.InvalidQuantity,
        "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo.",
        "invalid_quantity",
        youth,
    )


def test_a_thing_is_never_duo(youth, venue):
    stock = make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", is_duo=True)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk, quantity=2),
        e.InvalidQuantity,
        "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo.",
        "invalid_quantity",
        youth,
    )


def test_refused_with_insufficient_credit(venue):
    youth = make_beneficiary(1_000)
    stock = make_bookable_offer(venue, price=600, is_duo=True)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk, quantity=2),
        e.InsufficientCredit,
        "Crédit insuffisant : il vous reste 10,00\u00a0€, la réservation coûte 12,00\u00a0€.",
        "insufficient_credit",
        youth,
    )
    services.book_offer(user=youth, stock_id=stock.pk)  # one seat fits
    other = make_bookable_offer(venue, name="Phèdre", price=401)
    refused(
        lambda: services.book_offer(user=youth, stock_id=other.pk),
        e.InsufficientCredit,
        "Crédit insuffisant : il vous reste 4,00\u00a0€, la réservation coûte 4,01\u00a0€.",
        "insufficient_credit",
        youth,
    )


def test_the_whole_balance_can_be_spent(venue):
    youth = make_beneficiary(1_200)
    stock = make_bookable_offer(venue, price=1_200)
    services.book_offer(user=youth, stock_id=stock.pk)
    assert balance_of(youth) == 0


def test_refused_paying_offers_with_a_free_only_access(venue):
    youth = make_beneficiary(0, kind=DepositKind.FREE_ONLY, digital_cap=None)
    stock = make_bookable_offer(venue, price=100)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stock.pk),
        e.FreeOffersOnly,
        "À votre âge, le pass donne accès aux offres gratuites uniquement.",
        "free_offers_only",
        youth,
    )


def test_refused_beyond_the_digital_cap(youth, venue, offerer):
    online = make_virtual_venue(offerer)
    ebook = make_bookable_offer(online, subcategory_id="LIVRE_NUMERIQUE", price=9_500)
    services.book_offer(user=youth, stock_id=ebook.pk)
    stream = make_bookable_offer(online, subcategory_id="ABO_LIVRE_NUMERIQUE", price=1_000)
    refused(
        lambda: services.book_offer(user=youth, stock_id=stream.pk),
        e.DigitalCapReached,
        "Plafond des offres numériques atteint : il vous reste 5,00\u00a0€ pour ce type d’offre.",
        "digital_cap_reached",
        youth,
    )
    credit = selectors.credit_of(youth)
    assert (credit.balance, credit.digital_left) == (5_500, 500)
    # Neither physical goods nor seats sold online count against the cap.
    cinema = make_bookable_offer(online, subcategory_id="CINE_VENTE_DISTANCE", price=1_000)
    assert not services.book_offer(user=youth, stock_id=cinema.pk).is_digital_capped
    assert services.book_offer(user=youth, stock_id=make_bookable_offer(venue).pk)


def test_no_digital_cap_on_a_deposit_without_one(venue, offerer):
    youth = make_beneficiary(30_000, kind=DepositKind.AGE_18, rule_set="2022", digital_cap=None)
    online = make_virtual_venue(offerer)
    for i in range(2):
        stock = make_bookable_offer(
            online, subcategory_id="LIVRE_NUMERIQUE", name=f"Livre {i}", price=9_000
        )
        assert services.book_offer(user=youth, stock_id=stock.pk).is_digital_capped


def test_the_latest_running_deposit_is_spent(venue):
    youth = make_youth()
    old = give_deposit(youth, 3_000, kind=DepositKind.UNDERAGE, created_at=NOW - 400 * DAY)
    new = give_deposit(youth, 5_000, created_at=NOW - DAY)
    booking = services.book_offer(user=youth, stock_id=make_bookable_offer(venue).pk)
    assert booking.deposit == new != old


# --- database backstops --------------------------------------------------------------------


def test_the_database_refuses_overselling_and_a_second_live_booking(youth, show):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=show.pk).update(booked_quantity=F("quantity") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            user=youth, stock=show, offer=show.offer, amount=1, token="ABCDEF", quantity=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(quantity=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(status="cancelled")  # no date


# --- cancellation --------------------------------------------------------------------------


def test_beneficiary_cancels_before_the_limit(youth, show, mailoutbox):
    booking = services.book_offer(user=youth, stock_id=show.pk, quantity=2)
    with clock.frozen_at(NOW + 47 * H):
        cancelled = services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    assert (cancelled.status, cancelled.cancellation_reason, cancelled.cancelled_at) == (
        BookingStatus.CANCELLED,
        CancellationReason.BENEFICIARY,
        NOW + 47 * H,
    )
    show.refresh_from_db()
    assert show.booked_quantity == 0
    assert balance_of(youth) == 15_000
    audit = entries_for(booking).get(action="booking.cancelled")
    assert (audit.actor, audit.before, audit.after, audit.data) == (
        youth,
        {"status": "confirmed"},
        {"status": "cancelled"},
        {"reason": "beneficiary", "comment": ""},
    )
    run_pending_tasks()
    mail, venue_mail = mailoutbox[-2:]  # the young person's, then the venue's
    assert venue_mail.to == ["billetterie@celestins.fr"]
    assert "Motif : Annulée par le jeune." in venue_mail.body
    assert mail.subject == "Réservation annulée : Cyrano de Bergerac"
    assert "est annulée (annulée par le jeune)" in mail.body
    assert "Son montant (24,00\u00a0€) est de nouveau disponible" in mail.body


@pytest.mark.parametrize("after", [48 * H, 49 * H, 5 * DAY])
def test_beneficiary_cannot_cancel_from_the_limit_on(youth, show, after):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    with clock.frozen_at(NOW + after):
        refused(
            lambda: services.cancel_by_beneficiary(user=youth, booking_id=booking.pk),
            e.CannotCancel,
            "Cette réservation n’est plus annulable.",
            "cannot_cancel",
            youth,
        )


def test_a_thing_is_cancellable_until_used(youth, book_thing, pro, venue):
    first = services.book_offer(user=youth, stock_id=book_thing.pk)
    with clock.frozen_at(NOW + 9 * DAY):
        services.cancel_by_beneficiary(user=youth, booking_id=first.pk)
        second = services.book_offer(user=youth, stock_id=book_thing.pk)
        services.validate_token(actor=pro, token=second.token, venue_ids={venue.pk})
        refused(
            lambda: services.cancel_by_beneficiary(user=youth, booking_id=second.pk),
            e.CannotCancel,
            "Cette réservation n’est plus annulable.",
            "cannot_cancel",
            youth,
        )


def test_only_the_young_person_cancels_their_booking(youth, show):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    other = make_beneficiary()
    refused(
        lambda: services.cancel_by_beneficiary(user=other, booking_id=booking.pk),
        PermissionDenied,
        "Vous n’avez pas les droits nécessaires pour cette action.",
        "forbidden",
        youth,
    )


def test_a_cancelled_or_reimbursed_booking_does_not_change(youth, show, pro, staff):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    with clock.frozen_at(NOW + H):
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    text = "Cette réservation a été annulée le 04/01/2027 à 10:00."
    for call in (
        lambda: services.cancel_by_beneficiary(user=youth, booking_id=booking.pk),
        lambda: services.cancel_by_offerer(actor=pro, booking_id=booking.pk),
        lambda: services.cancel_by_staff(actor=staff, booking_id=booking.pk, reason="fraud"),
        lambda: services.unvalidate_booking(actor=pro, booking_id=booking.pk),
    ):
        refused(call, e.BookingCancelled, text, "booking_cancelled", youth)

    paid = services.book_offer(user=youth, stock_id=show.pk)
    Booking.objects.filter(pk=paid.pk).update(status=BookingStatus.REIMBURSED, reimbursed_at=NOW)
    text = "Cette réservation a déjà été remboursée : elle ne peut plus changer."
    for call in (
        lambda: services.cancel_by_beneficiary(user=youth, booking_id=paid.pk),
        lambda: services.cancel_by_offerer(actor=pro, booking_id=paid.pk),
        lambda: services.cancel_by_staff(actor=staff, booking_id=paid.pk, reason="fraud"),
        lambda: services.unvalidate_booking(actor=pro, booking_id=paid.pk),
    ):
        refused(call, e.BookingReimbursed, text, "booking_reimbursed", youth)
    assert balance_of(youth) == 15_000 - 1_200  # a reimbursed booking stays spent


def test_offerer_cancels_a_confirmed_booking_with_a_reason(youth, show, pro, mailoutbox):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    with clock.frozen_at(NOW + 5 * DAY):  # after the young person's limit
        cancelled = services.cancel_by_offerer(
            actor=pro, booking_id=booking.pk, comment="  Représentation annulée  "
        )
    assert (cancelled.cancellation_reason, cancelled.cancellation_comment) == (
        CancellationReason.OFFERER,
        "Représentation annulée",
    )
    assert balance_of(youth) == 15_000
    show.refresh_from_db()
    assert show.booked_quantity == 0
    assert entries_for(booking).get(action="booking.cancelled").actor == pro
    run_pending_tasks()
    assert "(annulée par la structure)" in mailoutbox[-1].body


def test_offerer_cannot_cancel_a_used_booking(youth, book_thing, pro, venue):
    booking = services.book_offer(user=youth, stock_id=book_thing.pk)
    services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    refused(
        lambda: services.cancel_by_offerer(actor=pro, booking_id=booking.pk),
        e.CannotCancel,
        "Une réservation validée ne s’annule pas : annulez d’abord la validation.",
        "cannot_cancel",
        youth,
    )


def test_staff_cancels_for_fraud_even_a_used_booking(youth, book_thing, pro, venue, staff):
    booking = services.book_offer(user=youth, stock_id=book_thing.pk)
    services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    cancelled = services.cancel_by_staff(
        actor=staff, booking_id=booking.pk, reason=CancellationReason.FRAUD, comment="Revente"
    )
    assert (cancelled.status, cancelled.cancellation_reason, cancelled.cancellation_comment) == (
        BookingStatus.CANCELLED,
        "fraud",
        "Revente",
    )
    assert balance_of(youth) == 15_000
    book_thing.refresh_from_db()
    assert book_thing.booked_quantity == 0
    audit = entries_for(booking).get(action="booking.cancelled")
    assert (audit.before, audit.data["reason"]) == ({"status": "used"}, "fraud")


def test_staff_cancellation_refusals(youth, show, pro, staff):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    refused(
        lambda: services.cancel_by_staff(actor=pro, booking_id=booking.pk, reason="fraud"),
        PermissionDenied,
        "Vous n’avez pas les droits nécessaires pour cette action.",
        "forbidden",
        youth,
    )
    for reason in ("beneficiary", "offerer", "expired", "n’importe quoi"):
        refused(
            lambda r=reason: services.cancel_by_staff(actor=staff, booking_id=booking.pk, reason=r),
            e.BookingError,
            "Motif d’annulation inconnu.",
            "booking_refused",
            youth,
        )
    services.cancel_by_staff(actor=staff, booking_id=booking.pk, reason="backoffice")
    assert Booking.objects.get(pk=booking.pk).cancellation_reason == "backoffice"


# --- validation at the door ----------------------------------------------------------------


@pytest.fixture
def other_venue(other_pro):
    return make_venue(make_offerer(other_pro, name="Opéra de Lyon"))


def test_validate_after_the_limit(youth, show, pro, venue):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    refused(
        lambda: services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk}),
        e.TooEarlyToValidate,
        "Le jeune peut encore annuler : la contremarque sera validable à partir du 06/01/2027 à 09:00.",
        "too_early",
        youth,
    )
    with clock.frozen_at(NOW + 48 * H):
        used = services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    assert (used.status, used.used_at, used.used_by, used.validation_author) == (
        BookingStatus.USED,
        NOW + 48 * H,
        pro,
        "pro",
    )
    audit = entries_for(booking).get(action="booking.used")
    assert (audit.actor, audit.data) == (pro, {"author": "pro"})
    assert balance_of(youth) == 15_000 - 1_200
    with clock.frozen_at(NOW + 50 * H):
        refused(
            lambda: services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk}),
            e.AlreadyUsed,
            "Contremarque déjà validée le 06/01/2027 à 09:00.",
            "already_used",
            youth,
        )


def test_validate_a_thing_at_once_normalising_the_typed_token(youth, book_thing, pro, venue):
    booking = services.book_offer(user=youth, stock_id=book_thing.pk)
    typed = " ".join([booking.token[:3].lower(), booking.token[3:].lower()]) + "\n"
    used = services.validate_token(actor=pro, token=typed, venue_ids={venue.pk}, author="api")
    assert (used.pk, used.status, used.validation_author) == (booking.pk, "used", "api")


def test_validation_refusals(youth, show, pro, venue, other_venue):
    booking = services.book_offer(user=youth, stock_id=show.pk)
    with clock.frozen_at(NOW + 3 * DAY):
        refused(
            lambda: services.validate_token(
                actor=pro, token=booking.token, venue_ids={other_venue.pk}
            ),
            e.WrongVenue,
            "Cette contremarque ne concerne pas vos lieux.",
            "wrong_venue",
            youth,
        )
        for token in ("", "ABC", "ABCDE1", "ABCDEFG", "OOOOOO", "222222"):
            refused(
                lambda t=token: services.validate_token(actor=pro, token=t, venue_ids={venue.pk}),
                e.TokenNotFound,
                "Contremarque inconnue : vérifiez les 6 caractères.",
                "token_not_found",
                youth,
            )
    with clock.frozen_at(NOW + 2 * H):
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    with clock.frozen_at(NOW + 3 * DAY):
        refused(
            lambda: services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk}),
            e.BookingCancelled,
            "Cette réservation a été annulée le 04/01/2027 à 11:00.",
            "booking_cancelled",
            youth,
        )


def test_undo_a_validation(youth, book_thing, pro, venue):
    booking = services.book_offer(user=youth, stock_id=book_thing.pk)
    refused(
        lambda: services.unvalidate_booking(actor=pro, booking_id=booking.pk),
        e.BookingError,
        "Cette réservation n’est pas validée.",
        "booking_refused",
        youth,
    )
    services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    undone = services.unvalidate_booking(actor=pro, booking_id=booking.pk)
    assert (undone.status, undone.used_at, undone.used_by, undone.validation_author) == (
        BookingStatus.CONFIRMED,
        None,
        None,
        "",
    )
    audit = entries_for(booking).get(action="booking.unused")
    assert (audit.before, audit.after) == ({"status": "used"}, {"status": "confirmed"})
    services.cancel_by_offerer(actor=pro, booking_id=booking.pk)  # possible again
    assert balance_of(youth) == 15_000


# --- random walk: balances and seats stay exact --------------------------------------------

OPERATIONS = ["book", "duo", "cancel", "offerer", "validate", "unvalidate", "fraud", "wait"]


@pytest.fixture
def world(venue, offerer, pro, staff):
    online = make_virtual_venue(offerer)
    users = [
        make_beneficiary(3_000),
        make_beneficiary(5_000, digital_cap=2_500),
        make_beneficiary(0, kind=DepositKind.FREE_ONLY, digital_cap=None),
    ]
    stocks = [
        make_bookable_offer(venue, name="Duo", price=700, quantity=5, is_duo=True),
        make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", price=1_500, quantity=3),
        make_bookable_offer(venue, name="Gratuit", price=0, quantity=2),
        make_bookable_offer(online, subcategory_id="LIVRE_NUMERIQUE", price=1_200, quantity=None),
    ]
    return users, stocks, {venue.pk, online.pk}, pro, staff


def _check_invariants(users, stocks) -> None:
    for user in users:
        credit = selectors.credit_of(user)
        spending = Booking.objects.filter(user=user, status__in=selectors.SPENDING)
        live_total = sum(b.total for b in spending)
        assert credit.spent == live_total
        assert 0 <= live_total <= credit.credited  # never overspent
        assert credit.balance == credit.credited - live_total
        digital = sum(b.total for b in spending if b.is_digital_capped)
        if credit.deposit is not None and credit.deposit.digital_cap is not None:
            assert digital <= credit.deposit.digital_cap
        offers = list(spending.values_list("offer_id", flat=True))
        assert len(offers) == len(set(offers))  # one live booking per offer
    for stock in stocks:
        stock.refresh_from_db()
        assert stock.booked_quantity == live_quantity(stock)
        assert stock.quantity is None or stock.booked_quantity <= stock.quantity


def _act(operation, *, user, stock, stocks, live, pro, staff, venue_ids) -> None:
    if operation == "book":
        services.book_offer(user=user, stock_id=stock.pk)
    elif operation == "duo":  # mostly on the duo show, sometimes elsewhere (refused)
        target = stocks[0] if stock.pk != stocks[3].pk else stock
        services.book_offer(user=user, stock_id=target.pk, quantity=2)
    elif operation == "cancel":
        services.cancel_by_beneficiary(user=user, booking_id=live.pk)
    elif operation == "offerer":
        services.cancel_by_offerer(actor=pro, booking_id=live.pk)
    elif operation == "validate":
        services.validate_token(actor=pro, token=live.token, venue_ids=venue_ids)
    elif operation == "unvalidate":
        services.unvalidate_booking(actor=pro, booking_id=live.pk)
    elif operation == "fraud":
        services.cancel_by_staff(actor=staff, booking_id=live.pk, reason="fraud")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.integers(min_value=0, max_value=2),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=30,
    )
)
def test_random_bookings_and_cancellations_keep_balances_and_seats_exact(world, steps):
    users, stocks, venue_ids, pro, staff = world
    actors = {"pro": pro, "staff": staff, "venue_ids": venue_ids}
    now = NOW
    with transaction.atomic():  # each example starts from the same rows
        for operation, u, s in steps:
            user, stock = users[u], stocks[s]
            if operation == "wait":
                now += 25 * H
                continue
            # Acting on bookings: one of this user's live bookings (any offer).
            mine = list(
                Booking.objects.filter(user=user)
                .exclude(status=BookingStatus.CANCELLED)
                .order_by("pk")
            )
            live = mine[s % len(mine)] if mine else None
            if live is None and operation not in {"book", "duo"}:
                continue
            with clock.frozen_at(now):
                before = state(user)
                try:
                    _act(operation, user=user, stock=stock, stocks=stocks, live=live, **actors)
                except DomainError:
                    assert state(user) == before  # a refusal changes nothing
                _check_invariants(users, stocks)
        transaction.set_rollback(True)


def test_the_walk_can_spend_everything(world):
    """Sanity check of the walk's world: the first user can fill their credit exactly."""
    users, stocks, _, _, _ = world
    services.book_offer(user=users[0], stock_id=stocks[0].pk, quantity=2)
    services.book_offer(user=users[0], stock_id=stocks[1].pk)
    assert balance_of(users[0]) == 3_000 - 1_400 - 1_500
    _check_invariants(users, stocks)
