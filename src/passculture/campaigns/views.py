"""Click tracking: `/c/<signed token>/` counts the click, then opens the offer's page."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect

from passculture.campaigns import errors as e
from passculture.campaigns import services


def click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery = services.record_click(token=token)
    except e.BadClickToken as error:
        return HttpResponseBadRequest(error.text)
    return redirect("youth:offer", offer_id=delivery.campaign.offer_id)
