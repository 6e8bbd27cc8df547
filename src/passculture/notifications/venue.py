"""Per-booking e-mails to a venue (new booking, cancellation), as the venue — or the
offer, when it has its own choice — wants them."""

from typing import Any

from django.db import transaction

from passculture.bookings.models import Booking
from passculture.core.audit import record_audit
from passculture.notifications.models import OfferNotificationSettings, VenueNotificationSettings
from passculture.notifications.services import notify
from passculture.offers.models import Offer

OFFER_FIELDS = ("booking_emails_enabled", "cancellation_emails_enabled")


def venue_settings(venue_id: int) -> VenueNotificationSettings:
    """The venue's settings, defaults when it never saved any (unsaved row)."""
    found = VenueNotificationSettings.objects.filter(venue_id=venue_id).first()
    return found or VenueNotificationSettings(venue_id=venue_id)


def offer_settings(offer_id: int) -> OfferNotificationSettings:
    """The offer's own choices (unsaved row with None = as the venue, when it has none)."""
    found = OfferNotificationSettings.objects.filter(offer_id=offer_id).first()
    return found or OfferNotificationSettings(offer_id=offer_id)


def offers_with_own_choice(venue_id: int, limit: int = 200) -> list[OfferNotificationSettings]:
    """The venue's offers that chose their own per-booking e-mails (shown on its page)."""
    found = OfferNotificationSettings.objects.filter(offer__venue_id=venue_id)
    return list(found.select_related("offer").order_by("offer__name")[:limit])


def effective_choices(offer: Offer) -> dict[str, bool]:
    """Per-booking e-mail choices that apply to `offer`: its own, else its venue's."""
    own, of_venue = offer_settings(offer.pk), venue_settings(offer.venue_id)
    return {
        name: value if (value := getattr(own, name)) is not None else getattr(of_venue, name)
        for name in OFFER_FIELDS
    }


def notify_venue_of_booking(*, booking: Booking, context: dict[str, Any], cancelled: bool) -> bool:
    """Queue the venue's e-mail for a new or cancelled booking when it (or the offer) wants one."""
    offer = booking.offer
    choices = effective_choices(offer)
    wanted = choices["cancellation_emails_enabled" if cancelled else "booking_emails_enabled"]
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


@transaction.atomic
def update_offer_settings(*, actor: Any, offer: Offer, data: dict[str, bool | None]) -> None:
    """Save an offer's own per-booking e-mail choices (None = as the venue); audited.

    The caller checked the actor may edit the offer. Both None removes the offer's row.
    """
    unknown = set(data) - set(OFFER_FIELDS)
    if unknown or any(data.get(name) not in (True, False, None) for name in OFFER_FIELDS):
        raise ValueError(f"invalid offer notification choices: {sorted(data)}")
    before = offer_settings(offer.pk)
    old = {name: getattr(before, name) for name in OFFER_FIELDS}
    new = {name: data.get(name) for name in OFFER_FIELDS}
    if all(value is None for value in new.values()):
        OfferNotificationSettings.objects.filter(offer=offer).delete()
    else:
        OfferNotificationSettings.objects.update_or_create(offer=offer, defaults=new)
    record_audit(
        actor=actor, action="offer.notification_settings", obj=offer, before=old, after=new
    )
