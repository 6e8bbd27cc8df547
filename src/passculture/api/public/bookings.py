"""Partner API — Bookings: an offer's bookings, and one booking by its token (read it,
validate it at the door, undo the validation, cancel it).

Status codes as the reference: a token of a venue the key does not reach is 404 (as if
unknown); a cancelled or already used booking is 410; a reimbursed one, or an event
booking the young person can still cancel (not yet validatable), is 403.
"""

import datetime as dt
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from passculture.api.public import scope
from passculture.api.public.bookings_out import GetBookingResponse, booking_out
from passculture.api.public.collective_common import utc
from passculture.bookings import errors as e
from passculture.bookings import rules, services
from passculture.bookings.models import Booking, BookingStatus, ValidationAuthor
from passculture.core import clock
from passculture.core.errors import DomainError

router = Router(tags=["Bookings"])

StatusIn = Literal["CONFIRMED", "USED", "CANCELLED", "REIMBURSED"]
MAX_ID = 2**63 - 1
NOT_FOUND = "Réservation introuvable pour votre clé d’API."
# The reference's endpoint takes no body, while the young person is always told why.
API_CANCEL_COMMENT = "Annulée par la structure depuis son logiciel de billetterie."


class GetFilteredBookingsResponse(Schema):
    bookings: list[GetBookingResponse]


def _is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _bookings(request: HttpRequest) -> QuerySet[Booking]:
    return Booking.objects.filter(
        offer__venue__in=scope.venues(request).values("pk")
    ).select_related("user", "stock__price_category", "offer__venue", "offer__address")


def _by_token(request: HttpRequest, token: str) -> Booking:
    token = rules.normalize_token(token)
    booking = _bookings(request).filter(token=token).first() if rules.is_token(token) else None
    if booking is None:
        raise Http404(NOT_FOUND)
    return booking


def _paris(value: dt.datetime | None) -> str:
    return f"{(value or clock.now()).astimezone(services.PARIS):%d/%m/%Y à %H:%M}"


def _refusal(status: type[scope.Gone] | type[scope.Forbidden], exc: DomainError) -> DomainError:
    """`exc`'s code and French message, answered with the reference's status code."""
    refusal = status(exc.text)
    refusal.code = exc.code
    return refusal


def _cancelled(booking: Booking) -> DomainError:
    return _refusal(scope.Gone, e.BookingCancelled(date=_paris(booking.cancelled_at)))


def _used(booking: Booking) -> DomainError:
    return _refusal(scope.Gone, e.AlreadyUsed(date=_paris(booking.used_at)))


def _reimbursed() -> DomainError:
    return _refusal(scope.Forbidden, e.BookingReimbursed())


def _refuse_unless_usable(booking: Booking) -> None:
    """The reference's checks before reading or validating a token (403 / 410)."""
    if booking.status == BookingStatus.CANCELLED:
        raise _cancelled(booking)
    if booking.status == BookingStatus.USED:
        raise _used(booking)
    if booking.status == BookingStatus.REIMBURSED:
        raise _reimbursed()
    if not rules.can_validate(limit=booking.cancellation_limit, now=clock.now()):
        too_early = e.TooEarlyToValidate(date=_paris(booking.cancellation_limit))
        raise _refusal(scope.Forbidden, too_early)


def _as_status(exc: DomainError) -> Exception:
    """A booking service refusal (found under lock: the state moved since our read), with
    the reference's status code."""
    if isinstance(exc, e.TokenNotFound | e.WrongVenue):
        return Http404(NOT_FOUND)
    if isinstance(exc, e.BookingCancelled | e.AlreadyUsed | e.CannotCancel):
        return _refusal(scope.Gone, exc)
    if isinstance(exc, e.BookingError):  # reimbursed, too early, not validated
        return _refusal(scope.Forbidden, exc)
    return exc


@router.get(
    "/bookings",
    response=GetFilteredBookingsResponse,
    summary="Get Offer Bookings",
    operation_id="GetBookingsByOffer",
    description=(
        "Les réservations d’une offre de vos lieux, par identifiant croissant, 50 au plus par "
        "page (`firstIndex` = identifiant de départ). Filtres : tarif, date, statut, début "
        "de l’événement. Ajout : `updatedSince` (ISO 8601) ne garde que les réservations "
        "modifiées depuis cet instant (création, validation, annulation…), pour se "
        "resynchroniser après une coupure."
    ),
)
def list_bookings(
    request: HttpRequest,
    offerId: int,
    priceCategoryId: int | None = None,
    stockId: int | None = None,
    status: StatusIn | None = None,
    beginningDatetime: dt.datetime | None = None,
    updatedSince: dt.datetime | None = Query(  # noqa: B008 (ninja's declaration style)
        None, description="Réservations modifiées à partir de cet instant (notre ajout)."
    ),
    limit: int = Query(50, gt=0, le=50),  # noqa: B008
    firstIndex: int = Query(1, ge=1),  # noqa: B008
) -> GetFilteredBookingsResponse:
    offer = scope.offers(request).filter(pk=offerId).first()
    if offer is None:
        raise Http404("Offre introuvable pour votre clé d’API.")
    bookings = _bookings(request).filter(offer=offer)
    if priceCategoryId is not None:
        bookings = bookings.filter(stock__price_category_id=priceCategoryId)
    if stockId is not None:
        bookings = bookings.filter(stock_id=stockId)
    if not all(_is_id(v) for v in (priceCategoryId, stockId) if v is not None):
        bookings = bookings.none()  # no row has such an id (and SQLite cannot bind it)
    if status is not None:
        bookings = bookings.filter(status=status.lower())
    if beginningDatetime is not None:
        bookings = bookings.filter(stock__beginning_datetime=utc(beginningDatetime))
    if updatedSince is not None:
        bookings = bookings.filter(updated_at__gte=utc(updatedSince))
    rows = scope.page(bookings, limit=limit, first_index=firstIndex)
    return GetFilteredBookingsResponse(bookings=[booking_out(b) for b in rows])


@router.get(
    "/token/{token}",
    response=GetBookingResponse,
    summary="Get Booking",
    operation_id="GetBookingByToken",
    description=(
        "La réservation d’une contremarque (6 caractères), si elle est validable : "
        "annulée ou déjà validée 410, remboursée ou encore annulable par le jeune 403."
    ),
)
def get_booking(request: HttpRequest, token: str) -> GetBookingResponse:
    booking = _by_token(request, token)
    _refuse_unless_usable(booking)
    return booking_out(booking)


@router.patch(
    "/use/token/{token}",
    response={204: None},
    summary="Validate Booking",
    operation_id="ValidateBookingByToken",
    description=(
        "Valide la contremarque : le jeune a retiré son bien ou est entré. Mêmes refus "
        "que la lecture (410 annulée ou déjà validée, 403 remboursée ou trop tôt)."
    ),
)
def use_booking(request: HttpRequest, token: str) -> Status[None]:
    booking = _by_token(request, token)
    _refuse_unless_usable(booking)
    try:
        services.validate_token(
            actor=scope.actor(request),
            token=booking.token,
            venue_ids=scope.venue_ids(request),
            author=ValidationAuthor.API,
        )
    except DomainError as exc:
        raise _as_status(exc) from exc
    return Status(204, None)


@router.patch(
    "/keep/token/{token}",
    response={204: None},
    summary="Revert Booking Validation",
    operation_id="CancelBookingValidationByToken",
    description=(
        "Annule la validation : la réservation redevient confirmée (pas de remboursement "
        "sans nouvelle validation). Annulée 410 ; remboursée ou pas encore validée 403."
    ),
)
def keep_booking(request: HttpRequest, token: str) -> Status[None]:
    booking = _by_token(request, token)
    if booking.status == BookingStatus.CANCELLED:
        raise _cancelled(booking)
    if booking.status == BookingStatus.REIMBURSED:
        raise _reimbursed()
    if booking.status != BookingStatus.USED:
        raise scope.Forbidden("Cette réservation n’est pas validée : rien à annuler.")
    try:
        services.unvalidate_booking(actor=scope.actor(request), booking_id=booking.pk)
    except DomainError as exc:
        raise _as_status(exc) from exc
    return Status(204, None)


@router.patch(
    "/cancel/token/{token}",
    response={204: None},
    summary="Delete Booking",
    operation_id="CancelBookingByToken",
    description=(
        "Annule une réservation confirmée (non validée) : le jeune récupère son crédit et "
        "est prévenu. Irréversible. Annulée ou validée 410 ; remboursée 403."
    ),
)
def cancel_booking(request: HttpRequest, token: str) -> Status[None]:
    booking = _by_token(request, token)
    if booking.status == BookingStatus.CANCELLED:
        raise _cancelled(booking)
    if booking.status == BookingStatus.USED:
        raise _used(booking)
    if booking.status == BookingStatus.REIMBURSED:
        raise _reimbursed()
    try:
        services.cancel_by_offerer(
            actor=scope.actor(request), booking_id=booking.pk, comment=API_CANCEL_COMMENT
        )
    except DomainError as exc:
        raise _as_status(exc) from exc
    return Status(204, None)
