"""Venues of a structure: create (with the map), edit, add a virtual venue."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.core.errors import DomainError
from passculture.offerers import selectors, services
from passculture.offerers.models import VenueType
from passculture.web.pro.access import pro_page
from passculture.web.pro.forms import VenueForm


def _render_form(request, form, offerer, venue=None):
    return render(
        request,
        "pro/venue_form.html",
        {
            "form": form,
            "offerer": offerer,
            "venue": venue,
            "tile_url": settings.MAP_TILE_URL,
            "page_title": f"Modifier {venue.display_name}" if venue else "Ajouter un lieu",
        },
    )


@pro_page("structures")
def venue_create(request, offerer_id: int):
    offerer = selectors.get_offerer_for_user(request.user, offerer_id)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.create_venue(actor=request.user, offerer=offerer, data=form.to_data())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"Le lieu « {venue.display_name} » est ajouté.")
            return redirect("pro:offerer_detail", offerer_id=offerer.pk)
    return _render_form(request, form, offerer)


@pro_page("structures")
def venue_edit(request, venue_id: int):
    venue = selectors.get_venue_for_user(request.user, venue_id)
    if venue.is_virtual:
        messages.info(request, "Le lieu numérique n’a pas d’adresse à modifier.")
        return redirect("pro:offerer_detail", offerer_id=venue.offerer_id)
    form = VenueForm(request.POST or None, initial=VenueForm.initial_from(venue))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_venue(actor=request.user, venue=venue, data=form.to_data())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"Le lieu « {venue.display_name} » est enregistré.")
            return redirect("pro:offerer_detail", offerer_id=venue.offerer_id)
    return _render_form(request, form, venue.offerer, venue)


@pro_page("structures")
@require_POST
def virtual_venue_create(request, offerer_id: int):
    offerer = selectors.get_offerer_for_user(request.user, offerer_id)
    try:
        services.create_venue(
            actor=request.user,
            offerer=offerer,
            data=services.VenueData(
                name=f"{offerer.name} — offres numériques",
                venue_type=VenueType.DIGITAL,
                is_virtual=True,
            ),
        )
        messages.success(
            request, "Le lieu numérique est créé : vous pourrez y rattacher vos offres en ligne."
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect("pro:offerer_detail", offerer_id=offerer.pk)
