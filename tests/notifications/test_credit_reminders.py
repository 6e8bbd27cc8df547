"""Credit expiring soon: young people with credit left are told at J-30 and J-7, once each."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection

from passculture.bookings import services as booking_services
from passculture.campaigns.models import ReminderSent
from passculture.core import clock, scheduler
from passculture.core.taskrunner import run_pending_tasks
from passculture.credit.models import DepositKind
from passculture.notifications import credit_reminders
from passculture.notifications.models import Notice, Preference
from passculture.tasks import PERIODIC_JOBS
from tests.bookings.factories import NOW, give_deposit, make_bookable_offer, make_youth, paris
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db
EXPIRY = paris(2027, 3, 15, 0, 0)  # Monday 15 March 2027, 00:00 in Paris
J30 = paris(2027, 2, 13, 10, 0)  # Saturday 13 February, 10:00
J7 = paris(2027, 3, 8, 10, 0)  # Monday 8 March, 10:00
OFFERS_URL = f"{settings.SITE_URL}/jeunes/offres/"
EUROS = "42,50\u00a0€"  # format_cents: no-break space before the sign


def run_at(instant: dt.datetime) -> int:
    with clock.frozen_at(instant):
        count = credit_reminders.send_credit_reminders()
        run_pending_tasks()
    return count


def youth_with_credit(venue=None, *, amount: int = 5_450, spend: int = 1_200, **deposit):
    """A young person whose deposit expires on EXPIRY with `amount - spend` cents left."""
    user = make_youth()
    give_deposit(user, amount, expires_at=deposit.pop("expires_at", EXPIRY), **deposit)
    if spend:
        with clock.frozen_at(NOW):
            # A cancelled booking gives its credit back: it must not lower the amount.
            other = make_bookable_offer(venue, name="Phèdre", price=900)
            cancelled = booking_services.book_offer(user=user, stock_id=other.pk)
            booking_services.cancel_by_beneficiary(user=user, booking_id=cancelled.pk)
            stock = make_bookable_offer(venue, name="Le Cid", price=spend)
            booking_services.book_offer(user=user, stock_id=stock.pk)
            run_pending_tasks()
    return user


def test_j30_then_j7_from_10_00_paris_with_amount_date_and_link(venue, mailoutbox):
    lea = youth_with_credit(venue)
    mailoutbox.clear()

    assert run_at(J30 - dt.timedelta(days=1)) == 0  # J-31
    assert run_at(J30 - dt.timedelta(minutes=1)) == 0  # J-30 but before 10:00
    assert run_at(J30) == 1
    (mail,) = mailoutbox
    assert mail.to == [lea.email]
    assert mail.subject == f"Votre crédit de {EUROS} expire dans 30 jours"
    assert mail.body.startswith("Bonjour Léa,\n")
    assert f"Il vous reste {EUROS} sur votre crédit passculture." in mail.body
    assert "le 15/03/2027 à 00:00 (heure de Paris)" in mail.body
    assert f"près de chez vous : {OFFERS_URL}\n" in mail.body
    assert f"Désabonnez-vous : {settings.SITE_URL}/notifications/desabonnement/" in mail.body
    notice = Notice.objects.get(user=lea, category="reminder")
    assert (notice.category, notice.title, notice.url) == (
        "reminder", f"Votre crédit de {EUROS} expire dans 30 jours", OFFERS_URL,
    )  # fmt: skip

    assert run_at(J30 + dt.timedelta(hours=8)) == 0  # same day, later run
    assert run_at(J30 + dt.timedelta(days=1)) == 0  # J-29
    assert run_at(J7 - dt.timedelta(days=1)) == 0  # J-8
    assert run_at(J7) == 1
    assert run_at(J7) == 0  # the job run twice
    assert run_at(J7 + dt.timedelta(days=1)) == 0  # J-6
    assert [m.subject for m in mailoutbox] == [
        f"Votre crédit de {EUROS} expire dans 30 jours",
        f"Votre crédit de {EUROS} expire dans 7 jours",
    ]
    assert "le 15/03/2027 à 00:00 (heure de Paris)" in mailoutbox[1].body
    assert sorted(ReminderSent.objects.values_list("kind", flat=True)) == [
        "credit-J-30", "credit-J-7",
    ]  # fmt: skip
    assert run_at(paris(2027, 3, 15, 10, 0)) == 0  # expired
    assert len(mailoutbox) == 2


def test_a_missed_day_is_caught_up_with_the_real_number_of_days(venue, mailoutbox):
    youth_with_credit(venue, spend=0, amount=8_000)
    assert run_at(paris(2027, 2, 23, 10, 0)) == 1  # 20 days before: the 30-day reminder
    assert run_at(paris(2027, 3, 10, 10, 0)) == 1  # J-7 missed, caught on J-5
    assert run_at(paris(2027, 3, 14, 10, 0)) == 0  # each threshold once
    assert [m.subject for m in mailoutbox] == [
        "Votre crédit de 80,00\u00a0€ expire dans 20 jours",
        "Votre crédit de 80,00\u00a0€ expire dans 5 jours",
    ]


def test_opted_out_zero_credit_expired_and_superseded_deposits_are_skipped(venue, mailoutbox):
    opted_out = youth_with_credit(venue, spend=0)
    Preference.objects.create(user=opted_out, category="reminder", enabled=False)
    youth_with_credit(venue, amount=1_200, spend=1_200)  # everything spent
    youth_with_credit(venue, spend=0, expires_at=J30 - dt.timedelta(hours=1))  # expired
    superseded = youth_with_credit(venue, spend=0, kind=DepositKind.UNDERAGE)
    give_deposit(superseded, 30_000, kind=DepositKind.AGE_18, created_at=NOW)  # spent from now
    mailoutbox.clear()

    assert run_at(J30) == 0
    assert run_at(J7) == 0
    assert mailoutbox == []
    assert not Notice.objects.filter(category="reminder").exists()
    # No marker for the opted-out: turning reminders back on still tells them at J-7.
    assert not ReminderSent.objects.exists()
    Preference.objects.filter(user=opted_out).update(enabled=True)
    assert run_at(J7 + dt.timedelta(hours=1)) == 1
    assert [m.to for m in mailoutbox] == [[opted_out.email]]


def test_the_scheduler_runs_the_job_daily_after_10_00_paris(venue, mailoutbox):
    youth_with_credit(venue)
    mailoutbox.clear()
    [job] = [j for j in PERIODIC_JOBS if j.name == "notifications.credit_reminders"]
    with clock.frozen_at(paris(2027, 2, 13, 10, 30)):  # the 09:21 UTC slot, 10:21 in Paris
        assert scheduler.tick(jobs=[job], worker="a") == [job.name]
        assert scheduler.tick(jobs=[job], worker="b") == []
        run_pending_tasks()
        run_pending_tasks()
    assert [m.subject for m in mailoutbox] == [f"Votre crédit de {EUROS} expire dans 30 jours"]
    assert job.latest_slot(paris(2027, 7, 1, 12, 0)) == paris(2027, 7, 1, 11, 21)  # summer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(venue, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")
    youth_with_credit(venue)
    mailoutbox.clear()
    results = at_once(credit_reminders.send_credit_reminders, at=J30)
    with clock.frozen_at(J30):
        run_pending_tasks()
        run_pending_tasks()
    assert sorted(results) == [0, 1]
    assert len(mailoutbox) == 1
    assert Notice.objects.filter(category="reminder").count() == 1
