from django.urls import path

from passculture.web.public import views

app_name = "public"
urlpatterns = [
    path("offres/<int:offer_id>/", views.offer_page, name="offer"),
    path("lieux/<int:venue_id>/", views.venue_page, name="venue"),
]
