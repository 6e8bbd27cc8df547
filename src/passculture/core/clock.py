"""One place that tells the time, so tests can move it."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Aware UTC now (or the frozen instant inside `frozen_at`)."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC)


def today_paris() -> dt.date:
    return now().astimezone(PARIS).date()


@contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[None]:
    """Freeze `now()` at an aware instant for the duration of the block (tests)."""
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, instant.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous
