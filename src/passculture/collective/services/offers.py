"""Collective offers: showcase and bookable offers, requests, review, duplication, price."""

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import Max

from passculture.accounts.models import User
from passculture.collective import rules
from passculture.collective.errors import InvalidCollectiveOffer, PriceIncrease
from passculture.collective.models import (
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveStock,
    LocationType,
    School,
)
from passculture.core import clock
from passculture.core.audit import record_audit, snapshot
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.core.money import format_cents
from passculture.notifications.services import notify
from passculture.offerers.models import Address, Venue
from passculture.offers import rules as offer_rules
from passculture.offers.models import ReviewRule, Validation
from passculture.offers.services.offers import AddressData, _address, _same_address

FIELDS = [
    "name", "description", "domains", "levels", "formats", "duration_minutes", "location_type",
    "location_comment", "intervention_departments", "contact_email", "contact_phone", "address",
]  # fmt: skip


@dataclasses.dataclass
class CollectiveOfferData:
    name: str
    description: str
    domains: list[str]
    levels: list[str]
    formats: list[str] = dataclasses.field(default_factory=list)
    duration_minutes: int | None = None
    location_type: str = LocationType.VENUE
    location_comment: str = ""
    intervention_departments: list[str] = dataclasses.field(default_factory=list)
    contact_email: str = ""
    contact_phone: str = ""
    target_school: School | None = None
    address: AddressData | None = None  # required for "À une autre adresse"


@dataclasses.dataclass
class StockData:
    start_datetime: dt.datetime
    end_datetime: dt.datetime
    booking_limit_datetime: dt.datetime
    price: int
    number_of_pupils: int
    price_detail: str = ""


def _check(data: CollectiveOfferData, *, template: bool) -> None:
    if not data.name.strip() or len(data.name) > 110:
        raise InvalidCollectiveOffer(
            "Donnez un titre à l’offre (110 caractères au plus).", field="name"
        )
    if not data.description.strip():
        raise InvalidCollectiveOffer("Décrivez l’offre pour les enseignants.", field="description")
    if not data.domains:
        raise InvalidCollectiveOffer("Choisissez au moins un domaine artistique.", field="domains")
    if not data.levels:
        raise InvalidCollectiveOffer("Choisissez au moins un niveau scolaire.", field="levels")
    if data.location_type not in LocationType.values:
        raise InvalidCollectiveOffer("Lieu de l’offre inconnu.", field="location_type")
    if data.location_type == LocationType.TO_BE_DEFINED and not data.location_comment.strip():
        raise InvalidCollectiveOffer(
            "Précisez où pourrait avoir lieu l’offre.", field="location_comment"
        )
    if data.location_type == LocationType.ADDRESS and data.address is None:
        raise InvalidCollectiveOffer(
            "Indiquez l’adresse où se déroule l’offre.", field="address_street"
        )
    if template and data.target_school is not None:
        raise InvalidCollectiveOffer(
            "Une offre vitrine ne cible pas un établissement.", field="target_school"
        )


def _check_stock(stock: StockData, now: dt.datetime) -> None:
    if stock.start_datetime <= now:
        raise InvalidCollectiveOffer(
            "La date de début doit être dans le futur.", field="start_datetime"
        )
    if stock.end_datetime < stock.start_datetime:
        raise InvalidCollectiveOffer("La fin doit suivre le début.", field="end_datetime")
    if stock.booking_limit_datetime > stock.start_datetime:
        raise InvalidCollectiveOffer(
            "La date limite de réservation doit précéder le début.", field="booking_limit_datetime"
        )
    if not 0 <= stock.price <= 6_000_000:
        raise InvalidCollectiveOffer("Prix invalide (60 000 € au plus).", field="price")
    if not 1 <= stock.number_of_pupils <= 3000:
        raise InvalidCollectiveOffer("Nombre d’élèves invalide.", field="number_of_pupils")


def _offer_address(current: Address | None, data: CollectiveOfferData) -> Address | None:
    """The offerers Address of an offer "À une autre adresse" (kept when unchanged)."""
    if data.location_type != LocationType.ADDRESS or data.address is None:
        return None
    if current is not None and _same_address(current, data.address):
        return current
    return _address(data.address)


def _values(data: CollectiveOfferData, current: Address | None) -> dict[str, object]:
    """The model values of FIELDS; the address becomes an offerers Address."""
    values: dict[str, object] = {f: getattr(data, f) for f in FIELDS}
    values["address"] = _offer_address(current, data)
    return values


@transaction.atomic
def create_collective_offer(
    *, actor: User, venue: Venue, data: CollectiveOfferData, stock: StockData | None,
    template_offer: CollectiveOffer | None = None,
) -> CollectiveOffer:  # fmt: skip
    """A showcase offer (stock None) or a bookable one with its single stock; a draft."""
    is_template = stock is None
    _check(data, template=is_template)
    if stock is not None:
        _check_stock(stock, clock.now())
    offer = CollectiveOffer.objects.create(
        venue=venue, is_template=is_template, target_school=data.target_school,
        template=template_offer, **_values(data, None),
    )  # fmt: skip
    if stock is not None:
        CollectiveStock.objects.create(offer=offer, **dataclasses.asdict(stock))
    record_audit(
        actor=actor, action="collective_offer.created", obj=offer,
        after={
            "template": is_template,
            "target_school": data.target_school.pk if data.target_school else None,
        },
    )  # fmt: skip
    return offer


AUDITED = [*FIELDS, "target_school"]
STOCK_AUDITED = [
    "start_datetime", "end_datetime", "booking_limit_datetime", "price", "number_of_pupils",
    "price_detail",
]  # fmt: skip
FROZEN_AFTER_CONFIRMATION = [
    "start_datetime", "end_datetime", "booking_limit_datetime", "number_of_pupils",
]  # fmt: skip


def _not_archived(offer: CollectiveOffer) -> None:
    if offer.archived_at is not None:
        raise InvalidState("Une offre archivée ne se modifie pas : dupliquez-la.")


@transaction.atomic
def update_collective_offer(
    *, actor: User, offer: CollectiveOffer, data: CollectiveOfferData, stock: StockData | None
) -> CollectiveOffer:
    """Edit an offer and its stock; once a booking is confirmed, dates and pupils are frozen
    and the price may only go down (as change_price)."""
    offer = CollectiveOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    _not_archived(offer)
    if offer.is_template != (stock is None):
        raise InvalidCollectiveOffer(
            "Le type d’une offre (vitrine ou réservable) ne se change pas : créez-en une autre.",
            field="kind",
        )
    _check(data, template=offer.is_template)
    before = snapshot(offer, AUDITED)
    current = None
    if stock is not None:
        current = CollectiveStock.objects.select_for_update().filter(offer=offer).first()
    if current is not None and stock is not None:
        before |= snapshot(current, STOCK_AUDITED)
        live = list(
            current.bookings.select_for_update()
            .exclude(status=CollectiveBookingStatus.CANCELLED)
            .values_list("status", flat=True)
        )
        confirmed = any(status != CollectiveBookingStatus.PENDING for status in live)
        if confirmed:
            if any(getattr(stock, f) != getattr(current, f) for f in FROZEN_AFTER_CONFIRMATION):
                raise InvalidCollectiveOffer(
                    "Après confirmation de la réservation, les dates et le nombre d’élèves "
                    "ne peuvent plus changer.",
                    field="start_datetime",
                )
            if not rules.can_lower_price(old=current.price, new=stock.price, confirmed=True):
                raise PriceIncrease(price=format_cents(current.price))
            if stock.price < 0:
                raise InvalidCollectiveOffer("Prix invalide.", field="price")
        else:
            _check_stock(stock, clock.now())
    elif stock is not None:
        _check_stock(stock, clock.now())
    for field, value in _values(data, offer.address).items():
        setattr(offer, field, value)
    offer.target_school = data.target_school
    offer.save()
    after = snapshot(offer, AUDITED)
    if stock is not None:
        if current is None:
            current = CollectiveStock(offer=offer)
        old_price = current.price
        for field, value in dataclasses.asdict(stock).items():
            setattr(current, field, value)
        current.save()
        after |= snapshot(current, STOCK_AUDITED)
        if old_price is not None and old_price != stock.price:
            current.bookings.exclude(status=CollectiveBookingStatus.CANCELLED).update(
                price=stock.price, updated_at=clock.now()
            )
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        record_audit(
            actor=actor, action="collective_offer.updated", obj=offer,
            before={k: before.get(k) for k in changed}, after=changed,
        )  # fmt: skip
    return offer


@transaction.atomic
def set_collective_offer_active(
    *, actor: User, offer: CollectiveOffer, active: bool
) -> CollectiveOffer:
    """Pause or resume an offer: a paused offer is hidden from teachers."""
    offer = CollectiveOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    if offer.archived_at is not None:
        raise InvalidState("Une offre archivée ne se réactive pas : dupliquez-la.")
    if offer.is_active != active:
        offer.is_active = active
        offer.save(update_fields=["is_active", "updated_at"])
        record_audit(
            actor=actor,
            action="collective_offer.activated" if active else "collective_offer.deactivated",
            obj=offer, before={"is_active": not active}, after={"is_active": active},
        )  # fmt: skip
    return offer


@transaction.atomic
def archive_collective_offer(*, actor: User, offer: CollectiveOffer) -> CollectiveOffer:
    """Archive: the offer leaves the lists and can no longer be edited or booked."""
    offer = CollectiveOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    if offer.archived_at is None:
        offer.archived_at = clock.now()
        offer.is_active = False
        offer.save(update_fields=["archived_at", "is_active", "updated_at"])
        record_audit(actor=actor, action="collective_offer.archived", obj=offer)
    return offer


@transaction.atomic
def submit_collective_offer(*, actor: User, offer: CollectiveOffer) -> CollectiveOffer:
    """Same review rules as individual offers: trusted → approved, matching rules → review."""
    offer = (
        CollectiveOffer.objects.select_for_update()
        .select_related("venue__offerer")
        .get(pk=offer.pk)
    )
    if offer.validation not in {Validation.DRAFT, Validation.REJECTED}:
        raise InvalidState("Cette offre a déjà été envoyée.")
    price = CollectiveStock.objects.filter(offer=offer).aggregate(m=Max("price"))["m"] or 0
    facts = offer_rules.OfferFacts(
        name=offer.name, description=offer.description, subcategory_id="COLLECTIVE",
        max_price=price, offerer_id=offer.venue.offerer_id, venue_id=offer.venue_id,
    )  # fmt: skip
    criteria = [
        offer_rules.ReviewCriteria(
            name=r.name,
            price_above=r.price_above,
            words=tuple(w.strip() for w in r.words.splitlines() if w.strip()),
            subcategories=tuple(r.subcategories or ()),
            offerer_id=r.offerer_id,
            venue_id=r.venue_id,
        )  # fmt: skip
        for r in ReviewRule.objects.filter(is_active=True)
    ]
    matched = [] if offer.venue.offerer.is_trusted else offer_rules.matching_rules(facts, criteria)
    offer.validation = Validation.PENDING if matched else Validation.APPROVED
    offer.save(update_fields=["validation", "updated_at"])
    record_audit(
        actor=actor, action="collective_offer.submitted", obj=offer, data={"rules": matched}
    )
    return offer


@transaction.atomic
def review_collective_offer(
    *, actor: User, offer: CollectiveOffer, approve: bool, reason: str = ""
) -> CollectiveOffer:
    if not actor.is_staff:
        raise PermissionDenied()
    offer = CollectiveOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.validation != Validation.PENDING:
        raise InvalidState("Cette offre n’attend pas de vérification.")
    if not approve and not reason.strip():  # as for individual offers: the venue learns why
        raise InvalidCollectiveOffer(
            "Indiquez le motif du refus : il est envoyé à la structure.", field="reason"
        )
    offer.validation = Validation.APPROVED if approve else Validation.REJECTED
    offer.rejection_reason = "" if approve else reason.strip()
    offer.save(update_fields=["validation", "rejection_reason", "updated_at"])
    record_audit(
        actor=actor, action="collective_offer.approved" if approve else "collective_offer.rejected",
        obj=offer, data={"reason": offer.rejection_reason},
    )  # fmt: skip
    return offer


@transaction.atomic
def request_offer(
    *, teacher: User, school: School, template: CollectiveOffer, requested_date: dt.date | None,
    number_of_pupils: int, message: str,
) -> CollectiveRequest:  # fmt: skip
    """A teacher asks a venue for a tailored offer from a showcase; the venue is e-mailed."""
    if not template.is_template or template.validation != Validation.APPROVED:
        raise InvalidCollectiveOffer(
            "On ne peut faire une demande que sur une offre vitrine publiée."
        )
    if not message.strip():
        raise InvalidCollectiveOffer("Écrivez un message à la structure.", field="message")
    if not 1 <= number_of_pupils <= 3000:
        raise InvalidCollectiveOffer("Nombre d’élèves invalide.", field="number_of_pupils")
    request = CollectiveRequest.objects.create(
        template=template, teacher=teacher, school=school, requested_date=requested_date,
        number_of_pupils=number_of_pupils, message=message.strip(),
    )  # fmt: skip
    record_audit(actor=teacher, action="collective_request.created", obj=request)
    # To the venue's address only (no user behind it): logged like every notice e-mail.
    notify(
        email=template.contact_email or template.venue.booking_email,
        in_app=False,
        category="collective",
        template="collective_request",
        context={
            "offer_name": template.name, "school": school.name, "school_phone": school.phone,
            "teacher": teacher.full_name, "teacher_email": teacher.email,
            "date": f"{requested_date:%d/%m/%Y}" if requested_date else "à convenir",
            "pupils": number_of_pupils, "message": request.message,
        },
    )  # fmt: skip
    return request


@transaction.atomic
def duplicate_collective_offer(*, actor: User, offer: CollectiveOffer) -> CollectiveOffer:
    """Copy as a draft, without its date (a collective stock is one session for one class)."""
    copy = CollectiveOffer.objects.get(pk=offer.pk)
    copy.pk = None
    copy.validation, copy.rejection_reason, copy.is_active = Validation.DRAFT, "", True
    copy.archived_at = None
    copy.duplicated_from = offer
    copy.created_at = clock.now()
    copy.save()
    record_audit(
        actor=actor, action="collective_offer.duplicated", obj=copy, data={"from": offer.pk}
    )
    return copy


@transaction.atomic
def change_price(
    *, actor: User, offer: CollectiveOffer, price: int, price_detail: str = ""
) -> CollectiveStock:
    """Change the total price; once a booking is confirmed it may only go down."""
    stock = CollectiveStock.objects.select_for_update().get(offer=offer)
    # Lock the live bookings before reading their status: a head confirming at this very
    # moment holds the booking row, so we wait and then see it confirmed (else a raise
    # could slip in after the budget check and overspend the school's budget).
    live = list(
        stock.bookings.select_for_update()
        .exclude(status=CollectiveBookingStatus.CANCELLED)
        .values_list("status", flat=True)
    )
    confirmed = any(status != CollectiveBookingStatus.PENDING for status in live)
    if not rules.can_lower_price(old=stock.price, new=price, confirmed=confirmed):
        raise PriceIncrease(price=format_cents(stock.price))
    if price < 0:
        raise InvalidCollectiveOffer("Prix invalide.", field="price")
    before = stock.price
    stock.price = price
    stock.price_detail = price_detail or stock.price_detail
    stock.save()
    stock.bookings.exclude(status=CollectiveBookingStatus.CANCELLED).update(
        price=price, updated_at=clock.now()
    )
    record_audit(
        actor=actor,
        action="collective_stock.price_changed",
        obj=stock,
        before={"price": before},
        after={"price": price},
    )
    return stock
