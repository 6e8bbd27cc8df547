"""Offer pages: scoping (404 across structures), list filters and counts, validation errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db

FUTURE = dt.datetime(2030, 6, 1, 18, 0, tzinfo=dt.UTC)


def make_offer(venue, name="Hamlet", **extra) -> Offer:
    values = {
        "subcategory_id": "SPECTACLE_REPRESENTATION",
        "extra_data": {"showType": "THEATRE-CLASSIQUE"},
    }
    values.update(extra)
    offer = Offer.objects.create(venue=venue, name=name, **values)
    category = PriceCategory.objects.create(offer=offer, label="Plein tarif", price=1200)
    Stock.objects.create(
        offer=offer, price_category=category, price=1200, beginning_datetime=FUTURE, quantity=10
    )
    return offer


def test_pro_of_a_gets_404_on_every_offer_page_and_action_of_b(pro_client, venue):
    own = make_offer(venue, name="Mon offre")
    other = make_offer(
        make_venue(make_offerer(make_user("b@exemple.fr"), name="Structure B")), name="Offre de B"
    )
    category = other.price_categories.get()
    stock = other.stocks.get()
    audit = AuditEntry.objects.count()
    for url in [
        f"/pro/offres/{other.pk}/",
        f"/pro/offres/{other.pk}/apercu/",
        f"/pro/offres/{other.pk}/tarifs/",
        f"/pro/offres/{other.pk}/dates/",
    ]:
        assert pro_client.get(url).status_code == 404, url
    posts = [
        (f"/pro/offres/{other.pk}/", {"name": "Piraté"}),
        (f"/pro/offres/{other.pk}/brouillon/", {"name": "Piraté"}),
        (f"/pro/offres/{other.pk}/publier/", {}),
        (f"/pro/offres/{other.pk}/activation/", {"active": "0"}),
        (f"/pro/offres/{other.pk}/archiver/", {}),
        (f"/pro/offres/{other.pk}/dupliquer/", {"with_stocks": "on"}),
        (f"/pro/offres/{other.pk}/image/", {}),
        (f"/pro/offres/{other.pk}/tarifs/", {"label": "X", "price": "1"}),
        (f"/pro/offres/{other.pk}/tarifs/{category.pk}/", {"delete": "1"}),
        (f"/pro/offres/{other.pk}/dates/", {"start": "2030-07-01", "times": "20:00"}),
        (f"/pro/offres/{other.pk}/dates/quantites/", {f"qty-{stock.pk}": "0"}),
        (f"/pro/offres/{other.pk}/dates/{stock.pk}/", {"delete": "1"}),
        # B's tariff or date reached through one's own offer id is refused too.
        (f"/pro/offres/{own.pk}/tarifs/{category.pk}/", {"delete": "1"}),
        (f"/pro/offres/{own.pk}/dates/{stock.pk}/", {"delete": "1"}),
    ]
    for url, data in posts:
        assert pro_client.post(url, data).status_code == 404, url
    other.refresh_from_db()
    stock.refresh_from_db()
    assert (
        other.name == "Offre de B"
        and other.validation == Validation.DRAFT
        and other.archived_at is None
    )
    assert (
        stock.quantity == 10
        and not stock.is_deleted
        and PriceCategory.objects.filter(pk=category.pk).exists()
    )
    assert Offer.objects.count() == 2 and AuditEntry.objects.count() == audit
    listing = pro_client.get("/pro/offres/").content.decode()
    assert "Mon offre" in listing and "Offre de B" not in listing
    assert (
        pro_client.get(f"/pro/offres/?lieu={other.venue_id}").content.decode().count("Offre de B")
        == 0
    )


def test_offer_list_counts_filters_and_constant_queries(pro_client, venue):
    for i in range(3):
        make_offer(venue, name=f"Spectacle {i}")
    make_offer(venue, name="Roman", subcategory_id="LIVRE_PAPIER", extra_data={})
    with CaptureQueriesContext(connection) as few:
        page = pro_client.get("/pro/offres/").content.decode()
    assert "4 offres : brouillon 4" in page
    for i in range(3, 10):
        make_offer(venue, name=f"Spectacle {i}")
    with CaptureQueriesContext(connection) as many:
        pro_client.get("/pro/offres/")
    assert len(many) == len(few)
    filtered = pro_client.get("/pro/offres/?q=roman&statut=DRAFT").content.decode()
    assert "Roman" in filtered and "Spectacle 1" not in filtered
    assert "Spectacle 1" in pro_client.get("/pro/offres/?categorie=SPECTACLE").content.decode()
    assert (
        "Aucune offre ne correspond"
        in pro_client.get("/pro/offres/?statut=ACTIVE").content.decode()
    )
    assert pro_client.get("/pro/offres/?page=999&du=pas-une-date&lieu=abc").status_code == 200


def test_create_offer_page_shows_french_errors_and_saves_nothing(pro_client, venue):
    response = pro_client.post(
        "/pro/offres/nouvelle/",
        {
            "subcategory_id": "SPECTACLE_REPRESENTATION",
            "name": "",
            "venue": venue.pk,
            "location": "venue",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le champ « Titre de l’offre » est obligatoire." in page
    response = pro_client.post(
        "/pro/offres/nouvelle/",
        {
            "subcategory_id": "SPECTACLE_REPRESENTATION",
            "name": "Sans type",
            "venue": venue.pk,
            "location": "venue",
        },
    )
    assert "Le champ « Type de spectacle » est obligatoire." in response.content.decode()
    assert Offer.objects.count() == 0


def test_date_generator_refuses_bad_input_without_saving(pro_client, venue):
    offer = make_offer(venue)
    category = offer.price_categories.get()
    with clock.frozen_at(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        response = pro_client.post(
            f"/pro/offres/{offer.pk}/dates/",
            {
                "start": "2030-03-10",
                "end": "2030-03-01",
                "times": "25:99",
                "price_categories": [category.pk],
            },
        )
    page = response.content.decode()
    assert "La date de fin doit suivre la date de début." in page
    assert "Horaire invalide : « 25:99 » (format 20:30)." in page
    assert offer.stocks.count() == 1


def test_public_pages_show_only_published_offers(client, venue):
    published = make_offer(
        venue,
        name="Publiée",
        validation=Validation.APPROVED,
        publication_datetime=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    draft = make_offer(venue, name="Brouillon secret")
    assert client.get(f"/offres/{published.pk}/").status_code == 200
    assert client.get(f"/offres/{draft.pk}/").status_code == 404
    venue_page = client.get(f"/lieux/{venue.pk}/").content.decode()
    assert "Publiée" in venue_page and "Brouillon secret" not in venue_page
    assert client.get("/lieux/999999/").status_code == 404
