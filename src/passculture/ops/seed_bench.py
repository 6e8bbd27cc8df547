"""Bench volumes for ``seed --size bench``: tens of thousands of validated structures and venues.

This is a bulk loader (``bulk_create``): it bypasses the services on purpose, so it
writes **no audit entry and queues no e-mail** per object, and it relies on
``seeddata`` generating data the services would have accepted (valid SIREN/SIRET,
SIRET under its SIREN, département from the postal code, coordinates in France).
"""

import random
import time
from dataclasses import dataclass

from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.db import transaction
from faker import Faker

from passculture.accounts.models import Role, User
from passculture.core import clock
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue, VenueType
from passculture.ops import seeddata
from passculture.ops.seeddata import BENCH_PRO_EMAIL, DEMO_PASSWORD

BENCH_DEFAULT_SEED = 2022
BENCH_DEFAULT_STRUCTURES = 10_000
BENCH_DEFAULT_VENUES_PER_STRUCTURE = 3
BENCH_BATCH_SIZE = 2000
BENCH_MEMBER_STRUCTURES = 100

# Physical venue kinds used by the bench loader, with the word that starts their name.
BENCH_VENUE_KINDS: list[tuple[str, str]] = [
    (VenueType.THEATRE, "Théâtre"),
    (VenueType.CINEMA, "Cinéma"),
    (VenueType.MUSEUM, "Musée"),
    (VenueType.HERITAGE, "Maison du patrimoine"),
    (VenueType.BOOKSHOP, "Librairie"),
    (VenueType.LIBRARY, "Médiathèque"),
    (VenueType.CONCERT_HALL, "Salle de concert"),
    (VenueType.FESTIVAL, "Festival"),
    (VenueType.ARTS_SCHOOL, "Atelier d’art"),
    (VenueType.CULTURAL_CENTRE, "Centre culturel"),
    (VenueType.GAMES, "Ludothèque"),
    (VenueType.OTHER, "Tiers-lieu"),
]
BENCH_STRUCTURE_PREFIXES = [
    "Association culturelle",
    "Compagnie",
    "Société",
    "Collectif",
    "Ensemble",
    "Fondation",
    "Les Amis de",
    "Scène",
]


def _count(value: int) -> str:
    """French thousands separator (narrow no-break space): 10 000, not 10,000."""
    return f"{value:,}".replace(",", "\u202f")


@dataclass
class BenchCounts:
    users: int = 0
    offerers: int = 0
    venues: int = 0
    memberships: int = 0


def seed_bench(
    stdout: OutputWrapper, style: Style, structures: int, per_structure: int, seed: int
) -> None:
    """Load the bench volume in one transaction and print what was created."""
    started = time.perf_counter()
    with transaction.atomic():
        counts = BenchLoader(seed).load(structures, per_structure)
    elapsed = time.perf_counter() - started
    stdout.write(
        style.SUCCESS(
            f"Volume de test créé en {elapsed:.1f} s : {_count(counts.offerers)} structures, "
            f"{_count(counts.venues)} lieux, {_count(counts.memberships)} rattachements."
        )
    )
    stdout.write(
        f"Compte rattaché aux {BENCH_MEMBER_STRUCTURES} premières structures : "
        f"{BENCH_PRO_EMAIL} / mot de passe : {DEMO_PASSWORD}"
    )
    stdout.write(
        f"Total en base : {_count(Offerer.objects.count())} structures, "
        f"{_count(Venue.objects.count())} lieux."
    )


class BenchLoader:
    """Bulk loader for load tests: fast, reproducible, and not audited (see module docstring)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        # Small pools drawn once: calling Faker 40 000 times would dominate the run time.
        self.last_names = [fake.last_name() for _ in range(400)]
        self.first_names = [fake.first_name() for _ in range(150)]
        self.streets = [fake.street_name() for _ in range(300)]

    def _street(self) -> str:
        return f"{self.rng.randint(1, 180)} {self.rng.choice(self.streets)}"

    def _offerer_name(self, city: seeddata.City) -> str:
        prefix = self.rng.choice(BENCH_STRUCTURE_PREFIXES)
        if self.rng.random() < 0.3:
            first, last = self.rng.choice(self.first_names), self.rng.choice(self.last_names)
            return f"{prefix} {first} {last}"
        if self.rng.random() < 0.5:
            return f"{prefix} de {city.name}"
        return f"{prefix} {self.rng.choice(self.last_names)}"

    def _taken_sirens(self) -> set[str]:
        # Offerers from an earlier run, plus SIRENs hidden in existing SIRETs.
        taken = set(Offerer.objects.values_list("siren", flat=True))
        sirets = Venue.objects.exclude(siret=None).values_list("siret", flat=True)
        taken.update(siret[:9] for siret in sirets if siret)
        return taken

    def load(self, structures: int, per_structure: int) -> BenchCounts:
        rng = self.rng
        now = clock.now()
        sirens = seeddata.unique_sirens(rng, structures, self._taken_sirens())
        offerer_cities: list[seeddata.City] = []
        offerers: list[Offerer] = []
        for siren in sirens:
            city = rng.choice(seeddata.CITIES)
            offerer_cities.append(city)
            offerers.append(
                Offerer(
                    siren=siren,
                    name=self._offerer_name(city),
                    street=self._street(),
                    postal_code=city.postal_code,
                    city=city.name,
                    department_code=seeddata.department_of(city),
                    validation_status=ValidationStatus.VALIDATED,
                    validated_at=now,
                )
            )
        Offerer.objects.bulk_create(offerers, batch_size=BENCH_BATCH_SIZE)
        self._ensure_pks(offerers)

        venues: list[Venue] = []
        batch_venues = 0
        for offerer, home in zip(offerers, offerer_cities, strict=True):
            for siret in seeddata.random_sirets(rng, offerer.siren, per_structure):
                # Most venues sit in the structure's city, some elsewhere (networks).
                city = home if rng.random() < 0.7 else rng.choice(seeddata.CITIES)
                venue_type, word = rng.choice(BENCH_VENUE_KINDS)
                latitude, longitude = seeddata.jittered_coordinates(rng, city)
                venues.append(
                    Venue(
                        offerer_id=offerer.pk,
                        name=f"{word} {rng.choice(self.last_names)}",
                        siret=siret,
                        venue_type=venue_type,
                        street=self._street(),
                        postal_code=city.postal_code,
                        city=city.name,
                        department_code=seeddata.department_of(city),
                        latitude=latitude,
                        longitude=longitude,
                        motor_accessible=rng.random() < 0.6,
                        visual_accessible=rng.random() < 0.3,
                        hearing_accessible=rng.random() < 0.3,
                        mental_accessible=rng.random() < 0.2,
                    )
                )
            # Flush regularly so memory stays flat however many venues are asked for.
            if len(venues) >= BENCH_BATCH_SIZE * 5:
                Venue.objects.bulk_create(venues, batch_size=BENCH_BATCH_SIZE)
                batch_venues += len(venues)
                venues = []
        Venue.objects.bulk_create(venues, batch_size=BENCH_BATCH_SIZE)
        batch_venues += len(venues)

        pro = User.objects.filter(email__iexact=BENCH_PRO_EMAIL).first()
        if pro is None:
            pro = User.objects.create_user(
                BENCH_PRO_EMAIL,
                DEMO_PASSWORD,
                first_name="Claude",
                last_name="Bénard",
                role=Role.PRO,
                email_verified_at=now,
            )
        memberships = [
            Membership(
                user=pro, offerer=offerer, status=ValidationStatus.VALIDATED, validated_at=now
            )
            for offerer in offerers[:BENCH_MEMBER_STRUCTURES]
        ]
        Membership.objects.bulk_create(memberships, batch_size=BENCH_BATCH_SIZE)
        return BenchCounts(
            users=1, offerers=len(offerers), venues=batch_venues, memberships=len(memberships)
        )

    @staticmethod
    def _ensure_pks(offerers: list[Offerer]) -> None:
        # SQLite ≥ 3.35 and PostgreSQL return the new ids; other backends may not.
        if all(offerer.pk is not None for offerer in offerers):
            return
        by_siren = {offerer.siren: offerer for offerer in offerers}
        sirens = list(by_siren)
        for start in range(0, len(sirens), 500):
            chunk = sirens[start : start + 500]
            for pk, siren in Offerer.objects.filter(siren__in=chunk).values_list("pk", "siren"):
                by_siren[siren].pk = pk
