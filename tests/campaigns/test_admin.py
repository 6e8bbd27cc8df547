"""Back office: staff create a campaign, preview its audience, schedule it."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from passculture.accounts.models import Role, User
from passculture.campaigns.models import Campaign, CampaignStatus
from passculture.core import clock
from passculture.offers.models import Stock
from tests.bookings.factories import NOW, make_bookable_offer

pytestmark = pytest.mark.django_db
ADD = "/backoffice/campaigns/campaign/add/"
LIST = "/backoffice/campaigns/campaign/"


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def form(offer_id: int, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Cyrano à Lyon", "title": "Des places pour Cyrano !", "offer": offer_id,
        "departments": "69, 2a", "latitude": "", "longitude": "", "radius_km": "",
        "age_min": 15, "age_max": 18, "scheduled_at_0": "", "scheduled_at_1": "",
    }  # fmt: skip
    data.update(values)
    return data


def test_staff_create_preview_and_schedule(staff_client, venue, staff):
    offer = make_bookable_offer(venue, quantity=80).offer
    for i in range(3):
        User.objects.create_user(
            f"j{i}@exemple.fr", None, role=Role.BENEFICIARY, birth_date=dt.date(2009, 1, 1),
            department_code="69" if i else "75", marketing_opt_in=True,
        )  # fmt: skip
    response = staff_client.post(ADD, form(offer.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert (campaign.departments, campaign.created_by, campaign.status) == (
        ["2A", "69"], staff, "draft",
    )  # fmt: skip

    response = staff_client.post(
        LIST, {"action": "preview_audience", "_selected_action": [campaign.pk]}
    )
    assert [str(m) for m in get_messages(response.wsgi_request)][-1:] == [
        "« Cyrano à Lyon » : 2 jeune(s) seraient touché(s) aujourd’hui."
    ]
    response = staff_client.post(LIST, {"action": "schedule", "_selected_action": [campaign.pk]})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1:] == [
        "« Cyrano à Lyon » programmée le 04/01/2027 à 09:00."
    ]
    campaign.refresh_from_db()
    assert (campaign.status, campaign.scheduled_at) == (CampaignStatus.SCHEDULED, NOW)


def test_an_offer_with_too_few_seats_is_refused_with_a_clear_message(staff_client, venue):
    stock = make_bookable_offer(venue, quantity=50)
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=1)
    response = staff_client.post(ADD, form(stock.offer_id))
    assert response.status_code == 200
    assert (
        "Une campagne ne peut promouvoir qu’une offre individuelle ayant au moins "
        "50 places restantes à venir (il en reste 49)."
    ) in response.content.decode()
    assert Campaign.objects.count() == 0
