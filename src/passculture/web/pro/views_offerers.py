"""Structures: create or join one, see and edit it, manage its members."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers import selectors, services
from passculture.offerers.models import ValidationStatus
from passculture.web.pro.access import pro_page
from passculture.web.pro.forms import OffererEditForm, OffererForm


@pro_page("structures")
def offerer_list(request):
    offerers = selectors.offerers_with_counts(request.user).prefetch_related("venues")
    return render(
        request,
        "pro/offerer_list.html",
        {
            "page_title": "Structure & lieux",
            "offerers": offerers,
            "pending": selectors.pending_memberships_of_user(request.user),
        },
    )


@pro_page("structures")
def offerer_create(request):
    form = OffererForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.create_offerer(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if membership.status == ValidationStatus.PENDING:
                messages.info(
                    request,
                    f"La structure « {membership.offerer.name} » existe déjà : votre demande de "
                    "rattachement a été envoyée à ses membres.",
                )
                return redirect("pro:offerers")
            messages.success(
                request,
                f"La structure « {membership.offerer.name} » est créée. Elle sera vérifiée par "
                "notre équipe ; ajoutez dès maintenant vos lieux.",
            )
            return redirect("pro:offerer_detail", offerer_id=membership.offerer_id)
    return render(
        request, "pro/offerer_form.html", {"form": form, "page_title": "Ajouter une structure"}
    )


@pro_page("structures")
def offerer_detail(request, offerer_id: int):
    offerer = selectors.get_offerer_for_user(request.user, offerer_id)
    venues = list(offerer.venues.order_by("is_virtual", "name"))
    form = OffererEditForm(
        request.POST or None,
        initial={f: getattr(offerer, f) for f in ["name", "street", "postal_code", "city"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_offerer(actor=request.user, offerer=offerer, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Les informations de la structure sont enregistrées.")
            return redirect("pro:offerer_detail", offerer_id=offerer.pk)
    return render(
        request,
        "pro/offerer_detail.html",
        {
            "page_title": offerer.name,
            "offerer": offerer,
            "venues": venues,
            "has_virtual_venue": any(v.is_virtual for v in venues),
            "form": form,
        },
    )


@pro_page("structures")
def member_list(request, offerer_id: int):
    offerer = selectors.get_offerer_for_user(request.user, offerer_id)
    return render(
        request,
        "pro/members.html",
        {
            "page_title": f"Membres de {offerer.name}",
            "offerer": offerer,
            "memberships": selectors.members_of(offerer),
        },
    )


@pro_page("structures")
@require_POST
def member_action(request, offerer_id: int, membership_id: int, action: str):
    offerer = selectors.get_offerer_for_user(request.user, offerer_id)
    membership = get_scoped_or_404(offerer.memberships.select_related("user"), pk=membership_id)
    try:
        if action == "accepter":
            services.decide_membership(actor=request.user, membership=membership, approve=True)
            messages.success(request, f"{membership.user.full_name} a rejoint la structure.")
        elif action == "refuser":
            services.decide_membership(actor=request.user, membership=membership, approve=False)
            messages.info(request, f"La demande de {membership.user.full_name} est refusée.")
        elif action == "retirer":
            services.remove_membership(actor=request.user, membership=membership)
            messages.info(
                request, f"{membership.user.full_name} ne fait plus partie de la structure."
            )
            if membership.user_id == request.user.pk:
                return redirect("pro:offerers")
        else:
            messages.error(request, "Action inconnue.")
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect("pro:members", offerer_id=offerer.pk)
