"""Pro "Intégrations": link venues to partner software and administer one's own software
(URLs, signing secret, API keys). The webhook log is in views_integration_log.

Everything is scoped to the user's structures: another structure's link, software, key or
delivery is a 404 (never a 403, so its existence does not leak).
"""

from functools import reduce
from operator import or_

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from passculture.accounts.models import User
from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.models import Venue
from passculture.offerers.selectors import offerers_for_user, venues_for_user
from passculture.providers import selectors, services, webhooks
from passculture.providers.models import (
    ApiKey,
    Provider,
    VenueProvider,
    WebhookDelivery,
)
from passculture.web.pro.access import pro_page
from passculture.web.pro.integration_forms import (
    URL_LABELS,
    KeyForm,
    LinkForm,
    ProviderForm,
    UrlsForm,
)

SECTION = "integrations"


class ProRequest(HttpRequest):
    """A request behind `pro_page` (login required): its user is a real account."""

    user: User


# --- scoping: every read below starts from the user's validated memberships -------------


def links_of(user: User) -> QuerySet[VenueProvider]:
    return VenueProvider.objects.filter(
        venue__offerer__in=offerers_for_user(user), is_active=True
    ).select_related("provider", "venue")


def providers_of(user: User) -> QuerySet[Provider]:
    return Provider.objects.filter(offerer__in=offerers_for_user(user)).select_related("offerer")


def keys_of(user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(provider__offerer__in=offerers_for_user(user)).select_related(
        "provider"
    )


def deliveries_of(user: User) -> QuerySet[WebhookDelivery]:
    ids = list(offerers_for_user(user).values_list("pk", flat=True))
    if not ids:
        return WebhookDelivery.objects.none()
    return reduce(or_, (selectors.deliveries_for_offerer(pk) for pk in ids))


def _available_providers(venue: Venue) -> QuerySet[Provider]:
    """Active software this venue is not linked to yet (the list offered to link)."""
    linked = VenueProvider.objects.filter(venue=venue, is_active=True).values("provider_id")
    return Provider.objects.filter(is_active=True).exclude(pk__in=linked).order_by("name")


# --- venues and their software ----------------------------------------------------------


def _overview(request: ProRequest, bound: tuple[int, LinkForm] | None = None) -> HttpResponse:
    venues = list(venues_for_user(request.user).order_by("offerer__name", "is_virtual", "name"))
    links_by_venue: dict[int, list[VenueProvider]] = {}
    for link in links_of(request.user).order_by("provider__name"):
        links_by_venue.setdefault(link.venue_id, []).append(link)
    active = list(Provider.objects.filter(is_active=True).order_by("name"))
    rows = []
    for venue in venues:
        links = links_by_venue.get(venue.pk, [])
        linked_ids = {link.provider_id for link in links}
        if bound is not None and bound[0] == venue.pk:
            form = bound[1]
        else:
            form = LinkForm(
                providers=_available_providers(venue),
                options=[p for p in active if p.pk not in linked_ids],
                prefix=f"v{venue.pk}",
            )
        rows.append(
            {
                "venue": venue,
                "links": links,
                "form": form,
                "can_link": any(p.pk not in linked_ids for p in active),
            }
        )
    return render(
        request,
        "pro/integrations/overview.html",
        {
            "page_title": "Intégrations",
            "tab": "venues",
            "rows": rows,
            "has_offerer": bool(venues) or offerers_for_user(request.user).exists(),
            "has_provider": bool(active),
            "any_link": bool(links_by_venue),
        },
    )


@pro_page(SECTION)
def overview(request: ProRequest) -> HttpResponse:
    return _overview(request)


@pro_page(SECTION)
@require_POST
def link_create(request: ProRequest, venue_id: int) -> HttpResponse:
    venue = get_scoped_or_404(venues_for_user(request.user), pk=venue_id)
    form = LinkForm(request.POST, providers=_available_providers(venue), prefix=f"v{venue.pk}")
    if form.is_valid():
        provider = form.cleaned_data["provider"]
        try:
            services.link_venue(actor=request.user, venue=venue, provider=provider)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                f"« {venue.display_name} » est relié à « {provider.name} » : ce logiciel peut "
                "désormais gérer les offres et réservations de ce lieu.",
            )
            return redirect("pro:integrations")
    return _overview(request, bound=(venue.pk, form))


@pro_page(SECTION)
def link_edit(request: ProRequest, link_id: int) -> HttpResponse:
    link = get_scoped_or_404(links_of(request.user), pk=link_id)
    initial = {name: getattr(link, name) for name in URL_LABELS}
    form = UrlsForm(request.POST or None, initial=initial, defaults=link.provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_venue_urls(actor=request.user, link=link, **form.urls())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                f"Les adresses de « {link.venue.display_name} » pour « {link.provider.name} » "
                "sont enregistrées.",
            )
            return redirect("pro:integrations")
    return render(
        request,
        "pro/integrations/link_edit.html",
        {"page_title": "Adresses propres au lieu", "tab": "venues", "link": link, "form": form},
    )


@pro_page(SECTION)
def link_delete(request: ProRequest, link_id: int) -> HttpResponse:
    link = get_scoped_or_404(links_of(request.user), pk=link_id)
    if request.method == "POST":
        services.unlink_venue(actor=request.user, link=link)
        messages.success(
            request,
            f"« {link.venue.display_name} » n’est plus relié à « {link.provider.name} » : ce "
            "logiciel n’y a plus accès et ne reçoit plus ses événements.",
        )
        return redirect("pro:integrations")
    return _confirm(
        request,
        title=f"Délier « {link.provider.name} » de « {link.venue.display_name} » ?",
        text="Le logiciel n’aura plus accès aux offres ni aux réservations de ce lieu, et ne "
        "recevra plus ses événements. Vous pourrez le relier de nouveau plus tard.",
        action=reverse("pro:integration_link_delete", args=[link.pk]),
        button="Délier le logiciel",
        back=reverse("pro:integrations"),
        tab="venues",
    )


@pro_page(SECTION)
@require_POST
def link_test(request: ProRequest, link_id: int) -> HttpResponse:
    link = get_scoped_or_404(links_of(request.user), pk=link_id)
    try:
        webhooks.send_test_event(actor=request.user, link=link)
    except DomainError as exc:
        messages.error(request, exc.text)
        return redirect("pro:integrations")
    messages.success(
        request,
        f"Un événement de test part vers « {link.provider.name} » : suivez son envoi ci-dessous.",
    )
    return redirect(f"{reverse('pro:integration_deliveries')}?lieu={link.venue_id}")


def _confirm(request: ProRequest, **context: object) -> HttpResponse:
    return render(
        request,
        "pro/integrations/confirm.html",
        {"page_title": context["title"], **context},
    )


# --- software administered by my structures ------------------------------------------------


@pro_page(SECTION)
def software_list(request: ProRequest) -> HttpResponse:
    offerers = offerers_for_user(request.user).order_by("name")
    form = ProviderForm(request.POST or None, offerers=offerers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            provider = services.create_provider(
                actor=request.user,
                name=data["name"],
                contact_email=data["contact_email"] or "",
                offerer=data["offerer"],
                **form.urls(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                f"Le logiciel « {provider.name} » est enregistré. Créez maintenant une clé "
                "d’API pour qu’il se connecte.",
            )
            return redirect("pro:integration_software", provider_id=provider.pk)
    providers = providers_of(request.user).annotate(
        venue_count=Count("venue_links", filter=Q(venue_links__is_active=True), distinct=True),
        key_count=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True), distinct=True),
    )
    return render(
        request,
        "pro/integrations/software_list.html",
        {
            "page_title": "Mes logiciels",
            "tab": "software",
            "providers": providers,
            "form": form,
            "has_offerer": offerers.exists(),
        },
    )


def _software_page(
    request: ProRequest,
    provider: Provider,
    urls_form: UrlsForm | None = None,
    key_form: KeyForm | None = None,
) -> HttpResponse:
    initial = {name: getattr(provider, name) for name in URL_LABELS}
    return render(
        request,
        "pro/integrations/software_detail.html",
        {
            "page_title": provider.name,
            "tab": "software",
            "provider": provider,
            "urls_form": urls_form or UrlsForm(initial=initial, prefix="urls"),
            "key_form": key_form or KeyForm(prefix="key"),
            "keys": provider.api_keys.order_by("revoked_at", "-created_at"),
            "venue_count": provider.venue_links.filter(is_active=True).count(),
        },
    )


@pro_page(SECTION)
def software_detail(request: ProRequest, provider_id: int) -> HttpResponse:
    provider = get_scoped_or_404(providers_of(request.user), pk=provider_id)
    if request.method != "POST":
        return _software_page(request, provider)
    form = UrlsForm(request.POST, prefix="urls")
    if form.is_valid():
        try:
            services.update_provider_urls(actor=request.user, provider=provider, **form.urls())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"Les adresses de « {provider.name} » sont enregistrées.")
            return redirect("pro:integration_software", provider_id=provider.pk)
    provider.refresh_from_db()  # a refused change must not show as saved
    return _software_page(request, provider, urls_form=form)


@pro_page(SECTION)
def software_secret(request: ProRequest, provider_id: int) -> HttpResponse:
    """The signing secret in clear: an HTMX fragment, or the page with it revealed."""
    provider = get_scoped_or_404(providers_of(request.user), pk=provider_id)
    template = "pro/integrations/_secret.html"
    if not getattr(request, "htmx", False):
        template = "pro/integrations/secret.html"
    response = render(
        request,
        template,
        {"page_title": f"Secret de signature — {provider.name}", "tab": "software",
         "provider": provider, "revealed": True},
    )  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@pro_page(SECTION)
@require_POST
def key_create(request: ProRequest, provider_id: int) -> HttpResponse:
    provider = get_scoped_or_404(providers_of(request.user), pk=provider_id)
    form = KeyForm(request.POST, prefix="key")
    if not provider.is_active:  # its keys would not work: say so rather than issue one
        form.add_error(None, "Ce logiciel est désactivé par notre équipe : pas de nouvelle clé.")
    elif form.is_valid():
        try:
            key, raw = services.issue_key(
                actor=request.user,
                provider=provider,
                environment=form.cleaned_data["environment"],
                label=form.cleaned_data["label"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            # Rendered on the POST itself (no redirect): the full key lives in this response
            # only, never in a session or a URL; "no-store" keeps it out of the cache.
            response = render(
                request,
                "pro/integrations/key_created.html",
                {"page_title": "Nouvelle clé d’API", "tab": "software", "provider": provider,
                 "key": key, "raw": raw},
            )  # fmt: skip
            response["Cache-Control"] = "no-store"
            return response
    return _software_page(request, provider, key_form=form)


@pro_page(SECTION)
def key_revoke(request: ProRequest, key_id: int) -> HttpResponse:
    key = get_scoped_or_404(keys_of(request.user), pk=key_id)
    back = reverse("pro:integration_software", args=[key.provider_id])
    if key.revoked_at is not None:
        messages.info(request, f"La clé {key.prefix}… est déjà révoquée.")
        return redirect(back)
    if request.method == "POST":
        services.revoke_key(actor=request.user, key=key)
        messages.success(
            request,
            f"La clé {key.prefix}… est révoquée : toute requête qui l’utilise est refusée dès "
            "maintenant.",
        )
        return redirect(back)
    label = f"« {key.label} » ({key.prefix}…)" if key.label else f"{key.prefix}…"
    return _confirm(
        request,
        title=f"Révoquer la clé {label} ?",
        text="Les logiciels qui l’utilisent recevront aussitôt une erreur 401. Cette action est "
        "définitive : pour rétablir l’accès, créez une nouvelle clé.",
        action=reverse("pro:integration_key_revoke", args=[key.pk]),
        button="Révoquer la clé",
        back=back,
        tab="software",
    )
