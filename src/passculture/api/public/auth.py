"""`Authorization: Bearer <api key>`: the key's provider is `request.auth`'s provider."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from passculture.providers import keys, services
from passculture.providers.models import ApiKey


def key_from_request(request: HttpRequest) -> ApiKey | None:
    """The live key of the request (resolved once, cached on the request)."""
    if hasattr(request, "_api_key"):
        return request._api_key
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    key = keys.find_key(raw) if scheme.lower() == "bearer" and raw.strip() else None
    request._api_key = key  # type: ignore[attr-defined]
    return key


class ApiKeyAuth(HttpBearer):
    """ninja answers 401 when this returns None (missing, unknown or revoked key)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = key_from_request(request)
        if key is not None:
            services.touch_key(key)
        return key
