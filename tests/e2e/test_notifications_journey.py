"""Journeys: a pro chooses the digest hour and turns per-booking e-mails off; a young
person sees their in-app notices and reads them (the unread count goes down), then turns
reminders off on the preferences page; a pro and a head open their notices from the header."""

import pytest

from passculture.accounts.models import Role
from passculture.bookings import services as bookings
from passculture.core import clock
from passculture.notifications.models import Notice, Preference, VenueNotificationSettings
from tests.bookings.factories import NOW, give_deposit, make_bookable_offer, make_youth
from tests.collective.factories import make_member, make_school
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
    page.locator("#content").get_by_role("link", name="Notifications").first.click()
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
    """The notices come from real bookings (confirmation, cancellation), not hand-made rows."""
    youth = make_youth("maelys@exemple.fr", first_name="Maëlys", last_name="Lefèvre")
    youth.set_password(PASSWORD)
    youth.save()
    give_deposit(youth, 15_000)
    venue = make_venue(make_offerer(make_user("salle@exemple.fr")))
    with clock.frozen_at(NOW):
        cyrano = bookings.book_offer(user=youth, stock_id=make_bookable_offer(venue).pk)
        hernani = make_bookable_offer(venue, name="Hernani")
        cancelled = bookings.book_offer(user=youth, stock_id=hernani.pk)
        bookings.cancel_by_beneficiary(user=youth, booking_id=cancelled.pk)
    log_in(page, youth.email, "/jeunes/")
    badge = page.locator(UNREAD)
    assert badge.inner_text() == "3"
    page.locator('.fr-header__tools [data-testid="notices-link"]').click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    notices = page.get_by_test_id("notice-unread")
    assert notices.count() == 3
    assert "Réservation annulée : Hernani" in notices.first.inner_text()
    confirmation = notices.filter(has_text="Réservation confirmée : Cyrano de Bergerac")
    assert f"Votre contremarque : {cyrano.token}" in confirmation.inner_text()
    shot(page, "81-youth-notices-unread")
    page.get_by_role("button", name="Marquer comme lu", exact=True).first.click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    assert page.locator(UNREAD).inner_text() == "2"
    page.get_by_role("button", name="Tout marquer comme lu").click()
    page.get_by_text("2 notifications marquées comme lues.").wait_for()
    assert page.locator(UNREAD).count() == 0
    shot(page, "82-youth-notices-read")
    assert Notice.objects.filter(user=youth, read_at__isnull=True).count() == 0


def test_youth_turns_reminders_off_on_the_preferences_page(page):
    youth = make_user(
        "noemie@exemple.fr", role=Role.BENEFICIARY, first_name="Noémie", last_name="Gauthier"
    )
    Notice.objects.create(user=youth, category="booking", title="Réservation confirmée : Phèdre")
    log_in(page, youth.email, "/jeunes/notifications/")
    page.get_by_role("heading", name="Mes notifications").wait_for()
    page.get_by_role("link", name="Gérer mes préférences de notification").click()
    page.get_by_role("heading", name="Mes préférences de notification").wait_for()
    assert page.locator("#id_reminder").is_checked()
    page.locator("label[for=id_reminder]").click()  # DSFR: the label draws the box
    assert not page.locator("#id_reminder").is_checked()
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    page.get_by_text("Vos préférences sont enregistrées.").wait_for()
    assert not page.locator("#id_reminder").is_checked()
    assert page.locator("#id_campaign").is_checked()
    shot(page, "83-youth-notification-preferences")
    assert dict(Preference.objects.filter(user=youth).values_list("category", "enabled")) == {
        "reminder": False,
        "campaign": True,
    }
    page.reload()
    assert not page.locator("#id_reminder").is_checked()


def test_pro_and_teacher_open_their_notices_from_the_header(page):
    pro = make_user("camille@exemple.fr", first_name="Camille", last_name="Lefèvre")
    venue = make_venue(make_offerer(pro))
    Notice.objects.create(user=pro, category="offer", title="Offre validée : Le Cid")
    log_in(page, pro.email, "/pro/")
    assert page.locator(UNREAD).inner_text() == "1"
    page.locator('.fr-header__tools [data-testid="notices-link"]').click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    page.get_by_text("Offre validée : Le Cid").wait_for()
    page.get_by_role("link", name="Gérer mes préférences de notification").click()
    page.get_by_role("heading", name="Mes préférences de notification").wait_for()
    shot(page, "84-pro-notification-preferences")
    page.get_by_role("link", name=venue.display_name).click()
    page.get_by_role("heading", name=f"Notifications — {venue.display_name}").wait_for()
    page.get_by_role("button", name="Se déconnecter").click()

    school = make_school()
    head = make_member(school, role="head", email="principal@ac-lyon.fr")
    head.set_password(PASSWORD)
    head.save(update_fields=["password"])
    Notice.objects.create(user=head, category="collective", title="Réservation refusée : Atelier")
    log_in(page, head.email, "/enseignants/")
    assert page.locator(UNREAD).inner_text() == "1"
    page.locator('.fr-header__tools [data-testid="notices-link"]').click()
    page.get_by_text("Réservation refusée : Atelier").wait_for()
    shot(page, "85-teacher-notices")
    page.get_by_role("button", name="Marquer comme lu", exact=True).click()
    page.get_by_role("heading", name="Mes notifications").wait_for()
    assert page.locator(UNREAD).count() == 0
