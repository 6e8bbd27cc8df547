"""Reminders before events: youth J-3/J-1 and collective venues, each sent exactly once."""

import datetime as dt

import pytest
from django.conf import settings

from passculture.accounts.models import Role, User
from passculture.bookings import services
from passculture.bookings.models import Booking
from passculture.campaigns.models import ReminderSent
from passculture.collective.models import CollectiveBookingStatus, SchoolRole
from passculture.core import clock, scheduler
from passculture.core.taskrunner import run_pending_tasks
from passculture.notifications import reminders
from passculture.tasks import PERIODIC_JOBS
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer, paris
from tests.collective import factories as cf

pytestmark = pytest.mark.django_db
START = paris(2027, 1, 14, 20, 30)  # Thursday 14 January 2027, 20:30 in Paris


def book(stock, *, at: dt.datetime = NOW) -> Booking:
    with clock.frozen_at(at):
        booking = services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
        run_pending_tasks()  # the confirmation e-mail, out of the way
    return booking


def run_at(instant: dt.datetime, job=reminders.send_event_reminders) -> int:
    with clock.frozen_at(instant):
        count = job()
        run_pending_tasks()
    return count


@pytest.fixture
def stock(venue):
    return make_bookable_offer(venue, beginning=START)


def test_j3_reminder_from_10_00_paris_three_calendar_days_before(stock, mailoutbox):
    booking = book(stock)
    mailoutbox.clear()

    assert run_at(paris(2027, 1, 10, 23, 59)) == 0  # J-4
    assert run_at(paris(2027, 1, 11, 9, 59)) == 0  # J-3 but before 10:00
    assert run_at(paris(2027, 1, 11, 10, 0)) == 1
    (mail,) = mailoutbox
    assert mail.to == [booking.user.email]
    assert mail.subject == "Rappel : « Cyrano de Bergerac » dans 3 jours"
    assert "le 14/01/2027 à 20:30 (heure de Paris)" in mail.body
    assert "Grande salle, 8 place des Célestins, 69002 Lyon" in mail.body
    assert f"{settings.SITE_URL}/jeunes/reservations/{booking.pk}/" in mail.body
    assert run_at(paris(2027, 1, 11, 18, 0)) == 0  # same day, later run: already sent
    assert run_at(paris(2027, 1, 12, 10, 0)) == 0  # J-2: nothing
    assert len(mailoutbox) == 1


def test_j1_reminder_the_day_before_once(stock, mailoutbox):
    book(stock)
    mailoutbox.clear()
    assert run_at(paris(2027, 1, 13, 10, 0)) == 1
    assert run_at(paris(2027, 1, 13, 10, 0)) == 0
    assert run_at(paris(2027, 1, 13, 21, 0)) == 0
    assert [m.subject for m in mailoutbox] == ["Rappel : « Cyrano de Bergerac » demain"]
    assert set(ReminderSent.objects.values_list("kind", flat=True)) == {"J-1"}


def test_cancel_sentence_only_while_cancellable(stock, mailoutbox):
    booking = book(stock, at=paris(2027, 1, 10, 12, 0))  # cancellable until 12/01 12:00
    assert booking.cancellation_limit == paris(2027, 1, 12, 12, 0)
    mailoutbox.clear()
    run_at(paris(2027, 1, 11, 10, 0))
    run_at(paris(2027, 1, 13, 10, 0))
    j3, j1 = mailoutbox
    sentence = "Vous ne pourrez pas venir ? Annulez votre réservation avant le 12/01/2027 à 12:00"
    assert sentence in j3.body
    assert "Annulez" not in j1.body
    assert "Votre réservation : http" in j1.body


def test_people_who_turned_reminders_off_are_skipped(stock, mailoutbox):
    from passculture.notifications.models import Preference

    booking = book(stock)
    Preference.objects.create(user=booking.user, category="reminder", enabled=False)
    mailoutbox.clear()
    run_at(paris(2027, 1, 13, 10, 0))
    run_at(paris(2027, 1, 13, 11, 0))
    assert mailoutbox == []


def test_cancelled_bookings_and_things_are_not_reminded(venue, stock, mailoutbox):
    booking = book(stock)
    with clock.frozen_at(NOW):
        services.cancel_by_beneficiary(user=booking.user, booking_id=booking.pk)
        run_pending_tasks()
    book(make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name="Livre"))
    mailoutbox.clear()
    assert run_at(paris(2027, 1, 13, 10, 0)) == 0
    assert mailoutbox == []


def test_a_1000_booking_event_is_reminded_in_batches_once(stock, mailoutbox, monkeypatch):
    youths = User.objects.bulk_create(
        User(email=f"j{i}@exemple.fr", role=Role.BENEFICIARY, first_name="Élise")
        for i in range(1_000)
    )
    Booking.objects.bulk_create(
        Booking(
            user=user, stock=stock, offer=stock.offer, amount=1_200, token=f"T{i:05d}",
            cancellation_limit=NOW,
        )
        for i, user in enumerate(youths)
    )  # fmt: skip
    batches = []
    original = reminders._claim
    monkeypatch.setattr(
        reminders, "_claim", lambda kind, ids: batches.append(len(ids)) or original(kind, ids)
    )

    assert run_at(paris(2027, 1, 13, 10, 0)) == 1_000
    assert batches == [500, 500]
    assert len(mailoutbox) == 1_000
    assert len({m.to[0] for m in mailoutbox}) == 1_000
    assert run_at(paris(2027, 1, 13, 11, 0)) == 0
    assert len(mailoutbox) == 1_000


def test_two_workers_claiming_the_same_batch_send_once(stock, mailoutbox):
    booking = book(stock)
    mailoutbox.clear()
    with clock.frozen_at(paris(2027, 1, 13, 10, 0)):
        # A second worker already claimed the booking between our read and our insert.
        assert reminders._claim("J-1", [booking.pk]) == {booking.pk}
        assert reminders._claim("J-1", [booking.pk]) == set()


def test_the_scheduler_runs_the_reminder_jobs_hourly(stock, mailoutbox):
    book(stock)
    mailoutbox.clear()
    names = ["notifications.event_reminders", "notifications.collective_reminders"]
    jobs = [j for j in PERIODIC_JOBS if j.name in names]
    assert [j.name for j in jobs] == names
    with clock.frozen_at(paris(2027, 1, 13, 10, 20)):
        assert scheduler.tick(jobs=jobs, worker="a") == [j.name for j in jobs]
        assert scheduler.tick(jobs=jobs, worker="b") == []
        run_pending_tasks()
    assert len(mailoutbox) == 1


# --- collective ------------------------------------------------------------------------------


@pytest.fixture
def teacher(db):
    school = cf.make_school()
    cf.make_member(school, role=SchoolRole.HEAD, email="principal@ac-lyon.fr")
    return cf.make_member(school, email="agnes.lemaitre@ac-lyon.fr")


def test_venue_reminded_3_days_before_the_confirmation_limit_once(venue, teacher, mailoutbox):
    offer = cf.make_offer(venue)  # to confirm by Monday 1 March 2027, 18:00
    cf.make_booking(offer, teacher)
    job = reminders.send_collective_reminders
    assert run_at(cf.paris(2027, 2, 25, 10, 0), job) == 0  # J-4
    assert run_at(cf.paris(2027, 2, 26, 10, 0), job) == 1
    assert run_at(cf.paris(2027, 2, 26, 11, 0), job) == 0
    (mail,) = mailoutbox
    assert mail.to == ["scolaires@celestins-lyon.fr"]
    assert mail.subject == (
        "Préréservation à confirmer avant le 01/03/2027 à 18:00 : "
        "« Atelier théâtre : Molière en classe »"
    )
    assert "l’établissement Collège Jean Moulin (Lyon) pour le 15/03/2027 à 10:00" in mail.body


def test_venue_reminded_the_day_before_a_confirmed_event_once(venue, teacher, mailoutbox):
    offer = cf.make_offer(venue)
    cf.make_booking(offer, teacher, status=CollectiveBookingStatus.CONFIRMED)
    other = cf.make_offer(venue, name="Autre atelier")
    cf.make_booking(other, teacher, status=CollectiveBookingStatus.CANCELLED)
    job = reminders.send_collective_reminders
    assert run_at(cf.paris(2027, 3, 14, 10, 0), job) == 1
    assert run_at(cf.paris(2027, 3, 14, 12, 0), job) == 0
    (mail,) = mailoutbox
    assert mail.subject == (
        "Rappel : « Atelier théâtre : Molière en classe » demain avec Collège Jean Moulin"
    )
    assert "téléphone de l’établissement : 04 78 42 37 52" in mail.body


# --- teacher and head told of confirmation, refusal, cancellation ------------------------------


def _head():
    return User.objects.get(email="principal@ac-lyon.fr")


def test_teacher_and_head_are_told_of_confirmation_refusal_and_cancellation(
    venue, teacher, pro, mailoutbox
):
    from passculture.collective.services import bookings as flow

    confirmed = cf.make_booking(cf.make_offer(venue), teacher)
    refused = cf.make_booking(cf.make_offer(venue, name="Refusée"), teacher)
    cancelled = cf.make_booking(
        cf.make_offer(venue, name="Annulée"), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    cf.make_budget(confirmed.school)
    with clock.frozen_at(cf.NOW):
        flow.confirm(head=_head(), booking_id=confirmed.pk)
        flow.refuse(head=_head(), booking_id=refused.pk, comment="Pas de car")
        flow.cancel_by_venue(actor=pro, booking_id=cancelled.pk, comment="Comédien malade")
        run_pending_tasks()
    # One e-mail per recipient: the venue's address, the teacher and the head, for each
    # of confirmation, refusal and cancellation (test_wiring.py covers the notices).
    sent = sorted((m.subject, m.to[0]) for m in mailoutbox)
    people = ("agnes.lemaitre@ac-lyon.fr", "principal@ac-lyon.fr", "scolaires@celestins-lyon.fr")
    subjects = (
        "Réservation annulée : Annulée",
        "Réservation annulée : Refusée",
        "Réservation confirmée : Atelier théâtre : Molière en classe",
    )
    assert sent == [(subject, to) for subject in subjects for to in people]
