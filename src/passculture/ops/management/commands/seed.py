"""`python -m passculture seed`: demo accounts, or benchmark volumes.

* ``--size demo`` (default) creates three accounts and a few structures and venues
  through the domain services, so the data is exactly what a real user would
  produce (validations, audit entries, notification e-mails queued). Idempotent:
  once the demo staff account exists it only prints the logins again.
* ``--size bench`` loads tens of thousands of validated structures and venues
  with ``bulk_create``. It is a bulk loader: it bypasses the services on purpose,
  so it writes **no audit entry and queues no e-mail** per object, and it relies
  on ``seeddata`` generating data the services would have accepted (valid
  SIREN/SIRET, SIRET under its SIREN, département from the postal code,
  coordinates in France).
"""

import random
import time
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from faker import Faker

from passculture.accounts.models import Role, User
from passculture.core import clock
from passculture.offerers import services
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue, VenueType
from passculture.offerers.services import VenueData
from passculture.ops import seeddata
from passculture.ops.seeddata import (
    BENCH_PRO_EMAIL,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_PRO2_EMAIL,
    DEMO_PRO_EMAIL,
    DEMO_STAFF_EMAIL,
)

__all__ = ["DEMO_PASSWORD", "Command"]

SIZES = ("demo", "bench")
FAKER_SEED = 2022
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


class Command(BaseCommand):
    help = (
        "Remplit la base : comptes et structures de démonstration (--size demo, par défaut) "
        "ou gros volume pour les tests de charge (--size bench)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # No argparse `choices`: its error message is English; we raise a French one.
        parser.add_argument("--size", default="demo", help="demo (par défaut) ou bench.")
        parser.add_argument(
            "--structures",
            type=int,
            default=None,
            help=f"bench : nombre de structures (par défaut {BENCH_DEFAULT_STRUCTURES}).",
        )
        parser.add_argument(
            "--venues-per-structure",
            type=int,
            default=None,
            help=f"bench : lieux par structure (par défaut {BENCH_DEFAULT_VENUES_PER_STRUCTURE}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=FAKER_SEED,
            help="bench : graine du générateur aléatoire (données reproductibles).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = str(options["size"]).strip().lower()
        if size not in SIZES:
            raise CommandError(
                f"Taille inconnue : « {options['size']} ». Valeurs possibles : demo ou bench."
            )
        if size == "demo":
            if options["structures"] is not None or options["venues_per_structure"] is not None:
                self.stdout.write(
                    "--structures et --venues-per-structure ne servent qu’avec --size bench : "
                    "ignorés."
                )
            self._demo()
        else:
            structures = options["structures"]
            per_structure = options["venues_per_structure"]
            structures = BENCH_DEFAULT_STRUCTURES if structures is None else structures
            if per_structure is None:
                per_structure = BENCH_DEFAULT_VENUES_PER_STRUCTURE
            if structures < 1:
                raise CommandError("--structures doit valoir au moins 1.")
            # The NIC part of a SIRET has 4 digits (plus the key): at most 9999 per SIREN.
            if not 0 <= per_structure <= 9999:
                raise CommandError("--venues-per-structure doit être compris entre 0 et 9999.")
            self._bench(structures, per_structure, options["seed"])

    # --- demo ------------------------------------------------------------------------------

    def _demo(self) -> None:
        if User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).exists():
            self.stdout.write("Données de démonstration déjà initialisées : rien à faire.")
            self._print_logins()
            return
        taken = [
            email
            for email in (DEMO_PRO_EMAIL, DEMO_PRO2_EMAIL)
            if User.objects.filter(email__iexact=email).exists()
        ]
        if taken:
            raise CommandError(
                f"Le compte {', '.join(taken)} existe déjà mais pas {DEMO_STAFF_EMAIL} : "
                "base partiellement initialisée, supprimez ces comptes ou utilisez une base vide."
            )
        with transaction.atomic():  # all or nothing: a half demo would look "déjà initialisée"
            counts = DemoBuilder().build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration initialisée : {counts.users} comptes, "
                f"{counts.offerers} structures, {counts.venues} lieux."
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("Connexions de démonstration :")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  - {role} : {email} / mot de passe : {DEMO_PASSWORD}")

    # --- bench -----------------------------------------------------------------------------

    def _bench(self, structures: int, per_structure: int, seed: int) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            counts = BenchLoader(seed).load(structures, per_structure)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Volume de test créé en {elapsed:.1f} s : {_count(counts.offerers)} structures, "
                f"{_count(counts.venues)} lieux, {_count(counts.memberships)} rattachements."
            )
        )
        self.stdout.write(
            f"Compte rattaché aux {BENCH_MEMBER_STRUCTURES} premières structures : "
            f"{BENCH_PRO_EMAIL} / mot de passe : {DEMO_PASSWORD}"
        )
        self.stdout.write(
            f"Total en base : {_count(Offerer.objects.count())} structures, "
            f"{_count(Venue.objects.count())} lieux."
        )


@dataclass
class Counts:
    users: int = 0
    offerers: int = 0
    venues: int = 0
    memberships: int = 0


class DemoBuilder:
    """A small, realistic data set built through the services (audited like real use)."""

    def __init__(self) -> None:
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(FAKER_SEED)
        self.rng = random.Random(FAKER_SEED)
        # A previous bench run may hold any SIREN: create_offerer would then join
        # that structure instead of creating ours.
        taken = set(Offerer.objects.values_list("siren", flat=True))
        self.sirens = iter(seeddata.unique_sirens(self.rng, 3, taken))
        self.counts = Counts()

    def _user(self, email: str, first_name: str, last_name: str, **extra: Any) -> User:
        # Not accounts.services.register_user: it queues a verification e-mail,
        # pointless for accounts we mark verified right away.
        manager = User.objects
        create = manager.create_superuser if extra.pop("superuser", False) else manager.create_user
        user = create(
            email,
            DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            email_verified_at=clock.now(),
            **extra,
        )
        self.counts.users += 1
        return user

    def _offerer(self, actor: User, name: str, city: seeddata.City) -> tuple[Offerer, str]:
        siren = next(self.sirens)
        membership = services.create_offerer(
            actor=actor,
            siren=siren,
            name=name,
            street=self.fake.street_address(),
            postal_code=city.postal_code,
            city=city.name,
        )
        self.counts.offerers += 1
        return membership.offerer, siren

    def _venue(self, actor: User, offerer: Offerer, data: VenueData) -> Venue:
        venue = services.create_venue(actor=actor, offerer=offerer, data=data)
        self.counts.venues += 1
        return venue

    def _physical(
        self,
        *,
        name: str,
        venue_type: str,
        city: seeddata.City,
        siret: str = "",
        no_siret_reason: str = "",
        public_name: str = "",
    ) -> VenueData:
        latitude, longitude = seeddata.jittered_coordinates(self.rng, city, spread=0.01)
        # Address from the public name when there is one: shorter, as a real site would be.
        slug = self.fake.slug(public_name or name)[:30].strip("-")
        return VenueData(
            name=name,
            public_name=public_name,
            venue_type=venue_type,
            siret=siret,
            no_siret_reason=no_siret_reason,
            booking_email=f"billetterie@{slug}.fr",
            street=self.fake.street_address(),
            postal_code=city.postal_code,
            city=city.name,
            latitude=latitude,
            longitude=longitude,
            motor_accessible=self.rng.random() < 0.7,
            visual_accessible=self.rng.random() < 0.4,
            hearing_accessible=self.rng.random() < 0.4,
            mental_accessible=self.rng.random() < 0.3,
            website=f"https://www.{slug}.fr",
            phone=seeddata.french_phone(self.rng, city.postal_code),
        )

    def build(self) -> Counts:
        fake = self.fake
        staff = self._user(
            DEMO_STAFF_EMAIL, "Dominique", "Garnier", role=Role.STAFF, superuser=True
        )
        pro = self._user(
            DEMO_PRO_EMAIL, "Camille", "Lefèvre", role=Role.PRO, phone="06 12 34 56 78"
        )
        pro2 = self._user(
            DEMO_PRO2_EMAIL, "Hélène", "Müller-Ñúñez", role=Role.PRO, phone="06 98 76 54 32"
        )

        # Structure 1 (Lyon): a hall, a touring company without a fixed place, online offers.
        lyon = seeddata.city_by_postal_code("69001")
        theatre, siren = self._offerer(pro, f"Théâtre {fake.last_name()}", lyon)
        self._venue(
            pro,
            theatre,
            self._physical(
                name=theatre.name,
                public_name=f"La Scène {fake.last_name()}",
                venue_type=VenueType.THEATRE,
                city=lyon,
                siret=seeddata.make_siret(siren, 1),
            ),
        )
        troupe = f"Compagnie {fake.first_name()} {fake.last_name()}"
        self._venue(
            pro,
            theatre,
            self._physical(
                name=f"{troupe} (compagnie sans lieu fixe)",
                public_name=troupe,
                venue_type=VenueType.NOMADIC,
                city=seeddata.city_by_postal_code("69100"),
                no_siret_reason=(
                    "Compagnie sans lieu fixe : elle joue en tournée dans les salles "
                    "partenaires ; adresse du siège de la troupe."
                ),
            ),
        )
        self._venue(
            pro,
            theatre,
            VenueData(
                name=f"{theatre.name} – offre numérique",
                venue_type=VenueType.DIGITAL,
                is_virtual=True,
                booking_email=f"numerique@{fake.slug(theatre.name)[:30]}.fr",
            ),
        )
        services.validate_offerer(actor=staff, offerer=theatre)

        # Structure 2 (Martinique): overseas, so another département and time zone.
        fdf = seeddata.city_by_postal_code("97200")
        association, siren = self._offerer(pro, f"Association culturelle {fake.last_name()}", fdf)
        self._venue(
            pro,
            association,
            self._physical(
                name=f"Cinéma {fake.last_name()}",
                venue_type=VenueType.CINEMA,
                city=fdf,
                siret=seeddata.make_siret(siren, 1),
            ),
        )
        self._venue(
            pro,
            association,
            self._physical(
                name=f"Salle de concert {fake.last_name()}",
                venue_type=VenueType.CONCERT_HALL,
                city=fdf,
                siret=seeddata.make_siret(siren, 2),
            ),
        )
        services.validate_offerer(actor=staff, offerer=association)

        # Structure 3 (Corse-du-Sud), left pending: staff has something to review.
        ajaccio = seeddata.city_by_postal_code("20000")
        museum, siren = self._offerer(pro2, f"Musée {fake.last_name()}", ajaccio)
        self._venue(
            pro2,
            museum,
            self._physical(
                name=museum.name,
                venue_type=VenueType.MUSEUM,
                city=ajaccio,
                siret=seeddata.make_siret(siren, 1),
            ),
        )
        return self.counts


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

    def load(self, structures: int, per_structure: int) -> Counts:
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
        return Counts(
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
