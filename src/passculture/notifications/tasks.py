"""Send tasks: render, send, log; and the hourly venue digest job."""

from typing import Any

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from passculture.core import clock
from passculture.core.mail import build_message, retry_later
from passculture.notifications.models import LogStatus, NotificationLog


@task
def send_notification(
    to: str,
    template: str,
    category: str,
    context: dict[str, Any],
    unsubscribe: str = "",
    attempt: int = 1,
) -> int:
    """Send one e-mail and log the attempt. A failure is logged, a later attempt is queued
    (1 min, 5 min, 30 min, 2 h: five in all) and the error re-raised so the task shows failed."""
    ctx = dict(context)
    headers = {}
    if unsubscribe:
        link = settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe])
        ctx["unsubscribe_url"] = link
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message, subject, body = build_message(to=[to], template=template, context=ctx, headers=headers)
    log = NotificationLog.objects.create(
        recipient=to, template=template, category=category, subject=subject, body=body
    )
    try:
        sent = message.send()
    except Exception as exc:
        log.status, log.error = LogStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        log.save(update_fields=["status", "error"])
        retry_later(send_notification, (to, template, category, context, unsubscribe), attempt)
        raise
    log.status, log.sent_at = LogStatus.SENT, clock.now()
    log.save(update_fields=["status", "sent_at"])
    return sent


@task
def send_venue_digests() -> int:
    """Hourly: the digest of every venue whose chosen hour is now (Paris); once a day each."""
    from passculture.notifications.digest import send_due_digests

    return send_due_digests()
