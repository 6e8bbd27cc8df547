"""Demo data set for ``seed --size demo``: three accounts, a few structures and venues.

Everything goes through the domain services, so the data is exactly what a real user
would produce (validations, audit entries, notification e-mails queued). Idempotent:
once the demo staff account exists it only prints the logins again.
"""

import random
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.core.management.color import Style
from django.db import transaction
from faker import Faker

from passculture.accounts.models import Role, User
from passculture.collective.demo import seed_demo_schools
from passculture.core import clock
from passculture.offerers import services
from passculture.offerers.models import Offerer, Venue, VenueType
from passculture.offerers.services import VenueData
from passculture.ops import seeddata
from passculture.ops.seed_demo_offers import seed_offers, seed_youth
from passculture.ops.seeddata import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_PRO2_EMAIL,
    DEMO_PRO_EMAIL,
    DEMO_STAFF_EMAIL,
)

FAKER_SEED = 2022


@dataclass
class DemoCounts:
    users: int = 0
    offerers: int = 0
    venues: int = 0


def seed_demo(stdout: OutputWrapper, style: Style) -> None:
    """Create the demo data set (all or nothing) and print the demo logins."""
    if User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).exists():
        stdout.write("Données de démonstration déjà initialisées : rien à faire.")
        print_logins(stdout)
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
    stdout.write(
        style.SUCCESS(
            f"Démonstration initialisée : {counts.users} comptes, "
            f"{counts.offerers} structures, {counts.venues} lieux."
        )
    )
    print_logins(stdout)


def print_logins(stdout: OutputWrapper) -> None:
    stdout.write("Connexions de démonstration :")
    for role, email in DEMO_LOGINS:
        stdout.write(f"  - {role} : {email} / mot de passe : {DEMO_PASSWORD}")


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
        self.counts = DemoCounts()

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

    def build(self) -> DemoCounts:
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
        hall = self._venue(
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
        touring = self._venue(
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
        seed_offers(staff=staff, pro=pro, hall=hall, troupe=touring)
        seed_youth(staff=staff)
        self.counts.users += 1
        schools = seed_demo_schools(staff)
        self.counts.users += len(schools.logins)

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
