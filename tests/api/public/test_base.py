"""Partner API foundations: key auth, rate limit, idempotency, error shapes, docs."""

import pytest
from django.core.cache import cache

from passculture.providers import services
from passculture.providers.models import ApiKey, IdempotentResponse
from tests.api.public.conftest import PartnerClient
from tests.api.public.reference import validate_response

PROVIDER_URL = "/public/providers/v1/provider"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_missing_or_wrong_key_is_401(db, partner):
    anonymous = PartnerClient("")
    response = anonymous.client.get(PROVIDER_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    wrong = PartnerClient(partner.key[:-3] + "xyz")
    assert wrong.get(PROVIDER_URL).status_code == 401


def test_revoked_key_stops_at_once(db, partner, provider):
    assert partner.get(PROVIDER_URL).status_code == 200
    key = ApiKey.objects.get(provider=provider)
    assert key.last_used_at is not None
    services.revoke_key(actor=None, key=key)
    assert partner.get(PROVIDER_URL).status_code == 401


def test_key_secret_is_stored_hashed(db, partner):
    key = ApiKey.objects.get()
    secret = partner.key.split("_")[2]
    assert secret not in key.secret_hash and partner.key.startswith(key.prefix + "_")


def test_rate_limit_answers_429_with_retry_after(db, partner, settings):
    settings.PARTNER_API_RATE_LIMIT = 5
    codes = [partner.get(PROVIDER_URL).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429, 429]
    limited = partner.get(PROVIDER_URL)
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert "200 par minute" in limited.json()["message"]


def test_idempotency_key_replays_the_first_answer(db, partner, provider):
    body = {"notificationUrl": "https://billetterie.example/hooks"}
    headers = {"Idempotency-Key": "abc-1"}
    first = partner.patch(PROVIDER_URL, body, headers=headers)
    assert first.status_code == 200, first.content
    second = partner.patch(PROVIDER_URL, body, headers=headers)
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    other = partner.patch(PROVIDER_URL, {"notificationUrl": "https://x.example"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert IdempotentResponse.objects.count() == 1
    provider.refresh_from_db()
    assert provider.notification_url == "https://billetterie.example/hooks"


def test_validation_errors_have_the_reference_shape(db, partner):
    response = partner.patch(PROVIDER_URL, {"notificationUrl": 12})
    assert response.status_code in (400, 422)
    if response.status_code == 422:
        validate_response(PROVIDER_URL, "PATCH", 422, response.json())


def test_openapi_document_and_offline_docs(db, client):
    schema = client.get("/public/openapi.json")
    assert schema.status_code == 200
    assert "/public/providers/v1/provider" in schema.json()["paths"]
    docs = client.get("/public/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/public/openapi.json" in html
