"""Offer pages of the pro portal: list, editor (with autosave), preview, lifecycle actions."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from passculture.core.errors import DomainError
from passculture.offerers.selectors import venues_for_user
from passculture.offers import catalogue, rules, selectors, services
from passculture.offers.models import Validation
from passculture.web.pro.access import pro_page
from passculture.web.pro.offer_forms import OfferForm

PAGE_SIZE = 20


def _filters(request) -> selectors.OfferFilters:
    get = request.GET
    venue = get.get("lieu", "")
    return selectors.OfferFilters(
        text=get.get("q", "").strip()[:100],
        status=get.get("statut", "") if get.get("statut", "") in rules.STATUS_LABELS else "",
        venue_id=int(venue) if venue.isdigit() else None,
        category_id=get.get("categorie", "")
        if get.get("categorie", "") in catalogue.CATEGORIES
        else "",
        date_from=_date(get.get("du")),
        date_to=_date(get.get("au")),
    )


def _date(text: str | None):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@pro_page("offers")
def offer_list(request):
    base = selectors.offers_for_user(request.user)
    filters = _filters(request)
    queryset = selectors.filter_offers(selectors.annotate_offers(base), filters)
    queryset = queryset.select_related("venue").order_by("-created_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for offer in page.object_list:
        sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
        seats, booked = getattr(offer, "seats", None), getattr(offer, "booked", None)
        rate = rules.fill_rate(booked or 0, seats) if seats else None
        status = selectors.status_of(offer, now)
        rows.append(
            {
                "offer": offer,
                "sub": sub,
                "status": status,
                "status_label": rules.STATUS_LABELS[status],
                "rate": rate,
            }
        )
    counts = dict(
        base.filter(archived_at__isnull=True)
        .values_list("validation")
        .annotate(n=Count("id"))
        .values_list("validation", "n")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pro/offers/list.html",
        {
            "page_title": "Offres",
            "page": page,
            "rows": rows,
            "filters": filters,
            "counts": counts,
            "total": sum(counts.values()),
            "status_labels": rules.STATUS_LABELS,
            "venues": venues_for_user(request.user),
            "categories": catalogue.CATEGORIES.values(),
            "query": query.urlencode(),
            "has_venue": venues_for_user(request.user).exists(),
            "count_rows": [
                (label.lower(), counts.get(key, 0)) for key, label in Validation.choices
            ],
        },
    )


def _editor(request, form, offer=None, status=200):
    return render(
        request,
        "pro/offers/edit.html",
        {
            "form": form,
            "offer": offer,
            "page_title": offer.name if offer else "Nouvelle offre",
            "step": "details",
            "tile_url": settings.MAP_TILE_URL,
        },
        status=status,
    )


@pro_page("offers")
def offer_create(request):
    venues = venues_for_user(request.user)
    if not venues.exists():
        messages.info(
            request, "Ajoutez d’abord un lieu à votre structure pour y rattacher des offres."
        )
        return redirect("pro:offerers")
    initial = {"venue": request.GET.get("lieu")} if request.GET.get("lieu") else {}
    form = OfferForm(request.POST or None, venues=venues, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(
                actor=request.user, venue=form.cleaned_data["venue"], data=form.to_data()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Brouillon enregistré. Ajoutez maintenant les tarifs.")
            return redirect("pro:offer_prices", offer_id=offer.pk)
    return _editor(request, form)


@pro_page("offers")
def offer_edit(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    venues = venues_for_user(request.user)
    form = OfferForm(
        request.POST or None,
        venues=venues,
        initial=OfferForm.initial_from(offer),
        subcategory_id=offer.subcategory_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_offer(
                actor=request.user,
                offer=offer,
                data=form.to_data(),
                venue=form.cleaned_data["venue"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Les informations de l’offre sont enregistrées.")
            return redirect(
                "pro:offer_prices" if offer.validation == Validation.DRAFT else "pro:offer_edit",
                offer_id=offer.pk,
            )
    return _editor(request, form, offer)


@pro_page("offers")
@require_POST
def offer_autosave(request, offer_id: int):
    """HTMX: save a draft as it is typed; answer with a one-line status."""
    offer = selectors.get_offer_for_user(request.user, offer_id)
    if offer.validation != Validation.DRAFT:
        return HttpResponse("")
    form = OfferForm(
        request.POST, venues=venues_for_user(request.user), subcategory_id=offer.subcategory_id
    )
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return HttpResponse(
            f'<p class="fr-message fr-message--info">Brouillon non enregistré : {first}</p>'
        )
    try:
        services.update_offer(
            actor=request.user, offer=offer, data=form.to_data(), venue=form.cleaned_data["venue"]
        )
    except DomainError as exc:
        return HttpResponse(
            f'<p class="fr-message fr-message--info">Brouillon non enregistré : {exc.text}</p>'
        )
    now = timezone.localtime()
    return HttpResponse(
        f'<p class="fr-message fr-message--valid">Brouillon enregistré à {now:%H:%M:%S}</p>'
    )


@pro_page("offers")
def extra_fields(request):
    """HTMX: the subcategory-specific fields when the category changes."""
    form = OfferForm(
        venues=venues_for_user(request.user), subcategory_id=request.GET.get("subcategory_id", "")
    )
    return render(request, "pro/offers/_extra_fields.html", {"form": form})


@pro_page("offers")
def offer_preview(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    status = selectors.status_of(offer)
    return render(
        request,
        "pro/offers/preview.html",
        {
            "offer": offer,
            "sub": catalogue.SUBCATEGORIES.get(offer.subcategory_id),
            "status": status,
            "status_label": rules.STATUS_LABELS[status],
            "stocks": selectors.stocks_of(offer)[:50],
            "page_title": f"Aperçu — {offer.name}",
            "step": "preview",
            "withdrawal_label": catalogue.WITHDRAWAL_LABELS.get(offer.withdrawal_type, ""),
            "extra": _extra_display(offer),
        },
    )


def _extra_display(offer) -> list[tuple[str, str]]:
    sub = catalogue.SUBCATEGORIES.get(offer.subcategory_id)
    if sub is None:
        return []
    out = []
    for field in sub.extra_fields:
        value = (offer.extra_data or {}).get(field.name)
        if value:
            out.append((field.label, catalogue.field_choices(sub, field).get(value, value)))
    return out


@pro_page("offers")
@require_POST
def offer_submit(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    try:
        offer = services.submit_offer(actor=request.user, offer=offer)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        if offer.validation == Validation.PENDING:
            messages.info(
                request,
                "Votre offre est envoyée : notre équipe la vérifie avant publication. "
                "Vous recevrez un e-mail.",
            )
        else:
            messages.success(request, "Votre offre est publiée.")
    return redirect("pro:offer_preview", offer_id=offer.pk)


@pro_page("offers")
@require_POST
def offer_toggle(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    active = request.POST.get("active") == "1"
    try:
        services.set_offer_active(actor=request.user, offer=offer, active=active)
        messages.success(
            request,
            "L’offre est réactivée."
            if active
            else "L’offre est désactivée : plus aucune réservation possible.",
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect("pro:offer_preview", offer_id=offer.pk)


@pro_page("offers")
@require_POST
def offer_archive(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    services.archive_offer(actor=request.user, offer=offer)
    messages.success(request, f"L’offre « {offer.name} » est archivée.")
    return redirect("pro:offers")


@pro_page("offers")
@require_POST
def offer_duplicate(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    with_stocks = request.POST.get("with_stocks") == "on"
    try:
        amount = int(request.POST.get("shift_amount") or 0)
    except ValueError:
        amount = -1
    unit = 7 if request.POST.get("shift_unit") == "weeks" else 1
    if not 0 <= amount <= 520:
        messages.error(
            request, "Décalage invalide : un nombre entier de jours ou de semaines (0 à 520)."
        )
        return redirect("pro:offer_preview", offer_id=offer.pk)
    copy = services.duplicate_offer(
        actor=request.user, offer=offer, with_stocks=with_stocks, shift_days=amount * unit
    )
    messages.success(
        request, f"Copie créée en brouillon : « {copy.name} ». Vérifiez-la puis publiez-la."
    )
    return redirect("pro:offer_preview", offer_id=copy.pk)


@pro_page("offers")
@require_POST
def offer_image(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, "Choisissez une image (JPEG, PNG ou WebP).")
    else:
        try:
            services.set_offer_image(
                actor=request.user,
                offer=offer,
                upload=upload,
                credit=request.POST.get("credit", ""),
            )
            messages.success(request, "Image enregistrée.")
        except DomainError as exc:
            messages.error(request, exc.text)
    return redirect("pro:offer_preview", offer_id=offer.pk)
