"""Offer views: cache counters on the hot path, bots dropped, flushed by an adding upsert."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from passculture.core import clock
from passculture.stats import views_counter
from passculture.stats.models import OfferViewDay
from passculture.tasks import PERIODIC_JOBS
from tests.bookings.factories import NOW, make_bookable_offer
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offer():
    venue = make_venue(make_offerer(make_user()))
    return make_bookable_offer(venue).offer


def _request(agent: str = CHROME):
    return RequestFactory().get("/", HTTP_USER_AGENT=agent)


def test_views_are_counted_in_cache_without_a_database_query(offer):
    with clock.frozen_at(NOW), CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert views_counter.record_view("offer", offer.pk, _request()) is True
    assert len(queries) == 0
    assert OfferViewDay.objects.count() == 0
    with clock.frozen_at(NOW):
        assert views_counter.flush_views() == 3
    row = OfferViewDay.objects.get()
    assert (row.offer_id, row.day, row.count) == (offer.pk, dt.date(2027, 1, 4), 3)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "Baiduspider/2.0",
        "facebookexternalhit/1.1",
        "ia_archiver crawler",
    ],
)
def test_crawlers_are_not_counted(offer, agent):
    with clock.frozen_at(NOW):
        assert views_counter.record_view("offer", offer.pk, _request(agent)) is False
        assert views_counter.flush_views() == 0
    assert OfferViewDay.objects.count() == 0


def test_headless_browsers_are_counted(offer):
    assert views_counter.is_bot(CHROME) is False


def test_flush_is_idempotent_and_adds_to_existing_rows(offer):
    with clock.frozen_at(NOW):
        views_counter.record_view("offer", offer.pk, _request())
        views_counter.record_view("offer", offer.pk, _request())
        assert views_counter.flush_views() == 2
        assert views_counter.flush_views() == 0  # nothing new: nothing added
        assert OfferViewDay.objects.get().count == 2
        views_counter.record_view("offer", offer.pk, _request())
        assert views_counter.flush_views() == 1
    assert OfferViewDay.objects.get().count == 3  # 2 + 1: the upsert adds


def test_views_are_per_paris_day(offer):
    late = dt.datetime(2027, 1, 4, 22, 30, tzinfo=dt.UTC)  # 23:30 in Paris: still the 4th
    after = dt.datetime(2027, 1, 4, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 5th in Paris
    with clock.frozen_at(late):
        views_counter.record_view("offer", offer.pk, _request())
    with clock.frozen_at(after):
        views_counter.record_view("offer", offer.pk, _request())
        views_counter.record_view("offer", offer.pk, _request())
        assert views_counter.flush_views() == 3
    days = dict(OfferViewDay.objects.values_list("day", "count"))
    assert days == {dt.date(2027, 1, 4): 1, dt.date(2027, 1, 5): 2}


def test_deleted_offer_counter_is_dropped_not_crashing(offer):
    with clock.frozen_at(NOW):
        views_counter.record_view("offer", 999_999, _request())
        views_counter.record_view("offer", offer.pk, _request())
        views_counter.flush_views()
    assert list(OfferViewDay.objects.values_list("offer_id", "count")) == [(offer.pk, 1)]


def test_public_page_and_app_api_record_views(client, offer):
    with clock.frozen_at(NOW):
        assert client.get(f"/offres/{offer.pk}/", HTTP_USER_AGENT=CHROME).status_code == 200
        assert client.get(f"/api/app/v1/offers/{offer.pk}").status_code == 200
        client.get(f"/offres/{offer.pk}/", HTTP_USER_AGENT="Googlebot/2.1")
        assert views_counter.flush_views() == 2


def test_flush_job_is_scheduled():
    jobs = {job.name: job for job in PERIODIC_JOBS}
    assert jobs["stats.flush_offer_views"].task == "passculture.stats.tasks.flush_offer_views"
    assert jobs["stats.flush_offer_views"].cron == "*/5 * * * *"


def test_youth_offer_page_records_a_view_on_get_only(client, offer):
    from tests.bookings.factories import give_deposit, make_youth

    youth = make_youth()
    give_deposit(youth)
    client.force_login(youth)
    with clock.frozen_at(NOW):
        assert client.get(f"/jeunes/offres/{offer.pk}/", HTTP_USER_AGENT=CHROME).status_code == 200
        client.post(f"/jeunes/offres/{offer.pk}/", {"stock": "0"})  # a refused booking attempt
        assert views_counter.flush_views() == 1


def test_process_local_cache_is_flushed_by_the_web_process(offer, settings, monkeypatch):
    # Embedded default: locmem is per process, so the worker's flush job cannot see the
    # web process's counters; the web process flushes them itself once a minute.
    settings.ENV = "embedded"
    monkeypatch.setattr(views_counter, "_last_inline_flush", 0.0)
    with clock.frozen_at(NOW):
        views_counter.record_view("offer", offer.pk, _request())
        assert OfferViewDay.objects.get().count == 1
        views_counter.record_view("offer", offer.pk, _request())  # within the minute: cached
        assert OfferViewDay.objects.get().count == 1
        assert views_counter.flush_views() == 1
    assert OfferViewDay.objects.get().count == 2
