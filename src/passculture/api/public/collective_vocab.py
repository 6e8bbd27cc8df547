"""The reference's collective vocabularies mapped onto ours.

Our offers store string keys (collective.labels); the reference speaks integer domain ids,
student level codes (COLLEGE6…) and format names. These tables are the only translation:
ids are fixed here once and must never be renumbered (partners store them). A test checks
every key of collective.labels has its entry, so a new domain cannot ship without an id.
"""

from passculture.collective import labels
from passculture.core.errors import DomainError

# Integer ids of our domains (stable: append new ones, never reuse a number).
DOMAIN_IDS: dict[str, int] = {
    "theatre": 1, "music": 2, "dance": 3, "circus": 4, "visual_arts": 5, "photography": 6,
    "cinema": 7, "digital": 8, "architecture": 9, "design": 10, "heritage": 11,
    "literature": 12, "media": 13, "science": 14, "taste": 15,
}  # fmt: skip
DOMAIN_KEYS: dict[int, str] = {number: key for key, number in DOMAIN_IDS.items()}

# Our levels ↔ the reference's student level codes.
LEVEL_CODES: dict[str, str] = {
    "6e": "COLLEGE6", "5e": "COLLEGE5", "4e": "COLLEGE4", "3e": "COLLEGE3", "cap1": "CAP1",
    "cap2": "CAP2", "2nde": "GENERAL2", "1re": "GENERAL1", "tle": "GENERAL0",
}  # fmt: skip
LEVEL_KEYS: dict[str, str] = {code: key for key, code in LEVEL_CODES.items()}

# The reference's formats (EacFormat) and the key each one is stored as here.
EAC_FORMATS: dict[str, str] = {
    "Atelier de pratique": "atelier",
    "Concert": "concert",
    "Conférence, rencontre": "conference",
    "Festival, salon, congrès": "festival",
    "Projection audiovisuelle": "projection",
    "Représentation": "representation",
    "Visite guidée": "visite",
    "Visite libre": "visite_libre",
}
# Our finer formats read as the nearest reference format (the reference list is closed).
FORMAT_OUT: dict[str, str] = {key: name for name, key in EAC_FORMATS.items()} | {
    "rencontre": "Conférence, rencontre",
    "exposition": "Visite libre",
    "parcours": "Visite guidée",
    "residence": "Atelier de pratique",
}

# Our school types as the institution types partners know (national directory wording).
INSTITUTION_TYPES: dict[str, str] = {
    "college": "COLLEGE",
    "lycee_gt": "LYCEE GENERAL ET TECHNOLOGIQUE",
    "lycee_pro": "LYCEE PROFESSIONNEL",
    "lycee_agri": "LYCEE AGRICOLE",
    "erea": "EREA",
    "other": "AUTRE ETABLISSEMENT",
}


def format_id(name: str) -> str:
    """'Festival, salon, congrès' → 'FESTIVAL_SALON_CONGRES' (the reference's format ids)."""
    table = str.maketrans("éèêàçô", "eeeaco")
    words = "".join(ch if ch.isalnum() else " " for ch in name.lower().translate(table))
    return "_".join(words.split()).upper()


class UnknownValue(DomainError):
    code = "unknown_value"
    message = "Valeur inconnue : {values}."


def _unknown(field: str, values: list[object]) -> UnknownValue:
    return UnknownValue(field=field, values=", ".join(str(v) for v in values))


def domains_in(ids: list[int]) -> list[str]:
    unknown = [number for number in ids if number not in DOMAIN_KEYS]
    if unknown:
        raise _unknown("domains", list(unknown))
    return list(dict.fromkeys(DOMAIN_KEYS[number] for number in ids))


def domains_out(keys: list[str]) -> list[int]:
    return [DOMAIN_IDS[key] for key in keys if key in DOMAIN_IDS]


def levels_in(codes: list[str]) -> list[str]:
    unknown = [code for code in codes if code not in LEVEL_KEYS]
    if unknown:
        raise _unknown("students", list(unknown))
    return list(dict.fromkeys(LEVEL_KEYS[code] for code in codes))


def levels_out(keys: list[str]) -> list[str]:
    return [LEVEL_CODES[key] for key in keys if key in LEVEL_CODES]


def formats_in(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in EAC_FORMATS]
    if unknown:
        raise _unknown("formats", list(unknown))
    return list(dict.fromkeys(EAC_FORMATS[name] for name in names))


def formats_out(keys: list[str]) -> list[str]:
    return list(dict.fromkeys(FORMAT_OUT[key] for key in keys if key in FORMAT_OUT))


def level_name(key: str) -> str:
    return labels.LEVELS.get(key, key)
