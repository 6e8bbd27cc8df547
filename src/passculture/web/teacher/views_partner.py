"""Partner page: a cultural venue's collective profile and all its offers in the catalogue."""

from django.shortcuts import render

from passculture.collective import catalogue, school_data
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.models import Venue
from passculture.web.teacher import display
from passculture.web.teacher.access import teacher_page


@teacher_page
def partner(request, venue_id: int):
    school = request.school_member.school
    venue: Venue = get_scoped_or_404(catalogue.partner_queryset(), pk=venue_id)
    profile = getattr(venue, "collective_profile", None)
    result = catalogue.search_catalogue(
        school=school, filters=catalogue.CatalogueFilters(), venue_id=venue.pk
    )
    return render(
        request,
        "teacher/partner.html",
        {
            "page_title": venue.display_name,
            "venue": venue,
            "profile": profile,
            "domains": display.labels(profile.domains, catalogue.DOMAINS) if profile else [],
            "levels": display.labels(profile.levels, catalogue.LEVELS) if profile else [],
            "formats": display.labels(profile.formats, catalogue.FORMATS) if profile else [],
            "area": display.departments(profile.intervention_departments, profile.all_metropole)
            if profile
            else "",
            "items": [display.row(r) for r in result.rows],
            "favourites": school_data.favourite_offer_ids(
                request.user, [r.id for r in result.rows]
            ),
        },
    )
