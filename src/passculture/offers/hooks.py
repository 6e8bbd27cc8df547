"""Explicit extension points other domains register into (no Django signals).

The bookings domain registers, in its AppConfig.ready, what happens to bookings when an
offer is rejected or a date is moved or deleted. Each hook is called inside the
offers service's transaction, with ids, so its work commits or rolls back with it.
"""

from collections.abc import Callable
from typing import Any

offer_rejected: list[Callable[..., Any]] = []  # (actor, offer_id, reason)
stocks_moved: list[Callable[..., Any]] = []  # (actor, stock_ids, old_beginning, new_beginning)
stocks_deleted: list[Callable[..., Any]] = []  # (actor, stock_ids)


def call(hooks: list[Callable[..., Any]], **kwargs: Any) -> None:
    for hook in hooks:
        hook(**kwargs)


__all__ = ["call", "offer_rejected", "stocks_deleted", "stocks_moved"]
