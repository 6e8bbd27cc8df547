"""In-app notices, the e-mail send log, per-user preferences, venue settings, digest runs."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from passculture.core import clock


class Notice(models.Model):
    """One in-app notice of a user; unread while `read_at` is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    category = models.CharField(max_length=20)
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte", blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_read")]

    def __str__(self) -> str:
        return self.title


class LogStatus(models.TextChoices):
    QUEUED = "queued", "en file"
    SENT = "sent", "envoyé"
    FAILED = "failed", "échec"


class NotificationLog(models.Model):
    """One e-mail send attempt, written by the send task."""

    recipient = models.EmailField()
    template = models.CharField(max_length=100)
    category = models.CharField(max_length=20)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=LogStatus.choices, default=LogStatus.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"


class Preference(models.Model):
    """A user's choice for one optional category (no row = enabled)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=20)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="preference_user_category")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {'oui' if self.enabled else 'non'}"


class VenueNotificationSettings(models.Model):
    """What a venue wants by e-mail: per-booking messages and the daily digest."""

    venue = models.OneToOneField(
        "offerers.Venue", on_delete=models.CASCADE, related_name="notification_settings"
    )
    booking_emails_enabled = models.BooleanField("e-mail à chaque réservation", default=True)
    cancellation_emails_enabled = models.BooleanField("e-mail à chaque annulation", default=True)
    digest_enabled = models.BooleanField("récapitulatif quotidien", default=True)
    digest_hour = models.PositiveSmallIntegerField(
        "heure du récapitulatif", default=8, validators=[MaxValueValidator(23)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="digest_hour_0_23")
        ]

    def __str__(self) -> str:
        return f"notifications du lieu {self.venue_id}"


class DigestRun(models.Model):
    """Claimed before a venue's digest of one day is sent: exactly once per venue per day."""

    venue = models.ForeignKey("offerers.Venue", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venue", "day"], name="digest_run_once")]

    def __str__(self) -> str:
        return f"récapitulatif {self.venue_id} du {self.day}"


class OfferNotificationSettings(models.Model):
    """An offer's own choice for per-booking e-mails; empty (None) = as its venue chose."""

    offer = models.OneToOneField(
        "offers.Offer", on_delete=models.CASCADE, related_name="notification_settings"
    )
    booking_emails_enabled = models.BooleanField("e-mail à chaque réservation", null=True)
    cancellation_emails_enabled = models.BooleanField("e-mail à chaque annulation", null=True)

    def __str__(self) -> str:
        return f"notifications de l’offre {self.offer_id}"
