"""Structures (SIREN), their members and their venues (SIRET)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.core.models import TimeStampedModel


class ValidationStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    VALIDATED = "validated", "Validée"
    REJECTED = "rejected", "Refusée"


class Offerer(TimeStampedModel):
    """A structure: the legal entity identified by its SIREN."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=140)
    street = models.CharField("adresse", max_length=200)
    postal_code = models.CharField("code postal", max_length=5)
    city = models.CharField("ville", max_length=100)
    department_code = models.CharField("département", max_length=3)
    validation_status = models.CharField(
        "statut", max_length=20, choices=ValidationStatus.choices, default=ValidationStatus.PENDING
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    rejection_reason = models.TextField("motif de refus", blank=True)
    # Trusted structures get their offers auto-approved (offer review rules).
    is_trusted = models.BooleanField("structure de confiance", default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="offerers"
    )

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.siren})"

    @property
    def is_validated(self) -> bool:
        return self.validation_status == ValidationStatus.VALIDATED


class Membership(TimeStampedModel):
    """A user's attachment to a structure; a join request waits for validation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    offerer = models.ForeignKey(Offerer, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        "statut", max_length=20, choices=ValidationStatus.choices, default=ValidationStatus.PENDING
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        constraints = [
            models.UniqueConstraint(fields=["user", "offerer"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.offerer}"


class VenueType(models.TextChoices):
    THEATRE = "theatre", "Théâtre, salle de spectacle"
    CINEMA = "cinema", "Cinéma"
    MUSEUM = "museum", "Musée"
    HERITAGE = "heritage", "Patrimoine et tourisme"
    BOOKSHOP = "bookshop", "Librairie"
    LIBRARY = "library", "Bibliothèque, médiathèque"
    CONCERT_HALL = "concert_hall", "Salle de concert, musique"
    FESTIVAL = "festival", "Festival"
    ARTS_SCHOOL = "arts_school", "Cours et pratique artistique"
    CULTURAL_CENTRE = "cultural_centre", "Centre culturel"
    GAMES = "games", "Jeux"
    NOMADIC = "nomadic", "Compagnie ou structure sans lieu fixe"
    DIGITAL = "digital", "Offre numérique"
    OTHER = "other", "Autre"


class Venue(TimeStampedModel):
    """A place (or a virtual venue) of a structure, where offers are attached."""

    offerer = models.ForeignKey(Offerer, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField("raison sociale du lieu", max_length=140)
    public_name = models.CharField("nom public", max_length=140, blank=True)
    siret = models.CharField("SIRET", max_length=14, null=True, blank=True, unique=True)
    no_siret_reason = models.CharField(
        "justification de l’absence de SIRET", max_length=200, blank=True
    )
    is_virtual = models.BooleanField("lieu numérique", default=False)
    venue_type = models.CharField("type de lieu", max_length=30, choices=VenueType.choices)
    booking_email = models.EmailField("e-mail de réservation", blank=True)
    street = models.CharField("adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    latitude = models.DecimalField(
        "latitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        "longitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    motor_accessible = models.BooleanField("accessible handicap moteur", default=False)
    visual_accessible = models.BooleanField("accessible handicap visuel", default=False)
    hearing_accessible = models.BooleanField("accessible handicap auditif", default=False)
    mental_accessible = models.BooleanField(
        "accessible handicap psychique ou cognitif", default=False
    )
    website = models.URLField("site internet", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["name"]
        constraints = [
            # A physical venue has either a SIRET or a justification; a virtual one has neither.
            models.CheckConstraint(
                condition=Q(is_virtual=True) | Q(siret__isnull=False) | ~Q(no_siret_reason=""),
                name="venue_siret_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_virtual=True) | (~Q(postal_code="") & Q(latitude__isnull=False)),
                name="venue_physical_has_address",
            ),
            models.UniqueConstraint(
                fields=["offerer"],
                condition=Q(is_virtual=True),
                name="venue_one_virtual_per_offerer",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.public_name or self.name

    @property
    def accessibility(self) -> dict[str, bool]:
        return {
            "motor": self.motor_accessible,
            "visual": self.visual_accessible,
            "hearing": self.hearing_accessible,
            "mental": self.mental_accessible,
        }


class Address(TimeStampedModel):
    """A place that is not a venue's own address: where a nomadic venue's offer happens."""

    label = models.CharField("libellé", max_length=140, blank=True)
    street = models.CharField("adresse", max_length=200)
    postal_code = models.CharField("code postal", max_length=5)
    city = models.CharField("ville", max_length=100)
    department_code = models.CharField("département", max_length=3, db_index=True)
    latitude = models.DecimalField("latitude", max_digits=8, decimal_places=5)
    longitude = models.DecimalField("longitude", max_digits=8, decimal_places=5)

    class Meta:
        verbose_name = "adresse"
        verbose_name_plural = "adresses"

    def __str__(self) -> str:
        prefix = f"{self.label} — " if self.label else ""
        return f"{prefix}{self.street}, {self.postal_code} {self.city}"
