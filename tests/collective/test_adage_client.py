"""Outgoing ADAGE notifications: logging by default; signed HTTP POSTs to a real local
server, retried with exponential backoff as tasks, given up after the last attempt."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from passculture.collective import adage_client
from passculture.collective.models import CollectiveBookingStatus
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.taskrunner import run_pending_tasks
from tests.collective.factories import make_booking, make_member, make_offer, make_school

pytestmark = pytest.mark.django_db
SECRET = "secret-de-signature-adage"
TASK = "passculture.collective.adage_client.deliver_adage_notification"


class Receiver:
    """A local HTTP server answering the scripted statuses, then 200; records every POST."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/adage/notifications"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def booking(venue):
    teacher = make_member(make_school(name="Collège Jean Moulin"), first_name="Agnès")
    return make_booking(make_offer(venue, price=30_000), teacher)


@pytest.fixture
def http_adapter(settings):
    settings.ADAGE_ADAPTER = "http"
    settings.ADAGE_NOTIFY_SECRET = SECRET
    settings.ADAGE_MAX_ATTEMPTS = 3
    settings.ADAGE_RETRY_BASE_SECONDS = 60
    return settings


def make_ready_now() -> None:
    """Skip the backoff wait: what the worker would do once the delay has passed."""
    DBTaskResult.objects.filter(status="READY").update(
        run_after=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )


def deliveries() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK).order_by("enqueued_at", "id"))


def test_notify_enqueues_in_the_callers_transaction(booking):
    with pytest.raises(RuntimeError), transaction.atomic():
        adage_client.notify("prebooking", booking.pk)
        raise RuntimeError("the booking change is rolled back")
    assert deliveries() == []
    delivery_id = adage_client.notify("cancellation", booking.pk)
    (task,) = deliveries()
    assert task.args_kwargs["args"] == ["cancellation", booking.pk, delivery_id, 1]
    with pytest.raises(ValueError, match="Événement ADAGE inconnu"):
        adage_client.notify("teleportation", booking.pk)


def test_logging_adapter_is_the_default(booking, caplog):
    caplog.set_level(logging.INFO, logger="passculture.collective.adage_client")
    adage_client.notify("prebooking", booking.pk)
    run_pending_tasks()
    (task,) = deliveries()
    assert task.status == "SUCCESSFUL" and task.return_value == "delivered"
    (record,) = [r for r in caplog.records if r.name == "passculture.collective.adage_client"]
    payload = json.loads(record.getMessage().split(": ", 1)[1])
    assert payload["event"] == "prebooking" and payload["booking"]["id"] == booking.pk
    assert payload["booking"]["school_name"] == "Collège Jean Moulin"


def test_http_adapter_posts_signed_json_and_retries_with_backoff(booking, http_adapter):
    with Receiver([503]) as receiver:
        http_adapter.ADAGE_NOTIFY_URL = receiver.url
        delivery_id = adage_client.notify("prebooking", booking.pk)
        enqueued_at = clock.now()
        assert run_pending_tasks() == 1  # the retry waits for its delay
        first, retry = deliveries()
        assert first.status == "FAILED" and retry.status == "READY"
        assert retry.args_kwargs["args"] == ["prebooking", booking.pk, delivery_id, 2]
        delay = (retry.run_after - enqueued_at).total_seconds()
        assert 60 <= delay < 70
        failure = entries_for(booking).get(action="adage.notification_failed")
        assert failure.actor_label == "ADAGE"
        assert failure.data == {
            "event": "prebooking", "delivery_id": delivery_id, "attempt": 1,
            "error": "HTTP 503", "retry_in_seconds": 60,
        }  # fmt: skip
        make_ready_now()
        assert run_pending_tasks() == 1
    assert deliveries()[-1].status == "SUCCESSFUL"
    assert len(receiver.received) == 2
    for request in receiver.received:
        headers, body = request["headers"], request["body"]
        expected = hmac.new(
            SECRET.encode(), headers["X-Adage-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(headers["X-Adage-Signature"], f"sha256={expected}")
        assert headers["X-Adage-Delivery"] == delivery_id  # same id: the receiver dedupes
        assert headers["X-Adage-Event"] == "prebooking"
        assert headers["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(receiver.received[-1]["body"])
    assert payload["event"] == "prebooking" and payload["booking"]["id"] == booking.pk
    assert (payload["booking"]["status"], payload["booking"]["price"]) == ("pending", 30_000)
    assert payload["booking"]["uai"] == booking.school.uai
    assert payload["booking"]["teacher_email"] == booking.teacher.email


def test_http_adapter_gives_up_after_the_last_attempt(booking, http_adapter):
    with Receiver([500, 500, 500, 500]) as receiver:
        http_adapter.ADAGE_NOTIFY_URL = receiver.url
        booking.status = CollectiveBookingStatus.CANCELLED
        booking.save()
        adage_client.notify("cancellation", booking.pk)
        for _ in range(5):
            make_ready_now()
            run_pending_tasks()
    assert len(receiver.received) == 3
    tasks = deliveries()
    assert [t.status for t in tasks] == ["FAILED", "FAILED", "FAILED"]
    assert [t.args_kwargs["args"][3] for t in tasks] == [1, 2, 3]
    actions = list(
        entries_for(booking)
        .filter(action__startswith="adage.")
        .order_by("pk")
        .values_list("action", "data__retry_in_seconds")
    )
    assert actions == [
        ("adage.notification_failed", 60),
        ("adage.notification_failed", 120),
        ("adage.notification_abandoned", None),
    ]
    assert json.loads(receiver.received[0]["body"])["booking"]["status"] == "cancelled"


def test_unreachable_server_is_a_recorded_failure(booking, http_adapter):
    with Receiver([]) as receiver:
        url = receiver.url
    http_adapter.ADAGE_NOTIFY_URL = url  # the server is closed: connection refused
    adage_client.notify("reimbursement", booking.pk)
    run_pending_tasks()
    failure = entries_for(booking).get(action="adage.notification_failed")
    assert failure.data["error"].startswith("URLError")


def test_backoff_doubles_and_is_capped(settings):
    settings.ADAGE_RETRY_BASE_SECONDS = 60
    assert [adage_client.retry_delay_seconds(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert adage_client.retry_delay_seconds(30) == 24 * 3600


def test_unknown_adapter_setting_is_refused(settings):
    settings.ADAGE_ADAPTER = "carrier-pigeon"
    with pytest.raises(ValueError, match="ADAGE_ADAPTER inconnu"):
        adage_client.get_adapter()
