"""Offer views (consultations) per Paris day, flushed from cache counters."""

from django.db import models
from django.db.models import Q


class OfferViewDay(models.Model):
    """How many times an offer page was opened on a day (Europe/Paris), bots excluded."""

    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, null=True, blank=True, related_name="view_days"
    )
    collective_offer = models.ForeignKey(
        "collective.CollectiveOffer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="view_days",
    )
    day = models.DateField("jour")
    count = models.PositiveIntegerField("consultations", default=0)

    class Meta:
        verbose_name = "consultations d’une offre (jour)"
        constraints = [
            # Plain (not partial) unique constraints: ON CONFLICT (offer_id, day) must match
            # them on PostgreSQL; NULLs never collide, so the other kind's rows pass.
            models.UniqueConstraint(fields=["offer", "day"], name="offer_view_day_unique"),
            models.UniqueConstraint(
                fields=["collective_offer", "day"], name="collective_offer_view_day_unique"
            ),
            models.CheckConstraint(
                condition=Q(offer__isnull=False, collective_offer__isnull=True)
                | Q(offer__isnull=True, collective_offer__isnull=False),
                name="offer_view_day_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id or self.collective_offer_id} {self.day}: {self.count}"
