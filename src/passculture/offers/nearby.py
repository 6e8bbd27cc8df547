"""Offers near a young person: where an offer happens, how far it is, the "near me" list.

A simple query for now (bounding box, then nearest first); the search issue will put an
index behind the same function.
"""

import dataclasses
import datetime as dt
import math

from django.db.models import Avg, F, FloatField, Min, Q, QuerySet
from django.db.models.functions import Cast, Coalesce

from passculture.core import clock
from passculture.offerers.models import Venue
from passculture.offers import catalogue, selectors
from passculture.offers.models import Offer

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
RADII_KM = (5, 10, 20, 50, 100, 500)
DEFAULT_RADIUS_KM = 50

# The offer happens at its own address when it has one, else at its venue's.
_LAT = Cast(Coalesce(F("address__latitude"), F("venue__latitude")), FloatField())
_LON = Cast(Coalesce(F("address__longitude"), F("venue__longitude")), FloatField())
ONLINE = Q(address__isnull=True, venue__latitude__isnull=True)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def location_of(offer: Offer) -> tuple[float, float] | None:
    """Where the offer happens (its address, else its venue); None for an online offer."""
    if offer.address_id is not None:
        address = offer.address
        assert address is not None
        return float(address.latitude), float(address.longitude)
    venue = offer.venue
    if venue.latitude is None or venue.longitude is None:
        return None
    return float(venue.latitude), float(venue.longitude)


def distance_km(offer: Offer, origin: tuple[float, float] | None) -> float | None:
    where = location_of(offer)
    if where is None or origin is None:
        return None
    return haversine_km(origin[0], origin[1], where[0], where[1])


def department_centre(code: str) -> tuple[float, float] | None:
    """A rough centre of a département: the mean position of its physical venues."""
    if not code:
        return None
    centre = Venue.objects.filter(
        department_code=code, is_virtual=False, latitude__isnull=False
    ).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if centre["lat"] is None:
        return None
    return float(centre["lat"]), float(centre["lon"])


@dataclasses.dataclass(frozen=True)
class NearbyQuery:
    department_code: str = ""
    text: str = ""
    category_id: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_km: int = DEFAULT_RADIUS_KM

    @property
    def geolocated(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclasses.dataclass
class NearbyResult:
    offers: QuerySet[Offer]
    # The point distances are measured from (the young person, or their département's centre).
    origin: tuple[float, float] | None
    mode: str  # "position" | "department" | "everywhere"


def _with_distance(queryset: QuerySet[Offer], origin: tuple[float, float]) -> QuerySet[Offer]:
    """Annotate distance_sq (squared, in degrees of latitude: exact enough to sort and cut)."""
    lat0, lon0 = origin
    shrink = math.cos(math.radians(lat0))
    return queryset.annotate(
        distance_sq=(_LAT - lat0) * (_LAT - lat0)
        + (_LON - lon0) * (_LON - lon0) * (shrink * shrink)
    )


def _nearest_first(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    return queryset.order_by(F("distance_sq").asc(nulls_last=True), "name", "pk")


def offers_near(query: NearbyQuery, now: dt.datetime | None = None) -> NearbyResult:
    """Public offers around a position (within a radius) or in a département, plus online ones."""
    now = now or clock.now()
    offers = selectors.filter_offers(
        selectors.public_offers(now),
        selectors.OfferFilters(text=query.text, category_id=query.category_id),
    )
    live_future = Q(stocks__is_deleted=False) & (
        Q(stocks__beginning_datetime__isnull=True) | Q(stocks__beginning_datetime__gt=now)
    )
    offers = offers.annotate(
        next_date=Min("stocks__beginning_datetime", filter=live_future),
        min_price=Min("stocks__price", filter=live_future),
    )
    if query.geolocated:
        assert query.latitude is not None and query.longitude is not None
        origin = (query.latitude, query.longitude)
        radius = query.radius_km / KM_PER_DEGREE
        lon_radius = radius / max(math.cos(math.radians(query.latitude)), 0.01)
        # The box lets an index help; the distance then cuts its corners off.
        offers = _with_distance(offers.alias(lat=_LAT, lon=_LON), origin).filter(
            Q(
                lat__gte=query.latitude - radius,
                lat__lte=query.latitude + radius,
                lon__gte=query.longitude - lon_radius,
                lon__lte=query.longitude + lon_radius,
                distance_sq__lte=radius * radius,
            )
            | ONLINE
        )
        return NearbyResult(_nearest_first(offers), origin, "position")
    if query.department_code:
        here = Q(address__department_code=query.department_code) | Q(
            address__isnull=True, venue__department_code=query.department_code
        )
        offers = offers.filter(here | ONLINE)
        origin_or_none = department_centre(query.department_code)
        if origin_or_none is not None:
            offers = _nearest_first(_with_distance(offers, origin_or_none))
            return NearbyResult(offers, origin_or_none, "department")
        return NearbyResult(offers.order_by("name", "pk"), None, "department")
    return NearbyResult(offers.order_by("name", "pk"), None, "everywhere")


def youth_categories() -> list[catalogue.Category]:
    """Categories a young person can filter on (not the internal technical one)."""
    return [c for c in catalogue.CATEGORIES.values() if c.id != "TECHNIQUE"]
