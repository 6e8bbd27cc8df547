"""Display helpers: French labels for catalogue rows, offers and bookings (no database)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from passculture.collective import catalogue
from passculture.collective.models import CollectiveOffer, LocationType, School
from passculture.core.money import format_cents
from passculture.offerers.rules import department_name

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
TRANSPORT = "Transport non compris dans le prix."


def when(value: dt.datetime | None) -> str:
    """'12 mars 2027 à 14h30' in Paris time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} à {local:%H}h{local:%M}"


def distance(km: float | None) -> str:
    if km is None:
        return ""
    if km < 10:
        return f"à {km:.1f} km".replace(".", ",")
    return f"à {km:.0f} km"


def row(item: catalogue.CatalogueRow) -> dict[str, Any]:
    """What a list item and a marker show."""
    return {
        "row": item,
        "when": when(item.start) if item.start else "Sur demande (offre vitrine)",
        "price": format_cents(item.price) if item.price is not None else "",
        "distance": distance(item.distance_km),
    }


def marker(item: catalogue.CatalogueRow) -> list[Any]:
    """A compact marker: [id, lat, lon, name, venue, when] (the map builds the link)."""
    return [
        item.id,
        round(item.latitude or 0.0, 5),
        round(item.longitude or 0.0, 5),
        item.name,
        item.venue_name,
        when(item.start) if item.start else "Offre vitrine, sur demande",
    ]


def location(offer: CollectiveOffer, school: School) -> str:
    venue = offer.venue
    if offer.location_type == LocationType.SCHOOL:
        text = f"Dans votre établissement ({school.name}) : {venue.display_name} se déplace."
    elif offer.location_type == LocationType.ADDRESS and offer.address is not None:
        text = f"À l’adresse : {offer.address}"
    elif offer.location_type == LocationType.TO_BE_DEFINED:
        text = "À définir avec l’établissement."
    else:
        text = (
            f"Dans le lieu : {venue.display_name}, {venue.street}, {venue.postal_code} {venue.city}"
        )
    if offer.location_comment:
        text += f" {offer.location_comment}"
    return text


def departments(codes: list[str], all_metropole: bool = False) -> str:
    if all_metropole:
        return "Toute la France métropolitaine"
    return ", ".join(f"{department_name(c)} ({c})" for c in codes)


def labels(values: list[str], names: dict[str, str]) -> list[str]:
    return [names.get(v, v) for v in values or []]
