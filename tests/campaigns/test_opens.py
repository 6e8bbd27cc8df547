"""Campaign opens: the e-mail's pixel and the in-app notice read both count, once each."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from passculture.campaigns import services
from passculture.campaigns.models import Campaign, CampaignDelivery
from passculture.campaigns.views import PIXEL
from passculture.core import clock
from passculture.notifications import notices
from passculture.notifications.models import Notice
from tests.bookings.factories import NOW, make_bookable_offer
from tests.campaigns.test_services import campaign_for, send, youth

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):  # Monday 4 January 2027, 09:00 in Paris
        yield


@pytest.fixture
def campaign(venue, staff):
    for name in ("lea", "hugo", "ines", "noe", "zoe"):
        youth(f"{name}@exemple.fr")
    campaign = campaign_for(make_bookable_offer(venue, quantity=50).offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    assert send() == 5
    return campaign


def delivery_of(campaign: Campaign, email: str) -> CampaignDelivery:
    return CampaignDelivery.objects.get(campaign=campaign, user__email=email)


def pixel(client, token: str):
    response = client.get(f"/c/o/{token}.gif")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL and PIXEL.startswith(b"GIF89a")
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    return response


def counts(campaign: Campaign) -> tuple[int, int, int]:
    campaign.refresh_from_db()
    return campaign.sent_count, campaign.opened_count, campaign.clicked_count


def test_the_html_mail_carries_the_pixel_and_loading_it_counts_one_open(
    client, campaign, mailoutbox
):
    lea = delivery_of(campaign, "lea@exemple.fr")
    mail = next(m for m in mailoutbox if m.to == ["lea@exemple.fr"])
    html = {kind: body for body, kind in mail.alternatives}["text/html"]
    token = services.open_token(lea.pk)
    assert f'<img src="{settings.SITE_URL}/c/o/{token}.gif" width="1" height="1" alt=""' in html
    assert f'href="{services.click_url(lea.pk)}"' in html
    assert "République" in html and "border-top:4px solid #000091" in html
    assert "Voir l’offre</a>" in html
    assert f"{settings.SITE_URL}/notifications/desabonnement/" in html
    assert token != services.click_token(lea.pk)  # its own salt

    pixel(client, token)
    lea.refresh_from_db()
    assert (lea.opened_at, lea.clicked_at) == (NOW, None)
    assert counts(campaign) == (5, 1, 0)
    with clock.frozen_at(LATER):  # opened again, on another device: still one open
        pixel(client, token)
    lea.refresh_from_db()
    assert lea.opened_at == NOW
    assert counts(campaign) == (5, 1, 0)


def test_a_bad_open_token_still_answers_the_gif_and_changes_nothing(client, campaign):
    lea = delivery_of(campaign, "lea@exemple.fr")
    token = services.open_token(lea.pk)
    forged = services.open_token(lea.pk + 1).split(":")[0] + ":" + token.split(":", 1)[1]
    gone = services.open_token(10**9)  # well signed, no such delivery
    for bad in (token[:-2] + "xx", forged, gone, services.click_token(lea.pk), "n-importe-quoi"):
        pixel(client, bad)
    assert not CampaignDelivery.objects.filter(opened_at__isnull=False).exists()
    assert counts(campaign) == (5, 0, 0)
    # An open token is no click token either.
    assert client.get(f"/c/{token}/").status_code == 400


def test_reading_the_campaign_notice_in_app_counts_an_open(campaign):
    lea = delivery_of(campaign, "lea@exemple.fr")
    notice = Notice.objects.get(user=lea.user, category="campaign")
    assert notice.url == services.click_url(lea.pk)

    assert notices.mark_read(user=lea.user, notice_id=notice.pk) == 1
    lea.refresh_from_db()
    assert (lea.opened_at, lea.clicked_at) == (NOW, None)
    assert counts(campaign) == (5, 1, 0)
    with clock.frozen_at(LATER):  # already read: nothing more
        assert notices.mark_read(user=lea.user, notice_id=notice.pk) == 0
    assert counts(campaign) == (5, 1, 0)

    hugo = delivery_of(campaign, "hugo@exemple.fr")
    assert notices.mark_read(user=hugo.user) == 1  # "mark all read" counts too
    assert counts(campaign) == (5, 2, 0)


def test_a_notice_pointing_at_someone_else_s_delivery_counts_nothing(campaign):
    lea = delivery_of(campaign, "lea@exemple.fr")
    hugo = delivery_of(campaign, "hugo@exemple.fr")
    Notice.objects.create(user=lea.user, category="campaign", title="x", url=f"/c/{hugo.pk}/")
    Notice.objects.create(
        user=lea.user, category="campaign", title="y", url=services.click_url(hugo.pk)
    )
    Notice.objects.filter(user=lea.user, url=services.click_url(lea.pk)).update(read_at=NOW)
    assert notices.mark_read(user=lea.user) == 2
    assert not CampaignDelivery.objects.filter(opened_at__isnull=False).exists()
    assert counts(campaign) == (5, 0, 0)


def test_click_after_open_keeps_one_open_and_counts_the_click(client, campaign):
    lea = delivery_of(campaign, "lea@exemple.fr")
    pixel(client, services.open_token(lea.pk))
    with clock.frozen_at(LATER):
        assert client.get(f"/c/{services.click_token(lea.pk)}/").status_code == 302
    lea.refresh_from_db()
    assert (lea.opened_at, lea.clicked_at) == (NOW, LATER)
    assert counts(campaign) == (5, 1, 1)


def test_the_campaign_counts_opens_from_every_channel_and_the_admin_shows_rates(
    client, campaign, staff
):
    pixel(client, services.open_token(delivery_of(campaign, "lea@exemple.fr").pk))
    hugo = delivery_of(campaign, "hugo@exemple.fr")
    notices.mark_read(user=hugo.user)
    client.get(f"/c/{services.click_token(delivery_of(campaign, 'ines@exemple.fr').pk)}/")
    assert counts(campaign) == (5, 3, 1)
    assert CampaignDelivery.objects.filter(opened_at__isnull=False).count() == 3

    client.force_login(staff)
    page = client.get("/backoffice/campaigns/campaign/").content.decode()
    assert "Taux d’ouverture" in page and "Taux de clic" in page
    assert "60,0 %" in page and "20,0 %" in page
    page = client.get(f"/backoffice/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "60,0 %" in page and "20,0 %" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opens_at_once_are_all_counted_and_each_once(client, venue, staff):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")
    for i in range(6):
        youth(f"j{i}@exemple.fr")
    campaign = campaign_for(make_bookable_offer(venue, quantity=50).offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    assert send() == 6
    ids = list(CampaignDelivery.objects.order_by("pk").values_list("pk", flat=True))
    tokens = [services.open_token(pk) for pk in ids] + [services.open_token(ids[0])] * 2
    barrier = threading.Barrier(len(tokens))

    def worker(token: str) -> None:
        try:
            barrier.wait()
            services.record_open(token=token)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts(campaign) == (6, 6, 0)
    assert CampaignDelivery.objects.filter(opened_at__isnull=False).count() == 6
