from django.urls import path

from passculture.campaigns import views

app_name = "campaigns"
urlpatterns = [path("<str:token>/", views.click, name="click")]
