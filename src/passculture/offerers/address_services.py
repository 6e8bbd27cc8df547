"""Shared addresses: create-or-reuse, commune coordinates, literal search.

Addresses given by partners are shared rows (no label): two identical requests answer the
same row, so a partner can post the same address again without piling up duplicates.

We have no geocoder online. When a client gives no coordinates we use, in this order, an
identical address we already know, then the town-hall coordinates of the commune from our
local table of cities; otherwise the caller must send latitude and longitude.
"""

import dataclasses
import math
import re
import unicodedata
from decimal import Decimal

from django.db import transaction

from passculture.accounts.models import User
from passculture.core.audit import record_audit, snapshot
from passculture.core.errors import DomainError
from passculture.offerers import rules
from passculture.offerers.errors import InvalidCoordinates, InvalidPostalCode
from passculture.offerers.models import Address

COORDINATE_STEP = Decimal("0.00001")  # the precision of Address.latitude/longitude
ADDRESS_FIELDS = ["street", "postal_code", "city", "department_code", "latitude", "longitude"]
SEARCH_LIMIT = 20


class CoordinatesRequired(DomainError):
    code = "coordinates_required"
    message = (
        "Nous ne savons pas situer cette adresse : indiquez sa latitude et sa longitude "
        "(champs « latitude » et « longitude »)."
    )
    field = "latitude"


@dataclasses.dataclass(frozen=True)
class CommuneLocation:
    latitude: Decimal
    longitude: Decimal


def normalize_text(value: str) -> str:
    """Compare-friendly text: no accents, case, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _city_key(city: str) -> str:
    # "Saint-Étienne", "ST ETIENNE" and "Saint Etienne" name the same commune.
    words = normalize_text(city).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def commune_location(postal_code: str, city: str) -> CommuneLocation | None:
    """Town-hall coordinates of the commune, from our local table of cities (None if unknown).

    The same postal code and city first; else the same city name in the same département
    (e.g. "75004 Paris" answers Paris's coordinates under another arrondissement's code).
    """
    # The table lives with the demo seed data: it is the only commune list we ship offline.
    from passculture.ops.seeddata import CITIES

    department = rules.department_from_postal_code(postal_code)
    wanted = _city_key(city)
    same_department = None
    for known in CITIES:
        if _city_key(known.name) != wanted:
            continue
        if known.postal_code == postal_code.strip():
            return _location(known.latitude, known.longitude)
        if same_department is None and (
            rules.department_from_postal_code(known.postal_code) == department
        ):
            same_department = _location(known.latitude, known.longitude)
    return same_department


def _location(latitude: float, longitude: float) -> CommuneLocation:
    return CommuneLocation(
        latitude=Decimal(str(latitude)).quantize(COORDINATE_STEP),
        longitude=Decimal(str(longitude)).quantize(COORDINATE_STEP),
    )


def _department(postal_code: str) -> str:
    department = rules.department_from_postal_code(postal_code)
    if department is None:
        raise InvalidPostalCode(field="postalCode")
    return department


def _same_literal(address: Address, street: str, city: str) -> bool:
    return normalize_text(address.street) == normalize_text(street) and _city_key(
        address.city
    ) == _city_key(city)


def _shared_candidates(postal_code: str) -> list[Address]:
    return list(Address.objects.filter(postal_code=postal_code, label="").order_by("pk"))


@transaction.atomic
def find_or_create_address(
    *,
    actor: User,
    street: str,
    postal_code: str,
    city: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> tuple[Address, bool]:
    """The shared address with these words (and coordinates if given), created if new.

    Returns (address, created). Without coordinates, an identical known address or the
    commune's coordinates are used; otherwise CoordinatesRequired. Two concurrent identical
    creations may both insert: harmless (the rows are equal and either one serves).
    """
    street, postal_code, city = street.strip(), postal_code.strip(), city.strip()
    if not street or not city:
        raise DomainError("Indiquez la rue et la ville de l’adresse.", field="street")
    department = _department(postal_code)
    if (latitude is None) != (longitude is None):
        raise CoordinatesRequired(
            "Indiquez la latitude et la longitude ensemble, ou aucune des deux."
        )
    candidates = [a for a in _shared_candidates(postal_code) if _same_literal(a, street, city)]
    if latitude is not None and longitude is not None:
        lat = Decimal(latitude).quantize(COORDINATE_STEP)
        lon = Decimal(longitude).quantize(COORDINATE_STEP)
        if not rules.is_in_france(float(lat), float(lon)):
            raise InvalidCoordinates(
                "Ces coordonnées ne sont pas en France : vérifiez la latitude et la longitude.",
                field="latitude",
            )
        for address in candidates:
            if (address.latitude, address.longitude) == (lat, lon):
                return address, False
    elif candidates:
        return candidates[0], False
    else:
        commune = commune_location(postal_code, city)
        if commune is None:
            raise CoordinatesRequired()
        lat, lon = commune.latitude, commune.longitude
    address = Address.objects.create(
        label="",
        street=street,
        postal_code=postal_code,
        city=city,
        department_code=department,
        latitude=lat,
        longitude=lon,
    )
    record_audit(
        actor=actor, action="address.created", obj=address, after=snapshot(address, ADDRESS_FIELDS)
    )
    return address, True


def _distance_km(address: Address, latitude: float, longitude: float) -> float:
    # Equirectangular approximation: plenty at the scale of one postal code.
    x = math.radians(float(address.longitude) - longitude) * math.cos(math.radians(latitude))
    y = math.radians(float(address.latitude) - latitude)
    return 6371 * math.hypot(x, y)


def search_addresses(
    *,
    street: str,
    postal_code: str,
    city: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> list[Address]:
    """Known addresses with these words (accents, case, punctuation ignored), nearest first.

    Read only. Copies of one address (offers keep their own row) are answered once.
    """
    _department(postal_code)
    seen: set[tuple[str, str, str, Decimal, Decimal]] = set()
    found: list[Address] = []
    rows = Address.objects.filter(postal_code=postal_code.strip()).order_by("label", "pk")
    for address in rows:
        if not _same_literal(address, street, city):
            continue
        key = (
            normalize_text(address.street),
            address.postal_code,
            _city_key(address.city),
            address.latitude,
            address.longitude,
        )
        if key not in seen:
            seen.add(key)
            found.append(address)
    if latitude is not None and longitude is not None:
        found.sort(key=lambda a: _distance_km(a, latitude, longitude))
    return found[:SEARCH_LIMIT]
