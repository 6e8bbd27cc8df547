"""Counting offer views cheaply: a cache counter per offer per Paris day, flushed to the DB.

The hot path costs two cache calls (`add` then `incr`), never a database write. The first
view of an offer on a day also appends the counter's key to that day's index (a numbered
list built with `incr`, atomic on locmem and Redis), so `flush_views` can find the counters
without listing cache keys (Django's cache API cannot). `flush_views` (a periodic job) adds
each counter to `OfferViewDay` with one upsert per kind, then subtracts what it wrote from
the counter: views arriving meanwhile stay for the next flush, and a second flush with no new
views adds nothing.

Bots: only known crawler user agents are dropped (`bot`, `crawl`, `spider`, `slurp`, link
preview fetchers). Headless browsers are NOT excluded: our own browser tests run
HeadlessChrome, and real users behind such agents are rare next to the cost of missing them.
"""

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest

from passculture.core import clock

KINDS = ("offer", "collective_offer")
BOT_PATTERN = re.compile(r"bot\b|crawl|spider|slurp|facebookexternalhit|bingpreview", re.I)
logger = logging.getLogger(__name__)
INLINE_FLUSH_SECONDS = 60
_last_inline_flush = time.monotonic()
COUNTER_TTL = 3 * 24 * 3600  # outlives a missed flush or two; flush looks back 2 days
PREFIX = "stats:views"


def is_bot(user_agent: str) -> bool:
    return bool(BOT_PATTERN.search(user_agent or ""))


def _counter_key(kind: str, offer_id: int, day: dt.date) -> str:
    return f"{PREFIX}:{day.isoformat()}:{kind}:{offer_id}"


def _index_key(day: dt.date, position: int | str) -> str:
    return f"{PREFIX}:{day.isoformat()}:index:{position}"


def record_view(kind: str, offer_id: int, request: HttpRequest | None = None) -> bool:
    """Count one view of an offer page; False when dropped (bot). Never raises."""
    if kind not in KINDS:
        raise ValueError(kind)
    if request is not None and is_bot(request.headers.get("User-Agent", "")):
        return False
    day = clock.today_paris()
    key = _counter_key(kind, offer_id, day)
    try:
        if cache.add(key, 0, COUNTER_TTL):
            cache.add(_index_key(day, "n"), 0, COUNTER_TTL)
            position = cache.incr(_index_key(day, "n"))
            cache.set(_index_key(day, position), key, COUNTER_TTL)
        cache.incr(key)
    except ValueError:
        # The key expired between add and incr: losing one view beats failing the page.
        return False
    _flush_here_if_due()
    return True


def _flush_here_if_due() -> None:
    """With a per-process cache (locmem, the embedded default) the task worker cannot see
    this process's counters: the web process flushes its own, at most once a minute.

    Not under tests (settings.ENV == "test"): a flush there would add queries at random
    moments to other tests' query counts; tests call flush_views() themselves.
    """
    global _last_inline_flush
    if settings.ENV == "test" or not isinstance(caches["default"], LocMemCache):
        return
    now = time.monotonic()
    if now - _last_inline_flush < INLINE_FLUSH_SECONDS:
        return
    _last_inline_flush = now
    try:
        flush_views()
    except DatabaseError:  # the page matters more than a view count; retried next minute
        logger.exception("offer views flush failed")


def _pending(day: dt.date) -> dict[str, int]:
    size = cache.get(_index_key(day, "n")) or 0
    if not size:
        return {}
    keys = cache.get_many([_index_key(day, i) for i in range(1, size + 1)]).values()
    return {key: value for key, value in cache.get_many(list(keys)).items() if value}


def _upsert(kind: str, rows: Iterable[tuple[int, dt.date, int]]) -> None:
    column = "offer_id" if kind == "offer" else "collective_offer_id"
    other = "collective_offer_id" if kind == "offer" else "offer_id"
    table = "stats_offerviewday"
    # ORM bulk_create(update_conflicts=True) can only overwrite a count; we must add to it.
    # Identifiers are the constants above; values go as parameters.
    add = f"ON CONFLICT ({column}, day) DO UPDATE SET count = {table}.count + excluded.count"
    sql = f"INSERT INTO {table} ({column}, {other}, day, count) VALUES (%s, NULL, %s, %s) {add}"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def _existing(kind: str, rows: list[tuple[int, dt.date, int]]) -> list[tuple[int, dt.date, int]]:
    """Drop counters of offers deleted since they were viewed (their FK would fail)."""
    from passculture.collective.models import CollectiveOffer
    from passculture.offers.models import Offer

    model = Offer if kind == "offer" else CollectiveOffer
    ids = set(model.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", flat=True))
    return [row for row in rows if row[0] in ids]


def flush_views(days_back: int = 2) -> int:
    """Add cached view counters to OfferViewDay; returns how many views were written."""
    today = clock.today_paris()
    written = 0
    for delta in range(days_back + 1):
        day = today - dt.timedelta(days=delta)
        pending = _pending(day)
        if not pending:
            continue
        by_kind: dict[str, list[tuple[int, dt.date, int]]] = {kind: [] for kind in KINDS}
        for key, value in pending.items():
            kind, offer_id = key.split(":")[-2:]
            by_kind[kind].append((int(offer_id), day, int(value)))
        with transaction.atomic():
            for kind, rows in by_kind.items():
                if rows:
                    _upsert(kind, _existing(kind, rows))
        for key, value in pending.items():
            cache.decr(key, value)
        written += sum(pending.values())
    return written
