"""Journey (issue 7, done-when 1): a pro filters bookings, picks 6 columns in a custom
order, saves the preset, exports xlsx, csv and ods; each file is opened back and holds the
columns in that order with names intact."""

import pytest

from passculture.exports.models import ColumnPreset
from tests.e2e.conftest import shot
from tests.exports.factories import make_world, read_csv, read_ods, read_xlsx
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = ["Nom", "Prénom", "Lieu", "Place", "Prix unitaire", "Contremarque"]
KEYS = ["last_name", "first_name", "venue", "place", "amount", "token"]


def _move(page, label: str, direction: str, times: int) -> None:
    button = page.get_by_role("button", name=f"{direction} {label}", exact=True)
    for _ in range(times):
        button.click()


def _download(page, fmt: str, tmp_path) -> bytes:
    page.locator(f"input[name=format][value={fmt}]").check(force=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter", exact=True).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == f".{fmt}"
    return path.read_bytes()


def test_pro_exports_bookings_with_chosen_columns(page, tmp_path):
    pro = make_user("billetterie@echangeur.fr", first_name="Inès", last_name="Da Silva")
    w = make_world(pro=pro)

    page.goto("/pro/")
    page.locator("#id_username").fill(pro.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/pro/reservations/")
    page.locator("#id_statut").select_option("confirmed")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Exporter").click()
    page.get_by_role("heading", name="Exporter", exact=True).wait_for()
    assert page.locator("#id_status").input_value() == "confirmed"

    # Default: token, place, last_name, first_name, email, offer, event_at, price_category,
    # amount, booked_at, status, then the unchecked ones (phone, venue…).
    for label in ("E-mail", "Offre", "Date de l’événement", "Tarif", "Réservée le", "Statut"):
        page.locator("#columns").get_by_label(label, exact=True).uncheck(force=True)
    page.locator("#columns").get_by_label("Lieu", exact=True).check(force=True)
    _move(page, "Nom", "Monter", 2)
    _move(page, "Prénom", "Monter", 2)
    _move(page, "Lieu", "Monter", 10)
    _move(page, "Contremarque", "Descendre", 1)
    _move(page, "Prix unitaire", "Monter", 5)
    order = page.locator("#columns li").evaluate_all("items => items.map(i => i.dataset.key)")
    assert order[:6] == KEYS
    assert page.locator("#cols-status").text_content() == "Prix unitaire : position 5 sur 17"
    shot(page, "70-export-columns")

    page.get_by_label("Nom du modèle").fill("Liste d’entrée")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    page.get_by_text("Modèle « Liste d’entrée » enregistré.").wait_for()
    assert ColumnPreset.objects.get().columns == KEYS
    checked = page.locator("#columns input[name=columns]:checked").evaluate_all(
        "boxes => boxes.map(b => b.value)"
    )
    assert checked == KEYS
    assert page.locator("#id_status").input_value() == "confirmed"
    shot(page, "71-export-preset-saved")

    xlsx = read_xlsx(_download(page, "xlsx", tmp_path))
    csv_rows = read_csv(_download(page, "csv", tmp_path))
    ods = read_ods(_download(page, "ods", tmp_path))
    for rows in (xlsx, csv_rows, ods):
        assert rows[0] == HEADER
        assert len(rows) == 5  # confirmed only: duo (2 seats), Zoé, the formula-looking name
        zoe = [r for r in rows if r[1] == "Zoé"]
        assert zoe and zoe[0][:3] == ["Lefèvre-Nguyễn", "Zoé", "Théâtre de l'Échangeur"]
        assert zoe[0][5] == w.solo.token
        assert [r[3] for r in rows[1:3]] == ["DUO 1", "DUO 2"]
    assert xlsx[1][4] == 12.5 and csv_rows[1][4] == "12,50" and ods[1][4] == "12,50 €"
    assert csv_rows[4][1] == '\'=HYPERLINK("http://x")'
    shot(page, "72-export-done")


def test_large_export_runs_in_background_with_progress(page, tmp_path, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 2  # 5 seats: a background job
    settings.MEDIA_ROOT = tmp_path / "media"
    pro = make_user("billetterie@echangeur.fr", first_name="Inès", last_name="Da Silva")
    make_world(pro=pro)
    page.goto("/pro/")
    page.locator("#id_username").fill(pro.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/pro/exports/")
    page.locator("input[name=format][value=ods]").check(force=True)
    page.get_by_role("button", name="Exporter", exact=True).click()
    page.get_by_role("heading", name="Mes exports").wait_for()
    page.get_by_text("Export volumineux").wait_for()
    assert page.locator("progress").get_attribute("value") == "0"
    shot(page, "73-export-job-queued")

    from passculture.core.taskrunner import run_pending_tasks

    run_pending_tasks()
    # The table polls every 2 s (HTMX): the link appears without reloading the page.
    page.get_by_role("link", name="Télécharger").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    shot(page, "74-export-job-done")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = read_ods(path.read_bytes())
    assert rows[0][:3] == ["Contremarque", "Place", "Nom"]
    assert len(rows) == 6 and any(r[2] == "Lefèvre-Nguyễn" for r in rows)
