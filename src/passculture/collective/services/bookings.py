"""The collective booking flow: pre-book → project → head confirms (budget locked) → used.

Budget lock: confirming locks the school's budget row for the year, then sums what is
already committed (confirmed, used, reimbursed) — two heads confirming at once are
serialised, and the budget can never be overspent.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse

from passculture.accounts.models import User
from passculture.collective import adage_client, rules
from passculture.collective import errors as e
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    EacProject,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.services.schools import year_for
from passculture.core import clock
from passculture.core.audit import AUTO, record_audit
from passculture.core.errors import PermissionDenied
from passculture.core.money import format_cents
from passculture.notifications.services import notify
from passculture.offerers.models import ValidationStatus
from passculture.offers.models import Validation
from passculture.providers import webhooks

PARIS = ZoneInfo("Europe/Paris")
COMMITTED = [
    CollectiveBookingStatus.CONFIRMED,
    CollectiveBookingStatus.USED,
    CollectiveBookingStatus.REIMBURSED,
]
# How the e-mail and the notice word each way a booking ends (cancellation_reason).
ENDINGS = {
    "refused_by_head": "refusée par le chef d’établissement",
    "cancelled_by_venue": "annulée par la structure",
    "expired": "annulée : elle n’a pas été confirmée avant la date limite",
}
# The heads hear of what they decide or lose; a pre-booking is the teacher's own step.
HEADS_TOLD = ("collective_confirmed", "collective_cancelled")


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(PARIS):%d/%m/%Y à %H:%M}"


def membership_of(user: User) -> SchoolMember:
    member = SchoolMember.objects.select_related("school").filter(user=user).first()
    if member is None:
        raise e.NotSchoolMember()
    return member


def _context(booking: CollectiveBooking) -> dict[str, object]:
    school, stock = booking.school, booking.stock
    return {
        "offer_name": booking.offer.name, "school": school.name,
        "school_phone": school.phone or "non renseigné",
        "school_city": school.city, "uai": school.uai, "teacher": booking.teacher.full_name,
        "teacher_email": booking.teacher.email, "when": _local(stock.start_datetime),
        "price": format_cents(booking.price), "limit": _local(booking.confirmation_limit),
        "status": booking.get_status_display(), "reason": booking.cancellation_comment,
        "project": booking.project.name if booking.project else "",
        "ending": ENDINGS.get(booking.cancellation_reason, "annulée"),
    }  # fmt: skip


def _notify(booking: CollectiveBooking, template: str, *, title: str) -> None:
    """The venue's address(es) by e-mail; the teacher and, for a confirmation, refusal or
    cancellation, the school's heads by e-mail and in-app. Each person is told once (a head
    who is also the teacher, or whose address is the venue's, gets one message)."""
    context = _context(booking)
    people = [booking.teacher]
    if template in HEADS_TOLD:
        people += User.objects.filter(
            is_active=True,
            school_memberships__school=booking.school,
            school_memberships__role=SchoolRole.HEAD,
        ).order_by("pk")
    people = list({person.pk: person for person in people}.values())
    told = {person.email.lower() for person in people}
    offer = booking.offer
    addresses = list(offer.booking_emails or []) or [
        offer.contact_email or offer.venue.booking_email
    ]
    for address in dict.fromkeys(a.strip() for a in addresses if a and a.strip()):
        if address.lower() not in told:
            told.add(address.lower())
            notify(
                template=template, context=context, category="collective", email=address,
                in_app=False,
            )  # fmt: skip
    url = reverse("teacher:bookings")
    for person in people:  # the school's staff also get the link to their bookings page
        notify(
            template=template, context=context | {"bookings_path": url}, category="collective",
            user=person, title=title, url=url,
        )  # fmt: skip


@transaction.atomic
def prebook(*, teacher: User, offer_id: int) -> CollectiveBooking:
    """A teacher pre-books a bookable offer for their school (targeted offers: that school only)."""
    member = membership_of(teacher)
    try:
        offer = (
            CollectiveOffer.objects.select_for_update(of=("self",))
            .select_related("stock", "venue__offerer", "target_school")
            .get(pk=offer_id)
        )
    except CollectiveOffer.DoesNotExist as exc:
        raise e.NotBookable() from exc
    now = clock.now()
    if (
        offer.is_template
        or offer.validation != Validation.APPROVED
        or not offer.is_active
        or offer.archived_at is not None
        or offer.venue.offerer.validation_status != ValidationStatus.VALIDATED
        or not hasattr(offer, "stock")
    ):
        raise e.NotBookable()
    if offer.target_school_id and offer.target_school_id != member.school_id:
        raise e.TargetedElsewhere(school=offer.target_school.name)  # type: ignore[union-attr]
    stock = offer.stock
    if stock.booking_limit_datetime < now:
        raise e.LimitPassed(date=_local(stock.booking_limit_datetime))
    try:
        with transaction.atomic():
            booking = CollectiveBooking.objects.create(
                stock=stock, offer=offer, school=member.school, teacher=teacher,
                year=year_for(rules.year_of(stock.start_datetime)), price=stock.price,
                confirmation_limit=stock.booking_limit_datetime, created_at=now,
            )  # fmt: skip
    except IntegrityError as exc:
        raise e.AlreadyBooked() from exc
    record_audit(
        actor=teacher,
        action="collective_booking.prebooked",
        obj=booking,
        after={"school": member.school.uai, "price": stock.price},
    )
    _notify(booking, "collective_prebooked", title=f"Préréservation enregistrée : {offer.name}")
    adage_client.notify("prebooking", booking.pk)
    webhooks.emit_collective_booking_event(
        booking=booking, event_type=webhooks.COLLECTIVE_BOOKING_CREATED
    )
    return booking


def _lock(booking_id: int) -> CollectiveBooking:
    return (
        CollectiveBooking.objects.select_for_update(of=("self",))
        .select_related("school", "stock", "offer__venue", "teacher", "project", "year")
        .get(pk=booking_id)
    )


@transaction.atomic
def attach_project(*, teacher: User, booking_id: int, project_name: str) -> CollectiveBooking:
    """Attach a pending pre-booking to a named EAC project of the school (created if new)."""
    member = membership_of(teacher)
    booking = _lock(booking_id)
    if booking.school_id != member.school_id:
        raise PermissionDenied()
    if booking.status != CollectiveBookingStatus.PENDING:
        raise e.CollectiveError("Seule une préréservation peut changer de projet.")
    name = project_name.strip()
    if not name or len(name) > 150:
        raise e.CollectiveError(
            "Donnez un nom au projet (150 caractères au plus).", field="project_name"
        )
    project, _ = EacProject.objects.get_or_create(
        school=member.school, name=name, defaults={"created_by": teacher}
    )
    booking.project = project
    booking.save(update_fields=["project", "updated_at"])
    record_audit(
        actor=teacher,
        action="collective_booking.project_attached",
        obj=booking,
        after={"project": name},
    )
    return booking


def committed_on(budget: SchoolBudget) -> int:
    return (
        CollectiveBooking.objects.filter(
            school=budget.school, year=budget.year, status__in=COMMITTED
        ).aggregate(s=Sum("price"))["s"]
        or 0
    )


def _head(user: User | None, booking: CollectiveBooking, on_behalf_of: str | None) -> None:
    if user is None and on_behalf_of:
        return  # the ministry tool (ADAGE) acts for a school that has no head user here
    if (
        user is None
        or not SchoolMember.objects.filter(
            user=user, school=booking.school, role=SchoolRole.HEAD
        ).exists()
    ):
        raise e.NotHead()


@transaction.atomic
def confirm(
    *, head: User | None, booking_id: int, on_behalf_of: str | None = None
) -> CollectiveBooking:
    """The head confirms before the limit, within the budget (row lock on the budget).

    `on_behalf_of` (added for the ADAGE API): with `head=None`, the ministry tool named by
    this label confirms for a school without a head user; the audit names that label.
    """
    booking = _lock(booking_id)
    _head(head, booking, on_behalf_of)
    if booking.status != CollectiveBookingStatus.PENDING:
        raise e.CollectiveError("Cette réservation n’est pas en attente de confirmation.")
    now = clock.now()
    if not rules.can_confirm(now=now, confirmation_limit=booking.confirmation_limit):
        raise e.LimitPassed(date=_local(booking.confirmation_limit))
    if booking.project_id is None:
        raise e.ProjectRequired()
    budget = (
        SchoolBudget.objects.select_for_update()
        .filter(school=booking.school, year=booking.year)
        .first()
    )
    if budget is None:
        raise e.NoBudget(year=booking.year.code)
    left = rules.remaining(
        amount=budget.amount, provisional=budget.is_provisional, committed=committed_on(budget)
    )
    if booking.price > left:
        raise e.InsufficientBudget(
            remaining=format_cents(max(left, 0)),
            year=booking.year.code,
            price=format_cents(booking.price),
        )
    booking.status = CollectiveBookingStatus.CONFIRMED
    booking.confirmed_at, booking.confirmed_by = now, head
    booking.save()
    record_audit(
        actor=head or on_behalf_of,
        action="collective_booking.confirmed",
        obj=booking,
        before={"status": "pending"},
        after={"status": "confirmed"},
        data={"budget_left_after": left - booking.price},
    )
    _notify(booking, "collective_confirmed", title=f"Réservation confirmée : {booking.offer.name}")
    webhooks.emit_collective_booking_event(
        booking=booking, event_type=webhooks.COLLECTIVE_BOOKING_CONFIRMED
    )
    return booking


def _cancel(
    *, actor: object, booking: CollectiveBooking, reason: str, comment: str = ""
) -> CollectiveBooking:
    before = booking.status
    booking.status = CollectiveBookingStatus.CANCELLED
    booking.cancelled_at = clock.now()
    booking.cancellation_reason, booking.cancellation_comment = reason, comment.strip()[:300]
    booking.save()
    record_audit(
        actor=actor,
        action="collective_booking.cancelled",
        obj=booking,
        before={"status": before},
        after={"status": "cancelled"},
        data={"reason": reason, "comment": booking.cancellation_comment},
    )
    verb = "refusée" if reason == "refused_by_head" else "annulée"
    _notify(booking, "collective_cancelled", title=f"Réservation {verb} : {booking.offer.name}")
    adage_client.notify("cancellation", booking.pk)
    webhooks.emit_collective_booking_event(
        booking=booking, event_type=webhooks.COLLECTIVE_BOOKING_CANCELLED
    )
    return booking


@transaction.atomic
def refuse(
    *, head: User | None, booking_id: int, comment: str = "", on_behalf_of: str | None = None
) -> CollectiveBooking:
    """The head refuses a pending booking, or a confirmed one until 15 days before the start.

    `on_behalf_of`: as for `confirm` (the ADAGE API, school without a head user).
    """
    booking = _lock(booking_id)
    _head(head, booking, on_behalf_of)
    if booking.status == CollectiveBookingStatus.CONFIRMED:
        if not rules.can_refuse_confirmed(now=clock.now(), start=booking.stock.start_datetime):
            raise e.TooLate(
                "Une réservation confirmée ne peut plus être refusée à moins de 15 jours du début."
            )
    elif booking.status != CollectiveBookingStatus.PENDING:
        raise e.CollectiveError("Cette réservation ne peut plus être refusée.")
    return _cancel(
        actor=head or on_behalf_of, booking=booking, reason="refused_by_head", comment=comment
    )


@transaction.atomic
def cancel_by_venue(*, actor: User, booking_id: int, comment: str) -> CollectiveBooking:
    """The venue cancels (with a reason) until 48 h after the end (caller scoped the booking)."""
    booking = _lock(booking_id)
    if booking.status not in {
        CollectiveBookingStatus.PENDING,
        CollectiveBookingStatus.CONFIRMED,
        CollectiveBookingStatus.USED,
    }:
        raise e.CollectiveError("Cette réservation ne peut plus être annulée.")
    if not rules.can_venue_cancel(now=clock.now(), end=booking.stock.end_datetime):
        raise e.TooLate("L’annulation n’est plus possible 48 h après la fin de l’offre.")
    if not comment.strip():
        raise e.CollectiveError(
            "Indiquez le motif de l’annulation : il est transmis à l’établissement.",
            field="comment",
        )
    return _cancel(actor=actor, booking=booking, reason="cancelled_by_venue", comment=comment)


def mark_used_after_end(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Job: confirmed bookings become used 48 h after the end (idempotent, batched)."""
    now = now or clock.now()
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                CollectiveBooking.objects.select_for_update(skip_locked=True)
                .filter(
                    status=CollectiveBookingStatus.CONFIRMED,
                    stock__end_datetime__lte=now - rules.AFTER_END,
                )
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return done
            CollectiveBooking.objects.filter(pk__in=ids).update(
                status=CollectiveBookingStatus.USED, used_at=now, updated_at=now
            )
            for pk in ids:
                record_audit(
                    actor=AUTO, action="collective_booking.used", obj=CollectiveBooking(pk=pk)
                )
            webhooks.emit_collective_booking_events(
                booking_ids=ids, event_type=webhooks.COLLECTIVE_BOOKING_USED
            )
            done += len(ids)


def expire_pending(*, now: dt.datetime | None = None) -> int:
    """Job: pending bookings past their confirmation limit are cancelled (idempotent)."""
    now = now or clock.now()
    done = 0
    for booking_id in CollectiveBooking.objects.filter(
        status=CollectiveBookingStatus.PENDING, confirmation_limit__lt=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            booking = _lock(booking_id)
            if booking.status == CollectiveBookingStatus.PENDING and rules.is_pending_expired(
                now=now, confirmation_limit=booking.confirmation_limit
            ):
                _cancel(actor=AUTO, booking=booking, reason="expired")
                done += 1
    return done
