"""Providers, keys and venue links for partner API and webhook tests."""

from passculture.offerers.models import Venue
from passculture.providers import services
from passculture.providers.models import KeyEnvironment, Provider, VenueProvider


def make_provider(name: str = "Billetterie Étoile", **fields: object) -> Provider:
    return services.create_provider(actor=None, name=name, **fields)  # type: ignore[arg-type]


def make_key(provider: Provider, environment: str = KeyEnvironment.PRODUCTION) -> str:
    """The full key (prefix_secret) of a new key of `provider`."""
    return services.issue_key(actor=None, provider=provider, environment=environment)[1]


def link(provider: Provider, venue: Venue, **urls: str) -> VenueProvider:
    vp, _ = VenueProvider.objects.get_or_create(provider=provider, venue=venue)
    for name, value in urls.items():
        setattr(vp, name, value)
    vp.is_active = True
    vp.save()
    return vp
