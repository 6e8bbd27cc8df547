"""`python -m passculture import_schools annuaire.csv`: load the national school directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passculture.collective.services.schools import import_schools


def decode_directory_file(data: bytes) -> str:
    """The directory export is UTF-8 (with or without BOM); older copies are Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class Command(BaseCommand):
    help = (
        "Importe ou met à jour les établissements scolaires depuis un fichier CSV au format "
        "de l’annuaire de l’éducation (séparateur « ; » ou « , »)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Chemin du fichier CSV de l’annuaire.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        content = decode_directory_file(path.read_bytes())
        report = import_schools(actor="import_schools", content=content)
        self.stdout.write(
            self.style.SUCCESS(
                f"Import terminé : {report.created} établissement(s) créé(s), "
                f"{report.updated} mis à jour, {len(report.errors)} ligne(s) en erreur."
            )
        )
        for error in report.errors:
            self.stdout.write(f"  - {error}")
