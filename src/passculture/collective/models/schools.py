"""Schools, their enrolment and yearly budgets, their people, and venues' collective profiles."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.core.models import TimeStampedModel
from passculture.offerers.models import Venue


class SchoolType(models.TextChoices):
    COLLEGE = "college", "Collège"
    LYCEE_GT = "lycee_gt", "Lycée général et technologique"
    LYCEE_PRO = "lycee_pro", "Lycée professionnel"
    LYCEE_AGRI = "lycee_agri", "Lycée agricole"
    EREA = "erea", "EREA"
    OTHER = "other", "Autre établissement"


class Level(models.TextChoices):
    SIXIEME = "6e", "6e"
    CINQUIEME = "5e", "5e"
    QUATRIEME = "4e", "4e"
    TROISIEME = "3e", "3e"
    CAP1 = "cap1", "CAP 1re année"
    CAP2 = "cap2", "CAP 2e année"
    SECONDE = "2nde", "2nde"
    PREMIERE = "1re", "1re"
    TERMINALE = "tle", "Terminale"


class School(TimeStampedModel):
    uai = models.CharField("UAI", max_length=8, unique=True)
    name = models.CharField("nom", max_length=200)
    school_type = models.CharField("type", max_length=20, choices=SchoolType.choices)
    city = models.CharField("commune", max_length=100)
    postal_code = models.CharField("code postal", max_length=5)
    department_code = models.CharField("département", max_length=3, db_index=True)
    academy = models.CharField("académie", max_length=60, db_index=True)
    latitude = models.DecimalField(
        "latitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        "longitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)

    class Meta:
        verbose_name = "établissement scolaire"
        verbose_name_plural = "établissements scolaires"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.uai})"


class Enrolment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="enrolments")
    level = models.CharField("niveau", max_length=10, choices=Level.choices)
    pupils = models.PositiveIntegerField("élèves")

    class Meta:
        verbose_name = "effectif"
        constraints = [models.UniqueConstraint(fields=["school", "level"], name="enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.level}: {self.pupils}"


class EducationalYear(models.Model):
    """1 September – 31 August, Europe/Paris (bounds stored in UTC)."""

    code = models.CharField("année scolaire", max_length=9, unique=True)  # "2026-2027"
    begins_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin (exclue)")

    class Meta:
        verbose_name = "année scolaire"
        verbose_name_plural = "années scolaires"
        ordering = ["-begins_at"]

    def __str__(self) -> str:
        return self.code


class BudgetRate(models.Model):
    """Per-pupil amount for a level, from a school year on (rules as data)."""

    level = models.CharField("niveau", max_length=10, choices=Level.choices)
    amount = models.PositiveIntegerField("par élève (centimes)")
    valid_from_year = models.CharField("à partir de l’année", max_length=9)

    class Meta:
        verbose_name = "montant par élève"
        verbose_name_plural = "montants par élève"
        constraints = [
            models.UniqueConstraint(fields=["level", "valid_from_year"], name="budget_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level} : {self.amount / 100:.0f} € ({self.valid_from_year})"


class SchoolBudget(models.Model):
    """A school's budget for one year; only 80 % is spendable while provisional."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="budgets")
    year = models.ForeignKey(EducationalYear, on_delete=models.PROTECT, related_name="budgets")
    amount = models.PositiveIntegerField("montant (centimes)")
    is_provisional = models.BooleanField("provisoire", default=True)
    is_manual = models.BooleanField("fixé par l’équipe", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budgets"
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="school_budget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.year_id}: {self.amount / 100:.2f} €"


class SchoolRole(models.TextChoices):
    TEACHER = "teacher", "Rédacteur de projet"
    HEAD = "head", "Chef d’établissement"


class SchoolMember(models.Model):
    """A teacher or the head, attached to a school by its UAI (SSO later fills this)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="members")
    role = models.CharField("rôle", max_length=10, choices=SchoolRole.choices)

    class Meta:
        verbose_name = "personnel d’établissement"
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="school_member_unique"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(role="head"), name="one_head_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.school_id})"


class VenueCollectiveProfile(TimeStampedModel):
    venue = models.OneToOneField(Venue, on_delete=models.CASCADE, related_name="collective_profile")
    description = models.TextField("présentation", max_length=3000, blank=True)
    domains = models.JSONField("domaines", default=list, blank=True)
    levels = models.JSONField("niveaux accueillis", default=list, blank=True)
    formats = models.JSONField("formats", default=list, blank=True)
    intervention_departments = models.JSONField(
        "départements d’intervention", default=list, blank=True
    )
    all_metropole = models.BooleanField("intervient dans toute la métropole", default=False)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)

    class Meta:
        verbose_name = "profil collectif"
        verbose_name_plural = "profils collectifs"

    def __str__(self) -> str:
        return f"Profil collectif de {self.venue}"
