"""Periodic jobs of the statistics."""

from django.tasks import task

from passculture.stats.views_counter import flush_views


@task
def flush_offer_views() -> int:
    """Write buffered offer views to the database (idempotent: counters are decremented)."""
    return flush_views()
