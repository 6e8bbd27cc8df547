"""Pro home and the sections that open with later features."""

from django.shortcuts import render

from passculture.bookings import selectors as booking_selectors
from passculture.offerers import selectors
from passculture.web.pro.access import pro_page

RECENT_BOOKINGS = 50


@pro_page("home")
def home(request):
    offerers = list(selectors.offerers_with_counts(request.user))
    return render(
        request,
        "pro/home.html",
        {
            "page_title": "Accueil",
            "offerers": offerers,
            "pending": selectors.pending_memberships_of_user(request.user),
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


@pro_page("bookings")
def bookings(request):
    """The latest bookings of the pro's venues, each one a link to the door (guichet)."""
    rows = list(
        booking_selectors.venue_bookings(request.user).order_by("-created_at", "-id")[
            :RECENT_BOOKINGS
        ]
    )
    return render(
        request,
        "pro/door/bookings.html",
        {
            "page_title": "Réservations",
            "rows": rows,
            "limit": RECENT_BOOKINGS,
            "has_offerer": bool(rows) or selectors.offerers_for_user(request.user).exists(),
        },
    )


stats = _coming(
    "stats", "Statistiques", "Consultations, réservations et taux de remplissage de vos offres."
)
finance = _coming(
    "finance", "Remboursements", "Vos remboursements et justificatifs apparaîtront ici."
)
