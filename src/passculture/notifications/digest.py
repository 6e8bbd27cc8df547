"""The daily digest of booking states for one venue, at the venue's chosen hour (Paris)."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from passculture.bookings.models import Booking, BookingStatus
from passculture.collective.models import CollectiveBooking, CollectiveBookingStatus
from passculture.core import clock
from passculture.notifications.models import DigestRun, VenueNotificationSettings
from passculture.notifications.services import notify
from passculture.offerers.models import Venue
from passculture.offers.models import Stock

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_HOUR = VenueNotificationSettings._meta.get_field("digest_hour").default


@dataclasses.dataclass
class Digest:
    venue_name: str
    day: str
    new: list[str]
    cancelled: list[str]
    validated: list[str]
    to_validate_today: list[str]
    collective_pending: list[str]
    nearly_full: list[str]

    @property
    def has_activity(self) -> bool:
        """Something changed since the last digest, or there is something to do today; the
        standing states (pre-bookings awaiting schools, full contingents) ride along only."""
        return bool(self.new or self.cancelled or self.validated or self.to_validate_today)


def _line(booking: Booking) -> str:
    return f"{booking.offer.name} — {booking.quantity} place(s), contremarque {booking.token}"


def build_digest(*, venue: Venue, since: dt.datetime, at: dt.datetime) -> Digest:
    """Read-only: the booking states of the venue's offers between `since` and `at`."""
    bookings = Booking.objects.filter(offer__venue=venue).select_related("offer")
    today = at.astimezone(PARIS).date()
    start = dt.datetime.combine(today, dt.time.min, PARIS)
    end = start + dt.timedelta(days=1)
    stocks = Stock.objects.filter(
        offer__venue=venue,
        is_deleted=False,
        quantity__gt=0,
    ).filter(Q(beginning_datetime__isnull=True) | Q(beginning_datetime__gte=at))
    stocks = stocks.filter(booked_quantity__gte=F("quantity") * 9 / 10.0).select_related("offer")
    pending = CollectiveBooking.objects.filter(
        offer__venue=venue, status=CollectiveBookingStatus.PENDING
    ).select_related("offer", "school")
    return Digest(
        venue_name=venue.display_name,
        day=today.strftime("%d/%m/%Y"),
        new=[_line(b) for b in bookings.filter(created_at__gte=since, created_at__lt=at)],
        cancelled=[
            _line(b)
            for b in bookings.filter(
                status=BookingStatus.CANCELLED, cancelled_at__gte=since, cancelled_at__lt=at
            )
        ],
        validated=[_line(b) for b in bookings.filter(used_at__gte=since, used_at__lt=at)],
        to_validate_today=[
            _line(b)
            for b in bookings.filter(
                status=BookingStatus.CONFIRMED,
                stock__beginning_datetime__gte=start,
                stock__beginning_datetime__lt=end,
            )
        ],
        collective_pending=[
            f"{c.offer.name} — {c.school.name}, à confirmer avant le "
            f"{c.confirmation_limit.astimezone(PARIS):%d/%m/%Y %H:%M}"
            for c in pending
        ],
        nearly_full=[
            f"{s.offer.name} — {s.booked_quantity}/{s.quantity} places réservées" for s in stocks
        ],
    )


def _sections(digest: Digest) -> list[tuple[str, list[str]]]:
    return [
        ("Nouvelles réservations", digest.new),
        ("Réservations annulées", digest.cancelled),
        ("Réservations validées", digest.validated),
        ("À valider aujourd’hui", digest.to_validate_today),
        ("Préréservations collectives en attente de l’établissement", digest.collective_pending),
        ("Contingents presque complets (90 % ou plus)", digest.nearly_full),
    ]


def due_venues(hour: int) -> list[Venue]:
    """Venues whose digest is on and due at `hour` (no settings row = defaults)."""
    chosen = Q(notification_settings__digest_enabled=True, notification_settings__digest_hour=hour)
    if hour == DEFAULT_HOUR:
        chosen |= Q(notification_settings__isnull=True)
    return list(Venue.objects.filter(chosen).select_related("offerer").order_by("pk"))


def send_venue_digest(*, venue: Venue, at: dt.datetime) -> bool:
    """Claim (venue, day) then queue the digest in the same transaction; False when already
    claimed or nothing happened (the claim stays: a no-activity day sends nothing)."""
    day = at.astimezone(PARIS).date()
    previous = DigestRun.objects.filter(venue=venue, day__lt=day).order_by("-day").first()
    since = previous.created_at if previous else at - dt.timedelta(days=1)
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(venue=venue, day=day, created_at=at)
            digest = build_digest(venue=venue, since=since, at=at)
            address = venue.booking_email
            if not digest.has_activity or not address:
                return False
            notify(
                template="venue_digest",
                context={"digest": dataclasses.asdict(digest), "sections": _sections(digest)},
                category="digest",
                email=address,
                in_app=False,
            )
            run.sent = True
            run.save(update_fields=["sent"])
    except IntegrityError:
        return False  # another worker claimed this venue's digest of the day
    return True


def send_due_digests() -> int:
    at = clock.now()
    return sum(send_venue_digest(venue=v, at=at) for v in due_venues(at.astimezone(PARIS).hour))
