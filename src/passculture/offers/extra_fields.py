"""Checks on a subcategory's extra fields (show type, music genre, EAN, visa…)."""

from collections.abc import Mapping

from passculture.offers.catalogue import (
    _TEXT_MAX,
    MUSIC_TYPES,
    SHOW_TYPES,
    ExtraField,
    InvalidExtraData,
    Subcategory,
)

# --- validation -------------------------------------------------------------------------------


def ean13_is_valid(value: str) -> bool:
    if len(value) != 13 or not (value.isascii() and value.isdigit()):
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(value[:12]))
    return (10 - total % 10) % 10 == int(value[12])


def _invalid(field: ExtraField, message: str) -> InvalidExtraData:
    return InvalidExtraData(message, field=field.name)


def _clean_value(field: ExtraField, value: str) -> str:
    if len(value) > _TEXT_MAX:
        raise _invalid(
            field, f"Le champ « {field.label} » ne doit pas dépasser {_TEXT_MAX} caractères."
        )
    if field.kind in ("show_type", "music_type"):
        known = SHOW_TYPES if field.kind == "show_type" else MUSIC_TYPES
        if value not in known:
            shown = value[:40]
            raise _invalid(
                field, f"Le champ « {field.label} » contient un code inconnu : « {shown} »."
            )
        return value
    if field.kind == "ean":
        # Pros often paste barcodes with spaces or dashes; keep only the digits we check.
        digits = value.replace(" ", "").replace("-", "")
        if len(digits) != 13 or not (digits.isascii() and digits.isdigit()):
            raise _invalid(
                field, f"Le champ « {field.label} » doit comporter exactement 13 chiffres."
            )
        if not ean13_is_valid(digits):
            raise _invalid(
                field,
                f"Le champ « {field.label} » est invalide : la clé de contrôle ne correspond pas.",
            )
        return digits
    if field.kind == "visa":
        digits = value.replace(" ", "")
        if not (digits.isascii() and digits.isdigit()):
            raise _invalid(field, f"Le champ « {field.label} » ne doit contenir que des chiffres.")
        return digits
    return value


def validate_extra_data(subcategory: Subcategory, data: Mapping[str, object]) -> dict[str, str]:
    """Keep only the subcategory's fields, cleaned; refuse missing or malformed values.

    Unknown keys are dropped rather than refused: a pro switching subcategory in the form, or a
    partner sending a superset, should not be blocked by fields that simply do not apply.
    """
    cleaned: dict[str, str] = {}
    for field in subcategory.extra_fields:
        raw = data.get(field.name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if field.required:
                raise _invalid(field, f"Le champ « {field.label} » est obligatoire.")
            continue
        cleaned[field.name] = _clean_value(field, value)
    return cleaned
