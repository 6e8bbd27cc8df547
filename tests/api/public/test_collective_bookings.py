"""Partner API — Collective Bookings: the venue cancels; outside production, /use marks a
confirmed booking used. Plus the partner services behind them (atomic, audited, events)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection

from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
)
from passculture.collective.services import partner as partner_services
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.providers import webhooks
from tests.collective.factories import (
    END,
    LIMIT,
    NOW,
    START,
    actions_for,
    make_booking,
    make_member,
    make_offer,
    make_school,
    world_state,
)

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARTNER_SANDBOX_ENABLED = True
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


@pytest.fixture
def teacher():
    return make_member(make_school(uai="0690103M"))


@pytest.fixture
def events(monkeypatch):
    recorded: list[tuple[int, str, bool]] = []
    baseline = len(connection.savepoint_ids)

    def record(*, booking, event_type):
        recorded.append((booking.pk, event_type, len(connection.savepoint_ids) > baseline))
        return 0

    monkeypatch.setattr(webhooks, "emit_collective_booking_event", record)
    return recorded


def _url(booking: CollectiveBooking, suffix: str = "") -> str:
    return f"/v2/collective/bookings/{booking.pk}{suffix}"


def test_venue_cancels_a_booking(partner, partner_venue, teacher, provider):
    booking = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    response = partner.patch(_url(booking))
    assert response.status_code == 204 and response.content == b""
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_at, booking.cancellation_reason) == (
        CollectiveBookingStatus.CANCELLED,
        NOW,
        "cancelled_by_venue",
    )
    assert booking.cancellation_comment.startswith("Annulée par la structure")
    assert actions_for(booking) == ["collective_booking.cancelled"]
    before = world_state()
    again = partner.patch(_url(booking))
    assert again.status_code == 400
    assert world_state() == before


def test_cancel_refusals_change_nothing(partner, partner_venue, outsider_venue, teacher):
    outsider = make_booking(make_offer(outsider_venue), teacher)
    reimbursed = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.REIMBURSED
    )
    past = make_booking(
        make_offer(partner_venue, start=NOW - 5 * DAY, limit=NOW - 6 * DAY),
        teacher,
        status=CollectiveBookingStatus.USED,
    )
    before = world_state()
    assert partner.patch(_url(outsider)).status_code == 404
    assert partner.patch("/v2/collective/bookings/999999").status_code == 404
    assert partner.patch(_url(reimbursed)).status_code == 400
    too_late = partner.patch(_url(past))
    assert (too_late.status_code, too_late.json()["code"]) == (400, "too_late")
    assert world_state() == before


def test_use_marks_a_confirmed_booking_used(partner, partner_venue, teacher, events):
    booking = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    assert partner.post(_url(booking, "/use")).status_code == 204
    booking.refresh_from_db()
    assert (booking.status, booking.used_at) == (CollectiveBookingStatus.USED, NOW)
    assert events == [(booking.pk, webhooks.COLLECTIVE_BOOKING_USED, True)]
    before = world_state()
    again = partner.post(_url(booking, "/use"))
    assert (again.status_code, again.json()["code"]) == (403, "collective_transition_refused")
    assert world_state() == before


def test_use_refusals(partner, partner_venue, outsider_venue, teacher, settings):
    pending = make_booking(make_offer(partner_venue), teacher)
    outsider = make_booking(
        make_offer(outsider_venue), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    confirmed = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    before = world_state()
    assert partner.post(_url(pending, "/use")).status_code == 403
    assert partner.post(_url(outsider, "/use")).status_code == 404
    settings.PARTNER_SANDBOX_ENABLED = False  # production: the mock is not there
    assert partner.post(_url(confirmed, "/use")).status_code == 404
    assert world_state() == before


# --- partner services ---------------------------------------------------------------------


def _data(**changes) -> CollectiveOfferData:
    values = {
        "name": "Atelier", "description": "Écrire et jouer.", "domains": ["theatre"],
        "levels": ["4e"], "formats": ["atelier"],
    }  # fmt: skip
    values.update(changes)
    return CollectiveOfferData(**values)  # type: ignore[arg-type]


def _stock(**changes) -> StockData:
    values = {
        "start_datetime": START, "end_datetime": END, "booking_limit_datetime": LIMIT,
        "price": 20_000, "number_of_pupils": 25,
    }  # fmt: skip
    values.update(changes)
    return StockData(**values)  # type: ignore[arg-type]


def test_create_for_partner_is_all_or_nothing(partner_venue, provider, monkeypatch):
    actor = provider.service_user
    offer = partner_services.create_offer_for_partner(
        actor=actor, venue=partner_venue, data=_data(), stock=_stock(),
        booking_emails=["a@b.fr"], active=False,
    )  # fmt: skip
    offer.refresh_from_db()
    assert (offer.validation, offer.is_active, offer.booking_emails) == (
        "approved",
        False,
        ["a@b.fr"],
    )
    assert actions_for(offer) == [
        "collective_offer.created",
        "collective_offer.updated",
        "collective_offer.submitted",
        "collective_offer.deactivated",
    ]

    def fail(**kwargs):
        raise DomainError("Refusée.")

    monkeypatch.setattr(partner_services.offer_services, "submit_collective_offer", fail)
    before = world_state()
    with pytest.raises(DomainError):
        partner_services.create_offer_for_partner(
            actor=actor, venue=partner_venue, data=_data(), stock=_stock()
        )
    assert world_state() == before
    assert CollectiveOffer.objects.count() == 1


def test_archive_offers_is_all_or_nothing(partner_venue, provider, monkeypatch):
    offers = [make_offer(partner_venue), make_offer(partner_venue)]
    real = partner_services.offer_services.archive_collective_offer
    calls = []

    def second_fails(*, actor, offer):
        calls.append(offer.pk)
        if len(calls) == 2:
            raise DomainError("Refusée.")
        return real(actor=actor, offer=offer)

    monkeypatch.setattr(partner_services.offer_services, "archive_collective_offer", second_fails)
    with pytest.raises(DomainError):
        partner_services.archive_offers(actor=provider.service_user, offers=offers)
    assert not CollectiveOffer.objects.filter(archived_at__isnull=False).exists()
