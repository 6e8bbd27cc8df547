"""Journeys: a pro chooses the digest hour and turns per-booking e-mails off; a young
person sees their in-app notices and reads them (the unread count goes down)."""

import pytest

from passculture.accounts.models import Role
from passculture.notifications.models import Notice, VenueNotificationSettings
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db(transaction=True)
UNREAD = '.fr-header__tools [data-testid="unread-count"]'


def log_in(page, email: str, target: str) -> None:
    page.goto(f"/comptes/connexion/?next={target}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_pro_sets_digest_hour_and_turns_booking_mails_off(page):
    pro = make_user("camille@exemple.fr", first_name="Camille", last_name="Lefèvre")
    venue = make_venue(make_offerer(pro))
    log_in(page, pro.email, f"/pro/structures/{venue.offerer_id}/")
    page.get_by_role("link", name="Notifications").first.click()
    page.get_by_role("heading", name="Notifications — Grande salle").wait_for()
    for name in ("booking_emails_enabled", "cancellation_emails_enabled"):
        page.locator(f"label[for=id_{name}]").click()  # DSFR: the label draws the box
        assert not page.locator(f"#id_{name}").is_checked()
    page.get_by_label("Heure du récapitulatif (heure de Paris)").select_option("18")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos préférences de notification sont enregistrées.").wait_for()
    shot(page, "80-pro-venue-notifications")
    saved = VenueNotificationSettings.objects.get(venue=venue)
    assert (
        saved.booking_emails_enabled,
        saved.cancellation_emails_enabled,
        saved.digest_enabled,
        saved.digest_hour,
    ) == (False, False, True, 18)


def test_youth_reads_notices_and_unread_count_goes_down(page):
    youth = make_user(
        "maelys@exemple.fr", role=Role.BENEFICIARY, first_name="Maëlys", last_name="Lefèvre"
    )
    for title in ("Réservation confirmée : Cyrano", "Réservation annulée : Hernani",
                  "Réservation confirmée : Ruy Blas"):  # fmt: skip
        Notice.objects.create(user=youth, category="booking", title=title)
    log_in(page, youth.email, "/jeunes/")
    badge = page.locator(UNREAD)
    assert badge.inner_text() == "3"
    page.locator('.fr-header__tools [data-testid="notices-link"]').click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    shot(page, "81-youth-notices-unread")
    page.get_by_role("button", name="Marquer comme lu", exact=True).first.click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    assert page.locator(UNREAD).inner_text() == "2"
    page.get_by_role("button", name="Tout marquer comme lu").click()
    page.get_by_text("2 notifications marquées comme lues.").wait_for()
    assert page.locator(UNREAD).count() == 0
    shot(page, "82-youth-notices-read")
    assert Notice.objects.filter(user=youth, read_at__isnull=True).count() == 0
