"""Partner API — Providers: the key's own provider and its venue-level URLs."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from passculture.api.public import scope
from passculture.providers import services
from passculture.providers.errors import InvalidUrl
from passculture.providers.models import Provider, VenueProvider

router = Router(tags=["Providers"])


class ProviderResponse(Schema):
    id: int
    name: str
    logoUrl: str | None = None
    notificationUrl: str | None = None
    bookingUrl: str | None = None
    cancelUrl: str | None = None


class UrlsUpdate(Schema):
    notificationUrl: str | None = Field(None, min_length=1, max_length=2083)
    bookingUrl: str | None = Field(None, min_length=1, max_length=2083)
    cancelUrl: str | None = Field(None, min_length=1, max_length=2083)


URL_NAMES = {
    "notificationUrl": "notification_url",
    "bookingUrl": "booking_url",
    "cancelUrl": "cancel_url",
}


def _provider_out(provider: Provider) -> ProviderResponse:
    return ProviderResponse(
        id=provider.pk,
        name=provider.name,
        logoUrl=provider.logo_url or None,
        notificationUrl=provider.notification_url or None,
        bookingUrl=provider.booking_url or None,
        cancelUrl=provider.cancel_url or None,
    )


API_NAMES = {model: api for api, model in URL_NAMES.items()}


def _api_field(exc: InvalidUrl) -> InvalidUrl:
    """The service names model fields; partners know the camelCase ones."""
    return InvalidUrl(field=API_NAMES.get(exc.field or "", exc.field))


def _changes(payload: UrlsUpdate) -> dict[str, str | None]:
    given = payload.model_dump(exclude_unset=True)
    return {URL_NAMES[name]: value for name, value in given.items()}


@router.get(
    "/provider",
    response=ProviderResponse,
    summary="Get my Provider",
    operation_id="GetProvider",
)
def get_provider(request: HttpRequest) -> ProviderResponse:
    return _provider_out(scope.provider(request))


@router.patch(
    "/provider",
    response=ProviderResponse,
    summary="Update my Provider",
    operation_id="UpdateProvider",
)
def update_provider(request: HttpRequest, payload: UrlsUpdate) -> ProviderResponse:
    try:
        provider = services.update_provider_urls(
            actor=scope.actor(request), provider=scope.provider(request), **_changes(payload)
        )
    except InvalidUrl as exc:
        raise _api_field(exc) from exc
    return _provider_out(provider)


@router.patch(
    "/venues/{venue_id}",
    response={204: None},
    summary="Update Venue External Urls",
    operation_id="UpdateVenueExternalUrls",
)
def update_venue_urls(request: HttpRequest, venue_id: int, payload: UrlsUpdate):
    venue = scope.venue_or_404(request, venue_id)
    link = VenueProvider.objects.get(venue=venue, provider=scope.provider(request))
    try:
        services.update_venue_urls(actor=scope.actor(request), link=link, **_changes(payload))
    except InvalidUrl as exc:
        raise _api_field(exc) from exc
    return Status(204, None)
