"""A seeded statistics scenario whose answers are known from geography, not from our code.

Venue "Célestins" in Lyon centre validates at the door; venue "Sans scan" never does
(only auto-use), so it is left out of no-shows. Homes and their distance band to Lyon
(road atlas knowledge, far from band edges): Lyon 3e ~2 km → 0–5; Vénissieux ~8 km →
5–15; Givors ~19 km → 15–30; Saint-Étienne ~50 km → 30–60; L'Abergement-Clémenciat
(Ain, a village too small for GeoNames: its département's centre) ~40–55 km → 30–60;
Grenoble ~95 km → 60+; an unknown postal code → distance inconnue.
"""

import datetime as dt
import itertools
from decimal import Decimal

from passculture.accounts.models import Role, User
from passculture.bookings.models import Booking
from passculture.offerers.models import Venue
from passculture.offers.models import Offer, Stock
from tests.factories import make_offerer, make_siret, make_user

PARIS = dt.timezone(dt.timedelta(hours=1))  # January: Paris is UTC+1
# The period asked: January 2027. Events inside it on the 10th.
START, END = dt.date(2027, 1, 1), dt.date(2027, 1, 31)
EVENT = dt.datetime(2027, 1, 10, 20, 0, tzinfo=PARIS)
BOOKED = dt.datetime(2027, 1, 5, 12, 0, tzinfo=PARIS)
_seq = itertools.count(1)

HOMES = {
    "lyon": ("69003", "Lyon", "69"),
    "venissieux": ("69200", "Vénissieux", "69"),
    "givors": ("69700", "Givors", "69"),
    "st_etienne": ("42000", "Saint-Étienne", "42"),
    "abergement": ("01400", "L'Abergement-Clémenciat", "01"),
    "grenoble": ("38000", "Grenoble", "38"),
    "unknown": ("00000", "Nulle part", ""),
}

# (home, validation_author) for used event bookings at the scanning venue.
USED_AT_DOOR_VENUE = [
    *[("lyon", "pro")] * 3, ("lyon", "auto"),
    ("venissieux", "api"), ("venissieux", "auto"),
    ("givors", "auto"), ("givors", "auto"),
    *[("st_etienne", "pro")] * 4,
    ("abergement", "auto"), ("abergement", "pro"),
    ("grenoble", "auto"), ("grenoble", "pro"), ("grenoble", "pro"),
    ("unknown", "auto"), ("unknown", "pro"),
]  # fmt: skip


def young(key: str) -> User:
    postal_code, city, department = HOMES[key]
    return User.objects.create_user(
        f"jeune{next(_seq)}@exemple.fr",
        None,
        role=Role.BENEFICIARY,
        first_name="Zoé",
        last_name="Lefèvre-Nguyễn",
        birth_date=dt.date(2009, 3, 15),
        postal_code=postal_code,
        city=city,
        department_code=department,
    )


def venue(offerer, name: str, nic: int) -> Venue:
    return Venue.objects.create(
        offerer=offerer,
        name=name,
        siret=make_siret(offerer.siren, nic),
        venue_type="theatre",
        street="8 place des Célestins",
        postal_code="69002",
        city="Lyon",
        department_code="69",
        latitude=Decimal("45.76000"),
        longitude=Decimal("4.83000"),
    )


def book(user: User, place: Venue, *, status: str, author: str = "", when=EVENT, booked=BOOKED):
    """One booking on its own offer and date (one live booking per user and offer)."""
    offer = Offer.objects.create(
        venue=place,
        subcategory_id="SPECTACLE_REPRESENTATION",
        name="Pièce",
        extra_data={"showType": "THEATRE-CLASSIQUE"},
    )
    stock = Stock.objects.create(
        offer=offer, price=1000, beginning_datetime=when, quantity=10, booked_quantity=1
    )
    used = status in ("used", "reimbursed")
    return Booking.objects.create(
        user=user,
        stock=stock,
        offer=offer,
        amount=1000,
        token=f"T{next(_seq):05d}",
        status=status,
        created_at=booked,
        used_at=when + dt.timedelta(hours=1 if author != "auto" else 48) if used else None,
        validation_author=author if used else "",
        cancelled_at=booked + dt.timedelta(hours=2) if status == "cancelled" else None,
    )


def seed() -> dict[str, object]:
    pro = make_user("pro.stats@exemple.fr")
    offerer = make_offerer(pro, name="Théâtre de l'Échangeur")
    door = venue(offerer, "Célestins", 1)
    noscan = venue(offerer, "Sans scan", 2)
    people = {key: young(key) for key in HOMES}
    for key, author in USED_AT_DOOR_VENUE:
        book(people[key], door, status="used", author=author)
    # Never scans: auto-used bookings say nothing about attendance → left out.
    for _ in range(5):
        book(people["lyon"], noscan, status="used", author="auto")
    # Cancelled: a booking and a cancellation, no no-show.
    book(people["grenoble"], door, status="cancelled")
    # An event booked and held in December (auto-used): not in January's figures at all.
    book(
        people["lyon"],
        door,
        status="used",
        author="auto",
        when=dt.datetime(2026, 12, 10, 20, tzinfo=PARIS),
        booked=dt.datetime(2026, 12, 1, 10, tzinfo=PARIS),
    )
    return {"pro": pro, "offerer": offerer, "door": door, "noscan": noscan, "people": people}
