"""Refusals of the exports domain (French messages shown in the form)."""

from passculture.core.errors import DomainError


class ExportError(DomainError):
    code = "export_invalid"
    message = "Export impossible."


class UnknownColumn(ExportError):
    code = "export_unknown_column"
    message = "Colonne inconnue pour cet export : {key}."


class NoColumn(ExportError):
    code = "export_no_column"
    message = "Choisissez au moins une colonne à exporter."


class UnknownFormat(ExportError):
    code = "export_unknown_format"
    message = "Format de fichier inconnu : {key}. Choisissez xlsx, csv ou ods."


class PresetNameMissing(ExportError):
    code = "export_preset_name"
    message = "Donnez un nom au modèle de colonnes (80 caractères au plus)."
