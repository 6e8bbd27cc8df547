"""Pro home and the sections that open with later features."""

from django.shortcuts import render

from passculture.offerers import selectors
from passculture.stats import charts, rules
from passculture.stats import selectors as stats_selectors
from passculture.web.pro.access import pro_page


@pro_page("home")
def home(request):
    offerers = list(selectors.offerers_with_counts(request.user))
    board = stats_selectors.dashboard(request.user) if offerers else {}
    trend = stats_selectors.weekly_no_show(request.user) if offerers else []
    for week in trend:
        week["label"] = f"semaine du {week['week']:%d/%m} : {rules.format_rate(week['rate'])}"
    return render(
        request,
        "pro/home.html",
        {
            "page_title": "Accueil",
            "offerers": offerers,
            "pending": selectors.pending_memberships_of_user(request.user),
            "board": board,
            "trend": trend,
            # No point drawn when no week has a rate: a flat line would read as 0 %.
            "trend_points": charts.sparkline([week["rate"] for week in trend])
            if any(week["rate"] is not None for week in trend)
            else "",
            "trend_last": rules.format_rate(trend[-1]["rate"]) if trend else "—",
        },
    )


def _coming(section: str, title: str, text: str):
    @pro_page(section)
    def view(request):
        has_offerer = selectors.offerers_for_user(request.user).exists()
        return render(
            request,
            "pro/coming.html",
            {"page_title": title, "text": text, "has_offerer": has_offerer},
        )

    return view


finance = _coming(
    "finance", "Remboursements", "Vos remboursements et justificatifs apparaîtront ici."
)
