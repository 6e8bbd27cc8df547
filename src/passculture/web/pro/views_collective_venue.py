"""Collective pages of the pro portal about a venue: its collective profile and bookings.

Every read is scoped through offerers.selectors.venues_for_user: another structure's
offer, request, venue or booking is a 404, never a 403.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBookingStatus,
    VenueCollectiveProfile,
)
from passculture.collective.services import bookings as booking_services
from passculture.collective.services import profiles as profile_services
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.selectors import get_venue_for_user, venues_for_user
from passculture.web.pro.access import pro_page
from passculture.web.pro.collective_forms import (
    CancelForm,
    CollectiveProfileForm,
)
from passculture.web.pro.views_collective import CANCELLABLE, PAGE_SIZE, _bookings, _int


@pro_page("offers")
def profile_edit(request, venue_id: int):
    venue = get_venue_for_user(request.user, venue_id)
    profile = VenueCollectiveProfile.objects.filter(venue=venue).first()
    form = CollectiveProfileForm(
        request.POST or None, initial=CollectiveProfileForm.initial_from(profile)
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile_services.save_collective_profile(
                actor=request.user, venue=venue, data=form.to_data()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Profil collectif enregistré : les enseignants le voient.")
            return redirect("pro:collective_profile", venue_id=venue.pk)
    return render(
        request,
        "pro/collective/profile.html",
        {
            "page_title": f"Profil collectif — {venue.display_name}",
            "venue": venue,
            "form": form,
        },
    )


# --- bookings -------------------------------------------------------------------------------


@pro_page("bookings")
def booking_list(request):
    status = request.GET.get("statut", "")
    status = status if status in CollectiveBookingStatus.values else ""
    venue_id = _int(request.GET.get("lieu"))
    queryset = _bookings(request.user).select_related(
        "school", "teacher", "project", "stock", "offer__venue"
    )
    if status:
        queryset = queryset.filter(status=status)
    if venue_id:
        queryset = queryset.filter(offer__venue_id=venue_id)
    page = Paginator(queryset.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = clock.now()
    rows = [
        {
            "booking": b,
            "price": format_cents(b.price),
            "can_cancel": b.status in CANCELLABLE
            and rules.can_venue_cancel(now=now, end=b.stock.end_datetime),
        }
        for b in page.object_list
    ]
    counts = dict(
        _bookings(request.user)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pro/collective/bookings.html",
        {
            "page_title": "Réservations collectives",
            "page": page,
            "rows": rows,
            "total": sum(counts.values()),
            "count_rows": [
                (label.lower(), counts.get(key, 0))
                for key, label in CollectiveBookingStatus.choices
            ],
            "status_choices": CollectiveBookingStatus.choices,
            "filters": {"status": status, "venue_id": venue_id},
            "venues": venues_for_user(request.user).filter(is_virtual=False),
            "query": query.urlencode(),
        },
    )


@pro_page("bookings")
@require_POST
def booking_cancel(request, booking_id: int):
    booking = get_scoped_or_404(_bookings(request.user), pk=booking_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            booking_services.cancel_by_venue(
                actor=request.user, booking_id=booking.pk, comment=form.cleaned_data["comment"]
            )
        except DomainError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(
                request, "Réservation annulée : l’établissement et l’enseignant sont prévenus."
            )
    return redirect("pro:collective_bookings")
