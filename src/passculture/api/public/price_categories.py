"""Partner API — Event Offer Price Categories: an event's tariffs."""

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from passculture.api.public import scope
from passculture.api.public.events_schemas import event_offer_or_404
from passculture.api.public.offer_common import (
    InputSchema,
    PriceCategoryCreation,
    PriceCategoryResponse,
    api_field_names,
    price_category_out,
)
from passculture.offers.models import PriceCategory
from passculture.offers.services import partner_stocks

router = Router(tags=["Event Offer Price Categories"])


class PriceCategoriesCreation(InputSchema):
    model_config = ConfigDict(extra="forbid")

    priceCategories: list[PriceCategoryCreation] = Field(..., max_length=50)


class PriceCategoryEdition(InputSchema):
    """Only the fields sent change; `idAtProvider: null` clears it."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, min_length=1, max_length=50)
    price: int | None = Field(None, ge=0, le=30_000)
    idAtProvider: str | None = Field(None, max_length=70)


class PriceCategoriesResponse(Schema):
    priceCategories: list[PriceCategoryResponse]


class PriceCategoriesFilters(InputSchema):
    limit: int = Field(50, gt=0, le=50)
    firstIndex: int = Field(1, ge=1)
    idsAtProvider: str | None = None


@router.get(
    "/events/{event_id}/price_categories",
    response=PriceCategoriesResponse,
    summary="Get Price Categories",
    operation_id="GetEventPriceCategories",
)
def list_price_categories(
    request: HttpRequest, event_id: int, filters: Query[PriceCategoriesFilters]
) -> PriceCategoriesResponse:
    offer = event_offer_or_404(request, event_id)
    queryset = PriceCategory.objects.filter(offer=offer)
    ids = scope.ids_at_provider(filters.idsAtProvider)
    if ids is not None:
        queryset = queryset.filter(id_at_provider__in=ids)
    categories = scope.page(queryset, limit=filters.limit, first_index=filters.firstIndex)
    return PriceCategoriesResponse(priceCategories=[price_category_out(c) for c in categories])


@router.post(
    "/events/{event_id}/price_categories",
    response=PriceCategoriesResponse,
    summary="Create Price Categories",
    operation_id="PostEventPriceCategories",
)
def create_price_categories(
    request: HttpRequest, event_id: int, payload: PriceCategoriesCreation
) -> PriceCategoriesResponse:
    offer = event_offer_or_404(request, event_id)
    with api_field_names({"label": "priceCategories.label", "price": "priceCategories.price"}):
        created = partner_stocks.add_price_categories(
            actor=scope.actor(request),
            offer=offer,
            items=[(c.label, c.price, c.idAtProvider) for c in payload.priceCategories],
        )
    return PriceCategoriesResponse(priceCategories=[price_category_out(c) for c in created])


@router.patch(
    "/events/{event_id}/price_categories/{price_category_id}",
    response=PriceCategoryResponse,
    summary="Update Price Category",
    operation_id="PatchEventPriceCategory",
)
def edit_price_category(
    request: HttpRequest, event_id: int, price_category_id: int, payload: PriceCategoryEdition
) -> PriceCategoryResponse:
    offer = event_offer_or_404(request, event_id)
    category = PriceCategory.objects.filter(offer=offer, pk=price_category_id).first()
    if category is None:
        raise Http404("Tarif introuvable pour cette offre.")
    changes: dict[str, object] = {}
    if payload.label is not None:
        changes["label"] = payload.label
    if payload.price is not None:
        changes["price"] = payload.price
    if "idAtProvider" in payload.model_fields_set:
        changes["id_at_provider"] = payload.idAtProvider
    category = partner_stocks.edit_price_category(
        actor=scope.actor(request),
        category=category,
        **changes,  # type: ignore[arg-type]
    )
    return price_category_out(category)
