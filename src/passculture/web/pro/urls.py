from django.urls import path

from passculture.web.pro import views_home, views_offerers, views_venues

app_name = "pro"
urlpatterns = [
    path("", views_home.home, name="home"),
    path("offres/", views_home.offers, name="offers"),
    path("reservations/", views_home.bookings, name="bookings"),
    path("statistiques/", views_home.stats, name="stats"),
    path("remboursements/", views_home.finance, name="finance"),
    path("integrations/", views_home.integrations, name="integrations"),
    path("structures/", views_offerers.offerer_list, name="offerers"),
    path("structures/nouvelle/", views_offerers.offerer_create, name="offerer_create"),
    path("structures/<int:offerer_id>/", views_offerers.offerer_detail, name="offerer_detail"),
    path("structures/<int:offerer_id>/membres/", views_offerers.member_list, name="members"),
    path(
        "structures/<int:offerer_id>/membres/<int:membership_id>/<str:action>/",
        views_offerers.member_action,
        name="member_action",
    ),
    path(
        "structures/<int:offerer_id>/lieux/nouveau/", views_venues.venue_create, name="venue_create"
    ),
    path(
        "structures/<int:offerer_id>/lieux/numerique/",
        views_venues.virtual_venue_create,
        name="virtual_venue_create",
    ),
    path("lieux/<int:venue_id>/", views_venues.venue_edit, name="venue_edit"),
]
