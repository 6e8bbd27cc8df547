"""Individual offers, their price categories and stocks (dates × prices, contingents)."""

from django.db import models
from django.db.models import F, Q

from passculture.core.models import TimeStampedModel
from passculture.offerers.models import Address, Venue

MAX_PRICE_CENTS = 30_000  # 300 €


def euros_text(cents: int) -> str:
    """1250 -> '12,50' (for inputs and tables; format_cents adds the € sign)."""
    return f"{cents // 100},{cents % 100:02d}"


class Validation(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PENDING = "pending", "En cours de vérification"
    APPROVED = "approved", "Validée"
    REJECTED = "rejected", "Refusée"


class WithdrawalType(models.TextChoices):
    NO_TICKET = "no_ticket", "Pas de billet : la réservation suffit"
    BY_EMAIL = "by_email", "Billet envoyé par e-mail"
    ON_SITE = "on_site", "Retrait sur place"
    IN_APP = "in_app", "Billet dans l’application (billetterie)"


class Offer(TimeStampedModel):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="offers")
    subcategory_id = models.CharField("sous-catégorie", max_length=60, db_index=True)
    name = models.CharField("titre", max_length=90)
    description = models.TextField("description", max_length=10_000, blank=True)
    # Category-related fields, named as in the partner API (author, showType, ean…).
    extra_data = models.JSONField("informations complémentaires", default=dict, blank=True)
    # Null: the offer happens at its venue's address. Set: anywhere else (nomadic venues).
    address = models.ForeignKey(
        Address, verbose_name="autre adresse", null=True, blank=True, on_delete=models.PROTECT
    )
    url = models.URLField("adresse de l’offre en ligne", blank=True)
    is_duo = models.BooleanField("réservation à deux (duo)", default=False)
    duration_minutes = models.PositiveIntegerField("durée (minutes)", null=True, blank=True)
    withdrawal_type = models.CharField(
        "modalité de retrait", max_length=20, choices=WithdrawalType.choices, blank=True
    )
    withdrawal_delay_hours = models.PositiveIntegerField(
        "délai d’envoi (heures)", null=True, blank=True
    )
    withdrawal_details = models.TextField("informations de retrait", max_length=500, blank=True)
    booking_contact = models.EmailField("contact pour les réservations", blank=True)
    booking_email = models.EmailField("e-mail de notification des réservations", blank=True)
    external_ticket_office_url = models.URLField("billetterie externe", max_length=2083, blank=True)
    motor_accessible = models.BooleanField("handicap moteur", default=False)
    visual_accessible = models.BooleanField("handicap visuel", default=False)
    hearing_accessible = models.BooleanField("handicap auditif", default=False)
    mental_accessible = models.BooleanField("handicap psychique ou cognitif", default=False)
    image = models.ImageField("image", upload_to="offers/%Y/%m/", blank=True)
    image_credit = models.CharField("crédit de l’image", max_length=140, blank=True)
    validation = models.CharField(
        "vérification", max_length=20, choices=Validation.choices, default=Validation.DRAFT
    )
    rejection_reason = models.TextField("motif du refus", blank=True)
    is_active = models.BooleanField("active", default=True)
    publication_datetime = models.DateTimeField("publication le", null=True, blank=True)
    booking_allowed_datetime = models.DateTimeField("réservable à partir du", null=True, blank=True)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)
    fill_alert_threshold = models.PositiveSmallIntegerField(
        "alerte de remplissage (%)", null=True, blank=True
    )
    fill_alert_sent_at = models.DateTimeField(null=True, blank=True)
    duplicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    id_at_provider = models.CharField(max_length=70, blank=True)

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["venue", "validation", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fill_alert_threshold__isnull=True)
                | Q(fill_alert_threshold__gte=1, fill_alert_threshold__lte=100),
                name="offer_fill_alert_threshold_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accessibility(self) -> dict[str, bool]:
        return {
            "motor": self.motor_accessible,
            "visual": self.visual_accessible,
            "hearing": self.hearing_accessible,
            "mental": self.mental_accessible,
        }


class PriceCategoryLabel(models.Model):
    """A label a venue has used ("Plein tarif"…), offered again on its next offers."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="price_labels")
    label = models.CharField("libellé", max_length=50)

    class Meta:
        verbose_name = "libellé de tarif"
        constraints = [
            models.UniqueConstraint(fields=["venue", "label"], name="price_label_unique_per_venue")
        ]

    def __str__(self) -> str:
        return self.label


class PriceCategory(TimeStampedModel):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="price_categories")
    label = models.CharField("libellé", max_length=50)
    price = models.PositiveIntegerField("prix (centimes)")
    id_at_provider = models.CharField(max_length=70, blank=True)

    class Meta:
        verbose_name = "catégorie de prix"
        verbose_name_plural = "catégories de prix"
        ordering = ["price", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "label"], name="price_category_label_unique"),
            models.CheckConstraint(
                condition=Q(price__lte=MAX_PRICE_CENTS), name="price_category_max_300"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.price_euros} €)"

    @property
    def price_euros(self) -> str:
        return euros_text(self.price)


class Stock(TimeStampedModel):
    """What can be booked: an event date × price category, or a thing's single stock.

    `quantity` is the contingent handed to the pass (null = unlimited); `booked_quantity`
    is kept in the row and bounded by a CHECK, so no path can oversell.
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="stocks")
    price_category = models.ForeignKey(
        PriceCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="stocks"
    )
    price = models.PositiveIntegerField("prix (centimes)")
    beginning_datetime = models.DateTimeField("date et heure", null=True, blank=True, db_index=True)
    booking_limit_datetime = models.DateTimeField("réservable jusqu’au", null=True, blank=True)
    quantity = models.PositiveIntegerField("places (contingent)", null=True, blank=True)
    booked_quantity = models.PositiveIntegerField("places réservées", default=0)
    is_deleted = models.BooleanField("supprimé", default=False)
    id_at_provider = models.CharField(max_length=70, blank=True)

    class Meta:
        verbose_name = "stock"
        verbose_name_plural = "stocks"
        ordering = ["beginning_datetime", "price", "id"]
        indexes = [models.Index(fields=["offer", "is_deleted", "beginning_datetime"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(booked_quantity__lte=F("quantity")),
                name="stock_not_overbooked",
            ),
            models.CheckConstraint(condition=Q(price__lte=MAX_PRICE_CENTS), name="stock_max_300"),
            models.UniqueConstraint(
                fields=["offer", "beginning_datetime", "price_category"],
                condition=Q(is_deleted=False),
                name="stock_unique_date_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} @ {self.beginning_datetime or '—'} ({self.price} c)"

    @property
    def price_euros(self) -> str:
        return euros_text(self.price)

    @property
    def remaining(self) -> int | None:
        return None if self.quantity is None else self.quantity - self.booked_quantity


class ReviewRule(TimeStampedModel):
    """A staff rule: an offer matching every set condition goes to manual review."""

    name = models.CharField("nom", max_length=120)
    is_active = models.BooleanField("active", default=True)
    price_above = models.PositiveIntegerField("prix supérieur à (centimes)", null=True, blank=True)
    words = models.TextField("mots (un par ligne) dans le titre ou la description", blank=True)
    subcategories = models.JSONField("sous-catégories", default=list, blank=True)
    offerer = models.ForeignKey(
        "offerers.Offerer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name="structure",
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.CASCADE, verbose_name="lieu"
    )

    class Meta:
        verbose_name = "règle de vérification"
        verbose_name_plural = "règles de vérification"

    def __str__(self) -> str:
        return self.name
