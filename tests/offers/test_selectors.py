"""Scoped reads: no pro sees another structure's offers; statuses in SQL agree with the rules."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passculture.core import clock
from passculture.offerers.models import Membership, ValidationStatus
from passculture.offers import rules
from passculture.offers.models import Offer, Stock, Validation
from passculture.offers.selectors import (
    OfferFilters,
    annotate_offers,
    filter_offers,
    get_offer_for_user,
    get_stock_for_user,
    offers_for_user,
    status_of,
    stocks_of,
)
from tests.factories import make_offerer, make_venue
from tests.offers.factories import (
    NOW,
    make_offer,
    make_price_category,
    make_stock,
    make_thing_offer,
    paris,
)

pytestmark = pytest.mark.django_db

FUTURE = paris(2027, 2, 2, 20, 30)
PAST = paris(2027, 1, 2, 20, 30)
STATUSES = [
    "ACTIVE", "PUBLISHED", "SOLD_OUT", "EXPIRED", "SCHEDULED", "DRAFT", "PENDING", "REJECTED",
    "INACTIVE", "ARCHIVED",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def other_offerer(other_pro):
    return make_offerer(other_pro, name="Librairie Au Bonheur des Dames")


@pytest.fixture
def other_venue(other_offerer):
    return make_venue(other_offerer, name="Librairie")


# --- access -------------------------------------------------------------------------------------


def test_offers_for_user_only_returns_validated_memberships_structures(
    pro, other_pro, staff, venue, offerer, other_venue
):
    mine = [make_offer(venue), make_thing_offer(venue)]
    second_venue = make_venue(offerer, nic=2, name="Petite salle")
    mine.append(make_offer(second_venue, name="Tartuffe"))
    theirs = make_thing_offer(other_venue, name="Carte jeunes de Paris")
    assert set(offers_for_user(pro)) == set(mine)
    assert list(offers_for_user(other_pro)) == [theirs]
    # A join request still pending, or refused, shows nothing of the structure.
    membership = Membership.objects.create(
        user=other_pro, offerer=offerer, status=ValidationStatus.PENDING
    )
    assert list(offers_for_user(other_pro)) == [theirs]
    membership.status = ValidationStatus.REJECTED
    membership.save()
    assert list(offers_for_user(other_pro)) == [theirs]
    # No bypass for staff without a membership, nothing for anonymous users.
    assert list(offers_for_user(staff)) == []
    assert list(offers_for_user(AnonymousUser())) == []
    # Once validated, the structure's offers appear, with no duplicate rows.
    membership.status = ValidationStatus.VALIDATED
    membership.save()
    assert sorted(o.pk for o in offers_for_user(other_pro)) == sorted(
        [theirs.pk] + [o.pk for o in mine]
    )


def test_another_structures_offer_or_stock_is_a_404(pro, other_pro, venue, other_venue):
    offer = make_offer(venue)
    stock = make_stock(offer, beginning=FUTURE, quantity=10)
    deleted = make_stock(offer, beginning=PAST, quantity=10, deleted=True)
    theirs = make_thing_offer(other_venue)
    their_stock = make_stock(theirs, quantity=5)
    assert get_offer_for_user(pro, offer.pk) == offer
    assert get_offer_for_user(pro, str(offer.pk)).venue.offerer == venue.offerer
    assert get_stock_for_user(pro, stock.pk) == stock
    for user, offer_id in [
        (pro, theirs.pk),
        (other_pro, offer.pk),
        (pro, 999_999),
        (pro, "abc"),
        (pro, None),
    ]:
        with pytest.raises(Http404):
            get_offer_for_user(user, offer_id)
    for user, stock_id in [
        (pro, their_stock.pk),
        (other_pro, stock.pk),
        (pro, deleted.pk),
        (pro, "x"),
    ]:
        with pytest.raises(Http404):
            get_stock_for_user(user, stock_id)


def test_pending_member_gets_a_404(other_pro, offerer, venue):
    offer = make_offer(venue)
    Membership.objects.create(user=other_pro, offerer=offerer, status=ValidationStatus.PENDING)
    with pytest.raises(Http404):
        get_offer_for_user(other_pro, offer.pk)


# --- statuses -----------------------------------------------------------------------------------


def _approved(venue, **fields):
    fields.setdefault("validation", Validation.APPROVED)
    return make_offer(venue, **fields)


@pytest.fixture
def by_status(venue):
    """One or more offers per status, built from raw rows."""
    offers: dict[str, list[Offer]] = {s: [] for s in STATUSES}

    active = _approved(venue, name="Active")
    make_stock(active, beginning=FUTURE, quantity=10, booked=2)
    make_stock(active, beginning=PAST, quantity=10, booked=10)
    active_thing = make_thing_offer(venue, validation=Validation.APPROVED, name="Objet actif")
    make_stock(active_thing, quantity=None, booked=40)
    offers["ACTIVE"] += [active, active_thing]

    published = _approved(
        venue, name="Réservable bientôt", booking_allowed_datetime=paris(2027, 1, 10, 10, 0)
    )
    make_stock(published, beginning=FUTURE, quantity=10)
    offers["PUBLISHED"].append(published)

    sold_out = _approved(venue, name="Complet")
    make_stock(sold_out, beginning=FUTURE, quantity=5, booked=5)
    make_stock(sold_out, beginning=paris(2027, 2, 3, 20, 30), quantity=0)
    closed = _approved(venue, name="Réservations closes")
    make_stock(closed, beginning=FUTURE, quantity=5, limit=paris(2027, 1, 3, 23, 59))
    offers["SOLD_OUT"] += [sold_out, closed]

    expired = _approved(venue, name="Passée")
    make_stock(expired, beginning=PAST, quantity=10)
    make_stock(expired, beginning=FUTURE, quantity=10, deleted=True)
    no_stock = _approved(venue, name="Sans dates")
    offers["EXPIRED"] += [expired, no_stock]

    scheduled = _approved(venue, name="Programmée", publication_datetime=paris(2027, 1, 5, 8, 0))
    make_stock(scheduled, beginning=FUTURE, quantity=10)
    offers["SCHEDULED"].append(scheduled)

    for validation in ("draft", "pending", "rejected"):
        offer = make_offer(venue, validation=validation, name=validation)
        make_stock(offer, beginning=FUTURE, quantity=10)
        offers[validation.upper()].append(offer)

    inactive = _approved(venue, name="Désactivée", is_active=False)
    make_stock(inactive, beginning=FUTURE, quantity=10)
    offers["INACTIVE"].append(inactive)

    archived = _approved(venue, name="Archivée", archived_at=NOW, is_active=False)
    make_stock(archived, beginning=FUTURE, quantity=10)
    archived_draft = make_offer(venue, name="Brouillon archivé", archived_at=NOW)
    offers["ARCHIVED"] += [archived, archived_draft]
    return offers


def _reference_status(offer: Offer, now: dt.datetime) -> str:
    """The status from raw rows and rules.offer_status, without the selectors' SQL."""
    live = [s for s in Stock.objects.filter(offer=offer) if not s.is_deleted]
    future = [s for s in live if s.beginning_datetime is None or s.beginning_datetime > now]
    bookable = [
        s
        for s in future
        if (s.booking_limit_datetime is None or s.booking_limit_datetime > now)
        and (s.quantity is None or s.booked_quantity < s.quantity)
    ]
    return rules.offer_status(
        validation=offer.validation,
        is_active=offer.is_active,
        archived=offer.archived_at is not None,
        publication_datetime=offer.publication_datetime,
        booking_allowed_datetime=offer.booking_allowed_datetime,
        bookable_stocks=len(bookable),
        future_stocks=len(future),
        now=now,
    )


def test_status_of_and_filters_agree_with_the_rules(pro, by_status):
    expected = {o.pk: status for status, offers in by_status.items() for o in offers}
    annotated = {o.pk: o for o in annotate_offers(offers_for_user(pro))}
    assert len(annotated) == len(expected)
    for pk, status in expected.items():
        offer = annotated[pk]
        assert status_of(offer) == status, offer.name
        assert status_of(Offer.objects.get(pk=pk)) == status, offer.name  # unannotated path
        assert _reference_status(offer, NOW) == status, offer.name
    for status in STATUSES:
        found = filter_offers(annotate_offers(offers_for_user(pro)), OfferFilters(status=status))
        assert sorted(o.pk for o in found) == sorted(o.pk for o in by_status[status]), status
    assert not filter_offers(
        annotate_offers(offers_for_user(pro)), OfferFilters(status="UNKNOWN")
    ).exists()


def test_statuses_move_with_time(pro, by_status):
    scheduled = by_status["SCHEDULED"][0]
    published = by_status["PUBLISHED"][0]
    active = by_status["ACTIVE"][0]
    later = paris(2027, 1, 11, 9, 0)
    assert status_of(scheduled, later) == "ACTIVE"
    assert status_of(published, later) == "ACTIVE"
    with clock.frozen_at(paris(2027, 2, 3, 9, 0)):  # after every FUTURE date
        assert status_of(active) == "EXPIRED"
        expired = filter_offers(
            annotate_offers(offers_for_user(pro)), OfferFilters(status="EXPIRED")
        )
        assert active in set(expired)


def test_annotations_count_live_stocks_only(venue):
    offer = make_offer(venue)
    category = make_price_category(offer)
    make_stock(offer, beginning=FUTURE, category=category, quantity=10, booked=4)
    make_stock(
        offer, beginning=paris(2027, 2, 3, 20, 30), category=category, quantity=None, booked=7
    )
    make_stock(offer, beginning=PAST, category=category, quantity=20, booked=20)
    make_stock(
        offer,
        beginning=paris(2027, 2, 4, 20, 30),
        category=category,
        quantity=99,
        booked=9,
        deleted=True,
    )
    annotated = annotate_offers(Offer.objects.filter(pk=offer.pk)).get()
    assert (annotated.stock_count, annotated.future_count, annotated.has_bookable) == (3, 2, True)
    assert (annotated.seats, annotated.booked) == (30, 31)
    assert [s.beginning_datetime for s in stocks_of(offer)] == [
        PAST,
        FUTURE,
        paris(2027, 2, 3, 20, 30),
    ]


WHEN = st.sampled_from(
    [
        None,
        NOW - dt.timedelta(days=3),
        NOW - dt.timedelta(hours=1),
        NOW,
        NOW + dt.timedelta(hours=1),
        NOW + dt.timedelta(days=3),
    ]
)
STOCK = st.tuples(
    WHEN,  # beginning
    WHEN,  # booking limit
    st.one_of(st.none(), st.integers(min_value=0, max_value=3)),  # quantity
    st.integers(min_value=0, max_value=3),  # booked (capped by quantity)
    st.booleans(),  # deleted
)
OFFER = st.fixed_dictionaries(
    {
        "validation": st.sampled_from(["draft", "pending", "approved", "approved", "rejected"]),
        "is_active": st.booleans(),
        "archived_at": st.sampled_from([None, None, None, NOW]),
        "publication_datetime": WHEN,
        "booking_allowed_datetime": WHEN,
        "stocks": st.lists(STOCK, max_size=3),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=st.lists(OFFER, min_size=1, max_size=4))
def _check_sql_status_matches_rules(pro, venue, specs):
    with transaction.atomic():
        offers = []
        for i, spec in enumerate(specs):
            spec = dict(spec)
            stocks = spec.pop("stocks")
            offer = make_offer(venue, name=f"Offre {i}", **spec)
            for j, (beginning, limit, quantity, booked, deleted) in enumerate(stocks):
                Stock.objects.create(
                    offer=offer,
                    price=1000 + j,  # distinct rows even at the same date
                    beginning_datetime=beginning,
                    booking_limit_datetime=limit,
                    quantity=quantity,
                    booked_quantity=booked if quantity is None else min(booked, quantity),
                    is_deleted=deleted,
                )
            offers.append(offer)
        expected = {o.pk: _reference_status(o, NOW) for o in offers}
        annotated = annotate_offers(offers_for_user(pro))
        assert {o.pk: status_of(o) for o in annotated} == expected
        for status in STATUSES:
            found = filter_offers(
                annotate_offers(offers_for_user(pro)), OfferFilters(status=status)
            )
            assert sorted(o.pk for o in found) == sorted(
                pk for pk, s in expected.items() if s == status
            ), status
        transaction.set_rollback(True)


def test_sql_status_matches_the_rules_for_any_offer(pro, venue):
    _check_sql_status_matches_rules(pro, venue)


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def catalogue_offers(venue, offerer):
    studio = make_venue(offerer, nic=2, name="Studio")
    misanthrope = make_offer(venue, name="Le Misanthrope")
    make_stock(misanthrope, beginning=paris(2027, 2, 1, 0, 30), quantity=10)  # 31 Jan 23:30 UTC
    tartuffe = make_offer(studio, name="Tartuffe ou l’Imposteur")
    make_stock(tartuffe, beginning=paris(2027, 3, 15, 20, 0), quantity=10)
    make_stock(tartuffe, beginning=paris(2027, 2, 10, 20, 0), quantity=10, deleted=True)
    book = make_offer(
        venue, subcategory_id="LIVRE_PAPIER", name="Les Fourberies de Scapin",
        extra_data={"ean": "9782070360024"},
    )  # fmt: skip
    make_stock(book, quantity=3)
    archived = make_offer(venue, name="Le Misanthrope (2026)", archived_at=NOW)
    make_stock(archived, beginning=paris(2027, 2, 1, 20, 0), quantity=10)
    return {
        "misanthrope": misanthrope,
        "tartuffe": tartuffe,
        "book": book,
        "archived": archived,
        "studio": studio,
    }


def _names(pro, **filters):
    found = filter_offers(annotate_offers(offers_for_user(pro)), OfferFilters(**filters))
    return sorted(o.name for o in found)


def test_text_filter_on_name_or_ean(pro, catalogue_offers):
    assert _names(pro, text="misanthrope") == ["Le Misanthrope"]
    assert _names(pro, text="misanthrope", include_archived=True) == [
        "Le Misanthrope",
        "Le Misanthrope (2026)",
    ]
    assert _names(pro, text="9782070360024") == ["Les Fourberies de Scapin"]
    assert _names(pro, text=" 9782070360024 ") == ["Les Fourberies de Scapin"]
    assert _names(pro, text="978207036002") == []  # an EAN matches whole
    assert _names(pro, text="Molière") == []


def test_venue_and_category_filters(pro, catalogue_offers, venue):
    assert _names(pro, venue_id=catalogue_offers["studio"].pk) == ["Tartuffe ou l’Imposteur"]
    assert _names(pro, venue_id=venue.pk) == ["Le Misanthrope", "Les Fourberies de Scapin"]
    assert _names(pro, category_id="SPECTACLE") == ["Le Misanthrope", "Tartuffe ou l’Imposteur"]
    assert _names(pro, category_id="LIVRE") == ["Les Fourberies de Scapin"]
    assert _names(pro, category_id="CINEMA") == []
    assert _names(pro, category_id="SPECTACLE", venue_id=venue.pk, text="tartuffe") == []


def test_date_filters_use_paris_local_days_and_live_stocks(pro, catalogue_offers):
    # 1 February 00:30 in Paris is still 31 January in UTC: the local day counts.
    assert _names(pro, date_from=dt.date(2027, 2, 1), date_to=dt.date(2027, 2, 1)) == [
        "Le Misanthrope"
    ]
    assert _names(pro, date_to=dt.date(2027, 1, 31)) == []
    assert _names(pro, date_from=dt.date(2027, 2, 2)) == ["Tartuffe ou l’Imposteur"]
    # Only a deleted date falls in this range; things have no dates at all.
    assert _names(pro, date_from=dt.date(2027, 2, 5), date_to=dt.date(2027, 2, 28)) == []
    assert _names(pro, date_from=dt.date(2027, 1, 1), include_archived=True) == [
        "Le Misanthrope", "Le Misanthrope (2026)", "Tartuffe ou l’Imposteur",
    ]  # fmt: skip


def test_archived_only_with_its_status_or_on_request(pro, catalogue_offers):
    assert "Le Misanthrope (2026)" not in _names(pro)
    assert _names(pro, status="ARCHIVED") == ["Le Misanthrope (2026)"]
    assert len(_names(pro, include_archived=True)) == 4


def test_other_structures_offers_never_match_a_filter(pro, other_venue, catalogue_offers):
    make_offer(other_venue, name="Le Misanthrope", validation=Validation.APPROVED)
    assert _names(pro, text="misanthrope") == ["Le Misanthrope"]
    assert _names(pro, venue_id=other_venue.pk) == []


# --- query count --------------------------------------------------------------------------------


def _render_list(user) -> list[tuple]:
    offers = annotate_offers(
        filter_offers(offers_for_user(user).select_related("venue"), OfferFilters())
    )
    return [
        (o.name, o.venue.display_name, status_of(o), o.stock_count, o.seats, o.booked)
        for o in offers
    ]


def _add_offers(venue, count, start):
    for i in range(start, start + count):
        offer = make_offer(venue, name=f"Offre {i}", validation=Validation.APPROVED)
        category = make_price_category(offer)
        make_stock(offer, beginning=FUTURE, category=category, quantity=10, booked=i % 10)
        make_stock(offer, beginning=PAST, category=category, quantity=5)


def test_list_query_count_does_not_grow_with_offers(pro, venue, django_assert_num_queries):
    _add_offers(venue, 2, 0)
    with CaptureQueriesContext(connection) as few:
        rows = _render_list(pro)
    assert len(rows) == 2
    _add_offers(venue, 15, 2)
    with CaptureQueriesContext(connection) as many:
        rows = _render_list(pro)
    assert len(rows) == 17
    assert len(few.captured_queries) == len(many.captured_queries)
    with django_assert_num_queries(1):
        rows = _render_list(pro)
    assert {row[2] for row in rows} == {"ACTIVE"}
    # Two live stocks each (one past), 10 + 5 seats.
    assert all(row[3:5] == (2, 15) for row in rows)
