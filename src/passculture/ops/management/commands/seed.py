"""`python -m passculture seed`: demo accounts, or benchmark volumes.

* ``--size demo`` (default): a few accounts, structures and venues created through
  the domain services (see :mod:`passculture.ops.seed_demo`).
* ``--size bench``: tens of thousands of validated structures and venues loaded in
  bulk, with no audit entry nor e-mail (see :mod:`passculture.ops.seed_bench`).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passculture.ops.seed_bench import (
    BENCH_DEFAULT_SEED,
    BENCH_DEFAULT_STRUCTURES,
    BENCH_DEFAULT_VENUES_PER_STRUCTURE,
    seed_bench,
)
from passculture.ops.seed_demo import seed_demo
from passculture.ops.seeddata import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "Command"]

SIZES = ("demo", "bench")


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
            default=BENCH_DEFAULT_SEED,
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
            seed_demo(self.stdout, self.style)
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
            seed_bench(self.stdout, self.style, structures, per_structure, options["seed"])
