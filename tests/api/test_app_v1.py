"""App JSON API v1: bearer tokens, profile and credit, offers, bookings, errors, OpenAPI."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passculture.accounts.models import IdentityCheck, User
from passculture.api.app_v1 import auth
from passculture.bookings import services
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.credit.models import Deposit, DepositKind
from passculture.offerers.models import Address
from passculture.offers.models import Stock, Validation
from tests.factories import PASSWORD, make_offerer, make_user, make_venue
from tests.offers.factories import (
    make_offer,
    make_price_category,
    make_stock,
    make_virtual_venue,
    paris,
)

pytestmark = pytest.mark.django_db

BASE = "/api/app/v1"
NOW = paris(2027, 1, 4, 9, 0)  # 08:00 UTC
EVENT = paris(2027, 1, 16, 20, 30)  # 19:30 UTC
LYON = (45.7640, 4.8357)


@pytest.fixture(autouse=True)
def frozen_and_clean_cache():
    cache.clear()  # login throttling counts live in the cache
    with clock.frozen_at(NOW):
        yield
    cache.clear()


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def make_youth(email: str = "lea@exemple.fr", *, amount: int = 15_000, **extra: object) -> User:
    youth = make_user(
        email, role="beneficiary", first_name="Léa", last_name="Moreau",
        birth_date=dt.date(2009, 5, 2), postal_code="69003", city="Lyon", department_code="69",
        identity_validated_at=NOW - dt.timedelta(days=30), email_verified_at=NOW, **extra,
    )  # fmt: skip
    Deposit.objects.create(
        user=youth, kind=DepositKind.AGE_17_18, rule_set="2025", amount=amount,
        digital_cap=10_000, expires_at=paris(2030, 5, 2, 0, 0), created_at=NOW - dt.timedelta(days=30),
    )  # fmt: skip
    return youth


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {auth.issue_token(user).access_token}"}


def call(client, method: str, path: str, user: User | None = None, body=None, **query):
    headers = bearer(user) if user is not None else {}
    if method == "get":
        return client.get(BASE + path, query, **headers)
    return client.post(
        BASE + path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def youth(db):
    return make_youth()


@pytest.fixture
def show(venue):
    """A duo theatre show in Lyon with two tariffs on one date."""
    offer = make_offer(
        venue, name="Cyrano de Bergerac", validation=Validation.APPROVED, is_duo=True,
        description="Comédie héroïque d’Edmond Rostand.",
    )  # fmt: skip
    full = make_price_category(offer, "Plein tarif", 2_000)
    reduced = make_price_category(offer, "Tarif réduit", 800)
    make_stock(offer, beginning=EVENT, category=full, quantity=10)
    make_stock(offer, beginning=EVENT, category=reduced, quantity=2)
    return offer


def stock_of(offer, label: str) -> Stock:
    return Stock.objects.get(offer=offer, price_category__label=label)


def db_state() -> dict[str, object]:
    return {
        "bookings": list(Booking.objects.order_by("pk").values()),
        "stocks": list(Stock.objects.order_by("pk").values("pk", "booked_quantity")),
        "audit": AuditEntry.objects.count(),
    }


# --- authentication -----------------------------------------------------------------------


def test_token_from_email_and_password_then_me(client, youth):
    response = call(
        client, "post", "/auth/token", body={"email": "LEA@exemple.fr ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accessToken", "tokenType", "expiresAt"}
    assert body["tokenType"] == "Bearer"
    assert body["expiresAt"] == iso(NOW + dt.timedelta(days=30))
    me = client.get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {body['accessToken']}")
    assert me.status_code == 200 and me.json()["email"] == "lea@exemple.fr"


def test_bad_password_is_401_and_throttled_like_the_web(client, youth, settings):
    settings.LOGIN_MAX_FAILURES = 3
    wrong = {"email": youth.email, "password": "mauvais-mot-de-passe"}
    for _ in range(3):
        response = call(client, "post", "/auth/token", body=wrong)
        assert response.status_code == 401
        assert response.json() == {
            "code": "invalid_credentials",
            "message": "Adresse e-mail ou mot de passe incorrect.",
            "field": None,
        }
    blocked = call(client, "post", "/auth/token", body={"email": youth.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_login_attempts"
    assert blocked.json()["message"].startswith(
        "Trop de tentatives de connexion. Réessayez dans 15 minutes"
    )
    cache.clear()
    assert (
        call(
            client, "post", "/auth/token", body={"email": youth.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_inactive_user_gets_no_token(client, youth):
    User.objects.filter(pk=youth.pk).update(is_active=False)
    response = call(
        client, "post", "/auth/token", body={"email": youth.email, "password": PASSWORD}
    )
    assert response.status_code == 401


class _PastSigner(signing.TimestampSigner):
    """Signs as if 31 days ago: same key and salt as the real tokens."""

    def timestamp(self):
        return signing.b62_encode(int(dt.datetime.now(dt.UTC).timestamp()) - 31 * 86_400)


def _forge(payload: dict, signer: signing.TimestampSigner) -> str:
    return signer.sign_object(payload, compress=True)


def test_missing_expired_forged_or_revoked_tokens_are_401(client, youth):
    digest = youth.get_session_auth_hash()[:24]
    good = auth.issue_token(youth).access_token
    expired = _forge({"u": youth.pk, "h": digest}, _PastSigner(salt=auth.TOKEN_SALT))
    other_salt = _forge({"u": youth.pk, "h": digest}, signing.TimestampSigner(salt="autre"))
    other_key = _forge(
        {"u": youth.pk, "h": digest}, signing.TimestampSigner(key="x" * 50, salt=auth.TOKEN_SALT)
    )
    no_digest = _forge({"u": youth.pk}, signing.TimestampSigner(salt=auth.TOKEN_SALT))
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    headers = [
        {},
        {"HTTP_AUTHORIZATION": good},  # no scheme
        {"HTTP_AUTHORIZATION": f"Basic {good}"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": f"Bearer {expired}"},
        {"HTTP_AUTHORIZATION": f"Bearer {other_salt}"},
        {"HTTP_AUTHORIZATION": f"Bearer {other_key}"},
        {"HTTP_AUTHORIZATION": f"Bearer {no_digest}"},
        {"HTTP_AUTHORIZATION": f"Bearer {tampered}"},
    ]
    for header in headers:
        response = client.get(f"{BASE}/me", **header)
        assert response.status_code == 401, header
        assert response.json()["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
    # A password change revokes every token issued before it.
    youth.set_password("un-tout-nouveau-mot-de-passe")
    youth.save()
    assert client.get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 401
    for path in ("/bookings", "/bookings/1"):
        assert client.get(BASE + path).status_code == 401
    assert call(client, "post", "/bookings", body={"stockId": 1}).status_code == 401


# --- profile and credit -------------------------------------------------------------------


def test_me_shape_with_credit(client, youth, show):
    services.book_offer(user=youth, stock_id=stock_of(show, "Tarif réduit").pk, quantity=2)
    response = call(client, "get", "/me", youth)
    assert response.json() == {
        "id": youth.pk,
        "email": "lea@exemple.fr",
        "firstName": "Léa",
        "lastName": "Moreau",
        "role": "beneficiary",
        "birthDate": "2009-05-02",
        "postalCode": "69003",
        "city": "Lyon",
        "departmentCode": "69",
        "emailVerified": True,
        "marketingOptIn": True,
        "identity": {
            "status": "validated",
            "validatedAt": iso(NOW - dt.timedelta(days=30)),
            "refusalReason": None,
        },
        "credit": {
            "kind": "age_17_18",
            "kindLabel": "Crédit 17–18 ans",
            "credited": 15_000,
            "spent": 1_600,
            "balance": 13_400,
            "digitalLeft": 10_000,
            "expiresAt": iso(paris(2030, 5, 2, 0, 0)),
            "freeOffersOnly": False,
        },
    }


def test_me_without_credit_shows_identity_check_state(client):
    user = make_user("tom@exemple.fr", role="beneficiary", birth_date=dt.date(2009, 1, 1))
    IdentityCheck.objects.create(user=user, provider="staff_review", declared={"nom": "Tom"})
    body = call(client, "get", "/me", user).json()
    assert body["identity"] == {"status": "pending", "validatedAt": None, "refusalReason": None}
    assert body["credit"] == {
        "kind": None, "kindLabel": None, "credited": 0, "spent": 0, "balance": 0,
        "digitalLeft": None, "expiresAt": None, "freeOffersOnly": False,
    }  # fmt: skip
    assert body["emailVerified"] is False and body["birthDate"] == "2009-01-01"


# --- offers -------------------------------------------------------------------------------


@pytest.fixture
def catalogue_offers(venue, show):
    """Lyon show (fixture), a book in Marseille (another address), an e-book, and hidden ones."""
    marseille = Address.objects.create(
        label="Jardin du Pharo", street="58 boulevard Charles Livon", postal_code="13007",
        city="Marseille", department_code="13", latitude=Decimal("43.29300"), longitude=Decimal("5.35700"),
    )  # fmt: skip
    book = make_offer(
        venue, subcategory_id="LIVRE_PAPIER", name="L’Étranger", validation=Validation.APPROVED,
        address=marseille,
    )  # fmt: skip
    make_stock(book, price=1_250, quantity=5)
    ebook = make_offer(
        make_virtual_venue(venue.offerer), subcategory_id="LIVRE_NUMERIQUE", name="Le Horla",
        validation=Validation.APPROVED,
    )  # fmt: skip
    make_stock(ebook, price=499)
    draft = make_offer(venue, name="Brouillon secret")
    make_stock(draft, beginning=EVENT, price=100)
    hidden = make_offer(
        make_venue(make_offerer(name="Structure en attente", validated=False)),
        name="Offre non validée", validation=Validation.APPROVED,
    )  # fmt: skip
    make_stock(hidden, beginning=EVENT, price=100)
    return {"show": show, "book": book, "ebook": ebook}


def test_offer_list_item_shape(client, catalogue_offers, venue):
    show = catalogue_offers["show"]
    body = call(client, "get", "/offers", q="cyrano").json()
    assert body["total"] == 1 and body["limit"] == 20 and body["offset"] == 0
    assert body["items"] == [
        {
            "id": show.pk,
            "name": "Cyrano de Bergerac",
            "subcategoryId": "SPECTACLE_REPRESENTATION",
            "categoryId": "SPECTACLE",
            "categoryLabel": "Spectacle vivant",
            "isEvent": True,
            "isDigital": False,
            "isDuo": True,
            "venue": {
                "id": venue.pk,
                "name": "Grande salle",
                "city": "Lyon",
                "postalCode": "69002",
            },
            "location": {
                "label": "Grande salle",
                "street": "8 place des Célestins",
                "postalCode": "69002",
                "city": "Lyon",
                "departmentCode": "69",
                "latitude": 45.76,
                "longitude": 4.83,
            },
            "distanceKm": None,
            "priceMin": 800,
            "nextBeginningDatetime": iso(EVENT),
            "isSoldOut": False,
            "imageUrl": None,
        }
    ]


def test_offer_list_filters_distance_and_pagination(client, catalogue_offers):
    def names(body) -> list[str]:
        return [item["name"] for item in body["items"]]

    everything = call(client, "get", "/offers").json()
    assert everything["total"] == 3
    assert set(names(everything)) == {"Cyrano de Bergerac", "L’Étranger", "Le Horla"}
    near = call(client, "get", "/offers", lat=LYON[0], lon=LYON[1]).json()
    assert names(near) == ["Cyrano de Bergerac", "L’Étranger", "Le Horla"]  # digital last
    distances = [item["distanceKm"] for item in near["items"]]
    assert distances[0] == pytest.approx(0.7, abs=0.2)
    assert distances[1] == pytest.approx(278, abs=3)  # Lyon → Marseille as the crow flies
    assert distances[2] is None
    assert names(call(client, "get", "/offers", lat=LYON[0], lon=LYON[1], radiusKm=50).json()) == [
        "Cyrano de Bergerac"
    ]
    assert names(call(client, "get", "/offers", category="LIVRE").json()) == [
        "Le Horla",
        "L’Étranger",
    ]
    page = call(client, "get", "/offers", lat=LYON[0], lon=LYON[1], limit=1, offset=1).json()
    assert page["total"] == 3 and names(page) == ["L’Étranger"]
    assert call(client, "get", "/offers", offset=10).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"category": "PAS_UNE_CATEGORIE"}, 400, "unknown_category"),
        ({"lat": 45.7}, 400, "invalid_location"),
        ({"lat": 95, "lon": 4}, 422, "invalid_request"),
        ({"limit": 101}, 422, "invalid_request"),
        ({"limit": "abc"}, 422, "invalid_request"),
        ({"offset": -1}, 422, "invalid_request"),
    ],
)
def test_offer_list_refuses_bad_filters(client, catalogue_offers, query, status, code):
    response = call(client, "get", "/offers", **query)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]


def test_offer_list_query_count_is_constant(client, catalogue_offers, venue):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call(client, "get", "/offers", lat=LYON[0], lon=LYON[1]).status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        offer = make_offer(venue, name=f"Pièce {i}", validation=Validation.APPROVED)
        make_stock(offer, beginning=EVENT, price=500 + i, quantity=3)
    assert count() == few


def test_offer_detail_with_stocks(client, show, venue):
    reduced = stock_of(show, "Tarif réduit")
    Stock.objects.filter(pk=reduced.pk).update(booked_quantity=2)  # sold out
    make_stock(show, beginning=NOW - dt.timedelta(days=1), price=100)  # past: not listed
    full = stock_of(show, "Plein tarif")
    body = call(client, "get", f"/offers/{show.pk}").json()
    assert body["description"] == "Comédie héroïque d’Edmond Rostand."
    assert body["withdrawalType"] == "" and body["durationMinutes"] is None
    assert body["accessibility"] == {
        "motor": False,
        "visual": False,
        "hearing": False,
        "mental": False,
    }
    assert body["priceMin"] == 2_000 and body["isSoldOut"] is False
    assert sorted(body["stocks"], key=lambda s: s["price"]) == [
        {
            "id": reduced.pk,
            "beginningDatetime": iso(EVENT),
            "bookingLimitDatetime": None,
            "priceCategory": "Tarif réduit",
            "price": 800,
            "remaining": 0,
            "bookable": False,
        },
        {
            "id": full.pk,
            "beginningDatetime": iso(EVENT),
            "bookingLimitDatetime": None,
            "priceCategory": "Plein tarif",
            "price": 2_000,
            "remaining": 10,
            "bookable": True,
        },
    ]
    draft = make_offer(venue, name="Brouillon")
    for missing in (draft.pk, 999_999):
        response = call(client, "get", f"/offers/{missing}")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Élément introuvable."}


# --- bookings -----------------------------------------------------------------------------


def test_book_returns_201_with_the_booking(client, youth, show, venue):
    stock = stock_of(show, "Tarif réduit")
    response = call(client, "post", "/bookings", youth, {"stockId": stock.pk, "quantity": 2})
    assert response.status_code == 201
    booking = Booking.objects.get(user=youth)
    body = response.json()
    assert re.fullmatch(r"[A-HJ-NP-Z2-7]{6}", body["token"])
    assert body == {
        "id": booking.pk,
        "token": booking.token,
        "status": "confirmed",
        "statusLabel": "Confirmée",
        "quantity": 2,
        "amount": 800,
        "total": 1_600,
        "createdAt": iso(NOW),
        "cancellationLimit": iso(NOW + dt.timedelta(hours=48)),
        "cancellable": True,
        "cancelledAt": None,
        "cancellationReason": None,
        "usedAt": None,
        "offer": {
            "id": show.pk,
            "name": "Cyrano de Bergerac",
            "subcategoryId": "SPECTACLE_REPRESENTATION",
            "isEvent": True,
            "isDigital": False,
            "venue": {
                "id": venue.pk,
                "name": "Grande salle",
                "city": "Lyon",
                "postalCode": "69002",
            },
            "location": {
                "label": "Grande salle",
                "street": "8 place des Célestins",
                "postalCode": "69002",
                "city": "Lyon",
                "departmentCode": "69",
                "latitude": 45.76,
                "longitude": 4.83,
            },
            "withdrawalType": "",
            "withdrawalDetails": "",
            "imageUrl": None,
        },
        "stock": {"id": stock.pk, "beginningDatetime": iso(EVENT), "priceCategory": "Tarif réduit"},
    }
    assert call(client, "get", "/me", youth).json()["credit"]["balance"] == 15_000 - 1_600
    # snake_case input is accepted too (populate_by_name)
    other = make_youth("nina@exemple.fr")
    assert (
        call(
            client, "post", "/bookings", other, {"stock_id": stock_of(show, "Plein tarif").pk}
        ).status_code
        == 201
    )


def test_booking_refusals_have_stable_codes_and_change_nothing(client, youth, show, venue):
    reduced, full = stock_of(show, "Tarif réduit"), stock_of(show, "Plein tarif")
    Stock.objects.filter(pk=reduced.pk).update(booked_quantity=2)
    poor = make_youth("pauvre@exemple.fr", amount=500)
    book = make_offer(
        venue, subcategory_id="LIVRE_PAPIER", name="Roman", validation=Validation.APPROVED
    )
    book_stock = make_stock(book, price=900, quantity=3)
    cases = [
        (youth, {"stockId": reduced.pk}, 409, "sold_out", "Complet : il ne reste plus assez de places."),
        (youth, {"stockId": book_stock.pk, "quantity": 2}, 400, "invalid_quantity",
         "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo."),
        (youth, {"stockId": full.pk, "quantity": 3}, 400, "invalid_quantity",
         "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo."),
        (poor, {"stockId": full.pk}, 400, "insufficient_credit",
         "Crédit insuffisant : il vous reste 5,00\u00a0€, la réservation coûte 20,00\u00a0€."),
        (youth, {"stockId": 999_999}, 400, "offer_not_bookable",
         "Cette offre n’est pas réservable en ce moment."),
        (make_user("pro2@exemple.fr"), {"stockId": full.pk}, 400, "not_beneficiary",
         "Votre crédit n’est pas encore activé : faites vérifier votre identité."),
    ]  # fmt: skip
    for user, body, status, code, message in cases:
        before = db_state()
        response = call(client, "post", "/bookings", user, body)
        assert (response.status_code, response.json()) == (
            status,
            {"code": code, "message": message, "field": None},
        ), code
        assert db_state() == before
    assert call(client, "post", "/bookings", youth, {"stockId": full.pk}).status_code == 201
    before = db_state()
    again = call(client, "post", "/bookings", youth, {"stockId": full.pk})
    assert again.status_code == 409 and again.json()["code"] == "already_booked"
    assert db_state() == before
    for bad in ({}, {"stockId": "abc"}, {"stockId": 0}, {"stockId": full.pk, "quantity": "deux"}):
        response = call(client, "post", "/bookings", youth, bad)
        assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert db_state() == before
    broken = client.post(
        f"{BASE}/bookings", "{pas du json", content_type="application/json", **bearer(youth)
    )
    assert broken.status_code in (400, 422) and db_state() == before


def test_my_bookings_list_detail_and_status_filter(client, youth, show, catalogue_offers):
    first = services.book_offer(user=youth, stock_id=stock_of(show, "Plein tarif").pk)
    services.cancel_by_beneficiary(user=youth, booking_id=first.pk)
    with clock.frozen_at(NOW + dt.timedelta(minutes=5)):
        second = services.book_offer(user=youth, stock_id=stock_of(show, "Tarif réduit").pk)
        ebook = services.book_offer(user=youth, stock_id=catalogue_offers["ebook"].stocks.get().pk)
    other = make_youth("nina@exemple.fr")
    services.book_offer(user=other, stock_id=catalogue_offers["book"].stocks.get().pk)

    listing = call(client, "get", "/bookings", youth).json()
    assert listing["total"] == 3 and listing["limit"] == 50
    assert [b["id"] for b in listing["items"]] == [ebook.pk, second.pk, first.pk]
    assert listing["items"][0]["status"] == "used"  # digital: used at booking
    assert (
        listing["items"][0]["offer"]["isDigital"] is True
        and listing["items"][0]["offer"]["location"] is None
    )
    assert listing["items"][2]["cancellationReason"] == "beneficiary"
    cancelled = call(client, "get", "/bookings", youth, status="cancelled").json()
    assert [b["id"] for b in cancelled["items"]] == [first.pk] and cancelled["total"] == 1
    assert call(client, "get", "/bookings", youth, status="perdu").status_code == 422
    assert (
        call(client, "get", "/bookings", youth, limit=1, offset=1).json()["items"][0]["id"]
        == second.pk
    )
    detail = call(client, "get", f"/bookings/{second.pk}", youth).json()
    assert detail["token"] == second.token and detail["stock"]["priceCategory"] == "Tarif réduit"


def test_bookings_list_query_count_is_constant(client, youth, catalogue_offers, venue):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call(client, "get", "/bookings", youth).status_code == 200
        return len(queries)

    services.book_offer(user=youth, stock_id=catalogue_offers["book"].stocks.get().pk)
    few = count()
    for i in range(4):
        offer = make_offer(venue, name=f"Pièce {i}", validation=Validation.APPROVED)
        category = make_price_category(offer, f"Tarif {i}", 100)
        stock = make_stock(offer, beginning=EVENT, category=category, quantity=3)
        services.book_offer(user=youth, stock_id=stock.pk)
    assert count() == few


def test_someone_elses_booking_is_404_and_untouched(client, youth, show):
    booking = services.book_offer(user=youth, stock_id=stock_of(show, "Plein tarif").pk)
    intruder = make_youth("intrus@exemple.fr")
    before = db_state()
    for method, path in (
        ("get", f"/bookings/{booking.pk}"),
        ("post", f"/bookings/{booking.pk}/cancel"),
    ):
        response = call(client, method, path, intruder)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Élément introuvable."}
    assert call(client, "get", "/bookings", intruder).json()["total"] == 0
    assert call(client, "get", "/bookings/999999", youth).status_code == 404
    assert db_state() == before


def test_cancel_before_the_limit_then_refused_after(client, youth, show):
    booking = services.book_offer(
        user=youth, stock_id=stock_of(show, "Tarif réduit").pk, quantity=2
    )
    with clock.frozen_at(NOW + dt.timedelta(hours=47)):
        response = call(client, "post", f"/bookings/{booking.pk}/cancel", youth)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled" and body["cancellable"] is False
    assert body["cancelledAt"] == iso(NOW + dt.timedelta(hours=47))
    assert body["cancellationReason"] == "beneficiary"
    assert call(client, "get", "/me", youth).json()["credit"]["balance"] == 15_000
    late = services.book_offer(user=youth, stock_id=stock_of(show, "Plein tarif").pk)
    with clock.frozen_at(NOW + dt.timedelta(hours=49)):
        assert call(client, "get", f"/bookings/{late.pk}", youth).json()["cancellable"] is False
        before = db_state()
        refused = call(client, "post", f"/bookings/{late.pk}/cancel", youth)
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "cannot_cancel",
        "message": "Cette réservation n’est plus annulable.",
        "field": None,
    }
    assert db_state() == before
    again = call(client, "post", f"/bookings/{booking.pk}/cancel", youth)
    assert again.status_code == 400 and again.json()["code"] == "booking_cancelled"
    Booking.objects.filter(pk=late.pk).update(status=BookingStatus.USED, used_at=NOW)
    used = call(client, "post", f"/bookings/{late.pk}/cancel", youth)
    assert used.status_code == 400 and used.json()["code"] == "cannot_cancel"


# --- OpenAPI and docs ---------------------------------------------------------------------


def test_openapi_document(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        f"{BASE}/auth/token",
        f"{BASE}/me",
        f"{BASE}/offers",
        f"{BASE}/offers/{{offer_id}}",
        f"{BASE}/bookings",
        f"{BASE}/bookings/{{booking_id}}",
        f"{BASE}/bookings/{{booking_id}}/cancel",
    }
    schemas = document["components"]["schemas"]
    assert {"cancellationLimit", "stockId"} <= set(schemas["BookingOut"]["properties"]) | set(
        schemas["BookIn"]["properties"]
    )
    assert "beginningDatetime" in schemas["StockOut"]["properties"]
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    post_booking = document["paths"][f"{BASE}/bookings"]["post"]
    assert {"201", "400", "409"} <= set(post_booking["responses"])
    assert "security" not in document["paths"][f"{BASE}/auth/token"]["post"]
    # every $ref resolves
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', response.content.decode()))
    assert refs and refs <= set(schemas)


def test_docs_page_loads_nothing_from_outside(client):
    html = client.get(f"{BASE}/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(f"{BASE}/docs/assets/") for s in sources)
    assert '"validatorUrl": null' in html
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=86400"
    assert client.get(f"{BASE}/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get(f"{BASE}/docs/assets/redoc.standalone.js.map").status_code == 404
    assert client.get("/api/app/health").status_code == 200  # the older internal API stays


# --- fuzz: whatever comes in, never a server error ----------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        _json,
        st.fixed_dictionaries(
            {"stockId": st.one_of(st.integers(), st.text(max_size=5))},
            optional={"quantity": st.one_of(st.integers(), st.none(), st.text(max_size=3))},
        ),
    ),
    number=st.integers(),
    query=st.dictionaries(
        st.sampled_from(["q", "category", "lat", "lon", "radiusKm", "limit", "offset", "status"]),
        st.one_of(st.text(max_size=12), st.integers().map(str), st.floats().map(str)),
        max_size=5,
    ),
)
def test_fuzz_no_server_error(client, youth, show, body, number, query):
    responses = [
        client.get(f"{BASE}/offers/{number}"),
        client.get(f"{BASE}/bookings/{number}", **bearer(youth)),
        client.post(f"{BASE}/bookings/{number}/cancel", **bearer(youth)),
        client.post(
            f"{BASE}/bookings", json.dumps(body), content_type="application/json", **bearer(youth)
        ),
        client.post(f"{BASE}/auth/token", json.dumps(body), content_type="application/json"),
        client.get(f"{BASE}/offers", query),
        client.get(f"{BASE}/bookings", query, **bearer(youth)),
    ]
    for response in responses:
        assert response.status_code < 500, response.content
        assert {"code", "message"} <= set(response.json()) or response.status_code < 300
