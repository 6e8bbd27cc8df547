"""Pro "Exporter": the bookings tab's filters, a column chooser, presets, files.

The page is a GET form (filters, data, structure) and a POST form (columns, format,
presets). Reordering columns works without JavaScript: "Monter"/"Descendre" submit the
form and the page comes back with the new order (a small script does it in place when
JavaScript runs). Small exports download at once; larger ones become a background job.
Presets, jobs and files belong to a structure: another structure's are a 404.
"""

import tempfile
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.exports import registry, services
from passculture.exports.formats import FORMATS, PARIS, csv_chunks
from passculture.exports.models import ColumnPreset, ExportJob, JobStatus
from passculture.exports.registry import Exporter
from passculture.offerers.models import Offerer
from passculture.offerers.selectors import offerers_for_user
from passculture.web.pro.access import pro_page
from passculture.web.pro.export_forms import (
    FILTER_NAMES,
    ExportChoiceForm,
    ExportFilterForm,
    PresetNameForm,
    normalise_query,
)

SECTION = "bookings"
JOBS_SHOWN = 50
# Small xlsx/ods exports are built in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class ProRequest(HttpRequest):
    user: User


def presets_of(user: User) -> Any:
    return ColumnPreset.objects.filter(offerer__in=offerers_for_user(user))


def jobs_of(user: User) -> Any:
    return ExportJob.objects.filter(offerer__in=offerers_for_user(user))


def _context_query(data: QueryDict, exporter: Exporter, offerer: Offerer) -> QueryDict:
    """The GET state to carry along (filters, data, structure) — columns excluded."""
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if data.get(name):
            query[name] = str(data[name])
    query["exporter"], query["offerer"] = exporter.key, str(offerer.pk)
    return query


def _column_state(
    exporter: Exporter, order: list[str], checked: list[str]
) -> tuple[list[str], list[str], str]:
    """A full order (every column once) and the checked keys; unknown keys → an error."""
    known = [c.key for c in exporter.columns]
    for key in [*order, *checked]:
        if key not in known:
            return (
                known,
                list(exporter.default_columns),
                f"Colonne inconnue pour cet export : {key}.",
            )
    full = list(dict.fromkeys([*order, *checked, *known]))
    return full, [k for k in full if k in checked], ""


def _move(order: list[str], move: str) -> tuple[list[str], str]:
    direction, _, key = move.partition(":")
    if key not in order or direction not in ("up", "down"):
        return order, ""
    i = order.index(key)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return order, f"{direction}:{key}"


def _download(user: User, exporter: Exporter, params: dict[str, Any], keys: list[str], fmt: str):
    day = clock.now().astimezone(PARIS).strftime("%Y-%m-%d")
    filename = f"{slugify(exporter.label)}-{day}.{fmt}"
    content_type = FORMATS[fmt][2]
    columns = services.columns_of(exporter, keys)
    if fmt == "csv":
        # Streamed as written: the first bytes leave before the last row is read.
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(columns, exporter.rows(user, params)), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    services.write_export(user=user, exporter=exporter, params=params, keys=keys, fmt=fmt, out=out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


@pro_page(SECTION)
def export_page(request: ProRequest) -> HttpResponseBase:
    user = request.user
    offerers = list(offerers_for_user(user).order_by("name", "pk"))
    if not offerers:
        return render(request, "pro/exports/page.html", {"page_title": "Exporter", "offerers": []})
    data = normalise_query(request.POST if request.method == "POST" else request.GET)
    defaults = {
        "exporter": "collective_bookings" if data.get("kind") == "collective" else "bookings",
        "offerer": str(offerers[0].pk),
        "format": "xlsx",
    }
    for name, value in defaults.items():
        if not data.get(name):
            data[name] = value
    filter_form = ExportFilterForm(user, data)
    choice_form = ExportChoiceForm(offerers, data)
    preset_form = PresetNameForm(data if request.method == "POST" else None)
    filters_ok = filter_form.is_valid()
    choice_ok = choice_form.is_valid()
    exporter = registry.get(
        choice_form.cleaned_data["exporter"] if choice_ok else defaults["exporter"]
    )
    offerer = next(
        (o for o in offerers if choice_ok and o.pk == choice_form.cleaned_data["offerer"]),
        offerers[0],
    )
    presets = list(presets_of(user).filter(offerer=offerer, exporter_key=exporter.key))

    error, moved = "", ""
    if request.method == "POST":
        order, checked = data.getlist("order"), data.getlist("columns")
    elif data.get("preset"):
        preset = get_scoped_or_404(presets_of(user), pk=data["preset"], exporter_key=exporter.key)
        order, checked = list(preset.columns), list(preset.columns)
    elif data.getlist("columns"):
        order = checked = data.getlist("columns")
    else:
        order, checked = list(exporter.default_columns), list(exporter.default_columns)
    order, checked, error = _column_state(exporter, order, checked)

    query = _context_query(data, exporter, offerer)
    action = data.get("action", "")
    if request.method == "POST" and data.get("move"):
        order, moved = _move(order, str(data["move"]))
        checked = [k for k in order if k in checked]
    elif request.method == "POST" and not error and filters_ok and choice_ok:
        try:
            if action == "save_preset":
                name = data.get("preset_name", "")
                preset = services.save_preset(
                    user=user,
                    offerer=offerer,
                    exporter_key=exporter.key,
                    name=name,
                    columns=checked,
                )
                messages.success(request, f"Modèle « {preset.name} » enregistré.")
                query["preset"] = str(preset.pk)
                return redirect(f"{reverse('pro:exports')}?{query.urlencode()}")
            if action == "export":
                services.clean_columns(exporter, checked)
                params = {**filter_form.params(), "offerer_id": offerer.pk}
                fmt = choice_form.cleaned_data["format"]
                if exporter.count(user, params) <= services.sync_max_rows():
                    return _download(user, exporter, params, checked, fmt)
                services.start_export_job(
                    user=user,
                    offerer=offerer,
                    exporter_key=exporter.key,
                    params=params,
                    columns=checked,
                    fmt=fmt,
                )
                messages.info(
                    request,
                    "Export volumineux : il est préparé en arrière-plan. Vous recevrez un e-mail"
                    " avec le lien de téléchargement, aussi disponible ci-dessous.",
                )
                return redirect("pro:export_jobs")
        except DomainError as exc:
            error = exc.text
    elif request.method == "POST" and not error:
        error = "Corrigez les filtres ou le choix de l’export ci-dessous."

    labels = {c.key: c for c in exporter.columns}
    return render(
        request,
        "pro/exports/page.html",
        {
            "page_title": "Exporter",
            "offerers": offerers,
            "offerer": offerer,
            "exporter": exporter,
            "filter_form": filter_form,
            "choice_form": choice_form,
            "preset_form": preset_form,
            "presets": presets,
            "rows": [(labels[k], k in checked) for k in order],
            "moved": moved,
            "error": error,
            "query": query,
            "hidden": [(k, v) for k, values in query.lists() for v in values if k != "preset"],
            "bookings_query": data.urlencode(),
        },
        status=400 if error and request.method == "POST" else 200,
    )


@require_POST
@pro_page(SECTION)
def preset_delete(request: ProRequest, preset_id: int) -> HttpResponse:
    preset = get_scoped_or_404(presets_of(request.user), pk=preset_id)
    name = preset.name
    services.delete_preset(user=request.user, preset=preset)
    messages.success(request, f"Modèle « {name} » supprimé.")
    query = QueryDict(mutable=True)
    query["exporter"], query["offerer"] = preset.exporter_key, str(preset.offerer_id)
    return redirect(f"{reverse('pro:exports')}?{query.urlencode()}")


def _jobs_context(user: User) -> dict[str, Any]:
    jobs = list(jobs_of(user).select_related("offerer", "user")[:JOBS_SHOWN])
    labels = {e.key: e.label for e in registry.all_exporters()}
    for job in jobs:
        job.label = labels.get(job.exporter_key, job.exporter_key)
    active = any(j.status in (JobStatus.QUEUED, JobStatus.RUNNING) for j in jobs)
    return {"jobs": jobs, "active": active, "now": clock.now()}


@pro_page(SECTION)
def job_list(request: ProRequest) -> HttpResponse:
    return render(
        request,
        "pro/exports/jobs.html",
        {"page_title": "Mes exports", **_jobs_context(request.user)},
    )


@pro_page(SECTION)
def job_table(request: ProRequest) -> HttpResponse:
    """The jobs table alone: polled by HTMX while an export is running."""
    return render(request, "pro/exports/_jobs_table.html", _jobs_context(request.user))


@pro_page(SECTION)
def job_download(request: ProRequest, job_id: int) -> HttpResponseBase:
    job = get_scoped_or_404(jobs_of(request.user), pk=job_id)
    if job.is_expired or (job.status == JobStatus.DONE and not job.file):
        text = "Ce fichier a expiré (conservé 7 jours) : relancez l’export."
        return _gone(request, text, 410)
    if job.status != JobStatus.DONE:
        text = (
            "Ce fichier n’est pas encore prêt : la barre de progression indique où en est l’export."
        )
        if job.status == JobStatus.FAILED:
            text = (
                "Cet export a échoué : relancez-le ; si le problème persiste, contactez le support."
            )
        return _gone(request, text, 409)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        return _gone(request, "Ce fichier a expiré (conservé 7 jours) : relancez l’export.", 410)
    filename = job.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=FORMATS[job.format][2]
    )


def _gone(request: HttpRequest, text: str, status: int) -> HttpResponse:
    return render(
        request,
        "pro/exports/unavailable.html",
        {"page_title": "Fichier indisponible", "text": text},
        status=status,
    )
