"""Sending webhooks: one sender per (provider, venue) stream, in sequence order, with retries.

A stream is sent by `deliver_stream(link_id)` (the task in providers.tasks):

1. Claim: one conditional UPDATE sets `leased_until = now + lease` where the lease is free
   or expired. No transaction stays open and no row lock is held during HTTP calls; a
   sender that does not win the claim stops (another one is on the stream).
2. Send the head — the pending delivery with the lowest sequence — if its
   `next_attempt_at` has come; the lease is renewed (conditional UPDATE) before each send,
   so a sender that lost its lease (too slow, presumed dead) stops.
3. Record the outcome. Stop at the first failure: the head waits for its retry and
   everything behind it waits too, which keeps each venue's events in order.
4. Release: the UPDATE that clears the lease waits for any transaction writing an event
   on this stream (the emitter holds the link row until it commits), then the sender looks
   again: an event committed while it was finishing is never left without a sender.

The periodic sweep (`due_stream_ids`, every minute) re-wakes streams whose head is due and
whose lease is free: retries after a backoff, and streams of a worker that died.

Outcomes: 2xx → delivered. 410 → the provider's webhooks are switched off
(`webhooks_disabled_at`) and its pending deliveries marked DISABLED until its notification
URL changes. Anything else or no answer → attempts + 1 and a retry after
WEBHOOK_RETRY_BASE_SECONDS × 2^(attempts − 1), at most 6 h; a failed attempt made
WEBHOOK_RETRY_DAYS after the event happened gives up (FAILED) and the stream moves on.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery

from passculture.core import clock
from passculture.core.audit import SYSTEM, record_audit
from passculture.providers.models import DeliveryStatus, Provider, VenueProvider, WebhookDelivery

MAX_BACKOFF = dt.timedelta(hours=6)
LEASE_MARGIN_SECONDS = 30
MAX_RESPONSE_BYTES = 64 * 1024
MAX_ROUNDS = 50  # claim → drain → release rounds in one task (new events keep arriving)
USER_AGENT = "passculture-webhooks/1"


# --- HTTP (shared with the ticketing calls) ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HttpResult:
    status: int | None  # None: no answer (connection refused, timeout, DNS…)
    body: bytes
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None  # a signed POST is not replayed elsewhere: the 3xx is reported as is


_OPENER = urllib.request.build_opener(_NoRedirect)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the PassCulture-Signature)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def encode(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post_json(
    url: str, body: bytes, *, secret: str, timeout: float, headers: dict[str, str] | None = None
) -> HttpResult:
    """POST a signed JSON body; never raises for network or HTTP errors."""
    if not url.startswith(("https://", "http://")):
        return HttpResult(None, b"", "Adresse invalide (http:// ou https:// attendu).")
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "PassCulture-Signature": signature(secret, timestamp, body),
            **(headers or {}),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.read(MAX_RESPONSE_BYTES), "")
    except urllib.error.HTTPError as exc:
        try:
            content = exc.read(MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException):
            content = b""
        return HttpResult(exc.code, content, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return HttpResult(None, b"", f"{type(reason).__name__}: {reason}"[:300])


# --- Lease -------------------------------------------------------------------------------


@dataclasses.dataclass
class Lease:
    link_id: int
    until: dt.datetime


def lease_duration() -> dt.timedelta:
    # One send at most between two renewals: its timeout plus a margin for the bookkeeping.
    return dt.timedelta(seconds=float(settings.WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN_SECONDS)


def claim(link_id: int) -> Lease | None:
    """Take the stream if nobody holds it (atomic conditional UPDATE); None if taken."""
    now = clock.now()
    until = now + lease_duration()
    won = (
        VenueProvider.objects.filter(pk=link_id)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .update(leased_until=until)
    )
    return Lease(link_id, until) if won else None


def _renew(lease: Lease) -> bool:
    until = clock.now() + lease_duration()
    kept = VenueProvider.objects.filter(pk=lease.link_id, leased_until=lease.until).update(
        leased_until=until
    )
    if kept:
        lease.until = until
    return bool(kept)


def release(lease: Lease) -> None:
    VenueProvider.objects.filter(pk=lease.link_id, leased_until=lease.until).update(
        leased_until=None
    )


# --- Sending -----------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Delay after the n-th failed attempt: base × 2^(n−1), at most 6 h."""
    base = int(settings.WEBHOOK_RETRY_BASE_SECONDS)
    delay = dt.timedelta(seconds=base * 2 ** min(max(attempts - 1, 0), 20))
    return min(delay, MAX_BACKOFF)


def _head(link_id: int) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.filter(link_id=link_id, status=DeliveryStatus.PENDING)
        .order_by("sequence")
        .first()
    )


def _blocked(link: VenueProvider) -> str:
    """Why this stream must not be sent at all ('' when it may)."""
    provider = link.provider
    if not link.is_active:
        return "Non envoyé : lieu délié du logiciel."
    if not provider.is_active:
        return "Non envoyé : logiciel désactivé."
    if provider.webhooks_disabled_at is not None:
        return "Non envoyé : webhooks coupés (réponse 410)."
    if not link.effective_notification_url:
        return "Non envoyé : aucune URL de notification."
    return ""


def _send(link: VenueProvider, delivery: WebhookDelivery) -> HttpResult:
    payload = delivery.payload
    return post_json(
        link.effective_notification_url,
        encode(payload),
        secret=link.provider.hmac_secret,
        timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
        headers={
            "PassCulture-Event-Id": str(payload.get("id") or delivery.event_id),
            "PassCulture-Event-Type": delivery.event_type,
            "PassCulture-Sequence": str(payload.get("sequence") or delivery.sequence),
        },
    )


def _gone(link: VenueProvider, delivery: WebhookDelivery, now: dt.datetime) -> None:
    """410: switch the provider's webhooks off; nothing else is sent until its URL changes."""
    with transaction.atomic():
        Provider.objects.filter(pk=link.provider_id, webhooks_disabled_at__isnull=True).update(
            webhooks_disabled_at=now
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DISABLED,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_status_code=410,
            last_error="410 : l’adresse n’existe plus, webhooks coupés.",
        )
        WebhookDelivery.objects.filter(
            link__provider_id=link.provider_id, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.DISABLED, last_error="Non envoyé : webhooks coupés (410).")
        record_audit(
            actor=SYSTEM,
            action="provider.webhooks_disabled",
            obj=link.provider,
            data={"delivery": delivery.pk, "url": link.effective_notification_url},
        )


def _record_failure(delivery: WebhookDelivery, result: HttpResult, now: dt.datetime) -> bool:
    """Count a failed attempt; True when it gave up (FAILED) and the stream may move on."""
    attempts = delivery.attempts + 1
    give_up = now >= delivery.occurred_at + dt.timedelta(days=settings.WEBHOOK_RETRY_DAYS)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        last_attempt_at=now,
        last_status_code=result.status,
        last_error=(result.error or f"HTTP {result.status}")[:300],
        status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
        next_attempt_at=now if give_up else now + backoff(attempts),
    )
    return give_up


def _drain(lease: Lease) -> int:
    """Send the stream's due deliveries in order until one fails or none is due."""
    sent = 0
    while True:
        link = VenueProvider.objects.select_related("provider").filter(pk=lease.link_id).first()
        head = _head(lease.link_id) if link is not None else None
        if link is None or head is None:
            return sent
        reason = _blocked(link)
        if reason:
            WebhookDelivery.objects.filter(link=link, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.DISABLED, last_error=reason
            )
            return sent
        if head.next_attempt_at > clock.now() or not _renew(lease):
            return sent
        result = _send(link, head)  # no transaction, no lock: only our lease
        now = clock.now()
        if result.ok:
            WebhookDelivery.objects.filter(pk=head.pk).update(
                status=DeliveryStatus.DELIVERED,
                attempts=F("attempts") + 1,
                last_attempt_at=now,
                last_status_code=result.status,
                last_error="",
                delivered_at=now,
            )
            sent += 1
        elif result.status == 410:
            _gone(link, head, now)
            return sent
        elif not _record_failure(head, result, now):
            return sent  # the head waits for its retry; so does everything behind it


def _head_is_due(link_id: int) -> bool:
    head = _head(link_id)
    return head is not None and head.next_attempt_at <= clock.now()


def deliver_stream(link_id: int) -> int:
    """Send what is due on one (provider, venue) stream; returns how many were delivered.

    Caller holds no transaction (HTTP calls happen here). Safe to call from many workers
    at once: the lease lets one of them send, the others return 0.
    """
    sent = 0
    for _ in range(MAX_ROUNDS):
        lease = claim(link_id)
        if lease is None:
            return sent
        try:
            sent += _drain(lease)
        finally:
            release(lease)  # waits for an emitter holding the link row (see module doc)
        if not _head_is_due(link_id):
            return sent
    return sent


def due_stream_ids() -> list[int]:
    """Streams whose head (lowest pending sequence) is due and whose lease is free."""
    now = clock.now()
    head_sequence = (
        WebhookDelivery.objects.filter(link=OuterRef("link"), status=DeliveryStatus.PENDING)
        .order_by("sequence")
        .values("sequence")[:1]
    )
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            sequence=Subquery(head_sequence),
        )
        .filter(Q(link__leased_until__isnull=True) | Q(link__leased_until__lte=now))
        .order_by("link_id")
        .values_list("link_id", flat=True)
        .distinct()
    )
