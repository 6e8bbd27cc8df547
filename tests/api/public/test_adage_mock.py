"""Partner API — Adage Mock sandbox: a partner plays the ministry tool on its own venues'
collective bookings (pre-book, confirm, refuse, back to pending, reimburse); refusals are
403 and change nothing; other structures' bookings are 404; absent in production."""

import pytest
from django.core.cache import cache
from django.db import connection

from passculture.api.public import adage_mock
from passculture.api.public.api import api
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    SchoolMember,
)
from passculture.core import clock
from passculture.providers import webhooks
from tests.api.public.reference import validate_response
from tests.collective.factories import (
    NOW,
    actions_for,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    world_state,
)

pytestmark = pytest.mark.django_db
MOCK = "/v2/collective/adage_mock"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARTNER_SANDBOX_ENABLED = True
    cache.clear()
    with clock.frozen_at(NOW):
        yield
    cache.clear()


@pytest.fixture
def events(monkeypatch):
    """Webhook events queued by the transitions: (booking id, type, inside a transaction)."""
    recorded: list[tuple[int, str, bool]] = []
    baseline = len(connection.savepoint_ids)

    def record(*, booking, event_type):
        recorded.append((booking.pk, event_type, len(connection.savepoint_ids) > baseline))
        return 0

    monkeypatch.setattr(webhooks, "emit_collective_booking_event", record)
    return recorded


@pytest.fixture
def school():
    school = make_school(uai="0690103M")
    make_budget(school)  # 1 000 €, final
    return school


@pytest.fixture
def teacher(school):
    return make_member(school)


def _booking(booking_id: int) -> CollectiveBooking:
    return CollectiveBooking.objects.get(pk=booking_id)


def test_book_confirm_use_reimburse_flow(partner, partner_venue, school, events):
    offer = make_offer(partner_venue, target_school=school)
    booked = partner.post(f"{MOCK}/offer/{offer.pk}/book")
    assert booked.status_code == 200, booked.content
    booking_id = booked.json()["bookingId"]
    assert booked.json() == {"bookingId": booking_id, "bookingStatus": "PENDING"}
    booking = _booking(booking_id)
    assert (booking.school_id, booking.price, booking.project.name) == (
        school.pk,
        30_000,
        "Projet EAC (bac à sable)",
    )
    assert SchoolMember.objects.filter(user=booking.teacher, school=school).exists()
    assert partner.post(f"{MOCK}/bookings/{booking_id}/confirm").status_code == 204
    assert _booking(booking_id).status == CollectiveBookingStatus.CONFIRMED
    assert partner.post(f"/v2/collective/bookings/{booking_id}/use").status_code == 204
    assert _booking(booking_id).status == CollectiveBookingStatus.USED
    assert partner.post(f"{MOCK}/bookings/{booking_id}/reimburse").status_code == 204
    final = _booking(booking_id)
    assert (final.status, final.used_at, final.reimbursed_at) == ("reimbursed", NOW, NOW)
    data = partner.get(f"/v2/collective/offers/{offer.pk}").json()
    validate_response("/v2/collective/offers/{offer_id}", "GET", 200, data)
    assert data["offerStatus"] == "REIMBURSED"
    assert data["bookings"][0]["reimbursementDate"] == "2027-01-04T08:00:00Z"
    # The confirmation's own event belongs to collective.services.bookings: not counted here.
    assert [e for e in events if e[1] != webhooks.COLLECTIVE_BOOKING_CONFIRMED] == [
        (booking_id, webhooks.COLLECTIVE_BOOKING_CREATED, True),
        (booking_id, webhooks.COLLECTIVE_BOOKING_USED, True),
        (booking_id, webhooks.COLLECTIVE_BOOKING_REIMBURSED, True),
    ]
    assert actions_for(final) == [
        "collective_booking.prebooked",
        "collective_booking.confirmed",
        "collective_booking.used",
        "collective_booking.reimbursed",
    ]


def test_book_refusals_change_nothing(partner, partner_venue, outsider_venue, school, teacher):
    untargeted = make_offer(partner_venue)
    taken = make_offer(partner_venue, target_school=school)
    make_booking(taken, teacher)
    closed = make_offer(partner_venue, target_school=school, limit=NOW.replace(year=2026))
    outsider = make_offer(outsider_venue, target_school=school)
    before = world_state()
    for offer, status, code in [
        (untargeted, 403, "offer_not_targeted"),
        (taken, 403, "collective_already_booked"),
        (closed, 403, "confirmation_limit_passed"),
        (outsider, 404, "not_found"),
    ]:
        response = partner.post(f"{MOCK}/offer/{offer.pk}/book")
        assert (response.status_code, response.json()["code"]) == (status, code)
    assert world_state() == before


def test_confirm_and_cancel(partner, partner_venue, school, teacher):
    offer = make_offer(partner_venue)
    booking = make_booking(offer, teacher)
    assert partner.post(f"{MOCK}/bookings/{booking.pk}/cancel").status_code == 204
    cancelled = _booking(booking.pk)
    assert (cancelled.status, cancelled.cancellation_reason) == ("cancelled", "refused_by_head")
    before = world_state()
    for action in ("cancel", "confirm", "reimburse"):
        response = partner.post(f"{MOCK}/bookings/{booking.pk}/{action}")
        assert response.status_code == 403, action
    assert world_state() == before


def test_confirm_without_budget_is_403(partner, partner_venue, teacher):
    poor = make_school(uai="0690026D", name="Lycée du Parc")  # no budget
    member = make_member(poor)
    booking = make_booking(make_offer(partner_venue), member)
    before = world_state()
    response = partner.post(f"{MOCK}/bookings/{booking.pk}/confirm")
    assert (response.status_code, response.json()["code"]) == (403, "no_budget")
    assert world_state() == before


def test_back_to_pending(partner, partner_venue, school, teacher, events):
    confirmed = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    assert partner.post(f"{MOCK}/bookings/{confirmed.pk}/pending").status_code == 204
    again = _booking(confirmed.pk)
    assert (again.status, again.confirmed_at) == ("pending", None)
    offer = make_offer(partner_venue, name="Annulée puis reprise")
    cancelled = make_booking(offer, teacher, status=CollectiveBookingStatus.CANCELLED)
    CollectiveBooking.objects.filter(pk=cancelled.pk).update(
        cancelled_at=NOW, cancellation_reason="cancelled_by_venue"
    )
    assert partner.post(f"{MOCK}/bookings/{cancelled.pk}/pending").status_code == 204
    revived = _booking(cancelled.pk)
    assert (revived.status, revived.cancelled_at, revived.cancellation_reason) == (
        "pending",
        None,
        "",
    )
    assert events == [
        (confirmed.pk, webhooks.COLLECTIVE_BOOKING_PENDING, True),
        (cancelled.pk, webhooks.COLLECTIVE_BOOKING_PENDING, True),
    ]
    # Pending already: nothing to do, no event.
    assert partner.post(f"{MOCK}/bookings/{revived.pk}/pending").status_code == 204
    assert len(events) == 2


def test_back_to_pending_refusals(partner, partner_venue, school, teacher, outsider_venue):
    used = make_booking(make_offer(partner_venue), teacher, status=CollectiveBookingStatus.USED)
    reimbursed = make_booking(
        make_offer(partner_venue), teacher, status=CollectiveBookingStatus.REIMBURSED
    )
    offer = make_offer(partner_venue)
    old = make_booking(offer, teacher, status=CollectiveBookingStatus.CANCELLED)
    CollectiveBooking.objects.filter(pk=old.pk).update(cancelled_at=NOW)
    make_booking(offer, teacher)  # the session is taken again
    outsider = make_booking(make_offer(outsider_venue), teacher)
    before = world_state()
    for booking, status in [(used, 403), (reimbursed, 403), (old, 403), (outsider, 404)]:
        response = partner.post(f"{MOCK}/bookings/{booking.pk}/pending")
        assert response.status_code == status, booking.status
    assert partner.post(f"{MOCK}/bookings/{outsider.pk}/confirm").status_code == 404
    assert partner.post(f"{MOCK}/bookings/999999/reimburse").status_code == 404
    assert world_state() == before


def test_sandbox_is_absent_in_production(partner, partner_venue, school, teacher, settings):
    offer = make_offer(partner_venue, target_school=school)
    booking = make_booking(make_offer(partner_venue), teacher, status="confirmed")
    settings.PARTNER_SANDBOX_ENABLED = False
    assert adage_mock.sandbox_enabled() is False
    before = world_state()
    assert partner.post(f"{MOCK}/offer/{offer.pk}/book").status_code == 404
    for action in ("confirm", "cancel", "pending", "reimburse"):
        assert partner.post(f"{MOCK}/bookings/{booking.pk}/{action}").status_code == 404
    assert partner.post(f"/v2/collective/bookings/{booking.pk}/use").status_code == 404
    assert world_state() == before
    settings.PARTNER_SANDBOX_ENABLED = True
    assert adage_mock.sandbox_enabled() is True


def test_sandbox_routes_are_documented_outside_production():
    # Test settings are not production, so api.py mounted the router at import.
    paths = api.get_openapi_schema()["paths"]
    assert f"{MOCK}/offer/{{offer_id}}/book" in paths
    assert f"{MOCK}/bookings/{{booking_id}}/reimburse" in paths
