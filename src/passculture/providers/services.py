"""Provider writes: software registration, keys, venue links, URLs. Atomic and audited."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils.text import slugify

from passculture.accounts.models import Role, User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.offerers.models import Offerer, Venue
from passculture.providers import errors as e
from passculture.providers import keys
from passculture.providers.models import (
    ApiKey,
    DeliveryStatus,
    IdempotentResponse,
    KeyEnvironment,
    Provider,
    VenueProvider,
    WebhookDelivery,
)

URL_FIELDS = ("notification_url", "booking_url", "cancel_url")
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
DELIVERY_LOG_DAYS = 90


def clean_url(value: str | None, field: str | None = None) -> str:
    """'' for empty; refuses anything that is not an absolute http(s) URL."""
    value = (value or "").strip()
    if value and (not value.startswith(("https://", "http://")) or len(value) > 2083):
        raise e.InvalidUrl(field=field)
    return value


@transaction.atomic
def create_provider(
    *,
    actor: User | None,
    name: str,
    contact_email: str = "",
    offerer: Offerer | None = None,
    notification_url: str = "",
    booking_url: str = "",
    cancel_url: str = "",
    logo_url: str = "",
) -> Provider:
    """Register a partner software with its technical user (who acts in audits)."""
    name = name.strip()
    if not name:
        raise e.ProviderError("Indiquez le nom du logiciel.", field="name")
    if Provider.objects.filter(name__iexact=name).exists():
        raise e.ProviderError("Un logiciel porte déjà ce nom.", field="name")
    slug = slugify(name)[:40] or "logiciel"
    service_user = User.objects.create_user(
        email=f"api+{slug}-{secrets.token_hex(4)}@providers.passculture.local",
        password=None,
        first_name=name[:150],
        last_name="(logiciel partenaire)",
        role=Role.PRO,
    )
    provider = Provider.objects.create(
        name=name,
        contact_email=contact_email.strip(),
        offerer=offerer,
        notification_url=clean_url(notification_url),
        booking_url=clean_url(booking_url),
        cancel_url=clean_url(cancel_url),
        logo_url=clean_url(logo_url),
        hmac_secret=secrets.token_hex(32),
        service_user=service_user,
    )
    record_audit(actor=actor, action="provider.created", obj=provider, after={"name": name})
    return provider


@transaction.atomic
def issue_key(
    *, actor: User | None, provider: Provider, environment: str, label: str = ""
) -> tuple[ApiKey, str]:
    """A new key; returns it with the full secret, which is never shown again."""
    if environment not in KeyEnvironment.values:
        raise e.ProviderError("Environnement inconnu : intégration ou production.")
    prefix, secret, raw = keys.new_key_material(environment)
    key = ApiKey.objects.create(
        provider=provider,
        label=label.strip()[:100],
        environment=environment,
        prefix=prefix,
        secret_hash=keys.hash_secret(secret),
        created_by=actor if isinstance(actor, User) else None,
    )
    record_audit(
        actor=actor, action="provider.key_issued", obj=key, after={"environment": environment}
    )
    return key, raw


@transaction.atomic
def revoke_key(*, actor: User | None, key: ApiKey) -> ApiKey:
    """Revoke a key at once (idempotent)."""
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="provider.key_revoked", obj=key)
    return key


def touch_key(key: ApiKey) -> None:
    """Record use at most once a minute (no write on every request)."""
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


@transaction.atomic
def link_venue(*, actor: User, venue: Venue, provider: Provider) -> VenueProvider:
    """Let a provider reach a venue (caller checked the actor manages the venue)."""
    if not provider.is_active:
        raise e.ProviderError("Ce logiciel n’est pas disponible.")
    link, created = VenueProvider.objects.get_or_create(venue=venue, provider=provider)
    if not created and link.is_active:
        raise e.AlreadyLinked()
    if not created:
        link.is_active = True
        link.save(update_fields=["is_active", "updated_at"])
    record_audit(actor=actor, action="provider.venue_linked", obj=link, data={"venue": venue.pk})
    return link


@transaction.atomic
def unlink_venue(*, actor: User, link: VenueProvider) -> VenueProvider:
    """Cut a provider off a venue: its keys stop reaching it, webhooks stop."""
    if link.is_active:
        link.is_active = False
        link.save(update_fields=["is_active", "updated_at"])
        record_audit(
            actor=actor, action="provider.venue_unlinked", obj=link, data={"venue": link.venue_id}
        )
    return link


@transaction.atomic
def update_provider_urls(*, actor: User | None, provider: Provider, **urls: str | None) -> Provider:
    """Set the provider's default URLs; only the keys given are changed (None clears)."""
    before = {name: getattr(provider, name) for name in URL_FIELDS}
    for name, value in urls.items():
        if name not in URL_FIELDS:
            raise e.ProviderError(f"Champ inconnu : {name}.")
        setattr(provider, name, clean_url(value, name))
    if any(name == "notification_url" for name in urls):
        provider.webhooks_disabled_at = None  # a new URL gets a new chance after a 410
    provider.save()
    record_audit(
        actor=actor,
        action="provider.urls_updated",
        obj=provider,
        before=before,
        after={name: getattr(provider, name) for name in URL_FIELDS},
    )
    return provider


@transaction.atomic
def update_venue_urls(
    *, actor: User | None, link: VenueProvider, **urls: str | None
) -> VenueProvider:
    """Override URLs for one venue; only the keys given are changed (None or '' clears)."""
    before = {name: getattr(link, name) for name in URL_FIELDS}
    for name, value in urls.items():
        if name not in URL_FIELDS:
            raise e.ProviderError(f"Champ inconnu : {name}.")
        setattr(link, name, clean_url(value, name))
    link.save()
    record_audit(
        actor=actor,
        action="provider.venue_urls_updated",
        obj=link,
        before=before,
        after={name: getattr(link, name) for name in URL_FIELDS},
    )
    return link


def purge_idempotency(now: dt.datetime | None = None) -> int:
    """Forget Idempotency-Key answers older than 24 h (daily job)."""
    cutoff = (now or clock.now()) - IDEMPOTENCY_TTL
    return IdempotentResponse.objects.filter(created_at__lt=cutoff).delete()[0]


def purge_settled_deliveries(now: dt.datetime | None = None) -> int:
    """Drop delivered/failed/disabled webhook rows past the log's 90 days (daily job)."""
    cutoff = (now or clock.now()) - dt.timedelta(days=DELIVERY_LOG_DAYS)
    return (
        WebhookDelivery.objects.filter(occurred_at__lt=cutoff)
        .exclude(status=DeliveryStatus.PENDING)
        .filter(replays__isnull=True)
        .delete()[0]
    )
