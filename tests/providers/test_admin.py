"""Back office for partner software: registration through the service, keys shown once,
revocation, venue links, test events and replays — each an audited service call."""

import pytest
from django.contrib.messages import get_messages

from passculture.bookings import services as booking_services
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.providers import keys
from passculture.providers.models import ApiKey, Provider, VenueProvider, WebhookDelivery
from tests.bookings.factories import make_beneficiary, make_bookable_offer

pytestmark = pytest.mark.django_db

BASE = "/backoffice/providers"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _provider_form(**values: str) -> dict[str, str]:
    return {
        "name": "Billetterie Lumière",
        "contact_email": "tech@lumiere.fr",
        "logo_url": "",
        "is_active": "on",
        "offerer": "",
        "notification_url": "https://lumiere.fr/hooks",
        "booking_url": "",
        "cancel_url": "",
        **values,
    }


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_registers_a_provider_with_its_technical_user(staff_client, staff):
    response = staff_client.post(f"{BASE}/provider/add/", _provider_form())
    assert response.status_code == 302
    provider = Provider.objects.get(name="Billetterie Lumière")
    assert provider.service_user.email.startswith("api+billetterie-lumiere-")
    assert len(provider.hmac_secret) == 64
    assert provider.notification_url == "https://lumiere.fr/hooks"
    entry = AuditEntry.objects.get(action="provider.created")
    assert entry.actor_id == staff.pk


def test_a_bad_url_is_a_form_error_and_creates_nothing(staff_client):
    response = staff_client.post(
        f"{BASE}/provider/add/", _provider_form(notification_url="ftp://lumiere.fr")
    )
    assert response.status_code == 200
    assert "commençant par https://" in response.content.decode()
    assert not Provider.objects.exists()


def test_changing_the_notification_url_goes_through_the_service(staff_client, provider):
    Provider.objects.filter(pk=provider.pk).update(webhooks_disabled_at="2027-01-04T08:00Z")
    response = staff_client.post(
        f"{BASE}/provider/{provider.pk}/change/",
        _provider_form(name=provider.name, notification_url="https://neuf.fr/hooks"),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.notification_url == "https://neuf.fr/hooks"
    assert provider.webhooks_disabled_at is None  # a new URL gets a new chance
    assert AuditEntry.objects.filter(action="provider.urls_updated").count() == 1


def test_issue_key_shows_it_once_and_it_works(staff_client, provider):
    response = staff_client.post(
        f"{BASE}/provider/",
        {"action": "issue_production_key", "_selected_action": [provider.pk]},
    )
    [message] = _messages(response)
    raw = message.split(" : ")[1].split(" — ")[0]
    key = keys.find_key(raw)
    assert key is not None and key.provider == provider
    assert raw not in str(list(ApiKey.objects.values()))  # only its hash is kept


def test_revoke_key_action(staff_client, provider):
    staff_client.post(
        f"{BASE}/provider/",
        {"action": "issue_integration_key", "_selected_action": [provider.pk]},
    )
    key = ApiKey.objects.get()
    staff_client.post(f"{BASE}/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert staff_client.get(f"{BASE}/apikey/add/").status_code == 403


def test_link_a_venue_and_send_a_test_event(staff_client, receiver, provider, venue):
    response = staff_client.post(
        f"{BASE}/venueprovider/add/",
        {
            "provider": provider.pk,
            "venue": venue.pk,
            "is_active": "on",
            "notification_url": "",
            "booking_url": f"{receiver.url}/billets",
            "cancel_url": "",
        },
    )
    assert response.status_code == 302
    vp = VenueProvider.objects.get()
    assert vp.booking_url == f"{receiver.url}/billets"
    assert AuditEntry.objects.filter(action="provider.venue_linked").count() == 1
    staff_client.post(
        f"{BASE}/venueprovider/", {"action": "send_test", "_selected_action": [vp.pk]}
    )
    run_pending_tasks()
    assert [r.json["type"] for r in receiver.requests] == ["test"]


def test_replay_action_on_the_delivery_log(staff_client, receiver, provider, stream, venue):
    stock = make_bookable_offer(venue)
    booking_services.book_offer(user=make_beneficiary(), stock_id=stock.pk)
    run_pending_tasks()
    original = WebhookDelivery.objects.get()
    response = staff_client.post(
        f"{BASE}/webhookdelivery/", {"action": "replay", "_selected_action": [original.pk]}
    )
    assert _messages(response) == ["1 envoi(s) remis en file."]
    run_pending_tasks()
    assert [r.json["id"] for r in receiver.requests] == [str(original.event_id)] * 2
    assert staff_client.get(f"{BASE}/webhookdelivery/{original.pk}/change/").status_code == 200
