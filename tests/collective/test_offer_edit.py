"""Editing, (de)activating and archiving collective offers; "À une autre adresse" stored."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from passculture.collective import errors as e
from passculture.collective.models import CollectiveBookingStatus, CollectiveOffer, LocationType
from passculture.collective.services import offers as offer_services
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.errors import InvalidState
from passculture.offerers.models import Address
from passculture.offers.models import Validation
from passculture.offers.services.offers import AddressData
from tests.collective.factories import (
    END,
    LIMIT,
    NOW,
    START,
    actions_for,
    make_booking,
    make_member,
    make_offer,
    make_school,
    world_state,
)

pytestmark = pytest.mark.django_db

LYON = AddressData(
    street="12 quai Romain Rolland", postal_code="69005", city="Lyon",
    latitude=Decimal("45.76210"), longitude=Decimal("4.82710"), label="Théâtre du Point du Jour",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):
        yield


def data_of(offer: CollectiveOffer, **overrides: object) -> CollectiveOfferData:
    values: dict[str, object] = {
        "name": offer.name, "description": offer.description, "domains": offer.domains,
        "levels": offer.levels, "formats": offer.formats,
        "contact_email": offer.contact_email, "target_school": offer.target_school,
    }  # fmt: skip
    values.update(overrides)
    return CollectiveOfferData(**values)  # type: ignore[arg-type]


def stock_of(offer: CollectiveOffer, **overrides: object) -> StockData:
    s = offer.stock
    values: dict[str, object] = {
        "start_datetime": s.start_datetime, "end_datetime": s.end_datetime,
        "booking_limit_datetime": s.booking_limit_datetime, "price": s.price,
        "number_of_pupils": s.number_of_pupils, "price_detail": s.price_detail,
    }  # fmt: skip
    values.update(overrides)
    return StockData(**values)  # type: ignore[arg-type]


def confirmed_offer(venue):
    offer = make_offer(venue, price=30_000, pupils=28)
    make_booking(offer, make_member(make_school()), status=CollectiveBookingStatus.CONFIRMED)
    return offer


def test_edit_a_draft_changes_details_and_stock_and_audits_the_changes(pro, venue):
    offer = make_offer(venue, validation=Validation.DRAFT)
    later = START + dt.timedelta(days=7)
    offer_services.update_collective_offer(
        actor=pro, offer=offer, data=data_of(offer, name="Molière en classe, saison 2"),
        stock=stock_of(offer, start_datetime=later, end_datetime=later + dt.timedelta(hours=2),
                       price=32_000, number_of_pupils=30),
    )  # fmt: skip
    offer.refresh_from_db()
    offer.stock.refresh_from_db()
    assert offer.name == "Molière en classe, saison 2"
    assert (offer.stock.start_datetime, offer.stock.price, offer.stock.number_of_pupils) == (
        later, 32_000, 30,
    )  # fmt: skip
    entry = entries_for(offer).get(action="collective_offer.updated")
    assert entry.actor == pro
    assert entry.before["name"] == "Atelier théâtre : Molière en classe"
    assert entry.after["name"] == "Molière en classe, saison 2"
    assert (entry.before["price"], entry.after["price"]) == (30_000, 32_000)
    assert "description" not in entry.after


def test_other_address_is_required_and_stored_with_its_department(pro, venue):
    with pytest.raises(e.InvalidCollectiveOffer) as exc:
        offer_services.create_collective_offer(
            actor=pro, venue=venue, stock=None,
            data=data_of(make_offer(venue), location_type=LocationType.ADDRESS),
        )  # fmt: skip
    assert (exc.value.text, exc.value.field) == (
        "Indiquez l’adresse où se déroule l’offre.", "address_street",
    )  # fmt: skip
    offer = offer_services.create_collective_offer(
        actor=pro, venue=venue, stock=None,
        data=data_of(make_offer(venue), location_type=LocationType.ADDRESS, address=LYON),
    )  # fmt: skip
    assert offer.address is not None
    assert (offer.address.street, offer.address.city, offer.address.department_code) == (
        "12 quai Romain Rolland", "Lyon", "69",
    )  # fmt: skip
    # Unchanged on edit: the same Address row is kept; moved: a new one.
    first = offer.address_id
    offer_services.update_collective_offer(
        actor=pro, offer=offer, stock=None,
        data=data_of(offer, location_type=LocationType.ADDRESS, address=LYON),
    )  # fmt: skip
    offer.refresh_from_db()
    assert offer.address_id == first
    ajaccio = dataclasses.replace(
        LYON, street="2 cours Napoléon", postal_code="20000", city="Ajaccio",
        latitude=Decimal("41.91920"), longitude=Decimal("8.73860"), label="",
    )  # fmt: skip
    offer_services.update_collective_offer(
        actor=pro, offer=offer, stock=None,
        data=data_of(offer, location_type=LocationType.ADDRESS, address=ajaccio),
    )  # fmt: skip
    offer.refresh_from_db()
    assert offer.address_id != first
    assert Address.objects.get(pk=offer.address_id).department_code == "2A"
    # Back to the venue: no address any more.
    offer_services.update_collective_offer(actor=pro, offer=offer, stock=None, data=data_of(offer))
    offer.refresh_from_db()
    assert offer.address_id is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"start_datetime": START + dt.timedelta(hours=1), "end_datetime": END},
        {"end_datetime": END + dt.timedelta(hours=1)},
        {"booking_limit_datetime": LIMIT - dt.timedelta(days=1)},
        {"number_of_pupils": 30},
    ],
)
def test_after_confirmation_dates_and_pupils_are_frozen(pro, venue, overrides):
    offer = confirmed_offer(venue)
    before = world_state()
    with pytest.raises(e.InvalidCollectiveOffer) as exc:
        offer_services.update_collective_offer(
            actor=pro, offer=offer, data=data_of(offer, name="Autre titre"),
            stock=stock_of(offer, **overrides),
        )  # fmt: skip
    assert exc.value.text == (
        "Après confirmation de la réservation, les dates et le nombre d’élèves "
        "ne peuvent plus changer."
    )
    assert world_state() == before
    assert CollectiveOffer.objects.get(pk=offer.pk).name == offer.name
    assert "collective_offer.updated" not in actions_for(offer)


def test_after_confirmation_the_price_may_only_go_down(pro, venue):
    offer = confirmed_offer(venue)
    before = world_state()
    with pytest.raises(e.PriceIncrease) as exc:
        offer_services.update_collective_offer(
            actor=pro, offer=offer, data=data_of(offer), stock=stock_of(offer, price=30_001)
        )
    assert (
        exc.value.text
        == "Après confirmation, le prix ne peut que baisser (actuellement 300,00\u00a0€)."
    )
    assert world_state() == before
    offer_services.update_collective_offer(
        actor=pro, offer=offer, data=data_of(offer), stock=stock_of(offer, price=25_000)
    )
    offer.stock.refresh_from_db()
    assert offer.stock.price == 25_000
    assert offer.stock.bookings.get().price == 25_000


def test_deactivate_activate_then_archive_and_archived_offers_are_frozen(pro, venue):
    offer = make_offer(venue)
    offer_services.set_collective_offer_active(actor=pro, offer=offer, active=False)
    offer.refresh_from_db()
    assert not offer.is_active
    offer_services.set_collective_offer_active(actor=pro, offer=offer, active=True)
    offer_services.archive_collective_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert (offer.is_active, offer.archived_at) == (False, NOW)
    assert actions_for(offer) == [
        "collective_offer.deactivated", "collective_offer.activated", "collective_offer.archived",
    ]  # fmt: skip
    before = world_state()
    with pytest.raises(InvalidState) as exc:
        offer_services.update_collective_offer(
            actor=pro, offer=offer, data=data_of(offer, name="X"), stock=stock_of(offer)
        )
    assert exc.value.text == "Une offre archivée ne se modifie pas : dupliquez-la."
    with pytest.raises(InvalidState) as exc:
        offer_services.set_collective_offer_active(actor=pro, offer=offer, active=True)
    assert exc.value.text == "Une offre archivée ne se réactive pas : dupliquez-la."
    assert world_state() == before
    assert CollectiveOffer.objects.get(pk=offer.pk).name == offer.name
