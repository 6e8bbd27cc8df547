"""Collective offers: showcase (no date, on request) or bookable with its single stock."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.collective.models.schools import School
from passculture.core.models import TimeStampedModel
from passculture.offerers.models import Address, Venue
from passculture.offers.models import Validation


class LocationType(models.TextChoices):
    VENUE = "venue", "Dans le lieu"
    SCHOOL = "school", "Dans l’établissement scolaire"
    ADDRESS = "address", "À une autre adresse"
    TO_BE_DEFINED = "to_be_defined", "À définir avec l’établissement"


class CollectiveOffer(TimeStampedModel):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="collective_offers")
    is_template = models.BooleanField("offre vitrine (sans date ni prix)", default=False)
    name = models.CharField("titre", max_length=110)
    description = models.TextField("description", max_length=3000)
    domains = models.JSONField("domaines", default=list)
    levels = models.JSONField("niveaux", default=list)
    formats = models.JSONField("formats", default=list)
    duration_minutes = models.PositiveIntegerField("durée (minutes)", null=True, blank=True)
    location_type = models.CharField(
        "lieu", max_length=20, choices=LocationType.choices, default=LocationType.VENUE
    )
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT)
    location_comment = models.CharField("précisions sur le lieu", max_length=200, blank=True)
    intervention_departments = models.JSONField(
        "départements d’intervention", default=list, blank=True
    )
    target_school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, verbose_name="établissement ciblé"
    )
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    booking_emails = models.JSONField("e-mails de notification", default=list, blank=True)
    validation = models.CharField(
        "vérification", max_length=20, choices=Validation.choices, default=Validation.DRAFT
    )
    rejection_reason = models.TextField("motif du refus", blank=True)
    is_active = models.BooleanField("active", default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    template = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookable_offers",
        verbose_name="créée depuis l’offre vitrine",
    )  # fmt: skip
    duplicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    id_at_provider = models.CharField(max_length=70, blank=True)

    class Meta:
        verbose_name = "offre collective"
        verbose_name_plural = "offres collectives"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=False) | Q(target_school__isnull=True),
                name="collective_template_not_targeted",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CollectiveStock(TimeStampedModel):
    offer = models.OneToOneField(CollectiveOffer, on_delete=models.CASCADE, related_name="stock")
    start_datetime = models.DateTimeField("début", db_index=True)
    end_datetime = models.DateTimeField("fin")
    booking_limit_datetime = models.DateTimeField("date limite de réservation")
    price = models.PositiveIntegerField("prix total (centimes)")
    number_of_pupils = models.PositiveIntegerField("nombre d’élèves")
    price_detail = models.TextField("détail du prix", max_length=1000, blank=True)

    class Meta:
        verbose_name = "date de l’offre collective"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_datetime__gte=models.F("start_datetime")),
                name="collective_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(booking_limit_datetime__lte=models.F("start_datetime")),
                name="collective_limit_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} @ {self.start_datetime:%Y-%m-%d}"


class CollectiveRequest(TimeStampedModel):
    """A teacher's request on a showcase offer; the venue answers with a bookable offer."""

    template = models.ForeignKey(CollectiveOffer, on_delete=models.CASCADE, related_name="requests")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="requests")
    requested_date = models.DateField("date souhaitée", null=True, blank=True)
    number_of_pupils = models.PositiveIntegerField("nombre d’élèves")
    message = models.TextField("message", max_length=2000)
    answered_offer = models.ForeignKey(
        CollectiveOffer, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers_to"
    )

    class Meta:
        verbose_name = "demande d’offre"
        verbose_name_plural = "demandes d’offre"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Demande {self.pk} sur {self.template_id}"


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(CollectiveOffer, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "offer"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.offer_id}"
