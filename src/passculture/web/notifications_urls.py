from django.urls import path

from passculture.web import views_notifications

app_name = "notifications"
urlpatterns = [
    path("desabonnement/<str:token>/", views_notifications.unsubscribe, name="unsubscribe"),
]
