"""Notification pages: youth notices, one-click unsubscribe, venue settings, dev e-mails."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from passculture.notifications import notices, services, venue
from passculture.notifications.models import NotificationLog
from passculture.offerers import selectors as offerer_selectors
from passculture.web.forms import PageForm
from passculture.web.pro.access import pro_page
from passculture.web.youth.access import youth_page

CATEGORY_LABELS = {"reminder": "rappels", "digest": "récapitulatifs", "campaign": "suggestions"}


@youth_page
def notice_list(request):
    page = Paginator(notices.notices_of(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request, "notifications/notice_list.html", {"page_title": "Mes notifications", "page": page}
    )


@youth_page
@require_POST
def notice_read(request, notice_id: int | None = None):
    count = notices.mark_read(user=request.user, notice_id=notice_id)
    if notice_id is None:
        plural = "s" if count > 1 else ""
        messages.success(
            request, f"{count} notification{plural} marquée{plural} comme lue{plural}."
        )
    return redirect("youth:notices")


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from the mail client, without a token
def unsubscribe(request, token: str):
    try:
        _, category = services.read_unsubscribe_token(token)
    except signing.BadSignature:
        return HttpResponseBadRequest("Lien de désabonnement invalide.")
    label = CATEGORY_LABELS.get(category, category)
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"done": False, "label": label})


class VenueSettingsForm(PageForm):
    booking_emails_enabled = forms.BooleanField(
        label="Recevoir un e-mail à chaque nouvelle réservation", required=False
    )
    cancellation_emails_enabled = forms.BooleanField(
        label="Recevoir un e-mail à chaque annulation", required=False
    )
    digest_enabled = forms.BooleanField(
        label="Recevoir le récapitulatif quotidien des réservations", required=False
    )
    digest_hour = forms.TypedChoiceField(
        label="Heure du récapitulatif (heure de Paris)",
        choices=[(h, f"{h} h") for h in range(24)],
        coerce=int,
    )


@pro_page("structures")
def venue_settings(request, venue_id: int):
    place = offerer_selectors.get_venue_for_user(request.user, venue_id)
    current = venue.venue_settings(place.pk)
    initial = {name: getattr(current, name) for name in VenueSettingsForm.base_fields}
    form = VenueSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        venue.update_venue_settings(actor=request.user, venue_id=place.pk, data=form.cleaned_data)
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("pro:venue_notifications", venue_id=place.pk)
    return render(
        request,
        "notifications/venue_settings.html",
        {"page_title": f"Notifications — {place.display_name}", "venue": place, "form": form},
    )


def dev_emails(request):
    """The last e-mails sent, outside production only (embedded/test mode)."""
    if settings.PRODUCTION or not (request.user.is_authenticated or settings.DEBUG):
        raise Http404
    logs = list(NotificationLog.objects.order_by("-created_at", "-id")[:50])
    return render(request, "notifications/dev_emails.html", {"logs": logs})
