"""Partner API — Event Offers: list, create, read and edit the key's event offers.

Publication and ticketing choices are explained in events_write.py.
"""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from passculture.api.public import events_write, scope
from passculture.api.public.events_schemas import (
    EventOfferCreation,
    EventOfferEdition,
    EventOfferResponse,
    EventOffersResponse,
    event_offers,
    event_or_404,
    event_out,
)
from passculture.api.public.offer_common import ApiDatetime, InputSchema
from passculture.offerers.models import Address

router = Router(tags=["Event Offers"])


class EventsFilters(InputSchema):
    limit: int = Field(50, gt=0, le=50)
    firstIndex: int = Field(1, ge=1)
    venueId: int | None = None
    idsAtProvider: str | None = None
    addressId: int | None = None
    # Ours: offers whose details changed since this instant, to resync after an outage.
    updatedSince: ApiDatetime | None = None


def _at_place(address_id: int) -> Q:
    """Offers at this address: its own row, or their copy of exactly the same place."""
    address = Address.objects.filter(pk=address_id).first()
    if address is None:
        return Q(pk__in=[])
    return Q(address_id=address_id) | Q(
        address__department_code=address.department_code,
        address__postal_code=address.postal_code,
        address__street=address.street,
        address__city=address.city,
        address__latitude=address.latitude,
        address__longitude=address.longitude,
    )


@router.get(
    "/events",
    response=EventOffersResponse,
    summary="Get Event Offers",
    operation_id="GetEvents",
)
def list_events(request: HttpRequest, filters: Query[EventsFilters]) -> EventOffersResponse:
    queryset = event_offers(request)
    if filters.venueId is not None:
        venue = scope.venue_or_404(request, filters.venueId)
        queryset = queryset.filter(venue=venue)
    ids = scope.ids_at_provider(filters.idsAtProvider)
    if ids is not None:
        queryset = queryset.filter(id_at_provider__in=ids)
    if filters.addressId is not None:
        queryset = queryset.filter(_at_place(filters.addressId))
    if filters.updatedSince is not None:
        queryset = queryset.filter(updated_at__gte=filters.updatedSince)
    offers = scope.page(queryset, limit=filters.limit, first_index=filters.firstIndex)
    return EventOffersResponse(events=[event_out(request, offer) for offer in offers])


@router.post(
    "/events",
    response=EventOfferResponse,
    summary="Create Event Offer",
    operation_id="PostEventOffer",
)
def create_event(request: HttpRequest, payload: EventOfferCreation) -> EventOfferResponse:
    offer = events_write.create_event(request, payload)
    return event_out(request, event_or_404(request, offer.pk))


@router.get(
    "/events/{event_id}",
    response=EventOfferResponse,
    summary="Get Event Offer",
    operation_id="GetEvent",
)
def get_event(request: HttpRequest, event_id: int) -> EventOfferResponse:
    return event_out(request, event_or_404(request, event_id))


@router.patch(
    "/events/{event_id}",
    response=EventOfferResponse,
    summary="Update Event Offer",
    operation_id="EditEvent",
)
def edit_event(
    request: HttpRequest, event_id: int, payload: EventOfferEdition
) -> EventOfferResponse:
    events_write.edit_event(request, event_or_404(request, event_id), payload)
    return event_out(request, event_or_404(request, event_id))
