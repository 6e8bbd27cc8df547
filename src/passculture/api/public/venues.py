"""Partner API — Venues: the venues linked to the key's provider, grouped by structure."""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from passculture.api.public import scope
from passculture.api.public.offer_common import PartialAccessibility
from passculture.offerers.models import Venue, VenueType

router = Router(tags=["Venues"])

# Our venue types → the reference's activity domains (VenueTypeEnum).
ACTIVITY_DOMAINS: dict[str, str] = {
    VenueType.THEATRE: "PERFORMING_ARTS",
    VenueType.CINEMA: "MOVIE",
    VenueType.MUSEUM: "MUSEUM",
    VenueType.HERITAGE: "PATRIMONY_TOURISM",
    VenueType.BOOKSHOP: "BOOKSTORE",
    VenueType.LIBRARY: "LIBRARY",
    VenueType.CONCERT_HALL: "CONCERT_HALL",
    VenueType.FESTIVAL: "FESTIVAL",
    VenueType.ARTS_SCHOOL: "ARTISTIC_COURSE",
    VenueType.CULTURAL_CENTRE: "CULTURAL_CENTRE",
    VenueType.GAMES: "GAMES",
    # A company without premises performs: closest domain of the reference.
    VenueType.NOMADIC: "PERFORMING_ARTS",
    VenueType.DIGITAL: "DIGITAL",
    VenueType.OTHER: "OTHER",
}

ActivityDomain = Literal[
    "ARTISTIC_COURSE", "BOOKSTORE", "CONCERT_HALL", "CREATIVE_ARTS_STORE", "CULTURAL_CENTRE",
    "DIGITAL", "DISTRIBUTION_STORE", "FESTIVAL", "GAMES", "LIBRARY", "MOVIE", "MUSEUM",
    "MUSICAL_INSTRUMENT_STORE", "OTHER", "PATRIMONY_TOURISM", "PERFORMING_ARTS", "RECORD_STORE",
    "SCIENTIFIC_CULTURE", "TRAVELING_CINEMA", "VISUAL_ARTS",
]  # fmt: skip


class VenuePhysicalLocation(Schema):
    type: Literal["physical"] = "physical"
    address: str | None = None
    city: str | None = None
    postalCode: str | None = None


class VenueDigitalLocation(Schema):
    type: Literal["digital"] = "digital"


class VenueResponse(Schema):
    id: int
    createdDatetime: dt.datetime
    location: VenuePhysicalLocation | VenueDigitalLocation
    legalName: str
    publicName: str | None = None
    siret: str | None = None
    siretComment: str | None = None
    activityDomain: ActivityDomain
    accessibility: PartialAccessibility
    notificationUrl: str | None = None
    bookingUrl: str | None = None
    cancelUrl: str | None = None


class OffererResponse(Schema):
    id: int
    createdDatetime: dt.datetime
    name: str
    siren: str
    allowedOnAdage: bool


class GetOffererVenuesResponse(Schema):
    offerer: OffererResponse
    venues: list[VenueResponse]


def _linked_venues(request: HttpRequest) -> QuerySet[Venue]:
    # The link's own URLs come with the venue in the same query (the filter's join).
    return scope.venues(request).annotate(
        link_notification_url=F("provider_links__notification_url"),
        link_booking_url=F("provider_links__booking_url"),
        link_cancel_url=F("provider_links__cancel_url"),
    )


def venue_out(venue: Venue) -> VenueResponse:
    location: VenuePhysicalLocation | VenueDigitalLocation
    if venue.is_virtual:
        location = VenueDigitalLocation()
    else:
        location = VenuePhysicalLocation(
            address=venue.street or None,
            city=venue.city or None,
            postalCode=venue.postal_code or None,
        )
    return VenueResponse(
        id=venue.pk,
        createdDatetime=venue.created_at,
        location=location,
        legalName=venue.name,
        publicName=venue.public_name or None,
        siret=venue.siret or None,
        siretComment=venue.no_siret_reason or None,
        activityDomain=ACTIVITY_DOMAINS.get(venue.venue_type, "OTHER"),  # type: ignore[arg-type]
        accessibility=PartialAccessibility(
            audioDisabilityCompliant=venue.hearing_accessible,
            mentalDisabilityCompliant=venue.mental_accessible,
            motorDisabilityCompliant=venue.motor_accessible,
            visualDisabilityCompliant=venue.visual_accessible,
        ),
        # The venue's own overrides (null: the provider's URLs apply), as the reference.
        notificationUrl=getattr(venue, "link_notification_url", "") or None,
        bookingUrl=getattr(venue, "link_booking_url", "") or None,
        cancelUrl=getattr(venue, "link_cancel_url", "") or None,
    )


@router.get(
    "/offerer_venues",
    response=list[GetOffererVenuesResponse],
    summary="Get Offerer Venues",
    operation_id="GetOffererVenues",
)
def offerer_venues(
    request: HttpRequest,
    siren: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> list[GetOffererVenuesResponse]:
    venues = _linked_venues(request).order_by("offerer_id", "pk")
    if siren:
        venues = venues.filter(offerer__siren=siren)
    groups: dict[int, GetOffererVenuesResponse] = {}
    for venue in venues:
        offerer = venue.offerer
        if offerer.pk not in groups:
            groups[offerer.pk] = GetOffererVenuesResponse(
                offerer=OffererResponse(
                    id=offerer.pk,
                    createdDatetime=offerer.created_at,
                    name=offerer.name,
                    siren=offerer.siren,
                    # A validated structure may publish collective offers for schools.
                    allowedOnAdage=offerer.is_validated,
                ),
                venues=[],
            )
        groups[offerer.pk].venues.append(venue_out(venue))
    return list(groups.values())


@router.get(
    "/venues/{siret}",
    response=VenueResponse,
    summary="Get Venue",
    operation_id="GetVenueBySiret",
)
def venue_by_siret(request: HttpRequest, siret: str) -> VenueResponse:
    venue = _linked_venues(request).filter(siret=siret.strip()).first()
    if venue is None:
        raise Http404("Lieu introuvable pour votre clé d’API.")
    return venue_out(venue)
