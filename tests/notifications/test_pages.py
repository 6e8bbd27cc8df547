"""Pages: youth notices (unread count, mark read, scoping), venue settings, dev e-mails."""

import pytest

from passculture.core.audit import AuditEntry
from passculture.notifications.models import Notice, NotificationLog, VenueNotificationSettings
from tests.bookings.factories import make_youth

pytestmark = pytest.mark.django_db


def _notices(user, count):
    return [
        Notice.objects.create(user=user, category="booking", title=f"Réservation n°{i}")
        for i in range(count)
    ]


def test_notices_newest_first_with_unread_badge_and_scoped(client, django_assert_max_num_queries):
    lea, ines = make_youth(), make_youth()
    _notices(lea, 3)
    Notice.objects.create(user=ines, category="booking", title="Réservation d’Inès")
    client.force_login(lea)
    with django_assert_max_num_queries(7):
        page = client.get("/jeunes/notifications/").content.decode()
    assert (
        page.index("Réservation n°2")
        < page.index("Réservation n°1")
        < page.index("Réservation n°0")
    )
    assert "Inès" not in page
    assert 'data-testid="unread-count" aria-label="3 non lues">3</span>' in page


def test_mark_one_and_all_read_only_touches_my_notices(client):
    lea, ines = make_youth(), make_youth()
    first, second, third = _notices(lea, 3)
    other = Notice.objects.create(user=ines, category="booking", title="Autre")
    client.force_login(lea)
    response = client.post(f"/jeunes/notifications/{first.pk}/lire/")
    assert response.status_code == 302
    assert (
        'aria-label="2 non lues">2</span>' in client.get("/jeunes/notifications/").content.decode()
    )
    client.post(f"/jeunes/notifications/{other.pk}/lire/")  # someone else's: nothing happens
    other.refresh_from_db()
    assert other.read_at is None
    page = client.post("/jeunes/notifications/tout-lire/", follow=True).content.decode()
    assert "2 notifications marquées comme lues." in page
    assert "unread-count" not in page
    assert Notice.objects.filter(user=lea, read_at__isnull=True).count() == 0
    assert Notice.objects.get(pk=other.pk).read_at is None


def test_notices_are_paginated(client):
    lea = make_youth()
    _notices(lea, 25)
    client.force_login(lea)
    first = client.get("/jeunes/notifications/").content.decode()
    assert "Page 1 sur 2" in first and "Réservation n°24" in first and "n°4<" not in first
    second = client.get("/jeunes/notifications/?page=2").content.decode()
    assert "Réservation n°4<" in second and "Réservation n°0<" in second


def test_pro_sets_venue_notification_settings(pro_client, pro, venue):
    url = f"/pro/lieux/{venue.pk}/notifications/"
    page = pro_client.get(url).content.decode()
    assert "Heure du récapitulatif (heure de Paris)" in page
    response = pro_client.post(url, {"digest_enabled": "on", "digest_hour": "18"})
    assert response.status_code == 302
    saved = VenueNotificationSettings.objects.get(venue=venue)
    assert (
        saved.booking_emails_enabled,
        saved.cancellation_emails_enabled,
        saved.digest_enabled,
        saved.digest_hour,
    ) == (False, False, True, 18)
    audit = AuditEntry.objects.get(action="venue.notification_settings")
    assert audit.after == {
        "booking_emails_enabled": False,
        "cancellation_emails_enabled": False,
        "digest_enabled": True,
        "digest_hour": 18,
    }


def test_venue_settings_bad_hour_and_other_structure_change_nothing(client, venue, other_pro):
    client.force_login(other_pro)
    assert client.get(f"/pro/lieux/{venue.pk}/notifications/").status_code == 404
    assert (
        client.post(f"/pro/lieux/{venue.pk}/notifications/", {"digest_hour": "3"}).status_code
        == 404
    )
    client.force_login(venue.offerer.memberships.first().user)
    page = client.post(f"/pro/lieux/{venue.pk}/notifications/", {"digest_hour": "24"})
    assert page.status_code == 200
    assert "Sélectionnez un choix valide" in page.content.decode()
    assert VenueNotificationSettings.objects.count() == 0
    assert AuditEntry.objects.filter(action="venue.notification_settings").count() == 0


def test_dev_emails_page_outside_production_only(client, settings, pro):
    NotificationLog.objects.create(
        recipient="lea@exemple.fr", template="notice", category="booking",
        subject="Réservation confirmée : Été indien", body="Bonjour Léa", status="sent",
    )  # fmt: skip
    assert client.get("/pro/dev/emails/").status_code == 404  # anonymous, DEBUG off
    client.force_login(pro)
    page = client.get("/pro/dev/emails/").content.decode()
    assert "Réservation confirmée : Été indien" in page and "lea@exemple.fr" in page
    assert client.get("/jeunes/dev/emails/").status_code == 200
    settings.PRODUCTION = True
    assert client.get("/pro/dev/emails/").status_code == 404


def test_offerer_page_links_to_venue_notifications(pro_client, venue):
    page = pro_client.get(f"/pro/structures/{venue.offerer_id}/").content.decode()
    assert f"/pro/lieux/{venue.pk}/notifications/" in page
