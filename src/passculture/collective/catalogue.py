"""Teacher-scoped reads: the public collective catalogue (list and map), offer and partner
pages, and the school's own bookings, budgets and favourites.

The catalogue is what a teacher of a school may see: approved, active, not archived offers
of validated structures — showcase offers, and bookable ones that are still open (booking
limit not passed, not booked by anyone) and not targeted at another school.

Geography: an offer happens at its own address when it has one, else at its venue; an
offer "at the school" is placed at its venue (where the partner comes from). Map bounds and
the distance from the school cut a bounding box in SQL; the exact distance (haversine) is
then computed in Python on the rows left, which also cuts the box's corners off.
"""

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast

from passculture.collective import labels, rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    LocationType,
    School,
)
from passculture.core import clock
from passculture.offerers.models import ValidationStatus, Venue
from passculture.offers.models import Validation

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
RADII_KM = (5, 10, 20, 50, 100, 200)
LIST_LIMIT = 50  # list items rendered beside the map
MAP_LIMIT = 2000  # rows (markers) one query returns at most

# Vocabularies stored in offers and venue profiles (ASCII keys: the catalogue filters on
# them as JSON text, the same SQL on SQLite and PostgreSQL).
DOMAINS: dict[str, str] = labels.DOMAINS
FORMATS: dict[str, str] = labels.FORMATS
LEVELS: dict[str, str] = labels.LEVELS

# Académies (2020 map) and their départements.
ACADEMIES: dict[str, tuple[str, ...]] = {
    "Aix-Marseille": ("04", "05", "13", "84"), "Amiens": ("02", "60", "80"),
    "Besançon": ("25", "39", "70", "90"), "Bordeaux": ("24", "33", "40", "47", "64"),
    "Clermont-Ferrand": ("03", "15", "43", "63"), "Corse": ("2A", "2B"),
    "Créteil": ("77", "93", "94"), "Dijon": ("21", "58", "71", "89"),
    "Grenoble": ("07", "26", "38", "73", "74"), "Lille": ("59", "62"),
    "Limoges": ("19", "23", "87"), "Lyon": ("01", "42", "69"),
    "Montpellier": ("11", "30", "34", "48", "66"), "Nancy-Metz": ("54", "55", "57", "88"),
    "Nantes": ("44", "49", "53", "72", "85"), "Nice": ("06", "83"),
    "Normandie": ("14", "27", "50", "61", "76"),
    "Orléans-Tours": ("18", "28", "36", "37", "41", "45"), "Paris": ("75",),
    "Poitiers": ("16", "17", "79", "86"), "Reims": ("08", "10", "51", "52"),
    "Rennes": ("22", "29", "35", "56"), "Strasbourg": ("67", "68"),
    "Toulouse": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "Versailles": ("78", "91", "92", "95"), "Guadeloupe": ("971",), "Martinique": ("972",),
    "Guyane": ("973",), "La Réunion": ("974",), "Mayotte": ("976",),
}  # fmt: skip
OVERSEAS_PREFIXES = ("97", "98")

LIVE_STATUSES = [
    CollectiveBookingStatus.PENDING,
    CollectiveBookingStatus.CONFIRMED,
    CollectiveBookingStatus.USED,
    CollectiveBookingStatus.REIMBURSED,
]

# Where the offer happens, in degrees (see the module docstring).
_AT_VENUE = Q(location_type=LocationType.SCHOOL) | Q(address__isnull=True)
_LAT = Case(
    When(_AT_VENUE, then=Cast("venue__latitude", FloatField())),
    default=Cast("address__latitude", FloatField()),
    output_field=FloatField(),
)
_LON = Case(
    When(_AT_VENUE, then=Cast("venue__longitude", FloatField())),
    default=Cast("address__longitude", FloatField()),
    output_field=FloatField(),
)
_ROW_FIELDS = (
    "id", "name", "is_template", "location_type", "target_school_id", "domains", "formats",
    "venue_id", "venue__name", "venue__public_name", "venue__city", "address_id",
    "address__city", "lat", "lon", "stock__start_datetime", "stock__price",
    "stock__number_of_pupils",
)  # fmt: skip


def academy_of_department(code: str) -> str:
    for academy, departments in ACADEMIES.items():
        if code in departments:
            return academy
    return ""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclasses.dataclass(frozen=True)
class Bounds:
    """A map's visible box, in degrees (south ≤ north, west ≤ east)."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, latitude: float, longitude: float, radius_km: float) -> "Bounds":
        dlat = radius_km / KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
        return cls(latitude - dlat, longitude - dlon, latitude + dlat, longitude + dlon)

    @classmethod
    def parse(cls, south: Any, west: Any, north: Any, east: Any) -> "Bounds | None":
        """From query-string values; None when missing or not a usable box."""
        try:
            s, w, n, e = (float(v) for v in (south, west, north, east))
        except (TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (s, w, n, e)) or s > n or w > e:
            return None
        return cls(max(s, -90.0), max(w, -180.0), min(n, 90.0), min(e, 180.0))

    def intersect(self, other: "Bounds") -> "Bounds":
        return Bounds(
            max(self.south, other.south),
            max(self.west, other.west),
            min(self.north, other.north),
            min(self.east, other.east),
        )

    @property
    def empty(self) -> bool:
        return self.south > self.north or self.west > self.east


@dataclasses.dataclass(frozen=True)
class CatalogueFilters:
    text: str = ""
    domain: str = ""
    level: str = ""
    format: str = ""
    kind: str = ""  # "" (all), "bookable" or "template"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    max_price: int | None = None  # cents, bookable offers only
    department: str = ""
    academy: str = ""
    radius_km: int | None = None  # from the school's position
    comes_to_department: str = ""  # venues/offers that intervene in this département
    bounds: Bounds | None = None


@dataclasses.dataclass(frozen=True)
class CatalogueRow:
    id: int
    name: str
    is_template: bool
    location_type: str
    venue_id: int
    venue_name: str
    city: str
    latitude: float | None
    longitude: float | None
    start: dt.datetime | None
    price: int | None
    pupils: int | None
    domains: list[str]
    formats: list[str]
    targeted: bool
    distance_km: float | None = None

    @property
    def domain_labels(self) -> list[str]:
        return [DOMAINS.get(d, d) for d in self.domains]

    @property
    def format_labels(self) -> list[str]:
        return [FORMATS.get(f, f) for f in self.formats]

    @property
    def location_label(self) -> str:
        return LocationType(self.location_type).label if self.location_type else ""


@dataclasses.dataclass
class CatalogueResult:
    rows: list[CatalogueRow]
    truncated: bool  # more than MAP_LIMIT rows matched: zoom in or filter
    origin: tuple[float, float] | None  # the school, when it has coordinates

    @property
    def count(self) -> int:
        return len(self.rows)


def school_position(school: School) -> tuple[float, float] | None:
    if school.latitude is None or school.longitude is None:
        return None
    return float(school.latitude), float(school.longitude)


# --- querysets ------------------------------------------------------------------------------


def published_offers() -> QuerySet[CollectiveOffer]:
    """Offers a teacher may open: approved, active, not archived, of a validated structure."""
    return CollectiveOffer.objects.filter(
        validation=Validation.APPROVED,
        is_active=True,
        archived_at__isnull=True,
        venue__offerer__validation_status=ValidationStatus.VALIDATED,
    )


def catalogue_offers(
    *, school: School, now: dt.datetime | None = None
) -> QuerySet[CollectiveOffer]:
    """The school's catalogue: showcase offers and still-open bookable ones it may pre-book."""
    now = now or clock.now()
    booked = CollectiveBooking.objects.filter(offer=OuterRef("pk"), status__in=LIVE_STATUSES)
    open_bookable = Q(
        is_template=False, stock__isnull=False, stock__booking_limit_datetime__gte=now
    ) & ~Exists(booked)
    return published_offers().filter(
        Q(is_template=True) | open_bookable,
        Q(target_school__isnull=True) | Q(target_school=school),
    )


def _json_list_has(field: str, value: str) -> Q:
    """A JSON list of ASCII codes contains `value` (the same SQL on SQLite and PostgreSQL)."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


def _in_departments(codes: Iterable[str]) -> Q:
    codes = list(codes)
    at_venue = Q(venue__department_code__in=codes) & _AT_VENUE
    at_address = Q(address__department_code__in=codes) & ~_AT_VENUE
    return at_venue | at_address


def _in_box(box: Bounds) -> Q:
    """Where the offer happens lies in the box; plain column comparisons (indexable)."""

    def on(prefix: str) -> Q:
        return Q(
            **{
                f"{prefix}__latitude__gte": Decimal(f"{box.south:.5f}"),
                f"{prefix}__latitude__lte": Decimal(f"{box.north:.5f}"),
                f"{prefix}__longitude__gte": Decimal(f"{box.west:.5f}"),
                f"{prefix}__longitude__lte": Decimal(f"{box.east:.5f}"),
            }
        )

    return (_AT_VENUE & on("venue")) | (~_AT_VENUE & on("address"))


def comes_to(department: str) -> Q:
    """Offers or venues whose intervention area covers the département (or all metropole)."""
    q = _json_list_has("intervention_departments", department) | _json_list_has(
        "venue__collective_profile__intervention_departments", department
    )
    if department and not department.startswith(OVERSEAS_PREFIXES):
        q |= Q(venue__collective_profile__all_metropole=True)
    return q


def filter_catalogue(
    queryset: QuerySet[CollectiveOffer], filters: CatalogueFilters, *, school: School
) -> tuple[QuerySet[CollectiveOffer], Bounds | None]:
    """Apply every filter but the exact distance; return the box that was cut, if any."""
    f = filters
    if f.text:
        queryset = queryset.filter(
            Q(name__icontains=f.text)
            | Q(description__icontains=f.text)
            | Q(venue__name__icontains=f.text)
            | Q(venue__public_name__icontains=f.text)
        )
    for field, value in (("domains", f.domain), ("levels", f.level), ("formats", f.format)):
        if value:
            queryset = queryset.filter(_json_list_has(field, value))
    if f.kind == "bookable":
        queryset = queryset.filter(is_template=False)
    elif f.kind == "template":
        queryset = queryset.filter(is_template=True)
    # Dates and price apply to bookable offers; showcase offers (on request) stay listed.
    if f.date_from:
        start = dt.datetime.combine(f.date_from, dt.time(), tzinfo=rules.PARIS)
        queryset = queryset.filter(Q(is_template=True) | Q(stock__start_datetime__gte=start))
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), tzinfo=rules.PARIS)
        queryset = queryset.filter(Q(is_template=True) | Q(stock__start_datetime__lt=end))
    if f.max_price is not None:
        queryset = queryset.filter(Q(is_template=True) | Q(stock__price__lte=f.max_price))
    if f.department:
        queryset = queryset.filter(_in_departments([f.department]))
    if f.academy in ACADEMIES:
        queryset = queryset.filter(_in_departments(ACADEMIES[f.academy]))
    if f.comes_to_department:
        queryset = queryset.filter(comes_to(f.comes_to_department))
    box = f.bounds
    origin = school_position(school)
    if f.radius_km and origin is not None:
        around = Bounds.around(origin[0], origin[1], f.radius_km)
        box = around if box is None else box.intersect(around)
    if box is not None:
        queryset = queryset.none() if box.empty else queryset.filter(_in_box(box))
    return queryset, box


def _row(values: dict[str, Any], origin: tuple[float, float] | None) -> CatalogueRow:
    at_venue = values["location_type"] == LocationType.SCHOOL or values["address_id"] is None
    lat, lon = values["lat"], values["lon"]  # floats computed in SQL (_LAT, _LON)
    placed = lat is not None and lon is not None
    return CatalogueRow(
        id=values["id"],
        name=values["name"],
        is_template=values["is_template"],
        location_type=values["location_type"],
        venue_id=values["venue_id"],
        venue_name=values["venue__public_name"] or values["venue__name"],
        city=(values["venue__city"] if at_venue else values["address__city"]) or "",
        latitude=lat if placed else None,
        longitude=lon if placed else None,
        start=values["stock__start_datetime"],
        price=values["stock__price"],
        pupils=values["stock__number_of_pupils"],
        domains=list(values["domains"] or []),
        formats=list(values["formats"] or []),
        targeted=values["target_school_id"] is not None,
        distance_km=haversine_km(origin[0], origin[1], lat, lon) if origin and placed else None,
    )


def search_catalogue(
    *, school: School, filters: CatalogueFilters, now: dt.datetime | None = None,
    venue_id: int | None = None,
) -> CatalogueResult:  # fmt: skip
    """The school's catalogue rows with their coordinates: nearest to the school first."""
    queryset = catalogue_offers(school=school, now=now)
    if venue_id is not None:
        queryset = queryset.filter(venue_id=venue_id)
    queryset, _ = filter_catalogue(queryset, filters, school=school)
    origin = school_position(school)
    queryset = queryset.annotate(lat=_LAT, lon=_LON)
    if origin is not None:
        # Approximate squared distance (degrees, longitude shrunk): to sort and cut in SQL.
        shrink = math.cos(math.radians(origin[0])) ** 2
        queryset = queryset.annotate(
            distance_sq=(F("lat") - origin[0]) * (F("lat") - origin[0])
            + (F("lon") - origin[1]) * (F("lon") - origin[1]) * shrink,
        ).order_by(F("distance_sq").asc(nulls_last=True), "name", "id")
    else:
        queryset = queryset.order_by(F("stock__start_datetime").asc(nulls_last=True), "name", "id")
    values = list(queryset.values(*_ROW_FIELDS)[: MAP_LIMIT + 1])
    truncated = len(values) > MAP_LIMIT
    rows = [_row(v, origin) for v in values[:MAP_LIMIT]]
    if origin is not None:
        if filters.radius_km:
            radius = filters.radius_km
            rows = [r for r in rows if r.distance_km is not None and r.distance_km <= radius]
        rows.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0.0, r.name, r.id))
    return CatalogueResult(rows=rows, truncated=truncated, origin=origin)


def offer_queryset() -> QuerySet[CollectiveOffer]:
    """Published offers with what their page shows.

    Offers targeted at another school or already booked open too: the page says why they
    cannot be pre-booked.
    """
    return published_offers().select_related(
        "venue__offerer", "venue__collective_profile", "address", "stock", "target_school"
    )


def live_booking_on(offer: CollectiveOffer) -> CollectiveBooking | None:
    return (
        CollectiveBooking.objects.filter(offer=offer, status__in=LIVE_STATUSES)
        .select_related("school")
        .first()
    )


def partner_queryset() -> QuerySet[Venue]:
    """Venues shown to teachers: of a validated structure, with a profile or published offers."""
    has_offers = Exists(published_offers().filter(venue=OuterRef("pk")))
    return (
        Venue.objects.filter(offerer__validation_status=ValidationStatus.VALIDATED)
        .filter(Q(collective_profile__isnull=False) | has_offers)
        .select_related("offerer", "collective_profile")
    )
