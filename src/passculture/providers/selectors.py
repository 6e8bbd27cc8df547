"""Reads scoped to a provider: an API key reaches only the venues linked to its provider."""

from django.db.models import QuerySet

from passculture.offerers.models import Venue
from passculture.offers.models import Offer
from passculture.providers.models import Provider, VenueProvider, WebhookDelivery


def venues_for_provider(provider: Provider) -> QuerySet[Venue]:
    return Venue.objects.filter(
        provider_links__provider=provider, provider_links__is_active=True
    ).select_related("offerer")


def venue_ids_for_provider(provider: Provider) -> set[int]:
    return set(
        VenueProvider.objects.filter(provider=provider, is_active=True).values_list(
            "venue_id", flat=True
        )
    )


def offers_for_provider(provider: Provider) -> QuerySet[Offer]:
    return Offer.objects.filter(
        venue__provider_links__provider=provider, venue__provider_links__is_active=True
    )


def links_for_venue(venue_id: int) -> QuerySet[VenueProvider]:
    return VenueProvider.objects.filter(
        venue_id=venue_id, is_active=True, provider__is_active=True
    ).select_related("provider")


def deliveries_for_offerer(offerer_id: int) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(link__venue__offerer_id=offerer_id).select_related(
        "link__venue", "link__provider"
    )
