"""Templated e-mail sent by a task (enqueued in the caller's transaction)."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render `mail/<template>.txt` (first line = subject) and its .html twin if any."""
    ctx = {"site_url": settings.SITE_URL, **context}
    text = str(render_to_string(f"mail/{template}.txt", ctx)).strip()
    subject, _, body = text.partition("\n")
    try:
        html = str(render_to_string(f"mail/{template}.html", ctx))
    except TemplateDoesNotExist:  # no HTML twin: a text-only e-mail
        html = ""
    return subject.strip(), body.strip() + "\n", html


@task
def send_templated_mail(to: list[str], template: str, context: dict[str, Any]) -> int:
    """Send one e-mail; retried by the queue on failure (SMTP down)."""
    subject, body, html = render_mail(template, context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


def queue_mail(*, to: list[str], template: str, context: dict[str, Any]) -> None:
    """Enqueue an e-mail in the current transaction: sent only if the change commits."""
    recipients = [address for address in to if address]
    if recipients:
        send_templated_mail.enqueue(recipients, template, context)
