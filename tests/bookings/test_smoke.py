"""End-to-end service path: identity → credit → book → cancel → rebook → validate at the door."""

import datetime as dt

import pytest

from passculture.accounts.models import User
from passculture.bookings import selectors, services
from passculture.bookings.errors import TooEarlyToValidate
from passculture.core import clock
from passculture.credit import services as credit_services
from passculture.offers.models import Offer, PriceCategory, Stock, Validation

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def test_full_service_path(pro, venue):
    offer = Offer.objects.create(
        venue=venue, name="Cyrano", subcategory_id="SPECTACLE_REPRESENTATION",
        extra_data={"showType": "THEATRE-CLASSIQUE"}, validation=Validation.APPROVED, is_duo=True,
    )  # fmt: skip
    category = PriceCategory.objects.create(offer=offer, label="Plein tarif", price=1200)
    stock = Stock.objects.create(
        offer=offer, price_category=category, price=1200, quantity=10,
        beginning_datetime=NOW + dt.timedelta(days=10), booking_limit_datetime=NOW + dt.timedelta(days=9),
    )  # fmt: skip
    youth = User.objects.create_user(
        "lea@exemple.fr",
        "x" * 12,
        first_name="Léa",
        last_name="Moreau",
        birth_date=dt.date(2009, 5, 2),
    )
    with clock.frozen_at(NOW):
        check = credit_services.request_identity_check(
            user=youth, provider="staff_review", declared={"nom": "Moreau"}
        )
        from tests.factories import make_user

        staff = make_user("staff@exemple.fr", is_staff=True)
        credit_services.decide_identity_check(actor=staff, check_id=check.pk, approve=True)
        credit = selectors.credit_of(youth)
        assert credit.credited == 5_000 and credit.balance == 5_000  # 17 under the 2025 reform
        booking = services.book_offer(user=youth, stock_id=stock.pk, quantity=2)
        assert selectors.credit_of(youth).balance == 5_000 - 2_400
        services.cancel_by_beneficiary(user=youth, booking_id=booking.pk)
        assert selectors.credit_of(youth).balance == 5_000
        booking = services.book_offer(user=youth, stock_id=stock.pk, quantity=1)
        stock.refresh_from_db()
        assert stock.booked_quantity == 1
        with pytest.raises(TooEarlyToValidate):
            services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})
    with clock.frozen_at(NOW + dt.timedelta(days=3)):
        used = services.validate_token(actor=pro, token=booking.token.lower(), venue_ids={venue.pk})
        assert used.status == "used"
        assert selectors.credit_of(youth).balance == 5_000 - 1_200
