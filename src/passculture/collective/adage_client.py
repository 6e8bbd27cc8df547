"""Outgoing notifications to the ministry tool (ADAGE): pre-bookings, cancellations, refunds.

`notify(event, booking_id)` enqueues a task in the caller's transaction (sent only if the
change commits). The task reads the booking, builds the payload and hands it to the
adapter chosen by settings.ADAGE_ADAPTER:

- "logging" (default): logs the payload; nothing leaves the machine.
- "http": POSTs the JSON to settings.ADAGE_NOTIFY_URL, signed with HMAC-SHA256
  (settings.ADAGE_NOTIFY_SECRET) over "<timestamp>.<body>":
  headers `X-Adage-Timestamp`, `X-Adage-Signature: sha256=<hex>`, `X-Adage-Delivery`
  (the same id on every retry, so the receiver can drop duplicates).

A failed delivery is recorded (log + audit entry on the booking) and re-enqueued with an
exponential delay (ADAGE_RETRY_BASE_SECONDS × 2^(attempt-1)) until ADAGE_MAX_ATTEMPTS.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Protocol

from django.conf import settings
from django.tasks import task

from passculture.collective.models import CollectiveBooking
from passculture.core import clock
from passculture.core.audit import record_audit

log = logging.getLogger(__name__)

PREBOOKING, CANCELLATION, REIMBURSEMENT = "prebooking", "cancellation", "reimbursement"
EVENTS = (PREBOOKING, CANCELLATION, REIMBURSEMENT)
ACTOR = "ADAGE"


class AdageDeliveryError(Exception):
    """The ministry tool did not acknowledge a notification (network error or non-2xx)."""


class AdageAdapter(Protocol):
    def notify_prebooking(self, payload: dict[str, Any]) -> None: ...

    def notify_cancellation(self, payload: dict[str, Any]) -> None: ...

    def notify_reimbursement(self, payload: dict[str, Any]) -> None: ...


class LoggingAdapter:
    """Default adapter: writes the notification to the log."""

    def _log(self, payload: dict[str, Any]) -> None:
        log.info("ADAGE %s: %s", payload["event"], json.dumps(payload, ensure_ascii=False))

    def notify_prebooking(self, payload: dict[str, Any]) -> None:
        self._log(payload)

    def notify_cancellation(self, payload: dict[str, Any]) -> None:
        self._log(payload)

    def notify_reimbursement(self, payload: dict[str, Any]) -> None:
        self._log(payload)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<body>" (the receiver recomputes and compares)."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class HttpAdapter:
    """POSTs each notification as signed JSON to the ministry tool's endpoint."""

    def __init__(self, url: str, secret: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise AdageDeliveryError("ADAGE_NOTIFY_URL doit être une adresse http(s).")
        self.url, self.secret, self.timeout = url, secret, timeout

    def _post(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "passculture-adage/1",
                "X-Adage-Event": payload["event"],
                "X-Adage-Delivery": payload["delivery_id"],
                "X-Adage-Timestamp": timestamp,
                "X-Adage-Signature": "sha256=" + sign(self.secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise AdageDeliveryError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise AdageDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= status < 300:
            raise AdageDeliveryError(f"HTTP {status}")

    def notify_prebooking(self, payload: dict[str, Any]) -> None:
        self._post(payload)

    def notify_cancellation(self, payload: dict[str, Any]) -> None:
        self._post(payload)

    def notify_reimbursement(self, payload: dict[str, Any]) -> None:
        self._post(payload)


def get_adapter() -> AdageAdapter:
    kind = getattr(settings, "ADAGE_ADAPTER", "logging") or "logging"
    if kind == "http":
        return HttpAdapter(
            url=getattr(settings, "ADAGE_NOTIFY_URL", ""),
            secret=getattr(settings, "ADAGE_NOTIFY_SECRET", ""),
            timeout=float(getattr(settings, "ADAGE_NOTIFY_TIMEOUT", 10)),
        )
    if kind != "logging":
        raise ValueError(f"ADAGE_ADAPTER inconnu : {kind!r} (logging ou http).")
    return LoggingAdapter()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def build_payload(booking: CollectiveBooking, *, event: str, delivery_id: str) -> dict[str, Any]:
    """What the ministry tool receives: ids, statuses, cents, UTC date-times."""
    school, stock, offer = booking.school, booking.stock, booking.offer
    return {
        "event": event,
        "delivery_id": delivery_id,
        "booking": {
            "id": booking.pk,
            "status": booking.status,
            "year": booking.year.code,
            "uai": school.uai,
            "school_name": school.name,
            "offer_id": offer.pk,
            "offer_name": offer.name,
            "venue_id": offer.venue_id,
            "venue_name": offer.venue.public_name or offer.venue.name,
            "venue_siret": offer.venue.siret,
            "start": _iso(stock.start_datetime),
            "end": _iso(stock.end_datetime),
            "price": booking.price,
            "number_of_pupils": stock.number_of_pupils,
            "teacher_email": booking.teacher.email,
            "project": booking.project.name if booking.project else None,
            "created_at": _iso(booking.created_at),
            "confirmation_limit": _iso(booking.confirmation_limit),
            "cancelled_at": _iso(booking.cancelled_at),
            "cancellation_reason": booking.cancellation_reason or None,
            "reimbursed_at": _iso(booking.reimbursed_at),
        },
    }


def retry_delay_seconds(attempt: int) -> int:
    """Exponential backoff after the given failed attempt (1 → base, 2 → 2×base, …)."""
    base = int(getattr(settings, "ADAGE_RETRY_BASE_SECONDS", 60))
    return min(base * 2 ** (attempt - 1), 24 * 3600)


def max_attempts() -> int:
    return int(getattr(settings, "ADAGE_MAX_ATTEMPTS", 6))


@task
def deliver_adage_notification(
    event: str, booking_id: int, delivery_id: str, attempt: int = 1
) -> str:
    """Deliver one notification; on failure record it and re-enqueue later (bounded)."""
    booking = (
        CollectiveBooking.objects.select_related(
            "school", "year", "stock", "offer__venue", "teacher", "project"
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:  # deleted since: nothing to tell
        return "booking_missing"
    payload = build_payload(booking, event=event, delivery_id=delivery_id)
    try:
        adapter = get_adapter()
        getattr(adapter, f"notify_{event}")(payload)
    except AdageDeliveryError as exc:
        last = attempt >= max_attempts()
        delay = None if last else retry_delay_seconds(attempt)
        log.warning(
            "ADAGE %s for booking %s failed (attempt %s): %s", event, booking_id, attempt, exc
        )
        record_audit(
            actor=ACTOR,
            action="adage.notification_abandoned" if last else "adage.notification_failed",
            obj=booking,
            data={
                "event": event, "delivery_id": delivery_id, "attempt": attempt,
                "error": str(exc)[:300], "retry_in_seconds": delay,
            },
        )  # fmt: skip
        if delay is not None:
            _enqueue(event, booking_id, delivery_id, attempt + 1, delay_seconds=delay)
        # Raising marks this attempt failed in the task queue (kept with its traceback).
        raise
    return "delivered"


def _enqueue(
    event: str, booking_id: int, delivery_id: str, attempt: int, *, delay_seconds: int = 0
) -> None:
    target = deliver_adage_notification
    if delay_seconds and target.get_backend().supports_defer:
        target = target.using(run_after=clock.now() + dt.timedelta(seconds=delay_seconds))
    target.enqueue(event, booking_id, delivery_id, attempt)


def notify(event: str, booking_id: int) -> str:
    """Enqueue a notification of `event` (prebooking, cancellation, reimbursement) for a booking.

    Call it inside the transaction that changes the booking: the task is queued only if
    that change commits. Returns the delivery id.
    """
    if event not in EVENTS:
        raise ValueError(f"Événement ADAGE inconnu : {event!r}.")
    delivery_id = str(uuid.uuid4())
    _enqueue(event, booking_id, delivery_id, 1)
    return delivery_id
