"""Tariffs and dates of an offer: price categories, the multi-date editor, quantities."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offers import catalogue, rules, selectors, services
from passculture.offers.models import PriceCategoryLabel
from passculture.offers.services.stocks import offer_timezone
from passculture.web.pro.access import pro_page
from passculture.web.pro.offer_forms import (
    DateGeneratorForm,
    LocalDateTimeField,
    PriceCategoryForm,
    ThingStockForm,
)

STOCK_PAGE = 100


@pro_page("offers")
def offer_prices(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    form = PriceCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_price_category(actor=request.user, offer=offer, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"Tarif « {form.cleaned_data['label']} » ajouté.")
            return redirect("pro:offer_prices", offer_id=offer.pk)
    is_event = catalogue.get_subcategory(offer.subcategory_id).is_event
    return render(
        request,
        "pro/offers/prices.html",
        {
            "offer": offer,
            "form": form,
            "categories": offer.price_categories.all(),
            "is_event": is_event,
            "labels": PriceCategoryLabel.objects.filter(venue_id=offer.venue_id).values_list(
                "label", flat=True
            ),
            "page_title": f"Tarifs — {offer.name}",
            "step": "prices",
        },
    )


@pro_page("offers")
@require_POST
def price_update(request, offer_id: int, category_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    category = get_scoped_or_404(offer.price_categories.all(), pk=category_id)
    try:
        if request.POST.get("delete"):
            services.delete_price_category(actor=request.user, category=category)
            messages.success(request, f"Tarif « {category.label} » supprimé.")
        else:
            form = PriceCategoryForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            else:
                services.update_price_category(
                    actor=request.user, category=category, **form.cleaned_data
                )
                messages.success(
                    request, "Tarif modifié : les dates à venir prennent le nouveau prix."
                )
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect("pro:offer_prices", offer_id=offer.pk)


def _generator_dates(form: DateGeneratorForm, offer) -> tuple[list[dt.datetime], rules.Recurrence]:
    data = form.cleaned_data
    recurrence = rules.Recurrence(
        start=data["start"],
        end=data.get("end") or data["start"],
        weekdays=tuple(int(d) for d in data.get("weekdays") or ()),
        times=data["times"],
        exceptions=data.get("exceptions") or frozenset(),
    )
    return rules.expand_recurrence(recurrence, offer_timezone(offer)), recurrence


@pro_page("offers")
def offer_dates(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    sub = catalogue.get_subcategory(offer.subcategory_id)
    if not sub.is_event:
        return _thing_stock(request, offer)
    categories = list(offer.price_categories.all())
    form = DateGeneratorForm(request.POST or None, categories=categories)
    plan = None
    if request.method == "POST" and form.is_valid():
        beginnings, recurrence = _generator_dates(form, offer)
        ids = [int(i) for i in form.cleaned_data["price_categories"]]
        try:
            if request.POST.get("save"):
                created = services.create_event_stocks(
                    actor=request.user,
                    offer=offer,
                    beginnings=beginnings,
                    price_category_ids=ids,
                    quantity=form.cleaned_data["quantity"],
                    booking_limit_hours=form.cleaned_data["booking_limit_hours"],
                    rrule_text=recurrence.as_rrule_text(),
                )
                messages.success(request, f"{len(created)} date(s) × tarif(s) enregistrée(s).")
                return redirect("pro:offer_dates", offer_id=offer.pk)
            plan = services.plan_event_stocks(
                offer=offer, beginnings=beginnings, price_category_ids=ids
            )
        except DomainError as exc:
            form.add_domain_error(exc)
    stocks = selectors.stocks_of(offer)
    page = Paginator(stocks, STOCK_PAGE).get_page(request.GET.get("page"))
    context = {
        "offer": offer,
        "form": form,
        "plan": plan,
        "page": page,
        "categories": categories,
        "new_count": sum(1 for p in plan if not p.exists) if plan else 0,
        "tz": offer_timezone(offer),
        "page_title": f"Dates — {offer.name}",
        "step": "dates",
        "total": stocks.count(),
    }
    if request.htmx and plan is not None or (request.htmx and form.errors):
        return render(request, "pro/offers/_plan.html", context)
    return render(request, "pro/offers/dates.html", context)


def _thing_stock(request, offer):
    stock = selectors.stocks_of(offer).first()
    initial = {}
    if stock:
        initial = {
            "price": f"{stock.price / 100:.2f}".replace(".", ","),
            "quantity": stock.quantity,
        }
    form = ThingStockForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_thing_stock(actor=request.user, offer=offer, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Stock enregistré.")
            return redirect("pro:offer_preview", offer_id=offer.pk)
    return render(
        request,
        "pro/offers/thing_stock.html",
        {
            "offer": offer,
            "form": form,
            "stock": stock,
            "page_title": f"Stock — {offer.name}",
            "step": "dates",
        },
    )


@pro_page("offers")
@require_POST
def quantities_update(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    quantities: dict[int, int | None] = {}
    for key, value in request.POST.items():
        if not key.startswith("qty-"):
            continue
        pk_text = key.removeprefix("qty-")
        text = value.strip()
        if not pk_text.isdigit() or (text and not text.isdigit()):
            messages.error(
                request, "Les quantités sont des nombres entiers positifs (vide = illimité)."
            )
            return redirect("pro:offer_dates", offer_id=offer.pk)
        quantities[int(pk_text)] = int(text) if text else None
    try:
        changed = services.update_stock_quantities(
            actor=request.user, offer=offer, quantities=quantities
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(request, f"{changed} quantité(s) modifiée(s).")
    return redirect(f"{request.path.rsplit('quantites/', 1)[0]}?page={request.POST.get('page', 1)}")


@pro_page("offers")
@require_POST
def date_action(request, offer_id: int, stock_id: int):
    """Move or delete the date of a stock (every tariff of that date together)."""
    offer = selectors.get_offer_for_user(request.user, offer_id)
    stock = get_scoped_or_404(
        selectors.stocks_of(offer).filter(beginning_datetime__isnull=False), pk=stock_id
    )
    beginning = stock.beginning_datetime
    assert beginning is not None  # filtered above: only event dates move
    try:
        if request.POST.get("delete"):
            count = services.delete_date(actor=request.user, offer=offer, beginning=beginning)
            messages.success(
                request,
                f"Date supprimée ({count} tarif(s)) ; "
                "les réservations sont annulées et remboursées.",
            )
        else:
            new = LocalDateTimeField().clean(request.POST.get("new_beginning"))
            if new is None:
                raise DomainError("Indiquez la nouvelle date et heure.")
            services.move_date(
                actor=request.user,
                offer=offer,
                beginning=beginning,
                new_beginning=new,
            )
            messages.success(
                request, "Date déplacée ; les personnes qui ont réservé sont prévenues."
            )
    except DomainError as exc:
        messages.error(request, exc.text)
    except ValidationError as exc:  # unreadable date typed in the move form
        messages.error(request, "Date invalide : " + " ".join(exc.messages))
    return redirect("pro:offer_dates", offer_id=offer.pk)
