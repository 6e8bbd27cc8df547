"""The "stats" exporter: every table of the statistics page, one `table` parameter each."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from passculture.accounts.models import User
from passculture.core import clock
from passculture.exports.registry import Column, Exporter, Row
from passculture.stats import selectors

TABLES = ("offers", "venues", "bands", "departments", "daily", "fill", "collective_bands")

COLUMNS = (
    Column("table", "Tableau"),
    Column("label", "Ligne"),
    Column("venue", "Lieu"),
    Column("day", "Jour", "date"),
    Column("when", "Date de l’événement", "datetime"),
    Column("views", "Consultations", "int"),
    Column("bookings", "Réservations", "int"),
    Column("cancelled", "Annulations", "int"),
    Column("conversion", "Taux de conversion", "percent"),
    Column("door", "Validées à l’entrée", "int"),
    Column("auto", "Validées automatiquement", "int"),
    Column("no_show_rate", "Taux de non-présentation", "percent"),
    Column("quantity", "Places (contingent)", "int"),
    Column("booked", "Places réservées", "int"),
    Column("fill_rate", "Taux de remplissage", "percent"),
)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return default


def invalid_dates(params: Mapping[str, Any]) -> bool:
    """True when a date was given but is not a real AAAA-MM-JJ date (the page says so)."""
    for key in ("du", "au", "date_from", "date_to"):
        value = params.get(key)
        if value:
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                return True
    return False


def scope_from(params: Mapping[str, Any]) -> selectors.Scope:
    """The page's parameters (du, au, lieu, offre) as a Scope; bad values → defaults."""
    today = clock.today_paris()
    # The page speaks French (du, au, lieu, offre); the export page hands over the bookings
    # filters' names (date_from, date_to, venue_id, offer_id): both are read.
    end = _date(params.get("au") or params.get("date_to"), today)
    start = _date(params.get("du") or params.get("date_from"), end - dt.timedelta(days=29))
    if start > end:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=selectors.MAX_DAYS - 1))
    venue = params.get("lieu") or params.get("venue_id")
    offer = params.get("offre") or params.get("offer_id")
    return selectors.Scope(start, end, _int(venue), _int(offer))


def table_rows(user: User, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    scope = scope_from(params)
    table = params.get("table") or "offers"
    rows: list[dict[str, Any]]
    if table in ("offers", "venues"):
        rows = selectors.per_offer(user, scope)
        if table == "venues":
            rows = selectors.per_venue(rows, user)
        rows = [{**r, "label": r["name"]} for r in rows]
    elif table in ("bands", "departments"):
        rows = selectors.breakdown(user, scope)[table]
    elif table == "daily":
        rows = selectors.daily(user, scope)
    elif table == "fill":
        rows = [{**r, "label": r["offer"]} for r in selectors.fill_rates(user, scope)]
    elif table == "collective_bands":
        rows = selectors.collective_breakdown(user, scope)
    else:
        return []
    return [{"table": table, **row} for row in rows]


def _rows(user: User, params: Mapping[str, Any]) -> Iterable[Row]:
    keys = [column.key for column in COLUMNS]
    for row in table_rows(user, params):
        yield {key: row.get(key) for key in keys}


def _count(user: User, params: Mapping[str, Any]) -> int:
    return len(table_rows(user, params))


STATS_EXPORTER = Exporter(
    key="stats",
    label="Statistiques",
    columns=COLUMNS,
    default_columns=("label", "views", "bookings", "cancelled", "conversion", "no_show_rate"),
    rows=_rows,
    count=_count,
)
