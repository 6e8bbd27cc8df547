"""Partner API — EAN bulk operations: availability, upsert as a task, read by EAN."""

import pytest
from django_tasks_db.models import DBTaskResult

from passculture.core.taskrunner import run_pending_tasks
from passculture.offers import ean_tasks
from passculture.offers.models import Offer, Stock, Validation
from tests import factories
from tests.api.public.reference import validate_response
from tests.offers.factories import db_state, make_offer, make_stock, make_virtual_venue
from tests.providers.factories import link

EAN = "/public/offers/v1/products/ean"
CHECK = "/public/offers/v1/products/ean/check_availability"
ETRANGER = "9782070360024"
PESTE = "9782070360420"
CHUTE = "9782070360109"
UNKNOWN = "9780306406157"
BAD_CHECKSUM = "9782070360025"
GAME = "3700551782888"


@pytest.fixture
def catalogue(db, other_pro):
    """Approved books elsewhere on the platform: what we know about these EANs."""
    shop = factories.make_venue(factories.make_offerer(other_pro, name="Librairie"), nic=5)
    made = {}
    for ean, name in ((ETRANGER, "L’Étranger"), (PESTE, "La Peste"), (CHUTE, "La Chute")):
        made[ean] = make_offer(
            shop,
            subcategory_id="LIVRE_PAPIER",
            name=name,
            extra_data={"ean": ean, "author": "Albert Camus"},
            description="Folio",
            validation=Validation.APPROVED,
        )
    made[CHUTE].validation = Validation.REJECTED
    made[CHUTE].save()
    virtual = make_virtual_venue(shop.offerer)
    make_offer(
        virtual,
        subcategory_id="JEU_EN_LIGNE",
        name="Jeu",
        extra_data={"ean": GAME},
        validation=Validation.APPROVED,
        url="https://jeu.example",
    )
    return made


def upsert_body(venue_id: int, *items: tuple[str, int, int | str | None]) -> dict:
    return {
        "location": {"type": "physical", "venueId": venue_id},
        "products": [
            {"ean": ean, "stock": {"price": price, "quantity": quantity}}
            for ean, price, quantity in items
        ],
    }


def test_check_availability_sorts_eans(db, partner, catalogue):
    eans = ",".join([ETRANGER, UNKNOWN, BAD_CHECKSUM, CHUTE, GAME, ETRANGER])
    response = partner.get(CHECK, {"eans": eans})
    assert response.status_code == 200
    body = response.json()
    validate_response(CHECK, "GET", 200, body)
    assert body == {
        "available": [ETRANGER, GAME],
        "rejected": {
            "notFound": [BAD_CHECKSUM, UNKNOWN],
            "subcategoryNotAllowed": [],
            "notCompliantWithCgu": [CHUTE],
        },
    }
    too_many = ",".join([ETRANGER] * 50 + [str(9780000000000 + i) for i in range(101)])
    assert partner.get(CHECK, {"eans": too_many}).status_code == 400
    assert partner.get(CHECK).status_code == 422


def test_own_draft_names_an_ean_another_structures_draft_does_not(
    db, partner, partner_venue, outsider_venue
):
    make_offer(outsider_venue, subcategory_id="LIVRE_PAPIER", extra_data={"ean": PESTE})
    make_offer(partner_venue, subcategory_id="LIVRE_PAPIER", extra_data={"ean": UNKNOWN})
    body = partner.get(CHECK, {"eans": f"{UNKNOWN},{PESTE}"}).json()
    assert body["available"] == [UNKNOWN]
    assert body["rejected"]["notFound"] == [PESTE]


def test_bulk_upsert_creates_offers_in_a_task(db, partner, partner_venue, catalogue, provider):
    body = upsert_body(partner_venue.pk, (ETRANGER, 850, 3), (PESTE, 900, "unlimited"))
    response = partner.post(EAN, body)
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not Offer.objects.filter(venue=partner_venue).exists()  # queued, not done
    assert DBTaskResult.objects.count() == 1
    assert run_pending_tasks() == 1
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL", result.traceback
    assert result.return_value == {"created": [ETRANGER, PESTE], "updated": [], "failed": {}}
    mine = {o.extra_data["ean"]: o for o in Offer.objects.filter(venue=partner_venue)}
    assert set(mine) == {ETRANGER, PESTE}
    etranger = mine[ETRANGER]
    assert (etranger.name, etranger.subcategory_id) == ("L’Étranger", "LIVRE_PAPIER")
    assert etranger.extra_data == {"ean": ETRANGER, "author": "Albert Camus"}
    assert etranger.validation == Validation.APPROVED
    assert etranger.venue.offerer_id == partner_venue.offerer_id
    listed = partner.get(
        EAN, {"eans": f"{ETRANGER},{PESTE},{UNKNOWN}", "venueId": partner_venue.pk}
    )
    assert listed.status_code == 200
    products = listed.json()["products"]
    validate_response(EAN, "GET", 200, listed.json())
    assert [p["categoryRelatedFields"]["ean"] for p in products] == [ETRANGER, PESTE]
    assert products[0]["stock"] == {
        "price": 850,
        "quantity": 3,
        "bookedQuantity": 0,
        "bookingLimitDatetime": None,
    }
    assert products[1]["stock"]["quantity"] == "unlimited"
    assert products[0]["status"] == "ACTIVE"


def test_bulk_upsert_updates_by_venue_and_ean(db, partner, partner_venue, catalogue):
    partner.post(EAN, upsert_body(partner_venue.pk, (ETRANGER, 850, 3)))
    run_pending_tasks()
    offer = Offer.objects.get(venue=partner_venue)
    Stock.objects.filter(offer=offer).update(booked_quantity=2)
    # 4 on sale now, 2 already booked: a contingent of 6.
    partner.post(EAN, upsert_body(partner_venue.pk, (ETRANGER, 800, 4)))
    run_pending_tasks()
    assert Offer.objects.filter(venue=partner_venue).count() == 1
    stock = Stock.objects.get(offer=offer, is_deleted=False)
    assert (stock.price, stock.quantity, stock.booked_quantity) == (800, 6, 2)
    # 0 closes the offer without cancelling the booked copies.
    partner.post(EAN, upsert_body(partner_venue.pk, (ETRANGER, 800, 0)))
    run_pending_tasks()
    stock.refresh_from_db()
    assert (stock.quantity, stock.booked_quantity) == (2, 2)
    result = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert result is not None and result.return_value["updated"] == [ETRANGER]


def test_bulk_upsert_rejects_unknown_eans_and_queues_nothing(db, partner, partner_venue, catalogue):
    before = db_state()
    body = upsert_body(
        partner_venue.pk, (ETRANGER, 850, 3), (UNKNOWN, 100, 1), (CHUTE, 100, 1), (GAME, 100, 1)
    )
    response = partner.post(EAN, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "eans_rejected"
    assert error["rejected"] == {
        "notFound": [UNKNOWN],
        "subcategoryNotAllowed": [GAME],  # an online game on a physical venue
        "notCompliantWithCgu": [CHUTE],
    }
    assert UNKNOWN in error["message"] and "POST /products" in error["message"]
    assert DBTaskResult.objects.count() == 0
    assert db_state() == before


@pytest.mark.parametrize(
    ("products", "status"),
    [
        ([{"ean": BAD_CHECKSUM, "stock": {"price": 100}}], 400),
        ([{"ean": "978207036002", "stock": {"price": 100}}], 422),
        ([{"ean": ETRANGER, "stock": {"price": 30_001}}], 422),
        ([{"ean": ETRANGER, "stock": {"price": 100, "quantity": -1}}], 422),
        ([{"ean": ETRANGER, "stock": {"price": 100}}] * 2, 400),
        ([{"ean": ETRANGER, "stock": {"price": 100}}] * 501, 422),
    ],
)
def test_invalid_bulk_bodies(db, partner, partner_venue, catalogue, products, status):
    body = {"location": {"type": "physical", "venueId": partner_venue.pk}, "products": products}
    response = partner.post(EAN, body)
    assert response.status_code == status, response.content
    if status == 422:
        validate_response(EAN, "POST", 422, response.json())
    assert DBTaskResult.objects.count() == 0


def test_outsider_venue_is_404_everywhere(db, partner, outsider_venue, catalogue):
    response = partner.post(EAN, upsert_body(outsider_venue.pk, (ETRANGER, 850, 3)))
    assert response.status_code == 404
    assert DBTaskResult.objects.count() == 0
    make_offer(outsider_venue, subcategory_id="LIVRE_PAPIER", extra_data={"ean": PESTE})
    listed = partner.get(EAN, {"eans": PESTE, "venueId": outsider_venue.pk})
    assert listed.status_code == 404


def test_task_does_nothing_once_the_venue_is_unlinked(
    db, partner, partner_venue, venue_link, catalogue
):
    partner.post(EAN, upsert_body(partner_venue.pk, (ETRANGER, 850, 3)))
    venue_link.is_active = False
    venue_link.save()
    run_pending_tasks()
    assert not Offer.objects.filter(venue=partner_venue).exists()
    assert DBTaskResult.objects.get().return_value["created"] == []


def test_task_is_idempotent_and_reports_refusals(db, partner, partner_venue, provider, catalogue):
    actor = provider.service_user.pk
    model = catalogue[ETRANGER].pk
    items = [
        {"ean": ETRANGER, "price": 500, "quantity": 1, "booking_limit_datetime": None,
         "model_offer_id": model},
        {"ean": PESTE, "price": 500, "quantity": 1, "booking_limit_datetime": None,
         "model_offer_id": 999_999},
    ]  # fmt: skip
    location = {"address_id": None, "address_label": None, "url": ""}
    first = ean_tasks.upsert_offers_by_ean.call(actor, partner_venue.pk, location, items)
    second = ean_tasks.upsert_offers_by_ean.call(actor, partner_venue.pk, location, items)
    assert first["created"] == [ETRANGER] and second["updated"] == [ETRANGER]
    assert set(first["failed"]) == {PESTE} and set(second["failed"]) == {PESTE}
    assert Offer.objects.filter(venue=partner_venue).count() == 1


def test_digital_venue_gets_digital_offers(db, partner, provider, offerer, catalogue):
    virtual = make_virtual_venue(offerer)
    link(provider, virtual)
    body = {
        "location": {"type": "digital", "venueId": virtual.pk, "url": "https://jeu.example/x"},
        "products": [{"ean": GAME, "stock": {"price": 500}}],
    }
    assert partner.post(EAN, body).status_code == 204
    run_pending_tasks()
    offer = Offer.objects.get(venue=virtual)
    assert (offer.subcategory_id, offer.url) == ("JEU_EN_LIGNE", "https://jeu.example/x")


def test_get_by_ean_query_count(db, partner, partner_venue, django_assert_num_queries):
    eans = [ETRANGER, PESTE, CHUTE]
    for ean in eans:
        offer = make_offer(partner_venue, subcategory_id="LIVRE_PAPIER", extra_data={"ean": ean})
        make_stock(offer, price=700)
    params = {"eans": ",".join(eans), "venueId": partner_venue.pk}
    partner.get(EAN, params)  # warm up: key touch
    with django_assert_num_queries(4):  # key, venue, offers (annotated), their stocks
        assert len(partner.get(EAN, params).json()["products"]) == 3


def test_get_by_ean_lists_only_that_venue(db, partner, partner_venue, provider, offerer):
    other = factories.make_venue(offerer, nic=9)
    link(provider, other)
    here = make_offer(partner_venue, subcategory_id="LIVRE_PAPIER", extra_data={"ean": PESTE})
    make_stock(here, price=700)
    make_offer(other, subcategory_id="LIVRE_PAPIER", extra_data={"ean": PESTE})
    body = partner.get(EAN, {"eans": PESTE, "venueId": partner_venue.pk}).json()
    assert [p["id"] for p in body["products"]] == [here.pk]
    assert partner.get(EAN, {"venueId": partner_venue.pk}).status_code == 422
