"""Core tasks: the health job that proves the scheduler → queue → worker loop."""

from django.db import transaction
from django.db.models import F
from django.tasks import task

from passculture.core import clock
from passculture.core.models import Heartbeat


@task
def record_heartbeat(name: str = "scheduler") -> int:
    """Bump the heartbeat counter; idempotent enough (a count, not a side effect)."""
    with transaction.atomic():
        beat, _ = Heartbeat.objects.get_or_create(name=name, defaults={"last_seen_at": clock.now()})
        Heartbeat.objects.filter(pk=beat.pk).update(count=F("count") + 1, last_seen_at=clock.now())
    beat.refresh_from_db()
    return beat.count
