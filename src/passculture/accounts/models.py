"""Users: e-mail login, French names with accents, phone, one role."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

from passculture.core import clock


class Role(models.TextChoices):
    BENEFICIARY = "beneficiary", "Jeune bénéficiaire"
    PRO = "pro", "Professionnel"
    TEACHER = "teacher", "Rédacteur de projet (enseignant)"
    HEAD = "head", "Chef d’établissement"
    STAFF = "staff", "Équipe passculture"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.STAFF)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", max_length=254, unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.PRO)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès au back-office", default=False)
    date_joined = models.DateTimeField("inscrit le", default=clock.now)
    email_verified_at = models.DateTimeField("e-mail vérifié le", null=True, blank=True)
    # Young people: birth date and residence decide eligibility, credit and "near me".
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    department_code = models.CharField("département de résidence", max_length=3, blank=True)
    identity_validated_at = models.DateTimeField("identité vérifiée le", null=True, blank=True)
    marketing_opt_in = models.BooleanField("accepte les suggestions d’offres", default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name


class IdentityStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    VALIDATED = "validated", "Validée"
    REFUSED = "refused", "Refusée"


class IdentityCheck(models.Model):
    """A young person's identity check, by a pluggable provider (see accounts.identity)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_checks")
    provider = models.CharField("fournisseur", max_length=30)
    status = models.CharField(
        "statut", max_length=20, choices=IdentityStatus.choices, default=IdentityStatus.PENDING
    )
    # What the young person declared (names, birth date, document): shown to the reviewer.
    declared = models.JSONField("données déclarées", default=dict)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("vérifiée le", null=True, blank=True)
    refusal_reason = models.CharField("motif du refus", max_length=300, blank=True)
    created_at = models.DateTimeField("demandée le", default=clock.now)

    class Meta:
        verbose_name = "vérification d’identité"
        verbose_name_plural = "vérifications d’identité"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_identity_check",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"
