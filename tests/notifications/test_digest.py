"""The venue daily digest: content, no-activity days, a real SMTP server, exactly once."""

import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from passculture.bookings import services as booking_services
from passculture.core import clock, scheduler
from passculture.core.taskrunner import run_pending_tasks
from passculture.notifications import digest
from passculture.notifications.models import (
    DigestRun,
    NotificationLog,
    VenueNotificationSettings,
)
from tests.bookings.factories import NOW, give_deposit, make_bookable_offer, make_youth, paris
from tests.collective import factories as cf
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

JOB = scheduler.PeriodicJob(
    name="notifications.venue_digests",
    cron="0 * * * *",
    task="passculture.notifications.tasks.send_venue_digests",
)
DIGEST_AT = paris(2027, 1, 5, 8, 0)  # Tuesday 5 January 2027, 08:00 in Paris (default hour)


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    yield sink
    controller.stop()


def _digests(sink: Sink) -> list[email.message.EmailMessage]:
    return [m for m in sink.messages if m["Subject"].startswith("Récapitulatif")]


def _activity(venue) -> list[str]:
    """On Monday 4 January: two bookings, one cancelled by the young person; a sold-out
    contingent; an event tonight (Tuesday 20:00) to validate."""
    venue.booking_email = "accueil@grande-salle.fr"
    venue.save(update_fields=["booking_email"])
    tonight = make_bookable_offer(venue, name="Ruy Blas", beginning=paris(2027, 1, 5, 20, 0))
    full = make_bookable_offer(venue, name="Les Fourberies de Scapin", quantity=1)
    with clock.frozen_at(NOW):
        lea = make_youth("lea@exemple.fr", first_name="Léa")
        give_deposit(lea)
        gone = make_youth("noe@exemple.fr", first_name="Noé")
        give_deposit(gone)
        cancelled = booking_services.book_offer(user=gone, stock_id=full.pk)
        booking_services.cancel_by_beneficiary(user=gone, booking_id=cancelled.pk)
        kept = booking_services.book_offer(user=lea, stock_id=tonight.pk)
        last = booking_services.book_offer(user=lea, stock_id=full.pk)
    return [cancelled.token, kept.token, last.token]


def expected_body(tokens: list[str]) -> str:
    gone, kept, last = tokens
    return f"""Bonjour,

Voici l’état des réservations de vos offres à Grande salle.

Nouvelles réservations (3) :
- Les Fourberies de Scapin — 1 place(s), contremarque {last}
- Ruy Blas — 1 place(s), contremarque {kept}
- Les Fourberies de Scapin — 1 place(s), contremarque {gone}

Réservations annulées (1) :
- Les Fourberies de Scapin — 1 place(s), contremarque {gone}

À valider aujourd’hui (1) :
- Ruy Blas — 1 place(s), contremarque {kept}

Contingents presque complets (90 % ou plus) :
- Les Fourberies de Scapin — 1/1 places réservées

Vous pouvez changer l’heure de ce récapitulatif ou le désactiver dans l’espace pro.

L’équipe passculture
"""


def test_digest_content_in_french(venue, mailoutbox):
    tokens = _activity(venue)
    school = cf.make_school()
    cf.make_booking(cf.make_offer(venue), cf.make_member(school, email="agnes@ac-lyon.fr"))
    run_pending_tasks()
    mailoutbox.clear()
    with clock.frozen_at(DIGEST_AT):
        assert digest.send_due_digests() == 1
        assert digest.send_due_digests() == 0  # the same day again: already claimed
        run_pending_tasks()
    (mail,) = mailoutbox
    assert mail.to == ["accueil@grande-salle.fr"]
    assert mail.subject == "Récapitulatif du 05/01/2027 — Grande salle"
    pending = (
        "\nPréréservations collectives en attente de l’établissement (1) :\n"
        "- Atelier théâtre : Molière en classe — Collège Jean Moulin, "
        "à confirmer avant le 01/03/2027 18:00\n"
    )
    body = expected_body(tokens).replace("\nContingents", pending + "\nContingents")
    assert mail.body == body
    assert DigestRun.objects.get().sent is True


def test_scheduler_twice_and_tasks_twice_deliver_one_digest_over_smtp(venue, smtp):
    tokens = _activity(venue)
    run_pending_tasks()  # confirmation e-mails, out of the way
    smtp.messages.clear()
    with clock.frozen_at(DIGEST_AT + dt.timedelta(minutes=3)):
        assert scheduler.tick(jobs=[JOB], worker="a") == ["notifications.venue_digests"]
        assert scheduler.tick(jobs=[JOB], worker="b") == []
        run_pending_tasks()
        run_pending_tasks()
        # A second job run in the same hour (a worker retrying it) sends nothing more.
        assert digest.send_due_digests() == 0
        run_pending_tasks()
    (message,) = _digests(smtp)
    assert message["To"] == "accueil@grande-salle.fr"
    assert message["Subject"] == "Récapitulatif du 05/01/2027 — Grande salle"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == expected_body(tokens)
    html = message.get_body(("html",)).get_content()
    assert ">Récapitulatif du 05/01/2027 — Grande salle</h1>" in html
    assert "À valider aujourd’hui (1)</h2>" in html
    assert len(smtp.messages) == 1
    assert NotificationLog.objects.filter(template="venue_digest").get().status == "sent"

    # Next day at 08:00: nothing changed since (the full contingent alone is no activity).
    with clock.frozen_at(DIGEST_AT + dt.timedelta(days=1)):
        assert scheduler.tick(jobs=[JOB], worker="a") == ["notifications.venue_digests"]
        run_pending_tasks()
    assert len(smtp.messages) == 1
    assert list(DigestRun.objects.order_by("day").values_list("day", "sent")) == [
        (dt.date(2027, 1, 5), True),
        (dt.date(2027, 1, 6), False),
    ]


def test_no_activity_day_sends_nothing_and_is_claimed_once(venue, mailoutbox):
    venue.booking_email = "accueil@exemple.fr"
    venue.save(update_fields=["booking_email"])
    with clock.frozen_at(DIGEST_AT):
        assert digest.send_due_digests() == 0
        run_pending_tasks()
    assert mailoutbox == []
    assert list(DigestRun.objects.values_list("venue", "day", "sent")) == [
        (venue.pk, dt.date(2027, 1, 5), False)
    ]


def test_digest_only_at_the_venue_chosen_hour_and_not_when_disabled(venue):
    VenueNotificationSettings.objects.create(venue=venue, digest_hour=18)
    assert digest.due_venues(8) == [] and digest.due_venues(18) == [venue]
    VenueNotificationSettings.objects.filter(venue=venue).update(digest_enabled=False)
    assert digest.due_venues(18) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_deliver_one_digest(venue, smtp):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")
    tokens = _activity(venue)
    run_pending_tasks()
    smtp.messages.clear()
    results = at_once(digest.send_due_digests, at=DIGEST_AT)
    assert sorted(results) == [0, 1]
    run_pending_tasks()
    run_pending_tasks()
    (message,) = _digests(smtp)
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == expected_body(tokens)
    assert DigestRun.objects.count() == 1


def test_per_booking_venue_mails_follow_the_venue_choice(venue, mailoutbox):
    stock = make_bookable_offer(venue, name="Hernani", booking_email="")
    venue.booking_email = "accueil@grande-salle.fr"
    venue.save(update_fields=["booking_email"])
    with clock.frozen_at(NOW):
        lea = make_youth()
        give_deposit(lea)
        booking = booking_services.book_offer(user=lea, stock_id=stock.pk)
        booking_services.cancel_by_beneficiary(user=lea, booking_id=booking.pk)
        run_pending_tasks()
        assert [(m.to, m.subject) for m in mailoutbox if m.to != [lea.email]] == [
            (["accueil@grande-salle.fr"], "Nouvelle réservation : Hernani"),
            (["accueil@grande-salle.fr"], "Réservation annulée : Hernani"),
        ]
        mailoutbox.clear()
        VenueNotificationSettings.objects.create(
            venue=venue, booking_emails_enabled=False, cancellation_emails_enabled=False
        )
        again = booking_services.book_offer(user=lea, stock_id=stock.pk)
        booking_services.cancel_by_beneficiary(user=lea, booking_id=again.pk)
        run_pending_tasks()
    assert [m.to for m in mailoutbox] == [[lea.email], [lea.email]]
    assert [n.title for n in lea.notices.all()] == [
        "Réservation annulée : Hernani",
        "Réservation confirmée : Hernani",
        "Réservation annulée : Hernani",
        "Réservation confirmée : Hernani",
    ]
