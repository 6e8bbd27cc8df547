"""Collective writes done by partner software through its API key.

Two kinds:

- orchestration of existing services that must succeed or fail together (create then
  submit an offer, edit then pause it, archive a batch);
- booking transitions the ministry tool (ADAGE) or the clock would normally make, offered
  to partners outside production so they can test their integration end to end (the
  "adage_mock" sandbox): pre-book a targeted offer, back to pending, use now, reimburse.

Locks follow collective.services.bookings: a pre-booking locks the offer row, then inserts
(the one-live-booking unique index refuses a second one); a booking transition locks only
the booking row. Every transition is audited and queues its webhook event inside its
transaction. Sandbox transitions send no e-mail and tell ADAGE nothing: no real school or
teacher stands behind them.
"""

from django.db import IntegrityError, transaction

from passculture.accounts.models import Role, User
from passculture.collective import errors as e
from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    EacProject,
    School,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.services import offers as offer_services
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.collective.services.schools import year_for
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.offerers.models import ValidationStatus, Venue
from passculture.offers.models import Validation
from passculture.providers import webhooks

SANDBOX_PROJECT = "Projet EAC (bac à sable)"
SANDBOX_EMAIL_DOMAIN = "bac-a-sable.passculture.local"


class TransitionRefused(e.CollectiveError):
    code = "collective_transition_refused"
    message = "Ce changement d’état n’est pas possible pour cette réservation."


class NotTargeted(e.CollectiveError):
    code = "offer_not_targeted"
    message = (
        "Le bac à sable préréserve au nom de l’établissement ciblé : rattachez d’abord "
        "l’offre à un établissement (educationalInstitutionId ou educationalInstitution)."
    )


# --- offers: several services in one transaction ---------------------------------------


def _set_booking_emails(
    *, actor: User, offer: CollectiveOffer, emails: list[str] | None
) -> CollectiveOffer:
    """Who is e-mailed about the offer's bookings (the offer services leave it alone)."""
    if emails is None:
        return offer
    offer = CollectiveOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    if list(offer.booking_emails or []) != emails:
        before = list(offer.booking_emails or [])
        offer.booking_emails = emails
        offer.save(update_fields=["booking_emails", "updated_at"])
        record_audit(
            actor=actor,
            action="collective_offer.updated",
            obj=offer,
            before={"booking_emails": before},
            after={"booking_emails": emails},
        )
    return offer


@transaction.atomic
def create_offer_for_partner(
    *,
    actor: User,
    venue: Venue,
    data: CollectiveOfferData,
    stock: StockData,
    booking_emails: list[str] | None = None,
    active: bool = True,
) -> CollectiveOffer:
    """Create a bookable offer and send it to review at once (partners have no draft step);
    caller scoped the venue. Any refusal rolls the whole creation back."""
    offer = offer_services.create_collective_offer(actor=actor, venue=venue, data=data, stock=stock)
    offer = _set_booking_emails(actor=actor, offer=offer, emails=booking_emails)
    offer = offer_services.submit_collective_offer(actor=actor, offer=offer)
    if not active:
        offer = offer_services.set_collective_offer_active(actor=actor, offer=offer, active=False)
    return offer


@transaction.atomic
def update_offer_for_partner(
    *,
    actor: User,
    offer: CollectiveOffer,
    data: CollectiveOfferData,
    stock: StockData,
    booking_emails: list[str] | None = None,
    active: bool | None = None,
) -> CollectiveOffer:
    """Edit an offer and its session (None = unchanged for the e-mails and the pause)."""
    offer = offer_services.update_collective_offer(actor=actor, offer=offer, data=data, stock=stock)
    offer = _set_booking_emails(actor=actor, offer=offer, emails=booking_emails)
    if active is not None and active != offer.is_active:
        offer = offer_services.set_collective_offer_active(actor=actor, offer=offer, active=active)
    return offer


@transaction.atomic
def archive_offers(*, actor: User, offers: list[CollectiveOffer]) -> list[CollectiveOffer]:
    """Archive every offer or none (caller scoped them all)."""
    return [offer_services.archive_collective_offer(actor=actor, offer=offer) for offer in offers]


# --- booking transitions ------------------------------------------------------------------


def _lock(booking_id: int) -> CollectiveBooking:
    """The booking row alone, as collective.services.bookings locks it."""
    return (
        CollectiveBooking.objects.select_for_update(of=("self",))
        .select_related("school", "stock", "offer__venue", "teacher", "year")
        .get(pk=booking_id)
    )


def _sandbox_teacher(school: School) -> User:
    """The school's stand-in teacher for sandbox pre-bookings (created on first use)."""
    email = f"redacteur.{school.uai.lower()}@{SANDBOX_EMAIL_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=None,
                    first_name="Rédacteur",
                    last_name=f"bac à sable {school.uai}",
                    role=Role.TEACHER,
                )
        except IntegrityError:  # created by a concurrent sandbox call
            user = User.objects.get(email=email)
    # get_or_create retries the read when a concurrent call inserted the same row.
    SchoolMember.objects.get_or_create(
        user=user, school=school, defaults={"role": SchoolRole.TEACHER}
    )
    return user


@transaction.atomic
def sandbox_prebook(*, actor: User, offer_id: int) -> CollectiveBooking:
    """Pre-book a targeted bookable offer for its school, as a teacher would through ADAGE
    (already attached to an EAC project, so it can be confirmed next). Caller scoped the
    offer to the actor's provider; refusals change nothing."""
    try:
        offer = (
            CollectiveOffer.objects.select_for_update(of=("self",))
            .select_related("stock", "venue__offerer", "target_school")
            .get(pk=offer_id)
        )
    except CollectiveOffer.DoesNotExist as exc:
        raise e.NotBookable() from exc
    if (
        offer.is_template
        or offer.validation != Validation.APPROVED
        or not offer.is_active
        or offer.archived_at is not None
        or offer.venue.offerer.validation_status != ValidationStatus.VALIDATED
        or not hasattr(offer, "stock")
    ):
        raise e.NotBookable()
    school = offer.target_school
    if school is None:
        raise NotTargeted()
    stock = offer.stock
    now = clock.now()
    if stock.booking_limit_datetime < now:
        limit = stock.booking_limit_datetime.astimezone(rules.PARIS)
        raise e.LimitPassed(date=f"{limit:%d/%m/%Y à %H:%M}")
    teacher = _sandbox_teacher(school)
    project, _ = EacProject.objects.get_or_create(
        school=school, name=SANDBOX_PROJECT, defaults={"created_by": teacher}
    )
    try:
        with transaction.atomic():
            booking = CollectiveBooking.objects.create(
                stock=stock, offer=offer, school=school, teacher=teacher, project=project,
                year=year_for(rules.year_of(stock.start_datetime)), price=stock.price,
                confirmation_limit=stock.booking_limit_datetime, created_at=now,
            )  # fmt: skip
    except IntegrityError as exc:
        raise e.AlreadyBooked() from exc
    record_audit(
        actor=actor,
        action="collective_booking.prebooked",
        obj=booking,
        after={"school": school.uai, "price": stock.price},
        data={"sandbox": True},
    )
    webhooks.emit_collective_booking_event(
        booking=booking, event_type=webhooks.COLLECTIVE_BOOKING_CREATED
    )
    return booking


@transaction.atomic
def reset_to_pending(*, actor: User, booking_id: int) -> CollectiveBooking:
    """Sandbox: a confirmed or cancelled booking goes back to pending (a cancelled one only
    if its session has no other live booking). Used or reimbursed ones cannot."""
    booking = _lock(booking_id)
    before = booking.status
    if before in {CollectiveBookingStatus.USED, CollectiveBookingStatus.REIMBURSED}:
        raise TransitionRefused(
            "Une réservation terminée ou remboursée ne revient pas en préréservation."
        )
    if before == CollectiveBookingStatus.PENDING:
        return booking  # already there: nothing changes, no event
    if before == CollectiveBookingStatus.CANCELLED:
        # The session may have changed since the cancellation (edits skip cancelled rows).
        booking.price = booking.stock.price
        booking.confirmation_limit = booking.stock.booking_limit_datetime
    booking.status = CollectiveBookingStatus.PENDING
    booking.confirmed_at = booking.confirmed_by = None
    booking.cancelled_at = None
    booking.cancellation_reason = booking.cancellation_comment = ""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # another live booking holds the session
        raise TransitionRefused(
            "Une autre réservation est en cours sur cette offre : celle-ci reste annulée."
        ) from exc
    record_audit(
        actor=actor,
        action="collective_booking.reset_to_pending",
        obj=booking,
        before={"status": before},
        after={"status": booking.status},
        data={"sandbox": True},
    )
    webhooks.emit_collective_booking_event(
        booking=booking, event_type=webhooks.COLLECTIVE_BOOKING_PENDING
    )
    return booking


def _advance(
    *,
    actor: User,
    booking_id: int,
    source: str,
    target: str,
    stamp: str,
    action: str,
    event: str,
    refusal: str,
) -> CollectiveBooking:
    """Move a locked booking from `source` to `target` now (audited, webhook emitted)."""
    booking = _lock(booking_id)
    if booking.status != source:
        raise TransitionRefused(refusal)
    booking.status = target
    setattr(booking, stamp, clock.now())
    booking.save()
    record_audit(
        actor=actor,
        action=action,
        obj=booking,
        before={"status": source},
        after={"status": target},
        data={"sandbox": True},
    )
    webhooks.emit_collective_booking_event(booking=booking, event_type=event)
    return booking


@transaction.atomic
def use_now(*, actor: User, booking_id: int) -> CollectiveBooking:
    """Sandbox: a confirmed booking becomes used now, as 48 h after the end would do."""
    return _advance(
        actor=actor,
        booking_id=booking_id,
        source=CollectiveBookingStatus.CONFIRMED,
        target=CollectiveBookingStatus.USED,
        stamp="used_at",
        action="collective_booking.used",
        event=webhooks.COLLECTIVE_BOOKING_USED,
        refusal="Seule une réservation confirmée peut être marquée terminée.",
    )


@transaction.atomic
def reimburse_now(*, actor: User, booking_id: int) -> CollectiveBooking:
    """Sandbox: a used booking is marked reimbursed now (no money moves)."""
    return _advance(
        actor=actor,
        booking_id=booking_id,
        source=CollectiveBookingStatus.USED,
        target=CollectiveBookingStatus.REIMBURSED,
        stamp="reimbursed_at",
        action="collective_booking.reimbursed",
        event=webhooks.COLLECTIVE_BOOKING_REIMBURSED,
        refusal="Seule une réservation terminée peut être remboursée.",
    )
