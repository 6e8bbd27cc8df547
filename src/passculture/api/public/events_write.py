"""Event offer writes of the partner API: payload → offers services, in one transaction.

Choices where the reference leaves room (a partner client expects these):
- `hasTicket: true` = tickets issued by the partner's ticketing (withdrawal "in_app"; needs a
  booking URL on the provider or the venue link, and a bookingContact); `false` = no ticket,
  the booking itself is the entry (withdrawal "no_ticket").
- `publicationDatetime`: "now" (default) or a future datetime records when to publish; the
  offer is submitted to review (our rules decide approval) as soon as it also has a future
  date — at once if it has one, else when the partner posts its first dates. `null` keeps
  it a draft.
"""

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.http import HttpRequest

from passculture.api.public import scope
from passculture.api.public.events_music_types import current_music_type
from passculture.api.public.events_schemas import EventOfferCreation, EventOfferEdition
from passculture.api.public.offer_common import (
    DigitalLocation,
    ImageBody,
    accessibility_values,
    address_data,
    api_field_names,
    category_fields_in,
    resolve_location,
    utc,
)
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.offers import catalogue
from passculture.offers.models import Offer, Validation
from passculture.offers.services import (
    OfferData,
    create_offer,
    partner_stocks,
    set_offer_active,
    set_offer_image,
    update_offer,
)
from passculture.providers.models import VenueProvider

EXTRA_FIELDS = ("showType", "musicType", "author", "performer", "stageDirector", "speaker")
FIELD_NAMES = {
    "name": "name",
    "subcategory_id": "categoryRelatedFields.category",
    "venue": "location.venueId",
    "url": "location.url",
    "is_duo": "enableDoubleBookings",
    "withdrawal_type": "hasTicket",
    "label": "priceCategories.label",
    "price": "priceCategories.price",
    "address_postal_code": "location.addressId",
    "address_latitude": "location.addressId",
    **{name: f"categoryRelatedFields.{name}" for name in (*EXTRA_FIELDS, "visa", "ean")},
}


# --- input checks ------------------------------------------------------------------------


def _email(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise DomainError(f"Adresse e-mail invalide : « {value[:80]} ».", field=field) from exc
    return value


def _url(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            raise DomainError("Adresse web invalide (http ou https).", field=field) from exc
    return value


def _future(value: dt.datetime | None, field: str) -> dt.datetime | None:
    value = utc(value)
    if value is not None and value <= clock.now():
        raise DomainError("Cette date doit être dans le futur.", field=field)
    return value


def _category(fields: dict[str, Any], *, new: bool = True) -> tuple[str, dict[str, str]]:
    fields = dict(fields)
    if isinstance(fields.get("musicType"), str):
        fields["musicType"] = current_music_type(fields["musicType"])
    sub_id, extra = category_fields_in(fields, events=True)
    if new and not catalogue.get_subcategory(sub_id).selectable:
        raise DomainError(
            f"La catégorie « {sub_id} » ne peut plus être choisie pour une nouvelle offre.",
            field="categoryRelatedFields.category",
        )
    return sub_id, extra


def _check_location(location: object, sub_id: str) -> None:
    # The service would silently drop the URL of a physical category: refuse instead.
    offline = catalogue.get_subcategory(sub_id).online == "offline"
    if isinstance(location, DigitalLocation) and offline:
        raise DomainError(
            f"Une offre « {sub_id} » a lieu physiquement : location.type doit être "
            "« physical » ou « address ».",
            field="location.type",
        )


def _upload(image: ImageBody) -> SimpleUploadedFile:
    raw = image.file.strip()
    if raw.startswith("data:") and "," in raw:  # a data: URL pasted as is
        raw = raw.split(",", 1)[1]
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("L’image doit être encodée en base64.", field="image.file") from exc
    return SimpleUploadedFile("image", content)


def _publication(value: dt.datetime | str | None) -> dt.datetime | None:
    if value == "now":
        return clock.now()
    if value is None or isinstance(value, str):
        return None
    return _future(value, "publicationDatetime")


def _ticketing(request: HttpRequest, offer_venue_id: int, contact: str) -> None:
    """`hasTicket` needs somewhere to ask for tickets and someone to call about them."""
    link = VenueProvider.objects.filter(
        venue_id=offer_venue_id, provider=scope.provider(request)
    ).first()
    if link is None or not link.effective_booking_url:
        raise DomainError(
            "hasTicket=true demande une URL de réservation (bookingUrl) pour votre logiciel "
            "ou pour ce lieu : renseignez-la d’abord.",
            field="hasTicket",
        )
    if not contact:
        raise DomainError(
            "bookingContact est obligatoire quand des billets sont émis (hasTicket=true).",
            field="bookingContact",
        )


# --- create ------------------------------------------------------------------------------


def create_event(request: HttpRequest, payload: EventOfferCreation) -> Offer:
    """Create the offer, its tariffs, image and ids; submit it if it can already be."""
    sub_id, extra = _category(payload.categoryRelatedFields)
    _check_location(payload.location, sub_id)
    venue, address, url = resolve_location(request, payload.location)
    contact = _email(payload.bookingContact, "bookingContact")
    if payload.hasTicket:
        _ticketing(request, venue.pk, contact)
    publication = payload.publicationDatetime
    if "publicationDatetime" not in payload.model_fields_set and payload.publicationDate:
        publication = payload.publicationDate
    is_duo = payload.enableDoubleBookings
    data = OfferData(
        name=payload.name,
        subcategory_id=sub_id,
        description=payload.description or "",
        extra_data=extra,
        address=address,
        url=url,
        is_duo=catalogue.get_subcategory(sub_id).can_be_duo if is_duo is None else is_duo,
        duration_minutes=payload.eventDuration,
        withdrawal_type=catalogue.WITHDRAWAL_IN_APP
        if payload.hasTicket
        else catalogue.WITHDRAWAL_NO_TICKET,
        withdrawal_details=(payload.itemCollectionDetails or "").strip(),
        booking_contact=contact,
        booking_email=_email(payload.bookingEmail, "bookingEmail"),
        external_ticket_office_url=_url(payload.externalTicketOfficeUrl, "externalTicketOfficeUrl"),
        publication_datetime=_publication(publication),
        booking_allowed_datetime=_future(payload.bookingAllowedDatetime, "bookingAllowedDatetime"),
        **accessibility_values(payload.accessibility),
    )
    upload = _upload(payload.image) if payload.image else None
    actor = scope.actor(request)
    with api_field_names(FIELD_NAMES), transaction.atomic():
        offer = create_offer(actor=actor, venue=venue, data=data)
        if payload.idAtProvider:
            partner_stocks.set_offer_id_at_provider(
                actor=actor, offer=offer, value=payload.idAtProvider
            )
        if payload.priceCategories:
            partner_stocks.add_price_categories(
                actor=actor,
                offer=offer,
                items=[(c.label, c.price, c.idAtProvider) for c in payload.priceCategories],
            )
        if upload is not None and payload.image is not None:
            set_offer_image(
                actor=actor, offer=offer, upload=upload, credit=payload.image.credit or ""
            )
    return offer


# --- edit --------------------------------------------------------------------------------


def current_data(offer: Offer) -> OfferData:
    """What the offer says today, as the service's input (so a PATCH changes only its part)."""
    return OfferData(
        name=offer.name,
        subcategory_id=offer.subcategory_id,
        description=offer.description,
        extra_data=dict(offer.extra_data or {}),
        address=address_data(offer.address) if offer.address else None,
        url=offer.url,
        is_duo=offer.is_duo,
        duration_minutes=offer.duration_minutes,
        withdrawal_type=offer.withdrawal_type,
        withdrawal_delay_hours=offer.withdrawal_delay_hours,
        withdrawal_details=offer.withdrawal_details,
        booking_contact=offer.booking_contact,
        booking_email=offer.booking_email,
        external_ticket_office_url=offer.external_ticket_office_url,
        motor_accessible=offer.motor_accessible,
        visual_accessible=offer.visual_accessible,
        hearing_accessible=offer.hearing_accessible,
        mental_accessible=offer.mental_accessible,
        publication_datetime=offer.publication_datetime,
        booking_allowed_datetime=offer.booking_allowed_datetime,
        fill_alert_threshold=offer.fill_alert_threshold,
    )


def _merged_category(offer: Offer, fields: dict[str, Any]) -> dict[str, str]:
    """The category cannot change; other keys overwrite, `null` clears, absent ones stay."""
    category = fields.get("category")
    if category != offer.subcategory_id:
        raise DomainError(
            f"La catégorie d’une offre ne change pas : indiquez « {offer.subcategory_id} ».",
            field="categoryRelatedFields.category",
        )
    merged: dict[str, Any] = {"category": category, **(offer.extra_data or {})}
    for name, value in fields.items():
        if value is None:
            merged.pop(name, None)
        elif name != "category":
            merged[name] = value
    return _category(merged, new=False)[1]


def _publication_change(offer: Offer, value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None and offer.validation in {Validation.APPROVED, Validation.PENDING}:
        raise DomainError(
            "Une offre déjà publiée ne se dépublie pas : désactivez-la (isActive=false).",
            field="publicationDatetime",
        )
    if isinstance(value, dt.datetime) and utc(value) == offer.publication_datetime:
        return offer.publication_datetime  # sent back unchanged: no "must be future" refusal
    return _publication(value)


def _details(offer: Offer, payload: EventOfferEdition) -> OfferData | None:
    """The new details, or None when the PATCH touches none of them."""
    given = payload.model_fields_set
    data = current_data(offer)
    if "name" in given and payload.name is not None:
        data.name = payload.name
    if "description" in given:
        data.description = payload.description or ""
    if "categoryRelatedFields" in given and payload.categoryRelatedFields is not None:
        data.extra_data = _merged_category(offer, payload.categoryRelatedFields)
    if "accessibility" in given:
        for field, flag in accessibility_values(payload.accessibility).items():
            setattr(data, field, flag)
    if "enableDoubleBookings" in given and payload.enableDoubleBookings is not None:
        data.is_duo = payload.enableDoubleBookings
    if "eventDuration" in given:
        data.duration_minutes = payload.eventDuration
    if "bookingContact" in given:
        data.booking_contact = _email(payload.bookingContact, "bookingContact")
    if "bookingEmail" in given:
        data.booking_email = _email(payload.bookingEmail, "bookingEmail")
    if "externalTicketOfficeUrl" in given:
        data.external_ticket_office_url = _url(
            payload.externalTicketOfficeUrl, "externalTicketOfficeUrl"
        )
    if "itemCollectionDetails" in given:
        data.withdrawal_details = (payload.itemCollectionDetails or "").strip()
    if "bookingAllowedDatetime" in given:
        value = utc(payload.bookingAllowedDatetime)
        if value != offer.booking_allowed_datetime:
            value = _future(value, "bookingAllowedDatetime")
        data.booking_allowed_datetime = value
    if "publicationDatetime" in given:
        data.publication_datetime = _publication_change(offer, payload.publicationDatetime)
    if data.withdrawal_type == catalogue.WITHDRAWAL_IN_APP and not data.booking_contact:
        raise DomainError(
            "bookingContact est obligatoire quand des billets sont émis (hasTicket=true).",
            field="bookingContact",
        )
    if data == current_data(offer) and "location" not in given:
        return None
    return data


def edit_event(request: HttpRequest, offer: Offer, payload: EventOfferEdition) -> Offer:
    """Apply a PATCH: details, location, id, image, activation, publication request."""
    given = payload.model_fields_set
    data = _details(offer, payload)
    venue = None
    if "location" in given and payload.location is not None:
        _check_location(payload.location, offer.subcategory_id)
        venue, address, url = resolve_location(request, payload.location)
        data = dataclasses.replace(data or current_data(offer), address=address, url=url)
    upload = _upload(payload.image) if payload.image else None
    actor = scope.actor(request)
    with api_field_names(FIELD_NAMES), transaction.atomic():
        if data is not None:
            offer = update_offer(actor=actor, offer=offer, data=data, venue=venue)
        if "idAtProvider" in given:
            partner_stocks.set_offer_id_at_provider(
                actor=actor, offer=offer, value=payload.idAtProvider
            )
        if upload is not None and payload.image is not None:
            set_offer_image(
                actor=actor, offer=offer, upload=upload, credit=payload.image.credit or ""
            )
        if "isActive" in given and payload.isActive is not None:
            set_offer_active(actor=actor, offer=offer, active=payload.isActive)
        if "publicationDatetime" in given and payload.publicationDatetime is not None:
            partner_stocks.submit_if_ready(actor=actor, offer=offer, resubmit_rejected=True)
    return offer
