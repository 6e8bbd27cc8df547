"""Collective statistics: bookings by school–venue distance, and teacher page views counted."""

import datetime as dt

import pytest
from django.core.cache import cache

from passculture.core import clock
from passculture.stats import selectors, views_counter
from passculture.stats.models import OfferViewDay
from tests.collective.factories import NOW, make_booking, make_member, make_offer, make_school
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db
JANUARY = selectors.Scope(dt.date(2027, 1, 1), dt.date(2027, 1, 31))


@pytest.fixture
def world():
    pro = make_user("scolaires@exemple.fr")
    venue = make_venue(make_offerer(pro))  # Lyon, 45.76 / 4.83
    lyon = make_school()  # Lyon 5e, with coordinates ~0.6 km away → 0–5 km
    grenoble = make_school(  # no coordinates: Grenoble's centre, ~95 km → 60 km et plus
        city="Grenoble", postal_code="38000", department_code="38", latitude=None, longitude=None
    )
    nowhere = make_school(  # no coordinates, unknown commune → distance inconnue
        city="Nulle part", postal_code="00000", department_code="", latitude=None, longitude=None
    )
    teachers = {school: make_member(school) for school in (lyon, grenoble, nowhere)}
    for index, (school, status) in enumerate(
        [(lyon, "confirmed"), (lyon, "cancelled"), (grenoble, "confirmed"), (nowhere, "pending")]
    ):
        offer = make_offer(venue, name=f"Atelier {index}")
        make_booking(offer, teachers[school], status=status)
    return {"pro": pro, "venue": venue, "teacher": teachers[lyon]}


def test_collective_bookings_by_school_distance(world):
    rows = {row["label"]: row for row in selectors.collective_breakdown(world["pro"], JANUARY)}
    assert (rows["0–5 km"]["bookings"], rows["0–5 km"]["cancelled"]) == (2, 1)
    assert rows["0–5 km"]["cancellation_rate"] == pytest.approx(0.5)
    assert (rows["60 km et plus"]["bookings"], rows["60 km et plus"]["cancelled"]) == (1, 0)
    assert rows["distance inconnue"]["bookings"] == 1
    assert sum(row["bookings"] for row in rows.values()) == 4
    stranger = make_user("autre@exemple.fr")
    assert sum(r["bookings"] for r in selectors.collective_breakdown(stranger, JANUARY)) == 0


def test_teacher_offer_page_records_a_collective_view(client, world):
    cache.clear()
    offer = world["venue"].collective_offers.first()
    client.force_login(world["teacher"])
    with clock.frozen_at(NOW):
        assert client.get(f"/enseignants/offres/{offer.pk}/").status_code == 200
        assert views_counter.flush_views() == 1
    row = OfferViewDay.objects.get()
    assert (row.collective_offer_id, row.offer_id, row.count) == (offer.pk, None, 1)
    assert selectors.collective_views(world["pro"], JANUARY) == 1
