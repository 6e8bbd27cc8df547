"""Partner API — Collective Bookings: the venue cancels a booking of one of its offers; and,
outside production, marks a confirmed booking used at once (what the clock does 48 h after
the end), to test an integration."""

from django.http import HttpRequest
from ninja import Router, Status

from passculture.api.public import collective_common as common
from passculture.api.public import scope
from passculture.collective.errors import CollectiveError
from passculture.collective.services import bookings, partner

router = Router(tags=["Collective Bookings"])

# The reference's endpoint takes no body, while the school is always told why.
API_CANCEL_COMMENT = "Annulée par la structure depuis son logiciel de billetterie."


@router.patch(
    "/bookings/{int:booking_id}",
    response={204: None},
    summary="Cancel Collective Booking",
    operation_id="CancelCollectiveBooking",
    description=(
        "Annule une réservation collective d’une offre de vos lieux (préréservée, confirmée "
        "ou terminée), jusqu’à 48 h après la fin de l’offre. L’établissement est prévenu. "
        "Refus (déjà annulée, remboursée, trop tard) : 400."
    ),
)
def cancel_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    booking = common.booking_or_404(request, booking_id)
    bookings.cancel_by_venue(
        actor=scope.actor(request), booking_id=booking.pk, comment=API_CANCEL_COMMENT
    )
    return Status(204, None)


@router.post(
    "/bookings/{int:booking_id}/use",
    response={204: None},
    summary="Mock collective booking use",
    operation_id="UseCollectiveBooking",
    tags=["Adage Mock (Collective Bookings)"],
    description=(
        "Hors production seulement (404 en production) : une réservation confirmée devient "
        "terminée tout de suite, comme 48 h après la fin. Autre état : 403."
    ),
)
def use_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    common.require_sandbox()
    booking = common.booking_or_404(request, booking_id)
    try:
        partner.use_now(actor=scope.actor(request), booking_id=booking.pk)
    except CollectiveError as exc:
        raise common.as_refusal(exc) from exc
    return Status(204, None)
