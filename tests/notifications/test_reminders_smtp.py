"""J-1 reminders through a real SMTP server on 127.0.0.1: French text and accents intact,
exactly once even when the scheduler ticks twice (two workers) and the queue runs twice."""

import pytest

from passculture.core import clock, scheduler
from passculture.core.taskrunner import run_pending_tasks
from passculture.tasks import PERIODIC_JOBS
from tests.bookings.factories import make_bookable_offer, paris
from tests.notifications.test_digest import smtp  # noqa: F401  (the aiosmtpd fixture)
from tests.notifications.test_reminders import START, book

pytestmark = pytest.mark.django_db


def test_j1_reminder_arrives_once_over_smtp_with_accents(venue, smtp):  # noqa: F811
    stock = make_bookable_offer(venue, name="L’Éveil du printemps", beginning=START)
    booking = book(stock)
    booking.user.first_name = "Zoé"
    booking.user.save(update_fields=["first_name"])
    smtp.messages.clear()
    [job] = [j for j in PERIODIC_JOBS if j.name == "notifications.event_reminders"]
    with clock.frozen_at(paris(2027, 1, 13, 10, 20)):  # the day before, after 10:00
        assert scheduler.tick(jobs=[job], worker="a") == [job.name]
        assert scheduler.tick(jobs=[job], worker="b") == []  # the slot is taken
        run_pending_tasks()
        run_pending_tasks()  # a second worker pass finds nothing left
    with clock.frozen_at(paris(2027, 1, 13, 11, 20)):  # next hourly run: already sent
        scheduler.tick(jobs=[job], worker="a")
        run_pending_tasks()
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Rappel")]
    assert len(reminders) == 1
    mail = reminders[0]
    assert mail["To"] == booking.user.email
    assert mail["Subject"] == "Rappel : « L’Éveil du printemps » demain"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "le 14/01/2027 à 20:30 (heure de Paris)" in body
    assert body.startswith("Bonjour Zoé,")
    assert f"« L’Éveil du printemps » (contremarque {booking.token})" in body
    assert "L’équipe passculture" in body
