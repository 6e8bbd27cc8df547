"""Daily purges: Idempotency-Key answers after 24 h, settled webhook rows after 90 days."""

import datetime as dt

from passculture.core import clock
from passculture.providers import services
from passculture.providers.models import (
    ApiKey,
    DeliveryStatus,
    IdempotentResponse,
    WebhookDelivery,
)
from tests.providers.factories import link, make_key, make_provider


def test_purges_keep_what_is_still_needed(db, venue):
    provider = make_provider()
    make_key(provider)
    vp = link(provider, venue, notification_url="https://hooks.example/a")
    key = ApiKey.objects.get()
    now = clock.now()
    for name, age in (("old", 25), ("fresh", 23)):
        IdempotentResponse.objects.create(
            api_key=key, key=name, method="POST", path="/p", body_hash="h", status_code=200,
            body=b"{}", content_type="application/json",
            created_at=now - dt.timedelta(hours=age),
        )  # fmt: skip
    rows = {}
    for seq, (status, days) in enumerate(
        [
            (DeliveryStatus.DELIVERED, 91),
            (DeliveryStatus.PENDING, 91),
            (DeliveryStatus.DELIVERED, 10),
        ],
        start=1,
    ):
        rows[seq] = WebhookDelivery.objects.create(
            link=vp, event_type="test", sequence=seq, payload={}, status=status,
            occurred_at=now - dt.timedelta(days=days),
        )  # fmt: skip
    assert services.purge_idempotency() == 1
    assert list(IdempotentResponse.objects.values_list("key", flat=True)) == ["fresh"]
    assert services.purge_settled_deliveries() == 1
    assert sorted(WebhookDelivery.objects.values_list("sequence", flat=True)) == [2, 3]
