"""Individual bookings: who booked which stock, for how much, and the token shown at the door."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from passculture.core import clock
from passculture.credit.models import Deposit
from passculture.offers.models import Offer, Stock


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmée"
    USED = "used", "Validée"
    REIMBURSED = "reimbursed", "Remboursée"
    CANCELLED = "cancelled", "Annulée"


class CancellationReason(models.TextChoices):
    BENEFICIARY = "beneficiary", "Annulée par le jeune"
    OFFERER = "offerer", "Annulée par la structure"
    EXPIRED = "expired", "Expirée (non retirée)"
    FRAUD = "fraud", "Fraude"
    BACKOFFICE = "backoffice", "Annulée par l’équipe passculture"
    OFFER_REJECTED = "offer_rejected", "Offre refusée"
    DATE_DELETED = "date_deleted", "Date supprimée par la structure"


class ValidationAuthor(models.TextChoices):
    PRO = "pro", "Structure (à l’entrée)"
    AUTO = "auto", "Automatique (48 h après l’événement)"
    AT_BOOKING = "at_booking", "À la réservation (offre numérique, activation)"
    API = "api", "Logiciel de billetterie"


class Booking(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="bookings")
    # Denormalised so "one live booking per offer" is a database constraint.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="bookings")
    deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    quantity = models.PositiveSmallIntegerField("places", default=1)
    amount = models.PositiveIntegerField("prix unitaire (centimes)")
    # Price kept at booking time; counts against the digital cap when the subcategory does.
    is_digital_capped = models.BooleanField(default=False)
    token = models.CharField("contremarque", max_length=6, unique=True)
    status = models.CharField(
        "statut", max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    created_at = models.DateTimeField("réservée le", default=clock.now, db_index=True)
    cancellation_limit = models.DateTimeField("annulable jusqu’au", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancellation_reason = models.CharField(
        "motif d’annulation", max_length=20, choices=CancellationReason.choices, blank=True
    )
    cancellation_comment = models.CharField("précision", max_length=300, blank=True)
    used_at = models.DateTimeField("validée le", null=True, blank=True)
    validation_author = models.CharField(
        "validée par", max_length=20, choices=ValidationAuthor.choices, blank=True
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reimbursed_at = models.DateTimeField("remboursée le", null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "réservation"
        verbose_name_plural = "réservations"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stock", "status"]),
            models.Index(fields=["deposit", "status"]),
            models.Index(fields=["status", "created_at"]),
            # The pro bookings tab: counts per status read this index alone, and one offer's
            # bookings come newest first without a sort (100,000 bookings on a venue).
            models.Index(fields=["offer", "status"], name="booking_offer_status_idx"),
            models.Index(fields=["offer", "created_at"], name="booking_offer_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "offer"],
                condition=~Q(status="cancelled"),
                name="booking_one_live_per_offer",
            ),
            models.CheckConstraint(
                condition=Q(quantity__in=[1, 2]), name="booking_quantity_one_or_two"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | ~Q(status="cancelled"),
                name="booking_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return self.amount * self.quantity


TOTAL = F("amount") * F("quantity")
