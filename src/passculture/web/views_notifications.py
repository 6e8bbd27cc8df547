"""Notification pages: notices and preferences in each space, one-click unsubscribe,
venue settings, dev e-mails."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from passculture.notifications import notices, preferences, services, venue
from passculture.notifications.models import NotificationLog
from passculture.offerers import selectors as offerer_selectors
from passculture.web.forms import PageForm
from passculture.web.pro.access import pro_page
from passculture.web.teacher.access import teacher_page
from passculture.web.youth.access import youth_page

CATEGORY_LABELS = {"reminder": "rappels", "digest": "récapitulatifs", "campaign": "suggestions"}

# Label and one sentence of explanation per optional category (preferences page).
CATEGORY_TEXTS = {
    "reminder": (
        "Rappels",
        "Avant vos sorties (3 jours avant et la veille), avant l’expiration de vos "
        "réservations de biens à retirer et quand votre crédit arrive bientôt à expiration.",
    ),
    "campaign": (
        "Suggestions d’offres près de chez vous",
        "De temps en temps, des offres avec encore beaucoup de places près de chez vous. "
        "Cocher cette case vaut accord pour les recevoir.",
    ),
}

View = Callable[..., Any]


@dataclass(frozen=True)
class Space:
    """What differs between the youth, pro and teacher notification pages."""

    namespace: str
    base_template: str
    guard: Callable[[View], View]  # the space's access decorator
    always_sent: str  # the transactional messages of this space, for the preferences page


YOUTH = Space(
    "youth",
    "youth/base.html",
    youth_page,
    "Les messages sur vos réservations (confirmation, annulation, changement de date), "
    "votre crédit et la sécurité de votre compte vous sont toujours envoyés.",
)
PRO = Space(
    "pro",
    "web/base.html",
    pro_page("notifications"),
    "Les messages sur vos offres (résultat de la validation, seuils de places atteints), "
    "vos réservations, vos exports et la sécurité de votre compte vous sont toujours envoyés.",
)
TEACHER = Space(
    "teacher",
    "teacher/base.html",
    teacher_page,
    "Les messages sur les réservations de votre établissement (confirmation, refus, "
    "annulation) et la sécurité de votre compte vous sont toujours envoyés.",
)


class StrictCheckboxInput(forms.CheckboxInput):
    def value_from_datadict(self, data, files, name):
        return data.get(name)  # the raw value: the field refuses what a checkbox never sends


class ChoiceBox(forms.Field):
    """A checkbox that is on ("on"/"true"/"1"), off (absent/empty/"false"/"0") or invalid."""

    widget = StrictCheckboxInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            template_name="dsfr/form_field_snippets/checkbox_snippet.html",
            **kwargs,
        )

    def to_python(self, value: Any) -> bool:
        if value in (None, "", "false", "0", False):
            return False
        if value in ("on", "true", "1", True):
            return True
        raise ValidationError("Choix invalide : cochez ou décochez la case.")


class PreferencesForm(PageForm):
    """One checkbox per optional category the user may choose."""

    def __init__(self, *args: Any, categories: tuple[str, ...], **kwargs: Any) -> None:
        self.categories = categories
        super().__init__(*args, **kwargs)
        for category in categories:
            label, hint = CATEGORY_TEXTS[category]
            self.fields[category] = ChoiceBox(label=label, help_text=hint)

    def clean(self) -> dict[str, Any]:
        # A category that exists but is not offered here must not be silently ignored.
        if any(key in services.CATEGORIES and key not in self.categories for key in self.data):
            raise ValidationError("Ce type de notification ne se règle pas sur cette page.")
        return super().clean() or {}


class NoticePages(NamedTuple):
    notices: View
    read: View
    preferences: View

    def urls(self) -> list[URLPattern]:
        """The same four routes in each space (names used by the shared templates)."""
        return [
            path("notifications/", self.notices, name="notices"),
            path("notifications/tout-lire/", self.read, name="notices_read_all"),
            path("notifications/<int:notice_id>/lire/", self.read, name="notice_read"),
            path("notifications/preferences/", self.preferences, name="notification_preferences"),
        ]


def _names(space: Space) -> dict[str, str]:
    return {
        "base_template": space.base_template,
        "read_url_name": f"{space.namespace}:notice_read",
        "read_all_url": reverse(f"{space.namespace}:notices_read_all"),
        "preferences_url": reverse(f"{space.namespace}:notification_preferences"),
        "notices_url": reverse(f"{space.namespace}:notices"),
    }


def _notice_list(request, space: Space):
    page = Paginator(notices.notices_of(request.user), 20).get_page(request.GET.get("page"))
    context = _names(space) | {"page_title": "Mes notifications", "page": page}
    return render(request, "notifications/notice_list.html", context)


def _notice_read(request, space: Space, notice_id: int | None = None):
    # Scoped to the signed-in user: another user's notice id marks nothing (a no-op).
    count = notices.mark_read(user=request.user, notice_id=notice_id)
    if notice_id is None:
        plural = "s" if count > 1 else ""
        messages.success(
            request, f"{count} notification{plural} marquée{plural} comme lue{plural}."
        )
    return redirect(f"{space.namespace}:notices")


def _preferences(request, space: Space):
    categories = preferences.choosable_categories(request.user)
    if request.method == "POST" and not categories:
        return HttpResponseNotAllowed(["GET"])  # nothing to choose: the page has no form
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        initial=preferences.preferences_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        choices = {category: form.cleaned_data[category] for category in categories}
        preferences.save_preferences(user=request.user, choices=choices)
        messages.success(request, "Vos préférences sont enregistrées.")
        return redirect(f"{space.namespace}:notification_preferences")
    venues = []
    if space is PRO:  # digests and per-booking e-mails are chosen venue by venue
        venues = list(
            offerer_selectors.venues_for_user(request.user).order_by("offerer__name", "name", "pk")
        )
    context = _names(space) | {
        "page_title": "Mes préférences de notification",
        "form": form,
        "always_sent": space.always_sent,
        "space": space.namespace,
        "venues": venues,
    }
    return render(request, "notifications/preferences.html", context)


def notice_pages(space: Space) -> NoticePages:
    """The space's views, each behind the space's access decorator."""

    @space.guard
    def notice_list(request):
        return _notice_list(request, space)

    @space.guard
    @require_POST
    def notice_read(request, notice_id: int | None = None):
        return _notice_read(request, space, notice_id)

    @space.guard
    def notification_preferences(request):
        return _preferences(request, space)

    return NoticePages(notice_list, notice_read, notification_preferences)


youth = notice_pages(YOUTH)
pro = notice_pages(PRO)
teacher = notice_pages(TEACHER)


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
        {
            "page_title": f"Notifications — {place.display_name}",
            "venue": place,
            "form": form,
            "offer_exceptions": venue.offers_with_own_choice(place.pk),
        },
    )


def dev_emails(request):
    """The last e-mails sent, outside production only (embedded/test mode)."""
    if settings.PRODUCTION or not (request.user.is_authenticated or settings.DEBUG):
        raise Http404
    logs = list(NotificationLog.objects.order_by("-created_at", "-id")[:50])
    return render(request, "notifications/dev_emails.html", {"logs": logs})
