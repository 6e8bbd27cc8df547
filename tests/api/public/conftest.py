"""Fixtures of partner API tests: a provider, its key, a venue linked to it, and a client."""

import json
from typing import Any

import pytest
from django.test import Client

from tests import factories
from tests.providers.factories import link, make_key, make_provider


class PartnerClient:
    """Django's test client with the key's Bearer header and JSON bodies."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any):
        return self.client.get(path, params or {}, headers=self._headers(kw.pop("headers", None)))

    def _send(self, method: str, path: str, body: Any = None, **kw: Any):
        send = getattr(self.client, method)
        data = json.dumps(body) if body is not None else ""
        return send(
            path,
            data=data,
            content_type="application/json",
            headers=self._headers(kw.pop("headers", None)),
        )

    def post(self, path: str, body: Any = None, **kw: Any):
        return self._send("post", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any):
        return self._send("patch", path, body, **kw)

    def delete(self, path: str, **kw: Any):
        return self._send("delete", path, None, **kw)


@pytest.fixture
def provider(db):
    return make_provider()


@pytest.fixture
def partner_venue(offerer):
    return factories.make_venue(offerer, nic=7, name="Théâtre de l’Échangeur")


@pytest.fixture
def venue_link(provider, partner_venue):
    return link(provider, partner_venue)


@pytest.fixture
def partner(provider, venue_link) -> PartnerClient:
    """A client whose key reaches `partner_venue` only."""
    return PartnerClient(make_key(provider))


@pytest.fixture
def outsider_venue(other_pro):
    """A venue of another structure, not linked to the provider."""
    return factories.make_venue(factories.make_offerer(other_pro), nic=3, name="Salle voisine")
