from django.urls import path

from passculture.web import views_notifications
from passculture.web.teacher import (
    views_catalogue,
    views_head,
    views_offer,
    views_partner,
    views_school,
)

app_name = "teacher"
urlpatterns = [
    path("", views_catalogue.catalogue_page, name="catalogue"),
    path("catalogue.json", views_catalogue.catalogue_json, name="catalogue_json"),
    path("offres/<int:offer_id>/", views_offer.offer_detail, name="offer"),
    path("offres/<int:offer_id>/prereserver/", views_offer.offer_prebook, name="prebook"),
    path("offres/<int:offer_id>/demande/", views_offer.offer_request, name="request"),
    path("offres/<int:offer_id>/favori/", views_offer.offer_favourite, name="favourite"),
    path("favoris/", views_school.favourites, name="favourites"),
    path("reservations/", views_school.bookings, name="bookings"),
    path(
        "reservations/<int:booking_id>/projet/",
        views_school.booking_project,
        name="booking_project",
    ),
    path("validation/", views_head.validation, name="validation"),
    path("validation/<int:booking_id>/confirmer/", views_head.booking_confirm, name="confirm"),
    path("validation/<int:booking_id>/refuser/", views_head.booking_refuse, name="refuse"),
    path("partenaires/<int:venue_id>/", views_partner.partner, name="partner"),
    *views_notifications.teacher.urls(),
]
