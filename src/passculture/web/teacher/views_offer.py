"""Offer page: details, place, date and price; pre-booking, request on a showcase, favourite."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from passculture.collective import catalogue, school_data
from passculture.collective.services import bookings as booking_services
from passculture.collective.services import favourites as favourite_services
from passculture.collective.services import offers as offer_services
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.stats import views_counter
from passculture.web.teacher import display
from passculture.web.teacher.access import teacher_page
from passculture.web.teacher.forms import RequestForm


def _offer(offer_id: int):
    return get_scoped_or_404(catalogue.offer_queryset(), pk=offer_id)


def _page(request, offer, form=None, status=200):
    school = request.school_member.school
    stock = getattr(offer, "stock", None)
    booking = catalogue.live_booking_on(offer) if not offer.is_template else None
    now = clock.now()
    targeted_elsewhere = offer.target_school_id not in (None, school.pk)
    if offer.is_template:
        state = "template"
    elif booking is not None:
        state = "mine" if booking.school_id == school.pk else "taken"
    elif stock is None or stock.booking_limit_datetime < now:
        state = "closed"
    else:
        state = "open"
    origin = catalogue.school_position(school)
    where = _position(offer)
    km = catalogue.haversine_km(*origin, *where) if origin and where else None
    profile = getattr(offer.venue, "collective_profile", None)
    return render(
        request,
        "teacher/offer.html",
        {
            "page_title": offer.name,
            "offer": offer,
            "stock": stock,
            "school": school,
            "state": state,
            "booking": booking,
            "targeted_elsewhere": targeted_elsewhere,
            "start": display.when(stock.start_datetime) if stock else "",
            "end": display.when(stock.end_datetime) if stock else "",
            "limit": display.when(stock.booking_limit_datetime) if stock else "",
            "price": format_cents(stock.price) if stock else "",
            "location": display.location(offer, school),
            "transport": display.TRANSPORT,
            "distance": display.distance(km),
            "domains": display.labels(offer.domains, catalogue.DOMAINS),
            "levels": display.labels(offer.levels, catalogue.LEVELS),
            "formats": display.labels(offer.formats, catalogue.FORMATS),
            "profile": profile,
            "is_favourite": bool(school_data.favourite_offer_ids(request.user, [offer.pk])),
            "form": form or (RequestForm() if offer.is_template else None),
        },
        status=status,
    )


def _position(offer) -> tuple[float, float] | None:
    place = offer.venue
    if offer.location_type != "school" and offer.address is not None:
        place = offer.address
    if place.latitude is None or place.longitude is None:
        return None
    return float(place.latitude), float(place.longitude)


@teacher_page
def offer_detail(request, offer_id: int):
    offer = _offer(offer_id)
    views_counter.record_view("collective_offer", offer.pk, request)
    return _page(request, offer)


@teacher_page
@require_POST
def offer_prebook(request, offer_id: int):
    offer = _offer(offer_id)
    try:
        booking = booking_services.prebook(teacher=request.user, offer_id=offer.pk)
    except DomainError as exc:
        messages.error(request, exc.text)
        return redirect("teacher:offer", offer_id=offer.pk)
    messages.success(
        request,
        f"Offre « {offer.name} » préréservée. Rattachez-la maintenant à un projet EAC : "
        "votre chef d’établissement pourra ensuite la confirmer.",
    )
    return redirect(f"{reverse('teacher:bookings')}#reservation-{booking.pk}")


@teacher_page
@require_POST
def offer_request(request, offer_id: int):
    offer = _offer(offer_id)
    form = RequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            offer_services.request_offer(
                teacher=request.user, school=request.school_member.school, template=offer,
                requested_date=data["requested_date"],
                number_of_pupils=data["number_of_pupils"], message=data["message"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                f"Votre demande est envoyée à {offer.venue.display_name} : "
                "la structure vous répondra par e-mail ou en créant une offre pour votre classe.",
            )
            return redirect("teacher:offer", offer_id=offer.pk)
    return _page(request, offer, form=form, status=400)


@teacher_page
@require_POST
def offer_favourite(request, offer_id: int):
    offer = _offer(offer_id)
    try:
        if request.POST.get("action") == "remove":
            favourite_services.remove_favourite(user=request.user, offer_id=offer.pk)
            messages.success(request, f"« {offer.name} » est retirée de vos favoris.")
        else:
            favourite_services.add_favourite(user=request.user, offer_id=offer.pk)
            messages.success(request, f"« {offer.name} » est ajoutée à vos favoris.")
    except DomainError as exc:
        messages.error(request, exc.text)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("teacher:offer", offer_id=offer.pk)
