"""Public read-only pages: an offer, and a venue (the cultural partner's page)."""

from django.http import Http404
from django.shortcuts import render

from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.models import ValidationStatus, Venue
from passculture.offers import catalogue, selectors
from passculture.stats import views_counter


def offer_page(request, offer_id: int):
    offer = get_scoped_or_404(selectors.public_offers(), pk=offer_id)
    views_counter.record_view("offer", offer.pk, request)
    return render(
        request,
        "public/offer.html",
        {
            "offer": offer,
            "sub": catalogue.SUBCATEGORIES.get(offer.subcategory_id),
            "stocks": selectors.upcoming_stocks(offer)[:200],
            "status": selectors.status_of(offer),
            "withdrawal_label": catalogue.WITHDRAWAL_LABELS.get(offer.withdrawal_type, ""),
            "page_title": offer.name,
        },
    )


def venue_page(request, venue_id: int):
    venues = Venue.objects.filter(offerer__validation_status=ValidationStatus.VALIDATED)
    venue = get_scoped_or_404(venues.select_related("offerer"), pk=venue_id)
    offers = selectors.public_offers().filter(venue=venue).order_by("name")
    if venue.is_virtual and not offers:
        raise Http404("Lieu introuvable.")
    return render(
        request,
        "public/venue.html",
        {
            "venue": venue,
            "offers": offers,
            "page_title": venue.display_name,
        },
    )
