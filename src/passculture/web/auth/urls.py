from django.urls import path

from passculture.web.auth import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("verifier/<str:token>/", views.verify_email, name="verify_email"),
    path("verifier-renvoyer/", views.resend_verification, name="resend_verification"),
    path("mot-de-passe/", views.password_reset, name="password_reset"),
    path("mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("mot-de-passe/termine/", views.password_reset_complete, name="password_reset_complete"),
]
