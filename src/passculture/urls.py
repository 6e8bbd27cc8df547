from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from passculture.api.adage.api import api as adage_api
from passculture.api.app import api as app_api
from passculture.api.public.api import api as public_api

admin.site.site_header = "passculture — back-office"
admin.site.site_title = "passculture back-office"
admin.site.index_title = "Validation, comptes, journal d’audit"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pro:home", permanent=False)),
    path("comptes/", include("passculture.web.auth.urls")),
    path("pro/", include("passculture.web.pro.urls")),
    path("jeunes/", include("passculture.web.youth.urls")),
    path("notifications/", include("passculture.web.notifications_urls")),
    path("enseignants/", include("passculture.web.teacher.urls")),
    path("backoffice/", admin.site.urls),
    path("c/", include("passculture.campaigns.urls")),  # campaign click tracking
    path("", include("passculture.web.public.urls")),
    path("api/app/v1/", include("passculture.api.app_v1.urls")),
    path("api/app/", app_api.urls),
    path("api/adage/v1/", adage_api.urls),
    # Partner API at the reference's own paths (/public/..., /v2/collective/...).
    path("", public_api.urls),
]
