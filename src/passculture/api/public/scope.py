"""Access scoping of the partner API: a key reaches only its provider's linked venues.

Everything an endpoint reads or changes goes through these helpers; anything outside the
provider's venues is a 404, exactly as if it did not exist.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from passculture.accounts.models import User
from passculture.core.errors import DomainError
from passculture.offerers.models import Venue
from passculture.offers.models import Offer
from passculture.providers import selectors
from passculture.providers.models import ApiKey, Provider

MAX_LIMIT = 50


class Forbidden(DomainError):
    """Answered 403: the resource is the provider's, the action is not allowed on it."""

    code = "forbidden"
    message = "Vous n’avez pas les droits nécessaires pour cette action."


class Gone(DomainError):
    """Answered 410: the resource's state no longer allows the action."""

    code = "gone"
    message = "Cette action n’est plus possible."


def api_key(request: HttpRequest) -> ApiKey:
    return request.auth  # type: ignore[attr-defined]


def provider(request: HttpRequest) -> Provider:
    return api_key(request).provider


def actor(request: HttpRequest) -> User:
    """The provider's technical user: who the audit log names for API writes."""
    return provider(request).service_user


def venues(request: HttpRequest) -> QuerySet[Venue]:
    return selectors.venues_for_provider(provider(request))


def venue_ids(request: HttpRequest) -> set[int]:
    return selectors.venue_ids_for_provider(provider(request))


def venue_or_404(request: HttpRequest, venue_id: int, message: str | None = None) -> Venue:
    venue = venues(request).filter(pk=venue_id).first()
    if venue is None:
        raise Http404(message or "Lieu introuvable pour votre clé d’API.")
    return venue


def offers(request: HttpRequest) -> QuerySet[Offer]:
    return selectors.offers_for_provider(provider(request))


def offer_or_404(request: HttpRequest, offer_id: int, message: str | None = None) -> Offer:
    offer = (
        offers(request)
        .select_related("venue__offerer", "address")
        .filter(pk=offer_id, archived_at__isnull=True)
        .first()
    )
    if offer is None:
        raise Http404(message or "Offre introuvable.")
    return offer


def page[M: Any](queryset: QuerySet[M], *, limit: int, first_index: int) -> list[M]:
    """The reference's cursor: ids ≥ firstIndex, by id, at most `limit` (≤ 50)."""
    limit = max(1, min(limit, MAX_LIMIT))
    return list(queryset.filter(pk__gte=max(first_index, 1)).order_by("pk")[:limit])


def ids_at_provider(raw: str | None) -> list[str] | None:
    """`idsAtProvider=a,b,c` → ['a','b','c'] (at most 100), None when absent."""
    if raw is None or raw == "":
        return None
    values = [part.strip() for part in raw.split(",") if part.strip()]
    if len(values) > 100:
        raise DomainError("100 identifiants au plus dans idsAtProvider.", field="idsAtProvider")
    return values
