"""Booking jobs: auto-use 48 h after events, expiry of unwithdrawn things, reminders before."""

import datetime as dt

import pytest

from passculture.bookings import jobs, services, tasks
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from tests.bookings.factories import (
    NOW,
    balance_of,
    make_beneficiary,
    make_bookable_offer,
    paris,
)

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
START = NOW + 10 * DAY  # the default show: 14 January 2027, 09:00 in Paris


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


def book(stock, *, at: dt.datetime = NOW, user=None) -> Booking:
    with clock.frozen_at(at):
        return services.book_offer(user=user or make_beneficiary(), stock_id=stock.pk)


# --- auto-use ------------------------------------------------------------------------------


def test_event_bookings_become_used_48_hours_after_the_start(venue):
    stock = make_bookable_offer(venue)
    booking = book(stock)

    assert jobs.auto_use_event_bookings(now=START + 47 * H) == 0
    assert jobs.auto_use_event_bookings(now=START + 48 * H) == 1
    booking.refresh_from_db()
    assert (booking.status, booking.used_at, booking.validation_author, booking.used_by) == (
        BookingStatus.USED,
        START + 48 * H,
        "auto",
        None,
    )
    assert booking.updated_at == START + 48 * H  # partners sync on it
    audit = entries_for(booking).get(action="booking.used")
    assert (audit.actor, audit.actor_label, audit.before, audit.after, audit.data) == (
        None,
        "AUTO",
        {"status": "confirmed"},
        {"status": "used"},
        {"author": "auto"},
    )
    # Idempotent: a second run finds nothing and writes nothing.
    audit_count = AuditEntry.objects.count()
    assert jobs.auto_use_event_bookings(now=START + 72 * H) == 0
    assert AuditEntry.objects.count() == audit_count
    booking.refresh_from_db()
    assert booking.used_at == START + 48 * H


def test_auto_use_leaves_other_bookings_alone(venue, pro):
    stock = make_bookable_offer(venue)
    youth = make_beneficiary()
    cancelled = book(stock, user=youth)
    services.cancel_by_beneficiary(user=youth, booking_id=cancelled.pk)
    validated = book(stock, at=NOW - 5 * DAY)
    with clock.frozen_at(NOW + H):
        services.validate_token(actor=pro, token=validated.token, venue_ids={venue.pk})
    thing = book(make_bookable_offer(venue, subcategory_id="CARTE_JEUNES", name="Carte"))
    later_show = book(make_bookable_offer(venue, name="Plus tard", beginning=START + 5 * DAY))

    assert jobs.auto_use_event_bookings(now=START + 48 * H) == 0
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {
        cancelled.pk: "cancelled",
        validated.pk: "used",
        thing.pk: "confirmed",
        later_show.pk: "confirmed",
    }
    assert Booking.objects.get(pk=validated.pk).validation_author == "pro"


def test_auto_use_works_in_batches(venue, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    stock = make_bookable_offer(venue, quantity=None)
    bookings = [book(stock) for _ in range(5)]
    assert jobs.auto_use_event_bookings(now=START + 2 * DAY) == 5
    assert set(Booking.objects.values_list("status", flat=True)) == {"used"}
    assert AuditEntry.objects.filter(action="booking.used", actor_label="AUTO").count() == 5
    assert balance_of(bookings[0].user) == 15_000 - 1_200  # a no-show is paid


def test_the_task_runs_the_job_now(venue):
    booking = book(make_bookable_offer(venue))
    with clock.frozen_at(START + 49 * H):
        assert tasks.auto_use_event_bookings.call() == 1
    booking.refresh_from_db()
    assert booking.status == "used"


# --- expiry of things not withdrawn --------------------------------------------------------


def test_books_expire_after_10_days_and_the_credit_comes_back(venue, mailoutbox):
    stock = make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Germinal", price=900)
    youth = make_beneficiary()
    booking = book(stock, user=youth)
    assert balance_of(youth) == 15_000 - 900

    assert jobs.expire_thing_bookings(now=NOW + 10 * DAY - dt.timedelta(seconds=1)) == 0
    assert jobs.expire_thing_bookings(now=NOW + 10 * DAY) == 1
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "expired")
    stock.refresh_from_db()
    assert stock.booked_quantity == 0
    assert balance_of(youth) == 15_000
    audit = entries_for(booking).get(action="booking.cancelled")
    assert (audit.actor_label, audit.data) == ("AUTO", {"reason": "expired", "comment": ""})
    assert jobs.expire_thing_bookings(now=NOW + 20 * DAY) == 0  # idempotent
    run_pending_tasks()
    assert mailoutbox[-1].subject == "Réservation annulée : Germinal"
    assert "(expirée (non retirée))" in mailoutbox[-1].body


def test_other_things_expire_after_30_days(venue):
    stock = make_bookable_offer(venue, subcategory_id="CARTE_JEUNES", name="Carte jeunes")
    booking = book(stock)
    assert jobs.expire_thing_bookings(now=NOW + 29 * DAY) == 0
    assert jobs.expire_thing_bookings(now=NOW + 30 * DAY) == 1
    booking.refresh_from_db()
    assert booking.cancellation_reason == "expired"


def test_withdrawn_things_events_and_never_expiring_things_stay(venue, pro):
    withdrawn = book(make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Lu"))
    services.validate_token(actor=pro, token=withdrawn.token, venue_ids={venue.pk})
    show = book(make_bookable_offer(venue, beginning=NOW + 90 * DAY))
    escape = book(make_bookable_offer(venue, subcategory_id="ESCAPE_GAME", name="Évasion"))
    assert jobs.expire_thing_bookings(now=NOW + 60 * DAY) == 0
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {withdrawn.pk: "used", show.pk: "confirmed", escape.pk: "confirmed"}


def test_expiry_works_in_batches(venue, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    stocks = [
        make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name=f"Livre {i}", quantity=9)
        for i in range(2)
    ]
    for i in range(5):
        book(stocks[i % 2])
    assert jobs.expire_thing_bookings(now=NOW + 11 * DAY) == 5
    for stock in stocks:
        stock.refresh_from_db()
        assert stock.booked_quantity == 0
    assert set(Booking.objects.values_list("cancellation_reason", flat=True)) == {"expired"}


# --- reminders -----------------------------------------------------------------------------


def test_book_reminder_5_days_before_expiry_once(venue, mailoutbox):
    stock = make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Germinal")
    booking = book(stock)
    assert jobs.remind_expiring_bookings(now=NOW + 5 * DAY - H) == 0
    assert jobs.remind_expiring_bookings(now=NOW + 5 * DAY) == 1
    assert jobs.remind_expiring_bookings(now=NOW + 6 * DAY) == 0  # once
    booking.refresh_from_db()
    assert booking.expiry_reminder_sent_at == NOW + 5 * DAY
    assert booking.status == "confirmed"
    run_pending_tasks()
    reminder = mailoutbox[-1]
    assert reminder.subject == "Pensez à retirer « Germinal »"
    assert f"(contremarque {booking.token}) doit être retirée avant le 14/01/2027" in reminder.body


def test_other_things_are_reminded_7_days_before(venue):
    book(make_bookable_offer(venue, subcategory_id="CARTE_JEUNES", name="Carte"))
    assert jobs.remind_expiring_bookings(now=NOW + 23 * DAY - H) == 0
    assert jobs.remind_expiring_bookings(now=NOW + 23 * DAY) == 1


def test_the_reminder_gives_the_expiry_date_in_paris(venue, mailoutbox):
    # Booked at 00:30 in Paris (still the day before in UTC): expires 14 January, Paris time.
    stock = make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Germinal")
    book(stock, at=paris(2027, 1, 4, 0, 30))
    assert jobs.remind_expiring_bookings(now=NOW + 6 * DAY) == 1
    run_pending_tasks()
    assert "doit être retirée avant le 14/01/2027" in mailoutbox[-1].body


def test_no_reminder_for_events_used_or_cancelled_bookings(venue, pro):
    book(make_bookable_offer(venue))
    used = book(make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Lu"))
    services.validate_token(actor=pro, token=used.token, venue_ids={venue.pk})
    youth = make_beneficiary()
    cancelled = book(make_bookable_offer(venue, subcategory_id="CARTE_JEUNES"), user=youth)
    services.cancel_by_beneficiary(user=youth, booking_id=cancelled.pk)
    assert jobs.remind_expiring_bookings(now=NOW + 40 * DAY) == 0
