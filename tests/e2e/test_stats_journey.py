"""Journey: a pro opens the statistics, picks January 2027 and reads no-shows by distance."""

import pytest

from passculture.offers.models import Offer
from passculture.stats.models import OfferViewDay
from tests.e2e.conftest import shot
from tests.factories import PASSWORD
from tests.stats import scenario

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pro_reads_statistics_for_a_period(page):
    world = scenario.seed()
    offer = Offer.objects.filter(venue=world["door"]).first()
    OfferViewDay.objects.create(offer=offer, day=scenario.START.replace(day=5), count=40)

    page.goto("/pro/statistiques/")
    page.locator("#id_username").fill(world["pro"].email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Statistiques", exact=True).wait_for()
    # Today's default period (the last 30 days) has none of the January 2027 bookings.
    bands = page.get_by_test_id("table-bands")
    assert "Aucune" not in bands.inner_text()
    assert bands.get_by_role("row", name="0–5 km").inner_text().split("\t")[1] == "0"

    page.locator("#du").fill("2027-01-01")
    page.locator("#au").fill("2027-01-31")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("Période du 1 janvier 2027 au 31 janvier 2027").wait_for()
    assert page.get_by_test_id("chart-noshow").is_visible()
    assert page.get_by_test_id("chart-bands").locator("rect").count() == 6
    row = page.get_by_test_id("table-bands").get_by_role("row", name="0–5 km")
    assert row.inner_text().split("\t") == ["0–5 km", "9", "0", "3", "1", "25,0 %"]
    venues = page.get_by_test_id("table-venues").get_by_role("row", name="Célestins")
    assert venues.inner_text().split("\t")[1:4] == ["40", "20", "50,0 %"]
    page.get_by_test_id("chart-noshow").scroll_into_view_if_needed()
    shot(page, "stats-01-january")

    page.get_by_role("link", name="Accueil").first.click()
    page.get_by_test_id("dashboard").wait_for()
    assert page.get_by_test_id("dashboard-recent").locator("tbody tr").count() == 10
    shot(page, "stats-02-dashboard")
