"""Pro export pages: filters from the bookings tab, column choice without JavaScript,
presets, immediate downloads, background jobs and their files — all scoped."""

import datetime as dt
import re

import pytest

from passculture.core import clock
from passculture.core.taskrunner import run_pending_tasks
from passculture.exports.models import ColumnPreset, ExportJob, JobStatus
from tests.exports.factories import make_world, read_csv, read_ods, read_xlsx
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/pro/exports/"
CHOSEN = ["last_name", "first_name", "place", "venue", "amount", "token"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(client):
    w = make_world()
    client.force_login(w.pro)
    return w


def _post(client, w, **extra):
    data = {"exporter": "bookings", "offerer": w.offerer.pk, "format": "csv",
            "order": CHOSEN, "columns": CHOSEN, "action": "export"}  # fmt: skip
    data.update(extra)
    return client.post(URL, data)


def _order(response) -> list[str]:
    return re.findall(r'<li data-key="([a-z_]+)"', response.content.decode())


def _checked(response) -> list[str]:
    return re.findall(
        r'name="columns" value="([a-z_]+)" id="[^"]+" checked', response.content.decode()
    )


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_pro_without_structure_sees_empty_state(client):
    client.force_login(make_user())
    response = client.get(URL)
    assert response.status_code == 200
    assert "Ajoutez d’abord votre structure" in response.content.decode()


def test_page_takes_the_bookings_tab_query_string(client, world):
    response = client.get(URL, {"statut": "cancelled", "lieu": world.venue.pk, "du": "2027-01-01"})
    assert response.status_code == 200
    form = response.context["filter_form"]
    assert form.is_valid()
    assert form.params() == {
        "status": "cancelled",
        "venue_id": world.venue.pk,
        "date_from": "2027-01-01",
    }
    # Carried into the export form as hidden fields.
    body = response.content.decode()
    assert '<input type="hidden" name="status" value="cancelled">' in body
    assert _order(response)[:3] == ["token", "place", "last_name"]
    offer = client.get(URL, {"offre": f"c{world.offer.pk}"})
    assert offer.context["filter_form"].params() == {
        "offer_id": world.offer.pk,
        "kind": "collective",
    }
    assert offer.context["exporter"].key == "collective_bookings"


def test_csv_download_with_chosen_columns_in_order_and_filters(client, world):
    response = _post(client, world, status="confirmed")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="reservations-individuelles-'
    )
    rows = read_csv(b"".join(response.streaming_content))
    assert rows == [
        ["Nom", "Prénom", "Place", "Lieu", "Prix unitaire", "Contremarque"],
        ["Ĺópez", "Ørjan", "DUO 1", "Théâtre de l'Échangeur", "12,50", world.duo.token],
        ["Ĺópez", "Ørjan", "DUO 2", "Théâtre de l'Échangeur", "12,50", world.duo.token],
        ["Lefèvre-Nguyễn", "Zoé", "", "Théâtre de l'Échangeur", "12,50", world.solo.token],
        [
            "'+33",
            '\'=HYPERLINK("http://x")',
            "",
            "Théâtre de l'Échangeur",
            "12,50",
            world.formula.token,
        ],
    ]


def test_xlsx_and_ods_downloads(client, world):
    xlsx = _post(client, world, format="xlsx", status="confirmed", beneficiary="Zoé")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert read_xlsx(b"".join(xlsx.streaming_content))[1] == [
        "Lefèvre-Nguyễn", "Zoé", None, "Théâtre de l'Échangeur", 12.5, world.solo.token,
    ]  # fmt: skip
    ods = _post(client, world, format="ods", beneficiary="Zoé")
    assert read_ods(b"".join(ods.streaming_content))[1] == [
        "Lefèvre-Nguyễn", "Zoé", "", "Théâtre de l'Échangeur", "12,50 €", world.solo.token,
    ]  # fmt: skip


def test_move_buttons_reorder_without_javascript(client, world):
    response = _post(client, world, action="", move="up:first_name")
    assert response.status_code == 200
    order = _order(response)
    assert order[:6] == ["first_name", "last_name", "place", "venue", "amount", "token"]
    assert _checked(response) == ["first_name", "last_name", "place", "venue", "amount", "token"]
    down = _post(client, world, action="", move="down:token", order=order, columns=order[:6])
    assert _order(down)[5:7] == [order[6], "token"]
    assert 'value="down:token" data-move="down" autofocus' in down.content.decode()


def test_unknown_column_is_a_clear_error(client, world):
    response = _post(client, world, columns=["token", "salaire"])
    assert response.status_code == 400
    assert "Colonne inconnue pour cet export : salaire." in response.content.decode()
    none = _post(client, world, columns=[])
    assert "Choisissez au moins une colonne à exporter." in none.content.decode()
    assert not ExportJob.objects.exists()


def test_invalid_filter_blocks_export(client, world):
    response = _post(client, world, date_from="2027-02-01", date_to="2027-01-01")
    assert response.status_code == 400
    assert "La date de fin doit être après la date de début." in response.content.decode()


def test_preset_save_load_delete_and_scoping(client, world):
    response = _post(client, world, action="save_preset", preset_name="Liste d’entrée")
    preset = ColumnPreset.objects.get()
    assert (preset.name, preset.columns, preset.offerer) == (
        "Liste d’entrée",
        CHOSEN,
        world.offerer,
    )
    assert response.status_code == 302 and f"preset={preset.pk}" in response["Location"]
    loaded = client.get(response["Location"])
    assert _checked(loaded) == CHOSEN and _order(loaded)[:6] == CHOSEN
    assert "Liste d’entrée" in loaded.content.decode()

    other = make_world(offerer_name="Autre structure")
    client.force_login(other.pro)
    assert client.get(URL, {"preset": preset.pk}).status_code == 404
    assert client.post(f"/pro/exports/modeles/{preset.pk}/supprimer/").status_code == 404
    assert ColumnPreset.objects.filter(pk=preset.pk).exists()
    assert "Liste d’entrée" not in client.get(URL).content.decode()

    client.force_login(world.pro)
    assert client.post(f"/pro/exports/modeles/{preset.pk}/supprimer/").status_code == 302
    assert not ColumnPreset.objects.exists()


def test_preset_without_name_changes_nothing(client, world):
    response = _post(client, world, action="save_preset", preset_name="")
    assert response.status_code == 400
    assert "Donnez un nom au modèle de colonnes" in response.content.decode()
    assert not ColumnPreset.objects.exists()


def test_large_export_runs_as_job_with_progress_and_download(client, world, settings, media):
    settings.EXPORT_SYNC_MAX_ROWS = 3  # 5 seats > 3: background
    response = _post(client, world, format="xlsx")
    assert response.status_code == 302 and response["Location"] == "/pro/exports/fichiers/"
    job = ExportJob.objects.get()
    assert (job.status, job.columns, job.format, job.user) == ("queued", CHOSEN, "xlsx", world.pro)
    page = client.get("/pro/exports/fichiers/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="0"' in page
    assert client.get(f"/pro/exports/fichiers/{job.pk}/").status_code == 409

    run_pending_tasks()
    table = client.get("/pro/exports/fichiers/tableau/").content.decode()
    assert "100 % — 5 / 5 lignes" in table and "every 2s" not in table
    download = client.get(f"/pro/exports/fichiers/{job.pk}/")
    assert download.status_code == 200
    rows = read_xlsx(b"".join(download.streaming_content))
    assert [r[2] for r in rows[1:3]] == ["DUO 1", "DUO 2"]

    other = make_world(offerer_name="Autre structure")
    client.force_login(other.pro)
    assert client.get(f"/pro/exports/fichiers/{job.pk}/").status_code == 404
    assert f'data-job="{job.pk}"' not in client.get("/pro/exports/fichiers/").content.decode()

    client.force_login(world.pro)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=clock.now() - dt.timedelta(minutes=1))
    expired = client.get(f"/pro/exports/fichiers/{job.pk}/")
    assert expired.status_code == 410
    assert "Ce fichier a expiré (conservé 7 jours)" in expired.content.decode()


def test_failed_job_download_explains(client, world):
    job = ExportJob.objects.create(
        offerer=world.offerer, user=world.pro, exporter_key="bookings", columns=CHOSEN,
        format="csv", status=JobStatus.FAILED,
    )  # fmt: skip
    response = client.get(f"/pro/exports/fichiers/{job.pk}/")
    assert response.status_code == 409
    assert "Cet export a échoué" in response.content.decode()


def test_jobs_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for _ in range(5):
        ExportJob.objects.create(
            offerer=world.offerer, user=world.pro, exporter_key="bookings", columns=CHOSEN,
            format="csv",
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert client.get("/pro/exports/fichiers/tableau/").status_code == 200
