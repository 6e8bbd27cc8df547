"""Reliable, ordered delivery: retries with backoff, outages, 410, give-up after 3 days, the
lease that keeps one sender per stream, and the periodic sweep."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import override_settings

from passculture.bookings import services as booking_services
from passculture.core import clock, scheduler
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.providers import delivery
from passculture.providers import services as provider_services
from passculture.providers.models import DeliveryStatus, Provider, VenueProvider, WebhookDelivery
from tests import factories
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer
from tests.providers.factories import link
from tests.providers.receiver import Received, Reply, verify_signature

pytestmark = pytest.mark.django_db


def _sweep() -> list[str]:
    """Run the registered every-minute job as the scheduler would, then the queue."""
    jobs = [j for j in scheduler.registered_jobs() if j.name == "providers.wake_webhook_streams"]
    assert jobs and jobs[0].cron == "* * * * *"
    names = scheduler.tick(jobs=jobs, worker="test")
    run_pending_tasks()
    return names


def _book(venue, name: str = "Cyrano de Bergerac"):
    stock = make_bookable_offer(venue, name=name, quantity=None)
    return booking_services.book_offer(user=make_beneficiary(), stock_id=stock.pk)


def _status(**filters) -> list[tuple[int, str, int]]:
    return list(
        WebhookDelivery.objects.filter(**filters)
        .order_by("link_id", "sequence")
        .values_list("sequence", "status", "attempts")
    )


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (10, 15_360), (11, 6 * 3600), (500, 6 * 3600)],
)
def test_backoff_doubles_from_the_base_and_stops_at_six_hours(attempts, seconds):
    with override_settings(WEBHOOK_RETRY_BASE_SECONDS=30):
        assert delivery.backoff(attempts) == dt.timedelta(seconds=seconds)


def test_outage_then_recovery_delivers_everything_in_order_per_venue(
    receiver, provider, stream, venue, offerer
):
    second = link(provider, factories.make_venue(offerer, nic=2, name="Petite salle"))
    receiver.respond = lambda received: Reply(503)
    booked = []
    for i in range(3):  # interleaved: venue A, venue B, venue A, …
        booked.append(_book(venue, f"A{i}"))
        booked.append(_book(second.venue, f"B{i}"))
    run_pending_tasks()
    # One attempt per stream (its head), the rest waits behind it: order is kept.
    assert len(receiver.requests) == 2
    assert {r.json["sequence"] for r in receiver.requests} == {1}
    head = WebhookDelivery.objects.get(link=stream, sequence=1)
    assert (head.status, head.attempts, head.last_status_code) == ("pending", 1, 503)
    assert head.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert head.last_error == "HTTP 503"

    with clock.frozen_at(NOW + dt.timedelta(seconds=20)):  # not due yet: nothing sent
        assert delivery.due_stream_ids() == []
        _sweep()
    assert len(receiver.requests) == 2

    receiver.respond = lambda received: Reply(200)
    with clock.frozen_at(NOW + dt.timedelta(seconds=31)):
        assert sorted(delivery.due_stream_ids()) == sorted([stream.pk, second.pk])
    with clock.frozen_at(NOW + dt.timedelta(seconds=61)):  # the sweep's next minute
        assert _sweep() == ["providers.wake_webhook_streams"]
    delivered = [r.json for r in receiver.requests[2:]]
    assert len(delivered) == 6
    assert len({body["id"] for body in delivered}) == 6  # one event per change
    for venue_id, letter in ((venue.pk, "A"), (second.venue_id, "B")):
        mine = [b for b in delivered if b["venueId"] == venue_id]
        assert [b["sequence"] for b in mine] == [1, 2, 3]
        assert [b["data"]["offer"]["name"] for b in mine] == [f"{letter}{i}" for i in range(3)]
    assert sorted(b["data"]["booking"]["id"] for b in delivered) == sorted(b.pk for b in booked)
    for request in receiver.requests:
        verify_signature(request, provider.hmac_secret)
    assert _status() == [
        (1, "delivered", 2), (2, "delivered", 1), (3, "delivered", 1),
        (1, "delivered", 2), (2, "delivered", 1), (3, "delivered", 1),
    ]  # fmt: skip
    assert VenueProvider.objects.filter(leased_until__isnull=False).count() == 0


def test_connection_refused_then_back_on_the_same_port(receiver, provider, stream, venue):
    receiver.stop()
    first, second = _book(venue, "Un"), _book(venue, "Deux")
    run_pending_tasks()
    head = WebhookDelivery.objects.get(sequence=1)
    assert (head.status, head.attempts, head.last_status_code) == ("pending", 1, None)
    assert "Connection refused" in head.last_error or "ConnectionRefused" in head.last_error
    with clock.frozen_at(NOW + dt.timedelta(seconds=31)):
        _sweep()  # still down: second failure, backoff doubles
    head.refresh_from_db()
    assert head.attempts == 2
    assert head.next_attempt_at == NOW + dt.timedelta(seconds=31 + 60)
    receiver.start()  # same port again
    with clock.frozen_at(NOW + dt.timedelta(seconds=92)):
        _sweep()
    assert [b["data"]["booking"]["id"] for b in receiver.bodies()] == [first.pk, second.pk]
    assert _status() == [(1, "delivered", 3), (2, "delivered", 1)]


def test_a_failure_stops_the_stream_until_the_retry(receiver, provider, stream, venue):
    failures = {"left": 1}

    def flaky(received: Received) -> Reply:
        if failures["left"]:
            failures["left"] -= 1
            return Reply(500)
        return Reply(204, b"")

    receiver.respond = flaky
    _book(venue, "Un")
    _book(venue, "Deux")
    run_pending_tasks()
    assert [r.json["sequence"] for r in receiver.requests] == [1]
    with clock.frozen_at(NOW + dt.timedelta(minutes=1)):
        _sweep()
    assert [r.json["sequence"] for r in receiver.requests] == [1, 1, 2]
    assert _status() == [(1, "delivered", 2), (2, "delivered", 1)]


def test_a_redirect_is_not_followed_but_retried(receiver, provider, stream, venue):
    receiver.respond = lambda received: Reply(302, b"")
    _book(venue)
    run_pending_tasks()
    head = WebhookDelivery.objects.get()
    assert (head.status, head.last_status_code, len(receiver.requests)) == ("pending", 302, 1)


def test_gone_410_switches_the_provider_off_until_its_url_changes(
    receiver, provider, stream, venue, offerer
):
    second = link(provider, factories.make_venue(offerer, nic=2, name="Petite salle"))
    receiver.respond = lambda received: Reply(410)
    _book(venue, "Un")
    _book(second.venue, "Deux")
    _book(venue, "Trois")
    run_pending_tasks()
    assert len(receiver.requests) == 1  # the first 410 stops everything of this provider
    provider.refresh_from_db()
    assert provider.webhooks_disabled_at == NOW
    assert _status() == [(1, "disabled", 1), (2, "disabled", 0), (1, "disabled", 0)]
    assert WebhookDelivery.objects.get(link=stream, sequence=1).last_status_code == 410
    assert AuditEntry.objects.filter(action="provider.webhooks_disabled").count() == 1
    _book(venue, "Quatre")  # switched off: nothing is even written
    assert WebhookDelivery.objects.count() == 3
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        _sweep()
    assert len(receiver.requests) == 1

    receiver.respond = lambda received: Reply(200)
    provider_services.update_provider_urls(
        actor=None, provider=provider, notification_url=f"{receiver.url}/nouvelle"
    )
    _book(venue, "Cinq")
    run_pending_tasks()
    assert [(r.path, r.json["sequence"]) for r in receiver.requests[1:]] == [("/nouvelle", 3)]


def test_gives_up_after_three_days_and_moves_on(receiver, provider, stream, venue):
    doomed = _book(venue, "Perdu")
    doomed_id = doomed.pk

    def refuse_the_first(received: Received) -> Reply:
        return Reply(500 if received.json["data"]["booking"]["id"] == doomed_id else 200)

    receiver.respond = refuse_the_first
    run_pending_tasks()
    with clock.frozen_at(NOW + dt.timedelta(days=1)):
        later = _book(venue, "Suivant")
        _sweep()
    assert _status() == [(1, "pending", 2), (2, "pending", 0)]
    with clock.frozen_at(NOW + dt.timedelta(days=3) - dt.timedelta(minutes=1)):
        _sweep()  # still within 3 days: retried, kept
    assert _status() == [(1, "pending", 3), (2, "pending", 0)]
    with clock.frozen_at(NOW + dt.timedelta(days=3, minutes=1)):
        _sweep()
    assert _status() == [(1, "failed", 4), (2, "delivered", 1)]
    assert receiver.bodies()[-1]["data"]["booking"]["id"] == later.pk
    assert WebhookDelivery.objects.get(sequence=1).last_status_code == 500


def test_stream_is_blocked_when_the_link_or_provider_goes_away(receiver, provider, stream, venue):
    receiver.respond = lambda received: Reply(503)
    _book(venue)
    run_pending_tasks()
    Provider.objects.filter(pk=provider.pk).update(is_active=False)
    with clock.frozen_at(NOW + dt.timedelta(minutes=5)):
        _sweep()
    assert len(receiver.requests) == 1
    head = WebhookDelivery.objects.get()
    assert (head.status, head.last_error) == ("disabled", "Non envoyé : logiciel désactivé.")


def test_the_lease_keeps_a_second_sender_out_until_it_expires(receiver, provider, stream, venue):
    _book(venue)
    lease = delivery.claim(stream.pk)  # a worker that took the stream… and died
    assert lease is not None and lease.until == NOW + delivery.lease_duration()
    assert delivery.claim(stream.pk) is None
    assert delivery.deliver_stream(stream.pk) == 0
    run_pending_tasks()  # the queued task meets the lease too
    assert receiver.requests == []
    assert delivery.due_stream_ids() == []  # the sweep leaves a held stream alone
    with clock.frozen_at(lease.until + dt.timedelta(seconds=1)):
        assert delivery.due_stream_ids() == [stream.pk]
        _sweep()
    assert len(receiver.requests) == 1
    assert _status() == [(1, "delivered", 1)]
    stream.refresh_from_db()
    assert stream.leased_until is None


def test_release_lets_the_next_sender_in(provider, stream):
    lease = delivery.claim(stream.pk)
    assert lease is not None
    delivery.release(lease)
    assert delivery.claim(stream.pk) is not None


# --- PostgreSQL: real parallel connections ------------------------------------------------


@pytest.fixture
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_stream_send_each_event_once_in_order(
    _postgres_only, receiver, provider, stream, venue
):
    for i in range(5):
        _book(venue, f"Séance {i}")
    receiver.respond = lambda received: Reply(200, delay=0.1)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(delivery.deliver_stream(stream.pk))
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 5]
    assert receiver.max_in_flight == 1
    assert [r.json["sequence"] for r in receiver.requests] == [1, 2, 3, 4, 5]
    assert _status() == [(i, "delivered", 1) for i in range(1, 6)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_number_the_stream_without_gaps(
    _postgres_only, provider, stream, venue
):
    stocks = [make_bookable_offer(venue, name=f"Offre {i}", quantity=None) for i in range(12)]
    youths = [make_beneficiary() for _ in stocks]
    barrier = threading.Barrier(len(stocks))
    errors: list[BaseException] = []

    def book(user, stock) -> None:
        try:
            barrier.wait()
            booking_services.book_offer(user=user, stock_id=stock.pk)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=pair) for pair in zip(youths, stocks, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(WebhookDelivery.objects.values_list("sequence", flat=True)) == list(range(1, 13))
    stream.refresh_from_db()
    assert stream.last_sequence == 12
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 12


def test_daily_job_purges_idempotent_answers_older_than_a_day(provider):
    from passculture.providers.models import ApiKey, IdempotentResponse
    from passculture.providers.tasks import purge_idempotent_responses
    from tests.providers.factories import make_key

    make_key(provider)
    key = ApiKey.objects.get()
    for age in (dt.timedelta(hours=25), dt.timedelta(hours=1)):
        IdempotentResponse.objects.create(
            api_key=key, key=f"k{age}", method="POST", path="/p", body_hash="0" * 64,
            status_code=200, body=b"{}", content_type="application/json",
            created_at=NOW - age,
        )  # fmt: skip
    [job] = [j for j in scheduler.registered_jobs() if j.name == "providers.purge_idempotency"]
    assert job.task == "passculture.providers.tasks.purge_idempotent_responses"
    assert purge_idempotent_responses.call() == 1
    assert list(IdempotentResponse.objects.values_list("key", flat=True)) == ["k1:00:00"]
