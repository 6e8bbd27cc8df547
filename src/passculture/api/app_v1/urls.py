"""URLs under /api/app/v1/: the API itself and the offline assets of its docs page."""

from django.urls import path

from passculture.api.app_v1.api import api
from passculture.api.app_v1.docs import ASSET_URL_NAME, docs_asset

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name=ASSET_URL_NAME),
    path("", api.urls),
]
