"""Templated e-mail: text from `mail/<name>.txt`, HTML from its twin or the shared layout.

Every message goes out as text + HTML. A template without an `.html` twin gets the
shared DSFR-like layout (`mail/_layout.html`) around its text, so all e-mails look
alike without writing each one twice. Text templates render without HTML escaping
(an apostrophe in a venue name must stay an apostrophe in a plain-text e-mail).
"""

import datetime as dt
import email.message
import io
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import mark_safe

from passculture.core import clock

# Context key naming a text to show as a QR code inside the HTML e-mail (cid:qr).
QR_KEY = "qr_code"


def _render_text(name: str, ctx: dict[str, Any]) -> str:
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(ctx, autoescape=False)))


def render_text(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, text body) of `mail/<template>.txt` — first line = subject."""
    ctx = {"site_url": settings.SITE_URL, **context}
    text = _render_text(f"mail/{template}.txt", ctx).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of `mail/<template>.txt` — first line = subject."""
    ctx = {"site_url": settings.SITE_URL, **context}
    subject, body = render_text(template, ctx)
    html_ctx = {**ctx, "subject": subject, "has_qr": bool(ctx.get(QR_KEY))}
    try:
        html = render_to_string(f"mail/{template}.html", html_ctx)
    except TemplateDoesNotExist:  # no twin: the text inside the shared layout
        # escape first, then turn URLs into links and blank lines into paragraphs.
        html_ctx["body_html"] = mark_safe(linebreaks(urlize(escape(body))))  # noqa: S308
        html = render_to_string("mail/_layout.html", html_ctx)
    return subject, body, str(html)


class _Message(EmailMultiAlternatives):
    """An e-mail whose HTML part shows inline images (`cid:`).

    The images are inline attachments (what transactional-provider backends read);
    when Django itself writes the MIME (SMTP, files), they go into a multipart/related
    around the HTML part instead, which is where mail clients expect them.
    """

    def attach_inline_png(self, cid: str, png: bytes) -> None:
        part = email.message.MIMEPart()
        part.set_content(
            png, "image", "png", cid=f"<{cid}>", disposition="inline", filename=f"{cid}.png"
        )
        self.attach(part)

    def _inline(self) -> list[email.message.MIMEPart]:
        return [
            a for a in self.attachments if isinstance(a, email.message.MIMEPart) and a["Content-ID"]
        ]

    def _add_bodies(self, msg: Any) -> Any:
        msg = super()._add_bodies(msg)  # type: ignore[misc]  # private in Django, not in stubs
        if inline := self._inline():
            html_part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
            for image in inline:
                html_part.add_related(
                    image.get_content(), "image", "png", cid=image["Content-ID"],
                    disposition="inline", filename=image.get_filename(),
                )  # fmt: skip
        return msg

    def _add_attachments(self, msg: Any) -> None:
        every, inline = self.attachments, self._inline()
        self.attachments = [a for a in every if not any(a is part for part in inline)]
        try:
            super()._add_attachments(msg)  # type: ignore[misc]
        finally:
            self.attachments = every


def _png_bytes(text: str) -> bytes:
    """A PNG QR code of `text`, large enough to scan from a phone screen."""
    buffer = io.BytesIO()
    segno.make(text, micro=False).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def build_message(
    *, to: list[str], template: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[EmailMultiAlternatives, str, str]:
    """The ready-to-send message, with its subject and text body (for the send log)."""
    subject, body, html = render_mail(template, context)
    message = _Message(subject, body, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    if context.get(QR_KEY):
        message.attach_inline_png("qr", _png_bytes(str(context[QR_KEY])))
    return message, subject, body


# Waits before attempts 2, 3, 4 and 5 of an e-mail the mail server refused or missed.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)


def retry_later(send_task: Any, args: tuple[Any, ...], attempt: int) -> bool:
    """Queue attempt `attempt + 1` of a failed send after its delay (django-tasks-db does
    not retry on its own); False when the five attempts are spent."""
    if attempt > len(RETRY_DELAYS):
        return False
    later = send_task.using(run_after=clock.now() + RETRY_DELAYS[attempt - 1])
    later.enqueue(*args, attempt + 1)
    return True


@task
def send_templated_mail(
    to: list[str], template: str, context: dict[str, Any], attempt: int = 1
) -> int:
    """Send one e-mail; on failure the next attempt is queued, then the error re-raised.

    Not logged in NotificationLog: these carry secret links (password reset, e-mail
    verification) that must not be kept in the database.
    """
    message, _, _ = build_message(to=to, template=template, context=context)
    try:
        return message.send()
    except Exception:
        retry_later(send_templated_mail, (to, template, context), attempt)
        raise


def queue_mail(*, to: list[str], template: str, context: dict[str, Any]) -> None:
    """Enqueue an e-mail in the current transaction: sent only if the change commits.

    For messages to addresses that are not (yet) a user's verified one — sign-up
    verification, password reset; everything else goes through notifications.notify().
    """
    recipients = [address for address in to if address]
    if recipients:
        send_templated_mail.enqueue(recipients, template, context)
