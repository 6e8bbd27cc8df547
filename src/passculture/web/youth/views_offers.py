"""Offers near me (list) and an offer's page, where the young person books."""

import datetime as dt
import itertools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from passculture.bookings import selectors as booking_selectors
from passculture.bookings import services as booking_services
from passculture.bookings.models import BookingStatus
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.rules import department_name
from passculture.offers import catalogue, nearby, selectors
from passculture.offers.models import Offer, Stock
from passculture.stats import views_counter
from passculture.web.youth import display
from passculture.web.youth.access import youth_page
from passculture.web.youth.forms import BookForm, parse_search

PAGE_SIZE = 20


def _km(value: float | None) -> str:
    if value is None:
        return ""
    if value < 0.1:
        return "moins de 100 m"
    if value < 10:
        return f"{value:.1f}".replace(".", ",") + " km"
    return f"{value:.0f} km"


@youth_page
def offer_list(request):
    query = parse_search(request.GET, department_code=request.user.department_code)
    result = nearby.offers_near(query)
    page = Paginator(result.offers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for offer in page.object_list:
        sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
        next_date = getattr(offer, "next_date", None)
        min_price = getattr(offer, "min_price", None)
        rows.append(
            {
                "offer": offer,
                "category": sub.label if sub else "",
                "distance": _km(nearby.distance_km(offer, result.origin)),
                "online": nearby.location_of(offer) is None,
                "city": offer.address.city if offer.address_id else offer.venue.city,  # type: ignore[union-attr]
                "next_date": next_date if sub and sub.is_event else None,
                "price": (
                    ""
                    if min_price is None
                    else "Gratuit"
                    if min_price == 0
                    else f"dès {display.format_cents(min_price)}"
                ),
                "sold_out": not offer.has_bookable,  # type: ignore[attr-defined]
            }
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "youth/offer_list.html",
        {
            "page_title": "Offres près de chez moi",
            "page": page,
            "rows": rows,
            "query": query,
            "mode": result.mode,
            "department": department_name(query.department_code) if query.department_code else "",
            "categories": nearby.youth_categories(),
            "radii": nearby.RADII_KM,
            "params": params.urlencode(),
            "searching": bool(query.text or query.category_id),
            "geo_params": (
                urlencode({"lat": query.latitude, "lon": query.longitude})
                if query.geolocated
                else ""
            ),
        },
    )


def _stock_label(stock: Stock, is_event: bool) -> str:
    parts = []
    if is_event and stock.beginning_datetime:
        parts.append(f"{timezone.localtime(stock.beginning_datetime):%H:%M}")
    if stock.price_category_id:
        parts.append(stock.price_category.label)  # type: ignore[union-attr]
    parts.append("Gratuit" if stock.price == 0 else display.format_cents(stock.price))
    return " — ".join(parts)


def _bookable(stock: Stock, now: dt.datetime) -> bool:
    if stock.remaining is not None and stock.remaining <= 0:
        return False
    if stock.booking_limit_datetime is not None and stock.booking_limit_datetime <= now:
        return False
    return stock.beginning_datetime is None or stock.beginning_datetime > now


def _day_of(stock: Stock) -> dt.date | None:
    if stock.beginning_datetime is None:
        return None
    return timezone.localtime(stock.beginning_datetime).date()


def _days(stocks: list[Stock], *, is_event: bool, now: dt.datetime) -> list[dict[str, object]]:
    """Stocks grouped by local day, each with what the young person needs to choose."""
    days: list[dict[str, object]] = []
    for day, group in itertools.groupby(stocks, key=_day_of):
        rows = []
        for stock in group:
            remaining = stock.remaining
            rows.append(
                {
                    "stock": stock,
                    "label": _stock_label(stock, is_event),
                    "remaining": remaining,
                    "bookable": _bookable(stock, now),
                    "sold_out": remaining is not None and remaining <= 0,
                    "closed": stock.booking_limit_datetime is not None
                    and stock.booking_limit_datetime <= now,
                }
            )
        days.append({"label": display.long_date(day) if day else "", "stocks": rows})
    return days


def _offer_page(request, offer: Offer, form: BookForm | None = None, status: int = 200):
    sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
    now = clock.now()
    stocks = list(selectors.upcoming_stocks(offer, now)[:500])
    is_event = bool(sub and sub.is_event)
    days = _days(stocks, is_event=is_event, now=now)
    bookable = any(row["bookable"] for day in days for row in day["stocks"])  # type: ignore[attr-defined]
    credit = booking_selectors.credit_of(request.user)
    live_booking = (
        booking_selectors.bookings_of(request.user)
        .filter(offer=offer)
        .exclude(status=BookingStatus.CANCELLED)
        .first()
    )
    chosen = form["stock"].value() if form is not None else None
    if chosen is None:
        choices = [row["stock"].pk for day in days for row in day["stocks"] if row["bookable"]]  # type: ignore[attr-defined]
        chosen = choices[0] if len(choices) == 1 else None
    return render(
        request,
        "youth/offer_detail.html",
        {
            "page_title": offer.name,
            "offer": offer,
            "sub": sub,
            "is_event": is_event,
            "duo": offer.is_duo and bool(sub and sub.can_be_duo),
            "days": days,
            "form": form or BookForm(stock_ids=[]),
            "chosen_stock": str(chosen or ""),
            "chosen_quantity": str(form["quantity"].value() or "1") if form is not None else "1",
            "bookable": bookable,
            "has_credit": credit.deposit is not None,
            "balance": display.format_cents(credit.balance),
            "live_booking": live_booking,
            "place": display.place_of(offer),
            "distance": _km(nearby.distance_km(offer, _origin(request))),
            "withdrawal": catalogue.WITHDRAWAL_LABELS.get(offer.withdrawal_type, ""),
        },
        status=status,
    )


def _origin(request) -> tuple[float, float] | None:
    """The young person's position if the list passed it on, else their département's centre."""
    query = parse_search(request.GET, department_code=request.user.department_code)
    if query.latitude is not None and query.longitude is not None:
        return query.latitude, query.longitude
    return nearby.department_centre(request.user.department_code)


@youth_page
def offer_detail(request, offer_id: int):
    offer = get_scoped_or_404(selectors.public_offers(), pk=offer_id)
    if request.method != "POST":
        views_counter.record_view("offer", offer.pk, request)
        return _offer_page(request, offer)
    form = BookForm(
        request.POST, stock_ids=list(selectors.upcoming_stocks(offer).values_list("pk", flat=True))
    )
    if form.is_valid():
        try:
            booking = booking_services.book_offer(
                user=request.user,
                stock_id=form.cleaned_data["stock"],
                quantity=form.cleaned_data["quantity"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "C’est réservé ! Montrez cette contremarque à l’entrée.")
            return redirect("youth:booking", booking_id=booking.pk)
    return _offer_page(request, offer, form=form, status=400)
