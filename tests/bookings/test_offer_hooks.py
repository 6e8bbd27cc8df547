"""What bookings do when their offer is rejected, or one of its dates moves or is deleted."""

import datetime as dt

import pytest

from passculture.bookings import services
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers import errors as offer_errors
from passculture.offers import hooks
from passculture.offers import services as offer_services
from passculture.offers.models import Offer, Stock
from tests.bookings.factories import NOW, balance_of, make_beneficiary, make_bookable_offer

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
START = NOW + 10 * DAY  # 14 January 2027, 09:00 in Paris


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


def test_the_bookings_domain_registers_its_hooks():
    from passculture.bookings import offer_hooks

    assert offer_hooks.cancel_for_rejected_offer in hooks.offer_rejected
    assert offer_hooks.follow_moved_date in hooks.stocks_moved
    assert offer_hooks.cancel_for_deleted_date in hooks.stocks_deleted


def test_rejecting_an_offer_cancels_its_confirmed_bookings(venue, staff, pro, mailoutbox):
    stock = make_bookable_offer(venue, quantity=None)
    youths = [make_beneficiary() for _ in range(3)]
    with clock.frozen_at(NOW - 5 * DAY):
        used = services.book_offer(user=youths[0], stock_id=stock.pk)
    services.validate_token(actor=pro, token=used.token, venue_ids={venue.pk})
    live = [services.book_offer(user=y, stock_id=stock.pk, quantity=1) for y in youths[1:]]
    other = make_bookable_offer(venue, name="Phèdre")
    untouched = services.book_offer(user=youths[1], stock_id=other.pk)
    run_pending_tasks()
    mailoutbox.clear()

    offer_services.reject_offer(
        actor=staff, offer=Offer.objects.get(pk=stock.offer_id), reason="Contenu non conforme"
    )

    for booking in live:
        booking.refresh_from_db()
        assert (booking.status, booking.cancellation_reason, booking.cancellation_comment) == (
            BookingStatus.CANCELLED,
            "offer_rejected",
            "Contenu non conforme",
        )
        assert entries_for(booking).get(action="booking.cancelled").actor == staff
    assert Booking.objects.get(pk=used.pk).status == BookingStatus.USED  # already consumed
    assert Booking.objects.get(pk=untouched.pk).status == BookingStatus.CONFIRMED
    stock.refresh_from_db()
    assert stock.booked_quantity == 1  # the used one
    assert balance_of(youths[2]) == 15_000
    assert balance_of(youths[1]) == 15_000 - 1_200  # only Phèdre left
    run_pending_tasks()
    cancelled_mails = [m for m in mailoutbox if m.subject.startswith("Réservation annulée")]
    assert sorted(m.to[0] for m in cancelled_mails) == sorted(y.email for y in youths[1:])
    assert "(offre refusée)" in cancelled_mails[0].body


def test_deleting_a_date_cancels_and_refunds_its_bookings(venue, pro, mailoutbox):
    stock = make_bookable_offer(venue, price=1_500, is_duo=True)
    same_offer_other_date = Stock.objects.create(
        offer=stock.offer, price_category=stock.price_category, price=1_500, quantity=10,
        beginning_datetime=START + DAY,
    )  # fmt: skip
    youth, other = make_beneficiary(), make_beneficiary()
    booking = services.book_offer(user=youth, stock_id=stock.pk, quantity=2)
    kept = services.book_offer(user=other, stock_id=same_offer_other_date.pk)
    run_pending_tasks()
    mailoutbox.clear()

    with clock.frozen_at(NOW + 5 * DAY):  # after the young person's own limit
        assert offer_services.delete_date(actor=pro, offer=stock.offer, beginning=START) == 1

    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason, booking.cancelled_at) == (
        BookingStatus.CANCELLED,
        "date_deleted",
        NOW + 5 * DAY,
    )
    stock.refresh_from_db()
    assert stock.is_deleted and stock.booked_quantity == 0
    assert balance_of(youth) == 15_000
    assert Booking.objects.get(pk=kept.pk).status == BookingStatus.CONFIRMED
    run_pending_tasks()
    (mail,) = mailoutbox
    assert mail.to == [youth.email]
    assert "du 14/01/2027 à 09:00 est annulée (date supprimée par la structure)" in mail.body
    assert "Son montant (30,00\u00a0€)" in mail.body


def test_moving_a_date_far_ahead_gives_48_hours_to_cancel(venue, pro, mailoutbox):
    stock = make_bookable_offer(venue)
    youth = make_beneficiary()
    with clock.frozen_at(NOW - 5 * DAY):
        booking = services.book_offer(user=youth, stock_id=stock.pk)
    with clock.frozen_at(NOW - 4 * DAY):
        cancelled = services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    services.cancel_by_offerer(actor=pro, booking_id=cancelled.pk)
    assert booking.cancellation_limit == NOW - 3 * DAY  # firm before the move
    run_pending_tasks()
    mailoutbox.clear()

    new_start = START + 20 * DAY
    offer_services.move_date(actor=pro, offer=stock.offer, beginning=START, new_beginning=new_start)

    booking.refresh_from_db()
    assert booking.cancellation_limit == NOW + 48 * H
    audit = entries_for(booking).get(action="booking.date_moved")
    assert (audit.actor, audit.before, audit.after) == (
        pro,
        {"cancellation_limit": (NOW - 3 * DAY).isoformat()},
        {"cancellation_limit": (NOW + 48 * H).isoformat()},
    )
    assert Booking.objects.get(pk=cancelled.pk).cancellation_limit == NOW - 2 * DAY  # untouched
    run_pending_tasks()
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == ([youth.email], "Changement de date : Cyrano de Bergerac")
    assert "prévu le 14/01/2027 à 09:00, il aura lieu le 03/02/2027 à 09:00" in mail.body
    assert "vous pouvez annuler jusqu’au 06/01/2027 à 09:00" in mail.body
    # The young person may cancel again, until the new limit.
    with clock.frozen_at(NOW + 47 * H):
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
    assert balance_of(youth) == 15_000


def test_moving_a_date_to_tomorrow_keeps_the_limit_before_the_start(venue, pro):
    stock = make_bookable_offer(venue)
    booking = services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    new_start = NOW + 20 * H
    offer_services.move_date(actor=pro, offer=stock.offer, beginning=START, new_beginning=new_start)
    booking.refresh_from_db()
    assert booking.cancellation_limit == new_start
    stock.refresh_from_db()
    assert stock.beginning_datetime == new_start


def test_a_failing_move_changes_no_booking(venue, pro):
    stock = make_bookable_offer(venue)
    booking = services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    with pytest.raises(offer_errors.PastDate):
        offer_services.move_date(
            actor=pro, offer=stock.offer, beginning=START, new_beginning=NOW - H
        )
    booking.refresh_from_db()
    assert booking.cancellation_limit == NOW + 48 * H
    assert not entries_for(booking).filter(action="booking.date_moved").exists()
