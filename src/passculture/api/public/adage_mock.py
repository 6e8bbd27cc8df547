"""Partner API — Adage Mock: outside production, a partner plays the ministry tool's part
on the collective bookings of its own venues (pre-book, confirm, refuse, back to pending,
reimburse) to test its integration and its webhooks end to end.

Mounted by api.py only when settings.PARTNER_SANDBOX_ENABLED; every endpoint checks it
again at request time, so a production process never runs one even if mounted.
Refusals (state, budget, limit) answer 403 with our code and French message.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from passculture.api.public import collective_common as common
from passculture.api.public import scope
from passculture.collective.errors import CollectiveError
from passculture.collective.services import adage, partner
from passculture.core.errors import InvalidState

router = Router(tags=["Adage Mock (Collective Bookings)"])

REFUSAL_COMMENT = "Refusée depuis le bac à sable (simulation ADAGE)."
SANDBOX_NOTE = "\n\nHors production seulement (404 en production)."


def sandbox_enabled() -> bool:
    """Whether the sandbox routes are mounted and answer (api.py decides at import)."""
    return common.sandbox_enabled()


class BookedCollectiveOffer(Schema):
    bookingId: int
    bookingStatus: Literal["PENDING", "CONFIRMED", "USED", "CANCELLED", "REIMBURSED"]


@router.post(
    "/offer/{int:offer_id}/book",
    response=BookedCollectiveOffer,
    summary="Mock collective offer booking",
    operation_id="AdageMockBookOffer",
    description=(
        "Préréserve l’offre au nom de l’établissement qu’elle cible, comme un enseignant "
        "depuis ADAGE (rattachée à un projet EAC : elle peut être confirmée ensuite). "
        "L’offre doit être réservable et cibler un établissement, sinon 403." + SANDBOX_NOTE
    ),
)
def book_offer(request: HttpRequest, offer_id: int) -> BookedCollectiveOffer:
    common.require_sandbox()
    offer = common.offer_or_404(request, offer_id)
    try:
        booking = partner.sandbox_prebook(actor=scope.actor(request), offer_id=offer.pk)
    except CollectiveError as exc:
        raise common.as_refusal(exc) from exc
    return BookedCollectiveOffer(bookingId=booking.pk, bookingStatus=booking.status.upper())  # type: ignore[arg-type]


def _transition(request: HttpRequest, booking_id: int, action: str) -> Status[None]:
    common.require_sandbox()
    booking = common.booking_or_404(request, booking_id)
    actor = scope.actor(request)
    try:
        if action == "confirm":
            adage.confirm_for_ministry(booking_id=booking.pk)
        elif action == "cancel":
            adage.refuse_for_ministry(booking_id=booking.pk, comment=REFUSAL_COMMENT)
        elif action == "pending":
            partner.reset_to_pending(actor=actor, booking_id=booking.pk)
        else:
            partner.reimburse_now(actor=actor, booking_id=booking.pk)
    except (CollectiveError, InvalidState) as exc:
        raise common.as_refusal(exc) from exc
    return Status(204, None)


@router.post(
    "/bookings/{int:booking_id}/confirm",
    response={204: None},
    summary="Mock collective booking confirmation",
    operation_id="ConfirmCollectiveBooking",
    description=(
        "Confirme une préréservation comme le chef d’établissement depuis ADAGE : avant la "
        "date limite, projet EAC rattaché, dans le budget de l’établissement (sinon 403)."
        + SANDBOX_NOTE
    ),
)
def confirm_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    return _transition(request, booking_id, "confirm")


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response={204: None},
    summary="Mock collective booking cancellation",
    operation_id="AdageMockCancelCollectiveBooking",
    description=(
        "Refuse la réservation comme l’établissement depuis ADAGE : une préréservation, ou "
        "une réservation confirmée jusqu’à 15 jours avant le début (sinon 403)." + SANDBOX_NOTE
    ),
)
def cancel_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    return _transition(request, booking_id, "cancel")


@router.post(
    "/bookings/{int:booking_id}/pending",
    response={204: None},
    summary="Adage mock: reset collective booking back to pending state.",
    operation_id="ResetCollectiveBooking",
    description=(
        "Remet une réservation confirmée ou annulée en préréservation (une annulée seulement "
        "si aucune autre n’occupe la date). Terminée ou remboursée : 403." + SANDBOX_NOTE
    ),
)
def reset_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    return _transition(request, booking_id, "pending")


@router.post(
    "/bookings/{int:booking_id}/reimburse",
    response={204: None},
    summary="Mock collective booking reimbursement.",
    operation_id="ReimburseCollectiveBooking",
    description=(
        "Marque remboursée une réservation terminée (aucun argent ne circule). Autre état : "
        "403." + SANDBOX_NOTE
    ),
)
def reimburse_booking(request: HttpRequest, booking_id: int) -> Status[None]:
    return _transition(request, booking_id, "reimburse")
