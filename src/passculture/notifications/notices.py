"""In-app notices of one user: read them, count the unread, mark them read."""

from django.db import transaction
from django.db.models import QuerySet

from passculture.accounts.models import User
from passculture.campaigns.services import record_notice_read
from passculture.core import clock
from passculture.notifications.models import Notice


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: User, notice_id: int | None = None) -> int:
    """Mark one notice (or all when `notice_id` is None) of `user` read; return how many.

    Reading a campaign notice counts as opening the campaign: its link is the delivery's
    click URL, which names the delivery (no extra column needed on the notice)."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    campaign_links = list(unread.filter(category="campaign").values_list("url", flat=True))
    count = unread.update(read_at=clock.now())
    for url in campaign_links:
        record_notice_read(user_id=user.pk, url=url)
    return count
