"""Partner API — Product Offers (things: books, records, cards…) and their EAN bulk operations."""

import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Status

from passculture.api.public import scope
from passculture.api.public.offer_common import (
    accessibility_out,
    category_fields_out,
    image_out,
    location_out,
    quantity_in,
    quantity_out,
    resolve_location,
    status_out,
    utc,
)
from passculture.api.public.products_schemas import (
    AvailableEANsResponse,
    ProductOfferCreation,
    ProductOfferEdition,
    ProductOfferResponse,
    ProductOffersByEanResponse,
    ProductOffersResponse,
    ProductsOfferByEanCreation,
    ProductStockResponse,
    RejectedEANsPartialResponse,
)
from passculture.api.public.products_write import create_product, edit_product, live_stock
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.offerers.models import Address
from passculture.offers import catalogue, ean_tasks, selectors
from passculture.offers.models import Offer, Stock

router = Router(tags=["Product Offers"])
BULK_TAGS = ["Product Offer Bulk Operations"]
MAX_EANS = 100
PRODUCT_SUBCATEGORIES = sorted(s.id for s in catalogue.SUBCATEGORIES.values() if not s.is_event)


def _products(request: HttpRequest) -> QuerySet[Offer]:
    """The key's live product offers, with what the response needs (two queries a page)."""
    live_stocks = Prefetch(
        "stocks",
        queryset=Stock.objects.filter(is_deleted=False).order_by("pk"),
        to_attr="live_stocks",
    )
    offers = scope.offers(request).filter(
        subcategory_id__in=PRODUCT_SUBCATEGORIES, archived_at__isnull=True
    )
    return (
        selectors.annotate_offers(offers)
        .select_related("venue", "address")
        .prefetch_related(live_stocks)
    )


def _stock_out(stock: Stock | None) -> ProductStockResponse | None:
    if stock is None:
        return None
    return ProductStockResponse(
        price=stock.price,
        quantity=quantity_out(stock.quantity),
        bookedQuantity=stock.booked_quantity,
        bookingLimitDatetime=utc(stock.booking_limit_datetime),
    )


def _location(offer: Offer) -> dict[str, Any]:
    location = location_out(offer)
    if location.get("addressLabel") == "":  # an address without label: null, not ""
        location["addressLabel"] = None
    return location


def product_out(request: HttpRequest, offer: Offer, now: dt.datetime) -> ProductOfferResponse:
    return ProductOfferResponse(
        id=offer.pk,
        name=offer.name,
        status=status_out(offer, now),  # type: ignore[arg-type]
        location=_location(offer),  # type: ignore[arg-type]
        categoryRelatedFields=category_fields_out(offer),
        accessibility=accessibility_out(offer),
        description=offer.description or None,
        bookingContact=offer.booking_contact or None,
        bookingEmail=offer.booking_email or None,
        externalTicketOfficeUrl=offer.external_ticket_office_url or None,
        enableDoubleBookings=offer.is_duo,
        idAtProvider=offer.id_at_provider or None,
        image=image_out(request, offer),
        itemCollectionDetails=offer.withdrawal_details or None,
        publicationDatetime=utc(offer.publication_datetime),
        bookingAllowedDatetime=utc(offer.booking_allowed_datetime),
        stock=_stock_out(live_stock(offer)),
    )


def _product_or_404(request: HttpRequest, offer_id: int) -> Offer:
    offer = _products(request).filter(pk=offer_id).first()
    if offer is None:
        raise Http404("Offre produit introuvable.")
    return offer


def _same_place(address: Address) -> Q:
    # Offers keep their own copy of an address: match the copies too.
    return Q(address_id=address.pk) | Q(
        address__street=address.street,
        address__postal_code=address.postal_code,
        address__city=address.city,
        address__latitude=address.latitude,
        address__longitude=address.longitude,
    )


@router.get(
    "/products",
    response=ProductOffersResponse,
    summary="Get Product Offers",
    operation_id="GetProducts",
)
def list_products(
    request: HttpRequest,
    limit: Annotated[int, Query(gt=0, le=50)] = 50,
    firstIndex: Annotated[int, Query(ge=1)] = 1,
    venueId: int | None = None,
    idsAtProvider: str | None = None,
    addressId: int | None = None,
) -> ProductOffersResponse:
    offers = _products(request)
    if venueId is not None:
        offers = offers.filter(venue=scope.venue_or_404(request, venueId))
    ids = scope.ids_at_provider(idsAtProvider)
    if ids is not None:
        offers = offers.filter(id_at_provider__in=ids)
    if addressId is not None:
        address = Address.objects.filter(pk=addressId).first()
        offers = offers.filter(_same_place(address)) if address else offers.none()
    now = clock.now()
    page = scope.page(offers, limit=limit, first_index=firstIndex)
    return ProductOffersResponse(products=[product_out(request, o, now) for o in page])


@router.post(
    "/products",
    response={201: ProductOfferResponse},
    summary="Create Product Offer",
    operation_id="PostProductOffer",
)
def post_product(request: HttpRequest, payload: ProductOfferCreation) -> Status:
    offer = create_product(request, payload)
    return Status(201, product_out(request, _product_or_404(request, offer.pk), clock.now()))


@router.patch(
    "/products",
    response=ProductOfferResponse,
    summary="Update Product Offer",
    operation_id="EditProduct",
)
def patch_product(request: HttpRequest, payload: ProductOfferEdition) -> ProductOfferResponse:
    offer = _product_or_404(request, payload.offerId)
    edit_product(request, offer, payload)
    return product_out(request, _product_or_404(request, offer.pk), clock.now())


# --- EAN bulk operations (declared before /products/{product_id}) ---------------------------


def _eans(raw: str) -> list[str]:
    eans = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not eans:
        raise DomainError("Indiquez au moins un EAN dans « eans ».", field="eans")
    if len(eans) > MAX_EANS:
        raise DomainError("100 EAN au plus par requête.", field="eans")
    return eans


@router.get(
    "/products/ean",
    response=ProductOffersByEanResponse,
    summary="Get Product Offers by EANs",
    operation_id="GetProductByEan",
    tags=BULK_TAGS,
)
def products_by_ean(request: HttpRequest, eans: str, venueId: int) -> ProductOffersByEanResponse:
    venue = scope.venue_or_404(request, venueId)
    offers = _products(request).filter(venue=venue, extra_data__ean__in=_eans(eans))
    now = clock.now()
    return ProductOffersByEanResponse(
        products=[product_out(request, o, now) for o in offers.order_by("pk")]
    )


def _rejected(check: ean_tasks.EanCheck) -> RejectedEANsPartialResponse:
    return RejectedEANsPartialResponse(
        notFound=check.invalid + check.not_found,
        subcategoryNotAllowed=check.subcategory_not_allowed,
        notCompliantWithCgu=check.not_compliant,
    )


@router.get(
    "/products/ean/check_availability",
    response=AvailableEANsResponse,
    summary="Check EAN Availability for Bulk Upsert",
    operation_id="CheckEansAvailability",
    tags=BULK_TAGS,
)
def check_eans(request: HttpRequest, eans: str) -> AvailableEANsResponse:
    # Without a national catalogue, "available" = a valid EAN-13 that we can name: see
    # passculture.offers.ean_tasks. A bad checksum is reported under notFound.
    check = ean_tasks.check_eans(_eans(eans), own_offers=scope.offers(request))
    return AvailableEANsResponse(available=list(check.available), rejected=_rejected(check))


def _rejection_message(check: ean_tasks.EanCheck) -> str:
    parts = []
    if check.invalid:
        parts.append(f"clé de contrôle EAN-13 invalide : {', '.join(check.invalid)}")
    if check.not_found:
        parts.append(
            "produit inconnu (créez d’abord une offre avec son titre via POST /products) : "
            + ", ".join(check.not_found)
        )
    if check.subcategory_not_allowed:
        parts.append(
            "catégorie non vendable par EAN à cet endroit : "
            + ", ".join(check.subcategory_not_allowed)
        )
    if check.not_compliant:
        parts.append("produit refusé par la vérification : " + ", ".join(check.not_compliant))
    return "Aucune offre n’a été modifiée. EAN refusés — " + " ; ".join(parts) + "."


@router.post(
    "/products/ean",
    response={204: None},
    summary="Batch Upsert Product Offers by EAN",
    operation_id="PostProductOfferByEan",
    tags=BULK_TAGS,
    description=(
        "Crée ou met à jour, en tâche de fond, l’offre et le stock de chaque EAN sur le lieu. "
        "`quantity` = articles disponibles maintenant, hors réservations (0 ferme l’offre). "
        "Si un EAN n’est pas utilisable (voir check_availability), rien n’est mis en file : "
        "réponse 400 `eans_rejected` avec `rejected` {notFound, subcategoryNotAllowed, "
        "notCompliantWithCgu}."
    ),
)
def upsert_by_ean(request: HttpRequest, payload: ProductsOfferByEanCreation) -> HttpResponse:
    venue, address, url = resolve_location(request, payload.location)
    eans = [item.ean for item in payload.products]
    if len(set(eans)) != len(eans):
        raise DomainError("Chaque EAN ne doit figurer qu’une fois dans « products ».", field="ean")
    check = ean_tasks.check_eans(eans, own_offers=scope.offers(request), venue=venue)
    if check.rejected:
        # Unlike the reference (silent), we say which EANs fail, and queue nothing.
        message = _rejection_message(check)
        body = {
            "code": "eans_rejected",
            "message": message,
            "global": [message],
            "rejected": _rejected(check).model_dump(),
        }
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    address_id = getattr(payload.location, "addressId", None)
    location = {
        "address_id": address_id,
        "address_label": getattr(payload.location, "addressLabel", None) if address else None,
        "url": url,
    }
    items = [
        {
            "ean": item.ean,
            "price": item.stock.price,
            "quantity": quantity_in(item.stock.quantity),
            "booking_limit_datetime": (
                utc(item.stock.bookingLimitDatetime).isoformat()  # type: ignore[union-attr]
                if item.stock.bookingLimitDatetime
                else None
            ),
            "model_offer_id": check.available[item.ean].pk,
        }
        for item in payload.products
    ]
    # One row in the task table: inside an outer transaction, it commits (or not) with it.
    with transaction.atomic():
        ean_tasks.upsert_offers_by_ean.enqueue(scope.actor(request).pk, venue.pk, location, items)
    return HttpResponse(status=204)


@router.get(
    "/products/{product_id}",
    response=ProductOfferResponse,
    summary="Get Product Offer",
    operation_id="GetProduct",
)
def get_product(request: HttpRequest, product_id: int) -> ProductOfferResponse:
    return product_out(request, _product_or_404(request, product_id), clock.now())
