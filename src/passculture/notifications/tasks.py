"""Send tasks: render, send, log; and the hourly venue digest job."""

from typing import Any

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from passculture.core import clock
from passculture.core.mail import build_message
from passculture.notifications.models import LogStatus, NotificationLog


@task
def send_notification(
    to: str, template: str, category: str, context: dict[str, Any], unsubscribe: str = ""
) -> int:
    """Send one e-mail and log it; a failure is logged then re-raised (the queue retries)."""
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
        raise
    log.status, log.sent_at = LogStatus.SENT, clock.now()
    log.save(update_fields=["status", "sent_at"])
    return sent


@task
def send_venue_digests() -> int:
    """Hourly: the digest of every venue whose chosen hour is now (Paris); once a day each."""
    from passculture.notifications.digest import send_due_digests

    return send_due_digests()
