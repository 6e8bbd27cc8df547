"""The school's pages: favourites, bookings with their EAC project, and the budget."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from passculture.collective import school_data
from passculture.collective.models import CollectiveBookingStatus, SchoolRole
from passculture.collective.services import bookings as booking_services
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.web.teacher import display
from passculture.web.teacher.access import teacher_page


def budget_context(school) -> list[dict[str, object]]:
    return [
        {
            "card": card,
            "amount": format_cents(card.amount),
            "spendable": format_cents(card.spendable),
            "committed": format_cents(card.committed),
            "pending": format_cents(card.pending),
            "left": format_cents(card.left),
        }
        for card in school_data.budget_cards(school)
    ]


def booking_rows(bookings) -> list[dict[str, object]]:
    return [
        {
            "booking": b,
            "when": display.when(b.stock.start_datetime),
            "limit": display.when(b.confirmation_limit),
            "price": format_cents(b.price),
        }
        for b in bookings
    ]


@teacher_page
def favourites(request):
    rows = [
        {
            "offer": offer,
            "available": available,
            "when": display.when(offer.stock.start_datetime)
            if not offer.is_template and hasattr(offer, "stock")
            else "Offre vitrine, sur demande",
        }
        for offer, available in school_data.favourites_of(request.user)
    ]
    return render(request, "teacher/favourites.html", {"page_title": "Mes favoris", "rows": rows})


@teacher_page
def bookings(request):
    member = request.school_member
    school = member.school
    rows = booking_rows(school_data.bookings_of_school(school).order_by("-created_at", "-id"))
    return render(
        request,
        "teacher/bookings.html",
        {
            "page_title": "Réservations et budget",
            "school": school,
            "rows": rows,
            "budgets": budget_context(school),
            "projects": school_data.projects_of(school),
            "is_head": member.role == SchoolRole.HEAD,
            "pending_status": CollectiveBookingStatus.PENDING,
        },
    )


@teacher_page
@require_POST
def booking_project(request, booking_id: int):
    school = request.school_member.school
    booking = get_scoped_or_404(school_data.bookings_of_school(school), pk=booking_id)
    try:
        booking = booking_services.attach_project(
            teacher=request.user,
            booking_id=booking.pk,
            project_name=request.POST.get("project_name", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        assert booking.project is not None
        messages.success(
            request,
            f"Préréservation rattachée au projet « {booking.project.name} ». "
            "Votre chef d’établissement peut maintenant la confirmer.",
        )
    return redirect(f"{reverse('teacher:bookings')}#reservation-{booking.pk}")
