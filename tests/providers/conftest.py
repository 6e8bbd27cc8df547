"""Fixtures of webhook and ticketing tests: a real local receiver, a provider listening to
`venue`, the clock frozen at the booking tests' NOW."""

import pytest

from passculture.core import clock
from passculture.providers.models import Provider, VenueProvider
from tests.bookings.factories import NOW
from tests.providers.factories import link, make_provider
from tests.providers.receiver import Receiver


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def provider(db, receiver) -> Provider:
    return make_provider(notification_url=f"{receiver.url}/hooks")


@pytest.fixture
def stream(provider, venue) -> VenueProvider:
    """`venue` linked to `provider`, whose notification URL is the receiver's /hooks."""
    return link(provider, venue)
