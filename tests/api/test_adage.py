"""ADAGE-style server API: key auth, confirm/refuse through the booking flow (budget locked),
a school's bookings and budget per year, and JSON errors {code, message}."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.collective.models import CollectiveBookingStatus, SchoolRole
from passculture.core import clock
from passculture.core.models import AuditEntry
from tests.collective.factories import (
    LIMIT,
    NOW,
    START,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    make_uai,
    world_state,
)

pytestmark = pytest.mark.django_db
KEY = "cle-adage-de-test-0123456789"
BASE = "/api/adage/v1"


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def adage(client, settings):
    settings.ADAGE_API_KEY = KEY

    class Adage:
        def get(self, path, **kw):
            return client.get(BASE + path, HTTP_AUTHORIZATION=f"Bearer {KEY}", **kw)

        def post(self, path, data=None):
            return client.post(
                BASE + path,
                data=data if data is not None else "",
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {KEY}",
            )

    return Adage()


@pytest.fixture
def school(db):
    return make_school(name="Collège Jean Moulin", uai=make_uai(1201), phone="04 78 42 37 52")


@pytest.fixture
def teacher(school):
    return make_member(school, first_name="Agnès", last_name="Lemaître")


def test_key_is_required_and_compared_exactly(client, settings, venue, teacher):
    booking = make_booking(make_offer(venue), teacher)
    url = f"{BASE}/bookings/{booking.pk}/confirm"
    settings.ADAGE_API_KEY = ""  # no key configured: the API is disabled
    response = client.post(url, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "Clé d’API ADAGE absente ou invalide (Authorization: Bearer).",
    }
    settings.ADAGE_API_KEY = KEY
    for header in [None, f"Bearer {KEY}x", f"Basic {KEY}", f"Bearer {KEY[:-1]}", "Bearer"]:
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        assert client.post(url, **extra).status_code == 401, header
    assert client.get(f"{BASE}/schools/{booking.school.uai}/budget").status_code == 401
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.PENDING


def test_confirm_as_the_head_within_budget(adage, venue, school, teacher):
    head = make_member(school, role=SchoolRole.HEAD, email="principal@ac-lyon.fr")
    make_budget(school, amount=100_000)
    booking = make_booking(make_offer(venue, price=30_000), teacher)
    response = adage.post(f"/bookings/{booking.pk}/confirm")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["price"], body["uai"]) == (
        booking.pk,
        "confirmed",
        30_000,
        school.uai,
    )
    assert body["teacher_name"] == "Agnès Lemaître" and body["project"] == "Parcours théâtre 4e B"
    booking.refresh_from_db()
    assert booking.confirmed_by == head and booking.confirmed_at == NOW
    entry = AuditEntry.objects.get(action="collective_booking.confirmed")
    assert entry.actor == head
    budget = adage.get(f"/schools/{school.uai}/budget?year=2026-2027").json()
    assert budget == {
        "uai": school.uai, "year": "2026-2027", "amount": 100_000, "provisional": False,
        "spendable": 100_000, "committed": 30_000, "remaining": 70_000,
    }  # fmt: skip


def test_confirm_for_a_school_without_head_is_audited_as_adage(adage, venue, school, teacher):
    make_budget(school, amount=100_000)
    booking = make_booking(make_offer(venue), teacher)
    assert adage.post(f"/bookings/{booking.pk}/confirm").json()["status"] == "confirmed"
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CONFIRMED and booking.confirmed_by is None
    entry = AuditEntry.objects.get(action="collective_booking.confirmed")
    assert (entry.actor, entry.actor_label) == (None, "ADAGE")


def test_confirm_refused_by_the_budget_changes_nothing(adage, venue, school, teacher):
    make_budget(school, amount=50_000, provisional=True)  # spendable: 400,00 €
    make_booking(
        make_offer(venue, name="Déjà confirmée", price=30_000),
        teacher,
        status=CollectiveBookingStatus.CONFIRMED,
    )
    booking = make_booking(make_offer(venue, price=15_000), teacher)
    before = world_state()
    response = adage.post(f"/bookings/{booking.pk}/confirm")
    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_budget",
        "message": "Budget insuffisant : il reste 100,00\u00a0€ sur le budget 2026-2027 de "
        "l’établissement, la réservation coûte 150,00\u00a0€.",
    }
    assert world_state() == before


def test_confirmation_limit_is_inclusive(adage, venue, school, teacher):
    make_budget(school)
    late = make_booking(make_offer(venue, name="En retard"), teacher)
    on_time = make_booking(make_offer(venue, name="À l’heure"), teacher)
    with clock.frozen_at(LIMIT + dt.timedelta(microseconds=1)):
        response = adage.post(f"/bookings/{late.pk}/confirm")
    assert response.status_code == 409
    assert response.json()["code"] == "confirmation_limit_passed"
    with clock.frozen_at(LIMIT):
        assert adage.post(f"/bookings/{on_time.pk}/confirm").status_code == 200


def test_confirm_errors_are_json_with_codes(adage, venue, school, teacher):
    make_budget(school)
    no_project = make_booking(make_offer(venue), teacher, project=None)
    response = adage.post(f"/bookings/{no_project.pk}/confirm")
    assert (response.status_code, response.json()["code"]) == (409, "project_required")
    response = adage.post("/bookings/987654/confirm")
    assert response.status_code == 404
    assert response.json() == {
        "code": "booking_not_found",
        "message": "Réservation collective introuvable.",
    }
    unreadable = adage.post(f"/bookings/{no_project.pk}/refuse", "{")
    assert unreadable.status_code == 400
    assert unreadable.json() == {
        "code": "invalid_request",
        "message": "Requête invalide : corps JSON illisible.",
    }
    for bad in ["0", "abc", str(2**64), "-1"]:
        response = adage.post(f"/bookings/{bad}/confirm")
        assert response.status_code in {400, 404}, bad
        assert response.json()["code"] in {"invalid_request", "not_found"}, bad
    confirmed = make_booking(
        make_offer(venue, name="Confirmée"), teacher, status=CollectiveBookingStatus.CONFIRMED
    )
    response = adage.post(f"/bookings/{confirmed.pk}/confirm")
    assert (response.status_code, response.json()["code"]) == (409, "collective_refused")


def test_refuse_pending_with_or_without_comment(adage, venue, school, teacher):
    head = make_member(school, role=SchoolRole.HEAD)
    first = make_booking(make_offer(venue, name="Première"), teacher)
    second = make_booking(make_offer(venue, name="Seconde"), teacher)
    body = adage.post(f"/bookings/{first.pk}/refuse", {"comment": "Sortie annulée"}).json()
    assert (body["status"], body["cancellation_reason"], body["cancellation_comment"]) == (
        "cancelled",
        "refused_by_head",
        "Sortie annulée",
    )
    assert adage.post(f"/bookings/{second.pk}/refuse").json()["status"] == "cancelled"
    entry = AuditEntry.objects.filter(action="collective_booking.cancelled").first()
    assert entry is not None and entry.actor == head
    long = adage.post(f"/bookings/{first.pk}/refuse", {"comment": "x" * 301})
    assert (long.status_code, long.json()["code"]) == (400, "invalid_request")


def test_confirmed_booking_can_be_refused_until_15_days_before_start(adage, venue, teacher):
    booking = make_booking(make_offer(venue), teacher, status=CollectiveBookingStatus.CONFIRMED)
    before = world_state()
    with clock.frozen_at(START - dt.timedelta(days=15) + dt.timedelta(microseconds=1)):
        response = adage.post(f"/bookings/{booking.pk}/refuse")
    assert (response.status_code, response.json()["code"]) == (409, "too_late")
    assert world_state() == before
    with clock.frozen_at(START - dt.timedelta(days=15)):
        response = adage.post(f"/bookings/{booking.pk}/refuse")
    assert response.json()["status"] == "cancelled"
    entry = AuditEntry.objects.get(action="collective_booking.cancelled")
    assert entry.actor_label == "ADAGE"


def test_school_bookings_for_a_year(adage, venue, school, teacher):
    pending = make_booking(make_offer(venue, name="Atelier", price=12_000), teacher)
    confirmed = make_booking(
        make_offer(venue, name="Spectacle", price=30_000),
        teacher,
        status=CollectiveBookingStatus.CONFIRMED,
    )
    next_year = make_booking(
        make_offer(
            venue,
            name="L’an prochain",
            start=dt.datetime(2027, 10, 5, 8, 0, tzinfo=dt.UTC),
            limit=dt.datetime(2027, 9, 20, 8, 0, tzinfo=dt.UTC),
        ),
        teacher,
    )
    other_school = make_member(make_school(name="Autre collège"))
    make_booking(make_offer(venue, name="Pas à nous"), other_school)
    with CaptureQueriesContext(connection) as queries:
        response = adage.get(f"/schools/{school.uai.lower()}/bookings?year=2026-2027")
    assert response.status_code == 200
    body = response.json()
    assert (body["uai"], body["school_name"], body["year"]) == (
        school.uai,
        "Collège Jean Moulin",
        "2026-2027",
    )
    rows = {row["id"]: row for row in body["bookings"]}
    assert set(rows) == {pending.pk, confirmed.pk}
    assert (rows[pending.pk]["status"], rows[pending.pk]["price"]) == ("pending", 12_000)
    assert rows[confirmed.pk]["status_label"] == "Confirmée"
    assert rows[confirmed.pk]["teacher_email"] == teacher.email
    assert rows[confirmed.pk]["start"].startswith("2027-03-15T09:00:00")
    assert len(queries) <= 3
    default_year = adage.get(f"/schools/{school.uai}/bookings").json()
    assert default_year["year"] == "2026-2027" and len(default_year["bookings"]) == 2
    later = adage.get(f"/schools/{school.uai}/bookings?year=2027-2028").json()
    assert [row["id"] for row in later["bookings"]] == [next_year.pk]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/schools/{uai}/bookings?year=2026-2028", 400, "invalid_year"),
        ("/schools/{uai}/bookings?year=26-27", 400, "invalid_year"),
        ("/schools/{uai}/bookings?year=2026-20270", 400, "invalid_request"),
        ("/schools/0750654A/bookings", 400, "invalid_uai"),
        ("/schools/%00%27/budget", 400, "invalid_uai"),
        ("/schools/{unknown}/bookings", 404, "school_not_found"),
        ("/schools/{uai}/budget?year=2030-2031", 404, "no_budget"),
    ],
)
def test_read_errors(adage, school, path, status, code):
    make_budget(school)
    response = adage.get(path.format(uai=school.uai, unknown=make_uai(9999, department="075")))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "message"}


def test_provisional_budget_is_80_percent_spendable(adage, venue, school, teacher):
    make_budget(school, amount=100_000, provisional=True)
    make_booking(
        make_offer(venue, name="Utilisée", price=20_000),
        teacher,
        status=CollectiveBookingStatus.USED,
    )
    make_booking(make_offer(venue, name="En attente", price=50_000), teacher)
    body = adage.get(f"/schools/{school.uai}/budget").json()
    assert (body["amount"], body["provisional"], body["spendable"]) == (100_000, True, 80_000)
    assert (body["committed"], body["remaining"]) == (20_000, 60_000)


def test_openapi_document_lists_the_operations(client):
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    assert set(paths) == {
        f"{BASE}/bookings/{{booking_id}}/confirm",
        f"{BASE}/bookings/{{booking_id}}/refuse",
        f"{BASE}/schools/{{uai}}/bookings",
        f"{BASE}/schools/{{uai}}/budget",
    }
