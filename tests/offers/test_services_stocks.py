"""Tariffs and dates: the multi-date editor, quantities, moves, deletions, fill alerts."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers import errors as e
from passculture.offers import hooks, rules, services
from passculture.offers.models import Offer, PriceCategory, PriceCategoryLabel, Stock
from passculture.offers.rules import Recurrence, expand_recurrence
from tests.factories import make_venue
from tests.offers.factories import (
    NOW,
    PARIS,
    UTC,
    address_data,
    db_state,
    make_offer,
    make_price_category,
    make_stock,
    make_thing_offer,
    offer_data,
    paris,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def offer(venue):
    return make_offer(venue, booking_email="billetterie@celestins.fr")


@pytest.fixture
def full(offer):
    return make_price_category(offer, "Plein tarif", 2500)


@pytest.fixture
def reduced(offer):
    return make_price_category(offer, "Tarif réduit", 1200)


@pytest.fixture
def thing(venue):
    return make_thing_offer(venue, booking_email="accueil@celestins.fr")


@pytest.fixture
def moved_calls():
    calls = []

    def hook(**kwargs):
        calls.append(kwargs)

    hooks.stocks_moved.append(hook)
    yield calls
    hooks.stocks_moved.remove(hook)


@pytest.fixture
def deleted_calls():
    calls = []

    def hook(**kwargs):
        calls.append(kwargs)

    hooks.stocks_deleted.append(hook)
    yield calls
    hooks.stocks_deleted.remove(hook)


def _refused(call, error, text, code, field=None):
    """Run a refused call; check its exact message and that nothing at all changed."""
    before = db_state()
    with pytest.raises(error) as exc:
        call()
    assert (exc.value.text, exc.value.code) == (text, code)
    if field is not None:
        assert exc.value.field == field
    assert db_state() == before
    return exc.value


# --- price categories ---------------------------------------------------------------------------


def test_add_price_category_remembers_the_label_for_the_venue(pro, offer, venue):
    category = services.add_price_category(
        actor=pro, offer=offer, label="  Tarif réduit ", price=1200
    )
    assert (category.label, category.price, category.offer_id) == ("Tarif réduit", 1200, offer.pk)
    assert list(PriceCategoryLabel.objects.values_list("venue_id", "label")) == [
        (venue.pk, "Tarif réduit")
    ]
    entry = entries_for(category).get()
    assert (entry.action, entry.actor, entry.after) == (
        "price_category.created",
        pro,
        {"offer": offer.pk, "label": "Tarif réduit", "price": 1200},
    )
    # Same label on another offer of the venue: the remembered label is not duplicated.
    other = make_offer(venue, name="Tartuffe")
    services.add_price_category(actor=pro, offer=other, label="Tarif réduit", price=1000)
    assert PriceCategoryLabel.objects.count() == 1


@pytest.mark.parametrize("price", [0, 30_000])
def test_price_bounds_are_accepted(pro, offer, price):
    assert (
        services.add_price_category(actor=pro, offer=offer, label="Tarif", price=price).price
        == price
    )


@pytest.mark.parametrize(
    ("label", "price", "error", "text", "code", "field"),
    [
        (
            "",
            1000,
            e.OfferError,
            "Donnez un libellé au tarif (50 caractères au plus).",
            "offer_invalid",
            "label",
        ),
        (
            "   ",
            1000,
            e.OfferError,
            "Donnez un libellé au tarif (50 caractères au plus).",
            "offer_invalid",
            "label",
        ),
        (
            "x" * 51,
            1000,
            e.OfferError,
            "Donnez un libellé au tarif (50 caractères au plus).",
            "offer_invalid",
            "label",
        ),
        (
            "Carré or",
            -1,
            e.InvalidPrice,
            "Le prix doit être compris entre 0 € et 300 €.",
            "invalid_price",
            "price",
        ),
        (
            "Carré or",
            30_001,
            e.InvalidPrice,
            "Le prix doit être compris entre 0 € et 300 €.",
            "invalid_price",
            "price",
        ),
        (
            "PLEIN TARIF",
            1000,
            e.DuplicateLabel,
            "Ce libellé de tarif existe déjà pour cette offre.",
            "duplicate_price_label",
            "label",
        ),
        # Case-insensitive beyond ASCII too (SQLite's LIKE folds ASCII only).
        (
            "étudiant",
            1000,
            e.DuplicateLabel,
            "Ce libellé de tarif existe déjà pour cette offre.",
            "duplicate_price_label",
            "label",
        ),
    ],
)
def test_add_price_category_refusals(pro, offer, full, label, price, error, text, code, field):
    make_price_category(offer, "Étudiant", 800)
    _refused(
        lambda: services.add_price_category(actor=pro, offer=offer, label=label, price=price),
        error, text, code, field,
    )  # fmt: skip


def test_at_most_50_price_categories(pro, offer):
    PriceCategory.objects.bulk_create(
        PriceCategory(offer=offer, label=f"Tarif {i}", price=i * 100) for i in range(49)
    )
    services.add_price_category(actor=pro, offer=offer, label="Cinquantième", price=100)
    _refused(
        lambda: services.add_price_category(actor=pro, offer=offer, label="De trop", price=100),
        e.TooManyPriceCategories,
        "Une offre peut avoir 50 tarifs au plus.",
        "too_many_price_categories",
    )
    assert offer.price_categories.count() == 50


def test_update_price_category_propagates_to_live_stocks_only(pro, offer, full, reduced):
    live = make_stock(offer, beginning=paris(2027, 2, 1, 20, 30), category=full)
    deleted = make_stock(offer, beginning=paris(2027, 2, 2, 20, 30), category=full, deleted=True)
    other = make_stock(offer, beginning=paris(2027, 2, 1, 20, 30), category=reduced)
    services.update_price_category(actor=pro, category=full, label="Plein tarif 2027", price=2800)
    full.refresh_from_db()
    assert (full.label, full.price) == ("Plein tarif 2027", 2800)
    prices = dict(Stock.objects.values_list("pk", "price"))
    assert prices == {live.pk: 2800, deleted.pk: 2500, other.pk: 1200}
    assert PriceCategoryLabel.objects.filter(label="Plein tarif 2027").exists()
    entry = entries_for(full).get(action="price_category.updated")
    assert (entry.before, entry.after) == (
        {"label": "Plein tarif", "price": 2500},
        {"label": "Plein tarif 2027", "price": 2800},
    )
    # Renaming to itself with another case is allowed; to another tariff's label is not.
    services.update_price_category(actor=pro, category=full, label="PLEIN TARIF 2027", price=2800)
    _refused(
        lambda: services.update_price_category(actor=pro, category=full, label="tarif réduit", price=1),
        e.DuplicateLabel, "Ce libellé de tarif existe déjà pour cette offre.", "duplicate_price_label",
    )  # fmt: skip
    _refused(
        lambda: services.update_price_category(actor=pro, category=full, label="Plein", price=30_001),
        e.InvalidPrice, "Le prix doit être compris entre 0 € et 300 €.", "invalid_price",
    )  # fmt: skip


def test_delete_price_category_refused_while_used(pro, offer, full, reduced):
    stock = make_stock(offer, beginning=paris(2027, 2, 1, 20, 30), category=full)
    _refused(
        lambda: services.delete_price_category(actor=pro, category=full),
        e.PriceCategoryInUse,
        "Ce tarif est utilisé par des dates : supprimez-les ou changez leur tarif d’abord.",
        "price_category_in_use",
    )
    # Once its only date is deleted, it can go; the deleted stock loses its link.
    Stock.objects.filter(pk=stock.pk).update(is_deleted=True)
    full_pk = full.pk
    services.delete_price_category(actor=pro, category=full)
    assert list(offer.price_categories.values_list("label", flat=True)) == ["Tarif réduit"]
    stock.refresh_from_db()
    assert stock.price_category_id is None
    entry = AuditEntry.objects.get(action="price_category.deleted")
    assert (entry.object_id, entry.before) == (
        str(full_pk),
        {"label": "Plein tarif", "price": 2500},
    )


# --- the date editor ----------------------------------------------------------------------------

JANUARY = Recurrence(
    start=dt.date(2027, 1, 4),
    end=dt.date(2027, 1, 31),
    weekdays=(1, 4),  # Tuesdays and Fridays
    times=(dt.time(14, 0), dt.time(20, 30)),
    exceptions=frozenset({dt.date(2027, 1, 15)}),
)


def test_plan_previews_dates_times_categories(offer, full, reduced):
    beginnings = expand_recurrence(JANUARY)
    plan = services.plan_event_stocks(
        offer=offer, beginnings=beginnings, price_category_ids=[full.pk, reduced.pk]
    )
    # Tue 5, 12, 19, 26 + Fri 8, 22, 29 (15 excepted) = 7 days × 2 slots × 2 tariffs.
    assert len(beginnings) == 14 and len(plan) == 28
    assert not any(p.exists for p in plan)
    assert plan[0].beginning == paris(2027, 1, 5, 14, 0)
    assert plan[-1].beginning == paris(2027, 1, 29, 20, 30)
    assert {p.price_category.pk for p in plan} == {full.pk, reduced.pk}
    assert Stock.objects.count() == 0  # a preview writes nothing


def test_create_event_stocks_from_a_recurrence(pro, offer, full, reduced):
    beginnings = expand_recurrence(JANUARY)
    created = services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=beginnings,
        price_category_ids=[full.pk, reduced.pk],
        quantity=40,
        rrule_text=JANUARY.as_rrule_text(),
    )
    assert len(created) == 28 == offer.stocks.count()
    days = {s.beginning_datetime.astimezone(PARIS).date() for s in offer.stocks.all()}
    assert dt.date(2027, 1, 15) not in days and len(days) == 7
    assert {s.beginning_datetime.astimezone(PARIS).weekday() for s in offer.stocks.all()} == {1, 4}
    assert {s.beginning_datetime.astimezone(PARIS).time() for s in offer.stocks.all()} == {
        dt.time(14, 0),
        dt.time(20, 30),
    }
    first = offer.stocks.get(beginning_datetime=paris(2027, 1, 5, 20, 30), price_category=reduced)
    assert (first.price, first.quantity, first.booked_quantity, first.is_deleted) == (
        1200,
        40,
        0,
        False,
    )
    # Default booking limit: the day before at 23:59, Paris time (22:59 UTC in winter).
    assert first.booking_limit_datetime == paris(2027, 1, 4, 23, 59)
    assert first.booking_limit_datetime == dt.datetime(2027, 1, 4, 22, 59, tzinfo=UTC)
    assert first.created_at == NOW
    entry = entries_for(offer).get(action="stocks.created")
    assert entry.actor == pro
    assert entry.data == {
        "count": 28,
        "skipped_existing": 0,
        "quantity": 40,
        "rrule": "FREQ=DAILY;UNTIL=20270131;BYDAY=TU,FR",
        "price_categories": sorted([full.pk, reduced.pk]),
    }


def test_extending_the_range_skips_existing_dates(pro, offer, full, reduced):
    ids = [full.pk, reduced.pk]
    services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=expand_recurrence(JANUARY),
        price_category_ids=ids,
        quantity=40,
    )
    longer = Recurrence(
        JANUARY.start, dt.date(2027, 2, 5), JANUARY.weekdays, JANUARY.times, JANUARY.exceptions
    )
    plan = services.plan_event_stocks(
        offer=offer, beginnings=expand_recurrence(longer), price_category_ids=ids
    )
    assert (len(plan), sum(p.exists for p in plan)) == (36, 28)
    created = services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=expand_recurrence(longer),
        price_category_ids=ids,
        quantity=None,
    )
    # Tuesday 2 and Friday 5 February, two slots, two tariffs.
    assert len(created) == 8 and offer.stocks.count() == 36
    assert {s.quantity for s in created} == {None}
    assert (
        entries_for(offer)
        .filter(action="stocks.created")
        .order_by("-id")[0]
        .data["skipped_existing"]
        == 28
    )
    # Only one tariff for an existing date: the other one is added.
    solo = make_price_category(offer, "Solidaire", 500)
    created = services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[paris(2027, 1, 5, 14, 0)], price_category_ids=[solo.pk, full.pk],
        quantity=5,
    )  # fmt: skip
    assert [(s.price_category_id, s.price) for s in created] == [(solo.pk, 500)]


def test_dst_and_booking_limit_hours(pro, offer, full):
    # Sunday 28 March 2027: the clocks go forward in the night.
    sunday = expand_recurrence(
        Recurrence(dt.date(2027, 3, 27), dt.date(2027, 3, 28), (), (dt.time(20, 30),))
    )
    created = services.create_event_stocks(
        actor=pro, offer=offer, beginnings=sunday, price_category_ids=[full.pk], quantity=10
    )
    assert [(s.beginning_datetime, s.booking_limit_datetime) for s in created] == [
        (
            dt.datetime(2027, 3, 27, 19, 30, tzinfo=UTC),
            dt.datetime(2027, 3, 26, 22, 59, tzinfo=UTC),
        ),
        (
            dt.datetime(2027, 3, 28, 18, 30, tzinfo=UTC),
            dt.datetime(2027, 3, 27, 22, 59, tzinfo=UTC),
        ),
    ]
    created = services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[paris(2027, 2, 3, 20, 30)], price_category_ids=[full.pk],
        quantity=10, booking_limit_hours=2,
    )  # fmt: skip
    assert created[0].booking_limit_datetime == paris(2027, 2, 3, 18, 30)
    created = services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[paris(2027, 2, 4, 20, 30)], price_category_ids=[full.pk],
        quantity=10, booking_limit_hours=0,
    )  # fmt: skip
    assert created[0].booking_limit_datetime == paris(2027, 2, 4, 20, 30)


def test_event_later_today_gets_a_limit_clamped_to_now(pro, offer, full):
    # Tonight's show: "yesterday 23:59" is already past, so bookings close now, not in the past.
    created = services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=[paris(2027, 1, 4, 20, 30)],
        price_category_ids=[full.pk],
        quantity=3,
    )
    assert created[0].booking_limit_datetime == NOW


def test_default_limit_follows_the_offer_address_time_zone(pro, venue):
    data = offer_data(
        address=address_data(
            postal_code="97400", city="Saint-Denis", latitude=-20.8823, longitude=55.4504
        )
    )
    offer = services.create_offer(actor=pro, venue=venue, data=data)
    category = make_price_category(offer)
    beginning = dt.datetime(2027, 2, 10, 19, 0, tzinfo=rules.timezone_for_department("974"))
    created = services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=[beginning],
        price_category_ids=[category.pk],
        quantity=None,
    )
    # 9 February 23:59 at La Réunion (UTC+4) = 19:59 UTC.
    assert created[0].booking_limit_datetime == dt.datetime(2027, 2, 9, 19, 59, tzinfo=UTC)


def test_past_date_is_refused_with_its_local_time(pro, offer, full):
    dates = [paris(2027, 1, 8, 20, 30), paris(2027, 1, 4, 8, 30)]
    _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=offer, beginnings=dates, price_category_ids=[full.pk], quantity=10
        ),
        e.PastDate, "La date du 04/01/2027 à 08:30 est déjà passée.", "past_date", "beginning_datetime",
    )  # fmt: skip
    _refused(
        lambda: services.plan_event_stocks(offer=offer, beginnings=[NOW], price_category_ids=[full.pk]),
        e.PastDate, "La date du 04/01/2027 à 09:00 est déjà passée.", "past_date",
    )  # fmt: skip


def test_other_refusals_of_the_date_editor(pro, offer, full, venue, thing):
    foreign = make_price_category(make_offer(venue, name="Tartuffe"), "Plein tarif", 100)
    future = [paris(2027, 2, 1, 20, 30)]
    _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=thing, beginnings=future, price_category_ids=[], quantity=1
        ),
        e.NotAnEvent, "Cette offre n’est pas un événement : elle n’a pas de dates.", "not_an_event",
    )  # fmt: skip
    _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=offer, beginnings=[], price_category_ids=[full.pk], quantity=1
        ),
        e.NoDates,
        "Aucune date ne correspond : vérifiez la période, les jours et les horaires choisis.",
        "no_dates",
    )
    for ids in ([], [foreign.pk], [full.pk, foreign.pk], [full.pk, 999_999]):
        _refused(
            lambda ids=ids: services.create_event_stocks(
                actor=pro, offer=offer, beginnings=future, price_category_ids=ids, quantity=1
            ),
            e.OfferError, "Choisissez au moins un tarif de l’offre.", "offer_invalid", "price_categories",
        )  # fmt: skip
    _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=offer, beginnings=future, price_category_ids=[full.pk], quantity=-1
        ),
        e.OfferError, "Le nombre de places ne peut pas être négatif.", "offer_invalid", "quantity",
    )  # fmt: skip


def test_2500_stocks_at_most(pro, offer, full, reduced):
    start = paris(2027, 2, 1, 0, 0)
    hours = [start + dt.timedelta(hours=i) for i in range(1400)]
    ids = [full.pk, reduced.pk]
    assert (
        len(
            services.plan_event_stocks(offer=offer, beginnings=hours[:1250], price_category_ids=ids)
        )
        == 2500
    )
    _refused(
        lambda: services.plan_event_stocks(
            offer=offer, beginnings=hours[:1251], price_category_ids=ids
        ),
        e.TooManyStocks,
        "Une offre peut avoir 2\u202f500 dates × tarifs au plus : cette opération en ferait 2\u202f502. "
        "Réduisez la période, les jours ou les horaires.",
        "too_many_stocks",
    )
    # Stocks already there count too…
    services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=hours[1300:1310],
        price_category_ids=[full.pk],
        quantity=None,
    )
    assert (
        len(
            services.plan_event_stocks(offer=offer, beginnings=hours[:1245], price_category_ids=ids)
        )
        == 2490
    )
    exc = _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=offer, beginnings=hours[:1250], price_category_ids=ids, quantity=None
        ),
        e.TooManyStocks,
        "Une offre peut avoir 2\u202f500 dates × tarifs au plus : cette opération en ferait 2\u202f510. "
        "Réduisez la période, les jours ou les horaires.",
        "too_many_stocks",
    )
    assert exc.params == {"total": "2\u202f510"}
    # …but dates already present are not counted twice.
    plan = services.plan_event_stocks(
        offer=offer, beginnings=hours[:1240] + hours[1300:1310], price_category_ids=ids
    )
    assert (len(plan), sum(p.exists for p in plan)) == (2500, 10)


def test_deleted_date_can_be_created_again(pro, offer, full):
    when = paris(2027, 2, 1, 20, 30)
    services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[when], price_category_ids=[full.pk], quantity=1
    )
    services.delete_date(actor=pro, offer=offer, beginning=when)
    created = services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[when], price_category_ids=[full.pk], quantity=2
    )
    assert len(created) == 1
    assert list(offer.stocks.order_by("id").values_list("is_deleted", "quantity")) == [
        (True, 1),
        (False, 2),
    ]


def test_archived_offer_takes_no_dates(pro, offer, full):
    Offer.objects.filter(pk=offer.pk).update(archived_at=NOW)
    _refused(
        lambda: services.create_event_stocks(
            actor=pro, offer=offer, beginnings=[paris(2027, 2, 1, 20, 30)], price_category_ids=[full.pk], quantity=1
        ),
        e.OfferError, "Une offre archivée ne se modifie plus : dupliquez-la.", "offer_invalid",
    )  # fmt: skip


# --- things -------------------------------------------------------------------------------------


def test_thing_stock_is_created_then_updated(pro, thing):
    stock = services.set_thing_stock(actor=pro, offer=thing, price=1500, quantity=100)
    assert (stock.price, stock.quantity, stock.beginning_datetime, stock.booking_limit_datetime) == (
        1500, 100, None, None,
    )  # fmt: skip
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=30)
    limit = paris(2027, 6, 30, 23, 59)
    again = services.set_thing_stock(
        actor=pro, offer=thing, price=1000, quantity=30, booking_limit_datetime=limit
    )
    assert again.pk == stock.pk and thing.stocks.count() == 1
    again.refresh_from_db()
    assert (again.price, again.quantity, again.booked_quantity, again.booking_limit_datetime) == (
        1000, 30, 30, limit,
    )  # fmt: skip
    saved = list(entries_for(stock).order_by("id").values_list("before", "after"))
    assert saved == [
        ({}, {"price": 1500, "quantity": 100}),
        ({"price": 1500, "quantity": 100}, {"price": 1000, "quantity": 30}),
    ]
    services.set_thing_stock(actor=pro, offer=thing, price=1000, quantity=None)
    again.refresh_from_db()
    assert again.quantity is None


def test_thing_stock_refusals(pro, thing, offer):
    stock = services.set_thing_stock(actor=pro, offer=thing, price=1500, quantity=10)
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=4)
    _refused(
        lambda: services.set_thing_stock(actor=pro, offer=thing, price=1500, quantity=3),
        e.QuantityBelowBooked,
        "Impossible de descendre à 3 places : 4 sont déjà réservées.",
        "quantity_below_booked",
        "quantity",
    )
    _refused(
        lambda: services.set_thing_stock(actor=pro, offer=thing, price=30_001, quantity=10),
        e.InvalidPrice, "Le prix doit être compris entre 0 € et 300 €.", "invalid_price",
    )  # fmt: skip
    _refused(
        lambda: services.set_thing_stock(actor=pro, offer=offer, price=1000, quantity=10),
        e.IsAnEvent,
        "Un événement se réserve par dates : ajoutez des dates plutôt qu’un stock unique.",
        "is_an_event",
    )


def test_new_thing_stock_with_a_negative_quantity_is_refused(pro, thing):
    _refused(
        lambda: services.set_thing_stock(actor=pro, offer=thing, price=1500, quantity=-1),
        e.OfferError, "Le nombre de places ne peut pas être négatif.", "offer_invalid", "quantity",
    )  # fmt: skip


# --- quantities ---------------------------------------------------------------------------------


@pytest.fixture
def stocks(pro, offer, full, reduced):
    """Two dates × two tariffs, 10 seats each."""
    services.create_event_stocks(
        actor=pro,
        offer=offer,
        beginnings=[paris(2027, 2, 2, 20, 30), paris(2027, 2, 5, 20, 30)],
        price_category_ids=[full.pk, reduced.pk],
        quantity=10,
    )
    return list(offer.stocks.order_by("beginning_datetime", "price"))


def test_update_stock_never_below_booked(pro, stocks):
    stock = stocks[0]
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=3)
    _refused(
        lambda: services.update_stock(actor=pro, stock=stock, quantity=2),
        e.QuantityBelowBooked,
        "Impossible de descendre à 2 places : 3 sont déjà réservées.",
        "quantity_below_booked",
        "quantity",
    )
    services.update_stock(actor=pro, stock=stock, quantity=3)
    stock.refresh_from_db()
    assert (stock.quantity, stock.booked_quantity, stock.remaining) == (3, 3, 0)
    services.update_stock(actor=pro, stock=stock, quantity=None)
    stock.refresh_from_db()
    assert (stock.quantity, stock.remaining) == (None, None)
    entry = entries_for(stock).filter(action="stock.updated").order_by("id").first()
    assert (entry.before["quantity"], entry.after["quantity"]) == (10, 3)


def test_update_stock_booking_limit(pro, stocks):
    stock = stocks[0]  # Tuesday 2 February 20:30
    services.update_stock(
        actor=pro, stock=stock, quantity=10, booking_limit_datetime=paris(2027, 2, 2, 18, 0)
    )
    stock.refresh_from_db()
    assert stock.booking_limit_datetime == paris(2027, 2, 2, 18, 0)
    # No limit given: the current one stays.
    services.update_stock(actor=pro, stock=stock, quantity=12)
    stock.refresh_from_db()
    assert (stock.quantity, stock.booking_limit_datetime) == (12, paris(2027, 2, 2, 18, 0))
    _refused(
        lambda: services.update_stock(
            actor=pro, stock=stock, quantity=10, booking_limit_datetime=paris(2027, 2, 2, 21, 0)
        ),
        e.InvalidBookingLimit,
        "La date limite de réservation doit précéder le début de l’événement.",
        "invalid_booking_limit",
        "booking_limit_datetime",
    )


def test_update_stock_quantities_is_all_or_nothing(pro, offer, stocks):
    Stock.objects.filter(pk=stocks[1].pk).update(booked_quantity=7)
    _refused(
        lambda: services.update_stock_quantities(
            actor=pro,
            offer=offer,
            quantities={stocks[0].pk: 50, stocks[1].pk: 6, stocks[2].pk: None},
        ),
        e.QuantityBelowBooked,
        "Impossible de descendre à 6 places : 7 sont déjà réservées.",
        "quantity_below_booked",
    )
    changed = services.update_stock_quantities(
        actor=pro,
        offer=offer,
        quantities={stocks[0].pk: 50, stocks[1].pk: 7, stocks[2].pk: None, stocks[3].pk: 10},
    )
    assert changed == 3
    assert [s.quantity for s in offer.stocks.order_by("beginning_datetime", "price")] == [
        50,
        7,
        None,
        10,
    ]
    entry = entries_for(offer).get(action="stocks.quantities_updated")
    assert entry.data == {
        "changes": [
            {"stock": stocks[0].pk, "before": 10, "after": 50},
            {"stock": stocks[1].pk, "before": 10, "after": 7},
            {"stock": stocks[2].pk, "before": 10, "after": None},
        ]
    }
    # Nothing changed: no audit entry.
    assert (
        services.update_stock_quantities(actor=pro, offer=offer, quantities={stocks[0].pk: 50}) == 0
    )
    assert entries_for(offer).filter(action="stocks.quantities_updated").count() == 1


def test_update_stock_quantities_refuses_foreign_or_deleted_stocks(pro, offer, stocks, venue):
    other = make_offer(venue, name="Tartuffe")
    foreign = make_stock(other, beginning=paris(2027, 2, 2, 20, 30), quantity=5)
    Stock.objects.filter(pk=stocks[3].pk).update(is_deleted=True)
    for quantities in ({stocks[0].pk: 1, foreign.pk: 1}, {stocks[3].pk: 1}, {123_456: 1}):
        _refused(
            lambda q=quantities: services.update_stock_quantities(actor=pro, offer=offer, quantities=q),
            e.OfferError, "Certaines dates n’existent plus : rechargez la page.", "offer_invalid",
        )  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=12),  # booked
            st.one_of(st.none(), st.integers(min_value=-3, max_value=15)),  # new quantity
        ),
        min_size=4,
        max_size=4,
    )
)
def _check_quantities_invariant(pro, offer, stocks, outcomes, data):
    with transaction.atomic():  # each example starts from the same rows
        for stock, (booked, _) in zip(stocks, data, strict=True):
            Stock.objects.filter(pk=stock.pk).update(
                quantity=max(booked, 10), booked_quantity=booked
            )
        before = db_state()
        wanted = {stock.pk: quantity for stock, (_, quantity) in zip(stocks, data, strict=True)}
        if any(q is not None and q < booked for booked, q in data):
            with pytest.raises(e.QuantityBelowBooked):
                services.update_stock_quantities(actor=pro, offer=offer, quantities=wanted)
            assert db_state() == before
            outcomes.add("refused")
        else:
            services.update_stock_quantities(actor=pro, offer=offer, quantities=wanted)
            assert dict(offer.stocks.values_list("pk", "quantity")) == wanted
            outcomes.add("saved")
        for quantity, booked in offer.stocks.values_list("quantity", "booked_quantity"):
            assert quantity is None or quantity >= booked
        transaction.set_rollback(True)


def test_update_stock_quantities_never_leaves_quantity_below_booked(pro, offer, stocks):
    outcomes = set()
    _check_quantities_invariant(pro, offer, stocks, outcomes)
    assert outcomes == {"refused", "saved"}


def test_database_refuses_overbooking(stocks):
    stock = stocks[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(booked_quantity=F("quantity") + 1)
    stock.refresh_from_db()
    assert (stock.quantity, stock.booked_quantity) == (10, 0)
    # Unlimited stocks have no ceiling.
    Stock.objects.filter(pk=stock.pk).update(quantity=None, booked_quantity=1_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(quantity=999)


# --- move and delete a date ---------------------------------------------------------------------


def test_move_date_moves_every_tariff_and_recomputes_limits(pro, offer, stocks, moved_calls):
    old = paris(2027, 2, 2, 20, 30)
    new = paris(2027, 3, 30, 19, 0)  # after the DST change
    tuesday = [s for s in stocks if s.beginning_datetime == old]
    # One tariff keeps the default limit, the other closes 2 hours before.
    Stock.objects.filter(pk=tuesday[1].pk).update(
        booking_limit_datetime=old - dt.timedelta(hours=2)
    )
    moved = services.move_date(actor=pro, offer=offer, beginning=old, new_beginning=new)
    assert sorted(s.pk for s in moved) == sorted(s.pk for s in tuesday)
    limits = dict(
        Stock.objects.filter(beginning_datetime=new).values_list("pk", "booking_limit_datetime")
    )
    assert limits == {
        tuesday[0].pk: paris(2027, 3, 29, 23, 59),  # default, recomputed (summer time: 21:59 UTC)
        tuesday[1].pk: new - dt.timedelta(hours=2),  # custom, keeps its delay
    }
    assert limits[tuesday[0].pk] == dt.datetime(2027, 3, 29, 21, 59, tzinfo=UTC)
    assert not offer.stocks.filter(beginning_datetime=old).exists()
    assert offer.stocks.filter(beginning_datetime=paris(2027, 2, 5, 20, 30)).count() == 2
    assert moved_calls == [
        {
            "actor": pro,
            "stock_ids": [s.pk for s in moved],
            "old_beginning": old,
            "new_beginning": new,
        }
    ]
    entry = entries_for(offer).get(action="stocks.date_moved")
    assert (entry.before, entry.after, sorted(entry.data["stocks"])) == (
        {"beginning": old.isoformat()},
        {"beginning": new.isoformat()},
        sorted(s.pk for s in tuesday),
    )


def test_move_date_refusals_call_no_hook(pro, offer, stocks, moved_calls):
    old = paris(2027, 2, 2, 20, 30)
    _refused(
        lambda: services.move_date(actor=pro, offer=offer, beginning=old, new_beginning=paris(2027, 1, 3, 20, 0)),
        e.PastDate, "La date du 03/01/2027 à 20:00 est déjà passée.", "past_date",
    )  # fmt: skip
    _refused(
        lambda: services.move_date(
            actor=pro, offer=offer, beginning=old, new_beginning=paris(2027, 2, 5, 20, 30)
        ),
        e.OfferError, "L’offre a déjà une date à ce moment-là.", "offer_invalid", "beginning_datetime",
    )  # fmt: skip
    _refused(
        lambda: services.move_date(
            actor=pro, offer=offer, beginning=paris(2027, 2, 3, 20, 30), new_beginning=paris(2027, 2, 9, 20, 30)
        ),
        e.OfferError, "Cette date n’existe plus : rechargez la page.", "offer_invalid",
    )  # fmt: skip
    assert moved_calls == []


def test_a_failing_hook_rolls_the_move_back(pro, offer, stocks):
    def refuse(**kwargs):
        raise RuntimeError("notifications down")

    hooks.stocks_moved.append(refuse)
    try:
        before = db_state()
        with pytest.raises(RuntimeError):
            services.move_date(
                actor=pro,
                offer=offer,
                beginning=paris(2027, 2, 2, 20, 30),
                new_beginning=paris(2027, 2, 9, 20, 30),
            )
        assert db_state() == before
    finally:
        hooks.stocks_moved.remove(refuse)


def test_delete_date_soft_deletes_every_tariff_and_calls_the_hook(
    pro, offer, stocks, deleted_calls
):
    when = paris(2027, 2, 5, 20, 30)
    ids = sorted(s.pk for s in stocks if s.beginning_datetime == when)
    assert services.delete_date(actor=pro, offer=offer, beginning=when) == 2
    assert sorted(Stock.objects.filter(is_deleted=True).values_list("pk", flat=True)) == ids
    assert Stock.objects.count() == 4  # soft delete: rows stay for bookings and history
    assert [(c["actor"], sorted(c["stock_ids"])) for c in deleted_calls] == [(pro, ids)]
    entry = entries_for(offer).get(action="stocks.date_deleted")
    assert entry.before["beginning"] == when.isoformat() and sorted(entry.before["stocks"]) == ids
    _refused(
        lambda: services.delete_date(actor=pro, offer=offer, beginning=when),
        e.OfferError, "Cette date n’existe plus : rechargez la page.", "offer_invalid",
    )  # fmt: skip
    assert len(deleted_calls) == 1


# --- fill alert ---------------------------------------------------------------------------------


def _book(stock, seats):
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=seats)


def test_fill_alert_is_sent_once_and_rearms_when_seats_are_added(pro, thing, mailoutbox):
    Offer.objects.filter(pk=thing.pk).update(fill_alert_threshold=80)
    stock = services.set_thing_stock(actor=pro, offer=thing, price=0, quantity=10)
    _book(stock, 7)
    assert services.check_fill_alert(offer=thing) is False
    _book(stock, 8)
    assert services.check_fill_alert(offer=thing) is True
    assert services.check_fill_alert(offer=thing) is False  # not twice
    run_pending_tasks()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["accueil@celestins.fr"]
    assert mail.subject == "« Carte jeunes de Lyon » est remplie à 80 %"
    assert "seuil d’alerte que vous aviez choisi (80 %)" in mail.body
    thing.refresh_from_db()
    assert thing.fill_alert_sent_at == NOW
    assert (
        AuditEntry.objects.filter(action="offer.fill_alert_sent", actor_label="SYSTEM").count() == 1
    )
    # The venue adds seats: the rate falls under the threshold, the alert re-arms.
    services.set_thing_stock(actor=pro, offer=thing, price=0, quantity=20)
    thing.refresh_from_db()
    assert thing.fill_alert_sent_at is None
    _book(stock, 16)
    assert services.check_fill_alert(offer=thing) is True
    run_pending_tasks()
    assert [m.subject for m in mailoutbox] == [
        "« Carte jeunes de Lyon » est remplie à 80 %",
        "« Carte jeunes de Lyon » est remplie à 80 %",
    ]


def test_fill_alert_goes_to_the_venue_when_the_offer_has_no_booking_email(pro, venue, mailoutbox):
    venue.booking_email = "contact@celestins.fr"
    venue.save()
    thing = make_thing_offer(venue, fill_alert_threshold=50)
    stock = make_stock(thing, quantity=4, booked=2)
    assert services.check_fill_alert(offer=thing) is True
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [["contact@celestins.fr"]]
    assert stock.remaining == 2


def test_no_threshold_or_only_unlimited_stocks_means_no_alert(pro, thing, venue, mailoutbox):
    make_stock(thing, quantity=1, booked=1)
    assert services.check_fill_alert(offer=thing) is False
    unlimited = make_thing_offer(venue, fill_alert_threshold=1, name="Illimitée")
    make_stock(unlimited, quantity=None, booked=500)
    assert services.check_fill_alert(offer=unlimited) is False
    run_pending_tasks()
    assert mailoutbox == []


def test_fill_alert_over_every_date_and_rearmed_by_new_dates(pro, offer, full, stocks, mailoutbox):
    Offer.objects.filter(pk=offer.pk).update(fill_alert_threshold=75)
    # 4 stocks × 10 seats: 30 booked = 75 %.
    for stock, seats in zip(stocks, [10, 10, 10, 0], strict=True):
        _book(stock, seats)
    services.update_stock_quantities(actor=pro, offer=offer, quantities={stocks[3].pk: 10})
    offer.refresh_from_db()
    assert offer.fill_alert_sent_at == NOW
    # New dates add 20 seats (30 / 60 = 50 %): the alert must re-arm at once.
    services.create_event_stocks(
        actor=pro, offer=offer, beginnings=[paris(2027, 2, 9, 20, 30), paris(2027, 2, 12, 20, 30)],
        price_category_ids=[full.pk], quantity=10,
    )  # fmt: skip
    offer.refresh_from_db()
    assert offer.fill_alert_sent_at is None
    new = offer.stocks.filter(beginning_datetime__gte=paris(2027, 2, 9, 0, 0))
    new.update(booked_quantity=F("quantity"))
    stock = new.first()
    services.update_stock(actor=pro, stock=stock, quantity=10)  # 50 / 60 = 83 %
    run_pending_tasks()
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == "« Le Misanthrope » est remplie à 83 %"


def test_fill_alert_ignores_deleted_dates(pro, offer, stocks, mailoutbox):
    Offer.objects.filter(pk=offer.pk).update(fill_alert_threshold=50)
    _book(stocks[2], 10)
    _book(stocks[3], 10)
    assert services.check_fill_alert(offer=offer) is True  # 20 / 40
    Offer.objects.filter(pk=offer.pk).update(fill_alert_sent_at=None)
    services.delete_date(actor=pro, offer=offer, beginning=paris(2027, 2, 5, 20, 30))
    assert services.check_fill_alert(offer=offer) is False  # 0 / 20


def test_labels_are_remembered_per_venue(pro, offer, offerer):
    # Labels are remembered per venue: a second venue starts with none.
    second = make_venue(offerer, nic=3, name="Studio")
    services.add_price_category(actor=pro, offer=offer, label="Groupe", price=900)
    other = make_offer(second, name="Dom Juan")
    services.add_price_category(actor=pro, offer=other, label="Groupe", price=900)
    assert sorted(PriceCategoryLabel.objects.values_list("venue__name", "label")) == [
        ("Grande salle", "Groupe"),
        ("Studio", "Groupe"),
    ]
