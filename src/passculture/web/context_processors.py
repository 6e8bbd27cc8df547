"""Context shared by every page: the pro navigation and its current section."""

from django.http import HttpRequest
from django.urls import reverse

PRO_SECTIONS = [
    ("home", "Accueil", "pro:home"),
    ("offers", "Offres", "pro:offers"),
    ("bookings", "Réservations", "pro:bookings"),
    ("stats", "Statistiques", "pro:stats"),
    ("finance", "Remboursements", "pro:finance"),
    ("structures", "Structure & lieux", "pro:offerers"),
    ("integrations", "Intégrations", "pro:integrations"),
]


def portal(request: HttpRequest) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None and match.namespace == "pro":
        section = getattr(match.func, "section", "") or ""
    return {
        "pro_sections": [
            {"key": key, "label": label, "url": reverse(name), "current": key == section}
            for key, label, name in PRO_SECTIONS
        ],
        "site_title": "passculture",
    }
