"""Per-key rate limit (200 requests a minute) and `Idempotency-Key` replay for POST/PATCH.

Both run as a middleware around the partner API, before ninja: a limited request costs no
database work, and a replayed request never reaches the endpoint again.

The rate limit is a fixed one-minute window counted in the cache (Redis in production, so
every web process shares it; per process with the local-memory default).
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from passculture.api.public.auth import key_from_request
from passculture.core import clock
from passculture.providers.models import ApiKey, IdempotentResponse
from passculture.providers.services import IDEMPOTENCY_TTL

API_PREFIXES = ("/public/", "/v2/collective/")
DOCS_PATHS = ("/public/openapi.json", "/public/docs")
IDEMPOTENT_METHODS = {"POST", "PATCH"}
IN_FLIGHT = 0  # status_code of a claimed key whose first request has not answered yet


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "global": [message]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def retry_after(key_id: int) -> int | None:
    """Count this request; seconds to wait when the key is over its limit, else None."""
    limit = getattr(settings, "PARTNER_API_RATE_LIMIT", 200)
    now = time.time()
    window = int(now // 60)
    name = f"partner-api-rate:{key_id}:{window}"
    cache.add(name, 0, timeout=120)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=120)
        count = 1
    if count <= limit:
        return None
    return max(1, int((window + 1) * 60 - now) + 1)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(stored: IdempotentResponse) -> HttpResponse:
    response = HttpResponse(
        bytes(stored.body), status=stored.status_code, content_type=stored.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: HttpRequest, key: ApiKey, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Run the request once per (key, Idempotency-Key) for 24 h; replay the first answer."""
    name = request.headers.get("Idempotency-Key", "").strip()
    if not name or len(name) > 255:
        return _json(400, "invalid_idempotency_key", "En-tête Idempotency-Key vide ou trop long.")
    fingerprint = _fingerprint(request)
    now = clock.now()
    IdempotentResponse.objects.filter(
        api_key=key, key=name, created_at__lt=now - IDEMPOTENCY_TTL
    ).delete()
    try:
        with transaction.atomic():
            claim = IdempotentResponse.objects.create(
                api_key=key,
                key=name,
                method=request.method or "",
                path=request.path[:500],
                body_hash=fingerprint,
                status_code=IN_FLIGHT,
                body=b"",
                content_type="",
                created_at=now,
            )
    except IntegrityError:
        stored = IdempotentResponse.objects.filter(api_key=key, key=name).first()
        if stored is None:  # purged meanwhile: let the client retry
            return _json(409, "idempotency_conflict", "Requête concurrente : réessayez.")
        if stored.body_hash != fingerprint:
            return _json(
                409,
                "idempotency_key_reused",
                "Cette clé Idempotency-Key a déjà servi pour une autre requête.",
            )
        if stored.status_code == IN_FLIGHT:
            return _json(
                409, "idempotency_in_progress", "La première requête avec cette clé est en cours."
            )
        return _replay(stored)
    response = get_response(request)
    if response.status_code >= 500 or getattr(response, "streaming", False):
        claim.delete()  # a server failure is not an answer: the client may retry
        return response
    IdempotentResponse.objects.filter(pk=claim.pk).update(
        status_code=response.status_code,
        body=response.content,
        content_type=response.get("Content-Type", "application/json"),
    )
    return response


class PartnerApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith(API_PREFIXES) or path.startswith(DOCS_PATHS):
            return self.get_response(request)
        key = key_from_request(request)
        if key is None:  # ninja answers 401
            return self.get_response(request)
        wait = retry_after(key.pk)
        if wait is not None:
            response = _json(
                429,
                "rate_limited",
                "Trop de requêtes : 200 par minute au plus par clé. Réessayez plus tard.",
            )
            response["Retry-After"] = str(wait)
            return response
        if request.method in IDEMPOTENT_METHODS and "Idempotency-Key" in request.headers:
            return idempotent(request, key, self.get_response)
        return self.get_response(request)


__all__ = ["PartnerApiMiddleware", "retry_after"]
