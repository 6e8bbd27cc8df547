"""Partner software (provider), its API keys, the venues it serves, and webhook deliveries.

A provider acts through a technical user (`service_user`) so every service it calls audits
it like anyone else. Webhook deliveries are rows written in the same transaction as the
change they describe; a per-(provider, venue) stream numbers them so they are sent in order.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.core import clock
from passculture.core.models import TimeStampedModel
from passculture.offerers.models import Venue

URL_MAX = 2083


class Provider(TimeStampedModel):
    name = models.CharField("nom", max_length=140, unique=True)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    logo_url = models.URLField("logo", max_length=URL_MAX, blank=True)
    is_active = models.BooleanField("actif", default=True)
    # Defaults for every linked venue; each venue link may override them.
    notification_url = models.URLField(
        "URL de notification (webhooks)", max_length=URL_MAX, blank=True
    )
    booking_url = models.URLField(
        "URL de réservation (billetterie)", max_length=URL_MAX, blank=True
    )
    cancel_url = models.URLField("URL d’annulation (billetterie)", max_length=URL_MAX, blank=True)
    # Signs webhooks and ticketing calls (HMAC-SHA256); shown to the provider's admins only.
    hmac_secret = models.CharField("secret de signature", max_length=64)
    webhooks_disabled_at = models.DateTimeField("webhooks coupés le (410)", null=True, blank=True)
    # The structure that administers this software in the pro portal (keys, URLs); staff
    # administer vendors' software from the back office when it is empty.
    offerer = models.ForeignKey(
        "offerers.Offerer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administered_providers",
        verbose_name="structure administratrice",
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_account"
    )

    class Meta:
        verbose_name = "logiciel partenaire"
        verbose_name_plural = "logiciels partenaires"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KeyEnvironment(models.TextChoices):
    INTEGRATION = "integration", "Intégration (tests)"
    PRODUCTION = "production", "Production"


class ApiKey(models.Model):
    """`<prefix>_<secret>`: the prefix finds the row, the secret is stored as a SHA-256 only."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField("libellé", max_length=100, blank=True)
    environment = models.CharField("environnement", max_length=20, choices=KeyEnvironment.choices)
    prefix = models.CharField("préfixe public", max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("créée le", default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "clé d’API"
        verbose_name_plural = "clés d’API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}_…"


class VenueProvider(TimeStampedModel):
    """A venue served by a provider: its key reaches this venue; URLs may override defaults."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="provider_links")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="venue_links")
    is_active = models.BooleanField("actif", default=True)
    notification_url = models.URLField(max_length=URL_MAX, blank=True)
    booking_url = models.URLField(max_length=URL_MAX, blank=True)
    cancel_url = models.URLField(max_length=URL_MAX, blank=True)
    # Next webhook sequence number of this (provider, venue) stream; locked to number events.
    last_sequence = models.PositiveBigIntegerField(default=0)
    # Lease of the delivery worker on this stream: one sender at a time keeps the order.
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lieu relié à un logiciel"
        verbose_name_plural = "lieux reliés à un logiciel"
        constraints = [
            models.UniqueConstraint(fields=["venue", "provider"], name="venue_provider_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.venue}"

    @property
    def effective_notification_url(self) -> str:
        return self.notification_url or self.provider.notification_url

    @property
    def effective_booking_url(self) -> str:
        return self.booking_url or self.provider.booking_url

    @property
    def effective_cancel_url(self) -> str:
        return self.cancel_url or self.provider.cancel_url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    DELIVERED = "delivered", "Livrée"
    FAILED = "failed", "Abandonnée (3 jours d’échecs)"
    DISABLED = "disabled", "Non envoyée (webhooks coupés)"


class WebhookDelivery(models.Model):
    link = models.ForeignKey(VenueProvider, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField("identifiant d’événement", default=uuid.uuid4, unique=True)
    event_type = models.CharField("type", max_length=40)
    sequence = models.PositiveBigIntegerField("numéro d’ordre")
    payload = models.JSONField()
    occurred_at = models.DateTimeField("survenu le", default=clock.now)
    status = models.CharField(
        "statut", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=clock.now)
    last_attempt_at = models.DateTimeField("dernière tentative", null=True, blank=True)
    last_status_code = models.PositiveIntegerField("code de réponse", null=True, blank=True)
    last_error = models.CharField("erreur", max_length=300, blank=True)
    delivered_at = models.DateTimeField("livrée le", null=True, blank=True)
    # A manual replay copies an event (same event id inside the payload, new row).
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    is_test = models.BooleanField("événement de test", default=False)

    class Meta:
        verbose_name = "envoi de webhook"
        verbose_name_plural = "envois de webhooks"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["link", "status", "sequence"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["link", "sequence"], name="webhook_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.sequence}"


class BookingTicket(models.Model):
    """A ticket issued by the venue's ticketing system for a booking (barcode, seat)."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="tickets"
    )
    barcode = models.CharField("code-barres", max_length=100)
    seat_number = models.CharField("place", max_length=40, blank=True)

    class Meta:
        verbose_name = "billet"
        verbose_name_plural = "billets"
        constraints = [
            models.CheckConstraint(condition=~Q(barcode=""), name="ticket_barcode_not_empty"),
        ]

    def __str__(self) -> str:
        return self.barcode


class IdempotentResponse(models.Model):
    """The first response to a POST/PATCH carrying `Idempotency-Key`, replayed for 24 h."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
