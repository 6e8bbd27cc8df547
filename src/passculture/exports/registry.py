"""The exporter registry: what can be exported, with which columns.

An exporter declares its columns (stable key, French label, kind) and yields rows for a
pro user and parameters (the bookings tab's filters, a period…). Formats (xlsx, csv, ods)
and background jobs only ever talk to this interface, so a new table (statistics, offers)
is one `register(...)` call.

Kinds: "text", "int", "money" (int cents → a number with € format), "percent" (float
0–1), "datetime" (aware → Europe/Paris), "date".
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from passculture.accounts.models import User

KINDS = ("text", "int", "money", "percent", "datetime", "date")


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown kind {self.kind}")


Row = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Exporter:
    key: str  # stable, in URLs and presets: "bookings", "collective_bookings", "offers"…
    label: str  # French, shown to the pro
    columns: tuple[Column, ...]
    default_columns: tuple[str, ...]
    # rows(user, params) → rows keyed by column key, scoped to the user's structures.
    rows: Callable[[User, Mapping[str, Any]], Iterable[Row]]
    # count(user, params) → how many rows (decides download now vs background job).
    count: Callable[[User, Mapping[str, Any]], int]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


_REGISTRY: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    if exporter.key in _REGISTRY:
        raise ValueError(f"exporter {exporter.key} registered twice")
    _REGISTRY[exporter.key] = exporter
    return exporter


def get(key: str) -> Exporter:
    return _REGISTRY[key]


def all_exporters() -> list[Exporter]:
    return list(_REGISTRY.values())
