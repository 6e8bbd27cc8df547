"""Offer details: create, edit, image, activate, archive, duplicate."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit, snapshot
from passculture.offerers import rules as territory
from passculture.offerers.errors import InvalidCoordinates, InvalidPostalCode
from passculture.offerers.models import Address, Venue
from passculture.offers import catalogue, extra_fields, rules
from passculture.offers import errors as e
from passculture.offers.models import Offer, PriceCategory, Stock, Validation

OFFER_FIELDS = [
    "venue", "subcategory_id", "name", "description", "extra_data", "address", "url", "is_duo",
    "duration_minutes", "withdrawal_type", "withdrawal_delay_hours", "withdrawal_details",
    "booking_contact", "booking_email", "external_ticket_office_url", "motor_accessible",
    "visual_accessible", "hearing_accessible", "mental_accessible", "publication_datetime",
    "booking_allowed_datetime", "fill_alert_threshold", "validation", "is_active",
]  # fmt: skip
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE = 300
IMAGE_MAX_SIDE = 1200
IMAGE_MAX_PIXELS = 40_000_000


@dataclasses.dataclass
class AddressData:
    street: str
    postal_code: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None
    label: str = ""


@dataclasses.dataclass
class OfferData:
    """What a pro (page or API) says about an offer; the service checks it against the catalogue."""

    name: str
    subcategory_id: str
    description: str = ""
    extra_data: dict[str, str] = dataclasses.field(default_factory=dict)
    address: AddressData | None = None  # None: at the venue's address
    url: str = ""
    is_duo: bool = False
    duration_minutes: int | None = None
    withdrawal_type: str = ""
    withdrawal_delay_hours: int | None = None
    withdrawal_details: str = ""
    booking_contact: str = ""
    booking_email: str = ""
    external_ticket_office_url: str = ""
    motor_accessible: bool = False
    visual_accessible: bool = False
    hearing_accessible: bool = False
    mental_accessible: bool = False
    publication_datetime: dt.datetime | None = None
    booking_allowed_datetime: dt.datetime | None = None
    fill_alert_threshold: int | None = None


def _clean(venue: Venue, data: OfferData) -> dict[str, object]:
    name = data.name.strip()
    if not name or len(name) > 90:
        raise e.NameRequired()
    sub = catalogue.get_subcategory(data.subcategory_id)
    if not sub.selectable:
        raise catalogue.UnknownSubcategory()
    extra = extra_fields.validate_extra_data(sub, data.extra_data)
    if sub.online == "online" and not venue.is_virtual:
        raise e.WrongVenueForSubcategory(
            "Une offre « {label} » est numérique : rattachez-la au lieu numérique de la structure.",
            label=sub.label,
        )
    if sub.online == "offline" and venue.is_virtual:
        raise e.WrongVenueForSubcategory(
            "Une offre « {label} » a lieu physiquement : choisissez un lieu avec une adresse.",
            label=sub.label,
        )
    if venue.is_virtual and not data.url.strip():
        raise e.UrlRequired()
    if data.is_duo and not sub.can_be_duo:
        raise e.DuoNotAllowed()
    if sub.withdrawal_types:
        if data.withdrawal_type and data.withdrawal_type not in sub.withdrawal_types:
            raise e.InvalidWithdrawal(
                "Cette modalité de retrait n’est pas possible pour cette offre."
            )
        if (
            data.withdrawal_type == catalogue.WITHDRAWAL_BY_EMAIL
            and data.withdrawal_delay_hours is None
        ):
            raise e.InvalidWithdrawal(
                "Indiquez combien d’heures avant l’événement le billet est envoyé par e-mail.",
                field="withdrawal_delay_hours",
            )
    elif data.withdrawal_type:
        raise e.InvalidWithdrawal("Seuls les événements ont une modalité de retrait de billet.")
    if data.fill_alert_threshold is not None and not 1 <= data.fill_alert_threshold <= 100:
        raise e.InvalidThreshold()
    values = dataclasses.asdict(data)
    values.update(
        name=name,
        description=data.description.strip(),
        extra_data=extra,
        address=_address(data.address) if data.address and not venue.is_virtual else None,
        url=data.url.strip() if venue.is_virtual or sub.online != "offline" else "",
    )
    return values


def _address(data: AddressData) -> Address:
    department = territory.department_from_postal_code(data.postal_code)
    if department is None:
        raise InvalidPostalCode(field="address_postal_code")
    if data.latitude is None or data.longitude is None:
        raise InvalidCoordinates(field="address_latitude")
    if not territory.is_in_france(float(data.latitude), float(data.longitude)):
        raise InvalidCoordinates(field="address_latitude")
    values = {
        "label": data.label.strip(),
        "street": data.street.strip(),
        "postal_code": data.postal_code.strip(),
        "city": data.city.strip(),
        "latitude": Decimal(data.latitude).quantize(Decimal("0.00001")),
        "longitude": Decimal(data.longitude).quantize(Decimal("0.00001")),
    }
    # Addresses are never edited in place, so an identical row is shared: the id a partner
    # created (POST /addresses) stays the id its offers show.
    existing = Address.objects.filter(**values).order_by("pk").first()
    if existing is not None:
        return existing
    return Address.objects.create(department_code=department, **values)


def _same_address(current: Address | None, data: AddressData | None) -> bool:
    if current is None or data is None:
        return current is None and data is None
    return (current.street, current.postal_code, current.city, current.label) == (
        data.street.strip(), data.postal_code.strip(), data.city.strip(), data.label.strip()
    ) and (current.latitude, current.longitude) == (
        Decimal(data.latitude or 0).quantize(Decimal("0.00001")),
        Decimal(data.longitude or 0).quantize(Decimal("0.00001")),
    )  # fmt: skip


@transaction.atomic
def create_offer(*, actor: User, venue: Venue, data: OfferData) -> Offer:
    """Create a draft offer on a venue the caller scoped to the actor."""
    offer = Offer(venue=venue)
    for field, value in _clean(venue, data).items():
        setattr(offer, field, value)
    offer.save()
    record_audit(
        actor=actor, action="offer.created", obj=offer, after=snapshot(offer, OFFER_FIELDS)
    )
    return offer


@transaction.atomic
def update_offer(
    *, actor: User, offer: Offer, data: OfferData, venue: Venue | None = None
) -> Offer:
    """Edit an offer's details (any state but archived); the venue may change while a draft."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("venue", "address")
        .get(pk=offer.pk)
    )
    if offer.archived_at is not None:
        raise e.OfferError("Une offre archivée ne se modifie plus : dupliquez-la.")
    if venue is not None and venue != offer.venue and offer.validation != Validation.DRAFT:
        raise e.WrongVenueForSubcategory(
            "Le lieu d’une offre publiée ne change plus : dupliquez-la."
        )
    target = venue or offer.venue
    was_event = catalogue.get_subcategory(offer.subcategory_id).is_event
    if catalogue.SUBCATEGORIES.get(data.subcategory_id, None) is not None and (
        catalogue.get_subcategory(data.subcategory_id).is_event != was_event
        and offer.stocks.filter(is_deleted=False).exists()
    ):
        raise e.OfferError(
            "Impossible de changer un événement en bien (ou l’inverse) : l’offre a déjà des "
            "dates ou un stock. Créez plutôt une nouvelle offre.",
            field="subcategory_id",
        )
    before = snapshot(offer, OFFER_FIELDS)
    keep_address = _same_address(offer.address, data.address)
    current_address = offer.address
    if keep_address:
        data = dataclasses.replace(data, address=None)
    values = _clean(target, data)
    if keep_address:
        values["address"] = current_address if not target.is_virtual else None
    offer.venue = target
    for field, value in values.items():
        setattr(offer, field, value)
    if offer.fill_alert_threshold != before["fill_alert_threshold"]:
        offer.fill_alert_sent_at = None
    offer.save()
    after = snapshot(offer, OFFER_FIELDS)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        record_audit(
            actor=actor,
            action="offer.updated",
            obj=offer,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return offer


@transaction.atomic
def set_offer_image(*, actor: User, offer: Offer, upload: UploadedFile, credit: str = "") -> Offer:
    """Check an uploaded picture (type, size, dimensions), shrink it and attach it as JPEG."""
    if upload.size is None or upload.size > IMAGE_MAX_BYTES:
        raise e.InvalidImage("L’image dépasse 10 Mo : choisissez un fichier plus léger.")
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:  # refuse before decoding: memory bound
                raise Image.DecompressionBombError("too many pixels")
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except Image.DecompressionBombError as exc:  # not an OSError: would be a 500
        raise e.InvalidImage("L’image a trop de pixels : réduisez ses dimensions.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise e.InvalidImage("Ce fichier n’est pas une image lisible (JPEG, PNG ou WebP).") from exc
    if kind not in {"JPEG", "PNG", "WEBP"}:
        raise e.InvalidImage("Formats acceptés : JPEG, PNG ou WebP.")
    if min(image.size) < IMAGE_MIN_SIDE:
        raise e.InvalidImage(
            "L’image est trop petite : {side} pixels au moins de côté.", side=IMAGE_MIN_SIDE
        )
    rgb = image.convert("RGB")
    rgb.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=85, optimize=True)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    old = offer.image.name
    offer.image.save(f"offre-{offer.pk}.jpg", ContentFile(buffer.getvalue()), save=False)
    offer.image_credit = credit.strip()[:140]
    offer.save(update_fields=["image", "image_credit", "updated_at"])
    record_audit(
        actor=actor,
        action="offer.image_set",
        obj=offer,
        before={"image": old},
        after={"image": offer.image.name, "size": list(rgb.size)},
    )
    return offer


@transaction.atomic
def set_offer_active(*, actor: User, offer: Offer, active: bool) -> Offer:
    """Pause or resume bookings on an offer (it stays visible to its venue)."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.archived_at is not None:
        raise e.OfferError("Une offre archivée ne se réactive pas : dupliquez-la.")
    if offer.is_active != active:
        offer.is_active = active
        offer.save(update_fields=["is_active", "updated_at"])
        record_audit(
            actor=actor,
            action="offer.activated" if active else "offer.deactivated",
            obj=offer,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return offer


@transaction.atomic
def archive_offer(*, actor: User, offer: Offer) -> Offer:
    """Archive: the offer leaves lists and can no longer be booked or edited."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.archived_at is None:
        offer.archived_at = clock.now()
        offer.is_active = False
        offer.save(update_fields=["archived_at", "is_active", "updated_at"])
        record_audit(actor=actor, action="offer.archived", obj=offer)
    return offer


@transaction.atomic
def duplicate_offer(
    *, actor: User, offer: Offer, with_stocks: bool = False, shift_days: int = 0
) -> Offer:
    """Copy an offer as a draft: details and price categories, and its future dates shifted."""
    source = Offer.objects.select_related("venue", "address").get(pk=offer.pk)
    copy = Offer.objects.get(pk=source.pk)
    copy.pk = None
    copy.validation = Validation.DRAFT
    copy.rejection_reason = ""
    copy.is_active = True
    copy.archived_at = None
    copy.fill_alert_sent_at = None
    copy.publication_datetime = None
    copy.duplicated_from = source
    copy.id_at_provider = ""
    copy.created_at = clock.now()
    if source.address is not None:
        address = Address.objects.get(pk=source.address.pk)
        address.pk = None
        address.save()
        copy.address = address
    copy.save()
    categories = {}
    for category in source.price_categories.all():
        categories[category.pk] = PriceCategory.objects.create(
            offer=copy, label=category.label, price=category.price
        )
    copied = skipped = 0
    if with_stocks:
        tz = rules.timezone_for_department(
            source.address.department_code if source.address else source.venue.department_code
        )
        now = clock.now()
        new_stocks = []
        for stock in source.stocks.filter(is_deleted=False):
            beginning = limit = None
            if stock.beginning_datetime is not None:
                beginning = rules.shift_datetime(stock.beginning_datetime, shift_days, tz)
                if beginning <= now:
                    skipped += 1
                    continue
                if stock.booking_limit_datetime is not None:
                    limit = rules.shift_datetime(stock.booking_limit_datetime, shift_days, tz)
            new_stocks.append(
                Stock(
                    offer=copy,
                    price_category=categories.get(stock.price_category_id or 0),
                    price=stock.price,
                    beginning_datetime=beginning,
                    booking_limit_datetime=limit,
                    quantity=stock.quantity,
                )
            )
        Stock.objects.bulk_create(new_stocks, batch_size=500)
        copied = len(new_stocks)
    record_audit(
        actor=actor,
        action="offer.duplicated",
        obj=copy,
        data={
            "from": source.pk,
            "stocks": copied,
            "skipped_past": skipped,
            "shift_days": shift_days,
        },
    )
    return copy
