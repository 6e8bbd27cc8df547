"""Saved column choices (presets) and background export jobs, both per structure."""

import datetime as dt

from django.conf import settings
from django.db import models

from passculture.core import clock
from passculture.offerers.models import Offerer

JOB_RETENTION = dt.timedelta(days=7)


def _expiry() -> dt.datetime:
    return clock.now() + JOB_RETENTION


class ColumnPreset(models.Model):
    """A named, ordered column choice for one exporter, shared by a structure's members."""

    offerer = models.ForeignKey(Offerer, on_delete=models.CASCADE, related_name="column_presets")
    exporter_key = models.CharField("export", max_length=40)
    name = models.CharField("nom", max_length=80)
    columns = models.JSONField("colonnes", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "modèle de colonnes"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["offerer", "exporter_key", "name"], name="exports_preset_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class ExportJob(models.Model):
    """A large export written in the background; its file is kept JOB_RETENTION."""

    offerer = models.ForeignKey(Offerer, on_delete=models.CASCADE, related_name="export_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    exporter_key = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    columns = models.JSONField(default=list)
    format = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=_expiry, db_index=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "export en arrière-plan"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="exports_job_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exporter_key} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()
