"""Grant rules (data with validity periods), deposits and their credit entries."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from passculture.core import clock


class DepositKind(models.TextChoices):
    UNDERAGE = "underage", "Crédit 15–17 ans"
    AGE_18 = "age_18", "Crédit 18 ans"
    AGE_17_18 = "age_17_18", "Crédit 17–18 ans"
    FREE_ONLY = "free_only", "Offres gratuites (15–16 ans)"


class GrantRule(models.Model):
    """What the State grants at an age, for people reaching it within [valid_from, valid_until).

    A reform is new rows, not a code change: the row in force on the day the age is
    reached decides the amount, the deposit it goes to and when that deposit expires.
    """

    rule_set = models.CharField("réforme", max_length=20)
    valid_from = models.DateField("en vigueur à partir du")
    valid_until = models.DateField("jusqu’au (exclu)", null=True, blank=True)
    age = models.PositiveSmallIntegerField("âge")
    amount = models.PositiveIntegerField("montant (centimes)")
    deposit_kind = models.CharField("crédit", max_length=20, choices=DepositKind.choices)
    expires_at_age = models.PositiveSmallIntegerField("expire à l’âge de", null=True, blank=True)
    validity_months = models.PositiveSmallIntegerField("valable (mois)", null=True, blank=True)
    digital_cap = models.PositiveIntegerField("plafond numérique (centimes)", null=True, blank=True)

    class Meta:
        verbose_name = "règle d’attribution"
        verbose_name_plural = "règles d’attribution"
        ordering = ["valid_from", "age"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at_age__isnull=False) | Q(validity_months__isnull=False),
                name="grant_rule_has_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} — {self.age} ans : {self.amount / 100:.0f} €"


class Deposit(models.Model):
    """A young person's credit: what was granted on it, until when, and its digital cap."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deposits"
    )
    kind = models.CharField("crédit", max_length=20, choices=DepositKind.choices)
    rule_set = models.CharField("réforme", max_length=20)
    amount = models.IntegerField("montant crédité (centimes)", default=0)
    digital_cap = models.PositiveIntegerField("plafond numérique (centimes)", null=True, blank=True)
    expires_at = models.DateTimeField("expire le")
    created_at = models.DateTimeField("crédité le", default=clock.now)

    class Meta:
        verbose_name = "crédit"
        verbose_name_plural = "crédits"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="deposit_one_per_kind"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deposit_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} ({self.amount / 100:.2f} €)"


class CreditEntryReason(models.TextChoices):
    GRANT = "grant", "Attribution"
    BIRTHDAY = "birthday", "Recrédit d’anniversaire"
    MANUAL = "manual", "Ajustement manuel"


class CreditEntry(models.Model):
    """One movement of a deposit's credited amount; grants are unique per age (idempotent jobs)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="entries")
    amount = models.IntegerField("montant (centimes)")
    reason = models.CharField("motif", max_length=20, choices=CreditEntryReason.choices)
    age = models.PositiveSmallIntegerField("âge", null=True, blank=True)
    comment = models.CharField("commentaire", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("le", default=clock.now)

    class Meta:
        verbose_name = "mouvement de crédit"
        verbose_name_plural = "mouvements de crédit"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deposit", "age"],
                condition=Q(reason__in=["grant", "birthday"]),
                name="credit_entry_once_per_age",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.amount / 100:+.2f} €"
