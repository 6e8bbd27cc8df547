"""Partner API — Collective Offers: the bookable collective offers of the key's venues
(one session each), their creation, edition and archiving, and the list of formats.

Showcase offers ("offres vitrines") are managed in the pro portal only, as in the
reference; they never appear here.
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from passculture.api.public import collective_common as common
from passculture.api.public import collective_vocab as vocab
from passculture.api.public import scope
from passculture.api.public.collective_offer_input import (
    PatchCollectiveOfferBody,
    PostCollectiveOfferBody,
    offer_input,
    rename_field,
)
from passculture.collective.models import CollectiveOffer
from passculture.collective.services import partner
from passculture.core import clock
from passculture.core.errors import DomainError, InvalidState

router = Router(tags=["Collective Offers"])

LegacyStatus = Literal[
    "ACTIVE", "PENDING", "EXPIRED", "REJECTED", "SOLD_OUT", "INACTIVE", "DRAFT", "ARCHIVED"
]
DisplayedStatus = Literal[
    "PUBLISHED", "UNDER_REVIEW", "REJECTED", "PREBOOKED", "BOOKED", "HIDDEN", "EXPIRED",
    "ENDED", "CANCELLED", "REIMBURSED", "ARCHIVED", "DRAFT",
]  # fmt: skip


class InvalidPeriod(DomainError):
    code = "invalid_period"
    message = "Date invalide : attendu ISO 8601 (ex. 2027-03-15T10:00:00+01:00)."


def _period(raw: str | None, field: str) -> dt.datetime | None:
    """The reference types these filters as plain strings: ISO 8601 date or date-time."""
    if raw is None or not raw.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError as exc:
        raise InvalidPeriod(field=field) from exc
    return common.utc(value)


@router.get(
    "/offers/",
    response=list[common.CollectiveOfferSummary],
    summary="Get Collective Offers",
    operation_id="GetCollectiveOffersPublic",
    description=(
        "Les offres collectives réservables des lieux de votre clé (y compris archivées), "
        "par identifiant croissant. Filtres : `venueId`, `offerStatus` (ou l’ancien `status`), "
        "et une période sur la date de début (`periodBeginningDate` ≤ début ≤ "
        "`periodEndingDate`, ISO 8601, UTC si sans décalage)."
    ),
)
def list_offers(
    request: HttpRequest,
    status: LegacyStatus | None = None,
    offerStatus: DisplayedStatus | None = None,
    venueId: int | None = None,
    periodBeginningDate: str | None = None,
    periodEndingDate: str | None = None,
) -> list[common.CollectiveOfferSummary]:
    offers = common.offers(request).filter(stock__isnull=False)
    if venueId is not None:
        scope.venue_or_404(request, venueId)
        offers = offers.filter(venue_id=venueId)
    begin = _period(periodBeginningDate, "periodBeginningDate")
    end = _period(periodEndingDate, "periodEndingDate")
    if begin is not None:
        offers = offers.filter(stock__start_datetime__gte=begin)
    if end is not None:
        offers = offers.filter(stock__start_datetime__lte=end)
    now = clock.now()
    # Both statuses depend on the bookings and the clock: filtered on the loaded rows.
    summaries = [common.summary_out(offer, now) for offer in offers.order_by("pk")]
    return [
        s
        for s in summaries
        if (status is None or s.status == status)
        and (offerStatus is None or s.offerStatus == offerStatus)
    ]


@router.get(
    "/offers/{int:offer_id}",
    response=common.CollectiveOfferResponse,
    summary="Get Collective Offer",
    operation_id="GetCollectiveOfferPublic",
    description="Une offre collective réservable d’un lieu de votre clé.",
)
def get_offer(request: HttpRequest, offer_id: int) -> common.CollectiveOfferResponse:
    return common.offer_out(common.offer_or_404(request, offer_id))


@router.post(
    "/offers/",
    response={201: common.CollectiveOfferResponse},
    summary="Create Collective Offer",
    operation_id="PostCollectiveOfferPublic",
    description=(
        "Crée une offre collective réservable (une date) et l’envoie aussitôt à la "
        "vérification. `totalPrice` en euros, comme la référence. `location` (ou l’ancien "
        "`offerVenue`) : dans le lieu par défaut. Cibler un établissement avec "
        "`educationalInstitutionId` ou `educationalInstitution` (UAI). Les champs d’image "
        "et d’accessibilité sont acceptés mais ignorés (ceux du lieu s’appliquent)."
    ),
)
def create_offer(
    request: HttpRequest, payload: PostCollectiveOfferBody
) -> Status[common.CollectiveOfferResponse]:
    given = offer_input(request, payload)
    try:
        offer = partner.create_offer_for_partner(
            actor=scope.actor(request),
            venue=given.venue,
            data=given.data,
            stock=given.stock,
            booking_emails=given.booking_emails,
            active=given.active is not False,
        )
    except DomainError as exc:
        raise rename_field(exc) from exc
    return Status(201, common.offer_out(common.offer_or_404(request, offer.pk)))


@router.patch(
    "/offers/{int:offer_id}",
    response=common.CollectiveOfferResponse,
    summary="Update Collective Offer",
    operation_id="PatchCollectiveOfferPublic",
    description=(
        "Modifie les champs donnés (absents : inchangés). Après confirmation d’une "
        "réservation, dates et nombre d’élèves sont figés et le prix ne peut que baisser. "
        "Une offre archivée ne se modifie plus (403)."
    ),
)
def update_offer(
    request: HttpRequest, offer_id: int, payload: PatchCollectiveOfferBody
) -> common.CollectiveOfferResponse:
    offer = common.offer_or_404(request, offer_id)
    if offer.archived_at is not None:
        raise scope.Forbidden("Une offre archivée ne se modifie plus.")
    given = offer_input(request, payload, offer)
    try:
        partner.update_offer_for_partner(
            actor=scope.actor(request),
            offer=offer,
            data=given.data,
            stock=given.stock,
            booking_emails=given.booking_emails,
            active=given.active,
        )
    except InvalidState as exc:  # archived in the meantime
        raise common.as_refusal(exc) from exc
    except DomainError as exc:
        raise rename_field(exc) from exc
    return common.offer_out(common.offer_or_404(request, offer_id))


class ArchiveBody(Schema):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(..., description="Identifiants des offres collectives à archiver.")


@router.post(
    "/offers/archive",
    response={204: None},
    summary="Archive Collective Offers",
    operation_id="ArchiveCollectiveOffers",
    description=(
        "Archive toutes les offres données, ou aucune si l’une n’est pas une offre de vos "
        "lieux (404). Archiver une offre déjà archivée ne change rien."
    ),
)
def archive_offers(request: HttpRequest, payload: ArchiveBody) -> Status[None]:
    ids = list(dict.fromkeys(payload.ids))
    valid = [pk for pk in ids if 0 < pk <= common.MAX_ID]  # others cannot exist
    found: list[CollectiveOffer] = list(common.offers(request).filter(pk__in=valid))
    missing = sorted(set(ids) - {offer.pk for offer in found})
    if missing:
        raise Http404(
            "Offres collectives introuvables pour votre clé d’API : "
            + ", ".join(str(pk) for pk in missing)
            + "."
        )
    partner.archive_offers(actor=scope.actor(request), offers=found)
    return Status(204, None)


class FormatResponse(Schema):
    id: str = Field(..., examples=["ATELIER_DE_PRATIQUE"])
    name: str = Field(..., description="La valeur à donner dans `formats`.")


@router.get(
    "/offers/formats",
    response=list[FormatResponse],
    summary="Get Collective Offer Formats",
    operation_id="GetOffersFormats",
    tags=["Collective Offer Attributes"],
    description="Les formats d’une offre collective : donnez leur `name` dans `formats`.",
)
def list_formats(request: HttpRequest) -> list[FormatResponse]:
    return [FormatResponse(id=vocab.format_id(name), name=name) for name in vocab.EAC_FORMATS]
