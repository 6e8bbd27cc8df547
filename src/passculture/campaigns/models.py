"""Markers of reminders already sent: one row per (kind, object), claimed atomically."""

from django.db import models

from passculture.core import clock


class ReminderKind(models.TextChoices):
    EVENT_J3 = "J-3", "Rappel jeune J-3"
    EVENT_J1 = "J-1", "Rappel jeune J-1"
    COLLECTIVE_CONFIRM_J3 = "collective-confirm-J-3", "Rappel lieu : confirmation à J-3"
    COLLECTIVE_EVENT_J1 = "collective-event-J-1", "Rappel lieu : événement à J-1"
    CREDIT_J30 = "credit-J-30", "Rappel jeune : crédit expirant à J-30"
    CREDIT_J7 = "credit-J-7", "Rappel jeune : crédit expirant à J-7"


class ReminderSent(models.Model):
    """A reminder of `kind` about object `object_id` (a booking, collective booking or deposit).

    The unique (kind, object_id) row is the "sent" marker: a job inserts rows with
    ignore_conflicts and a claim token, then sends only for the rows carrying its token,
    so two workers or a re-run never send twice.
    """

    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    object_id = models.BigIntegerField()
    claim = models.UUIDField(db_index=True)
    sent_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="reminder_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SCHEDULED = "scheduled", "Programmée"
    SENDING = "sending", "En cours d’envoi"
    SENT = "sent", "Envoyée"


class Campaign(models.Model):
    """A staff message about one offer to young people of an area and an age range."""

    name = models.CharField("nom", max_length=120)
    title = models.CharField("message (titre de la notification)", max_length=200)
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.PROTECT, related_name="+", verbose_name="offre"
    )
    departments = models.JSONField(
        "départements", default=list, blank=True, help_text="Codes séparés par des virgules."
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    radius_km = models.PositiveIntegerField("rayon (km)", null=True, blank=True)
    age_min = models.PositiveSmallIntegerField("âge minimum", default=15)
    age_max = models.PositiveSmallIntegerField("âge maximum", default=18)
    scheduled_at = models.DateTimeField("envoi programmé le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    audience_count = models.PositiveIntegerField("audience", default=0)
    sent_count = models.PositiveIntegerField("envoyés", default=0)
    opened_count = models.PositiveIntegerField("ouverts", default=0)
    clicked_count = models.PositiveIntegerField("cliqués", default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = "campagne"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    age_min__gte=15, age_max__lte=18, age_min__lte=models.F("age_max")
                ),
                name="campaign_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignDelivery(models.Model):
    """One young person reached by a campaign; the unique row is the "sent once" claim."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    claim = models.UUIDField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaign_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.user_id}"
