"""Per-booking e-mails to a venue (new booking, cancellation), as the venue chose."""

from typing import Any

from django.db import transaction

from passculture.bookings.models import Booking
from passculture.core.audit import record_audit
from passculture.notifications.models import VenueNotificationSettings
from passculture.notifications.services import notify


def venue_settings(venue_id: int) -> VenueNotificationSettings:
    """The venue's settings, defaults when it never saved any (unsaved row)."""
    found = VenueNotificationSettings.objects.filter(venue_id=venue_id).first()
    return found or VenueNotificationSettings(venue_id=venue_id)


def notify_venue_of_booking(*, booking: Booking, context: dict[str, Any], cancelled: bool) -> bool:
    """Queue the venue's e-mail for a new or cancelled booking when it wants one."""
    offer = booking.offer
    prefs = venue_settings(offer.venue_id)
    wanted = prefs.cancellation_emails_enabled if cancelled else prefs.booking_emails_enabled
    address = offer.booking_email or offer.venue.booking_email
    if not wanted or not address:
        return False
    return notify(
        template="venue_booking_cancelled" if cancelled else "venue_booking_new",
        context=context,
        category="booking",
        email=address,
        in_app=False,
    )


@transaction.atomic
def update_venue_settings(*, actor: Any, venue_id: int, data: dict[str, Any]) -> None:
    """Save a venue's notification choices (caller checked access); audited."""
    if not 0 <= int(data["digest_hour"]) <= 23:
        raise ValueError("digest_hour must be within 0–23")
    before = venue_settings(venue_id)
    fields = (
        "booking_emails_enabled",
        "cancellation_emails_enabled",
        "digest_enabled",
        "digest_hour",
    )
    old = {name: getattr(before, name) for name in fields}
    VenueNotificationSettings.objects.update_or_create(
        venue_id=venue_id, defaults={name: data[name] for name in fields}
    )
    record_audit(
        actor=actor,
        action="venue.notification_settings",
        obj=before.venue,
        before=old,
        after={name: data[name] for name in fields},
    )
