"""In-app notices of one user: read them, count the unread, mark them read."""

from django.db.models import QuerySet

from passculture.accounts.models import User
from passculture.core import clock
from passculture.notifications.models import Notice


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: User, notice_id: int | None = None) -> int:
    """Mark one notice (or all when `notice_id` is None) of `user` read; return how many."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    return unread.update(read_at=clock.now())
