"""The pro bookings tab: individual and collective bookings of the pro's venues in one list.

Filters are a GET form (shared with the exports); the list pages by keyset (a (date, kind,
id) cursor), so page 1 and page 2,000 cost the same few queries on a venue with 100,000
bookings: no OFFSET and no COUNT(*) over everything. Row actions are POST forms that go
back to the same filtered page; another structure's booking is a 404 and changes nothing.
"""

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from passculture.bookings import listing, rules, selectors, services
from passculture.bookings.models import Booking, BookingStatus
from passculture.collective import rules as collective_rules
from passculture.collective.models import CollectiveBooking, CollectiveBookingStatus
from passculture.collective.services import bookings as collective_services
from passculture.core import clock
from passculture.core.audit import AUTO, SYSTEM
from passculture.core.errors import DomainError
from passculture.core.models import AuditEntry
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers import selectors as offerer_selectors
from passculture.web.pro.access import pro_page
from passculture.web.pro.booking_filter_forms import STATUS_CHOICES, BookingFilterForm

PARIS = ZoneInfo("Europe/Paris")
REASON_MAX_LENGTH = 300
HISTORY_LABELS = {
    "booking.created": "Réservée",
    "booking.used": "Validée",
    "booking.unused": "Validation annulée",
    "booking.cancelled": "Annulée",
    "booking.reimbursed": "Remboursée",
    "booking.date_moved": "Date de l’évènement modifiée",
    "booking.ticket_cancel_sent": "Annulation transmise à la billetterie",
    "booking.ticket_cancel_failed": "Échec de l’annulation auprès de la billetterie",
    "collective_booking.prebooked": "Préréservée",
    "collective_booking.project_attached": "Rattachée à un projet EAC",
    "collective_booking.confirmed": "Confirmée par le chef d’établissement",
    "collective_booking.reset_to_pending": "Remise en préréservation",
    "collective_booking.used": "Terminée",
    "collective_booking.reimbursed": "Remboursée",
    "collective_booking.cancelled": "Annulée",
}
ACTOR_LABELS = {AUTO: "automatique", SYSTEM: "système"}
STATUS_BADGES = {
    "pending": "fr-badge--new",
    "confirmed": "fr-badge--info",
    "used": "fr-badge--success",
    "reimbursed": "fr-badge--purple-glycine",
    "cancelled": "fr-badge--error",
}
COLLECTIVE_CANCELLABLE = {
    CollectiveBookingStatus.PENDING,
    CollectiveBookingStatus.CONFIRMED,
    CollectiveBookingStatus.USED,
}


def _local(value: dt.datetime | None) -> str:
    return f"{value.astimezone(PARIS):%d/%m/%Y %H:%M}" if value else ""


@dataclasses.dataclass(frozen=True)
class HistoryItem:
    at: str
    label: str
    actor: str
    detail: str


def _history(entries: list[AuditEntry]) -> list[HistoryItem]:
    items = []
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        items.append(
            HistoryItem(
                at=_local(entry.created_at),
                label=HISTORY_LABELS.get(entry.action, entry.action),
                actor=ACTOR_LABELS.get(entry.actor_label, entry.actor_label),
                detail=str(data.get("comment") or ""),
            )
        )
    return items


def _individual_row(booking: Booking, now: dt.datetime) -> dict[str, Any]:
    category = booking.stock.price_category
    confirmed = booking.status == BookingStatus.CONFIRMED
    return {
        "who": booking.user.full_name,
        "email": booking.user.email,
        "token": booking.token,
        "event_at": _local(booking.stock.beginning_datetime),
        "price_category": category.label if category is not None else "Tarif unique",
        "amount": format_cents(booking.total),
        "duo": booking.quantity == 2,
        "can_validate": confirmed and rules.can_validate(limit=booking.cancellation_limit, now=now),
        "can_unvalidate": booking.status == BookingStatus.USED,
        "can_cancel": confirmed,
    }


def _collective_row(booking: CollectiveBooking, now: dt.datetime) -> dict[str, Any]:
    return {
        "who": booking.school.name,
        "phone": booking.school.phone,
        "teacher": booking.teacher.full_name,
        "email": booking.teacher.email,
        "token": "",
        "event_at": _local(booking.stock.start_datetime),
        "price_category": "",
        "amount": format_cents(booking.price),
        "duo": False,
        "can_validate": False,
        "can_unvalidate": False,
        "can_cancel": booking.status in COLLECTIVE_CANCELLABLE
        and collective_rules.can_venue_cancel(now=now, end=booking.stock.end_datetime),
    }


def _rows(page: listing.Page) -> list[dict[str, Any]]:
    now = clock.now()
    histories = listing.histories(page.rows)
    out = []
    for row in page.rows:
        booking = row.booking
        if isinstance(booking, Booking):
            values = _individual_row(booking, now)
        else:
            values = _collective_row(booking, now)
        values.update(
            kind=row.kind,
            pk=booking.pk,
            offer=booking.offer.name,
            venue=booking.offer.venue.display_name,
            booked_at=_local(booking.created_at),
            status=booking.status,
            status_label=booking.get_status_display(),
            badge=STATUS_BADGES.get(booking.status, ""),
            comment=booking.cancellation_comment,
            history=_history(histories.get((row.kind, booking.pk), [])),
        )
        out.append(values)
    return out


def _count_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    rows = []
    for key, label in STATUS_CHOICES[1:]:
        individual = counts.get(listing.INDIVIDUAL, {}).get(key, 0)
        collective = counts.get(listing.COLLECTIVE, {}).get(key, 0)
        rows.append(
            {
                "status": key,
                "label": label,
                "individual": individual,
                "collective": collective,
                "total": individual + collective,
            }
        )
    return rows


def _filter_query(query: QueryDict) -> str:
    """The filters of a query string, without the pagination cursors."""
    kept = query.copy()
    for name in ("avant", "apres"):
        kept.pop(name, None)
    return kept.urlencode()


@pro_page("bookings")
def booking_list(request):
    """GET: the filtered, paginated list with its counts per status."""
    user = request.user
    form = BookingFilterForm(user, request.GET if request.GET else None)
    has_offerer = form.has_venues or offerer_selectors.offerers_for_user(user).exists()
    page = listing.Page([], None, None)
    counts: dict[str, dict[str, int]] = {}
    filters = listing.BookingFilters()
    valid = not form.is_bound or form.is_valid()
    if valid and form.has_venues:
        if form.is_bound:
            filters = form.filters()
            cursors = {"before": form.cleaned_data["avant"], "after": form.cleaned_data["apres"]}
        else:
            cursors = {}
        page = listing.bookings_page(user, filters, **cursors)
        counts = listing.status_counts(user, filters)
    count_rows = _count_rows(counts)
    query = _filter_query(request.GET)
    return render(
        request,
        "pro/bookings/list.html",
        {
            "page_title": "Réservations",
            "form": form,
            "valid": valid,
            "has_offerer": has_offerer,
            "rows": _rows(page),
            "page": page,
            "count_rows": count_rows,
            "total": sum(r["total"] for r in count_rows),
            "show_individual": filters.kind in ("all", "individual"),
            "show_collective": filters.kind in ("all", "collective"),
            "filtered": not valid or filters != listing.BookingFilters(),
            "filter_query": query,
            "back": request.GET.urlencode(),
            "reason_max_length": REASON_MAX_LENGTH,
        },
    )


def _back(request) -> HttpResponseRedirect:
    # Rebuilt from the parsed query string: only ever a redirect to this tab.
    query = QueryDict(request.POST.get("retour", "")[:2000]).urlencode()
    return HttpResponseRedirect(f"{reverse('pro:bookings')}{'?' + query if query else ''}")


def _reason(request) -> str:
    return request.POST.get("reason", "").strip()[:REASON_MAX_LENGTH]


@pro_page("bookings")
@require_POST
def booking_action(request, booking_id: int, action: str):
    """POST: validate (valider), undo a validation (invalider) or cancel (annuler) one
    individual booking of the pro's venues."""
    if action not in {"valider", "invalider", "annuler"}:
        raise Http404("Action inconnue.")
    user = request.user
    booking = get_scoped_or_404(selectors.venue_bookings(user), pk=booking_id)
    try:
        if action == "valider":
            services.validate_token(
                actor=user, token=booking.token, venue_ids=selectors.venue_ids_of(user)
            )
            places = "2 places (duo)" if booking.quantity == 2 else "1 place"
            messages.success(request, f"Contremarque {booking.token} validée : {places}.")
        elif action == "invalider":
            services.unvalidate_booking(actor=user, booking_id=booking.pk)
            messages.success(
                request,
                f"Validation annulée : la contremarque {booking.token} est de nouveau à valider.",
            )
        else:
            reason = _reason(request)
            if not reason:
                raise DomainError("Indiquez le motif de l’annulation : il est transmis au jeune.")
            services.cancel_by_offerer(actor=user, booking_id=booking.pk, comment=reason)
            messages.success(
                request,
                f"Réservation {booking.token} annulée : le jeune est prévenu "
                "et son crédit lui est rendu.",
            )
    except DomainError as exc:
        messages.error(request, f"Réservation {booking.token} : {exc.text}")
    return _back(request)


@pro_page("bookings")
@require_POST
def collective_cancel(request, booking_id: int):
    """POST: cancel one collective booking of the pro's venues, with a reason."""
    user = request.user
    scope = listing.collective_bookings(user, listing.BookingFilters()).select_related("school")
    booking = get_scoped_or_404(scope, pk=booking_id)
    try:
        collective_services.cancel_by_venue(
            actor=user, booking_id=booking.pk, comment=_reason(request)
        )
    except DomainError as exc:
        messages.error(request, f"Réservation de {booking.school.name} : {exc.text}")
    else:
        messages.success(
            request,
            f"Réservation de {booking.school.name} annulée : l’établissement et l’enseignant "
            "sont prévenus.",
        )
    return _back(request)
