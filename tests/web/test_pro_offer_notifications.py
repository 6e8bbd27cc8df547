"""An offer's own per-booking e-mail choice overrides its venue's (page, service, e-mails)."""

import pytest
from django.core import mail
from django.urls import reverse

from passculture.bookings import services as bookings
from passculture.core import clock
from passculture.core.audit import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.notifications import venue as venue_notifications
from passculture.notifications.models import OfferNotificationSettings
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db
ADDRESS = "billetterie@celestins.fr"


def _venue_mails() -> list[str]:
    run_pending_tasks()
    return [m.subject for m in mail.outbox if m.to == [ADDRESS]]


def _book(stock):
    with clock.frozen_at(NOW):
        return bookings.book_offer(user=make_beneficiary(15_000), stock_id=stock.pk)


def _cancel(booking):
    with clock.frozen_at(NOW):
        bookings.cancel_by_beneficiary(user=booking.user, booking_id=booking.pk)


def test_offer_off_silences_its_booking_mails_while_other_offers_keep_them(venue):
    quiet = make_bookable_offer(venue, name="Offre discrète")
    loud = make_bookable_offer(venue, name="Offre bavarde")
    venue_notifications.update_offer_settings(
        actor="SYSTEM",
        offer=quiet.offer,
        data={"booking_emails_enabled": False, "cancellation_emails_enabled": None},
    )
    booking = _book(quiet)
    _book(loud)
    subjects = _venue_mails()
    assert any("Offre bavarde" in s for s in subjects)
    assert not any("Offre discrète" in s for s in subjects)
    mail.outbox.clear()
    _cancel(booking)  # cancellations still follow the venue (on by default)
    assert any("Offre discrète" in s for s in _venue_mails())


def test_offer_on_wins_over_a_venue_that_turned_mails_off(venue):
    venue_notifications.update_venue_settings(
        actor="SYSTEM",
        venue_id=venue.pk,
        data={
            "booking_emails_enabled": False,
            "cancellation_emails_enabled": False,
            "digest_enabled": True,
            "digest_hour": 8,
        },
    )
    wanted = make_bookable_offer(venue, name="Offre suivie")
    other = make_bookable_offer(venue, name="Offre muette")
    venue_notifications.update_offer_settings(
        actor="SYSTEM",
        offer=wanted.offer,
        data={"booking_emails_enabled": True, "cancellation_emails_enabled": None},
    )
    _book(wanted)
    _book(other)
    subjects = _venue_mails()
    assert [s for s in subjects if "Offre" in s] and all("Offre suivie" in s for s in subjects)


def test_service_refuses_bad_values_and_both_none_removes_the_row(venue):
    stock = make_bookable_offer(venue)
    with pytest.raises(ValueError):
        venue_notifications.update_offer_settings(
            actor="SYSTEM", offer=stock.offer, data={"digest_hour": 3}
        )
    assert not OfferNotificationSettings.objects.exists()
    data = {"booking_emails_enabled": False, "cancellation_emails_enabled": True}
    venue_notifications.update_offer_settings(actor="SYSTEM", offer=stock.offer, data=data)
    assert OfferNotificationSettings.objects.get().cancellation_emails_enabled is True
    none = dict.fromkeys(data)
    venue_notifications.update_offer_settings(actor="SYSTEM", offer=stock.offer, data=none)
    assert not OfferNotificationSettings.objects.exists()
    entries = AuditEntry.objects.filter(action="offer.notification_settings")
    assert entries.count() == 2


@pytest.fixture
def pro_and_offer(venue):
    stock = make_bookable_offer(venue, name="Cyrano")
    user = venue.offerer.memberships.get().user
    return user, stock.offer


def test_page_shows_venue_default_and_saves_the_offer_choice(client, pro_and_offer):
    user, offer = pro_and_offer
    client.force_login(user)
    url = reverse("pro:offer_notifications", args=[offer.pk])
    page = client.get(url).content.decode()
    assert "Comme le lieu (actuellement : oui)" in page and ADDRESS in page
    edit = client.get(reverse("pro:offer_edit", args=[offer.pk])).content.decode()
    assert url in edit
    response = client.post(
        url, {"booking_emails_enabled": "off", "cancellation_emails_enabled": "venue"}
    )
    assert response.status_code == 302
    saved = OfferNotificationSettings.objects.get(offer=offer)
    assert (saved.booking_emails_enabled, saved.cancellation_emails_enabled) == (False, None)
    assert "sont enregistrés" in client.get(url).content.decode()


def test_bad_post_changes_nothing_and_other_structures_get_404(client, pro_and_offer):
    user, offer = pro_and_offer
    client.force_login(user)
    url = reverse("pro:offer_notifications", args=[offer.pk])
    response = client.post(url, {"booking_emails_enabled": "peut-être"})
    assert response.status_code == 200
    assert "Choisissez une des options proposées." in response.content.decode()
    assert not OfferNotificationSettings.objects.exists()
    stranger = make_user("autre@theatre.fr")
    other = make_offerer(stranger, name="Autre structure")
    make_venue(other)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"booking_emails_enabled": "off"}).status_code == 404
    assert not OfferNotificationSettings.objects.exists()


def test_venue_page_lists_the_offers_with_their_own_choice(client, pro_and_offer, venue):
    user, offer = pro_and_offer
    make_bookable_offer(venue, name="Offre ordinaire")
    client.force_login(user)
    url = reverse("pro:venue_notifications", args=[venue.pk])
    assert (
        "Toutes les offres de ce lieu suivent le choix ci-dessus."
        in client.get(url).content.decode()
    )
    venue_notifications.update_offer_settings(
        actor=user,
        offer=offer,
        data={"booking_emails_enabled": False, "cancellation_emails_enabled": None},
    )
    page = client.get(url).content.decode()
    table = page[page.index('data-testid="offer-exceptions"') :]
    assert reverse("pro:offer_notifications", args=[offer.pk]) in table
    assert "<td>non</td>" in table and "<td>comme le lieu</td>" in table
    assert "Offre ordinaire" not in table
