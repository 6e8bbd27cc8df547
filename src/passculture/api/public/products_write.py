"""Create and edit a product offer from the reference's bodies, through the offer services.

A request runs in one transaction: any refusal leaves the offer as it was. Publication
follows the pro portal's rules: the offer is submitted to review (rules may hold it), and
it can only be submitted once it has a stock.

`publicationDatetime` ("now", a date, or null) is kept on the draft as the partner's wish:
a draft with a publication date is submitted as soon as it has a stock (now or at a later
PATCH); null keeps it a draft.
"""

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest

from passculture.api.public import scope
from passculture.api.public.offer_common import (
    ImageBody,
    accessibility_values,
    address_data,
    api_field_names,
    category_fields_in,
    quantity_in,
    resolve_location,
    utc,
)
from passculture.api.public.products_schemas import (
    ProductOfferCreation,
    ProductOfferEdition,
    StockCreation,
    StockEdition,
)
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.offers.models import Offer, Stock, Validation
from passculture.offers.services import (
    OfferData,
    create_offer,
    partner_stocks,
    set_offer_active,
    set_offer_image,
    set_thing_stock,
    submit_offer,
    update_offer,
)

IMAGE_MAX_BASE64 = 14 * 1024 * 1024  # 10 MB once decoded (the service's own limit)
# Service field names → the body's, so a 400 points at what the client sent.
FIELD_NAMES = {
    "name": "name",
    "subcategory_id": "categoryRelatedFields.category",
    "venue": "location.venueId",
    "url": "location.url",
    "is_duo": "enableDoubleBookings",
    "price": "stock.price",
    "quantity": "stock.quantity",
    "image": "image.file",
    "address_postal_code": "location.addressId",
    "address_latitude": "location.addressId",
    **{
        name: f"categoryRelatedFields.{name}"
        for name in ("showType", "musicType", "author", "performer", "stageDirector", "speaker")
        + ("visa", "ean")
    },
}


def image_upload(image: ImageBody) -> SimpleUploadedFile:
    """The base64 `file` of an ImageBody as an upload for set_offer_image."""
    raw = image.file.strip()
    if raw.startswith("data:") and "," in raw:  # tolerate a data: URL
        raw = raw.split(",", 1)[1]
    if len(raw) > IMAGE_MAX_BASE64:
        raise DomainError(
            "L’image dépasse 10 Mo : choisissez un fichier plus léger.", field="image.file"
        )
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(
            "Image illisible : « file » doit contenir l’image encodée en base64.",
            field="image.file",
        ) from exc
    return SimpleUploadedFile("image", content)


def _publication(value: dt.datetime | str | None) -> dt.datetime | None:
    """The wish stored on the offer: "now" → now; a date must be in the future."""
    if value is None:
        return None
    now = clock.now()
    if value == "now":
        return now
    assert isinstance(value, dt.datetime)
    when = utc(value)
    assert when is not None
    if when <= now:
        raise DomainError(
            "La date de publication doit être dans le futur (ou « now »).",
            field="publicationDatetime",
        )
    return when


def _set_stock(request: HttpRequest, offer: Offer, stock: StockCreation | StockEdition) -> None:
    given = stock.model_dump(exclude_unset=True)
    current = offer.stocks.filter(is_deleted=False).first()
    price = given.get("price", current.price if current else None)
    if price is None:
        raise DomainError("Indiquez le prix du stock (en centimes).", field="stock.price")
    quantity = quantity_in(given["quantity"]) if "quantity" in given else None
    if "quantity" not in given and current is not None:
        quantity = current.quantity
    if "bookingLimitDatetime" in given:
        limit = utc(stock.bookingLimitDatetime)
    else:
        limit = current.booking_limit_datetime if current else None
    set_thing_stock(
        actor=scope.actor(request),
        offer=offer,
        price=price,
        quantity=quantity,
        booking_limit_datetime=limit,
    )


def _submit_if_wished(request: HttpRequest, offer: Offer) -> Offer:
    offer.refresh_from_db()
    wished = offer.publication_datetime is not None
    if (
        offer.validation == Validation.DRAFT
        and wished
        and offer.stocks.filter(is_deleted=False).exists()
    ):
        return submit_offer(actor=scope.actor(request), offer=offer)
    return offer


def create_product(request: HttpRequest, payload: ProductOfferCreation) -> Offer:
    """Create the offer, then its partner id, stock and image; submit it when wished."""
    with api_field_names(FIELD_NAMES), transaction.atomic():
        return _create(request, payload)


def _create(request: HttpRequest, payload: ProductOfferCreation) -> Offer:
    venue, address, url = resolve_location(request, payload.location)
    subcategory_id, extra = category_fields_in(payload.categoryRelatedFields, events=False)
    data = OfferData(
        name=payload.name,
        subcategory_id=subcategory_id,
        description=payload.description or "",
        extra_data=extra,
        address=address,
        url=url,
        is_duo=bool(payload.enableDoubleBookings),
        withdrawal_details=payload.itemCollectionDetails or "",
        booking_contact=payload.bookingContact or "",
        booking_email=payload.bookingEmail or "",
        external_ticket_office_url=payload.externalTicketOfficeUrl or "",
        publication_datetime=_publication(payload.publicationDatetime),
        booking_allowed_datetime=utc(payload.bookingAllowedDatetime),
        **accessibility_values(payload.accessibility),  # type: ignore[arg-type]
    )
    actor = scope.actor(request)
    offer = create_offer(actor=actor, venue=venue, data=data)
    if payload.idAtProvider:
        offer = partner_stocks.set_offer_id_at_provider(
            actor=actor, offer=offer, value=payload.idAtProvider
        )
    if payload.stock is not None:
        _set_stock(request, offer, payload.stock)
    if payload.image is not None:
        offer = set_offer_image(
            actor=actor,
            offer=offer,
            upload=image_upload(payload.image),
            credit=payload.image.credit or "",
        )
    return _submit_if_wished(request, offer)


def _current_data(offer: Offer) -> OfferData:
    """The offer's values as OfferData, to change only what a PATCH names."""
    values = {f.name: getattr(offer, f.name) for f in dataclasses.fields(OfferData)}
    values["address"] = address_data(offer.address) if offer.address is not None else None
    values["extra_data"] = dict(offer.extra_data or {})
    return OfferData(**values)


# PATCH field → OfferData field, for plain values where null means "empty".
PLAIN_FIELDS = {
    "name": "name",
    "description": "description",
    "bookingContact": "booking_contact",
    "bookingEmail": "booking_email",
    "itemCollectionDetails": "withdrawal_details",
}


def _edited_data(
    request: HttpRequest, offer: Offer, payload: ProductOfferEdition, given: dict[str, Any]
) -> tuple[OfferData, Any]:
    data = _current_data(offer)
    changes: dict[str, Any] = {}
    venue = None
    for api_name, field in PLAIN_FIELDS.items():
        if api_name in given and not (api_name == "name" and given[api_name] is None):
            changes[field] = given[api_name] or ""
    if given.get("enableDoubleBookings") is not None:
        changes["is_duo"] = bool(payload.enableDoubleBookings)
    if "bookingAllowedDatetime" in given:
        changes["booking_allowed_datetime"] = utc(payload.bookingAllowedDatetime)
    if payload.accessibility is not None:
        changes.update(accessibility_values(payload.accessibility))
    if payload.categoryRelatedFields is not None:
        # Fields left out keep their value; the category must be given (and be a product).
        merged = {**data.extra_data, **payload.categoryRelatedFields}
        changes["subcategory_id"], changes["extra_data"] = category_fields_in(merged, events=False)
    if payload.location is not None:
        venue, address, url = resolve_location(request, payload.location)
        changes["address"] = address
        changes["url"] = url
    if "publicationDatetime" in given:
        changes["publication_datetime"] = _publication_change(offer, payload.publicationDatetime)
    return dataclasses.replace(data, **changes), venue


def _publication_change(offer: Offer, value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None and offer.validation != Validation.DRAFT:
        raise DomainError(
            "Une offre déjà envoyée ne se dépublie pas : désactivez-la (isActive: false).",
            field="publicationDatetime",
        )
    return _publication(value)


def edit_product(request: HttpRequest, offer: Offer, payload: ProductOfferEdition) -> Offer:
    """Change what the body names; stock null is refused (see the message)."""
    with api_field_names(FIELD_NAMES), transaction.atomic():
        return _edit(request, offer, payload)


def _edit(request: HttpRequest, offer: Offer, payload: ProductOfferEdition) -> Offer:
    actor = scope.actor(request)
    given = payload.model_dump(exclude_unset=True)
    data, venue = _edited_data(request, offer, payload, given)
    offer = update_offer(actor=actor, offer=offer, data=data, venue=venue)
    if "idAtProvider" in given:
        offer = partner_stocks.set_offer_id_at_provider(
            actor=actor, offer=offer, value=payload.idAtProvider or ""
        )
    if "stock" in given:
        if payload.stock is None:
            # Deleting a thing's stock would cancel its bookings: no such service yet.
            raise DomainError(
                "Supprimer le stock n’est pas possible : pour arrêter les réservations, "
                "mettez stock.quantity au nombre déjà réservé ou désactivez l’offre "
                "(isActive: false).",
                field="stock",
            )
        _set_stock(request, offer, payload.stock)
    if payload.image is not None:
        offer = set_offer_image(
            actor=actor,
            offer=offer,
            upload=image_upload(payload.image),
            credit=payload.image.credit or "",
        )
    if payload.isActive is not None:
        offer = set_offer_active(actor=actor, offer=offer, active=payload.isActive)
    if "stock" in given or "publicationDatetime" in given:
        # Only when the partner speaks of selling: a pro's draft stays the pro's decision.
        return _submit_if_wished(request, offer)
    return offer


def live_stock(offer: Offer) -> Stock | None:
    """The thing's stock (prefetched as `live_stocks` by lists, else one query)."""
    stocks = getattr(offer, "live_stocks", None)
    if stocks is None:
        stocks = list(offer.stocks.filter(is_deleted=False).order_by("pk")[:1])
    return stocks[0] if stocks else None


__all__ = ["create_product", "edit_product", "image_upload", "live_stock"]
