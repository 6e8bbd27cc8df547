"""Presets and background jobs: validation, audit, progress, e-mail, expiry purge."""

import datetime as dt
import os

import pytest
from django.db import IntegrityError

from passculture.core import clock
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.exports import jobs, registry, services
from passculture.exports.errors import NoColumn, PresetNameMissing, UnknownColumn, UnknownFormat
from passculture.exports.models import ColumnPreset, ExportJob, JobStatus
from tests.exports.factories import make_world, read_xlsx

pytestmark = pytest.mark.django_db

COLUMNS = ["last_name", "first_name", "place", "venue", "amount", "token"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_clean_columns_keeps_order_drops_duplicates_refuses_unknown():
    bookings = registry.get("bookings")
    assert services.clean_columns(bookings, ["venue", "token", "venue"]) == ["venue", "token"]
    with pytest.raises(UnknownColumn) as caught:
        services.clean_columns(bookings, ["token", "salaire"])
    assert caught.value.text == "Colonne inconnue pour cet export : salaire."
    with pytest.raises(NoColumn) as empty:
        services.clean_columns(bookings, [])
    assert empty.value.text == "Choisissez au moins une colonne à exporter."
    with pytest.raises(UnknownFormat):
        services.check_format("pdf")


def test_save_preset_creates_then_overwrites_by_name_and_audits():
    w = make_world()
    preset = services.save_preset(
        user=w.pro, offerer=w.offerer, exporter_key="bookings", name=" Guichet ", columns=COLUMNS
    )
    assert (preset.name, preset.columns, preset.created_by) == ("Guichet", COLUMNS, w.pro)
    again = services.save_preset(
        user=w.pro, offerer=w.offerer, exporter_key="bookings", name="Guichet", columns=["token"]
    )
    assert again.pk == preset.pk and again.columns == ["token"]
    assert list(
        AuditEntry.objects.filter(object_id=str(preset.pk), action__startswith="export_preset")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["export_preset.created", "export_preset.updated"]
    services.delete_preset(user=w.pro, preset=again)
    assert not ColumnPreset.objects.exists()


def test_bad_preset_changes_nothing():
    w = make_world()
    with pytest.raises(PresetNameMissing):
        services.save_preset(
            user=w.pro, offerer=w.offerer, exporter_key="bookings", name="  ", columns=COLUMNS
        )
    with pytest.raises(UnknownColumn):
        services.save_preset(
            user=w.pro, offerer=w.offerer, exporter_key="bookings", name="X", columns=["nope"]
        )
    assert not ColumnPreset.objects.exists()


def test_preset_name_unique_per_structure_and_exporter():
    w = make_world()
    ColumnPreset.objects.create(offerer=w.offerer, exporter_key="bookings", name="A", columns=[])
    ColumnPreset.objects.create(offerer=w.offerer, exporter_key="offers", name="A", columns=[])
    with pytest.raises(IntegrityError):
        ColumnPreset.objects.create(
            offerer=w.offerer, exporter_key="bookings", name="A", columns=[]
        )


def test_counted_reports_progress_every_n_rows():
    seen: list[int] = []
    assert list(services.counted(iter(range(5)), 2, seen.append)) == [0, 1, 2, 3, 4]
    assert seen == [2, 4, 5]


def test_background_job_writes_file_reports_progress_and_mails(settings, media, mailoutbox):
    settings.EXPORT_PROGRESS_EVERY = 2
    w = make_world()
    job = services.start_export_job(
        user=w.pro, offerer=w.offerer, exporter_key="bookings",
        params={"status": "confirmed"}, columns=COLUMNS, fmt="xlsx",
    )  # fmt: skip
    assert job.status == JobStatus.QUEUED
    assert job.params == {"status": "confirmed", "offerer_id": w.offerer.pk}
    assert job.expires_at - job.created_at == dt.timedelta(days=7)
    assert run_pending_tasks() >= 1
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.percent) == (JobStatus.DONE, 4, 4, 100)
    assert job.file.name.startswith("exports/") and job.file.name.endswith(f"-{job.pk}.xlsx")
    assert os.path.exists(media / job.file.name)
    rows = read_xlsx((media / job.file.name).read_bytes())
    assert rows[0] == ["Nom", "Prénom", "Place", "Lieu", "Prix unitaire", "Contremarque"]
    assert rows[1:] == [
        ["Ĺópez", "Ørjan", "DUO 1", "Théâtre de l'Échangeur", 12.5, w.duo.token],
        ["Ĺópez", "Ørjan", "DUO 2", "Théâtre de l'Échangeur", 12.5, w.duo.token],
        ["Lefèvre-Nguyễn", "Zoé", None, "Théâtre de l'Échangeur", 12.5, w.solo.token],
        ["+33", '=HYPERLINK("http://x")', None, "Théâtre de l'Échangeur", 12.5, w.formula.token],
    ]
    (mail,) = mailoutbox
    assert mail.to == [w.pro.email]
    assert mail.subject == "Votre export est prêt : Réservations individuelles"
    assert f"/pro/exports/fichiers/{job.pk}/" in mail.body
    assert "4 lignes" in mail.body
    assert AuditEntry.objects.filter(object_id=str(job.pk), action="export_job.done").exists()
    # Idempotent: running it again changes nothing and sends nothing.
    assert jobs.run_export_job(job.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_failed_job_is_marked_and_mails_nobody(mailoutbox, monkeypatch):
    w = make_world()
    job = services.start_export_job(
        user=w.pro, offerer=w.offerer, exporter_key="bookings", params={}, columns=COLUMNS,
        fmt="csv",
    )  # fmt: skip

    def boom(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services, "write_export", boom)
    assert jobs.run_export_job(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.error, bool(job.file)) == (JobStatus.FAILED, "RuntimeError", False)
    assert mailoutbox == []


def test_purge_deletes_expired_files_only(media):
    w = make_world()
    keep = services.start_export_job(
        user=w.pro, offerer=w.offerer, exporter_key="bookings", params={}, columns=COLUMNS,
        fmt="ods",
    )  # fmt: skip
    old = services.start_export_job(
        user=w.pro, offerer=w.offerer, exporter_key="bookings", params={}, columns=COLUMNS,
        fmt="csv",
    )  # fmt: skip
    run_pending_tasks()
    old.refresh_from_db()
    keep.refresh_from_db()
    old_path = media / old.file.name
    assert old_path.exists()
    ExportJob.objects.filter(pk=old.pk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert jobs.purge_expired_exports() == 1
    assert not old_path.exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [keep.pk]
    assert (media / keep.file.name).exists()


def test_purge_is_a_periodic_job():
    from passculture.tasks import PERIODIC_JOBS

    (job,) = [j for j in PERIODIC_JOBS if j.name == "exports.purge_expired"]
    assert job.task == "passculture.exports.tasks.purge_expired_exports"
