"""Shared base model, audit log and scheduler bookkeeping."""

from django.conf import settings
from django.db import models

from passculture.core import clock


class TimeStampedModel(models.Model):
    """Base of domain models: bigint id (DEFAULT_AUTO_FIELD), creation and update times."""

    created_at = models.DateTimeField("créé le", default=clock.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One state change: who did what to which object, with the before/after values."""

    created_at = models.DateTimeField("date", default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept even if the user is erased, and says AUTO / SYSTEM for jobs.
    actor_label = models.CharField("auteur (libellé)", max_length=254)
    action = models.CharField("action", max_length=80, db_index=True)
    object_type = models.CharField("type d’objet", max_length=80)
    object_id = models.CharField("identifiant", max_length=64)
    before = models.JSONField("avant", default=dict, blank=True)
    after = models.JSONField("après", default=dict, blank=True)
    data = models.JSONField("données", default=dict, blank=True)

    class Meta:
        verbose_name = "entrée du journal d’audit"
        verbose_name_plural = "journal d’audit"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class ScheduledRun(models.Model):
    """A periodic job's slot, claimed once: the unique key makes schedulers agree."""

    job = models.CharField(max_length=120)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(default=clock.now)
    claimed_by = models.CharField(max_length=120)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "exécution planifiée"
        verbose_name_plural = "exécutions planifiées"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_once")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """Written by the health job: proves scheduler → queue → worker works end to end."""

    name = models.CharField(max_length=60, unique=True)
    last_seen_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "signal de vie"
        verbose_name_plural = "signaux de vie"

    def __str__(self) -> str:
        return f"{self.name} ({self.count})"
