"""Demo offers and a demo young person, so `make run` shows a living catalogue."""

import datetime as dt
from decimal import Decimal

from passculture.accounts.models import Role, User
from passculture.core import clock
from passculture.credit import services as credit_services
from passculture.offerers.models import Venue
from passculture.offers import rules, services
from passculture.offers.services import AddressData, OfferData
from passculture.ops.seeddata import DEMO_PASSWORD

DEMO_YOUTH_EMAIL = "jeune@passculture.local"


def seed_offers(*, staff: User, pro: User, hall: Venue, troupe: Venue) -> int:
    """Three published offers: a recurring show, a touring play elsewhere, a book."""
    today = clock.today_paris()
    start = today + dt.timedelta(days=14)
    show = services.create_offer(
        actor=pro,
        venue=hall,
        data=OfferData(
            name="Le Misanthrope",
            subcategory_id="SPECTACLE_REPRESENTATION",
            description="Molière, mis en scène avec une troupe de jeunes comédiens.",
            extra_data={"showType": "THEATRE-CLASSIQUE", "author": "Molière"},
            is_duo=True,
            withdrawal_type="on_site",
            fill_alert_threshold=80,
        ),
    )
    full = services.add_price_category(actor=pro, offer=show, label="Plein tarif", price=1500)
    reduced = services.add_price_category(actor=pro, offer=show, label="Tarif réduit", price=800)
    dates = rules.expand_recurrence(
        rules.Recurrence(
            start=start,
            end=start + dt.timedelta(days=27),
            weekdays=(1, 4),
            times=(dt.time(14, 0), dt.time(20, 30)),
        )  # fmt: skip
    )
    services.create_event_stocks(
        actor=pro, offer=show, beginnings=dates, price_category_ids=[full.pk, reduced.pk],
        quantity=50,
    )  # fmt: skip
    services.submit_offer(actor=pro, offer=show)

    tour = services.create_offer(
        actor=pro,
        venue=troupe,
        data=OfferData(
            name="Les Fourberies de Scapin, en tournée",
            subcategory_id="SPECTACLE_REPRESENTATION",
            extra_data={"showType": "THEATRE-COMEDIE"},
            address=AddressData(
                label="Chapiteau du parc de la Tête d’Or",
                street="Boulevard des Belges",
                postal_code="69006",
                city="Lyon",
                latitude=Decimal("45.7772"),
                longitude=Decimal("4.8550"),
            ),  # fmt: skip
            withdrawal_type="no_ticket",
        ),
    )
    single = services.add_price_category(actor=pro, offer=tour, label="Tarif unique", price=500)
    evening = dt.datetime.combine(start + dt.timedelta(days=3), dt.time(19))
    services.create_event_stocks(
        actor=pro, offer=tour, price_category_ids=[single.pk], quantity=120,
        beginnings=[rules.local_to_utc(evening, rules.PARIS)],
    )  # fmt: skip
    services.submit_offer(actor=pro, offer=tour)

    book = services.create_offer(
        actor=pro,
        venue=hall,
        data=OfferData(
            name="Cyrano de Bergerac (édition de poche)",
            subcategory_id="LIVRE_PAPIER",
            extra_data={"author": "Edmond Rostand", "ean": "9782070466092"},
        ),
    )
    services.set_thing_stock(actor=pro, offer=book, price=690, quantity=30)
    services.submit_offer(actor=pro, offer=book)
    return 3


def seed_youth(*, staff: User) -> User:
    """A 17-year-old from Lyon whose identity is validated: 50 € under the 2025 rules."""
    today = clock.today_paris()
    birth = (
        dt.date(today.year - 17, 1, 15)
        if today >= dt.date(today.year, 1, 15)
        else dt.date(today.year - 18, 1, 15)
    )
    youth = User.objects.create_user(
        DEMO_YOUTH_EMAIL, DEMO_PASSWORD, first_name="Inès", last_name="Benali-Lefranc",
        role=Role.BENEFICIARY, birth_date=birth, postal_code="69003", city="Lyon",
        department_code="69", email_verified_at=clock.now(),
    )  # fmt: skip
    check = credit_services.request_identity_check(
        user=youth, provider="staff_review", declared={"document": "Carte d’identité"}
    )
    credit_services.decide_identity_check(actor=staff, check_id=check.pk, approve=True)
    return youth
