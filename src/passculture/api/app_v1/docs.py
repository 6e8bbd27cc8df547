"""Interactive docs served offline: Swagger UI from django-ninja's own package files.

Ninja renders its local-asset page only when "ninja" is in INSTALLED_APPS and falls back
to a CDN page otherwise. Rather than depend on that setting (and on collectstatic), this
page and its few assets are served by the API itself: nothing loads from outside.
"""

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from ninja.openapi.docs import Swagger

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}
ASSET_URL_NAME = "api-app-v1-docs-asset"

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ api.title }}</title>
  <link rel="stylesheet" href="{{ css }}">
  <link rel="icon" href="{{ favicon }}" type="image/png">
</head>
<body data-csrf-token="" data-api-csrf="">
  <script type="application/json" id="swagger-settings">{{ swagger_settings|safe }}</script>
  <div id="swagger-ui"></div>
  <script src="{{ bundle }}"></script>
  <script src="{{ init }}"></script>
</body>
</html>"""


class OfflineSwagger(Swagger):
    """Swagger UI whose CSS and JavaScript come from this server, never from a CDN."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        # validatorUrl None: Swagger UI would otherwise call an online validator.
        settings = {**self.settings, "validatorUrl": None, "url": self.get_openapi_url(api, kwargs)}

        def asset(name: str) -> str:
            return reverse(ASSET_URL_NAME, args=[name])

        context = {
            "api": api,
            # "</" cannot close the <script> element the settings sit in.
            "swagger_settings": json.dumps(settings).replace("</", "<\\/"),
            "css": asset("swagger-ui.css"),
            "favicon": asset("favicon.png"),
            "bundle": asset("swagger-ui-bundle.js"),
            "init": asset("swagger-ui-init.js"),
        }
        html = engines["django"].from_string(PAGE).render(context, request)
        return HttpResponse(html)


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of Swagger UI's files from the installed django-ninja package (allow-list only)."""
    if name not in ASSETS:
        raise Http404("Fichier inconnu.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
