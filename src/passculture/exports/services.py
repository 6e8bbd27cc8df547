"""Writes of the exports domain: column presets and background export jobs."""

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.exports import registry
from passculture.exports.errors import NoColumn, PresetNameMissing, UnknownColumn, UnknownFormat
from passculture.exports.formats import FORMATS
from passculture.exports.models import JOB_RETENTION, ColumnPreset, ExportJob
from passculture.exports.registry import Column, Exporter, Row
from passculture.offerers.models import Offerer


def sync_max_rows() -> int:
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5000))


def clean_columns(exporter: Exporter, keys: Iterable[str]) -> list[str]:
    """The pro's column keys, in order, without duplicates; unknown → UnknownColumn."""
    known = {c.key for c in exporter.columns}
    chosen: list[str] = []
    for key in keys:
        if key not in known:
            raise UnknownColumn(key=key)
        if key not in chosen:
            chosen.append(key)
    if not chosen:
        raise NoColumn()
    return chosen


def columns_of(exporter: Exporter, keys: Sequence[str]) -> list[Column]:
    return [exporter.column(key) for key in clean_columns(exporter, keys)]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownFormat(key=fmt)
    return fmt


def write_export(
    *,
    user: User,
    exporter: Exporter,
    params: dict[str, Any],
    keys: Sequence[str],
    fmt: str,
    out: IO[bytes],
    rows: Iterable[Row] | None = None,
) -> None:
    """Write the export to `out` (rows default to the exporter's, scoped to the user)."""
    columns = columns_of(exporter, keys)
    writer = FORMATS[check_format(fmt)][1]
    writer(columns, exporter.rows(user, params) if rows is None else rows, out)


@transaction.atomic
def save_preset(
    *, user: User, offerer: Offerer, exporter_key: str, name: str, columns: Sequence[str]
) -> ColumnPreset:
    """Create or overwrite the structure's preset of that name. Caller checked membership."""
    name = name.strip()
    if not name or len(name) > 80:
        raise PresetNameMissing()
    keys = clean_columns(registry.get(exporter_key), columns)
    preset, created = ColumnPreset.objects.update_or_create(
        offerer=offerer,
        exporter_key=exporter_key,
        name=name,
        defaults={"columns": keys},
        create_defaults={"columns": keys, "created_by": user},
    )
    record_audit(
        actor=user,
        action="export_preset.created" if created else "export_preset.updated",
        obj=preset,
        data={"columns": keys, "exporter": exporter_key},
    )
    return preset


@transaction.atomic
def delete_preset(*, user: User, preset: ColumnPreset) -> None:
    """Delete a preset the caller may see (scoped lookup done by the caller)."""
    record_audit(actor=user, action="export_preset.deleted", obj=preset, data={"name": preset.name})
    preset.delete()


@transaction.atomic
def start_export_job(
    *,
    user: User,
    offerer: Offerer,
    exporter_key: str,
    params: dict[str, Any],
    columns: Sequence[str],
    fmt: str,
) -> ExportJob:
    """Record a background export and enqueue its task. Caller checked membership."""
    from passculture.exports.tasks import run_export_job  # tasks import services

    keys = clean_columns(registry.get(exporter_key), columns)
    now = clock.now()
    job = ExportJob.objects.create(
        created_at=now,
        expires_at=now + JOB_RETENTION,
        offerer=offerer,
        user=user,
        exporter_key=exporter_key,
        params={**params, "offerer_id": offerer.pk},
        columns=keys,
        format=check_format(fmt),
    )
    record_audit(
        actor=user, action="export_job.created", obj=job, data={"format": fmt, "columns": keys}
    )
    # Same transaction: the task row commits (or not) with the job.
    run_export_job.enqueue(job.pk)
    return job


def counted(rows: Iterable[Row], every: int, report: Any) -> Iterator[Row]:
    """Pass rows through, calling report(n) every `every` rows (the job's progress bar)."""
    n = 0
    for row in rows:
        yield row
        n += 1
        if n % every == 0:
            report(n)
    report(n)
