"""Collective bookings: pre-booked by a teacher, confirmed by the head within the budget."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.collective.models.offers import CollectiveOffer, CollectiveStock
from passculture.collective.models.schools import EducationalYear, School
from passculture.core import clock


class EacProject(models.Model):
    """A school's named EAC project (recensement), to which pre-bookings are attached."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField("nom du projet", max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "projet EAC"
        verbose_name_plural = "projets EAC"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="eac_project_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CollectiveBookingStatus(models.TextChoices):
    PENDING = "pending", "Préréservée"
    CONFIRMED = "confirmed", "Confirmée"
    USED = "used", "Terminée"
    REIMBURSED = "reimbursed", "Remboursée"
    CANCELLED = "cancelled", "Annulée"


class CollectiveBooking(models.Model):
    stock = models.ForeignKey(CollectiveStock, on_delete=models.PROTECT, related_name="bookings")
    offer = models.ForeignKey(CollectiveOffer, on_delete=models.PROTECT, related_name="bookings")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="bookings")
    year = models.ForeignKey(EducationalYear, on_delete=models.PROTECT, related_name="bookings")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        EacProject, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    price = models.PositiveIntegerField("prix (centimes)")
    status = models.CharField(
        "statut", max_length=20, choices=CollectiveBookingStatus.choices,
        default=CollectiveBookingStatus.PENDING,
    )  # fmt: skip
    created_at = models.DateTimeField("préréservée le", default=clock.now)
    confirmation_limit = models.DateTimeField("à confirmer avant le")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField("motif d’annulation", max_length=30, blank=True)
    cancellation_comment = models.CharField("précision", max_length=300, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    reimbursed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "réservation collective"
        verbose_name_plural = "réservations collectives"
        ordering = ["-created_at"]
        constraints = [
            # A collective stock is one session for one class: one live booking at most.
            models.UniqueConstraint(
                fields=["stock"],
                condition=~Q(status="cancelled"),
                name="collective_one_live_booking",
            )
        ]

    def __str__(self) -> str:
        return f"Réservation collective {self.pk} ({self.get_status_display()})"
