from django.urls import path

from passculture.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("o/<str:token>.gif", views.open_pixel, name="open"),
    path("<str:token>/", views.click, name="click"),
]
