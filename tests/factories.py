"""Test data builders: valid SIREN/SIRET and users with accented names."""

import itertools
from decimal import Decimal

from passculture.accounts.models import Role, User
from passculture.offerers import rules
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue

PASSWORD = "motdepasse-solide-42"
_seq = itertools.count(1)


def make_siren(n: int | None = None) -> str:
    base = f"{(n if n is not None else next(_seq)) + 12345000:08d}"[-8:]
    return base + rules.luhn_check_digit(base)


def make_siret(siren: str, nic: int = 1) -> str:
    base = f"{siren}{nic:04d}"
    return base + rules.luhn_check_digit(base)


def make_user(email: str | None = None, *, role: str = Role.PRO, **extra: object) -> User:
    email = email or f"user{next(_seq)}@exemple.fr"
    extra.setdefault("first_name", "Élodie")
    extra.setdefault("last_name", "Fénelon")
    return User.objects.create_user(email, PASSWORD, role=role, **extra)


def make_offerer(
    user: User | None = None, *, name: str = "Théâtre des Célestins", validated=True
) -> Offerer:
    offerer = Offerer.objects.create(
        siren=make_siren(),
        name=name,
        street="8 place des Célestins",
        postal_code="69002",
        city="Lyon",
        department_code="69",
        validation_status=ValidationStatus.VALIDATED if validated else ValidationStatus.PENDING,
    )
    if user is not None:
        Membership.objects.create(user=user, offerer=offerer, status=ValidationStatus.VALIDATED)
    return offerer


def make_venue(offerer: Offerer, *, nic: int = 1, name: str = "Grande salle") -> Venue:
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
