"""Journey: a pro links a venue to a ticketing software, registers its own software, creates
an API key (read once), revokes it, overrides a venue's notification URL with a real local
receiver, sends a test event, sees it delivered and replays it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from passculture.providers import delivery, keys
from passculture.providers.models import ApiKey, Provider, VenueProvider, WebhookDelivery
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue
from tests.providers.factories import make_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Receiver(BaseHTTPRequestHandler):
    """The partner's webhook endpoint: records what it gets, answers 204."""

    received: list[tuple[object, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received.append((self.headers, body))  # case-insensitive lookups
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


def login(page, email):
    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Bonjour").wait_for()


def test_pro_links_venue_registers_software_and_manages_keys(page, receiver):
    pro = make_user("technique@scene-nationale.fr", first_name="Inès", last_name="Château")
    offerer = make_offerer(pro, name="Scène nationale d’Aubervilliers")
    venue = make_venue(offerer, name="Grande salle Jean-Vilar")
    make_venue(offerer, nic=2, name="Studio des Ormes")
    vendor = make_provider("Billetterie Étoile", notification_url="https://etoile.example/hooks")
    login(page, pro.email)

    # 1. Link the venue to the vendor's software.
    page.get_by_role("link", name="Intégrations").first.click()
    page.get_by_role("heading", name="Intégrations").wait_for()
    shot(page, "70-integrations-empty")
    block = page.get_by_test_id(f"venue-{venue.pk}")
    block.get_by_label("Logiciel").select_option(label="Billetterie Étoile")
    block.get_by_role("button", name="Relier").click()
    page.get_by_text("est relié à « Billetterie Étoile »").wait_for()
    link = VenueProvider.objects.get(venue=venue, provider=vendor)
    assert link.is_active
    shot(page, "71-integrations-linked")

    # 2. Register our own software.
    page.get_by_role("link", name="Mes logiciels").click()
    page.get_by_test_id("empty-software").wait_for()
    page.get_by_label("Nom du logiciel").fill("Guichet maison")
    page.get_by_label("Adresse de notification (webhooks)").fill("pas une adresse")
    page.get_by_role("button", name="Enregistrer le logiciel").click()
    page.get_by_text("Saisissez une adresse complète").wait_for()
    shot(page, "72-software-form-error")
    assert not Provider.objects.filter(name="Guichet maison").exists()
    page.get_by_label("Adresse de notification (webhooks)").fill("https://guichet.example/hooks")
    page.get_by_role("button", name="Enregistrer le logiciel").click()
    page.get_by_text("Le logiciel « Guichet maison » est enregistré.").wait_for()
    own = Provider.objects.get(name="Guichet maison")
    assert own.offerer == offerer and own.notification_url == "https://guichet.example/hooks"
    page.get_by_role("link", name="Afficher le secret").click()
    page.get_by_test_id("secret-value").wait_for()
    assert page.get_by_test_id("secret-value").inner_text().strip() == own.hmac_secret
    shot(page, "73-software-detail")

    # 3. Create a key: it is shown once.
    page.get_by_label("Libellé (facultatif)").fill("Serveur de recette")
    page.get_by_label("Intégration (tests)").check(force=True)
    page.get_by_role("button", name="Créer une clé").click()
    page.get_by_text("elle ne sera plus jamais affichée").wait_for()
    raw = page.get_by_test_id("new-key").inner_text().strip()
    key = ApiKey.objects.get(provider=own)
    assert keys.find_key(raw) == key and raw.startswith("pcint_")
    shot(page, "74-key-created")
    page.get_by_role("link", name="J’ai copié la clé").click()
    row = page.locator(f"tr[data-key='{key.pk}']")
    row.wait_for()
    assert raw not in page.content() and "Serveur de recette" in row.inner_text()

    # 4. Revoke it, after a confirmation.
    row.get_by_role("link", name="Révoquer").click()
    page.get_by_role("heading", name="Révoquer la clé").wait_for()
    shot(page, "75-key-revoke-confirm")
    page.get_by_role("button", name="Révoquer la clé").click()
    page.get_by_text("est révoquée").wait_for()
    key.refresh_from_db()
    assert key.revoked_at is not None and keys.find_key(raw) is None
    shot(page, "76-key-revoked")

    # 5. The venue sends its events to its own address.
    page.get_by_role("link", name="Lieux et logiciels").click()
    page.locator(f"tr[data-link='{link.pk}']").get_by_role(
        "link", name="Adresses propres au lieu"
    ).click()
    page.get_by_text("Vide = adresse du logiciel : https://etoile.example/hooks").wait_for()
    shot(page, "77-link-urls")
    page.get_by_label("Adresse de notification (webhooks)").fill(receiver)
    page.get_by_role("button", name="Enregistrer les adresses").click()
    page.get_by_text("sont enregistrées").wait_for()
    link.refresh_from_db()
    assert link.notification_url == receiver
    page.get_by_text("adresse propre au lieu").wait_for()
    shot(page, "78-integrations-override")

    # 6. A test event: queued, sent by the worker to the venue's own address, then replayed.
    page.locator(f"tr[data-link='{link.pk}']").get_by_role(
        "button", name="Envoyer un événement de test"
    ).click()
    page.get_by_test_id("delivery-table").wait_for()
    sent = WebhookDelivery.objects.get(link=link)
    assert sent.is_test and sent.status == "pending"
    assert delivery.deliver_stream(link.pk) == 1  # what the task worker runs
    [(headers, body)] = Receiver.received
    event = json.loads(body)
    assert event["type"] == "test" and event["id"] == str(sent.event_id)
    timestamp = int(headers["PassCulture-Signature"].split(",")[0].removeprefix("t="))
    assert headers["PassCulture-Signature"] == delivery.signature(
        vendor.hmac_secret, timestamp, body
    )
    page.reload()
    row = page.locator(f"tr[data-delivery='{sent.pk}']")
    text = row.inner_text()  # badges are uppercased by CSS
    assert "livrée" in text.lower() and "HTTP 204" in text
    row.get_by_role("button", name="Rejouer").click()
    page.get_by_text("est renvoyé").wait_for()
    copy = WebhookDelivery.objects.get(replay_of=sent)
    assert copy.payload["id"] == event["id"] and copy.sequence == sent.sequence + 1
    page.locator(f"tr[data-delivery='{copy.pk}']").get_by_text("rejoué").wait_for()
    shot(page, "79-deliveries")
