"""Pro "Intégrations": venue links, own software, API keys, deliveries log.

Everything is scoped to the user's structures (another structure's objects are 404) and a
refused form changes nothing.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.core.models import AuditEntry
from passculture.providers import keys
from passculture.providers.models import (
    ApiKey,
    DeliveryStatus,
    Provider,
    VenueProvider,
    WebhookDelivery,
)
from tests.factories import make_offerer, make_venue
from tests.providers.factories import link, make_key, make_provider

pytestmark = pytest.mark.django_db

BASE = "/pro/integrations/"


@pytest.fixture
def other_venue(other_pro):
    return make_venue(make_offerer(other_pro, name="Opéra du Rhône"), name="Salle Molière")


@pytest.fixture
def software(offerer):
    return make_provider("Guichet Lumière", offerer=offerer)


@pytest.fixture
def other_software(other_venue):
    return make_provider("Billetterie Ailleurs", offerer=other_venue.offerer)


def delivery(vp: VenueProvider, seq: int, **fields: object) -> WebhookDelivery:
    fields.setdefault("occurred_at", dt.datetime(2025, 7, 1, 10, 0, tzinfo=dt.UTC))
    return WebhookDelivery.objects.create(
        link=vp, event_type="booking.created", sequence=seq, payload={"n": seq}, **fields
    )


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [BASE, f"{BASE}logiciels/", f"{BASE}envois/", f"{BASE}logiciels/1/", f"{BASE}liens/1/"],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")


def test_without_structure_says_what_to_do(pro_client):
    page = pro_client.get(BASE).content.decode()
    assert "Ajoutez d’abord votre structure et ses lieux." in page
    assert 'aria-current="page">Intégrations' in page


def test_other_structures_objects_are_404_and_unchanged(
    pro_client, venue, other_venue, other_software
):
    other_link = link(other_software, other_venue, notification_url="https://a.fr/hook")
    other_key = ApiKey.objects.get(pk=make_key_row(other_software))
    other_delivery = delivery(other_link, 1)
    public = make_provider("Logiciel du back-office")  # administered by staff, not by me
    for method, url, data in [
        ("get", f"{BASE}liens/{other_link.pk}/", {}),
        ("post", f"{BASE}liens/{other_link.pk}/", {"notification_url": "https://moi.fr"}),
        ("get", f"{BASE}liens/{other_link.pk}/delier/", {}),
        ("post", f"{BASE}liens/{other_link.pk}/delier/", {}),
        ("post", f"{BASE}liens/{other_link.pk}/test/", {}),
        ("post", f"{BASE}lieux/{other_venue.pk}/relier/", {f"v{other_venue.pk}-provider": 1}),
        ("get", f"{BASE}logiciels/{other_software.pk}/", {}),
        ("get", f"{BASE}logiciels/{public.pk}/", {}),
        ("post", f"{BASE}logiciels/{other_software.pk}/", {"urls-notification_url": ""}),
        ("get", f"{BASE}logiciels/{other_software.pk}/secret/", {}),
        ("post", f"{BASE}logiciels/{other_software.pk}/cles/", {"key-environment": "production"}),
        ("get", f"{BASE}cles/{other_key.pk}/revoquer/", {}),
        ("post", f"{BASE}cles/{other_key.pk}/revoquer/", {}),
        ("post", f"{BASE}envois/{other_delivery.pk}/rejouer/", {}),
    ]:
        response = getattr(pro_client, method)(url, data)
        assert response.status_code == 404, (method, url)
    other_link.refresh_from_db()
    other_key.refresh_from_db()
    other_software.refresh_from_db()
    assert other_link.is_active and other_link.notification_url == "https://a.fr/hook"
    assert other_key.revoked_at is None and other_software.api_keys.count() == 1
    assert WebhookDelivery.objects.count() == 1
    assert not VenueProvider.objects.filter(venue=other_venue).exclude(pk=other_link.pk).exists()


def make_key_row(provider: Provider) -> int:
    make_key(provider)
    return provider.api_keys.get().pk


# --- venues and their software --------------------------------------------------------------


def test_overview_lists_venues_and_only_linkable_active_software(pro_client, venue, other_venue):
    linked = make_provider("Déjà Relié")
    link(linked, venue)
    make_provider("Zénith Billets")
    retired = make_provider("Ancien Logiciel")
    Provider.objects.filter(pk=retired.pk).update(is_active=False)
    page = pro_client.get(BASE).content.decode()
    assert venue.display_name in page and other_venue.display_name not in page
    select = page.split(f'name="v{venue.pk}-provider"')[1].split("</select>")[0]
    assert "Zénith Billets" in select
    assert "Déjà Relié" not in select and "Ancien Logiciel" not in select


def test_overview_query_count_does_not_grow_with_venues(pro_client, offerer, venue):
    providers = [make_provider(f"Logiciel {n}") for n in range(3)]
    link(providers[0], venue)
    with CaptureQueriesContext(connection) as few:
        pro_client.get(BASE)
    for nic in range(2, 7):
        link(providers[nic % 3], make_venue(offerer, nic=nic, name=f"Salle {nic}"))
    with CaptureQueriesContext(connection) as many:
        page = pro_client.get(BASE).content.decode()
    assert len(many) == len(few)
    assert page.count('class="pc-venue"') == 6


def test_overview_empty_state_per_venue(pro_client, venue):
    make_provider("Zénith Billets")
    page = pro_client.get(BASE).content.decode()
    assert "Aucun logiciel relié à ce lieu." in page


def test_link_venue_to_provider(pro_client, pro, venue):
    provider = make_provider("Zénith Billets")
    response = pro_client.post(
        f"{BASE}lieux/{venue.pk}/relier/", {f"v{venue.pk}-provider": provider.pk}, follow=True
    )
    vp = VenueProvider.objects.get(venue=venue, provider=provider)
    assert vp.is_active
    assert "est relié à « Zénith Billets »" in response.content.decode()
    entry = AuditEntry.objects.get(action="provider.venue_linked")
    assert entry.actor == pro and entry.object_id == str(vp.pk)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choisissez le logiciel à relier."),
        ("999999", "Ce logiciel n’est pas disponible"),
        ("retired", "Ce logiciel n’est pas disponible"),
        ("linked", "Ce logiciel n’est pas disponible"),
    ],
)
def test_link_refusals_change_nothing(pro_client, venue, value, message):
    retired = make_provider("Ancien Logiciel")
    Provider.objects.filter(pk=retired.pk).update(is_active=False)
    linked = make_provider("Déjà Relié")
    link(linked, venue)
    posted = {"retired": retired.pk, "linked": linked.pk}.get(value, value)
    url = f"{BASE}lieux/{venue.pk}/relier/"
    response = pro_client.post(url, {f"v{venue.pk}-provider": posted})
    assert response.status_code == 200 and message in response.content.decode()
    assert list(VenueProvider.objects.values_list("provider__name", flat=True)) == ["Déjà Relié"]
    assert not AuditEntry.objects.filter(action="provider.venue_linked").exists()


def test_relinking_an_unlinked_provider_reactivates_it(pro_client, venue):
    provider = make_provider("Zénith Billets")
    vp = link(provider, venue)
    VenueProvider.objects.filter(pk=vp.pk).update(is_active=False)
    pro_client.post(f"{BASE}lieux/{venue.pk}/relier/", {f"v{venue.pk}-provider": provider.pk})
    vp.refresh_from_db()
    assert vp.is_active and VenueProvider.objects.count() == 1


def test_venue_url_overrides(pro_client, venue):
    provider = make_provider("Zénith Billets", notification_url="https://zenith.fr/hooks")
    vp = link(provider, venue)
    page = pro_client.get(f"{BASE}liens/{vp.pk}/").content.decode()
    assert "Vide = adresse du logiciel : https://zenith.fr/hooks" in page
    response = pro_client.post(
        f"{BASE}liens/{vp.pk}/",
        {"notification_url": "https://salle.fr/hooks", "booking_url": "", "cancel_url": ""},
    )
    assert response.status_code == 302 and response["Location"] == BASE
    vp.refresh_from_db()
    assert vp.notification_url == "https://salle.fr/hooks" and vp.booking_url == ""
    assert vp.effective_notification_url == "https://salle.fr/hooks"
    page = pro_client.get(BASE).content.decode()
    assert "https://salle.fr/hooks" in page and "adresse propre au lieu" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pas une adresse", "Saisissez une adresse complète"),
        # Passes the form (ftp is a URL) but the service refuses it: shown as a form error.
        ("ftp://salle.fr/hooks", "indiquez une URL complète commençant par https://"),
    ],
)
def test_venue_url_refusals_change_nothing(pro_client, venue, value, message):
    vp = link(make_provider("Zénith Billets"), venue, notification_url="https://avant.fr/h")
    response = pro_client.post(f"{BASE}liens/{vp.pk}/", {"notification_url": value})
    assert response.status_code == 200 and message in response.content.decode()
    vp.refresh_from_db()
    assert vp.notification_url == "https://avant.fr/h"
    assert not AuditEntry.objects.filter(action="provider.venue_urls_updated").exists()


def test_unlink_asks_confirmation_then_unlinks(pro_client, venue):
    vp = link(make_provider("Zénith Billets"), venue)
    page = pro_client.get(f"{BASE}liens/{vp.pk}/delier/").content.decode()
    assert "Délier « Zénith Billets » de « Grande salle » ?" in page
    vp.refresh_from_db()
    assert vp.is_active
    response = pro_client.post(f"{BASE}liens/{vp.pk}/delier/", follow=True)
    vp.refresh_from_db()
    assert not vp.is_active
    assert "n’est plus relié à « Zénith Billets »" in response.content.decode()
    # An inactive link is gone from the pages: 404, not editable.
    assert pro_client.get(f"{BASE}liens/{vp.pk}/").status_code == 404


def test_send_test_event_queues_a_delivery(pro_client, venue):
    vp = link(make_provider("Zénith Billets", notification_url="https://z.fr/h"), venue)
    response = pro_client.post(f"{BASE}liens/{vp.pk}/test/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}envois/?lieu={venue.pk}"
    sent = WebhookDelivery.objects.get(link=vp)
    assert sent.is_test and sent.event_type == "test"
    page = pro_client.get(response["Location"]).content.decode()
    assert "Événement de test" in page and "en file d’envoi" in page


def test_send_test_event_without_url_is_refused(pro_client, venue):
    vp = link(make_provider("Zénith Billets"), venue)
    response = pro_client.post(f"{BASE}liens/{vp.pk}/test/", follow=True)
    assert "Indiquez d’abord une URL de notification." in response.content.decode()
    assert not WebhookDelivery.objects.exists()


# --- my software ---------------------------------------------------------------------------


def test_software_list_shows_only_my_structures_software(pro_client, software, other_software):
    page = pro_client.get(f"{BASE}logiciels/").content.decode()
    assert "Guichet Lumière" in page and "Billetterie Ailleurs" not in page


def test_register_software(pro_client, pro, offerer):
    response = pro_client.post(
        f"{BASE}logiciels/",
        {"offerer": offerer.pk, "name": "  Mon Guichet  ", "contact_email": "dev@guichet.fr",
         "notification_url": "https://guichet.fr/hooks"},
    )  # fmt: skip
    provider = Provider.objects.get(name="Mon Guichet")
    assert response["Location"] == f"{BASE}logiciels/{provider.pk}/"
    assert provider.offerer == offerer and provider.is_active
    assert provider.notification_url == "https://guichet.fr/hooks"
    assert provider.contact_email == "dev@guichet.fr"
    assert AuditEntry.objects.get(action="provider.created").actor == pro


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "guichet lumière"}, "Un logiciel porte déjà ce nom."),  # DomainError
        ({"name": ""}, "Le champ « Nom du logiciel » est obligatoire."),
        ({"name": "Neuf", "notification_url": "ftp://x.fr"}, "URL complète commençant par"),
        ({"name": "Neuf", "contact_email": "pas-un-mail"}, "Saisissez une adresse e-mail valide."),
    ],
)
def test_register_refusals_change_nothing(pro_client, offerer, software, data, message):
    response = pro_client.post(f"{BASE}logiciels/", {"offerer": offerer.pk, **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert list(Provider.objects.values_list("name", flat=True)) == ["Guichet Lumière"]


def test_register_for_another_structure_is_refused(pro_client, offerer, other_venue):
    response = pro_client.post(
        f"{BASE}logiciels/", {"offerer": other_venue.offerer_id, "name": "Intrus"}
    )
    assert "Choisissez une de vos structures." in response.content.decode()
    assert not Provider.objects.filter(name="Intrus").exists()


def test_software_urls(pro_client, software):
    software.webhooks_disabled_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    software.save()
    page = pro_client.get(f"{BASE}logiciels/{software.pk}/").content.decode()
    assert "Webhooks coupés depuis le" in page
    response = pro_client.post(
        f"{BASE}logiciels/{software.pk}/",
        {"urls-notification_url": "https://guichet.fr/v2/hooks", "urls-booking_url": "",
         "urls-cancel_url": "https://guichet.fr/cancel"},
    )  # fmt: skip
    assert response.status_code == 302
    software.refresh_from_db()
    assert software.notification_url == "https://guichet.fr/v2/hooks"
    assert software.cancel_url == "https://guichet.fr/cancel"
    assert software.webhooks_disabled_at is None  # a new URL gets a new chance


def test_software_url_refusal_changes_nothing(pro_client, software):
    Provider.objects.filter(pk=software.pk).update(notification_url="https://avant.fr/h")
    response = pro_client.post(
        f"{BASE}logiciels/{software.pk}/", {"urls-notification_url": "ftp://x.fr/h"}
    )
    assert "URL complète commençant par" in response.content.decode()
    software.refresh_from_db()
    assert software.notification_url == "https://avant.fr/h"


def test_secret_is_masked_then_revealed(pro_client, software):
    page = pro_client.get(f"{BASE}logiciels/{software.pk}/").content.decode()
    assert software.hmac_secret not in page and "Afficher le secret" in page
    fragment = pro_client.get(f"{BASE}logiciels/{software.pk}/secret/", HTTP_HX_REQUEST="true")
    assert fragment["Cache-Control"] == "no-store"
    assert software.hmac_secret in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    full = pro_client.get(f"{BASE}logiciels/{software.pk}/secret/").content.decode()
    assert software.hmac_secret in full and "<html" in full


# --- API keys ------------------------------------------------------------------------------


def test_key_is_shown_once(pro_client, pro, software):
    response = pro_client.post(
        f"{BASE}logiciels/{software.pk}/cles/",
        {"key-label": "Serveur de recette", "key-environment": "integration"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    raw = page.split('data-testid="new-key"')[1].split(">")[1].split("<")[0]
    key = ApiKey.objects.get()
    assert raw.startswith(f"{key.prefix}_") and raw.startswith("pcint_")
    assert keys.find_key(raw) == key  # the shown key really authenticates
    assert key.label == "Serveur de recette" and key.created_by == pro
    assert "elle ne sera plus jamais affichée" in page
    later = pro_client.get(f"{BASE}logiciels/{software.pk}/").content.decode()
    assert raw not in later and f"{key.prefix}…" in later and "Serveur de recette" in later
    assert raw.split("_")[2] not in later


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key-environment": "staging"}, "Environnement inconnu : intégration ou production."),
        ({}, "Choisissez l’environnement de la clé."),
        ({"key-environment": "production", "key-label": "x" * 101}, "100 caractères"),
    ],
)
def test_key_refusals_change_nothing(pro_client, software, data, message):
    response = pro_client.post(f"{BASE}logiciels/{software.pk}/cles/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_no_key_for_a_deactivated_software(pro_client, software):
    Provider.objects.filter(pk=software.pk).update(is_active=False)
    page = pro_client.get(f"{BASE}logiciels/{software.pk}/").content.decode()
    assert "Créer une clé" not in page and "aucune nouvelle clé" in page
    response = pro_client.post(
        f"{BASE}logiciels/{software.pk}/cles/", {"key-environment": "production"}
    )
    assert "Ce logiciel est désactivé par notre équipe" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoke_asks_confirmation_then_revokes(pro_client, software):
    raw = make_key(software)
    key = ApiKey.objects.get()
    page = pro_client.get(f"{BASE}cles/{key.pk}/revoquer/").content.decode()
    assert f"Révoquer la clé {key.prefix}… ?" in page
    key.refresh_from_db()
    assert key.revoked_at is None
    response = pro_client.post(f"{BASE}cles/{key.pk}/revoquer/", follow=True)
    key.refresh_from_db()
    assert key.revoked_at is not None and keys.find_key(raw) is None
    assert "est révoquée" in response.content.decode()
    again = pro_client.post(f"{BASE}cles/{key.pk}/revoquer/", follow=True)
    assert "est déjà révoquée" in again.content.decode()
    assert AuditEntry.objects.filter(action="provider.key_revoked").count() == 1


# --- deliveries ----------------------------------------------------------------------------


def test_deliveries_log_scoped_filtered_paginated(pro_client, venue, other_venue, offerer):
    second = make_venue(offerer, nic=2, name="Petite salle")
    provider = make_provider("Zénith Billets")
    mine, mine2, theirs = link(provider, venue), link(provider, second), link(provider, other_venue)
    for seq in range(1, 31):
        delivery(mine, seq, status=DeliveryStatus.DELIVERED, attempts=1, last_status_code=200)
    delivery(mine2, 1, status=DeliveryStatus.FAILED, attempts=9, last_status_code=503,
             last_error="Service indisponible")  # fmt: skip
    delivery(theirs, 1)

    page = pro_client.get(f"{BASE}envois/").content.decode()
    assert "31 envois" in page and "Page 1 sur 2" in page
    assert page.count("data-delivery=") == 25
    # 10:00 UTC on 1 July is 12:00 in Paris (summer time).
    assert "01/07/2025 12:00:00" in page
    assert "Salle Molière" not in page.split('id="lieu"')[1].split("</select>")[0]

    page2 = pro_client.get(f"{BASE}envois/?page=2").content.decode()
    assert page2.count("data-delivery=") == 6

    failed = pro_client.get(f"{BASE}envois/?statut=failed").content.decode()
    assert failed.count("data-delivery=") == 1
    assert "HTTP 503" in failed and "Service indisponible" in failed and "Petite salle" in failed
    by_venue = pro_client.get(f"{BASE}envois/?lieu={second.pk}").content.decode()
    assert by_venue.count("data-delivery=") == 1
    other = pro_client.get(f"{BASE}envois/?lieu={other_venue.pk}").content.decode()
    assert "data-delivery=" not in other and "Aucun envoi ne correspond à ces filtres." in other


def test_deliveries_query_count_does_not_grow(pro_client, venue):
    vp = link(make_provider("Zénith Billets"), venue)
    delivery(vp, 1)
    with CaptureQueriesContext(connection) as few:
        pro_client.get(f"{BASE}envois/")
    for seq in range(2, 21):
        delivery(vp, seq)
    with CaptureQueriesContext(connection) as many:
        pro_client.get(f"{BASE}envois/")
    assert len(many) == len(few)


def test_deliveries_empty_state(pro_client, venue):
    page = pro_client.get(f"{BASE}envois/").content.decode()
    assert "Aucun envoi pour l’instant." in page


def test_replay_queues_a_copy(pro_client, venue):
    vp = link(make_provider("Zénith Billets", notification_url="https://z.fr/h"), venue)
    original = delivery(vp, 1, status=DeliveryStatus.FAILED, attempts=9)
    VenueProvider.objects.filter(pk=vp.pk).update(last_sequence=1)
    response = pro_client.post(
        f"{BASE}envois/{original.pk}/rejouer/", {"retour": "statut=failed&page=1&x=//evil"}
    )
    assert response["Location"] == f"{BASE}envois/?statut=failed&page=1"
    copy = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert copy.replay_of == original and copy.event_type == original.event_type
    assert copy.sequence > original.sequence


def test_replay_of_a_pending_delivery_is_refused(pro_client, venue):
    vp = link(make_provider("Zénith Billets", notification_url="https://z.fr/h"), venue)
    pending = delivery(vp, 1)
    page = pro_client.get(f"{BASE}envois/").content.decode()
    assert "Rejouer" not in page.split(f'data-delivery="{pending.pk}"')[1].split("</tr>")[0]
    response = pro_client.post(f"{BASE}envois/{pending.pk}/rejouer/", follow=True)
    assert "Cet envoi est encore en attente" in response.content.decode()
    assert WebhookDelivery.objects.count() == 1


def test_deliveries_of_every_structure_of_the_user(pro_client, pro, venue):
    second = make_venue(make_offerer(pro, name="Cinéma Lumière"), name="Salle 1")
    provider = make_provider("Zénith Billets")
    first_delivery, second_delivery = (
        delivery(link(provider, venue), 1),
        delivery(link(provider, second), 1),
    )
    page = pro_client.get(f"{BASE}envois/").content.decode()
    assert f'data-delivery="{first_delivery.pk}"' in page
    assert f'data-delivery="{second_delivery.pk}"' in page
