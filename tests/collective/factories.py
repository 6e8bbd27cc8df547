"""Builders for collective tests: schools with valid UAIs, their people, budgets, offers, bookings.

Ground is laid straight in the database (including states a service would refuse to
create, such as a past limit or a confirmed booking); the flow itself goes through the
services under test.
"""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model
from django_tasks_db.models import DBTaskResult

from passculture.accounts.models import Role, User
from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveStock,
    EacProject,
    School,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.services.schools import year_for
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.offerers.models import Venue
from passculture.offers.models import Validation

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
YEAR = "2026-2027"
_seq = itertools.count(1)


def paris(*args: int) -> dt.datetime:
    """A Paris wall-clock time as an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


# "Now" for collective tests: Monday 4 January 2027, 09:00 in Paris (school year 2026-2027).
NOW = paris(2027, 1, 4, 9, 0)
# The default session: Monday 15 March 2027, 10:00–12:00, to confirm by 1 March 18:00.
START = paris(2027, 3, 15, 10, 0)
END = paris(2027, 3, 15, 12, 0)
LIMIT = paris(2027, 3, 1, 18, 0)


def make_uai(n: int | None = None, *, department: str = "069") -> str:
    """A valid UAI: 3 département digits, 4 more, and the check letter."""
    digits = f"{department}{(next(_seq) if n is None else n) % 10_000:04d}"
    return digits + rules.uai_key(digits)


def make_school(**values: Any) -> School:
    values.setdefault("uai", make_uai())
    values.setdefault("name", "Collège Jean Moulin")
    values.setdefault("school_type", "college")
    values.setdefault("city", "Lyon")
    values.setdefault("postal_code", "69005")
    values.setdefault("department_code", "69")
    values.setdefault("academy", "Lyon")
    values.setdefault("latitude", Decimal("45.75960"))
    values.setdefault("longitude", Decimal("4.82210"))
    values.setdefault("phone", "04 78 42 37 52")
    values.setdefault("email", f"ce.{values['uai'].lower()}@ac-lyon.fr")
    return School.objects.create(**values)


def quick_user(email: str, **extra: Any) -> User:
    """A user without a password (tests log in with force_login; hashing costs ~0.5 s)."""
    extra.setdefault("first_name", "Camille")
    extra.setdefault("last_name", "Lefèvre")
    user = User(email=email, **extra)
    user.set_unusable_password()
    user.save()
    return user


def make_member(
    school: School,
    *,
    role: str = SchoolRole.TEACHER,
    email: str | None = None,
    first_name: str = "Agnès",
    last_name: str = "Lemaître",
) -> User:
    """A user attached to the school as teacher (rédacteur de projet) or head."""
    user = quick_user(
        email or f"personnel{next(_seq)}@ac-lyon.fr",
        role=Role.HEAD if role == SchoolRole.HEAD else Role.TEACHER,
        first_name=first_name,
        last_name=last_name,
    )
    SchoolMember.objects.create(user=user, school=school, role=role)
    return user


def make_budget(
    school: School, *, amount: int = 100_000, provisional: bool = False, year_code: str = YEAR
) -> SchoolBudget:
    return SchoolBudget.objects.create(
        school=school, year=year_for(year_code), amount=amount, is_provisional=provisional
    )


def make_offer(
    venue: Venue,
    *,
    name: str = "Atelier théâtre : Molière en classe",
    start: dt.datetime = START,
    end: dt.datetime | None = None,
    limit: dt.datetime | None = None,
    price: int = 30_000,
    pupils: int = 28,
    target_school: School | None = None,
    validation: str = Validation.APPROVED,
    **values: Any,
) -> CollectiveOffer:
    """A published bookable offer with its single session (stock)."""
    values.setdefault("description", "Deux heures de jeu et d’écriture avec la troupe.")
    values.setdefault("domains", ["theatre"])
    values.setdefault("levels", ["4e", "3e"])
    values.setdefault("formats", ["atelier"])
    values.setdefault("contact_email", "scolaires@celestins-lyon.fr")
    offer = CollectiveOffer.objects.create(
        venue=venue, name=name, target_school=target_school, validation=validation, **values
    )
    CollectiveStock.objects.create(
        offer=offer,
        start_datetime=start,
        end_datetime=end or start + (END - START),
        booking_limit_datetime=limit or start - (START - LIMIT),
        price=price,
        number_of_pupils=pupils,
        price_detail="Intervenants et matériel ; transport non compris.",
    )
    return offer


def make_template(venue: Venue, **values: Any) -> CollectiveOffer:
    """A published showcase offer (no date, no price)."""
    values.setdefault("name", "Visite des coulisses")
    values.setdefault("description", "Découverte des métiers du spectacle.")
    values.setdefault("domains", ["theatre"])
    values.setdefault("levels", ["6e", "5e"])
    values.setdefault("contact_email", "scolaires@celestins-lyon.fr")
    values.setdefault("validation", Validation.APPROVED)
    return CollectiveOffer.objects.create(venue=venue, is_template=True, **values)


def make_booking(
    offer: CollectiveOffer,
    teacher: User,
    *,
    status: str = CollectiveBookingStatus.PENDING,
    project: str | None = "Parcours théâtre 4e B",
    price: int | None = None,
) -> CollectiveBooking:
    """A booking of the offer's session by the teacher's school, in the given state."""
    school = SchoolMember.objects.get(user=teacher).school
    stock = offer.stock
    booking = CollectiveBooking.objects.create(
        stock=stock,
        offer=offer,
        school=school,
        year=year_for(rules.year_of(stock.start_datetime)),
        teacher=teacher,
        project=(
            EacProject.objects.get_or_create(
                school=school, name=project, defaults={"created_by": teacher}
            )[0]
            if project
            else None
        ),
        price=stock.price if price is None else price,
        status=status,
        confirmation_limit=stock.booking_limit_datetime,
        created_at=NOW - dt.timedelta(days=1),
    )
    if status != CollectiveBookingStatus.PENDING:
        booking.confirmed_at = NOW - dt.timedelta(hours=1)
        booking.save(update_fields=["confirmed_at"])
    return booking


def actions_for(obj: Model) -> list[str]:
    return list(entries_for(obj).order_by("pk").values_list("action", flat=True))


def world_state() -> tuple[object, ...]:
    """Everything a refused action must leave untouched."""
    return (
        sorted(
            CollectiveBooking.objects.values_list(
                "pk",
                "status",
                "price",
                "project_id",
                "confirmed_at",
                "cancelled_at",
                "cancellation_reason",
                "used_at",
                "updated_at",
            )
        ),  # fmt: skip
        sorted(SchoolBudget.objects.values_list("pk", "amount", "is_provisional", "is_manual")),
        sorted(CollectiveStock.objects.values_list("pk", "price", "price_detail")),
        sorted(CollectiveOffer.objects.values_list("pk", "validation", "rejection_reason")),
        sorted(SchoolMember.objects.values_list("pk", "user_id", "school_id", "role")),
        EacProject.objects.count(),
        AuditEntry.objects.count(),
        DBTaskResult.objects.count(),
    )


# A few rows of the national directory export (annuaire de l'éducation), in its shape.
HEADER = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;"
    "Adresse_1;Code_postal;Nom_commune;Libelle_academie;Telephone;Mail;latitude;longitude;"
    "libelle_nature"
)
JEAN_MOULIN = (
    "0690103M;Collège Jean Moulin;Collège;Public;1 place des Minimes;69005;Lyon;Lyon;"
    "04 78 42 37 52;ce.0690103M@ac-lyon.fr;45.7596;4.8221;COLLEGE"
)
BONAPARTE = (
    "6200002h;Lycée Laetitia Bonaparte;Lycée;Public;3 avenue Napoléon III;20000;Ajaccio;Corse;"
    "04 95 51 80 80;ce.6200002H@ac-corse.fr;41,9272;8,7346;"
    "LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE"
)
RONTAUNAY = (
    "9740921H;Lycée professionnel Julien de Rontaunay;Lycée;Public;3 rue Julien de Rontaunay;"
    "97400;Saint-Denis;La Réunion;02 62 21 66 11;;-20.89;55.48;LYCEE PROFESSIONNEL"
)
BAD_ROWS = [
    "0750654E;Lycée Henri-IV;Lycée;Public;23 rue Clovis;75005;Paris;Paris;01 44 41 21 21;;;;",
    "0750655E;Lycée Louis-le-Grand;Lycée;Public;123 rue Saint-Jacques;99999;Paris;Paris;;;;;",
    "0750651A;;Lycée;Public;14 rue Charlemagne;75004;Paris;Paris;;;;;",
]


def directory(*rows: str) -> str:
    """A directory export: UTF-8 BOM, ';' separators, CRLF line ends."""
    return "\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n"
