"""Collective (school outings) pages of the pro portal: offers, requests, profile, bookings.

Every read is scoped through offerers.selectors.venues_for_user: another structure's
offer, request, venue or booking is a 404, never a 403.
"""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.collective import labels
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
)
from passculture.collective.services import offers as offer_services
from passculture.collective.services import profiles as profile_services
from passculture.core.errors import DomainError
from passculture.core.money import format_cents
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.rules import department_name
from passculture.offerers.selectors import venues_for_user
from passculture.offers.models import Validation
from passculture.web.pro.access import pro_page
from passculture.web.pro.collective_forms import (
    BOOKABLE,
    TEMPLATE,
    CollectiveOfferForm,
    PriceForm,
)

PAGE_SIZE = 20
KIND_LABELS = {TEMPLATE: "Vitrine", BOOKABLE: "Réservable"}
CANCELLABLE = {
    CollectiveBookingStatus.PENDING,
    CollectiveBookingStatus.CONFIRMED,
    CollectiveBookingStatus.USED,
}


# --- scoping: everything below starts from the user's venues --------------------------------


def _offers(user: Any) -> QuerySet[CollectiveOffer]:
    return CollectiveOffer.objects.filter(venue__in=venues_for_user(user))


def _offer_or_404(user: Any, offer_id: int) -> CollectiveOffer:
    return get_scoped_or_404(
        _offers(user).select_related("venue__offerer", "target_school", "template", "address"),
        pk=offer_id,
    )


def _requests(user: Any) -> QuerySet[CollectiveRequest]:
    return CollectiveRequest.objects.filter(template__venue__in=venues_for_user(user))


def _bookings(user: Any) -> QuerySet[CollectiveBooking]:
    return CollectiveBooking.objects.filter(offer__venue__in=venues_for_user(user))


# --- offers ---------------------------------------------------------------------------------


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


@pro_page("offers")
def offer_list(request):
    base = _offers(request.user)
    status = request.GET.get("statut", "")
    status = status if status in Validation.values else ""
    kind = request.GET.get("type", "")
    kind = kind if kind in KIND_LABELS else ""
    venue_id = _int(request.GET.get("lieu"))
    queryset = base.filter(archived_at__isnull=True)
    if status:
        queryset = queryset.filter(validation=status)
    if kind:
        queryset = queryset.filter(is_template=kind == TEMPLATE)
    if venue_id:
        queryset = queryset.filter(venue_id=venue_id)
    live = CollectiveBooking.objects.filter(offer=OuterRef("pk")).exclude(
        status=CollectiveBookingStatus.CANCELLED
    )
    queryset = (
        queryset.select_related("venue", "stock", "target_school")
        .annotate(
            request_count=Count("requests", distinct=True),
            booking_status=Subquery(live.values("status")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    status_labels = dict(Validation.choices)
    booking_labels = dict(CollectiveBookingStatus.choices)
    rows = []
    for offer in page.object_list:
        stock = getattr(offer, "stock", None) if not offer.is_template else None
        rows.append(
            {
                "offer": offer,
                "kind": KIND_LABELS[TEMPLATE if offer.is_template else BOOKABLE],
                "stock": stock,
                "price": format_cents(stock.price) if stock else "",
                "status": status_labels.get(offer.validation, offer.validation),
                "booking": booking_labels.get(getattr(offer, "booking_status", None) or "", ""),
            }
        )
    counts = dict(
        base.filter(archived_at__isnull=True)
        .values_list("validation")
        .annotate(n=Count("id"))
        .values_list("validation", "n")
    )
    venues = list(venues_for_user(request.user).filter(is_virtual=False))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pro/collective/list.html",
        {
            "page_title": "Offres collectives",
            "page": page,
            "rows": rows,
            "total": sum(counts.values()),
            "count_rows": [
                (label.lower(), counts.get(key, 0)) for key, label in Validation.choices
            ],
            "status_choices": Validation.choices,
            "kind_choices": list(KIND_LABELS.items()),
            "filters": {"status": status, "kind": kind, "venue_id": venue_id},
            "venues": venues,
            "query": query.urlencode(),
        },
    )


def _editor(
    request,
    form,
    *,
    title: str,
    answering: CollectiveRequest | None = None,
    offer: CollectiveOffer | None = None,
):
    return render(
        request,
        "pro/collective/edit.html",
        {"form": form, "page_title": title, "answering": answering, "offer": offer},
    )


@pro_page("offers")
def offer_create(request):
    venues = venues_for_user(request.user).filter(is_virtual=False)
    if not venues.exists():
        messages.info(
            request, "Ajoutez d’abord un lieu à votre structure pour y rattacher des offres."
        )
        return redirect("pro:offerers")
    kind = request.GET.get("type")
    initial: dict[str, Any] = {"kind": kind if kind in KIND_LABELS else BOOKABLE}
    form = CollectiveOfferForm(request.POST or None, venues=venues, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_services.create_collective_offer(
                actor=request.user,
                venue=form.cleaned_data["venue"],
                data=form.to_data(),
                stock=form.to_stock(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Brouillon enregistré. Vérifiez l’offre puis publiez-la.")
            return redirect("pro:collective_offer", offer_id=offer.pk)
    return _editor(request, form, title="Nouvelle offre collective")


@pro_page("offers")
def offer_edit(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    if offer.archived_at is not None:
        messages.error(request, "Une offre archivée ne se modifie pas : dupliquez-la.")
        return redirect("pro:collective_offer", offer_id=offer.pk)
    form = CollectiveOfferForm(
        request.POST or None,
        venues=venues_for_user(request.user).filter(pk=offer.venue_id),
        fixed_kind=TEMPLATE if offer.is_template else BOOKABLE,
        initial=CollectiveOfferForm.initial_from_offer(offer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer_services.update_collective_offer(
                actor=request.user, offer=offer, data=form.to_data(), stock=form.to_stock()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Modifications enregistrées.")
            return redirect("pro:collective_offer", offer_id=offer.pk)
    return _editor(request, form, title=f"Modifier « {offer.name} »", offer=offer)


@pro_page("offers")
@require_POST
def offer_activation(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    active = request.POST.get("active") == "1"
    try:
        offer_services.set_collective_offer_active(actor=request.user, offer=offer, active=active)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(
            request,
            "Offre réactivée : les enseignants la voient à nouveau."
            if active
            else "Offre désactivée : les enseignants ne la voient plus.",
        )
    return redirect("pro:collective_offer", offer_id=offer.pk)


@pro_page("offers")
@require_POST
def offer_archive(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    offer_services.archive_collective_offer(actor=request.user, offer=offer)
    messages.success(request, f"Offre archivée : « {offer.name} ».")
    return redirect("pro:collective_offers")


@pro_page("offers")
def offer_detail(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    stock = None if offer.is_template else getattr(offer, "stock", None)
    requests_ = []
    if offer.is_template:
        requests_ = list(
            _requests(request.user)
            .filter(template=offer)
            .select_related("school", "teacher", "answered_offer")
            .order_by("-created_at")
        )
    booking = (
        _bookings(request.user)
        .filter(offer=offer)
        .exclude(status=CollectiveBookingStatus.CANCELLED)
        .select_related("school", "teacher", "project")
        .first()
    )
    return render(
        request,
        "pro/collective/detail.html",
        {
            "page_title": offer.name,
            "offer": offer,
            "stock": stock,
            "price": format_cents(stock.price) if stock else "",
            "kind": KIND_LABELS[TEMPLATE if offer.is_template else BOOKABLE],
            "status": dict(Validation.choices).get(offer.validation, offer.validation),
            "domains": labels.label_list(offer.domains, labels.DOMAINS),
            "levels": labels.label_list(offer.levels, labels.LEVELS),
            "formats": labels.label_list(offer.formats, labels.FORMATS),
            "departments": [department_name(c) for c in offer.intervention_departments or []],
            "requests": requests_,
            "booking": booking,
            "price_form": PriceForm(initial=PriceForm.initial_from(stock)) if stock else None,
        },
    )


@pro_page("offers")
@require_POST
def offer_submit(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    try:
        offer = offer_services.submit_collective_offer(actor=request.user, offer=offer)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        if offer.validation == Validation.PENDING:
            messages.info(
                request, "Votre offre est envoyée : notre équipe la vérifie avant publication."
            )
        else:
            messages.success(request, "Votre offre est publiée auprès des enseignants.")
    return redirect("pro:collective_offer", offer_id=offer.pk)


@pro_page("offers")
@require_POST
def offer_duplicate(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    copy = offer_services.duplicate_collective_offer(actor=request.user, offer=offer)
    messages.success(
        request,
        f"Copie créée en brouillon : « {copy.name} »."
        + ("" if copy.is_template else " Ajoutez-lui une date : créez une offre réservable."),
    )
    return redirect("pro:collective_offer", offer_id=copy.pk)


@pro_page("offers")
@require_POST
def offer_price(request, offer_id: int):
    offer = _offer_or_404(request.user, offer_id)
    if offer.is_template or not hasattr(offer, "stock"):
        messages.error(request, "Une offre vitrine n’a pas de prix.")
        return redirect("pro:collective_offer", offer_id=offer.pk)
    form = PriceForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            offer_services.change_price(
                actor=request.user,
                offer=offer,
                price=form.cleaned_data["price"],
                price_detail=form.cleaned_data["price_detail"],
            )
        except DomainError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(
                request, f"Prix enregistré : {format_cents(form.cleaned_data['price'])}."
            )
    return redirect("pro:collective_offer", offer_id=offer.pk)


@pro_page("offers")
def request_answer(request, request_id: int):
    """Create a bookable offer answering a teacher's request on one of the venue's showcases."""
    req = get_scoped_or_404(
        _requests(request.user).select_related("template__venue__offerer", "school", "teacher"),
        pk=request_id,
    )
    template = req.template
    if req.answered_offer_id:
        messages.info(request, "Vous avez déjà répondu à cette demande.")
        return redirect("pro:collective_offer", offer_id=req.answered_offer_id)
    venues = venues_for_user(request.user).filter(pk=template.venue_id)
    form = CollectiveOfferForm(
        request.POST or None,
        venues=venues,
        fixed_kind=BOOKABLE,
        initial=CollectiveOfferForm.initial_from_template(template, req),
    )
    if request.method == "POST" and form.is_valid():
        stock = form.to_stock()
        assert stock is not None  # the kind is fixed to bookable
        try:
            offer = profile_services.answer_request(
                actor=request.user, request_id=req.pk, data=form.to_data(), stock=stock
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                f"Offre réservable créée pour {req.school.name}. Publiez-la : "
                "l’enseignant pourra alors la préréserver.",
            )
            return redirect("pro:collective_offer", offer_id=offer.pk)
    return _editor(
        request,
        form,
        title=f"Répondre à la demande de {req.school.name}",
        answering=req,
    )


# --- venue collective profile ---------------------------------------------------------------
