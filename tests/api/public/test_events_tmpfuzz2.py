"""schemathesis over our own OpenAPI document: no 5xx on any generated input, and every
documented response conforms to our schema. Bounded examples per operation so that it
fits in `make test`; the key is valid, so generated requests reach the endpoints."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from passculture.api.public.api import api
from tests.api.public.conftest import PartnerClient  # noqa: F401  (fixtures' module)

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = get_wsgi_application()


@pytest.fixture
def fuzz_key(partner, settings):
    settings.PARTNER_API_RATE_LIMIT = 1_000_000
    cache.clear()
    # As Django's test client does: a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield partner.key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db(transaction=False)
def test_no_server_error_and_conforming_responses(case, fuzz_key):
    # schemathesis generates its own (empty) bearer header from the security scheme.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {fuzz_key}"}
    response = case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance],
    )
    # The key must be accepted, or the fuzzing would only ever exercise the 401 path.
    assert response.status_code != 401, response.text
