"""Statistics page and pro dashboard: content with known figures, scoping, query bounds."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.core import clock
from passculture.exports import registry
from passculture.offers.models import Offer, Stock
from passculture.stats.models import OfferViewDay
from tests.factories import make_offerer, make_user, make_venue
from tests.stats import scenario

pytestmark = pytest.mark.django_db
JANUARY = "?du=2027-01-01&au=2027-01-31"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def world(client):
    seeded = scenario.seed()
    client.force_login(seeded["pro"])
    return seeded


def test_page_shows_charts_and_tables_with_known_figures(client, world):
    offer = Offer.objects.filter(venue=world["door"]).first()
    OfferViewDay.objects.create(offer=offer, day=dt.date(2027, 1, 5), count=40)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/pro/statistiques/" + JANUARY)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-daily", "chart-bands", "chart-noshow"):
        assert f'data-testid="{chart}"' in html and "<svg" in html
    for table in ("daily", "offers", "venues", "bands", "departments", "fill", "collective_bands"):
        assert f'data-testid="table-{table}"' in html
    text = _text(html)
    # 0–5 km: 9 bookings, 0 cancelled, 3 at the door, 1 auto → 25,0 %
    assert "0–5 km 9 0 3 1 25,0 %" in text
    assert "15–30 km 2 0 0 2 100,0 %" in text
    # Venue totals: Célestins 40 views, 20 bookings, conversion 50 %, 1 cancelled, 7/19.
    assert "Célestins 40 20 50,0 % 1 36,8 %" in text
    assert "Sans scan 0 5 — 0 —" in text
    assert "05/01/2027 40 25" in text  # views and bookings (20 + 5) of the 5th
    assert len(queries) <= 21  # + the unread notices badge
    # More offers and bookings: the same number of queries (no query per row).
    for _ in range(5):
        scenario.book(world["people"]["grenoble"], world["door"], status="used", author="pro")
    with CaptureQueriesContext(connection) as more:
        client.get("/pro/statistiques/" + JANUARY)
    assert len(more) == len(queries)


def test_period_changes_the_figures(client, world):
    text = _text(client.get("/pro/statistiques/?du=2026-12-01&au=2026-12-31").content.decode())
    assert "0–5 km 1 0 0 0 —" in text  # December: one booking, at a venue that did not scan
    assert "Période du 1 décembre 2026 au 31 décembre 2026" in text


def test_bad_dates_fall_back_to_a_valid_period(client, world):
    with clock.frozen_at(scenario.EVENT):
        response = client.get("/pro/statistiques/?du=hier&au=2027-13-45&lieu=abc")
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Période du 12 décembre 2026 au 10 janvier 2027" in text
    assert "Date invalide" in text
    assert "Date invalide" not in _text(client.get("/pro/statistiques/" + JANUARY).content.decode())


def test_another_structures_venue_or_offer_is_404(client, world):
    stranger = make_user("autre@exemple.fr")
    other_venue = make_venue(make_offerer(stranger, name="Autre"))
    other_offer = Offer.objects.create(venue=other_venue, subcategory_id="LIVRE_PAPIER", name="X")
    assert client.get(f"/pro/statistiques/?lieu={other_venue.pk}").status_code == 404
    assert client.get(f"/pro/statistiques/?offre={other_offer.pk}").status_code == 404
    client.force_login(stranger)
    text = _text(client.get("/pro/statistiques/" + JANUARY).content.decode())
    assert "Célestins" not in text and "0–5 km 0 0 0 0 —" in text


def test_stats_exporter_is_registered_and_scoped(world):
    exporter = registry.get("stats")
    rows = list(
        exporter.rows(world["pro"], {"table": "bands", "du": "2027-01-01", "au": "2027-01-31"})
    )
    first = rows[0]
    assert (first["label"], first["bookings"], first["no_show_rate"]) == ("0–5 km", 9, 0.25)
    stranger = make_user("autre2@exemple.fr")
    assert exporter.count(stranger, {"table": "offers"}) == 0


def test_dashboard_shows_upcoming_alerts_recent_and_trend(client, world):
    door = world["door"]
    soon = scenario.EVENT + dt.timedelta(days=2)
    offer = Offer.objects.create(
        venue=door, subcategory_id="SPECTACLE_REPRESENTATION", name="Cyrano",
        extra_data={"showType": "THEATRE-CLASSIQUE"}, fill_alert_threshold=80,
    )  # fmt: skip
    Stock.objects.create(offer=offer, price=1000, beginning_datetime=soon, quantity=10,
                         booked_quantity=9)  # fmt: skip
    Stock.objects.create(
        offer=offer, price=1000, beginning_datetime=soon + dt.timedelta(days=30), quantity=10,
        booked_quantity=2,
    )  # fmt: skip
    sunday_night = scenario.EVENT + dt.timedelta(hours=3)  # Sunday 10th, 23:00
    with clock.frozen_at(sunday_night), CaptureQueriesContext(connection) as queries:
        response = client.get("/pro/")
    text = _text(response.content.decode())
    assert "Cyrano" in text and "9 / 10 90 %" in text
    assert "Dates bientôt complètes" in text and "(90 %, seuil 80 %)" in text
    assert text.count("Lefèvre-Nguyễn") == 10  # the ten most recent bookings
    # This week (event on the 10th): 7 auto out of 19 used at the scanning venue.
    assert "Semaine en cours : 36,8 %" in text and "<polyline" in response.content.decode()
    assert len(queries) <= 12  # + the unread notices badge


def test_dashboard_of_a_pro_without_structure_keeps_the_empty_state(client):
    client.force_login(make_user("neuf@exemple.fr"))
    page = client.get("/pro/").content.decode()
    assert "Commencez par votre structure" in page and 'data-testid="dashboard"' not in page


def test_a_table_export_link_downloads_that_table_for_that_period(client, world):
    """ "Exporter ce tableau" under the distance table exports that table, for January."""
    html = client.get("/pro/statistiques/" + JANUARY).content.decode()
    links = re.findall(r'href="([^"]*exporter=stats[^"]*table=bands[^"]*)"', html)
    assert links, "the bands table has an export link"
    path, _, query = links[0].replace("&amp;", "&").partition("?")
    assert client.get(links[0].replace("&amp;", "&")).status_code == 200
    columns = list(registry.get("stats").default_columns)
    data = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
    data.update({"action": "export", "format": "csv", "columns": columns, "order": columns})
    response = client.post(path, data)
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    band = next(line for line in body.splitlines() if "0–5 km" in line)
    assert band.split(";")[:1] != [""] and "9" in band.split(";")  # 9 bookings in January
    assert "Grenoble" not in body  # only the distance table, not the per-offer rows
