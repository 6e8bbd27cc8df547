"""Tracking: `/c/<token>/` counts the click then opens the offer; `/c/o/<token>.gif` is the
e-mail's open pixel."""

import base64
import contextlib

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from passculture.campaigns import errors as e
from passculture.campaigns import services

# The classic 1×1 transparent GIF (42 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery = services.record_click(token=token)
    except e.BadClickToken as error:
        return HttpResponseBadRequest(error.text)
    return redirect("youth:offer", offer_id=delivery.campaign.offer_id)


def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """Always the pixel: a mail client shows no error, and a bad token counts nothing."""
    with contextlib.suppress(e.BadClickToken):
        services.record_open(token=token)
    response = HttpResponse(PIXEL, content_type="image/gif")
    # Every load reaches us (a cached pixel would hide the open from a second device).
    add_never_cache_headers(response)
    response["Pragma"] = "no-cache"
    return response
