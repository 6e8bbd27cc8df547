"""Background export jobs: write the file with progress, tell the pro; purge old files."""

import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse

from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.exports import registry, services
from passculture.exports.formats import PARIS
from passculture.exports.models import ExportJob, JobStatus
from passculture.notifications.services import notify

logger = logging.getLogger(__name__)


def progress_every() -> int:
    return int(getattr(settings, "EXPORT_PROGRESS_EVERY", 1000))


def run_export_job(job_id: int) -> str:
    """Write the job's file. Idempotent: a job already done or failed is left alone."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return "skipped"
        exporter = registry.get(job.exporter_key)
        user = job.user
        if user is None:  # the account was deleted meanwhile: nobody to export for
            job.status, job.error = JobStatus.FAILED, "Compte supprimé."
            job.save(update_fields=["status", "error"])
            return "failed"
        job.status = JobStatus.RUNNING
        job.rows_done = 0
        job.rows_total = exporter.count(user, job.params)
        job.save(update_fields=["status", "rows_done", "rows_total"])

    def report(n: int) -> None:
        # Outside any transaction: each update commits, so the polled page sees it.
        ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

    try:
        with tempfile.TemporaryFile() as out:
            rows = services.counted(exporter.rows(user, job.params), progress_every(), report)
            services.write_export(
                user=user,
                exporter=exporter,
                params=job.params,
                keys=job.columns,
                fmt=job.format,
                out=out,
                rows=rows,
            )
            out.seek(0)
            stamp = clock.now().astimezone(PARIS).strftime("%Y%m%d-%H%M")
            job.file.save(
                f"{job.exporter_key}-{stamp}-{job.pk}.{job.format}", File(out), save=False
            )
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=f"{type(exc).__name__}", finished_at=clock.now()
        )
        return "failed"

    with transaction.atomic():
        job.refresh_from_db(fields=["rows_done"])
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, file=job.file.name, finished_at=clock.now()
        )
        job.status = JobStatus.DONE
        record_audit(
            actor="SYSTEM", action="export_job.done", obj=job, data={"rows": job.rows_done}
        )
        download = reverse("pro:export_download", args=[job.pk])
        notify(
            template="export_ready",
            context={
                "first_name": user.first_name,
                "label": exporter.label,
                "rows": job.rows_done,
                "format": job.format,
                "url": settings.SITE_URL + download,
                "expires": job.expires_at.astimezone(PARIS).strftime("%d/%m/%Y"),
            },
            category="export",
            user=user,
            title="Votre export est prêt",
            url=download,
        )
    return "done"


def purge_expired_exports() -> int:
    """Delete expired jobs' files and rows; return how many jobs were removed."""
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lte=clock.now()).iterator(chunk_size=200):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
