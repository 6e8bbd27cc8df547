"""An offer's own per-booking e-mail choice, overriding its venue's (SPEC §6)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from passculture.notifications import venue as venue_notifications
from passculture.offers import selectors
from passculture.web.forms import PageForm
from passculture.web.pro.access import pro_page

INHERIT, ON, OFF = "venue", "on", "off"
TO_VALUE = {INHERIT: None, ON: True, OFF: False}
FROM_VALUE = {value: key for key, value in TO_VALUE.items()}


def _choice(label: str, venue_wants: bool) -> forms.ChoiceField:
    as_venue = "oui" if venue_wants else "non"
    return forms.ChoiceField(
        label=label,
        choices=[
            (INHERIT, f"Comme le lieu (actuellement : {as_venue})"),
            (ON, "Oui, pour cette offre"),
            (OFF, "Non, pas pour cette offre"),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez une des options proposées."},
    )


class OfferMailForm(PageForm):
    def __init__(self, *args, venue_choices: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking_emails_enabled"] = _choice(
            "E-mail à chaque nouvelle réservation", venue_choices["booking_emails_enabled"]
        )
        self.fields["cancellation_emails_enabled"] = _choice(
            "E-mail à chaque annulation", venue_choices["cancellation_emails_enabled"]
        )

    def to_data(self) -> dict[str, bool | None]:
        return {name: TO_VALUE[value] for name, value in self.cleaned_data.items()}


@pro_page("offers")
def offer_notifications(request, offer_id: int):
    offer = selectors.get_offer_for_user(request.user, offer_id)
    own = venue_notifications.offer_settings(offer.pk)
    of_venue = venue_notifications.venue_settings(offer.venue_id)
    fields = venue_notifications.OFFER_FIELDS
    form = OfferMailForm(
        request.POST or None,
        venue_choices={name: getattr(of_venue, name) for name in fields},
        initial={name: FROM_VALUE[getattr(own, name)] for name in fields},
    )
    if request.method == "POST" and form.is_valid():
        venue_notifications.update_offer_settings(
            actor=request.user, offer=offer, data=form.to_data()
        )
        messages.success(request, "Vos choix d’e-mails pour cette offre sont enregistrés.")
        return redirect("pro:offer_notifications", offer_id=offer.pk)
    return render(
        request,
        "pro/offers/notifications.html",
        {
            "page_title": f"E-mails de réservation — {offer.name}",
            "offer": offer,
            "form": form,
            "address": offer.booking_email or offer.venue.booking_email,
        },
    )
