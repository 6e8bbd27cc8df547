"""The catalogue: a list and a Leaflet map in one page, kept in sync through a JSON endpoint."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from passculture.collective import catalogue, school_data
from passculture.web.teacher import display
from passculture.web.teacher.access import teacher_page
from passculture.web.teacher.forms import CatalogueForm

# Where the map starts when the school has no coordinates: metropolitan France.
FRANCE = (46.6, 2.4)


def _search(request):
    school = request.school_member.school
    form = CatalogueForm(request.GET or None)
    filters = form.filters(school)
    result = catalogue.search_catalogue(school=school, filters=filters)
    favourites = school_data.favourite_offer_ids(
        request.user, [r.id for r in result.rows[: catalogue.LIST_LIMIT]]
    )
    context = {
        "items": [display.row(r) for r in result.rows[: catalogue.LIST_LIMIT]],
        "result": result,
        "favourites": favourites,
        "form": form,
        "searching": form.searching,
        "bounded": filters.bounds is not None,
        "list_limit": catalogue.LIST_LIMIT,
        "map_limit": catalogue.MAP_LIMIT,
    }
    return school, form, result, context


@teacher_page
def catalogue_page(request):
    school, form, result, context = _search(request)
    centre = result.origin or FRANCE
    context.update(
        {
            "page_title": "Catalogue des offres collectives",
            "school": school,
            "map": {
                "lat": f"{centre[0]:.5f}",
                "lon": f"{centre[1]:.5f}",
                "zoom": 11 if result.origin else 6,
                "tile_url": settings.MAP_TILE_URL,
                "json_url": reverse("teacher:catalogue_json"),
                "offer_url": reverse("teacher:offer", args=[0]),
                "has_school": result.origin is not None,
            },
        }
    )
    return render(request, "teacher/catalogue.html", context)


@teacher_page
def catalogue_json(request):
    """The rows inside the map's bounds and the filters: markers plus the list's HTML."""
    _, form, result, context = _search(request)
    return JsonResponse(
        {
            "count": result.count,
            "truncated": result.truncated,
            "markers": [display.marker(r) for r in result.rows if r.latitude is not None],
            # Rendered without the request: no context processor queries for a fragment.
            "html": render_to_string("teacher/_results.html", context),
            "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
        }
    )
