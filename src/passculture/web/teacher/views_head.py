"""The head of school's validation page: confirm or refuse the school's pre-bookings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.collective import rules, school_data
from passculture.collective.models import CollectiveBookingStatus
from passculture.collective.services import bookings as booking_services
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.web.teacher.access import head_page
from passculture.web.teacher.views_school import booking_rows, budget_context


@head_page
def validation(request):
    school = request.school_member.school
    now = clock.now()
    confirmed = [
        b
        for b in school_data.bookings_of_school(school)
        .filter(status=CollectiveBookingStatus.CONFIRMED)
        .order_by("stock__start_datetime", "id")
        if rules.can_refuse_confirmed(now=now, start=b.stock.start_datetime)
    ]
    return render(
        request,
        "teacher/validation.html",
        {
            "page_title": "Validation des réservations",
            "school": school,
            "pending": booking_rows(school_data.pending_for_head(school)),
            "confirmed": booking_rows(confirmed),
            "budgets": budget_context(school),
        },
    )


@head_page
@require_POST
def booking_confirm(request, booking_id: int):
    school = request.school_member.school
    booking = get_scoped_or_404(school_data.bookings_of_school(school), pk=booking_id)
    try:
        booking = booking_services.confirm(head=request.user, booking_id=booking.pk)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(
            request,
            f"Réservation « {booking.offer.name} » confirmée : {format_cents(booking.price)} "
            f"engagés sur le budget {booking.year.code}.",
        )
    return redirect("teacher:validation")


@head_page
@require_POST
def booking_refuse(request, booking_id: int):
    school = request.school_member.school
    booking = get_scoped_or_404(school_data.bookings_of_school(school), pk=booking_id)
    try:
        booking = booking_services.refuse(
            head=request.user, booking_id=booking.pk, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(
            request,
            f"Réservation « {booking.offer.name} » refusée : la structure et l’enseignant "
            "sont prévenus par e-mail.",
        )
    return redirect("teacher:validation")
