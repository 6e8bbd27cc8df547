"""Staff campaigns: audience by area and age, ≥ 50 seats, batches, once, click tracking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from passculture.accounts.models import Role, User
from passculture.campaigns import errors as e
from passculture.campaigns import rules, selectors, services
from passculture.campaigns.models import Campaign, CampaignDelivery, CampaignStatus
from passculture.core import clock, scheduler
from passculture.core.audit import entries_for
from passculture.core.taskrunner import run_pending_tasks
from passculture.notifications.models import Preference
from passculture.offers.models import Stock
from passculture.tasks import PERIODIC_JOBS
from tests.bookings.factories import NOW, make_bookable_offer

pytestmark = pytest.mark.django_db
LYON = (Decimal("45.76400"), Decimal("4.83570"))


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):  # Monday 4 January 2027, 09:00 in Paris
        yield


def youth(
    email: str,
    *,
    born: dt.date = dt.date(2009, 3, 15),  # 17
    postal: str = "69003",
    city: str = "Lyon",
    dep: str = "69",
    opt_in: bool = True,
    role: str = Role.BENEFICIARY,
) -> User:
    return User.objects.create_user(
        email, None, role=role, birth_date=born, postal_code=postal, city=city,
        department_code=dep, marketing_opt_in=opt_in, first_name="Léa",
    )  # fmt: skip


@pytest.fixture
def offer(venue):
    return make_bookable_offer(venue, quantity=50).offer


@pytest.fixture
def staff_user(staff):
    return staff


def campaign_for(offer, staff, **values) -> Campaign:
    values.setdefault("departments", ["69"])
    campaign = Campaign(
        name="Cyrano à Lyon", title="Des places pour Cyrano aux Célestins !", offer=offer,
        **values,
    )  # fmt: skip
    return services.save_campaign(actor=staff, campaign=campaign)


@pytest.fixture
def population(db):
    return {
        "in_lyon": youth("lyon@exemple.fr"),
        "in_villeurbanne": youth("villeurbanne@exemple.fr", postal="69100", city="Villeurbanne"),
        "turns_16_today": youth("seize@exemple.fr", born=dt.date(2011, 1, 4)),
        "eighteen_till_tonight": youth("dixhuit@exemple.fr", born=dt.date(2008, 1, 5)),
        "in_vienne": youth("vienne@exemple.fr", postal="38200", city="Vienne", dep="38"),
        "in_paris": youth("paris@exemple.fr", postal="75011", city="Paris", dep="75"),
        "opted_out": youth("nonmerci@exemple.fr", opt_in=False),
        "nineteen_today": youth("dixneuf@exemple.fr", born=dt.date(2008, 1, 4)),
        "fourteen": youth("quatorze@exemple.fr", born=dt.date(2012, 1, 5)),
        "no_birth_date": youth("sansdate@exemple.fr", born=None),  # type: ignore[arg-type]
        "pro": youth("pro69@exemple.fr", role=Role.PRO),
        "unknown_home": youth("inconnu@exemple.fr", postal="00000", city="Nulle part", dep=""),
        "department_only": youth("vague@exemple.fr", postal="69999", city="Inconnue"),
    }


def emails_of(ids) -> set[str]:
    return set(User.objects.filter(pk__in=ids).values_list("email", flat=True))


def send(at=NOW) -> int:
    with clock.frozen_at(at):
        count = services.send_due_campaigns()
        run_pending_tasks()
    return count


# --- rules -----------------------------------------------------------------------------------


def test_birth_date_bounds_are_inclusive():
    assert rules.birth_date_bounds(today=dt.date(2027, 1, 4), age_min=15, age_max=18) == (
        dt.date(2008, 1, 5), dt.date(2012, 1, 4),
    )  # fmt: skip
    assert rules.birth_date_bounds(today=dt.date(2028, 2, 29), age_min=16, age_max=16) == (
        dt.date(2011, 3, 1), dt.date(2012, 2, 29),
    )  # fmt: skip


def test_distance_lyon_paris():
    assert round(rules.distance_km((45.764, 4.8357), (48.8534, 2.3488))) == 391


# --- checks ----------------------------------------------------------------------------------


def test_offer_with_fewer_than_50_remaining_seats_is_refused(venue, staff):
    stock = make_bookable_offer(venue, quantity=60)
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=11)
    with pytest.raises(e.NotEnoughSeats) as error:
        campaign_for(stock.offer, staff)
    assert error.value.text == (
        "Une campagne ne peut promouvoir qu’une offre individuelle ayant au moins "
        "50 places restantes à venir (il en reste 49)."
    )
    assert Campaign.objects.count() == 0


def test_past_stocks_do_not_count_and_unlimited_stocks_do(venue, staff):
    past = make_bookable_offer(
        venue, quantity=500, beginning=NOW - dt.timedelta(days=1), limit=NOW - dt.timedelta(days=2)
    )
    assert selectors.remaining_seats(offer_id=past.offer_id, now=NOW) == 0
    with pytest.raises(e.NotEnoughSeats):
        campaign_for(past.offer, staff)
    unlimited = make_bookable_offer(venue, quantity=None, name="Illimité")
    assert selectors.remaining_seats(offer_id=unlimited.offer_id, now=NOW) is None
    assert campaign_for(unlimited.offer, staff).pk


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (
            {"departments": ["69"], "latitude": LYON[0], "longitude": LYON[1], "radius_km": 5},
            e.BadArea,
            None,
        ),
        ({"departments": []}, e.BadArea, None),
        ({"departments": ["99"]}, e.UnknownDepartment, "Département inconnu : 99."),
        ({"age_min": 14}, e.BadAgeRange, None),
        ({"age_min": 18, "age_max": 17}, e.BadAgeRange, None),
    ],
)
def test_bad_campaigns_are_refused_and_nothing_is_saved(offer, staff, values, error, message):
    with pytest.raises(error) as raised:
        campaign_for(offer, staff, **values)
    if message:
        assert raised.value.text == message
    assert Campaign.objects.count() == 0


# --- audience and sending ----------------------------------------------------------------------


def test_departement_campaign_reaches_only_eligible_opted_in_people_there(
    offer, staff, population, mailoutbox
):
    campaign = campaign_for(offer, staff)
    expected = {
        "lyon@exemple.fr", "villeurbanne@exemple.fr", "seize@exemple.fr",
        "dixhuit@exemple.fr", "vague@exemple.fr",
    }  # fmt: skip
    assert services.preview_audience(campaign_id=campaign.pk) == len(expected)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)

    assert send() == 5
    assert {m.to[0] for m in mailoutbox} == expected
    mail = next(m for m in mailoutbox if m.to == ["lyon@exemple.fr"])
    assert mail.subject == "Des places pour Cyrano aux Célestins !"
    delivery = CampaignDelivery.objects.get(campaign=campaign, user=population["in_lyon"])
    assert f"{settings.SITE_URL}/c/{services.click_token(delivery.pk)}/" in mail.body
    campaign.refresh_from_db()
    assert (campaign.status, campaign.audience_count, campaign.sent_count) == ("sent", 5, 5)
    assert [a.action for a in entries_for(campaign).order_by("pk")] == [
        "campaign.created", "campaign.scheduled", "campaign.sending", "campaign.sent",
    ]  # fmt: skip


def test_radius_campaign_uses_the_home_commune_centre(offer, staff, population):
    campaign = campaign_for(
        offer, staff, departments=[], latitude=LYON[0], longitude=LYON[1], radius_km=20
    )
    ids = selectors.audience_ids(campaign, now=NOW)
    # Vienne is 27 km away; a home known only by its département is not located.
    assert emails_of(ids) == {
        "lyon@exemple.fr", "villeurbanne@exemple.fr", "seize@exemple.fr", "dixhuit@exemple.fr",
    }  # fmt: skip
    campaign.radius_km = 30
    assert "vienne@exemple.fr" in emails_of(selectors.audience_ids(campaign, now=NOW))


def test_several_departements_and_an_age_range(offer, staff, population):
    campaign = campaign_for(offer, staff, departments=["69", "38"], age_min=17, age_max=18)
    assert emails_of(selectors.audience_ids(campaign, now=NOW)) == {
        "lyon@exemple.fr", "villeurbanne@exemple.fr", "dixhuit@exemple.fr",
        "vague@exemple.fr", "vienne@exemple.fr",
    }  # fmt: skip


def test_nothing_is_sent_before_the_scheduled_time_nor_to_drafts(offer, staff, population):
    draft = campaign_for(offer, staff)
    later = campaign_for(offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=later.pk, at=NOW + dt.timedelta(hours=2))
    assert send(NOW + dt.timedelta(hours=1)) == 0
    assert send(NOW + dt.timedelta(hours=2)) == 5
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    assert not CampaignDelivery.objects.filter(campaign=draft).exists()


def test_sending_twice_sends_once_and_in_batches(offer, staff, mailoutbox, monkeypatch):
    User.objects.bulk_create(
        User(email=f"j{i}@exemple.fr", role=Role.BENEFICIARY, birth_date=dt.date(2009, 5, 1),
             department_code="69", marketing_opt_in=True)
        for i in range(1_200)
    )  # fmt: skip
    monkeypatch.setattr(services, "BATCH", 500)
    batches = []
    original = services._send_batch
    monkeypatch.setattr(
        services,
        "_send_batch",
        lambda campaign, ids, now: batches.append(len(ids)) or original(campaign, ids, now=now),
    )
    campaign = campaign_for(offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    assert send() == 1_200
    assert batches == [500, 500, 200]
    assert send() == 0
    assert len(mailoutbox) == 1_200
    # An interrupted send (status left "sending") resumes without resending anyone.
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    assert send() == 0
    assert len(mailoutbox) == 1_200


def test_opted_out_by_preference_is_never_sent(offer, staff, population, mailoutbox):
    Preference.objects.create(user=population["in_lyon"], category="campaign", enabled=False)
    campaign = campaign_for(offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    assert send() == 4
    assert "lyon@exemple.fr" not in {m.to[0] for m in mailoutbox}


def test_the_scheduler_job_sends_due_campaigns(offer, staff, population, mailoutbox):
    campaign = campaign_for(offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    jobs = [j for j in PERIODIC_JOBS if j.name == "campaigns.send_due"]
    assert scheduler.tick(jobs=jobs, worker="a") == ["campaigns.send_due"]
    assert scheduler.tick(jobs=jobs, worker="b") == []
    run_pending_tasks()
    run_pending_tasks()
    assert len(mailoutbox) == 5


# --- click tracking ----------------------------------------------------------------------------


@pytest.fixture
def delivery(offer, staff, population):
    campaign = campaign_for(offer, staff)
    services.schedule_campaign(actor=staff, campaign_id=campaign.pk)
    send()
    return CampaignDelivery.objects.get(campaign=campaign, user=population["in_lyon"])


def test_click_marks_the_delivery_once_and_opens_the_offer(client, delivery, offer):
    url = f"/c/{services.click_token(delivery.pk)}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/jeunes/offres/{offer.pk}/"
    delivery.refresh_from_db()
    assert delivery.clicked_at == NOW
    assert delivery.opened_at == NOW
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        assert client.get(url).status_code == 302
    delivery.refresh_from_db()
    assert delivery.clicked_at == NOW
    campaign = Campaign.objects.get(pk=delivery.campaign_id)
    assert (campaign.opened_count, campaign.clicked_count) == (1, 1)


def test_a_tampered_click_token_is_refused_and_changes_nothing(client, delivery):
    token = services.click_token(delivery.pk)
    forged = services.click_token(delivery.pk + 1).split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (token[:-2] + "xx", forged, "n-importe-quoi"):
        response = client.get(f"/c/{bad}/")
        assert response.status_code == 400
        assert response.content.decode() == "Lien de suivi invalide."
    assert not CampaignDelivery.objects.filter(clicked_at__isnull=False).exists()
    assert Campaign.objects.get(pk=delivery.campaign_id).clicked_count == 0
