from django.urls import path

from passculture.web import views_notifications
from passculture.web.youth import views_account, views_bookings, views_home, views_offers

app_name = "youth"
urlpatterns = [
    path("", views_home.home, name="home"),
    path("inscription/", views_account.signup, name="signup"),
    path("identite/", views_account.identity, name="identity"),
    path("compte/", views_account.account, name="account"),
    path("compte/residence/", views_account.residence, name="residence"),
    path("compte/suggestions/", views_account.marketing, name="marketing"),
    path("offres/", views_offers.offer_list, name="offers"),
    path("offres/<int:offer_id>/", views_offers.offer_detail, name="offer"),
    path("reservations/", views_bookings.booking_list, name="bookings"),
    path("reservations/<int:booking_id>/", views_bookings.booking_detail, name="booking"),
    path(
        "reservations/<int:booking_id>/annuler/",
        views_bookings.booking_cancel,
        name="booking_cancel",
    ),
    *views_notifications.youth.urls(),
    path("dev/emails/", views_notifications.dev_emails, name="dev_emails"),
]
