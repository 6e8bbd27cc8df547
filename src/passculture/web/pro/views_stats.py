"""Statistics page: views, bookings, conversion, fill rates and no-shows, with charts."""

from django.shortcuts import render

from passculture.core.scoping import get_scoped_or_404
from passculture.stats import charts, rules, selectors
from passculture.stats.exporters import invalid_dates, scope_from
from passculture.web.pro.access import pro_page

RATES = ("conversion", "cancellation_rate", "no_show_rate", "fill_rate")


def _formatted(rows: list[dict]) -> list[dict]:
    """Rates as French percentages ("12,5 %", "—" when undefined) for the tables."""
    for row in rows:
        for key in RATES:
            if key in row:
                row[f"{key}_fmt"] = rules.format_rate(row[key])
    return rows


@pro_page("stats")
def stats(request):
    scope = scope_from(request.GET)
    venues = list(selectors.venues(request.user))
    # Another structure's venue or offer in the URL: 404, never its figures.
    if scope.venue_id:
        get_scoped_or_404(selectors.venues(request.user), pk=scope.venue_id)
    if scope.offer_id:
        get_scoped_or_404(selectors.offers(request.user), pk=scope.offer_id)
    offers = list(selectors.offers(request.user, scope).values("pk", "name")[:500])
    offer_rows = selectors.per_offer(request.user, scope)
    split = selectors.breakdown(request.user, scope)
    daily = selectors.daily(request.user, scope)
    totals = selectors.per_venue(offer_rows, request.user)
    query = {"du": scope.start.isoformat(), "au": scope.end.isoformat()}
    if scope.venue_id:
        query["lieu"] = str(scope.venue_id)
    if scope.offer_id:
        query["offre"] = str(scope.offer_id)
    return render(
        request,
        "pro/stats/page.html",
        {
            "page_title": "Statistiques",
            "invalid_dates": invalid_dates(request.GET),
            "scope": scope,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "venues": venues,
            "offers": offers,
            "offer_rows": _formatted(offer_rows[:100]),
            "venue_rows": _formatted(totals),
            "bands": _formatted(split["bands"]),
            "departments": _formatted(split["departments"]),
            "daily": daily,
            "fill": _formatted(selectors.fill_rates(request.user, scope, limit=100)),
            "collective": _formatted(selectors.collective_breakdown(request.user, scope)),
            "collective_views": selectors.collective_views(request.user, scope),
            "bookings_chart": charts.bars(
                [b["label"] for b in split["bands"]], [b["bookings"] for b in split["bands"]]
            ),
            "no_show_chart": charts.bars(
                [b["label"] for b in split["bands"]],
                [b["no_show_rate"] for b in split["bands"]],
                [rules.format_rate(b["no_show_rate"]) for b in split["bands"]],
            ),
            "daily_chart": charts.lines(
                {
                    "views": [d["views"] for d in daily],
                    "bookings": [d["bookings"] for d in daily],
                }
            ),
        },
    )
