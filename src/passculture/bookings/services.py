"""Booking writes: book, cancel, validate at the door, undo. Each one atomic and audited.

Locks: the offer row (shared), then the stock row, then the deposit row (in that order, as
the offers services do, so bookings and offer edits never deadlock), and last the venue's
webhook stream rows (providers.webhooks). The stock's CHECK constraint and the
one-live-booking unique index refuse whatever a bug would let through.

Offers with a ticket (providers.ticketing) call the venue's ticketing system inside the
booking, after every check and before any write; its refusal refuses the booking.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from passculture.accounts.models import User
from passculture.bookings import errors as e
from passculture.bookings import rules, selectors
from passculture.bookings.models import (
    Booking,
    BookingStatus,
    CancellationReason,
    ValidationAuthor,
)
from passculture.core import clock
from passculture.core.audit import SYSTEM, record_audit
from passculture.core.errors import PermissionDenied
from passculture.core.mail import QR_KEY
from passculture.core.money import format_cents
from passculture.credit import rules as credit_rules
from passculture.credit.models import Deposit, DepositKind
from passculture.notifications.services import notify as send_notice
from passculture.notifications.venue import notify_venue_of_booking
from passculture.offerers.models import ValidationStatus
from passculture.offers import catalogue
from passculture.offers.models import Stock, Validation
from passculture.offers.services import check_fill_alert
from passculture.providers import ticketing, webhooks
from passculture.providers.errors import TicketingRefused
from passculture.providers.models import Provider

PARIS = ZoneInfo("Europe/Paris")
# The venue is told of cancellations it did not make itself (expiries are in its digest).
VENUE_TOLD = (
    CancellationReason.BENEFICIARY,
    CancellationReason.BACKOFFICE,
    CancellationReason.FRAUD,
)
TOKEN_ATTEMPTS = 10


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(PARIS):%d/%m/%Y à %H:%M}"


def _check_bookable(stock: Stock, now: dt.datetime) -> None:
    offer = stock.offer
    if (
        stock.is_deleted
        or offer.validation != Validation.APPROVED
        or not offer.is_active
        or offer.archived_at is not None
        or offer.venue.offerer.validation_status != ValidationStatus.VALIDATED
        or (offer.publication_datetime is not None and offer.publication_datetime > now)
        or (offer.booking_allowed_datetime is not None and offer.booking_allowed_datetime > now)
    ):
        raise e.OfferNotBookable()
    if stock.beginning_datetime is not None and stock.beginning_datetime <= now:
        raise e.EventStarted()
    if stock.booking_limit_datetime is not None and stock.booking_limit_datetime <= now:
        raise e.BookingClosed(date=_local(stock.booking_limit_datetime))


def _free_token() -> str:
    """A token no booking holds yet (sent to a ticketing system before the booking exists)."""
    for _ in range(TOKEN_ATTEMPTS):
        token = rules.new_token()
        if not Booking.objects.filter(token=token).exists():
            return token
    raise e.BookingError("Impossible d’attribuer une contremarque : réessayez.")


def _insert_with_token(*, first_token: str | None = None, **values: object) -> Booking:
    for attempt in range(TOKEN_ATTEMPTS):
        token = first_token if attempt == 0 and first_token else rules.new_token()
        try:
            with transaction.atomic():
                return Booking.objects.create(token=token, **values)
        except IntegrityError as exc:
            if "token" not in str(exc).lower():
                raise e.AlreadyBooked() from exc  # the one-live-booking index
    raise e.BookingError("Impossible d’attribuer une contremarque : réessayez.")


def _share_lock_offer(offer_id: int) -> None:
    """FOR SHARE on the offer: bookings of one offer run in parallel (shared locks are
    compatible), while an offer edit (FOR UPDATE) waits for them and they wait for it.
    SQLite has one writer at a time anyway (IMMEDIATE transactions)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM offers_offer WHERE id = %s FOR SHARE", [offer_id])


def book_offer(*, user: User, stock_id: int, quantity: int = 1) -> Booking:
    """Book a stock for a young person. Caller holds no lock; refusals change nothing, except
    that a ticketing system's refusal resyncs the stock's contingent to its count."""
    try:
        return _book_offer(user=user, stock_id=stock_id, quantity=quantity)
    except TicketingRefused as exc:
        remaining, provider_id = exc.params.get("remaining_quantity"), exc.params.get("provider_id")
        if isinstance(remaining, int) and isinstance(provider_id, int):
            # Its own transaction, after the refused one rolled back: the venue's count of
            # seats is a fact worth keeping even though this booking failed.
            _resync_after_refusal(stock_id=stock_id, remaining=remaining, provider_id=provider_id)
        raise


@transaction.atomic
def _resync_after_refusal(*, stock_id: int, remaining: int, provider_id: int) -> None:
    offer_id = Stock.objects.filter(pk=stock_id).values_list("offer_id", flat=True).first()
    if offer_id is None:
        return
    _share_lock_offer(offer_id)  # the booking's lock order: offer, then stock
    stock = Stock.objects.select_for_update().get(pk=stock_id)
    if stock.is_deleted:
        return
    provider = Provider.objects.select_related("service_user").filter(pk=provider_id).first()
    actor = provider.service_user if provider is not None else SYSTEM
    ticketing.set_remaining(stock=stock, remaining=remaining, actor=actor)


@transaction.atomic
def _book_offer(*, user: User, stock_id: int, quantity: int) -> Booking:
    now = clock.now()
    # The offer first: the offers services lock it before its stocks (quantity change, date
    # move, rejection), and inserting a booking key-share locks it, so taking the stock first
    # would deadlock with them — and would let a booking slip into an offer being rejected.
    offer_id = Stock.objects.filter(pk=stock_id).values_list("offer_id", flat=True).first()
    if offer_id is None:
        raise e.OfferNotBookable()
    _share_lock_offer(offer_id)
    try:
        stock = (
            Stock.objects.select_for_update(of=("self",))
            .select_related("offer__venue__offerer", "offer__address")
            .get(pk=stock_id)
        )
    except Stock.DoesNotExist as exc:
        raise e.OfferNotBookable() from exc
    _check_bookable(stock, now)
    offer = stock.offer
    sub = catalogue.get_subcategory(offer.subcategory_id)
    if quantity not in (1, 2) or (quantity == 2 and not (offer.is_duo and sub.can_be_duo)):
        raise e.InvalidQuantity()
    if stock.quantity is not None and stock.booked_quantity + quantity > stock.quantity:
        raise e.SoldOut()
    if (
        Booking.objects.filter(user=user, offer=offer)
        .exclude(status=BookingStatus.CANCELLED)
        .exists()
    ):
        raise e.AlreadyBooked()
    deposit = (
        Deposit.objects.select_for_update()
        .filter(user=user, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if deposit is None:
        expired = Deposit.objects.filter(user=user).order_by("-expires_at").first()
        if expired is not None:
            raise e.CreditExpired(date=f"{expired.expires_at.astimezone(PARIS):%d/%m/%Y}")
        raise e.NotBeneficiary()
    price = stock.price * quantity
    if price > 0 and deposit.kind == DepositKind.FREE_ONLY:
        raise e.FreeOffersOnly()
    spent = selectors.spent_on(deposit)
    if not credit_rules.can_spend(credited=deposit.amount, spent=spent, price=price):
        balance = credit_rules.balance(credited=deposit.amount, spent=spent)
        raise e.InsufficientCredit(balance=format_cents(balance), price=format_cents(price))
    capped = sub.digital_cap and price > 0
    if capped and deposit.digital_cap is not None:
        digital_spent = selectors.spent_on(deposit, digital_only=True)
        if not credit_rules.within_digital_cap(
            cap=deposit.digital_cap, digital_spent=digital_spent, price=price
        ):
            left = max(0, deposit.digital_cap - digital_spent)
            raise e.DigitalCapReached(left=format_cents(left))
    # The venue's ticketing system last: every refusal of ours is known before we ask it.
    link = ticketing.ticketing_link(offer)
    issued, token = None, None
    if link is not None:
        token = _free_token()
        issued = ticketing.request_tickets(
            link=link, user=user, stock=stock, quantity=quantity, token=token
        )
    Stock.objects.filter(pk=stock.pk).update(booked_quantity=F("booked_quantity") + quantity)
    stock.booked_quantity += quantity  # the locked row's value, kept exact for the events
    auto_used = sub.auto_used
    booking = _insert_with_token(
        first_token=token,
        user=user,
        stock=stock,
        offer=offer,
        deposit=deposit,
        quantity=quantity,
        amount=stock.price,
        is_digital_capped=capped,
        created_at=now,
        status=BookingStatus.USED if auto_used else BookingStatus.CONFIRMED,
        used_at=now if auto_used else None,
        validation_author=ValidationAuthor.AT_BOOKING if auto_used else "",
        cancellation_limit=(
            rules.cancellation_limit(now, stock.beginning_datetime)
            if stock.beginning_datetime
            else None
        ),
    )
    record_audit(
        actor=user,
        action="booking.created",
        obj=booking,
        after={
            "stock": stock.pk,
            "quantity": quantity,
            "amount": stock.price,
            "status": booking.status,
        },
    )
    if issued is not None and link is not None:
        ticketing.store_tickets(booking=booking, issued=issued)
        if issued.remaining is not None:
            ticketing.set_remaining(
                stock=stock, remaining=issued.remaining, actor=link.provider.service_user
            )
    context = _mail_context(booking)
    send_notice(
        template="booking_confirmed",
        context=context | {QR_KEY: booking.token},  # the QR code inside the HTML e-mail
        category="booking",
        user=user,
        title=f"Réservation confirmée : {offer.name}",
        url=f"/jeunes/reservations/{booking.pk}/",
    )
    notify_venue_of_booking(booking=booking, context=context, cancelled=False)
    check_fill_alert(offer=offer)
    webhooks.emit_booking_event(booking=booking, event_type=webhooks.BOOKING_CREATED)
    if stock.quantity is not None and stock.booked_quantity >= stock.quantity:
        webhooks.emit_stock_sold_out(stock=stock)
    return booking


def _mail_context(booking: Booking) -> dict[str, object]:
    stock, offer = booking.stock, booking.offer
    venue = offer.venue
    if offer.address_id:
        where = str(offer.address)
    elif venue.is_virtual:
        where = "En ligne"
    else:
        where = f"{venue.display_name}, {venue.street}, {venue.postal_code} {venue.city}"
    return {
        "first_name": booking.user.first_name,
        "offer_name": offer.name,
        "token": booking.token,
        "quantity": booking.quantity,
        "total": format_cents(booking.total),
        "when": _local(stock.beginning_datetime) if stock.beginning_datetime else "",
        "where": where,
        "cancellation_limit": _local(booking.cancellation_limit)
        if booking.cancellation_limit
        else "",
        "booking_id": booking.pk,
        "reason": booking.get_cancellation_reason_display() if booking.cancellation_reason else "",
    }


def _cancel(
    *, actor: object, booking: Booking, reason: str, comment: str = "", notify: bool = True
) -> Booking:
    """Cancel a locked, live booking: seats back to the stock, credit back to the deposit."""
    Stock.objects.filter(pk=booking.stock_id).update(
        booked_quantity=F("booked_quantity") - booking.quantity
    )
    before = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = clock.now()
    booking.cancellation_reason = reason
    booking.cancellation_comment = comment.strip()[:300]
    booking.save()
    record_audit(
        actor=actor,
        action="booking.cancelled",
        obj=booking,
        before={"status": before},
        after={"status": booking.status},
        data={"reason": reason, "comment": booking.cancellation_comment},
    )
    if notify:
        context = _mail_context(booking)
        send_notice(
            template="booking_cancelled",
            context=context,
            category="booking",
            user=booking.user,
            title=f"Réservation annulée : {booking.offer.name}",
            url=f"/jeunes/reservations/{booking.pk}/",
        )
    if reason in VENUE_TOLD:
        notify_venue_of_booking(booking=booking, context=_mail_context(booking), cancelled=True)
    ticketing.queue_cancellation(booking)
    # Re-read: several bookings of one stock may be cancelled in a row (jobs, offer hooks).
    booking.stock.refresh_from_db(fields=["booked_quantity", "quantity"])
    webhooks.emit_booking_event(booking=booking, event_type=webhooks.BOOKING_CANCELLED)
    return booking


def _lock(booking_id: int) -> Booking:
    # The stock before the booking, as a date move or deletion does (offer, its stocks, then
    # their bookings): locking the booking first deadlocked with them.
    stock_id = Booking.objects.values_list("stock_id", flat=True).get(pk=booking_id)
    Stock.objects.select_for_update().filter(pk=stock_id).first()
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("user", "stock", "offer__venue", "offer__address")
        .get(pk=booking_id)
    )


def _refuse_unless_live(booking: Booking) -> None:
    if booking.status == BookingStatus.CANCELLED:
        raise e.BookingCancelled(date=_local(booking.cancelled_at or clock.now()))
    if booking.status == BookingStatus.REIMBURSED:
        raise e.BookingReimbursed()


@transaction.atomic
def cancel_by_beneficiary(*, user: User, booking_id: int) -> Booking:
    """The young person cancels before the limit (events) or before use (things)."""
    booking = _lock(booking_id)
    if booking.user_id != user.pk:
        raise PermissionDenied()
    _refuse_unless_live(booking)
    if booking.status != BookingStatus.CONFIRMED or not rules.can_beneficiary_cancel(
        limit=booking.cancellation_limit, now=clock.now()
    ):
        raise e.CannotCancel()
    return _cancel(actor=user, booking=booking, reason=CancellationReason.BENEFICIARY)


@transaction.atomic
def cancel_by_offerer(*, actor: User, booking_id: int, comment: str = "") -> Booking:
    """The venue cancels a confirmed booking (caller scoped it to the actor's venues)."""
    booking = _lock(booking_id)
    _refuse_unless_live(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise e.CannotCancel(
            "Une réservation validée ne s’annule pas : annulez d’abord la validation."
        )
    return _cancel(actor=actor, booking=booking, reason=CancellationReason.OFFERER, comment=comment)


@transaction.atomic
def cancel_by_staff(*, actor: User, booking_id: int, reason: str, comment: str = "") -> Booking:
    """Staff cancels (fraud, back office), even a used booking not yet reimbursed."""
    if not actor.is_staff:
        raise PermissionDenied()
    if reason not in {CancellationReason.FRAUD, CancellationReason.BACKOFFICE}:
        raise e.BookingError("Motif d’annulation inconnu.")
    booking = _lock(booking_id)
    _refuse_unless_live(booking)
    return _cancel(actor=actor, booking=booking, reason=reason, comment=comment)


@transaction.atomic
def validate_token(
    *, actor: User, token: str, venue_ids: set[int], author: str = ValidationAuthor.PRO
) -> Booking:
    """Mark a booking used at the door, once the young person can no longer cancel."""
    token = rules.normalize_token(token)
    found = selectors.find_by_token(token) if rules.is_token(token) else None
    if found is None:
        raise e.TokenNotFound()
    if found.offer.venue_id not in venue_ids:
        raise e.WrongVenue()
    booking = _lock(found.pk)
    _refuse_unless_live(booking)
    if booking.status == BookingStatus.USED:
        raise e.AlreadyUsed(date=_local(booking.used_at or clock.now()))
    now = clock.now()
    if not rules.can_validate(limit=booking.cancellation_limit, now=now):
        raise e.TooEarlyToValidate(date=_local(booking.cancellation_limit or now))
    booking.status = BookingStatus.USED
    booking.used_at = now
    booking.validation_author = author
    booking.used_by = actor
    booking.save()
    record_audit(
        actor=actor,
        action="booking.used",
        obj=booking,
        before={"status": BookingStatus.CONFIRMED},
        after={"status": BookingStatus.USED},
        data={"author": author},
    )
    webhooks.emit_booking_event(booking=booking, event_type=webhooks.BOOKING_USED)
    return booking


@transaction.atomic
def unvalidate_booking(*, actor: User, booking_id: int) -> Booking:
    """Undo a validation (a mistake at the door) while the booking is not reimbursed."""
    booking = _lock(booking_id)
    _refuse_unless_live(booking)
    if booking.status != BookingStatus.USED:
        raise e.BookingError("Cette réservation n’est pas validée.")
    booking.status = BookingStatus.CONFIRMED
    booking.used_at = None
    booking.validation_author = ""
    booking.used_by = None
    booking.save()
    record_audit(
        actor=actor,
        action="booking.unused",
        obj=booking,
        before={"status": BookingStatus.USED},
        after={"status": BookingStatus.CONFIRMED},
    )
    webhooks.emit_booking_event(booking=booking, event_type=webhooks.BOOKING_UNUSED)
    return booking
