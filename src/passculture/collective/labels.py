"""French labels of the collective offer vocabularies (domains, levels, formats).

Offers and venue profiles store the keys (JSON lists); pages show these labels.
"""

DOMAINS: dict[str, str] = {
    "theatre": "Théâtre, expression dramatique, marionnettes",
    "music": "Musique",
    "dance": "Danse",
    "circus": "Arts du cirque et arts de la rue",
    "visual_arts": "Arts visuels, arts plastiques, arts appliqués",
    "photography": "Photographie",
    "cinema": "Cinéma, audiovisuel",
    "digital": "Arts numériques",
    "architecture": "Architecture",
    "design": "Design",
    "heritage": "Patrimoine, mémoire, archéologie",
    "literature": "Univers du livre, de la lecture et des écritures",
    "media": "Médias et information",
    "science": "Culture scientifique, technique et industrielle",
    "taste": "Culture culinaire et patrimoine du goût",
}

# Same keys as collective.models.schools.Level (school levels with a per-pupil budget).
LEVELS: dict[str, str] = {
    "6e": "Collège — 6e",
    "5e": "Collège — 5e",
    "4e": "Collège — 4e",
    "3e": "Collège — 3e",
    "cap1": "CAP — 1re année",
    "cap2": "CAP — 2e année",
    "2nde": "Lycée — Seconde",
    "1re": "Lycée — Première",
    "tle": "Lycée — Terminale",
}

FORMATS: dict[str, str] = {
    "representation": "Représentation",
    "concert": "Concert",
    "projection": "Projection audiovisuelle",
    "visite": "Visite guidée",
    "visite_libre": "Visite libre",
    "atelier": "Atelier de pratique",
    "rencontre": "Rencontre avec un artiste ou un professionnel",
    "conference": "Conférence, débat",
    "exposition": "Exposition",
    "festival": "Festival, salon",
    "parcours": "Parcours, découverte des métiers",
    "residence": "Résidence d’artiste",
}


def label_list(keys: list[str] | None, vocabulary: dict[str, str]) -> list[str]:
    """Labels of stored keys, in stored order; unknown keys are shown as they are."""
    return [vocabulary.get(key, key) for key in keys or []]


def choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return list(vocabulary.items())
