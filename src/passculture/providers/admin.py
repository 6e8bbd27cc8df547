"""Back office for partner software: providers, their keys, venue links and webhook deliveries.

Writes go through the providers services (audited): a provider is registered with its
technical user by `create_provider`; keys are issued by an action that shows the full key
once; links use link/unlink/update_venue_urls; deliveries are read-only and replayable.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from passculture.core.audit import record_audit
from passculture.core.errors import DomainError
from passculture.providers import services, webhooks
from passculture.providers.models import (
    ApiKey,
    KeyEnvironment,
    Provider,
    VenueProvider,
    WebhookDelivery,
)

URLS = services.URL_FIELDS


class _UrlForm(forms.ModelForm):
    """Same URL rule as the services (absolute http(s)), shown as a form error."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in URLS:
            if name in data:
                try:
                    data[name] = services.clean_url(data[name])
                except DomainError as exc:
                    self.add_error(name, exc.text)
        return data


class ProviderForm(_UrlForm):
    class Meta:
        model = Provider
        fields = ["name", "contact_email", "logo_url", "is_active", "offerer", *URLS]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "offerer", "is_active", "notification_url", "webhooks_disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_email"]
    autocomplete_fields = ["offerer"]
    readonly_fields = ["service_user", "hmac_secret", "webhooks_disabled_at", "created_at"]
    actions = ["issue_production_key", "issue_integration_key", "reenable_webhooks"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys, links and deliveries hang on it: deactivate instead

    def save_model(self, request: HttpRequest, obj: Provider, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.create_provider(
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                contact_email=data.get("contact_email") or "",
                offerer=data.get("offerer"),
                logo_url=data.get("logo_url") or "",
                **{name: data.get(name) or "" for name in URLS},
            )
            if not data.get("is_active", True):
                Provider.objects.filter(pk=created.pk).update(is_active=False)
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        urls = {name: data.get(name) or "" for name in URLS if name in form.changed_data}
        others = [name for name in form.changed_data if name not in URLS]
        if others:
            before = Provider.objects.values(*others).get(pk=obj.pk)
            Provider.objects.filter(pk=obj.pk).update(**{name: data[name] for name in others})
            record_audit(
                actor=request.user,
                action="provider.updated",
                obj=obj,
                before={k: str(v) for k, v in before.items()},
                after={name: str(data[name]) for name in others},
            )
        if urls:
            services.update_provider_urls(
                actor=request.user,  # type: ignore[arg-type]
                provider=Provider.objects.get(pk=obj.pk),
                **urls,
            )
        obj.refresh_from_db()

    def _issue(self, request: HttpRequest, queryset: QuerySet[Provider], environment: str) -> None:
        for provider in queryset:
            _, raw = services.issue_key(
                actor=request.user,  # type: ignore[arg-type]
                provider=provider,
                environment=environment,
                label="back-office",
            )
            self.message_user(
                request,
                f"Clé pour {provider.name} : {raw} — copiez-la maintenant, "
                "elle ne sera plus jamais affichée.",
                messages.WARNING,
            )

    @admin.action(description="Émettre une clé de production", permissions=["change"])
    def issue_production_key(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        self._issue(request, queryset, KeyEnvironment.PRODUCTION)

    @admin.action(description="Émettre une clé d’intégration", permissions=["change"])
    def issue_integration_key(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        self._issue(request, queryset, KeyEnvironment.INTEGRATION)

    @admin.action(description="Réactiver les webhooks (après un 410)", permissions=["change"])
    def reenable_webhooks(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        done = 0
        for provider in queryset.filter(webhooks_disabled_at__isnull=False):
            # Re-saving the notification URL is what turns webhooks back on (services).
            services.update_provider_urls(
                actor=request.user,  # type: ignore[arg-type]
                provider=provider,
                notification_url=provider.notification_url,
            )
            done += 1
        self.message_user(request, f"Webhooks réactivés pour {done} logiciel(s).")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read-only: keys are issued from a provider (action) and can only be revoked here."""

    list_display = ["prefix", "provider", "environment", "label", "created_at", "last_used_at"]
    list_display += ["revoked_at"]
    list_filter = ["environment", "provider"]
    search_fields = ["=prefix", "provider__name", "label"]
    list_select_related = ["provider"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ApiKey._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Révoquer les clés choisies", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        done = 0
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_key(actor=request.user, key=key)  # type: ignore[arg-type]
            done += 1
        self.message_user(request, f"{done} clé(s) révoquée(s).")


class VenueProviderForm(_UrlForm):
    class Meta:
        model = VenueProvider
        fields = ["provider", "venue", "is_active", *URLS]


@admin.register(VenueProvider)
class VenueProviderAdmin(admin.ModelAdmin):
    form = VenueProviderForm
    list_display = ["provider", "venue", "is_active", "last_sequence", "leased_until"]
    list_filter = ["is_active", "provider"]
    search_fields = ["provider__name", "venue__name", "venue__siret"]
    list_select_related = ["provider", "venue"]
    autocomplete_fields = ["venue"]
    readonly_fields = ["last_sequence", "leased_until"]
    actions = ["send_test"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The pair is the link's identity: to serve another venue, link it.
        return [*self.readonly_fields, *(["provider", "venue"] if obj else [])]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate (unlink): the delivery history stays

    def save_model(self, request: HttpRequest, obj: VenueProvider, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, request.user
        if not change:
            link = services.link_venue(actor=actor, venue=obj.venue, provider=obj.provider)  # type: ignore[arg-type]
            obj.pk = link.pk
        current = VenueProvider.objects.get(pk=obj.pk)
        urls = {name: data.get(name) or "" for name in URLS if name in form.changed_data}
        if urls:
            services.update_venue_urls(actor=actor, link=current, **urls)  # type: ignore[arg-type]
        if "is_active" in form.changed_data or (not change and not data.get("is_active")):
            if data.get("is_active"):
                services.link_venue(actor=actor, venue=current.venue, provider=current.provider)  # type: ignore[arg-type]
            else:
                services.unlink_venue(actor=actor, link=current)  # type: ignore[arg-type]
        obj.refresh_from_db()

    @admin.action(description="Envoyer un événement de test", permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[VenueProvider]) -> None:
        for link in queryset:
            try:
                delivery = webhooks.send_test_event(actor=request.user, link=link)
            except DomainError as exc:
                self.message_user(request, f"{link} : {exc.text}", messages.ERROR)
            else:
                self.message_user(request, f"{link} : test mis en file (n° {delivery.sequence}).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only log of webhook deliveries; a past one can be queued again (replay)."""

    list_display = ["occurred_at", "event_type", "link", "sequence", "status", "attempts"]
    list_display += ["last_status_code", "delivered_at"]
    list_filter = ["status", "event_type", "is_test", "link__provider"]
    search_fields = ["=event_id", "link__venue__name", "link__provider__name"]
    list_select_related = ["link__provider", "link__venue"]
    date_hierarchy = "occurred_at"
    actions = ["replay"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Renvoyer (même identifiant d’événement)", permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset.order_by("link_id", "sequence"):
            try:
                webhooks.replay_delivery(actor=request.user, delivery=delivery)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery} : {exc.text}", messages.ERROR)
        self.message_user(request, f"{done} envoi(s) remis en file.")
