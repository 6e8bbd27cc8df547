"""Exporters: exact rows from a known world, duo = one row per seat, filters shared with
the bookings tab, scoping to the structure, query count independent of the row count."""

import datetime as dt

import pytest

from passculture.bookings.models import Booking
from passculture.exports import registry
from passculture.exports.exporters import filters_from_params
from tests.bookings.factories import paris
from tests.collective.factories import make_booking, make_member, make_school
from tests.collective.factories import make_offer as make_collective_offer
from tests.exports.factories import BOOKED, EVENT, book, make_world, youth

pytestmark = pytest.mark.django_db


def _rows(key, user, **params):
    return list(registry.get(key).rows(user, params))


def test_registry_has_the_three_exporters():
    assert [e.key for e in registry.all_exporters()][:3] == [
        "bookings", "collective_bookings", "offers",
    ]  # fmt: skip


def test_booking_rows_exact_with_duo_split():
    w = make_world()
    rows = _rows("bookings", w.pro, offerer_id=w.offerer.pk)
    assert [(r["token"], r["place"], r["first_name"]) for r in rows] == [
        (w.duo.token, "DUO 1", "Ørjan"),
        (w.duo.token, "DUO 2", "Ørjan"),
        (w.solo.token, "", "Zoé"),
        (w.cancelled.token, "", "Chloé"),
        (w.formula.token, "", '=HYPERLINK("http://x")'),
    ]
    zoe = rows[2]
    assert zoe == {
        "token": w.solo.token, "first_name": "Zoé", "last_name": "Lefèvre-Nguyễn",
        "email": "zoe@exemple.fr", "phone": "+33 6 12 34 56 78", "offer": "Cyrano — «nuit» d’été",
        "venue": "Théâtre de l'Échangeur", "event_at": EVENT, "price_category": "Tarif réduit",
        "amount": 1250, "booked_at": BOOKED, "status": "Confirmée", "validated_at": None,
        "validated_by": "", "cancelled_at": None, "cancellation_reason": "", "place": "",
    }  # fmt: skip
    assert rows[3]["status"] == "Annulée"
    assert rows[3]["cancellation_reason"] == "Annulée par le jeune"
    # Seats, not bookings: decides download-now vs background job.
    assert registry.get("bookings").count(w.pro, {"offerer_id": w.offerer.pk}) == 5


def test_booking_filters_are_the_tabs():
    w = make_world()
    get = lambda **p: {r["token"] for r in _rows("bookings", w.pro, offerer_id=w.offerer.pk, **p)}  # noqa: E731
    assert get(status="cancelled") == {w.cancelled.token}
    assert get(beneficiary="nguyễn") == {w.solo.token}
    assert get(token=w.solo.token.lower()) == {w.solo.token}
    assert get(date_from="2027-01-03", date_to="2027-01-03") == {w.solo.token, w.duo.token}
    assert get(period="event", date_from="2027-01-15") == set()
    assert get(period="event", date_from="2027-01-14", date_to="2027-01-14") == {
        w.solo.token, w.duo.token, w.cancelled.token, w.formula.token,
    }  # fmt: skip
    assert get(kind="collective") == set()
    assert get(venue_id=w.venue.pk + 999) == set()


def test_filters_from_params_parses_json_values():
    f = filters_from_params(
        {"date_from": "2027-01-02", "venue_id": "3", "kind": "individual", "junk": "x"}
    )
    assert (f.date_from, f.venue_id, f.kind, f.period) == (
        dt.date(2027, 1, 2),
        3,
        "individual",
        "booked",
    )


def test_another_structure_sees_nothing_of_ours():
    w = make_world()
    other = make_world(offerer_name="Autre structure")
    assert _rows("bookings", other.pro, offerer_id=w.offerer.pk) == []
    tokens = {r["token"] for r in _rows("bookings", other.pro, offerer_id=other.offerer.pk)}
    assert w.solo.token not in tokens and other.solo.token in tokens


def test_offerer_param_limits_a_pro_of_two_structures():
    w = make_world()
    second = make_world(offerer_name="Deuxième structure", pro=w.pro)
    tokens = {r["token"] for r in _rows("bookings", w.pro, offerer_id=second.offerer.pk)}
    assert second.solo.token in tokens and w.solo.token not in tokens


def test_booking_query_count_does_not_grow_with_rows(django_assert_num_queries):
    w = make_world()
    with django_assert_num_queries(1):
        assert len(_rows("bookings", w.pro, offerer_id=w.offerer.pk)) == 5
    for i in range(30):
        book(w.stock, youth("Jeune", f"N°{i}", f"j{i}@exemple.fr"))
    with django_assert_num_queries(1):
        assert len(_rows("bookings", w.pro, offerer_id=w.offerer.pk)) == 35


def test_collective_rows():
    w = make_world()
    school = make_school(name="Collège Rosa-Parks", phone="04 72 00 00 00")
    teacher = make_member(
        school, first_name="Agnès", last_name="Lemaître", email="agnes@ac-lyon.fr"
    )
    offer = make_collective_offer(w.venue, start=paris(2027, 3, 2, 10, 0), price=30_000, pupils=28)
    booking = make_booking(offer, teacher, status="confirmed")
    rows = _rows("collective_bookings", w.pro, offerer_id=w.offerer.pk)
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ("school", "uai", "school_phone", "teacher", "teacher_email")} == {
        "school": "Collège Rosa-Parks", "uai": school.uai, "school_phone": "04 72 00 00 00",
        "teacher": "Agnès Lemaître", "teacher_email": "agnes@ac-lyon.fr",
    }  # fmt: skip
    assert (row["venue"], row["event_at"], row["price"], row["status"], row["pupils"]) == (
        "Théâtre de l'Échangeur",
        paris(2027, 3, 2, 10, 0),
        30_000,
        "Confirmée",
        28,
    )
    assert row["booked_at"] == booking.created_at
    assert _rows("collective_bookings", w.pro, offerer_id=w.offerer.pk, kind="individual") == []
    other = make_world(offerer_name="Autre")
    assert _rows("collective_bookings", other.pro, offerer_id=w.offerer.pk) == []


def test_offer_rows_with_fill_rate():
    w = make_world()
    rows = _rows("offers", w.pro, offerer_id=w.offerer.pk)
    assert rows == [
        {
            "offer": "Cyrano — «nuit» d’été", "venue": "Théâtre de l'Échangeur",
            "subcategory": rows[0]["subcategory"], "event_at": EVENT,
            "price_category": "Tarif réduit", "price": 1250, "quantity": 100, "booked": 4,
            "fill_rate": 0.04,
        }
    ]  # fmt: skip
    assert rows[0]["subcategory"] and rows[0]["subcategory"] != "SPECTACLE_REPRESENTATION"
    assert _rows("offers", w.pro, offerer_id=w.offerer.pk, date_from="2027-01-15") == []
    assert Booking.objects.count() == 4
