"""Export tasks: one per background export, and the daily purge of expired files."""

from django.tasks import task

from passculture.exports import jobs


@task
def run_export_job(job_id: int) -> str:
    return jobs.run_export_job(job_id)


@task
def purge_expired_exports() -> int:
    return jobs.purge_expired_exports()
