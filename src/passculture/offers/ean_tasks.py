"""Offers by EAN-13: which EANs we can name, and the bulk upsert run as a task.

We have no national product catalogue. An EAN can become an offer when it is a valid
EAN-13 and we already know what it is: an offer carrying it on one of the partner's own
venues, or an approved offer anywhere on the platform. A new offer copies that offer's
name, subcategory and category fields. EANs only known from offers that review refused
are "not compliant"; unknown ones are "not found".
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.tasks import task

from passculture.accounts.models import User
from passculture.core.errors import DomainError
from passculture.offerers.models import Address, Venue
from passculture.offers import catalogue
from passculture.offers.extra_fields import ean13_is_valid
from passculture.offers.models import Offer, Validation
from passculture.offers.services import (
    AddressData,
    OfferData,
    create_offer,
    set_thing_stock,
    submit_offer,
)

logger = logging.getLogger(__name__)

# Things sold by barcode: not events, offered today, with an EAN field in the catalogue.
EAN_SUBCATEGORIES = frozenset(
    sub.id
    for sub in catalogue.SUBCATEGORIES.values()
    if not sub.is_event and sub.selectable and any(f.name == "ean" for f in sub.extra_fields)
)


@dataclasses.dataclass
class EanCheck:
    """EANs sorted by what a bulk upsert would do with them."""

    available: dict[str, Offer] = dataclasses.field(default_factory=dict)  # ean → model offer
    invalid: list[str] = dataclasses.field(default_factory=list)  # bad EAN-13 checksum
    not_found: list[str] = dataclasses.field(default_factory=list)
    subcategory_not_allowed: list[str] = dataclasses.field(default_factory=list)
    not_compliant: list[str] = dataclasses.field(default_factory=list)

    @property
    def rejected(self) -> list[str]:
        return self.invalid + self.not_found + self.subcategory_not_allowed + self.not_compliant


def _fits_venue(subcategory_id: str, venue: Venue | None) -> bool:
    if venue is None:
        return True
    online = catalogue.get_subcategory(subcategory_id).online
    return online == "both" or (online == "online") == venue.is_virtual


def check_eans(
    eans: Iterable[str], *, own_offers: QuerySet[Offer], venue: Venue | None = None
) -> EanCheck:
    """Sort EANs (read only, two queries). `own_offers`: the partner's offers (scoped by the
    caller), preferred as models; `venue`: where offers would go (subcategory must fit it)."""
    result = EanCheck()
    wanted: list[str] = []
    for ean in dict.fromkeys(e.strip() for e in eans if e.strip()):
        (wanted if ean13_is_valid(ean) else result.invalid).append(ean)
    if not wanted:
        return result
    live = Offer.objects.filter(extra_data__ean__in=wanted, archived_at__isnull=True)
    models: dict[str, Offer] = {}
    # The venue's own offer first (it is the one updated), then the partner's, then others'.
    own = live.filter(pk__in=own_offers.values("pk")).order_by("-pk")
    if venue is not None:
        own = own.order_by(Case(When(venue_id=venue.pk, then=Value(0)), default=Value(1)), "-pk")
    for offer in own:
        models.setdefault(offer.extra_data["ean"], offer)
    refused: set[str] = set()
    others = live.filter(validation__in=[Validation.APPROVED, Validation.REJECTED]).exclude(
        extra_data__ean__in=list(models)
    )
    for offer in others.order_by("-pk"):
        ean = offer.extra_data["ean"]
        if offer.validation == Validation.REJECTED:
            refused.add(ean)
        else:
            models.setdefault(ean, offer)
    for ean in wanted:
        model = models.get(ean)
        if model is None:
            (result.not_compliant if ean in refused else result.not_found).append(ean)
        elif model.subcategory_id not in EAN_SUBCATEGORIES or not _fits_venue(
            model.subcategory_id, venue
        ):
            result.subcategory_not_allowed.append(ean)
        else:
            result.available[ean] = model
    return result


# --- the upsert task ----------------------------------------------------------------------------


def _address_data(address_id: int | None, label: str | None) -> AddressData | None:
    if address_id is None:
        return None
    address = Address.objects.get(pk=address_id)
    return AddressData(
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        latitude=Decimal(address.latitude),
        longitude=Decimal(address.longitude),
        label=(label if label is not None else address.label)[:140],
    )


def _upsert_one(
    *, actor: User, venue: Venue, item: dict[str, Any], location: dict[str, Any]
) -> str:
    """Create or update the venue's offer of one EAN; "created" or "updated"."""
    ean = item["ean"]
    Venue.objects.select_for_update().only("pk").get(pk=venue.pk)  # one upsert per venue at a time
    offer = (
        Offer.objects.filter(venue=venue, extra_data__ean=ean, archived_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    created = offer is None
    if offer is None:
        model = Offer.objects.get(pk=item["model_offer_id"])
        offer = create_offer(
            actor=actor,
            venue=venue,
            data=OfferData(
                name=model.name,
                subcategory_id=model.subcategory_id,
                description=model.description,
                extra_data={**(model.extra_data or {}), "ean": ean},
                address=_address_data(location.get("address_id"), location.get("address_label")),
                url=location.get("url") or "",
                # The venue knows its own accessibility better than the model offer's venue.
                motor_accessible=venue.motor_accessible,
                visual_accessible=venue.visual_accessible,
                hearing_accessible=venue.hearing_accessible,
                mental_accessible=venue.mental_accessible,
            ),
        )
    current = offer.stocks.filter(is_deleted=False).first()
    booked = current.booked_quantity if current else 0
    # The partner says how many items are on sale now; copies already booked are set aside,
    # so the contingent is both (0 closes the offer without cancelling anyone's booking).
    quantity = None if item["quantity"] is None else item["quantity"] + booked
    limit = item.get("booking_limit_datetime")
    set_thing_stock(
        actor=actor,
        offer=offer,
        price=item["price"],
        quantity=quantity,
        booking_limit_datetime=dt.datetime.fromisoformat(limit) if limit else None,
    )
    if created:
        submit_offer(actor=actor, offer=offer)
    return "created" if created else "updated"


@task
def upsert_offers_by_ean(
    actor_id: int, venue_id: int, location: dict[str, Any], items: list[dict[str, Any]]
) -> dict[str, Any]:
    """Upsert each EAN's offer and stock on a venue; idempotent (upsert by venue and EAN).

    Items: {ean, price, quantity (None = unlimited), booking_limit_datetime (ISO or None),
    model_offer_id}. Each EAN commits on its own: one refusal does not undo the others;
    refusals are logged and returned in the task's result.
    """
    actor = User.objects.get(pk=actor_id)
    # The venue may have been unlinked from the provider since the request: do nothing then.
    venue = Venue.objects.filter(
        pk=venue_id,
        provider_links__provider__service_user_id=actor_id,
        provider_links__is_active=True,
    ).first()
    outcome: dict[str, Any] = {"created": [], "updated": [], "failed": {}}
    if venue is None:
        outcome["failed"] = {item["ean"]: "Lieu non relié au logiciel." for item in items}
        return outcome
    for item in items:
        try:
            with transaction.atomic():
                done = _upsert_one(actor=actor, venue=venue, item=item, location=location)
        except (DomainError, Offer.DoesNotExist, Address.DoesNotExist) as exc:
            logger.warning("EAN upsert refused on venue %s for %s: %s", venue_id, item["ean"], exc)
            outcome["failed"][item["ean"]] = str(exc)
            continue
        outcome[done].append(item["ean"])
    return outcome
